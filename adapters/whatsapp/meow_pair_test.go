//go:build !nowhatsmeow

package whatsapp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/switchboard-hq/switchboard/core"
)

// server mounts the adapter's routes under /webhooks/wa.
func (e *meowEnv) server() *httptest.Server {
	mux := http.NewServeMux()
	for pattern, h := range e.adapter.Routes("/webhooks/wa") {
		mux.Handle(pattern, h)
	}
	srv := httptest.NewServer(mux)
	e.t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url, token, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

const testQR = "2@Kx8bQm1sRmJq8mUu1cW8Hkq,pYb0wT5yC7tXn2aKc4r9Jq0=,Zk3vR8mA1uO5wQ2eT7yB9c4=,dA6sF1gH3jK5lZ8x"

func TestPairRoutes_need_an_operator_and_pairing_an_admin(t *testing.T) {
	e := newMeowEnv(t, "", nil)
	e.fake.qr = make(chan whatsmeow.QRChannelItem, 8)
	e.run()
	e.waitHealth(HealthPairing)
	srv := e.server()
	_, opToken := e.operator("ann@example.com", core.RoleOperator)
	_, adminToken := e.operator("root@example.com", core.RoleAdmin)

	tests := []struct {
		name, path, token string
		status            int
	}{
		{"status without a session", "/webhooks/wa/status", "", 401},
		{"status with a made-up token", "/webhooks/wa/status", "not-a-session", 401},
		{"status for an operator", "/webhooks/wa/status", opToken, 200},
		{"pairing for an operator", "/webhooks/wa/pair", opToken, 403},
		{"pairing without a session", "/webhooks/wa/pair", "", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path, tc.token, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d (%s), want %d", resp.StatusCode, body, tc.status)
			}
		})
	}
	var h Health
	_, body := get(t, srv.URL+"/webhooks/wa/status", opToken, "")
	if err := json.Unmarshal(body, &h); err != nil || h.State != HealthPairing {
		t.Fatalf("status = %s, want pairing", body)
	}

	// The cookie of the inbox works as well as a Bearer token.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/webhooks/wa/status", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: opToken})
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status with the session cookie: %v %v", resp.StatusCode, err)
	}

	// An admin's request starts the pairing; WhatsApp hands out a code.
	go func() {
		time.Sleep(20 * time.Millisecond)
		e.fake.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: testQR, Timeout: 60 * time.Second}
	}()
	resp, text := get(t, srv.URL+"/webhooks/wa/pair", adminToken, "")
	if resp.StatusCode != 200 || !strings.Contains(string(text), "█") || !strings.Contains(string(text), "Linked devices") {
		t.Fatalf("text QR: %d %q", resp.StatusCode, text)
	}
	resp, png := get(t, srv.URL+"/webhooks/wa/pair?format=png", adminToken, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("PNG QR: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), png[:min(8, len(png))])
	}
	var code qrCode
	if _, b := get(t, srv.URL+"/webhooks/wa/pair", adminToken, "application/json"); json.Unmarshal(b, &code) != nil ||
		code.Code != testQR || !strings.HasPrefix(code.PNG, "data:image/png;base64,") {
		t.Fatalf("JSON QR: %+v", code)
	}
}

func TestPairing_streams_codes_then_links_and_connects(t *testing.T) {
	e := newMeowEnv(t, "", nil)
	e.fake.qr = make(chan whatsmeow.QRChannelItem, 8)
	e.run()
	e.waitHealth(HealthPairing)
	srv := e.server()
	_, adminToken := e.operator("root@example.com", core.RoleAdmin)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/webhooks/wa/pair", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	e.fake.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: testQR + "1", Timeout: 60 * time.Second}
	var events_ []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if ev, ok := strings.CutPrefix(line, "event: "); ok {
			events_ = append(events_, ev)
			if ev == "code" && len(events_) == 2 { // the first code expires
				e.fake.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: testQR + "2", Timeout: 20 * time.Second}
			}
			if ev == "code" && len(events_) == 3 {
				// The phone scanned the second code.
				linked := types.NewADJID("14155550100", 0, 12)
				e.fake.dispatch(&events.PairSuccess{ID: linked, Platform: "android"})
				e.fake.qr <- whatsmeow.QRChannelSuccess
			}
		}
		if strings.HasPrefix(line, "data: ") && len(events_) > 0 && events_[len(events_)-1] == "done" {
			if !strings.Contains(line, `"outcome":"linked"`) || !strings.Contains(line, `"account":"+14155550100"`) {
				t.Fatalf("done event %s, want linked to +14155550100", line)
			}
			break
		}
	}
	if strings.Join(events_, ",") != "state,code,code,done" {
		t.Fatalf("events = %v, want state, two codes, done", events_)
	}
	if e.sessions.linkJID.User != "14155550100" {
		t.Fatalf("linked device = %v, want it recorded", e.sessions.linkJID)
	}
	e.fake.dispatch(&events.Connected{}) // after WhatsApp's restart request
	if h := e.waitHealth(HealthConnected); h.Account != "+14155550100" {
		t.Fatalf("health %+v, want connected as +14155550100", h)
	}
	resp2, body := get(t, srv.URL+"/webhooks/wa/pair", adminToken, "")
	if resp2.StatusCode != http.StatusConflict || !strings.Contains(string(body), "already linked to +14155550100") {
		t.Fatalf("pairing a linked channel: %d %s, want 409", resp2.StatusCode, body)
	}
}

