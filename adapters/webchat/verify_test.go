package webchat

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// mailbox is a core.Mailer keeping what it sends.
type mailbox struct {
	mu   sync.Mutex
	sent []core.Mail
}

func (m *mailbox) SendMail(_ context.Context, mail core.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
	return nil
}

var codeInMail = regexp.MustCompile(`\b(\d{6})\b`)

func (m *mailbox) code(t *testing.T) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		t.Fatal("no mail sent")
	}
	c := codeInMail.FindStringSubmatch(m.sent[len(m.sent)-1].Text)
	if c == nil {
		t.Fatalf("no code in %q", m.sent[len(m.sent)-1].Text)
	}
	return c[1]
}

func TestVerification_code_marks_the_email_verified(t *testing.T) {
	box := &mailbox{}
	f := newFixture(t, Config{}, withMailer(box))
	ctx := context.Background()
	v := f.connect(nil)
	conv := v.write("m", "hi").str("conversation")
	f.hub.Execute(ctx, f.op, conv, "$email visitor@example.com")
	if _, err := f.hub.Execute(ctx, f.op, conv, "$verify"); err != nil {
		t.Fatal(err)
	}
	if got := v.next("verify"); got.str("state") != "sent" || got.str("email") != "v***@example.com" {
		t.Fatalf("verify frame = %v", got)
	}
	code := box.code(t)
	if box.sent[0].To[0] != "visitor@example.com" {
		t.Errorf("mail to %v", box.sent[0].To)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	v.send(map[string]any{"type": "code", "code": wrong})
	if got := v.next("verify"); got.str("state") != "wrong" || got["tries_left"] != 4.0 {
		t.Fatalf("after a wrong code: %v, want 4 tries left", got)
	}
	v.send(map[string]any{"type": "code", "code": code})
	if got := v.next("verify"); got.str("state") != "verified" {
		t.Fatalf("after the right code: %v", got)
	}
	cv, _ := f.store.Conversation(ctx, conv)
	c, _ := f.store.Contact(ctx, cv.ContactID)
	if !c.Verified || c.Email != "visitor@example.com" {
		t.Fatalf("contact = %+v, want the address verified", c)
	}
}

func TestVerification_expires_after_5_wrong_tries_or_15_minutes(t *testing.T) {
	box := &mailbox{}
	f := newFixture(t, Config{}, withMailer(box))
	ctx := context.Background()
	now := time.Now()
	f.ad.now = func() time.Time { return now }
	v := f.connect(nil)
	conv := v.write("m", "hi").str("conversation")
	f.hub.Execute(ctx, f.op, conv, "$email visitor@example.com")

	f.hub.Execute(ctx, f.op, conv, "$verify")
	v.next("verify")
	code := box.code(t)
	wrong := "999999"
	if code == wrong {
		wrong = "888888"
	}
	for i := 1; i <= 5; i++ {
		v.send(map[string]any{"type": "code", "code": wrong})
		got := v.next("verify")
		if i < 5 && got.str("state") != "wrong" {
			t.Fatalf("wrong try %d: %v", i, got)
		}
		if i == 5 && got.str("state") != "expired" {
			t.Fatalf("fifth wrong try: %v, want expired", got)
		}
	}
	v.send(map[string]any{"type": "code", "code": code})
	if got := v.next("error"); got.str("code") != "no_verification" {
		t.Fatalf("the right code after 5 wrong tries: %v, want it refused", got)
	}

	f.hub.Execute(ctx, f.op, conv, "$verify")
	v.next("verify")
	code = box.code(t)
	now = now.Add(CodeTTL + time.Second)
	v.send(map[string]any{"type": "code", "code": code})
	if got := v.next("verify"); got.str("state") != "expired" {
		t.Fatalf("the right code after 15 minutes: %v, want expired", got)
	}
	cv, _ := f.store.Conversation(ctx, conv)
	c, _ := f.store.Contact(ctx, cv.ContactID)
	if c.Verified {
		t.Fatal("an expired code verified the contact")
	}
}
