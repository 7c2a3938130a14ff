package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/messenger"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/internal/fixturetest"
)

// The fixtures README's Messenger app secret, and made-up tokens.
const (
	fbSecret      = "5f1c9e27b8a04d3e96f2c1ab7d8e4a60"
	fbVerifyToken = "fb-verify-3Kd9"
	fbPageToken   = "EAAGfakePageToken"
	fbPSID        = "25531901234567001"
)

// fbGraph is the Graph API's Send API on loopback, in its wire format: it
// checks the page token, records request bodies, and answers the queued
// error answers first, then {"recipient_id", "message_id"}.
type fbGraph struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	answers []string // "status body"
	sent    int
}

func newFBGraph(t testing.TB) *fbGraph {
	g := &fbGraph{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.URL.Path != "/v21.0/me/messages" || r.URL.Query().Get("access_token") != fbPageToken {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"E2e"}}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.bodies = append(g.bodies, body)
		var answer string
		if len(g.answers) > 0 {
			answer, g.answers = g.answers[0], g.answers[1:]
		}
		if answer == "" {
			g.sent++
			answer = fmt.Sprintf(`200 {"recipient_id":"%s","message_id":"m_out_%d"}`, fbPSID, g.sent)
		}
		g.mu.Unlock()
		var status int
		fmt.Sscan(answer, &status)
		w.WriteHeader(status)
		io.WriteString(w, answer[strings.Index(answer, " ")+1:])
	}))
	return g
}

func (g *fbGraph) queue(answers ...string) {
	g.mu.Lock()
	g.answers = append(g.answers, answers...)
	g.mu.Unlock()
}

func (g *fbGraph) received() [][]byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([][]byte(nil), g.bodies...)
}

func messengerYAML(graphURL string) string {
	return `listen: 127.0.0.1:0
data_dir: %DATA%
channels:
  - name: messenger
    type: messenger
    app_secret: ` + fbSecret + `
    verify_token: ` + fbVerifyToken + `
    page_token: ` + fbPageToken + `
    graph_url: ` + graphURL + `
    max_body_bytes: 65536
    media_hosts: [127.0.0.1]
`
}

