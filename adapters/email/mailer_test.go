package email

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestSendMail_sends_the_hubs_mail_marked_automatic(t *testing.T) {
	e := newEnv(t, nil)
	err := e.ad.SendMail(context.Background(), core.Mail{
		To: []string{"Dana <dana@example.org>", "ops@larkspur.example.com"}, Subject: "Your conversation with Larkspur",
		Text: "Transcript\n\nDana: hi", ReplyTo: "Sam <sam@larkspur.example.com>",
	})
	if err != nil {
		t.Fatal(err)
	}
	d := e.smtp.Wait(1, 5*time.Second)[0]
	m, err := Parse(d.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.To, " "); got != "dana@example.org ops@larkspur.example.com" {
		t.Errorf("envelope recipients = %q", got)
	}
	if m.Subject != "Your conversation with Larkspur" || m.Text != "Transcript\n\nDana: hi" || m.AutoSubmitted != "auto-generated" {
		t.Errorf("mail = subject %q, text %q, auto-submitted %q", m.Subject, m.Text, m.AutoSubmitted)
	}
	if rt := headerValue(d.Data, "Reply-To"); !strings.Contains(rt, "sam@larkspur.example.com") {
		t.Errorf("Reply-To = %q", rt)
	}
	if !strings.HasSuffix(m.MessageID, "@"+hubDomain) {
		t.Errorf("Message-ID %q is not on the hub's domain", m.MessageID)
	}
}

func TestSendMail_refuses_bad_addresses_as_invalid_input(t *testing.T) {
	e := newEnv(t, nil)
	for _, m := range []core.Mail{
		{Subject: "x", Text: "x"},
		{To: []string{"not an address"}, Subject: "x", Text: "x"},
		{To: []string{"a@example.org"}, ReplyTo: "nope", Subject: "x", Text: "x"},
	} {
		if err := e.ad.SendMail(context.Background(), m); core.ErrorCode(err) != core.CodeInvalid {
			t.Errorf("SendMail(%+v) = %v, want an invalid-input error", m, err)
		}
	}
	if n := len(e.smtp.Delivered()); n != 0 {
		t.Errorf("%d mails sent", n)
	}
}
