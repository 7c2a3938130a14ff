package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// WhatsApp's text limits, in characters.
const (
	maxTextChars    = 4096
	maxCaptionChars = 1024
)

// part is one WhatsApp message of a reply: a text, or one attachment with
// an optional caption.
type part struct {
	text    string
	att     *core.Attachment
	caption string
}

// replyParts splits a reply into WhatsApp messages. The text becomes the
// caption of the first attachment when that is an image, video or
// document and the text fits a caption; otherwise it goes first, in
// messages of at most 4,096 characters. Each attachment is one message.
func replyParts(text string, atts []core.Attachment) []part {
	text = strings.TrimSpace(text)
	var parts []part
	if text != "" && len(atts) > 0 && takesCaption(atts[0].MIMEType) && utf8.RuneCountInString(text) <= maxCaptionChars {
		parts = append(parts, part{att: &atts[0], caption: text})
		atts = atts[1:]
		text = ""
	}
	for _, t := range splitText(text, maxTextChars) {
		parts = append(parts, part{text: t})
	}
	for i := range atts {
		parts = append(parts, part{att: &atts[i]})
	}
	return parts
}

// takesCaption reports whether WhatsApp shows a caption under a file of
// this type: images, videos and documents do, audio does not.
func takesCaption(mimeType string) bool {
	return !strings.HasPrefix(strings.ToLower(mimeType), "audio/")
}

// sendParts sends the parts of a reply in order with sendOne, which
// returns each part's WhatsApp id. A reply of several parts records each
// sent part in the channel's state, so that a retry after a failure sends
// only the rest. The receipt names the first part's id. Errors keep
// sendOne's class and name the failed part.
func (a *Adapter) sendParts(ctx context.Context, out core.Outbound, parts []part,
	sendOne func(ctx context.Context, i int, p part) (string, error)) (core.SendReceipt, error) {
	if len(parts) == 0 {
		return core.SendReceipt{}, core.Permanent(errors.New("the message has neither text nor attachments"))
	}
	tracked := len(parts) > 1
	ids := make([]string, len(parts))
	for i, p := range parts {
		key := partKey(out, i)
		if tracked {
			id, err := a.state.Get(ctx, key)
			switch {
			case err == nil:
				ids[i] = string(id)
				continue
			case !errors.Is(err, core.ErrNotFound) && core.ErrorCode(err) != core.CodeNotFound:
				// Sending without knowing could repeat the part.
				return core.SendReceipt{}, fmt.Errorf("read sent parts of %s: %w", out.MessageID, err)
			}
		}
		id, err := sendOne(ctx, i, p)
		if err != nil {
			a.log.WarnContext(ctx, "reply not sent", "message", out.MessageID, "part", i+1, "of", len(parts),
				"attempt", out.Attempt, "permanent", core.IsPermanent(err), "err", err)
			if tracked {
				return core.SendReceipt{}, partError(i, len(parts), err)
			}
			return core.SendReceipt{}, err
		}
		ids[i] = id
		if tracked {
			if err := a.state.Put(ctx, key, []byte(id)); err != nil {
				// Only a retry after a later part fails would repeat it.
				a.log.WarnContext(ctx, "sent part not recorded", "message", out.MessageID, "part", i+1, "err", err)
			}
		}
	}
	if tracked {
		for i := range parts {
			if err := a.state.Delete(ctx, partKey(out, i)); err != nil {
				a.log.DebugContext(ctx, "sent part not forgotten", "message", out.MessageID, "part", i+1, "err", err)
			}
		}
	}
	return core.SendReceipt{ProviderMessageID: ids[0]}, nil
}

// partKey names, in the channel state, part i of a reply as sent.
func partKey(out core.Outbound, i int) string {
	return "sent/" + replyKey(out) + "/" + strconv.Itoa(i)
}

// replyKey is what identifies a reply across redeliveries.
func replyKey(out core.Outbound) string {
	if out.IdempotencyKey != "" {
		return out.IdempotencyKey
	}
	return out.MessageID
}

// partError names the part that failed, keeping err's class.
func partError(i, n int, err error) error {
	var p *core.PermanentError
	if errors.As(err, &p) {
		return core.Permanent(fmt.Errorf("part %d of %d: %w", i+1, n, p.Err))
	}
	return fmt.Errorf("part %d of %d: %w", i+1, n, err)
}

// splitText cuts s into pieces of at most max characters, at the last line
// break or space of a piece when there is one in its second half.
func splitText(s string, max int) []string {
	var out []string
	for s != "" {
		cut, n, lastSpace := len(s), 0, -1
		for i, r := range s {
			if n == max {
				cut = i
				break
			}
			n++
			if (r == '\n' || r == ' ') && n > max/2 {
				lastSpace = i
			}
		}
		if cut < len(s) && lastSpace > 0 {
			cut = lastSpace
		}
		if cut == 0 { // max below one character: take one anyway
			_, cut = utf8.DecodeRuneInString(s)
		}
		if piece := strings.TrimSpace(s[:cut]); piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeft(s[cut:], " \n")
	}
	return out
}
