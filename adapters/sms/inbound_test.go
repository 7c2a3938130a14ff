package sms

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// rawPost sends body to the rig's route with the given headers.
func (r *rig) rawPost(t *testing.T, route, body string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+r.a.cfg.Path+route, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func signedHeaders(r *rig, route string, form url.Values) map[string]string {
	return map[string]string{
		"Content-Type":        "application/x-www-form-urlencoded",
		HeaderTwilioSignature: TwilioSignature(testToken, r.a.public+route, form),
	}
}

func TestInbound_checks_size_then_signature_then_content(t *testing.T) {
	r := newRig(t, Config{MaxBodyBytes: 600})
	good := url.Values{}
	for k, v := range inboundForm("SM1", customer, "Hello") {
		good.Set(k, v)
	}
	noSid := url.Values{"From": {customer}, "Body": {"Hello"}}
	badCount := url.Values{"MessageSid": {"SM2"}, "From": {customer}, "NumMedia": {"lots"}}
	noFrom := url.Values{"MessageSid": {"SM3"}, "Body": {"Hello"}}
	big := url.Values{"MessageSid": {"SM4"}, "From": {customer}, "Body": {strings.Repeat("x", 700)}}
	tests := []struct {
		name   string
		body   string
		header map[string]string
		status int
		says   string
	}{
		{"over max_body_bytes, even unsigned", big.Encode(), nil, 413, "max_body_bytes"},
		{"over max_body_bytes, signed", big.Encode(), signedHeaders(r, routeInbound, big), 413, "max_body_bytes"},
		{"no signature", good.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 401, "missing X-Twilio-Signature"},
		{"signed with another token", good.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded",
			HeaderTwilioSignature: TwilioSignature("another", r.a.public+routeInbound, good)}, 403, "does not match"},
		{"signed for the status URL", good.Encode(), signedHeaders(r, routeStatus, good), 403, "does not match"},
		{"JSON instead of a form", `{"MessageSid":"SM1"}`, map[string]string{"Content-Type": "application/json", HeaderTwilioSignature: "x"}, 400, "x-www-form-urlencoded"},
		{"not form-encoded", "Body=%zz", map[string]string{"Content-Type": "application/x-www-form-urlencoded", HeaderTwilioSignature: "x"}, 400, "not form-encoded"},
		{"no MessageSid", noSid.Encode(), signedHeaders(r, routeInbound, noSid), 400, "MessageSid is required"},
		{"no From", noFrom.Encode(), signedHeaders(r, routeInbound, noFrom), 400, "From is required"},
		{"NumMedia not a number", badCount.Encode(), signedHeaders(r, routeInbound, badCount), 400, "NumMedia"},
		{"valid", good.Encode(), signedHeaders(r, routeInbound, good), 200, "<Response></Response>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(r.recv.received())
			status, body, _ := r.rawPost(t, routeInbound, tt.body, tt.header)
			if status != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("got %d %q, want %d saying %q", status, body, tt.status, tt.says)
			}
			stored := len(r.recv.received()) - before
			if want := map[bool]int{true: 1, false: 0}[tt.status == 200]; stored != want {
				t.Fatalf("%d messages reached the hub, want %d", stored, want)
			}
		})
	}
}

func TestInbound_the_signed_URL_includes_the_query_string(t *testing.T) {
	r := newRig(t, Config{})
	form := url.Values{"MessageSid": {"SM1"}, "From": {customer}, "Body": {"hi"}}
	post := func(signedFor string) int {
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/sms/twilio/inbound?tenant=7", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(HeaderTwilioSignature, TwilioSignature(testToken, signedFor, form))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(r.a.public + "/inbound"); got != http.StatusForbidden {
		t.Errorf("signed without the query: %d, want 403", got)
	}
	if got := post(r.a.public + "/inbound?tenant=7"); got != http.StatusOK {
		t.Errorf("signed with the query: %d, want 200", got)
	}
}

