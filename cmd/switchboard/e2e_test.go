package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func hubYAML(outbound, events string) string {
	y := `listen: 127.0.0.1:0
data_dir: %DATA%
channels:
  - name: crm
    type: webhook
    secret: ` + testSecret + `
    url: ` + outbound + `
  - name: photos
    type: webhook
    secret: ` + testSecret + `
    url: ` + outbound + `
    capabilities: {attachments: [image/png, image/jpeg]}
`
	if events != "" {
		y += `events:
  - url: ` + events + `
    secret: ` + testSecret + `
    types: ["*"]
`
	}
	return y
}

type apiConversation struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Labels   []string `json:"labels"`
	Assignee string   `json:"assignee"`
}

func (c *apiClient) view(view string) []apiConversation {
	c.t.Helper()
	var out struct{ Conversations []apiConversation }
	c.do("GET", "/api/v1/conversations?view="+view, nil, http.StatusOK, &out)
	return out.Conversations
}

func TestEndToEnd_signed_message_in_routed_reply_out_events_signed(t *testing.T) {
	out := newReceiver(t, testSecret)
	outSrv := httptest.NewServer(out)
	defer outSrv.Close()
	events := newReceiver(t, testSecret)
	evSrv := httptest.NewServer(events)
	defer evSrv.Close()
	h := startHub(t, hubYAML(outSrv.URL, evSrv.URL))
	ann := h.operator("ann@example.com", core.RoleOperator)

	// Nobody online: the conversation waits, NEW, in Unassigned.
	first := h.send("crm", "ext-1", "alice", "Hello, is anyone there?", http.StatusAccepted)
	unassigned := ann.view("unassigned")
	if len(unassigned) != 1 || unassigned[0].ID != first.ConversationID || unassigned[0].Status != "new" {
		t.Fatalf("unassigned view = %+v, want the new conversation %s", unassigned, first.ConversationID)
	}

	// Ann goes online: the next new conversation is hers, LIVE.
	ann.do("PUT", "/api/v1/me/presence", map[string]string{"status": "online"}, http.StatusOK, nil)
	second := h.send("crm", "ext-2", "bob", "I need help with my order", http.StatusAccepted)
	var conv apiConversation
	ann.do("GET", "/api/v1/conversations/"+second.ConversationID, nil, http.StatusOK, &conv)
	if conv.Assignee != ann.op.ID || len(conv.Labels) != 1 || conv.Labels[0] != core.LabelLive {
		t.Fatalf("second conversation = %+v, want assigned to ann and LIVE", conv)
	}

	// Ann replies; the external system receives a signed POST.
	var reply apiMessage
	ann.do("POST", "/api/v1/conversations/"+second.ConversationID+"/messages", map[string]any{"text": "Happy to help!"}, http.StatusCreated, &reply)
	waitFor(t, "the outbound POST", func() bool { return len(out.received()) == 1 })
	var posted struct {
		Text    string `json:"text"`
		Contact struct {
			ID string `json:"id"`
		} `json:"contact"`
	}
	if err := json.Unmarshal(out.received()[0], &posted); err != nil || posted.Text != "Happy to help!" || posted.Contact.ID != "bob" {
		t.Fatalf("outbound body = %s (%v)", out.received()[0], err)
	}
	waitFor(t, "the reply to show as sent", func() bool {
		for _, m := range ann.messages(second.ConversationID) {
			if m.ID == reply.ID {
				return m.Status == "sent"
			}
		}
		return false
	})

	// Event subscribers got each kind of event, signed (the receiver
	// checks every signature).
	want := map[string]bool{"message.created": false, "conversation.created": false, "conversation.assigned": false, "message.status_changed": false}
	waitFor(t, "signed events", func() bool {
		for _, b := range events.received() {
			var ev struct{ Type string }
			_ = json.Unmarshal(b, &ev)
			if _, ok := want[ev.Type]; ok {
				want[ev.Type] = true
			}
		}
		for _, seen := range want {
			if !seen {
				return false
			}
		}
		return true
	})
}

func TestInbound_same_provider_id_twice_and_from_20_goroutines_is_one_message(t *testing.T) {
	h := startHub(t, hubYAML("http://127.0.0.1:1/unused", ""))
	ann := h.operator("ann@example.com", core.RoleOperator)
	a := h.send("crm", "dup-1", "carol", "once", http.StatusAccepted)
	b := h.send("crm", "dup-1", "carol", "once", http.StatusOK)
	if a != b {
		t.Fatalf("second delivery answered %+v, want the first ids %+v", b, a)
	}

	var wg sync.WaitGroup
	receipts := make(chan inboundMessage, 20)
	body, _ := json.Marshal(map[string]any{"id": "dup-2", "contact": map[string]string{"id": "dave"}, "text": "racing"})
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, b := signedPost(t, h.base+"/api/v1/channels/crm/messages", testSecret, body)
			if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
				t.Errorf("status %d: %s", resp.StatusCode, b)
			}
			var r inboundMessage
			_ = json.Unmarshal(b, &r)
			receipts <- r
		}()
	}
	wg.Wait()
	close(receipts)
	var first inboundMessage
	for r := range receipts {
		if first.MessageID == "" {
			first = r
		}
		if r != first {
			t.Fatalf("receipts differ: %+v vs %+v", r, first)
		}
	}
	if msgs := ann.messages(first.ConversationID); len(msgs) != 1 {
		t.Fatalf("conversation holds %d messages, want 1", len(msgs))
	}
}

