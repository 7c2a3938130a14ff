package email

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/switchboard-hq/switchboard/adapters/email/emailtest"
	"github.com/switchboard-hq/switchboard/core"
)

func numbered(i int) []byte {
	return customerMail(fmt.Sprintf("m%03d@mail.example.org", i), fmt.Sprintf("customer%d@example.org", i%7),
		fmt.Sprintf("Question %d", i), fmt.Sprintf("Message number %d", i))
}

// providerIDs counts the stored customer messages by Message-ID.
func (e *env) providerIDs() map[string]int {
	e.t.Helper()
	ids := map[string]int{}
	for _, c := range e.conversations() {
		msgs, err := e.store.Messages(context.Background(), c.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Direction == core.DirectionIn {
				ids[m.ProviderMessageID]++
			}
		}
	}
	return ids
}

func (e *env) wantStoredOnce(n int) {
	e.t.Helper()
	ids := e.providerIDs()
	if len(ids) != n {
		e.t.Errorf("%d distinct mails stored, want %d", len(ids), n)
	}
	for id, count := range ids {
		if count != 1 {
			e.t.Errorf("%s stored %d times", id, count)
		}
	}
}

func (e *env) wantAllSeen(mailbox string, n int) {
	e.t.Helper()
	msgs := e.imap.Messages(mailbox)
	seen := 0
	for _, m := range msgs {
		if m.Has(imap.FlagSeen) {
			seen++
		}
	}
	if len(msgs) != n || seen != n {
		e.t.Errorf("%s holds %d messages, %d seen; want %d, all seen", mailbox, len(msgs), seen, n)
	}
}

func TestPoller_server_down_while_50_mails_arrive_ingests_each_once_after_it_returns(t *testing.T) {
	e := newEnv(t, nil)
	e.start()
	waitFor(t, "health ok", func() bool { return e.ad.Health().Status == HealthOK })

	e.imap.Stop()
	waitFor(t, "health degraded", func() bool { return e.ad.Health().Status == HealthDegraded })
	if h := e.ad.Health(); h.Reason == "" {
		t.Errorf("degraded health has no reason: %+v", h)
	}
	for i := range 50 {
		e.imap.Append("INBOX", numbered(i))
	}
	time.Sleep(100 * time.Millisecond) // a few reconnects fail meanwhile
	if n := len(e.seen.all()); n != 0 {
		t.Fatalf("%d mails handled while the server was down", n)
	}
	e.imap.Start()

	e.waitOutcomes(50)
	waitFor(t, "health ok again", func() bool { return e.ad.Health().Status == HealthOK })
	time.Sleep(3 * e.cfg.IMAP.PollInterval) // further polls must find nothing new
	if n := len(e.seen.all()); n != 50 {
		t.Errorf("%d mails handled, want 50", n)
	}
	for _, o := range e.seen.all() {
		if o.Result != ResultMessage {
			t.Errorf("uid %d: %s (%s), want message", o.UID, o.Result, o.Reason)
		}
	}
	e.wantStoredOnce(50)
	e.wantAllSeen("INBOX", 50)
}

// receiverFunc adapts a function to Receiver.
type receiverFunc func(ctx context.Context, in core.Inbound) (core.Receipt, error)

func (f receiverFunc) Receive(ctx context.Context, in core.Inbound) (core.Receipt, error) {
	return f(ctx, in)
}

func TestPoller_restart_mid_fetch_loses_and_duplicates_nothing(t *testing.T) {
	for _, tt := range []struct {
		name string
		// checkpointed: the mailbox was polled (empty) before the mail
		// came, so it is fetched by UID after the checkpoint; otherwise by
		// the first poll's backfill.
		checkpointed bool
	}{{"during the first poll's backfill", false}, {"after the checkpoint", true}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.IMAP.BatchSize = 7 })
			if tt.checkpointed {
				e.start()
				waitFor(t, "the first poll", func() bool { return e.ad.Health().Status == HealthOK })
				e.stop()
			}
			for i := range 20 {
				e.imap.Append("INBOX", numbered(i))
			}
			// The process dies right after the hub committed the 11th mail:
			// in the second batch, before it is marked or checkpointed.
			var calls atomic.Int64
			e.wrap = func(hub Receiver) Receiver {
				return receiverFunc(func(ctx context.Context, in core.Inbound) (core.Receipt, error) {
					rcpt, err := hub.Receive(ctx, in)
					if calls.Add(1) == 11 {
						e.cancel()
						return core.Receipt{}, errors.New("killed")
					}
					return rcpt, err
				})
			}
			e.build()
			e.start()
			waitFor(t, "the crash", func() bool { return calls.Load() >= 11 })
			e.stop()
			// Senders' lanes run side by side: a few more of the batch may
			// have been committed as the process went down.
			stored := len(e.providerIDs())
			if stored < 11 || stored > 14 {
				t.Fatalf("%d mails stored before the crash, want 11 to 14 (two batches of 7)", stored)
			}

			e.wrap = nil
			e.build()
			before := len(e.seen.all())
			e.start()
			waitFor(t, "the rest", func() bool { return len(e.providerIDs()) == 20 })
			time.Sleep(3 * e.cfg.IMAP.PollInterval)
			dups := 0
			for _, o := range e.seen.all()[before:] {
				if o.Result == ResultDuplicate {
					dups++
				}
			}
			if want := stored - 7; dups != want { // batch 1 was checkpointed
				t.Errorf("%d duplicates after the restart, want %d (the stored part of the interrupted batch)", dups, want)
			}
			e.wantStoredOnce(20)
			e.wantAllSeen("INBOX", 20)
		})
	}
}

