package email

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard-hq/switchboard/core"
)

// checkpoint is how far a mailbox has been handled: every message with a UID
// up to LastUID, under UIDVALIDITY UIDValidity, is stored in the hub and
// marked processed on the server.
type checkpoint struct {
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
}

func (a *Adapter) checkpointKey() string { return "imap/" + a.cfg.IMAP.Mailbox }

func (a *Adapter) loadCheckpoint(ctx context.Context) (checkpoint, error) {
	var cp checkpoint
	b, err := a.state.Get(ctx, a.checkpointKey())
	if errors.Is(err, core.ErrNotFound) {
		return cp, nil
	}
	if err != nil {
		return cp, fmt.Errorf("load checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		a.log.Warn("mailbox checkpoint unreadable; fetching the mailbox again", "err", err)
		return checkpoint{}, nil
	}
	return cp, nil
}

func (a *Adapter) saveCheckpoint(ctx context.Context, cp checkpoint) error {
	b, _ := json.Marshal(cp)
	if err := a.state.Put(ctx, a.checkpointKey(), b); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// process fetches one batch, hands every message to the hub in UID order,
// marks what was stored as processed (and what was rejected as such), and
// only then moves the checkpoint past the batch, saving it when save is
// set. A failure leaves the checkpoint where it was: the batch is fetched
// again, and what the hub already stored comes back as duplicates.
func (s *imapSession) process(ctx context.Context, batch []msgMeta, cp *checkpoint, save bool) error {
	a := s.a
	var whole, big imap.UIDSet
	for _, m := range batch {
		if m.size > a.cfg.MaxMessageBytes {
			big.AddNum(m.uid)
		} else {
			whole.AddNum(m.uid)
		}
	}
	bodies := map[imap.UID][]byte{}
	if err := s.fetchSection(whole, &imap.FetchItemBodySection{Peek: true}, bodies); err != nil {
		return err
	}
	if err := s.fetchSection(big, &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}, bodies); err != nil {
		return err
	}
	done, rejected, err := s.ingestBatch(ctx, batch, bodies)
	if err != nil {
		return err
	}
	if err := s.markDone(done); err != nil {
		return err
	}
	if err := s.markRejected(rejected); err != nil {
		return err
	}
	cp.LastUID = uint32(batch[len(batch)-1].uid)
	if !save {
		return nil
	}
	return a.saveCheckpoint(ctx, *cp)
}

// ingestLanes is how many senders' mail of one batch is handed to the hub
// at once: the store's group commit then shares a disk flush among them
// (32 measured ~30% faster than 8 on a 10,000-message mailbox).
// One sender's mail stays in one lane, in UID order.
const ingestLanes = 32

// parsedMail is one fetched message and what Parse made of it.
type parsedMail struct {
	meta msgMeta
	mail *Mail
	err  error
}

// ingestBatch parses the fetched messages (in parallel) and hands them to
// the hub, each sender's in UID order, senders side by side. It returns the
// UIDs stored (or found stored before) and those rejected; an error means
// some mail may not be stored and the batch must be fetched again.
func (s *imapSession) ingestBatch(ctx context.Context, batch []msgMeta, bodies map[imap.UID][]byte) (done, rejected imap.UIDSet, err error) {
	a := s.a
	items := make([]parsedMail, 0, len(batch))
	for _, m := range batch {
		if _, ok := bodies[m.uid]; ok { // else expunged meanwhile
			items = append(items, parsedMail{meta: m})
		}
	}
	var parse errgroup.Group
	parse.SetLimit(runtime.GOMAXPROCS(0))
	for i := range items {
		parse.Go(func() error {
			items[i].mail, items[i].err = Parse(bodies[items[i].meta.uid])
			return nil
		})
	}
	_ = parse.Wait()

	var lanes [ingestLanes][]int
	for i, it := range items {
		lane := 0
		if it.err == nil {
			lane = int(crc32.ChecksumIEEE([]byte(it.mail.From.Address)) % ingestLanes)
		}
		lanes[lane] = append(lanes[lane], i)
	}
	outs := make([]Outcome, len(items))
	g, gctx := errgroup.WithContext(ctx)
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		g.Go(func() error {
			for _, i := range lane {
				it := items[i]
				src := source{kind: "imap", uid: uint32(it.meta.uid), internalDate: it.meta.internalDate}
				var err error
				if it.meta.size > a.cfg.MaxMessageBytes {
					outs[i], err = a.ingestOversize(gctx, it.mail, it.err, it.meta.size, src, a.cfg.IMAP.Mailbox)
				} else {
					outs[i], err = a.ingestParsed(gctx, it.mail, it.err, src)
				}
				if err != nil {
					return fmt.Errorf("uid %d: %w", it.meta.uid, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	for i, it := range items {
		if outs[i].Result == ResultRejected {
			rejected.AddNum(it.meta.uid)
		} else {
			done.AddNum(it.meta.uid)
		}
	}
	return done, rejected, nil
}

// fetchSection fetches one body section of the messages in set into into.
func (s *imapSession) fetchSection(set imap.UIDSet, section *imap.FetchItemBodySection, into map[imap.UID][]byte) error {
	if len(set) == 0 {
		return nil
	}
	msgs, err := s.c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return fmt.Errorf("imap fetch %s: %w", set, err)
	}
	for _, m := range msgs {
		if b := m.FindBodySection(section); b != nil && m.UID != 0 {
			into[m.UID] = b
		}
	}
	return nil
}

// markDone marks stored mail as configured: \Seen, or moved to move_to.
func (s *imapSession) markDone(set imap.UIDSet) error {
	if len(set) == 0 {
		return nil
	}
	cfg := s.a.cfg.IMAP
	if cfg.Processed == ProcessedMove {
		if _, err := s.c.Move(set, cfg.MoveTo).Wait(); err != nil {
			return fmt.Errorf("imap move %s to %s: %w", set, cfg.MoveTo, err)
		}
		return nil
	}
	return s.addFlag(set, imap.FlagSeen)
}

// markRejected moves malformed mail to the quarantine folder, or leaves it
// unseen and flagged for a person to look at.
func (s *imapSession) markRejected(set imap.UIDSet) error {
	if len(set) == 0 {
		return nil
	}
	if q := s.a.cfg.IMAP.Quarantine; q != "" {
		if _, err := s.c.Move(set, q).Wait(); err != nil {
			return fmt.Errorf("imap move %s to %s: %w", set, q, err)
		}
		return nil
	}
	return s.addFlag(set, imap.FlagFlagged)
}

func (s *imapSession) addFlag(set imap.UIDSet, flag imap.Flag) error {
	err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{flag}}, nil).Close()
	if err != nil {
		return fmt.Errorf("imap store %s %s: %w", flag, set, err)
	}
	return nil
}

func sortMetas(m []msgMeta) {
	slices.SortFunc(m, func(x, y msgMeta) int { return cmp.Compare(x.uid, y.uid) })
}

func plainClient(user, password string) sasl.Client { return sasl.NewPlainClient("", user, password) }
