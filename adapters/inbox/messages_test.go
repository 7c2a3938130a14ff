package inbox_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
	"github.com/switchboard-hq/switchboard/core"
)

// Sample files whose types the blob store sniffs from the first bytes.
var (
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 2048)...)
	mp3Bytes = append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{9}, 2048)...)
)

func TestReply_by_the_assignee_is_created_and_delivered_through_the_channel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	e.outbox() // skip what happened so far

	var m message
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.anna.Token,
		map[string]any{"text": "Your card 4111 1111 1111 1111 is refunded", "idempotency_key": "reply-1"}).
		want(http.StatusCreated).decode(&m)
	if m.Direction != "out" || m.Status != "pending" || m.Author != e.anna.ID || m.Text != "Your card **** **** **** 1111 is refunded" {
		t.Fatalf("reply got = %+v, want out, pending, by anna, card masked", m)
	}

	var again message
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.anna.Token,
		map[string]any{"text": "Your card 4111 1111 1111 1111 is refunded", "idempotency_key": "reply-1"}).
		want(http.StatusCreated).decode(&again)
	if again.ID != m.ID {
		t.Errorf("retried post got = %s, want the first message %s", again.ID, m.ID)
	}

	e.relay()
	sent := e.channel.Sent()
	if len(sent) != 1 || sent[0].MessageID != m.ID || sent[0].To.ID != "carla" {
		t.Fatalf("channel sends got = %+v, want one send of %s to carla", sent, m.ID)
	}
	msgs := e.messages(e.anna.Token, conv)
	if last := msgs[len(msgs)-1]; last.ID != m.ID || last.Status != "sent" {
		t.Errorf("transcript's last message got = %+v, want %s sent", last, m.ID)
	}
}

func TestReply_by_a_non_assignee_is_forbidden_with_the_reason(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	e.outbox()
	msg := e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.ben.Token, map[string]any{"text": "I can help"}).
		wantError(http.StatusForbidden, "forbidden")
	if msg != "only the assigned operator can reply in this conversation; add a note instead" {
		t.Errorf("message got = %q", msg)
	}
	if recs := e.outbox(); len(recs) != 0 {
		t.Errorf("outbox after a refusal got %d records, want none", len(recs))
	}
}

func TestNote_by_a_non_assignee_is_created_and_not_sent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	var m message
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.ben.Token, map[string]any{"text": "Carla is a VIP", "note": true}).
		want(http.StatusCreated).decode(&m)
	if !m.Note || m.Author != e.ben.ID || m.Status != "" {
		t.Errorf("note got = %+v, want a note by ben without delivery status", m)
	}
	e.relay()
	if sent := e.channel.Sent(); len(sent) != 0 {
		t.Errorf("channel sends got = %+v, want none for a note", sent)
	}

	e.do(http.MethodPatch, "/api/v1/messages/"+m.ID, e.anna.Token, map[string]any{"text": "edited"}).
		wantError(http.StatusForbidden, "forbidden")
	var edited message
	e.do(http.MethodPatch, "/api/v1/messages/"+m.ID, e.ben.Token, map[string]any{"text": "Carla is a VIP customer"}).
		want(http.StatusOK).decode(&edited)
	if edited.Text != "Carla is a VIP customer" {
		t.Errorf("edited note got = %q", edited.Text)
	}
	e.do(http.MethodDelete, "/api/v1/messages/"+m.ID, e.ben.Token, nil).want(http.StatusNoContent)
}

// upload posts a multipart message with the given files (name -> bytes).
func (e *env) upload(token, conv string, fields map[string]string, files map[string][]byte) *response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for name, b := range files {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(b)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/conversations/"+conv+"/messages", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req)
}

