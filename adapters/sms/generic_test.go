package sms

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// gatewayAnswer is a scripted answer of the fake gateway.
type gatewayAnswer struct {
	status     int
	body       string
	retryAfter string
}

// fakeGateway is an SMS gateway speaking the generic contract: it checks
// the Standard Webhooks signature of every request, fetches the media URLs
// of accepted messages, and answers 202 {"id": "gw-out-N"} unless scripted
// otherwise. It also serves inbound media under /m/.
type fakeGateway struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	answers []gatewayAnswer
	bodies  [][]byte
	ids     []string
	fetched []fetchedMedium
}

func newFakeGateway(t *testing.T) *fakeGateway {
	g := &fakeGateway{t: t}
	key, err := parseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /m/{name}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(sampleJPEG) })
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := verifyStandard(key, r.Header, body, testNow); err != nil {
			t.Errorf("gateway got a badly signed request: %v", err)
			http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
			return
		}
		g.mu.Lock()
		g.bodies, g.ids = append(g.bodies, body), append(g.ids, r.Header.Get(HeaderWebhookID))
		var a *gatewayAnswer
		if len(g.answers) > 0 {
			a = &g.answers[0]
			g.answers = g.answers[1:]
		}
		n := len(g.bodies)
		g.mu.Unlock()
		if a != nil {
			if a.retryAfter != "" {
				w.Header().Set("Retry-After", a.retryAfter)
			}
			w.WriteHeader(a.status)
			_, _ = io.WriteString(w, a.body)
			return
		}
		var m genericOutbound
		_ = json.Unmarshal(body, &m)
		for _, u := range m.MediaURLs {
			f := fetchURL(t, u)
			g.mu.Lock()
			g.fetched = append(g.fetched, f)
			g.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"id":"gw-out-%d","status":"queued"}`, n)
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGateway) script(a ...gatewayAnswer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answers = append(g.answers, a...)
}

func (g *fakeGateway) requests() ([][]byte, []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([][]byte(nil), g.bodies...), append([]string(nil), g.ids...)
}

func newGenericRig(t *testing.T) (*rig, *fakeGateway) {
	g := newFakeGateway(t)
	return newRig(t, Config{Provider: ProviderGeneric, URL: g.URL + "/send", Secret: testSecret, From: "+16465550100", Path: "/sms/gw"}), g
}

// postJSON sends a generic-contract request to route, signed at signedAt
// (zero: unsigned).
func (r *rig) postJSON(t *testing.T, route, body string, signedAt time.Time) (int, string) {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	if !signedAt.IsZero() {
		key, _ := parseSecret(testSecret)
		hdr := http.Header{}
		signHeader(hdr, key, "evt_1", signedAt, []byte(body))
		for k := range hdr {
			h[k] = hdr.Get(k)
		}
	}
	status, answer, _ := r.rawPost(t, route, body, h)
	return status, answer
}

func TestGeneric_inbound_signed_message_with_media_reaches_the_hub(t *testing.T) {
	r, g := newGenericRig(t)
	body := `{"id":"gw-1842","from":"+1 415 555 0123","to":"+16465550100","text":"Is my order ready?",` +
		`"media":[{"url":"` + g.URL + `/m/1.jpg","content_type":"image/jpeg"}],"sent_at":"2025-03-14T09:30:00Z"}`
	if status, answer := r.postJSON(t, routeInbound, body, testNow); status != http.StatusOK {
		t.Fatalf("answered %d %q, want 200", status, answer)
	}
	in := r.recv.received()
	if len(in) != 1 {
		t.Fatalf("hub received %d messages, want 1", len(in))
	}
	got := in[0]
	if got.ProviderMessageID != "gw-1842" || got.Contact != (core.ContactRef{ID: customer, Phone: customer}) || got.Text != "Is my order ready?" ||
		!got.SentAt.Equal(time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)) || len(got.Attachments) != 1 || got.Attachments[0].MIMEType != "image/jpeg" {
		t.Fatalf("hub received %+v", got)
	}
}

func TestGeneric_inbound_refuses_bad_signatures_and_malformed_bodies(t *testing.T) {
	r, _ := newGenericRig(t)
	valid := `{"id":"gw-1","from":"+14155550123","text":"hi"}`
	tests := []struct {
		name, body string
		signedAt   time.Time
		status     int
		says       string
	}{
		{"unsigned", valid, time.Time{}, 401, "missing webhook-id"},
		{"a replay from an hour ago", valid, testNow.Add(-time.Hour), 403, "the server clock"},
		{"unknown field", `{"id":"gw-1","from":"+14155550123","txt":"hi"}`, testNow, 400, `unknown field "txt"`},
		{"no from", `{"id":"gw-1","text":"hi"}`, testNow, 400, "from is required"},
		{"no id", `{"from":"+14155550123","text":"hi"}`, testNow, 400, "id is required"},
		{"not JSON", `id=gw-1`, testNow, 400, "JSON object"},
		{"bad sent_at", `{"id":"gw-1","from":"+14155550123","text":"hi","sent_at":"yesterday"}`, testNow, 400, "sent_at"},
		{"bad opt_out_type", `{"id":"gw-1","from":"+14155550123","text":"hi","opt_out_type":"MAYBE"}`, testNow, 400, "opt_out_type"},
		{"media URL not http", `{"id":"gw-1","from":"+14155550123","media":[{"url":"file:///etc/passwd"}]}`, testNow, 400, "media[0].url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer := r.postJSON(t, routeInbound, tt.body, tt.signedAt)
			if status != tt.status || !strings.Contains(answer, tt.says) {
				t.Fatalf("got %d %q, want %d saying %q", status, answer, tt.status, tt.says)
			}
		})
	}
	if n := len(r.recv.received()); n != 0 {
		t.Fatalf("hub received %d messages, want none", n)
	}
}

func TestGeneric_inbound_STOP_opts_the_number_out(t *testing.T) {
	r, g := newGenericRig(t)
	if status, _ := r.postJSON(t, routeInbound, `{"id":"gw-2","from":"+14155550123","text":"stop"}`, testNow); status != http.StatusOK {
		t.Fatalf("answered %d, want 200", status)
	}
	if _, err := r.a.Send(t.Context(), outbound("msg_1", "hello")); !core.IsPermanent(err) {
		t.Fatalf("Send to an opted-out number = %v, want a permanent refusal", err)
	}
	if bodies, _ := g.requests(); len(bodies) != 0 {
		t.Fatalf("the gateway received %d messages", len(bodies))
	}
}

func TestGeneric_status_report_marks_the_message_failed_with_the_gateway_reason(t *testing.T) {
	r, _ := newGenericRig(t)
	r.recv.know("gw-out-1")
	body := `{"id":"gw-out-1","status":"failed","error_code":30003,"error_message":"Unreachable handset"}`
	if status, answer := r.postJSON(t, routeStatus, body, testNow); status != http.StatusOK {
		t.Fatalf("answered %d %q, want 200", status, answer)
	}
	want := core.Inbound{Channel: "sms", ChannelType: Type, Kind: core.KindFailed, Target: "gw-out-1",
		Error: "The SMS gateway reported the SMS as failed: error 30003, Unreachable handset"}
	if got := r.recv.received(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("hub received %+v, want %+v", got, want)
	}
	if status, _ := r.postJSON(t, routeStatus, `{"id":"gw-out-1","status":"exploded"}`, testNow); status != http.StatusBadRequest {
		t.Fatalf("unknown status answered %d, want 400", status)
	}
}

func TestGeneric_send_posts_signed_JSON_and_keeps_the_gateway_id(t *testing.T) {
	r, g := newGenericRig(t)
	img := r.blobs.attachment(t, samplePNG, false)
	rc, err := r.a.Send(t.Context(), outbound("msg_7", "Ready for pickup", img))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	bodies, ids := g.requests()
	if len(bodies) != 1 || ids[0] != "msg_7" || rc.ProviderMessageID != "gw-out-1" {
		t.Fatalf("gateway got %d requests (ids %v), receipt %+v; want one with webhook-id msg_7, id gw-out-1", len(bodies), ids, rc)
	}
	var got genericOutbound
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	want := genericOutbound{ID: "msg_7", To: customer, From: "+16465550100", Text: "Ready for pickup", MediaURLs: got.MediaURLs,
		StatusURL: r.a.public + "/status", Encoding: EncodingGSM7, Segments: 1}
	if !reflect.DeepEqual(got, want) || len(got.MediaURLs) != 1 {
		t.Fatalf("body = %+v\nwant %+v with one media URL", got, want)
	}
	if len(g.fetched) != 1 || g.fetched[0].contentType != "image/png" {
		t.Fatalf("gateway fetched %+v, want the PNG", g.fetched)
	}
}

func TestGeneric_send_classifies_gateway_answers(t *testing.T) {
	tests := []struct {
		name      string
		answer    gatewayAnswer
		permanent bool
		says      string
		id        string
	}{
		{"refused with a reason", gatewayAnswer{status: 422, body: `{"error":"number is on the carrier block list"}`}, true,
			"The SMS gateway refused the message: number is on the carrier block list", ""},
		{"refused in plain text", gatewayAnswer{status: 400, body: "no credit left"}, true, "refused the message: no credit left", ""},
		{"rate limited", gatewayAnswer{status: 429, retryAfter: "0"}, false, "429", ""},
		{"server error", gatewayAnswer{status: 502, body: "upstream down"}, false, "502", ""},
		{"accepted without an id", gatewayAnswer{status: 200, body: "OK"}, false, "", "msg_1"},
		{"accepted with a numeric id", gatewayAnswer{status: 201, body: `{"id":90210}`}, false, "", "90210"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, g := newGenericRig(t)
			g.script(tt.answer)
			rc, err := r.a.Send(t.Context(), outbound("msg_1", "hello"))
			switch {
			case tt.says == "" && (err != nil || rc.ProviderMessageID != tt.id):
				t.Fatalf("Send = %+v, %v; want provider id %q", rc, err, tt.id)
			case tt.says != "" && (err == nil || core.IsPermanent(err) != tt.permanent || !strings.Contains(err.Error(), tt.says)):
				t.Fatalf("Send = %v (permanent %v), want permanent %v saying %q", err, core.IsPermanent(err), tt.permanent, tt.says)
			}
		})
	}
}
