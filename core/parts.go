package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// SendParts sends a reply that a channel delivers as n provider calls (a
// long text in pieces, one call per file). send delivers part i and returns
// its provider id.
//
// With more than one part, each sent part's id is kept in state until all
// are sent, so a retry after a failure sends only the parts still missing
// and the contact never gets one twice; the records are removed at the end.
// A failing part's error names it and keeps its class (permanent or not).
// SendParts returns the parts' provider ids in order.
func SendParts(ctx context.Context, state ChannelState, out Outbound, n int, send func(ctx context.Context, i int) (string, error)) ([]string, error) {
	if n == 0 {
		return nil, Permanent(errors.New("the message has neither text nor attachments"))
	}
	tracked := n > 1
	ids := make([]string, n)
	for i := range n {
		key := partKey(out, i)
		if tracked {
			id, err := state.Get(ctx, key)
			switch {
			case err == nil:
				ids[i] = string(id)
				continue
			case !errors.Is(err, ErrNotFound):
				// Sending without knowing could repeat the part.
				return nil, fmt.Errorf("read sent parts of %s: %w", out.MessageID, err)
			}
		}
		id, err := send(ctx, i)
		if err != nil {
			if !tracked {
				return nil, err
			}
			return nil, partError(i, n, err)
		}
		ids[i] = id
		if tracked {
			// A failed record only matters if a later part fails too: then
			// the retry repeats this one.
			_ = state.Put(ctx, key, []byte(id))
		}
	}
	if tracked {
		for i := range n {
			_ = state.Delete(ctx, partKey(out, i)) // a leftover record is harmless
		}
	}
	return ids, nil
}

// partKey names, in the channel state, part i of a reply as sent.
func partKey(out Outbound, i int) string {
	key := out.IdempotencyKey
	if key == "" {
		key = out.MessageID
	}
	return "sent/" + key + "/" + strconv.Itoa(i)
}

// partError names the part that failed, keeping err's class.
func partError(i, n int, err error) error {
	var p *PermanentError
	if errors.As(err, &p) {
		return Permanent(fmt.Errorf("part %d of %d: %w", i+1, n, p.Err))
	}
	return fmt.Errorf("part %d of %d: %w", i+1, n, err)
}
