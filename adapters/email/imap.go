package email

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/sync/errgroup"
)

// Run receives mail until ctx ends: it polls the IMAP mailbox when imap.addr
// is set and serves inbound SMTP when inbound_smtp.addr is set. A lost or
// refused IMAP connection never ends it: it reconnects with backoff, the
// channel's Health degraded meanwhile. It returns nil once ctx ends, or the
// error that kept the SMTP listener from starting.
func (a *Adapter) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	if a.cfg.IMAP.Addr != "" {
		g.Go(func() error {
			a.poll(gctx)
			return nil
		})
	}
	if a.cfg.InboundSMTP.Addr != "" {
		g.Go(func() error { return a.serveSMTP(gctx) })
	}
	err := g.Wait()
	a.health.set(HealthStopped, "", a.now())
	return err
}

// poll keeps an IMAP session going until ctx ends.
func (a *Adapter) poll(ctx context.Context) {
	delay := a.cfg.IMAP.ReconnectMin
	for {
		synced, err := a.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if synced {
			delay = a.cfg.IMAP.ReconnectMin
		}
		a.health.set(HealthDegraded, err.Error(), a.now())
		wait := delay/2 + rand.N(delay/2+1) // jitter: instances do not retry in step
		a.log.WarnContext(ctx, "imap unavailable; retrying", "addr", a.cfg.IMAP.Addr, "in", wait.Round(time.Millisecond), "err", err)
		if !sleep(ctx, wait) {
			return
		}
		delay = min(delay*2, a.cfg.IMAP.ReconnectMax)
	}
}

// imapSession is one connection to the mailbox.
type imapSession struct {
	a       *Adapter
	c       *imapclient.Client
	conn    *deadlineConn
	newMail chan struct{}
	idle    bool
}

// session connects, then fetches and waits for mail until the connection
// fails or ctx ends. It reports whether the mailbox was caught up at least
// once, which resets the reconnect backoff.
func (a *Adapter) session(ctx context.Context) (bool, error) {
	s, err := a.connect(ctx)
	if err != nil {
		return false, err
	}
	defer s.c.Close()
	stop := context.AfterFunc(ctx, func() { s.c.Close() }) // unblocks any command
	defer stop()
	synced := false
	for {
		if err := s.catchUp(ctx); err != nil {
			return synced, err
		}
		synced = true
		a.health.synced(a.now())
		if err := s.wait(ctx); err != nil {
			return synced, err
		}
	}
}

// connect dials, secures and logs in.
func (a *Adapter) connect(ctx context.Context) (*imapSession, error) {
	cfg := a.cfg.IMAP
	conn, err := dial(ctx, cfg.Addr, cfg.Timeout)
	if err != nil {
		return nil, fmt.Errorf("imap dial %s: %w", cfg.Addr, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // shutdown during login
	defer stop()
	s := &imapSession{a: a, conn: conn, newMail: make(chan struct{}, 1)}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	opts := &imapclient.Options{
		TLSConfig:   a.tlsConfig(host),
		WordDecoder: newWordDecoder(),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case s.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	switch cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("imap tls %s: %w", cfg.Addr, err)
		}
		s.c = imapclient.New(tc, opts)
	case TLSStart:
		if s.c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			conn.Close()
			return nil, fmt.Errorf("imap starttls %s: %w", cfg.Addr, err)
		}
	default:
		s.c = imapclient.New(conn, opts)
	}
	if err := s.login(); err != nil {
		s.c.Close()
		return nil, err
	}
	caps := s.c.Caps()
	s.idle = *cfg.Idle && (caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2))
	for _, folder := range []string{cfg.MoveTo, cfg.Quarantine} {
		if folder != "" {
			_ = s.c.Create(folder, nil).Wait() // exists already, most likely
		}
	}
	return s, nil
}

func (s *imapSession) login() error {
	cfg := s.a.cfg.IMAP
	var err error
	switch {
	case cfg.Auth == AuthXOAUTH2:
		err = s.c.Authenticate(newXOAUTH2(cfg.Username, cfg.Token))
	case s.c.Caps().Has(imap.CapLoginDisabled):
		err = s.c.Authenticate(plainClient(cfg.Username, cfg.Password))
	default:
		err = s.c.Login(cfg.Username, cfg.Password).Wait()
	}
	if err != nil {
		return fmt.Errorf("imap login as %s: %w", cfg.Username, err)
	}
	return nil
}