func TestInbound_media_are_fetched_only_from_allowed_hosts_and_credentials_only_sent_to_Twilio(t *testing.T) {
	var sawAuth []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		sawAuth = append(sawAuth, req.Header.Get("Authorization"))
		_, _ = w.Write(sampleGIF)
	}))
	defer other.Close()
	twilio := newFakeTwilio(t)
	twilioMedia := "https://api.twilio.com/2010-04-01/Accounts/" + testSID + "/Messages/MM1/Media/ME1"
	twilio.addMedium(twilioMedia, "image/jpeg", sampleJPEG)
	r := newRig(t, Config{APIURL: twilio.URL, MediaHosts: []string{"api.twilio.com", "127.0.0.1"}})
	mms := func(sid string, urls ...string) int {
		f := inboundForm(sid, customer, "look")
		f["NumMedia"] = string(rune('0' + len(urls)))
		for i, u := range urls {
			f[mediaKey("MediaUrl", i)], f[mediaKey("MediaContentType", i)] = u, "image/jpeg"
		}
		return r.postForm(t, routeInbound, f, testToken).StatusCode
	}

	if got := mms("MM1", twilioMedia, other.URL+"/pic.gif"); got != http.StatusOK {
		t.Fatalf("MMS answered %d, want 200", got)
	}
	in := r.recv.received()
	if len(in) != 1 || len(in[0].Attachments) != 2 {
		t.Fatalf("hub received %+v, want one message with two attachments", in)
	}
	a0, a1 := in[0].Attachments[0], in[0].Attachments[1]
	if a0.MIMEType != "image/jpeg" || a0.Filename != "ME1.jpg" || a1.MIMEType != "image/gif" || a1.Filename != "pic.gif" || a0.Flagged || a1.Flagged {
		t.Errorf("attachments = %+v, %+v", a0, a1)
	}
	if got := twilio.mediaRequests(); len(got) != 1 {
		t.Errorf("Twilio served media %v with valid credentials, want the one", got)
	}
	if len(sawAuth) != 1 || sawAuth[0] != "" {
		t.Errorf("the other media host saw Authorization %q, want none", sawAuth)
	}

	tests := []struct {
		name, url string
		status    int
	}{
		{"host not allowed", "https://evil.example.com/x.jpg", http.StatusBadRequest},
		{"unknown at Twilio", "https://api.twilio.com/2010-04-01/Accounts/" + testSID + "/Messages/MM9/Media/ME9", http.StatusBadRequest},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(r.recv.received())
			if got := mms("MMx"+string(rune('a'+i)), tt.url); got != tt.status {
				t.Errorf("answered %d, want %d", got, tt.status)
			}
			if n := len(r.recv.received()) - before; n != 0 {
				t.Errorf("%d messages reached the hub", n)
			}
		})
	}
}

func TestInbound_media_the_provider_fails_to_serve_answer_502_so_it_retries(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "storage down", http.StatusServiceUnavailable)
	}))
	defer broken.Close()
	r := newRig(t, Config{MediaHosts: []string{"127.0.0.1"}})
	f := inboundForm("MM1", customer, "")
	f["NumMedia"], f["MediaUrl0"] = "1", broken.URL+"/m.jpg"
	if got := r.postForm(t, routeInbound, f, testToken).StatusCode; got != http.StatusBadGateway {
		t.Fatalf("answered %d, want 502", got)
	}
}

func TestInbound_a_store_failure_answers_503_and_an_empty_message_is_skipped(t *testing.T) {
	r := newRig(t, Config{})
	r.recv.err = errors.New("database is locked")
	if got := r.postForm(t, routeInbound, inboundForm("SM1", customer, "hi"), testToken).StatusCode; got != http.StatusServiceUnavailable {
		t.Fatalf("store failure answered %d, want 503", got)
	}
	r.recv.err = nil
	if got := r.postForm(t, routeInbound, inboundForm("SM2", customer, ""), testToken).StatusCode; got != http.StatusOK {
		t.Fatalf("empty SMS answered %d, want 200", got)
	}
	if n := len(r.recv.received()); n != 0 {
		t.Fatalf("hub received %d messages, want none", n)
	}
}

func TestInbound_a_sender_that_is_no_phone_number_keeps_its_spelling(t *testing.T) {
	r := newRig(t, Config{})
	if got := r.postForm(t, routeInbound, inboundForm("SM1", "ACME", "Your code is 1234"), testToken).StatusCode; got != http.StatusOK {
		t.Fatalf("answered %d, want 200", got)
	}
	in := r.recv.received()
	if len(in) != 1 || in[0].Contact != (core.ContactRef{ID: "ACME"}) {
		t.Fatalf("hub received %+v, want contact ACME without a phone", in)
	}
}
