package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/sms"
	"github.com/switchboard-hq/switchboard/core"
)

// The fixtures README's Twilio auth token, with made-up account ids.
const (
	smsToken     = "2b7e4f9a1c6d3e8b5a0f7c2d9e4b1a63"
	smsAccount   = "AC3f7a9c1e5b2d4f6a8c0e1b3d5f7a9c1e"
	smsService   = "MG8d2b4f6a0c1e3d5b7f9a1c3e5d7b9f0a"
	smsPublic    = "https://hub.example.com/sms/twilio" // what Twilio signs
	smsCustomer  = "+14155550123"
	smsHubNumber = "+16465550100"
)

func smsYAML(apiURL string) string {
	return `listen: 127.0.0.1:0
data_dir: %DATA%
public_url: https://hub.example.com
channels:
  - name: sms
    type: sms
    path: /sms/twilio
    provider: twilio
    account_sid: ` + smsAccount + `
    auth_token: ` + smsToken + `
    messaging_service_sid: ` + smsService + `
    api_url: ` + apiURL + `
`
}

// smsTwilio is Twilio's Messages API on loopback: form-encoded POSTs with
// basic auth, answered 201 with the message resource or with the queued
// error answers; like Twilio it fetches every MediaUrl, reaching the hub's
// public host through the test's loopback address.
type smsTwilio struct {
	*httptest.Server
	hub     string // the hub's loopback base URL
	mu      sync.Mutex
	forms   []url.Values
	at      []time.Time
	fetched []string // "status content-type bytes"
	answers []string // "status retry-after code message"
}