func TestUpload_of_an_image_is_accepted_and_served_back(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	var m message
	e.upload(e.anna.Token, conv, map[string]string{"text": "Here is the receipt"}, map[string][]byte{"receipt.png": pngBytes}).
		want(http.StatusCreated).decode(&m)
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments got = %+v, want one", m.Attachments)
	}
	a := m.Attachments[0]
	if a.Filename != "receipt.png" || a.ContentType != "image/png" || a.Size != int64(len(pngBytes)) || a.URL == "" {
		t.Errorf("attachment got = %+v, want receipt.png, image/png, %d bytes, a url", a, len(pngBytes))
	}

	e.do(http.MethodGet, a.URL, "", nil).wantError(http.StatusUnauthorized, "unauthenticated")
	res := e.do(http.MethodGet, a.URL, e.ben.Token, nil).want(http.StatusOK)
	if !bytes.Equal(res.body, pngBytes) {
		t.Errorf("downloaded %d bytes, want the %d uploaded", len(res.body), len(pngBytes))
	}
	for h, want := range map[string]string{
		"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Content-Disposition": `inline; filename=receipt.png`,
	} {
		if got := res.header.Get(h); got != want {
			t.Errorf("%s got = %q, want %q", h, got, want)
		}
	}
}

func TestUpload_refused_by_the_channel_answers_422_and_leaves_nothing_behind(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	before := len(e.messages(e.anna.Token, conv))
	blobsBefore := e.blobFiles()
	e.outbox()

	msg := e.upload(e.anna.Token, conv, map[string]string{"text": "Listen to this", "voice": "true"},
		map[string][]byte{"memo.mp3": mp3Bytes}).wantError(http.StatusUnprocessableEntity, "capability")
	if msg != "CRM accepts only PNG and JPEG images; this file is audio/mpeg" {
		t.Errorf("message got = %q, want the channel's reason", msg)
	}
	if got := len(e.messages(e.anna.Token, conv)); got != before {
		t.Errorf("messages after the refusal got = %d, want %d", got, before)
	}
	if recs := e.outbox(); len(recs) != 0 {
		t.Errorf("outbox after the refusal got %d records, want none", len(recs))
	}
	if got := e.blobFiles(); got != blobsBefore {
		t.Errorf("blob files after the refusal got = %d, want %d: the upload must be removed", got, blobsBefore)
	}

	// The same file as a note is kept: notes never reach the channel.
	e.upload(e.anna.Token, conv, map[string]string{"note": "true"}, map[string][]byte{"memo.mp3": mp3Bytes}).
		want(http.StatusCreated)
}

func TestUpload_over_the_channels_size_limit_is_413(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	big := append(append([]byte(nil), pngBytes...), make([]byte, 1<<20)...)
	msg := e.upload(e.anna.Token, conv, nil, map[string][]byte{"huge.png": big}).wantError(http.StatusRequestEntityTooLarge, "too_large")
	if !strings.Contains(msg, "huge.png") || !strings.Contains(msg, "1 MiB") {
		t.Errorf("message got = %q, want the file name and the limit", msg)
	}
	if got := e.blobFiles(); got != 0 {
		t.Errorf("blob files got = %d, want none", got)
	}
}

func TestCommands_run_from_the_composer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	post := func(text string) *response {
		return e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.anna.Token, map[string]any{"text": text})
	}
	var res struct {
		Command      string
		Conversation *conversation
	}
	post("$topic billing").want(http.StatusOK).decode(&res)
	if res.Command != "$topic billing" || res.Conversation == nil || res.Conversation.Topic != "billing" {
		t.Errorf("$topic billing got = %+v, want the topic set", res)
	}
	post("$status waiting").want(http.StatusOK).decode(&res)
	if res.Conversation == nil || res.Conversation.Status != "waiting" {
		t.Errorf("$status waiting got = %+v, want waiting", res)
	}

	msg := post("$rating").wantError(http.StatusUnprocessableEntity, "capability")
	if !strings.Contains(msg, "CRM has no live sessions") {
		t.Errorf("$rating message got = %q, want the channel's reason", msg)
	}
	msg = post("$frobnicate").wantError(http.StatusBadRequest, "invalid")
	if !strings.Contains(msg, `unknown command "$frobnicate"`) {
		t.Errorf("unknown command message got = %q", msg)
	}
	post("$5 refund is on its way").want(http.StatusCreated) // money, not a command

	e.do(http.MethodPost, "/api/v1/macros", e.anna.Token, map[string]any{"name": "thanks", "text": "Thank you for writing!"}).
		want(http.StatusCreated)
	var mres struct{ Message *message }
	post("!thanks").want(http.StatusOK).decode(&mres)
	if mres.Message == nil || mres.Message.Text != "Thank you for writing!" {
		t.Errorf("!thanks got = %+v, want the macro text sent", mres)
	}
}

