package email

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// smtpEnv is a channel receiving mail only over its own SMTP listener.
func smtpEnv(t *testing.T, change func(*Config)) *env {
	t.Helper()
	e := newEnv(t, func(c *Config) {
		c.IMAP = IMAPConfig{}
		c.InboundSMTP = InboundSMTPConfig{Addr: "127.0.0.1:0", MaxBytes: 64 << 10, Recipients: []string{"@help.larkspur.example.com"}}
		if change != nil {
			change(c)
		}
	})
	e.start()
	waitFor(t, "the SMTP listener", func() bool { return e.ad.SMTPListenAddr() != "" })
	return e
}

// submit delivers raw from sender to rcpts over SMTP as an MX would,
// declaring its SIZE.
func submit(t *testing.T, addr, sender string, rcpts []string, raw []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail(sender, &smtp.MailOptions{Size: int64(len(raw))}); err != nil {
		return err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	return w.Close()
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestInboundSMTP_stores_mail_for_the_channel_and_refuses_the_rest(t *testing.T) {
	e := smtpEnv(t, nil)
	addr := e.ad.SMTPListenAddr()
	if h := e.ad.Health(); h.Status != HealthOK {
		t.Errorf("health = %+v, want ok once listening", h)
	}
	tests := []struct {
		name     string
		sender   string
		rcpt     string
		raw      []byte
		wantCode int    // 0: accepted
		result   string // what the channel made of an accepted mail
	}{
		{"the channel's address", "dana@example.org", "Support@Larkspur.example.com", numbered(1), 0, ResultMessage},
		{"a configured domain", "dana@example.org", "orders@help.larkspur.example.com", numbered(2), 0, ResultMessage},
		{"someone else's address", "dana@example.org", "ceo@larkspur.example.com", numbered(3), 550, ""},
		{"an unknown reply token", "dana@example.org", "reply+nothere@other.example.com", numbered(4), 550, ""},
		{"over the size limit", "dana@example.org", "support@larkspur.example.com",
			customerMail("big@x.example", "dana@example.org", "big", strings.Repeat("x", 70<<10)), 552, ""},
		{"unreadable", "dana@example.org", "support@larkspur.example.com", readFixture(t, "15_malformed_header.eml"), 550, ""},
		{"a bounce from the null sender", "", "support@larkspur.example.com",
			[]byte("From: MAILER-DAEMON@mx.example.net\r\nSubject: Undelivered\r\nMessage-ID: <b1@mx.example.net>\r\n\r\nYour mail could not be delivered.\r\n"), 0, ResultFiltered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.seen.all())
			err := submit(t, addr, tt.sender, []string{tt.rcpt}, tt.raw)
			if got := smtpCode(err); got != tt.wantCode || (tt.wantCode == 0 && err != nil) {
				t.Fatalf("SMTP answer: %v (code %d), want code %d", err, got, tt.wantCode)
			}
			if tt.result == "" {
				return
			}
			outs := e.seen.all()
			if len(outs) != before+1 || outs[before].Result != tt.result {
				t.Fatalf("outcomes %+v, want one %s", outs[before:], tt.result)
			}
		})
	}
	if got := e.seen.all(); got[len(got)-1].FilterReason != FilterBounce {
		t.Errorf("null-sender mail filtered as %q, want bounce", got[len(got)-1].FilterReason)
	}
}

func TestInboundSMTP_reply_address_is_accepted_and_names_the_conversation(t *testing.T) {
	e := smtpEnv(t, nil)
	addr := e.ad.SMTPListenAddr()
	if err := submit(t, addr, "dana@example.org", []string{"support@larkspur.example.com"}, numbered(1)); err != nil {
		t.Fatal(err)
	}
	conv := e.waitOutcomes(1)[0].Receipt.ConversationID
	e.reply(e.operator(conv), conv, "Hello")
	replyTo := strings.Trim(headerValue(e.smtp.Wait(1, 5e9)[0].Data, "Reply-To"), "<>")
	raw := []byte("From: customer1@example.org\r\nTo: support@larkspur.example.com\r\nSubject: x\r\nMessage-ID: <z@x.example>\r\n\r\nhi\r\n")
	if err := submit(t, addr, "customer1@example.org", []string{replyTo}, raw); err != nil {
		t.Fatalf("mail to %s: %v", replyTo, err)
	}
	if got := e.waitOutcomes(2)[1].Inbound.ConversationID; got != conv {
		t.Errorf("mail to the reply address named %q, want %q", got, conv)
	}
}
