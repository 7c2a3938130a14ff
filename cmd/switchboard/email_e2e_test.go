package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/email"
	"github.com/switchboard-hq/switchboard/adapters/email/emailtest"
	"github.com/switchboard-hq/switchboard/core"
)

func emailYAML(imapAddr, smtpAddr string) string {
	return `listen: 127.0.0.1:0
data_dir: %DATA%
channels:
  - name: support-mail
    type: email
    address: support@larkspur.example.com
    message_id_domain: hub.example.com
    reply_domain: reply.larkspur.example.com
    max_message_bytes: 131072
    imap:
      addr: "` + imapAddr + `"
      tls: none
      username: ` + emailtest.Username + `
      password: "` + emailtest.Password + `"
      mailbox: INBOX
      poll_interval: 200ms
      reconnect_min: 20ms
      reconnect_max: 200ms
    smtp: {addr: "` + smtpAddr + `", tls: none, from: "Larkspur Support <support@larkspur.example.com>"}
`
}

func emailFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../../shared/fixtures/email", name))
	if err != nil {
		t.Fatalf("the email fixtures are missing (%v): the shared fixtures must sit beside the repository", err)
	}
	return b
}

func TestEndToEnd_email_in_over_IMAP_reply_out_over_SMTP_threaded_and_transcripts(t *testing.T) {
	imapSrv := emailtest.NewIMAPServer(t)
	smtpSrv := emailtest.NewSMTPServer(t)
	h := startHub(t, emailYAML(imapSrv.Addr(), smtpSrv.Addr()))
	ann := h.operator("ann@larkspur.example.com", core.RoleOperator)

	// A customer writes; the mail becomes a conversation in Unassigned.
	imapSrv.Append("INBOX", emailFixture(t, "01_plain_text.eml"))
	var conv apiConversation
	waitFor(t, "the mail's conversation", func() bool {
		list := ann.view("unassigned")
		if len(list) == 1 {
			conv = list[0]
		}
		return len(list) == 1
	})
	ann.do("POST", "/api/v1/conversations/"+conv.ID+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)

	// Ann answers; the mail reaches the SMTP server threaded under the
	// customer's.
	var reply apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"text": "Hi Dana,\n\nit left our warehouse this morning."}, http.StatusCreated, &reply)
	sent, err := email.Parse(smtpSrv.Wait(1, 20*time.Second)[0].Data)
	if err != nil {
		t.Fatalf("the reply does not parse: %v", err)
	}
	const customerID = "CAF9d7Qw3nT1vB8xK2@mail.example.org"
	if sent.InReplyTo != customerID || len(sent.References) != 1 || sent.References[0] != customerID {
		t.Errorf("reply In-Reply-To %q, References %v; want the customer's %s", sent.InReplyTo, sent.References, customerID)
	}
	if sent.Subject != "Re: Question about order 58213" || sent.To[0].Address != "dana.whitfield@example.org" {
		t.Errorf("reply subject %q to %v", sent.Subject, sent.To)
	}
	if !strings.HasPrefix(sent.MessageID, reply.ID+"@hub.example.com") {
		t.Errorf("reply Message-ID %q, want %s@hub.example.com", sent.MessageID, reply.ID)
	}
	waitFor(t, "the reply to show as sent", func() bool {
		for _, m := range ann.messages(conv.ID) {
			if m.ID == reply.ID {
				return m.Status == "sent"
			}
		}
		return false
	})

	// The customer answers the hub's mail: it lands in the same conversation.
	answer := "From: Dana Whitfield <dana.whitfield@example.org>\r\nTo: support@larkspur.example.com\r\n" +
		"Subject: Re: Question about order 58213\r\nMessage-ID: <answer@mail.example.org>\r\n" +
		"In-Reply-To: <" + sent.MessageID + ">\r\nReferences: <" + customerID + "> <" + sent.MessageID + ">\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nGreat, thanks!\r\n\r\nOn Thu, Ann wrote:\r\n> it left our warehouse\r\n"
	imapSrv.Append("INBOX", []byte(answer))
	waitFor(t, "the answer in the conversation", func() bool { return len(ann.messages(conv.ID)) == 3 })
	if all := ann.view("all"); len(all) != 1 {
		t.Errorf("%d conversations, want the one", len(all))
	}

	// $dispatch mails the transcript to a colleague at once; $send mails it
	// to the customer when the conversation is resolved.
	ann.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"text": "$dispatch lead@larkspur.example.com"}, http.StatusOK, nil)
	dispatched := smtpSrv.Wait(2, 20*time.Second)[1]
	if dispatched.To[0] != "lead@larkspur.example.com" || !strings.Contains(string(dispatched.Data), "Great, thanks!") {
		t.Errorf("dispatched transcript to %v:\n%s", dispatched.To, dispatched.Data)
	}
	ann.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"text": "$send"}, http.StatusOK, nil)
	if n := len(smtpSrv.Delivered()); n != 2 {
		t.Fatalf("%d mails before the conversation ended, want 2", n)
	}
	ann.do("POST", "/api/v1/conversations/"+conv.ID+"/status", map[string]any{"status": "resolved"}, http.StatusOK, nil)
	transcript := smtpSrv.Wait(3, 20*time.Second)[2]
	tm, err := email.Parse(transcript.Data)
	if err != nil {
		t.Fatal(err)
	}
	if transcript.To[0] != "dana.whitfield@example.org" || !strings.Contains(tm.Text, "it left our warehouse this morning.") || tm.AutoSubmitted != "auto-generated" {
		t.Errorf("transcript to %v (auto-submitted %q):\n%s", transcript.To, tm.AutoSubmitted, tm.Text)
	}
}

func TestConfig_email_channel_keys_are_decoded_strictly(t *testing.T) {
	base := emailYAML("127.0.0.1:143", "127.0.0.1:25")
	tests := []struct {
		name, from, to, want string
	}{
		{"valid", "", "", ""},
		{"misspelt imap key", "      mailbox: INBOX\n", "      mailbx: INBOX\n", "imap.mailbx"},
		{"remote server without TLS", `addr: "127.0.0.1:143"`, `addr: "imap.example.com:143"`, "tls: none is allowed only for loopback"},
		{"duration without unit", "poll_interval: 200ms", "poll_interval: 200", "poll_interval"},
		{"idle switched off", "      mailbox: INBOX\n", "      mailbox: INBOX\n      idle: false\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(base, tt.from, tt.to, 1)
			y = strings.ReplaceAll(y, "%DATA%", t.TempDir())
			file := filepath.Join(t.TempDir(), "switchboard.yaml")
			if err := os.WriteFile(file, []byte(y), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(file, nil)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("loadConfig: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("loadConfig = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