// fbPost posts a Messenger webhook body, signed as Meta signs it unless sig
// is given, and returns the status.
func fbPost(t *testing.T, url string, body []byte, sig ...string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(messenger.HeaderSignature, messenger.Sign(fbSecret, body))
	if len(sig) > 0 {
		req.Header.Set(messenger.HeaderSignature, sig[0])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// fbFixture returns the exact body and signature of a fixture request.
func fbFixture(t *testing.T, file string) ([]byte, string) {
	t.Helper()
	r := fixturetest.LoadRequest(t, "messenger", file)
	return []byte(r.Body), r.Headers["X-Hub-Signature-256"]
}

// fbEvent is a webhook body with one messaging event from fbPSID.
func fbEvent(event string) []byte {
	ts := time.Now().UnixMilli()
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"108432176609215","time":%d,"messaging":[`+
		`{"sender":{"id":"%s"},"recipient":{"id":"108432176609215"},"timestamp":%d,%s}]}]}`, ts, fbPSID, ts, event))
}

type fbMessage struct {
	apiMessage
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	} `json:"attachments"`
}

func (c *apiClient) fbMessages(conversationID string) []fbMessage {
	c.t.Helper()
	var out struct{ Messages []fbMessage }
	c.do("GET", "/api/v1/conversations/"+conversationID+"/messages", nil, http.StatusOK, &out)
	return out.Messages
}

// fbWaitStatus waits until message id shows status, failing on any other
// final status.
func fbWaitStatus(t *testing.T, c *apiClient, conv, id, status string) fbMessage {
	t.Helper()
	var found fbMessage
	waitFor(t, "message "+id+" to be "+status, func() bool {
		for _, m := range c.fbMessages(conv) {
			if m.ID == id {
				found = m
				return m.Status == status
			}
		}
		return false
	})
	return found
}

func TestMessengerEndToEnd_webhook_in_reply_out_receipts_retries_and_refusals(t *testing.T) {
	graph := newFBGraph(t)
	defer graph.Close()
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"), make([]byte, 200)...)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(jpeg) }))
	defer cdn.Close()
	h := startHub(t, messengerYAML(graph.URL))
	hook := h.base + "/webhooks/messenger"

	// Meta's verification handshake.
	resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=" + fbVerifyToken + "&hub.challenge=1158201444")
	if err != nil {
		t.Fatal(err)
	}
	challenge, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(challenge) != "1158201444" {
		t.Fatalf("handshake: %d %q, want 200 and the challenge", resp.StatusCode, challenge)
	}

	// The fixture text as Meta sent it, a forged copy, a redelivery, and a
	// photo fetched from the CDN into the blob store.
	body, sig := fbFixture(t, "01_text.json")
	if got := fbPost(t, hook, body, sig); got != http.StatusOK {
		t.Fatalf("fixture 01: status %d, want 200", got)
	}
	forged, forgedSig := fbFixture(t, "09_bad_signature.json")
	if got := fbPost(t, hook, forged, forgedSig); got != http.StatusForbidden {
		t.Fatalf("fixture 09: status %d, want 403", got)
	}
	if got := fbPost(t, hook, body, sig); got != http.StatusOK {
		t.Fatalf("redelivery: status %d, want 200", got)
	}
	photo := fbEvent(`"message":{"mid":"m_photo_1","attachments":[{"type":"image","payload":{"url":"` + cdn.URL + `/v/label.jpg?oh=1"}}]}`)
	if got := fbPost(t, hook, photo); got != http.StatusOK {
		t.Fatalf("photo: status %d, want 200", got)
	}

	ann := h.operator("ann@example.com", core.RoleOperator)
	convs := ann.view("unassigned")
	if len(convs) != 1 {
		t.Fatalf("unassigned = %+v, want one Messenger conversation", convs)
	}
	conv := convs[0].ID
	msgs := ann.fbMessages(conv)
	if len(msgs) != 2 || msgs[0].Text != "Hello! Do you ship to Canada?" || len(msgs[1].Attachments) != 1 ||
		msgs[1].Attachments[0].ContentType != "image/jpeg" || msgs[1].Attachments[0].Size != int64(len(jpeg)) ||
		msgs[1].Attachments[0].Filename != "label.jpg" {
		t.Fatalf("transcript = %+v, want the text once and the photo as label.jpg", msgs)
	}

	// Ann replies; the Send API gets it in its exact format.
	ann.do("POST", "/api/v1/conversations/"+conv+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)
	var reply apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "Yes, we ship to Canada!"}, http.StatusCreated, &reply)
	fbWaitStatus(t, ann, conv, reply.ID, "sent")
	const want = `{"recipient":{"id":"25531901234567001"},"messaging_type":"RESPONSE","message":{"text":"Yes, we ship to Canada!"}}`
	if got := graph.received(); len(got) != 1 || string(got[0]) != want {
		t.Fatalf("Send API got %q, want one %s", got, want)
	}
	if m, err := h.app.hub.Store().Message(context.Background(), reply.ID); err != nil || m.ProviderMessageID != "m_out_1" {
		t.Fatalf("provider id = %q (%v), want m_out_1", m.ProviderMessageID, err)
	}

	// Messenger's receipts: delivered by mid, read by watermark.
	if got := fbPost(t, hook, fbEvent(`"delivery":{"mids":["m_out_1"],"watermark":`+fmt.Sprint(time.Now().UnixMilli())+`}`)); got != http.StatusOK {
		t.Fatalf("delivery: status %d", got)
	}
	fbWaitStatus(t, ann, conv, reply.ID, "delivered")
	if got := fbPost(t, hook, fbEvent(`"read":{"watermark":`+fmt.Sprint(time.Now().Add(time.Second).UnixMilli())+`}`)); got != http.StatusOK {
		t.Fatalf("read: status %d", got)
	}
	fbWaitStatus(t, ann, conv, reply.ID, "read")

	// A 429 is retried by the bus and the reply goes out once.
	graph.queue(`429 {"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613,"fbtrace_id":"R1"}}`)
	var second apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "Anything else?"}, http.StatusCreated, &second)
	if got := fbWaitStatus(t, ann, conv, second.ID, "sent"); got.Attempts != 2 {
		t.Fatalf("attempts = %d, want 2 (the 429, then success)", got.Attempts)
	}

	// A refusal shows the reply failed with Messenger's reason.
	graph.queue(`400 {"error":{"message":"(#551) This person isn't available right now.","type":"OAuthException","code":551,"error_subcode":1545041,"fbtrace_id":"F1"}}`)
	var third apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "Hello?"}, http.StatusCreated, &third)
	failed := fbWaitStatus(t, ann, conv, third.ID, "failed")
	if want := "Messenger refused the message: (#551) This person isn't available right now. (code 551, subcode 1545041)"; failed.Error != want {
		t.Fatalf("error = %q, want %q", failed.Error, want)
	}
}

func TestMessengerConfigCheck_names_a_misspelt_key_and_a_missing_token(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		code int
		want string
	}{
		{"valid, with the human agent tag off", "    page_token: x\n    human_agent: false\n", 0, ""},
		{"misspelt key", "    page_token: x\n    app_secert: y\n", 1, "app_secert"},
		{"no page token", "", 1, "page_token is required"},
		{"bad graph version", "    page_token: x\n    graph_version: \"21\"\n", 1, "graph_version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := t.TempDir() + "/switchboard.yaml"
			writeFile(t, file, "channels:\n  - name: fb\n    type: messenger\n    app_secret: "+fbSecret+"\n    verify_token: v\n"+tc.yaml)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"config", "check", file}, &stdout, &stderr, nil)
			if code != tc.code || !strings.Contains(stdout.String(), tc.want) {
				t.Fatalf("exit %d, output %q; want exit %d naming %q", code, stdout.String(), tc.code, tc.want)
			}
		})
	}
}