func TestRetry_requeues_a_failed_message(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("carla", e.anna)
	var m message
	e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.anna.Token, map[string]any{"text": "hello"}).
		want(http.StatusCreated).decode(&m)
	e.do(http.MethodPost, "/api/v1/messages/"+m.ID+"/retry", e.anna.Token, nil).wantError(http.StatusConflict, "conflict")

	if err := e.hub.Poison(context.Background(), core.Poisoned{Topic: core.OutboundTopic("crm"), Key: conv,
		Handler: "deliver", Reason: "provider down", Payload: []byte(`{"message_id":"` + m.ID + `"}`)}); err != nil {
		t.Fatalf("poison: %v", err)
	}
	var poisoned struct {
		Poisoned []struct {
			ID        string `json:"id"`
			MessageID string `json:"message_id"`
		}
	}
	e.do(http.MethodGet, "/api/v1/poisoned", e.ben.Token, nil).want(http.StatusOK).decode(&poisoned)
	if len(poisoned.Poisoned) != 1 {
		t.Fatalf("poisoned got = %+v, want one", poisoned)
	}
	e.do(http.MethodPost, "/api/v1/messages/"+m.ID+"/retry", e.ben.Token, nil).wantError(http.StatusForbidden, "forbidden")
	var retried message
	e.do(http.MethodPost, "/api/v1/messages/"+m.ID+"/retry", e.anna.Token, nil).want(http.StatusOK).decode(&retried)
	if retried.Status != "pending" {
		t.Errorf("retried status got = %q, want pending", retried.Status)
	}
}

func TestDelete_of_a_sent_message_removes_it_for_the_contact_and_keeps_it_for_operators(t *testing.T) {
	e := newEnv(t, inbox.Config{})
	conv := e.assigned("dora", e.anna)
	res := e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.anna.Token, map[string]any{"text": "wrong customer, sorry"})
	res.want(http.StatusCreated)
	var sent struct{ ID string }
	res.decode(&sent)
	e.relay() // delivered: now it can be deleted for the contact

	e.do(http.MethodDelete, "/api/v1/messages/"+sent.ID, e.ben.Token, nil).want(http.StatusForbidden)
	res = e.do(http.MethodDelete, "/api/v1/messages/"+sent.ID, e.anna.Token, nil)
	res.want(http.StatusOK)
	var deleted struct {
		Text      string  `json:"text"`
		DeletedAt *string `json:"deleted_at"`
	}
	res.decode(&deleted)
	if deleted.DeletedAt == nil || deleted.Text != "wrong customer, sorry" {
		t.Fatalf("deleted message = %+v, want it marked deleted with its text kept", deleted)
	}
	e.channel.mu.Lock()
	got := append([]string(nil), e.channel.deleted...)
	e.channel.mu.Unlock()
	if len(got) != 1 || got[0] != sent.ID {
		t.Fatalf("channel deleted %v, want [%s]", got, sent.ID)
	}

	res = e.do(http.MethodPost, "/api/v1/conversations/"+conv+"/messages", e.ben.Token, map[string]any{"text": "note", "note": true})
	res.want(http.StatusCreated)
	var note struct{ ID string }
	res.decode(&note)
	e.do(http.MethodDelete, "/api/v1/messages/"+note.ID, e.ben.Token, nil).want(http.StatusNoContent)
}