func TestPairing_by_phone_number_returns_the_code_to_type(t *testing.T) {
	e := newMeowEnv(t, "", nil)
	e.fake.qr = make(chan whatsmeow.QRChannelItem, 8)
	e.run()
	e.waitHealth(HealthPairing)
	srv := e.server()
	_, adminToken := e.operator("root@example.com", core.RoleAdmin)
	go func() {
		time.Sleep(20 * time.Millisecond)
		e.fake.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: testQR, Timeout: 60 * time.Second}
	}()
	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/wa/pair/phone", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if status, out := post(`{"phone":"0301 555"}`); status != 400 {
		t.Fatalf("a national number: %d %v, want 400", status, out)
	}
	status, out := post(`{"phone":"+1 (415) 555-0100"}`)
	if status != 200 || out["code"] != "ABCD-EFGH" || out["phone"] != "+14155550100" {
		t.Fatalf("got %d %v, want the pairing code for +14155550100", status, out)
	}
	if len(e.fake.phones) != 1 || e.fake.phones[0] != "14155550100" {
		t.Fatalf("PairPhone got %v", e.fake.phones)
	}
}

func TestPairing_an_expired_code_returns_to_waiting_and_a_pairing_elsewhere_is_noticed(t *testing.T) {
	e := newMeowEnv(t, "", nil)
	e.fake.qr = make(chan whatsmeow.QRChannelItem, 8)
	e.run()
	e.waitHealth(HealthPairing)
	e.drv.requestPairing()
	e.fake.qr <- whatsmeow.QRChannelTimeout
	deadline := time.Now().Add(5 * time.Second)
	for v, _ := e.drv.pair.view(); v.Outcome != pairExpired; v, _ = e.drv.pair.view() {
		if time.Now().After(deadline) {
			t.Fatalf("pairing outcome %q, want %q", v.Outcome, pairExpired)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if e.fake.IsConnected() {
		t.Fatal("the unpaired client stayed connected after its codes expired")
	}
	// `switchboard whatsapp pair` linked the account from another process.
	opens := e.sessions.opens
	_ = e.sessions.linked(t.Context(), types.NewADJID("14155550100", 0, 3))
	e.waitHealth(HealthConnected)
	if e.sessions.opens <= opens {
		t.Fatal("the session was not opened again")
	}
}

func TestPair_in_a_terminal_prints_QR_codes_and_records_the_device(t *testing.T) {
	fake := newFakeClient()
	fake.qr = make(chan whatsmeow.QRChannelItem, 8)
	s := &fakeSessions{cl: fake}
	fake.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: testQR, Timeout: 60 * time.Second}
	go func() {
		time.Sleep(20 * time.Millisecond)
		fake.dispatch(&events.PairSuccess{ID: types.NewADJID("14155550100", 0, 9)})
		fake.qr <- whatsmeow.QRChannelSuccess
		time.Sleep(10 * time.Millisecond)
		fake.dispatch(&events.Connected{})
	}()
	var out bytes.Buffer
	account, err := pairTerminal(t.Context(), s, PairOptions{Channel: "wa", Out: &out})
	if err != nil || account != "+14155550100" {
		t.Fatalf("pairTerminal = %q, %v", account, err)
	}
	if !strings.Contains(out.String(), "█") || !strings.Contains(out.String(), "Linked channel wa to +14155550100.") {
		t.Fatalf("output:\n%s", out.String())
	}
	if s.linkJID.User != "14155550100" {
		t.Fatalf("device not recorded: %v", s.linkJID)
	}
	out.Reset()
	if account, err := pairTerminal(t.Context(), s, PairOptions{Channel: "wa", Out: &out}); err != nil || account != "+14155550100" ||
		!strings.Contains(out.String(), "already linked") {
		t.Fatalf("second run: %q %v %q, want nothing to do", account, err, out.String())
	}
}