// assignedConversation starts a conversation from contact and assigns it to c.
func assignedConversation(h *hubUnderTest, c *apiClient, channel, contact string) string {
	r := h.send(channel, "start-"+contact, contact, "hi", http.StatusAccepted)
	c.do("POST", "/api/v1/conversations/"+r.ConversationID+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)
	return r.ConversationID
}

func TestOutbound_retries_5xx_until_delivered_once_and_fails_on_4xx(t *testing.T) {
	out := newReceiver(t, testSecret, 500, 500, 500, 200, 400)
	srv := httptest.NewServer(out)
	defer srv.Close()
	h := startHub(t, hubYAML(srv.URL, ""))
	ann := h.operator("ann@example.com", core.RoleOperator)
	conv := assignedConversation(h, ann, "crm", "erin")

	var m apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "retry me"}, http.StatusCreated, &m)
	waitFor(t, "delivery after three 500s", func() bool {
		for _, got := range ann.messages(conv) {
			if got.ID == m.ID && got.Status == "sent" {
				if got.Attempts != 4 {
					t.Fatalf("attempts = %d, want 4", got.Attempts)
				}
				return true
			}
		}
		return false
	})
	if n := len(out.received()); n != 1 {
		t.Fatalf("receiver accepted %d deliveries, want 1", n)
	}

	var refused apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "refuse me"}, http.StatusCreated, &refused)
	waitFor(t, "the 400 to fail the message", func() bool {
		for _, got := range ann.messages(conv) {
			if got.ID == refused.ID && got.Status == "failed" {
				if got.Error == "" {
					t.Fatal("failed message carries no reason")
				}
				return true
			}
			if got.ID == refused.ID && got.Status == "sent" {
				t.Fatal("a refused message shows as sent")
			}
		}
		return false
	})
}

func TestUpload_refused_by_channel_capabilities_answers_422_and_queues_nothing(t *testing.T) {
	out := newReceiver(t, testSecret)
	srv := httptest.NewServer(out)
	defer srv.Close()
	h := startHub(t, hubYAML(srv.URL, ""))
	ann := h.operator("ann@example.com", core.RoleOperator)
	conv := assignedConversation(h, ann, "photos", "frank")
	before := len(ann.messages(conv))

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("text", "listen to this")
	fw, _ := mw.CreateFormFile("file", "note.mp3")
	_, _ = fw.Write(append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x00}, 200)...))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", h.base+"/api/v1/conversations/"+conv+"/messages", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+ann.token)
	var refusal struct {
		Error struct{ Code, Message string }
	}
	ann.roundTrip(req, http.StatusUnprocessableEntity, &refusal)
	if want := "channel photos accepts only image/png, image/jpeg; this file is audio/mpeg"; refusal.Error.Message != want {
		t.Fatalf("refusal = %+v, want message %q", refusal.Error, want)
	}
	if after := len(ann.messages(conv)); after != before {
		t.Fatalf("messages went from %d to %d", before, after)
	}
	if n := out.callCount(); n != 0 {
		t.Fatalf("receiver was called %d times", n)
	}
}

func TestRights_second_operator_cannot_reply_but_can_note_and_anonymous_gets_401(t *testing.T) {
	h := startHub(t, hubYAML("http://127.0.0.1:1/unused", ""))
	ann := h.operator("ann@example.com", core.RoleOperator)
	ben := h.operator("ben@example.com", core.RoleOperator)
	conv := assignedConversation(h, ann, "crm", "gina")

	ben.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "let me"}, http.StatusForbidden, nil)
	var note apiMessage
	ben.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "VIP customer", "note": true}, http.StatusCreated, &note)
	if !note.Note {
		t.Fatalf("note = %+v, want a note", note)
	}
	anonymous := &apiClient{t: t, base: h.base}
	for _, path := range []string{"/api/v1/conversations?view=all", "/api/v1/conversations/" + conv, "/api/v1/contacts"} {
		anonymous.do("GET", path, nil, http.StatusUnauthorized, nil)
	}
	anonymous.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "x"}, http.StatusUnauthorized, nil)
}

func TestConfigCheck_names_an_unknown_key_and_exits_1(t *testing.T) {
	file := t.TempDir() + "/bad.yaml"
	writeFile(t, file, "listen: 127.0.0.1:8080\nlisten_adress: oops\n")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"config", "check", file}, &stdout, &stderr, nil)
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (stdout %q stderr %q)", code, stdout.String(), stderr.String())
	}
	if !bytes.Contains(stdout.Bytes(), []byte("listen_adress")) {
		t.Fatalf("output does not name the key: %q", stdout.String())
	}
	good := t.TempDir() + "/good.yaml"
	writeFile(t, good, fmt.Sprintf("channels:\n  - name: crm\n    type: webhook\n    secret: %s\n", testSecret))
	stdout.Reset()
	if code := run(t.Context(), []string{"config", "check", good}, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("good file: exit %d: %s", code, stdout.String())
	}
}

func TestHealthz_answers_ok_without_a_session(t *testing.T) {
	h := startHub(t, hubYAML("http://127.0.0.1:1/unused", ""))
	anonymous := &apiClient{t: t, base: h.base}
	var out struct{ Status string }
	anonymous.do("GET", "/healthz", nil, http.StatusOK, &out)
	if out.Status != "ok" {
		t.Fatalf("status = %q, want ok", out.Status)
	}
}