// wait returns when new mail may have arrived: the server said so during
// IDLE, or the poll interval passed.
func (s *imapSession) wait(ctx context.Context) error {
	timer := time.NewTimer(s.a.cfg.IMAP.PollInterval)
	defer timer.Stop()
	s.conn.setTimeout(0) // the server may rightly stay silent now
	defer s.conn.setTimeout(s.a.cfg.IMAP.Timeout)
	if !s.idle {
		select {
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-s.c.Closed():
			return errClosed
		}
	}
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imap idle: %w", err)
	}
	select {
	case <-s.newMail:
	case <-timer.C:
	case <-ctx.Done():
	case <-s.c.Closed():
	}
	s.conn.setTimeout(s.a.cfg.IMAP.Timeout) // DONE must be answered
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("imap idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("imap idle: %w", err)
	}
	return ctx.Err()
}

// msgMeta is what the poller knows of a message before fetching it.
type msgMeta struct {
	uid          imap.UID
	size         int64
	internalDate time.Time
}

// catchUp fetches everything after the checkpoint, in UID order, in
// batches; the checkpoint advances after each batch is stored and marked.
func (s *imapSession) catchUp(ctx context.Context) error {
	a := s.a
	mailbox := a.cfg.IMAP.Mailbox
	sel, err := s.c.Select(mailbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap select %s: %w", mailbox, err)
	}
	cp, err := a.loadCheckpoint(ctx)
	if err != nil {
		return err
	}
	var set imap.UIDSet
	backfill := cp.UIDValidity != sel.UIDValidity
	switch {
	case !backfill && (sel.NumMessages == 0 || (sel.UIDNext > 0 && uint32(sel.UIDNext)-1 <= cp.LastUID)):
		return nil // nothing new; some servers refuse "n:*" on an empty mailbox
	case !backfill:
		set.AddRange(imap.UID(cp.LastUID+1), 0) // LastUID+1:*
	default:
		if cp.UIDValidity != 0 {
			a.log.WarnContext(ctx, "mailbox UIDVALIDITY changed; fetching it again, known mail is skipped by Message-ID",
				"mailbox", mailbox, "was", cp.UIDValidity, "now", sel.UIDValidity, "backfill", a.cfg.IMAP.Backfill)
		}
		cp = checkpoint{UIDValidity: sel.UIDValidity}
		if sel.NumMessages > 0 {
			if set, err = s.backfill(); err != nil {
				return err
			}
		}
	}
	var metas []msgMeta
	if len(set) > 0 {
		if metas, err = s.metadata(set, cp.LastUID); err != nil {
			return err
		}
	}
	for len(metas) > 0 {
		n := s.batchLen(metas)
		// A backfill is checkpointed only once complete: cut short, it is
		// searched again, and what it stored is \Seen (or moved) by then.
		if err := s.process(ctx, metas[:n], &cp, !backfill); err != nil {
			return err
		}
		metas = metas[n:]
	}
	if !backfill {
		return nil
	}
	if sel.UIDNext > 0 {
		cp.LastUID = max(cp.LastUID, uint32(sel.UIDNext)-1)
	}
	return a.saveCheckpoint(ctx, cp)
}

// backfill returns what the first fetch of a mailbox (or of one whose
// UIDVALIDITY changed) takes, per imap.backfill; with "none", nothing: the
// checkpoint then starts at the mailbox's end.
func (s *imapSession) backfill() (imap.UIDSet, error) {
	var set imap.UIDSet
	switch s.a.cfg.IMAP.Backfill {
	case BackfillAll:
		set.AddRange(1, 0)
	case BackfillUnseen:
		res, err := s.c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
		if err != nil {
			return nil, fmt.Errorf("imap search unseen: %w", err)
		}
		set.AddNum(res.AllUIDs()...)
	}
	return set, nil
}

// metadata returns UID, size and arrival time of the messages in set with
// a UID above after, in UID order. ("n:*" names the last message even when
// its UID is below n: it is filtered out.)
func (s *imapSession) metadata(set imap.UIDSet, after uint32) ([]msgMeta, error) {
	msgs, err := s.c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap fetch sizes: %w", err)
	}
	out := make([]msgMeta, 0, len(msgs))
	for _, m := range msgs {
		if uint32(m.UID) > after {
			out = append(out, msgMeta{uid: m.UID, size: m.RFC822Size, internalDate: m.InternalDate})
		}
	}
	sortMetas(out)
	return out, nil
}

// batchLen is how many of metas the next FETCH takes: at most batch_size
// messages and, beyond the first, about 64 MB.
func (s *imapSession) batchLen(metas []msgMeta) int {
	const maxBatchBytes = 64 << 20
	var total int64
	for i, m := range metas {
		if i >= s.a.cfg.IMAP.BatchSize || (i > 0 && total+min(m.size, s.a.cfg.MaxMessageBytes) > maxBatchBytes) {
			return i
		}
		total += min(m.size, s.a.cfg.MaxMessageBytes)
	}
	return len(metas)
}