func newSMSTwilio(t *testing.T) *smsTwilio {
	f := &smsTwilio{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		user, pass, _ := r.BasicAuth()
		if r.URL.Path != "/2010-04-01/Accounts/"+smsAccount+"/Messages.json" || user != smsAccount || pass != smsToken {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`)
			return
		}
		_ = r.ParseForm()
		f.mu.Lock()
		f.forms, f.at = append(f.forms, r.PostForm), append(f.at, time.Now())
		var answer string
		if len(f.answers) > 0 {
			answer, f.answers = f.answers[0], f.answers[1:]
		}
		n := len(f.forms)
		f.mu.Unlock()
		if answer != "" {
			var status, code int
			var retry, msg string
			fmt.Sscanf(answer, "%d %s %d", &status, &retry, &code)
			msg = strings.SplitN(answer, " ", 4)[3]
			if retry != "-" {
				w.Header().Set("Retry-After", retry)
			}
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "status": status,
				"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code)})
			return
		}
		for _, mu := range r.PostForm["MediaUrl"] {
			f.fetch(t, mu)
		}
		sid := fmt.Sprintf("SM%032d", n)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": "accepted", "to": r.PostForm.Get("To"), "body": r.PostForm.Get("Body"),
			"messaging_service_sid": smsService, "account_sid": smsAccount, "api_version": "2010-04-01", "num_media": fmt.Sprint(len(r.PostForm["MediaUrl"])),
			"uri": "/2010-04-01/Accounts/" + smsAccount + "/Messages/" + sid + ".json"})
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *smsTwilio) fetch(t *testing.T, mediaURL string) {
	// Like Twilio, try a failed fetch again before giving up.
	var resp *http.Response
	var err error
	for attempt := range 3 {
		if resp, err = http.Get(strings.Replace(mediaURL, "https://hub.example.com", f.hub, 1)); err == nil {
			break
		}
		t.Logf("fetch %s, attempt %d: %v", mediaURL, attempt+1, err)
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("fetch %s: %v", mediaURL, err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	f.mu.Lock()
	f.fetched = append(f.fetched, fmt.Sprintf("%d %s %x", resp.StatusCode, resp.Header.Get("Content-Type"), b))
	f.mu.Unlock()
}

func (f *smsTwilio) queue(answers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, answers...)
}

func (f *smsTwilio) received() ([]url.Values, []time.Time, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...), append([]time.Time(nil), f.at...), append([]string(nil), f.fetched...)
}

// smsPost sends a Twilio webhook to route (inbound or status), signed as
// Twilio signs it: for the public URL the hub is configured with.
func smsPost(t *testing.T, h *hubUnderTest, route string, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.base+"/sms/twilio/"+route, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	req.Header.Set(sms.HeaderTwilioSignature, sms.TwilioSignature(smsToken, smsPublic+"/"+route, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func smsInbound(sid, body string) url.Values {
	return url.Values{"MessageSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {smsAccount}, "From": {smsCustomer},
		"To": {smsHubNumber}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
}

// smsUpload posts a composer message with one file and returns the status
// and the error message, if any.
func smsUpload(t *testing.T, h *hubUnderTest, c *apiClient, conv, name string, data []byte, voice bool) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("text", "see attached")
	if voice {
		_ = mw.WriteField("voice", "true")
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.base+"/api/v1/conversations/"+conv+"/messages", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error struct{ Message string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Error.Message
}

// smsWaitMessage waits until the message with id satisfies cond.
func smsWaitMessage(t *testing.T, c *apiClient, conv, id, what string, cond func(apiMessage) bool) apiMessage {
	t.Helper()
	var got apiMessage
	waitFor(t, what, func() bool {
		for _, m := range c.messages(conv) {
			if m.ID == id {
				got = m
				return cond(m)
			}
		}
		return false
	})
	return got
}

var smsPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")

func TestSMSEndToEnd_text_in_image_reply_out_receipts_retries_and_refusals(t *testing.T) {
	twilio := newSMSTwilio(t)
	h := startHub(t, smsYAML(twilio.URL))
	twilio.hub = h.base
	ann := h.operator("ann@example.com", core.RoleOperator)

	// A signed SMS becomes a new conversation.
	if got := smsPost(t, h, "inbound", smsInbound("SM00000000000000000000000000000a01", "Is my order ready?")); got != http.StatusOK {
		t.Fatalf("inbound SMS answered %d, want 200", got)
	}
	convs := ann.view("unassigned")
	if len(convs) != 1 {
		t.Fatalf("unassigned = %+v, want the SMS conversation", convs)
	}
	conv := convs[0].ID
	ann.do("POST", "/api/v1/conversations/"+conv+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)

	// A reply with an image reaches Twilio form-encoded; Twilio fetches the
	// image from the hub's signed URL; the delivery report marks it delivered.
	status, msg := smsUpload(t, h, ann, conv, "box.png", smsPNG, false)
	if status != http.StatusCreated {
		t.Fatalf("reply with image: %d %s", status, msg)
	}
	waitFor(t, "the reply at Twilio", func() bool { forms, _, _ := twilio.received(); return len(forms) == 1 })
	forms, _, fetched := twilio.received()
	f := forms[0]
	if f.Get("To") != smsCustomer || f.Get("MessagingServiceSid") != smsService || f.Get("Body") != "see attached" ||
		f.Get("StatusCallback") != smsPublic+"/status" || len(f["MediaUrl"]) != 1 || !strings.HasPrefix(f.Get("MediaUrl"), smsPublic+"/media/") {
		t.Fatalf("Twilio got %v", f)
	}
	if want := fmt.Sprintf("200 image/png %x", smsPNG); len(fetched) != 1 || fetched[0] != want {
		t.Fatalf("Twilio fetched %q from the MediaUrl, want %q", fetched, want)
	}
	msgs := ann.messages(conv)
	reply := msgs[len(msgs)-1]
	smsWaitMessage(t, ann, conv, reply.ID, "the reply to show as sent", func(m apiMessage) bool { return m.Status == "sent" })
	sid := fmt.Sprintf("SM%032d", 1)
	report := url.Values{"MessageSid": {sid}, "MessageStatus": {"delivered"}, "SmsStatus": {"delivered"}, "AccountSid": {smsAccount}, "To": {smsCustomer}}
	if got := smsPost(t, h, "status", report); got != http.StatusOK {
		t.Fatalf("status callback answered %d", got)
	}
	smsWaitMessage(t, ann, conv, reply.ID, "the reply to show as delivered", func(m apiMessage) bool { return m.Status == "delivered" })

	// Twilio refuses a number: the message fails with Twilio's reason.
	twilio.queue("400 - 21211 The 'To' number +14155550123 is not a valid phone number.")
	var refused apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "are you there?"}, http.StatusCreated, &refused)
	got := smsWaitMessage(t, ann, conv, refused.ID, "the refusal to fail the message", func(m apiMessage) bool { return m.Status == "failed" || m.Status == "sent" })
	if want := "Twilio refused the message: error 21211, The 'To' number +14155550123 is not a valid phone number."; got.Status != "failed" || got.Error != want {
		t.Fatalf("refused message = %+v, want failed with %q", got, want)
	}

	// A 429 with Retry-After: the bus retries, and not before a second.
	twilio.queue("429 1 20429 Too Many Requests")
	var later apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "one more thing"}, http.StatusCreated, &later)
	got = smsWaitMessage(t, ann, conv, later.ID, "the rate-limited reply to be sent", func(m apiMessage) bool { return m.Status == "sent" || m.Status == "failed" })
	forms, at, _ := twilio.received()
	if n := len(forms); got.Status != "sent" || got.Attempts != 2 || n != 4 {
		t.Fatalf("rate-limited reply = %+v after %d requests, want sent on attempt 2 (4 requests)", got, n)
	}
	if gap := at[3].Sub(at[2]); gap < time.Second {
		t.Fatalf("retried %s after the 429, want at least its Retry-After of 1s", gap)
	}

	// What SMS cannot carry is refused before anything is queued.
	ogg := append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead"), make([]byte, 64)...)
	for _, tc := range []struct {
		name  string
		data  []byte
		voice bool
		want  string
	}{
		{"note.ogg", ogg, true, "SMS accepts only JPEG, PNG and GIF images; this file is audio/ogg"},
		{"invoice.pdf", []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"), false, "SMS accepts only JPEG, PNG and GIF images; this file is application/pdf"},
	} {
		if status, msg := smsUpload(t, h, ann, conv, tc.name, tc.data, tc.voice); status != http.StatusUnprocessableEntity || msg != tc.want {
			t.Errorf("%s: %d %q, want 422 %q", tc.name, status, msg, tc.want)
		}
	}

	// STOP: replies are refused with the reason until START.
	if got := smsPost(t, h, "inbound", smsInbound("SM00000000000000000000000000000a02", "STOP")); got != http.StatusOK {
		t.Fatalf("STOP answered %d", got)
	}
	var refusal struct {
		Error struct{ Code, Message string }
	}
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "wait!"}, http.StatusUnprocessableEntity, &refusal)
	if !strings.HasPrefix(refusal.Error.Message, "+14155550123 opted out of SMS by texting STOP on ") ||
		!strings.HasSuffix(refusal.Error.Message, "; no message can be sent to this number until they text START") {
		t.Fatalf("refusal = %+v, want the opt-out reason", refusal.Error)
	}
	if forms, _, _ := twilio.received(); len(forms) != 4 {
		t.Fatalf("Twilio received %d requests, want still 4", len(forms))
	}
	if got := smsPost(t, h, "inbound", smsInbound("SM00000000000000000000000000000a03", "start")); got != http.StatusOK {
		t.Fatalf("START answered %d", got)
	}
	var welcome apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "welcome back"}, http.StatusCreated, &welcome)
	smsWaitMessage(t, ann, conv, welcome.ID, "the reply after START to be sent", func(m apiMessage) bool { return m.Status == "sent" })
}

func TestSMSConfigCheck_names_a_misspelt_key_and_a_missing_sender(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{strings.Replace(smsYAML("https://api.twilio.com"), "auth_token:", "auth_tokn:", 1), "auth_tokn"},
		{strings.Replace(smsYAML("https://api.twilio.com"), "messaging_service_sid:", "# messaging_service_sid:", 1), "from or messaging_service_sid is required"},
	} {
		file := t.TempDir() + "/sms.yaml"
		writeFile(t, file, strings.ReplaceAll(tc.yaml, "%DATA%", t.TempDir()))
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"config", "check", file}, &stdout, &stderr, nil); code != 1 || !strings.Contains(stdout.String(), tc.want) {
			t.Errorf("config check: exit %d, output %q; want 1 naming %q", code, stdout.String(), tc.want)
		}
	}
}
