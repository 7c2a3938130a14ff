package email

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-hq/switchboard/adapters/email/emailtest"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/channeltest"
)

// customerMail is a first mail from a customer.
func customerMail(id, from, subject, body string) []byte {
	return []byte("From: Dana Whitfield <" + from + ">\r\nTo: support@larkspur.example.com\r\n" +
		"Subject: " + subject + "\r\nMessage-ID: <" + id + ">\r\nDate: Thu, 13 Mar 2025 10:14:02 +0100\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

// replyMail answers the mail parent, sent to rcpt.
func replyMail(id, from, rcpt, subject string, parent string, refs []string, body string) []byte {
	return []byte("From: Dana Whitfield <" + from + ">\r\nTo: " + rcpt + "\r\n" +
		"Subject: " + subject + "\r\nMessage-ID: <" + id + ">\r\nIn-Reply-To: <" + parent + ">\r\n" +
		"References: <" + strings.Join(refs, "> <") + ">\r\nDate: Thu, 13 Mar 2025 12:27:39 +0100\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func TestConversation_customer_mail_operator_reply_and_customer_answer_share_one_thread(t *testing.T) {
	e := newEnv(t, nil)
	e.imap.Append("INBOX", customerMail("first@mail.example.org", "dana@example.org", "Order 58213", "Where is my backpack?"))
	e.start()
	first := e.waitOutcomes(1)[0]
	if first.Result != ResultMessage {
		t.Fatalf("first mail: %s (%s)", first.Result, first.Reason)
	}
	conv := first.Receipt.ConversationID

	op := e.operator(conv)
	sent := e.reply(op, conv, "It left our warehouse this morning.\n\nSam")
	if sent.Status != core.DeliverySent {
		t.Fatalf("reply status = %s (%s), want sent", sent.Status, sent.Error)
	}
	got := e.smtp.Wait(1, 5*time.Second)[0]
	mail, err := Parse(got.Data)
	if err != nil {
		t.Fatalf("the sent mail does not parse: %v", err)
	}
	wantID := sent.ID + "@" + hubDomain
	checks := []struct{ what, got, want string }{
		{"provider message id", sent.ProviderMessageID, wantID},
		{"Message-ID", mail.MessageID, wantID},
		{"In-Reply-To", mail.InReplyTo, "first@mail.example.org"},
		{"References", strings.Join(mail.References, " "), "first@mail.example.org"},
		{"Subject", mail.Subject, "Re: Order 58213"},
		{"To", addressesOf(mail.To), "dana@example.org"},
		{"envelope to", strings.Join(got.To, " "), "dana@example.org"},
		{"envelope from", got.From, "support@larkspur.example.com"},
		{"text", mail.Text, "It left our warehouse this morning.\n\nSam"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	replyTo := headerValue(got.Data, "Reply-To")
	tok := replyToken(strings.Trim(replyTo, "<>"), replyDomain)
	if tok == "" {
		t.Fatalf("Reply-To = %q, want reply+TOKEN@%s", replyTo, replyDomain)
	}
	if !strings.Contains(mail.HTML, "It left our warehouse this morning.") {
		t.Errorf("HTML alternative = %q", mail.HTML)
	}

	// The customer answers by References (the hub's id) ...
	e.imap.Append("INBOX", replyMail("second@mail.example.org", "dana@example.org", "support@larkspur.example.com",
		"Re: Order 58213", wantID, []string{"first@mail.example.org", wantID}, "Thanks!"))
	// ... and once more from a client that dropped the headers, to the
	// reply address only.
	e.imap.Append("INBOX", []byte("From: dana@example.org\r\nTo: "+strings.Trim(replyTo, "<>")+
		"\r\nSubject: something else\r\nMessage-ID: <third@mail.example.org>\r\n\r\nOne more thing\r\n"))
	outs := e.waitOutcomes(3)
	for _, o := range outs[1:] {
		if o.Receipt.ConversationID != conv {
			t.Errorf("%s went to conversation %s, want %s", o.Inbound.ProviderMessageID, o.Receipt.ConversationID, conv)
		}
	}
	if outs[1].Thread.HubMessageID != wantID {
		t.Errorf("hub message id of the answer = %q, want %q", outs[1].Thread.HubMessageID, wantID)
	}

	// A second reply threads after both customer mails.
	e.reply(op, conv, "You are welcome.")
	second, err := Parse(e.smtp.Wait(2, 5*time.Second)[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	if second.InReplyTo != "third@mail.example.org" {
		t.Errorf("second reply In-Reply-To = %q, want the customer's latest mail", second.InReplyTo)
	}
	if want := "first@mail.example.org " + wantID + " second@mail.example.org third@mail.example.org"; strings.Join(second.References, " ") != want {
		t.Errorf("second reply References = %q, want %q", strings.Join(second.References, " "), want)
	}
}

func TestInbound_reply_token_names_the_conversation_without_threading_headers(t *testing.T) {
	e := newEnv(t, nil)
	e.imap.Append("INBOX", customerMail("a@mail.example.org", "dana@example.org", "Order 1", "Hello"))
	e.start()
	conv := e.waitOutcomes(1)[0].Receipt.ConversationID
	op := e.operator(conv)
	e.reply(op, conv, "Hello Dana")
	replyTo := strings.Trim(headerValue(e.smtp.Wait(1, 5*time.Second)[0].Data, "Reply-To"), "<>")

	// A new subject and no References: only the address ties it to conv.
	e.imap.Append("INBOX", []byte("From: dana@example.org\r\nTo: "+replyTo+"\r\nSubject: hi\r\nMessage-ID: <b@mail.example.org>\r\n\r\nAbout order 1\r\n"))
	// The same without the reply address names no conversation.
	e.imap.Append("INBOX", customerMail("c@mail.example.org", "dana@example.org", "hi again", "Something else"))
	outs := e.waitOutcomes(3)
	if got := outs[1].Inbound.ConversationID; got != conv {
		t.Errorf("mail to %s named conversation %q, want %q", replyTo, got, conv)
	}
	if got := outs[2].Inbound.ConversationID; got != "" {
		t.Errorf("mail to the plain address named conversation %q, want none", got)
	}
	// A token that was never handed out names nothing either.
	e.imap.Append("INBOX", []byte("From: dana@example.org\r\nTo: reply+aaaaaaaaaaaaaaaa@"+replyDomain+"\r\nSubject: hi\r\nMessage-ID: <d@mail.example.org>\r\n\r\nguess\r\n"))
	if got := e.waitOutcomes(4)[3].Inbound.ConversationID; got != "" {
		t.Errorf("mail to an unknown token named conversation %q, want none", got)
	}
}

func TestInbound_new_threads_open_conversations_and_automatic_mail_stays_out_of_them(t *testing.T) {
	e := newEnv(t, nil)
	e.imap.Append("INBOX", customerMail("a@mail.example.org", "dana@example.org", "Order 1", "Where is order 1?"))
	e.imap.Append("INBOX", customerMail("b@mail.example.org", "dana@example.org", "Invoice", "Please send the invoice."))
	auto := strings.Replace(string(customerMail("c@mail.example.org", "dana@example.org", "Out of office", "Back Monday.")),
		"Subject:", "Auto-Submitted: auto-replied\r\nSubject:", 1)
	e.imap.Append("INBOX", []byte(auto))
	e.imap.Append("INBOX", []byte(strings.Replace(auto, "c@mail", "d@mail", 1)))
	e.start()
	outs := e.waitOutcomes(4)
	first, second, ooo, ooo2 := outs[0].Receipt.ConversationID, outs[1].Receipt.ConversationID, outs[2].Receipt.ConversationID, outs[3].Receipt.ConversationID
	if first == second {
		t.Error("a second mail thread joined the first conversation")
	}
	if ooo == first || ooo == second || outs[2].Result != ResultFiltered {
		t.Errorf("the auto-reply went to %s (%s), want a filtered conversation of its own", ooo, outs[2].Result)
	}
	if ooo2 != ooo {
		t.Errorf("a second auto-reply went to %s, want the filtered conversation %s", ooo2, ooo)
	}
	c, err := e.store.Conversation(context.Background(), second)
	if err != nil || c.Status != core.StatusNew {
		t.Errorf("the customer's conversation = %+v (%v): an auto-reply must not touch it", c, err)
	}
}

func TestSend_refusals_5xx_are_permanent_4xx_and_outages_are_retried(t *testing.T) {
	e := newEnv(t, nil)
	out := core.Outbound{MessageID: "msg_1", ConversationID: "cnv_1", Channel: channelName, To: core.ContactRef{ID: "dana@example.org"}, Text: "hi"}
	e.smtp.Fail(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"})
	if _, err := e.ad.Send(context.Background(), out); !core.IsPermanent(err) || !strings.Contains(err.Error(), "No such user") {
		t.Errorf("550: err = %v, want permanent with the server's reason", err)
	}
	e.smtp.Fail(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try later"})
	if _, err := e.ad.Send(context.Background(), out); err == nil || core.IsPermanent(err) {
		t.Errorf("451: err = %v, want a temporary error", err)
	}
	if _, err := e.ad.Send(context.Background(), out); err != nil {
		t.Errorf("retry after 451: %v", err)
	}
	down := testConfig(e.imap.Addr(), "127.0.0.1:1") // nothing listens there
	ad, err := New(channelName, down, Deps{Receiver: &lateReceiver{}, Blobs: e.blobs, State: core.StoreState(e.store, channelName)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ad.Send(context.Background(), out); err == nil || core.IsPermanent(err) {
		t.Errorf("server down: err = %v, want a temporary error", err)
	}
	out.To = core.ContactRef{ID: "+15550100"}
	if _, err := e.ad.Send(context.Background(), out); !core.IsPermanent(err) {
		t.Errorf("contact without address: err = %v, want permanent", err)
	}
}

func TestSend_secures_and_authenticates_as_configured(t *testing.T) {
	serverTLS, clientTLS := emailtest.TLS(t)
	tests := []struct {
		name string
		tls  string
		auth string
		opts []emailtest.SMTPOption
	}{
		{"starttls with plain", TLSStart, "", []emailtest.SMTPOption{emailtest.OfferSTARTTLS(serverTLS), emailtest.RequireAuth("support", "s3cret")}},
		{"implicit tls with login", TLSImplicit, "login", []emailtest.SMTPOption{emailtest.ImplicitTLS(serverTLS), emailtest.RequireAuth("support", "s3cret")}},
		{"loopback with xoauth2", TLSNone, AuthXOAUTH2, []emailtest.SMTPOption{emailtest.RequireAuth("support", "ya29.token")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := emailtest.NewSMTPServer(t, tt.opts...)
			cfg := testConfig("127.0.0.1:1", srv.Addr())
			cfg.SMTP.TLS, cfg.SMTP.Auth, cfg.SMTP.Username = tt.tls, tt.auth, "support"
			if tt.auth == AuthXOAUTH2 {
				cfg.SMTP.Token = "ya29.token"
			} else {
				cfg.SMTP.Password = "s3cret"
			}
			ad, err := New(channelName, cfg, Deps{Receiver: &lateReceiver{}, Blobs: tempBlobs(t), State: newMemState(), TLSConfig: clientTLS})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ad.Send(context.Background(), core.Outbound{MessageID: "msg_1", To: core.ContactRef{ID: "dana@example.org"}, Text: "hi"}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if d := srv.Delivered(); len(d) != 1 || d[0].Auth != "support" {
				t.Errorf("delivered = %+v, want one mail from the authenticated user", d)
			}
		})
	}
	t.Run("starttls refused by the server is not sent in clear", func(t *testing.T) {
		srv := emailtest.NewSMTPServer(t) // offers no STARTTLS
		cfg := testConfig("127.0.0.1:1", srv.Addr())
		cfg.SMTP.TLS = TLSStart
		ad, err := New(channelName, cfg, Deps{Receiver: &lateReceiver{}, Blobs: tempBlobs(t), State: newMemState()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ad.Send(context.Background(), core.Outbound{MessageID: "msg_1", To: core.ContactRef{ID: "dana@example.org"}, Text: "hi"}); err == nil {
			t.Fatal("Send succeeded without STARTTLS")
		}
		if n := len(srv.Delivered()); n != 0 {
			t.Errorf("%d mails delivered in clear", n)
		}
	})
}

func TestSend_attaches_files_from_the_blob_store(t *testing.T) {
	e := newEnv(t, nil)
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	blob, err := e.blobs.Put(context.Background(), bytes.NewReader(pdf), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	out := core.Outbound{MessageID: "msg_1", ConversationID: "cnv_1", To: core.ContactRef{ID: "dana@example.org", Name: "Dana"},
		Text: "Your invoice", Attachments: []core.Attachment{{Filename: "Rechnung März.pdf", MIMEType: blob.MIMEType, Size: blob.Size, Blob: blob.Ref}}}
	if _, err := e.ad.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	m, err := Parse(e.smtp.Wait(1, 5*time.Second)[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "Rechnung März.pdf" || !bytes.Equal(m.Attachments[0].Data, pdf) {
		t.Fatalf("attachments = %+v, want the PDF under its name", m.Attachments)
	}
	if m.Text != "Your invoice" || m.Subject != DefaultSubject {
		t.Errorf("text %q, subject %q", m.Text, m.Subject)
	}
	out.Attachments[0].Blob = "sha256:" + strings.Repeat("0", 64)
	if _, err := e.ad.Send(context.Background(), out); !core.IsPermanent(err) {
		t.Errorf("missing blob: err = %v, want permanent", err)
	}
}

func TestChannel_passes_the_adapter_conformance_suite(t *testing.T) {
	e := newEnv(t, nil)
	var n atomic.Int64
	samples := map[string][]byte{
		"image/png":       []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"image/jpeg":      []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
		"application/pdf": []byte("%PDF-1.4\n%%EOF\n"),
	}
	channeltest.Run(t, channeltest.Harness{
		Channel: e.ad,
		Outbound: func() core.Outbound {
			i := n.Add(1)
			return core.Outbound{MessageID: fmt.Sprintf("msg_%d", i), ConversationID: "cnv_1", Channel: channelName,
				To: core.ContactRef{ID: "dana@example.org"}, Text: "hello", IdempotencyKey: fmt.Sprintf("msg_%d", i)}
		},
		Delivered: func() int { return len(e.smtp.Delivered()) },
		Attachment: func(mimeType string, voice bool) (core.Attachment, bool) {
			data, ok := samples[mimeType]
			if !ok {
				return core.Attachment{}, false
			}
			b, err := e.blobs.Put(context.Background(), bytes.NewReader(data), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return core.Attachment{Filename: "file", MIMEType: mimeType, Size: b.Size, Blob: b.Ref, Voice: voice}, true
		},
	})
}

func addressesOf(list []Address) string { return strings.Join(addresses(list), " ") }

// headerValue returns the unfolded value of a header of a raw mail.
func headerValue(raw []byte, name string) string {
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	head = strings.ReplaceAll(head, "\r\n ", " ")
	for _, l := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