func TestPoller_UIDVALIDITY_change_fetches_again_without_duplicates(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 5 {
		e.imap.Append("INBOX", numbered(i))
	}
	e.start()
	e.waitOutcomes(5)

	// The server rebuilt the mailbox: the same mail, new UIDs, flags lost;
	// three new mails besides.
	e.imap.Recreate("INBOX")
	for i := range 8 {
		e.imap.Append("INBOX", numbered(i))
	}
	outs := e.waitOutcomes(13)
	var dup, msg int
	for _, o := range outs[5:] {
		switch o.Result {
		case ResultDuplicate:
			dup++
		case ResultMessage:
			msg++
		}
	}
	if dup != 5 || msg != 3 {
		t.Errorf("after the change: %d duplicates and %d new, want 5 and 3", dup, msg)
	}
	e.wantStoredOnce(8)
	e.wantAllSeen("INBOX", 8)
}

func TestPoller_processed_move_puts_mail_in_the_folder(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.IMAP.Processed, c.IMAP.MoveTo = ProcessedMove, "Processed" })
	for i := range 3 {
		e.imap.Append("INBOX", numbered(i))
	}
	e.start()
	e.waitOutcomes(3)
	waitFor(t, "the move", func() bool { return len(e.imap.Messages("Processed")) == 3 })
	if n := len(e.imap.Messages("INBOX")); n != 0 {
		t.Errorf("INBOX still holds %d messages", n)
	}
}

func TestPoller_polls_when_IDLE_is_off(t *testing.T) {
	off := false
	e := newEnv(t, func(c *Config) { c.IMAP.Idle = &off })
	e.start()
	waitFor(t, "health ok", func() bool { return e.ad.Health().Status == HealthOK })
	e.imap.Append("INBOX", numbered(1))
	e.imap.Append("INBOX", numbered(2))
	e.waitOutcomes(2)
	e.wantStoredOnce(2)
}

func TestPoller_connects_and_logs_in_as_configured(t *testing.T) {
	serverTLS, clientTLS := emailtest.TLS(t)
	for _, tt := range []struct {
		name, mode, auth string
		opts             []emailtest.IMAPOption
	}{
		{"implicit TLS, password", TLSImplicit, AuthPassword, []emailtest.IMAPOption{emailtest.WithImplicitTLS(serverTLS)}},
		{"STARTTLS, password", TLSStart, AuthPassword, []emailtest.IMAPOption{emailtest.WithSTARTTLS(serverTLS)}},
		{"loopback, XOAUTH2", TLSNone, AuthXOAUTH2, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := emailtest.NewIMAPServer(t, tt.opts...)
			srv.Append("INBOX", numbered(1))
			cfg := testConfig(srv.Addr(), "127.0.0.1:1")
			cfg.IMAP.TLS, cfg.IMAP.Auth = tt.mode, tt.auth
			if tt.auth == AuthXOAUTH2 {
				cfg.IMAP.Password, cfg.IMAP.Token = "", emailtest.Password // the server takes the password as token
			}
			seen := &outcomes{}
			ad, err := New(channelName, cfg, Deps{Receiver: receiverFunc(func(context.Context, core.Inbound) (core.Receipt, error) {
				return core.Receipt{MessageID: "msg_1", ConversationID: "cnv_1"}, nil
			}), Blobs: tempBlobs(t), State: newMemState(), TLSConfig: clientTLS, Observe: seen.add})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = ad.Run(ctx) }()
			defer func() { cancel(); <-done }()
			waitFor(t, "the mail", func() bool { return len(seen.all()) == 1 })
		})
	}
}

func TestPoller_refused_login_degrades_health_with_the_reason(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.IMAP.Password = "wrong password" })
	e.imap.Append("INBOX", numbered(1))
	e.start()
	waitFor(t, "health degraded", func() bool { return e.ad.Health().Status == HealthDegraded })
	if h := e.ad.Health(); !strings.Contains(h.Reason, "login") {
		t.Errorf("reason = %q, want it to name the login", h.Reason)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.seen.all()); n != 0 {
		t.Errorf("%d mails handled without a login", n)
	}
}

