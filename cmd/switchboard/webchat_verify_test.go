package main

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/email"
	"github.com/switchboard-hq/switchboard/adapters/email/emailtest"
	"github.com/switchboard-hq/switchboard/core"
)

// TestWebchatVerify_code_is_mailed_by_the_email_channel_over_real_SMTP
// runs $verify through the whole hub: the email channel is the hub's
// mailer, its SMTP client delivers the code to go-smtp's server on
// loopback, and the visitor types it into the widget's socket.
func TestWebchatVerify_code_is_mailed_by_the_email_channel_over_real_SMTP(t *testing.T) {
	imapSrv := emailtest.NewIMAPServer(t)
	smtpSrv := emailtest.NewSMTPServer(t)
	h := startHub(t, webchatYAML()+`  - name: mail
    type: email
    address: support@larkspur.example.com
    message_id_domain: hub.example.com
    imap: {addr: "`+imapSrv.Addr()+`", tls: none, username: `+emailtest.Username+`, password: "`+emailtest.Password+`", poll_interval: 1h}
    smtp: {addr: "`+smtpSrv.Addr()+`", tls: none, from: "Acme <support@larkspur.example.com>"}
`)
	ann := h.operator("ann@example.com", core.RoleOperator)
	ann.do("PUT", "/api/v1/me/presence", map[string]string{"status": "online"}, http.StatusOK, nil)
	v := h.webchatVisitor(nil)
	v.send(map[string]any{"type": "message", "id": "w1", "text": "I would like to check my orders"})
	conv := msgOf(v.next("sent"))["conversation"].(string)

	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "$email dana@example.org"}, http.StatusOK, nil)
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "$verify"}, http.StatusOK, nil)
	if got := v.next("verify"); got["state"] != "sent" || got["email"] != "d***@example.org" {
		t.Fatalf("verify frame = %v", got)
	}
	delivered := smtpSrv.Wait(1, 20*time.Second)[0]
	if len(delivered.To) != 1 || delivered.To[0] != "dana@example.org" {
		t.Fatalf("the code went to %v, want dana@example.org", delivered.To)
	}
	mail, err := email.Parse(delivered.Data)
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mail.Text)
	if code == "" {
		t.Fatalf("no 6-digit code in the mail:\n%s", mail.Text)
	}
	v.send(map[string]any{"type": "code", "code": code})
	if got := v.next("verify"); got["state"] != "verified" {
		t.Fatalf("after the mailed code: %v, want verified", got)
	}
	var c struct {
		Email    string `json:"email"`
		Verified bool   `json:"verified"`
	}
	var cv struct {
		ContactID string `json:"contact_id"`
	}
	ann.do("GET", "/api/v1/conversations/"+conv, nil, http.StatusOK, &cv)
	ann.do("GET", "/api/v1/contacts/"+cv.ContactID, nil, http.StatusOK, &c)
	if !c.Verified || c.Email != "dana@example.org" {
		t.Fatalf("contact = %+v, want dana@example.org verified", c)
	}
}