func TestPoller_oversize_mail_is_shown_with_the_reason_not_imported(t *testing.T) {
	e := newEnv(t, nil) // max_message_bytes: 131072
	big := customerMail("big@mail.example.org", "dana@example.org", "Holiday photos", strings.Repeat("x", 200<<10))
	e.imap.Append("INBOX", big)
	e.start()
	out := e.waitOutcomes(1)[0]
	if out.Result != ResultMessage {
		t.Fatalf("result = %s (%s), want message", out.Result, out.Reason)
	}
	m, err := e.store.Message(context.Background(), out.Receipt.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Holiday photos", "larger than the channel accepts", "max_message_bytes"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text %q does not say %q", m.Text, want)
		}
	}
	if strings.Contains(m.Text, "xxxx") {
		t.Error("the oversize body was imported")
	}
	e.wantAllSeen("INBOX", 1)
}

func TestPoller_backfill_decides_what_the_first_poll_takes(t *testing.T) {
	for _, tt := range []struct {
		backfill string
		want     []string // Message-IDs stored
	}{
		{BackfillUnseen, []string{"m001@mail.example.org", "m003@mail.example.org"}},
		{BackfillAll, []string{"m001@mail.example.org", "m002@mail.example.org", "m003@mail.example.org"}},
		{BackfillNone, []string{"m003@mail.example.org"}},
	} {
		t.Run(tt.backfill, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.IMAP.Backfill = tt.backfill })
			e.imap.Append("INBOX", numbered(1))
			e.imap.Append("INBOX", numbered(2), imap.FlagSeen) // read by a person
			e.start()
			waitFor(t, "health ok", func() bool { return e.ad.Health().Status == HealthOK })
			e.imap.Append("INBOX", numbered(3))
			e.waitOutcomes(len(tt.want))
			time.Sleep(3 * e.cfg.IMAP.PollInterval)
			ids := e.providerIDs()
			if len(ids) != len(tt.want) {
				t.Errorf("stored %v, want %v", ids, tt.want)
			}
			for _, id := range tt.want {
				if ids[id] != 1 {
					t.Errorf("%s stored %d times, want once", id, ids[id])
				}
			}
		})
	}
}

func TestBounce_marks_the_sent_reply_failed_with_the_reason(t *testing.T) {
	e := newEnv(t, nil)
	e.imap.Append("INBOX", customerMail("q@mail.example.org", "s.nakamura@example.net", "Tent pole", "Do you have spares?"))
	e.start()
	conv := e.waitOutcomes(1)[0].Receipt.ConversationID
	sent := e.reply(e.operator(conv), conv, "Yes, we do.")
	dsn := strings.ReplaceAll(string(readFixture(t, "12_bounce_dsn.eml")), "conv-5102.msg-0004.q9z3@hub.example.com", sent.ProviderMessageID)
	e.imap.Append("INBOX", []byte(dsn))
	out := e.waitOutcomes(2)[1]
	if out.Result != ResultFiltered || out.FilterReason != FilterBounce || out.Bounced != sent.ProviderMessageID {
		t.Fatalf("outcome = %s/%s bounced %q, want a filtered bounce of %s", out.Result, out.FilterReason, out.Bounced, sent.ProviderMessageID)
	}
	m, err := e.store.Message(context.Background(), sent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != core.DeliveryFailed || !strings.Contains(m.Error, "s.nakamura@example.net") || !strings.Contains(m.Error, "5.1.1") {
		t.Errorf("reply = %s (%q), want failed naming the recipient and status", m.Status, m.Error)
	}
}

func TestInbound_subject_threading_within_the_window_only_when_configured(t *testing.T) {
	for _, days := range []int{0, 7} {
		t.Run(fmt.Sprintf("%d days", days), func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.ThreadBySubjectDays = days })
			e.imap.Append("INBOX", customerMail("s1@mail.example.org", "dana@example.org", "Broken zipper", "It broke."))
			e.start()
			conv := e.waitOutcomes(1)[0].Receipt.ConversationID
			e.imap.Append("INBOX", customerMail("s2@mail.example.org", "dana@example.org", "RE: Fwd: broken  zipper", "Any news?"))
			e.imap.Append("INBOX", customerMail("s3@mail.example.org", "other@example.org", "Re: Broken zipper", "Me too"))
			// Different senders are ingested in parallel lanes: find each
			// outcome by its sender, not by its position.
			bySender := map[string]string{}
			for _, out := range e.waitOutcomes(3)[1:] {
				bySender[out.Inbound.Contact.ID] = out.Inbound.ConversationID
			}
			want := ""
			if days > 0 {
				want = conv
			}
			if got := bySender["dana@example.org"]; got != want {
				t.Errorf("same sender, same subject: conversation %q, want %q", got, want)
			}
			if got, ok := bySender["other@example.org"]; !ok || got != "" {
				t.Errorf("other sender: conversation %q (seen %v), want none", got, ok)
			}
		})
	}
}
