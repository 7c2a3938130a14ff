package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/whatsapp"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/internal/fixturetest"
)

// The fixtures README's WhatsApp app secret, the fixtures' business number
// id, and made-up tokens.
const (
	waSecret        = "a93e0b7c41d26f58e17b3c9d20f4a6e1"
	waPhoneNumberID = "106183529041772"
	waVerifyToken   = "wa-verify-9Lp2"
	waAccessToken   = "EAAJfakeSystemUserToken"
)

// waGraph is the WhatsApp Cloud API on loopback, in its wire format: it
// checks the bearer token, records message bodies and answers with wamids,
// and serves media by id (GET /v21.0/{id} names a URL on itself).
type waGraph struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	sent   int
	media  map[string][]byte
}

func newWAGraph(t *testing.T) *waGraph {
	g := &waGraph{media: map[string][]byte{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+waAccessToken {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"E2e"}}`)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v21.0/"+waPhoneNumberID+"/messages":
			body, _ := io.ReadAll(r.Body)
			g.bodies = append(g.bodies, string(body))
			g.sent++
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":"12065550131","wa_id":"12065550131"}],"messages":[{"id":"wamid.e2e%d"}]}`, g.sent)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v21.0/"):
			id := strings.TrimPrefix(r.URL.Path, "/v21.0/")
			fmt.Fprintf(w, `{"url":"%s/files/%s","mime_type":"image/jpeg","sha256":"x","file_size":%d,"id":%q,"messaging_product":"whatsapp"}`, g.URL, id, len(g.media[id]), id)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/files/"):
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(g.media[strings.TrimPrefix(r.URL.Path, "/files/")])
		default:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Unknown path components","type":"OAuthException","code":2500,"fbtrace_id":"E2e"}}`)
		}
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *waGraph) received() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.bodies...)
}

// waFixture returns the exact body and signature of a fixture request.
func waFixture(t *testing.T, file string) ([]byte, string) {
	t.Helper()
	r := fixturetest.LoadRequest(t, "whatsapp-cloud", file)
	return []byte(r.Body), r.Headers["X-Hub-Signature-256"]
}

func waPost(t *testing.T, url string, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.HeaderSignature, sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestWhatsAppCloudEndToEnd_webhook_in_reply_and_template_out_statuses_back(t *testing.T) {
	graph := newWAGraph(t)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"), make([]byte, 300)...)
	graph.media["1738619448210344"] = jpeg
	h := startHub(t, `listen: 127.0.0.1:0
data_dir: %DATA%
channels:
  - name: whatsapp
    type: whatsapp
    driver: cloud
    app_secret: `+waSecret+`
    verify_token: `+waVerifyToken+`
    access_token: `+waAccessToken+`
    phone_number_id: "`+waPhoneNumberID+`"
    graph_url: `+graph.URL+`
    max_body_bytes: 65536
    templates:
      - {name: order_update, language: en_US, parameters: [order number, delivery day]}
`)
	hook := h.base + "/webhooks/whatsapp"

	resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=" + waVerifyToken + "&hub.challenge=774411")
	if err != nil {
		t.Fatal(err)
	}
	challenge, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(challenge) != "774411" {
		t.Fatalf("handshake: %d %q, want 200 and the challenge", resp.StatusCode, challenge)
	}

	// Meta's deliveries as recorded: a text, a forged copy, a redelivery, a
	// photo fetched through the Graph media endpoint, an oversize body.
	for _, step := range []struct {
		file   string
		status int
	}{
		{"01_text.json", 200}, {"10_bad_signature.json", 403}, {"11_duplicate_wamid.json", 200},
		{"02_image.json", 200}, {"12_oversize_body.json", 413},
	} {
		body, sig := waFixture(t, step.file)
		if got := waPost(t, hook, body, sig); got != step.status {
			t.Fatalf("%s: status %d, want %d", step.file, got, step.status)
		}
	}

	ann := h.operator("ann@example.com", core.RoleOperator)
	convs := ann.view("unassigned")
	if len(convs) != 1 {
		t.Fatalf("unassigned = %+v, want one WhatsApp conversation", convs)
	}
	conv := convs[0].ID
	msgs := ann.fbMessages(conv)
	if len(msgs) != 2 || msgs[0].Text != "Hi, can I still change the size of order 61022?" || msgs[1].Text != "Wrong colour arrived" ||
		len(msgs[1].Attachments) != 1 || msgs[1].Attachments[0].ContentType != "image/jpeg" || msgs[1].Attachments[0].Size != int64(len(jpeg)) {
		t.Fatalf("transcript = %+v, want the text once and the photo with its caption", msgs)
	}

	// The channel's health, for operators.
	var health struct{ State, Account string }
	ann.do("GET", "/webhooks/whatsapp/status", nil, http.StatusOK, &health)
	if health.State != "connected" || health.Account != waPhoneNumberID {
		t.Fatalf("status = %+v, want connected for the phone number id", health)
	}

	// Ann replies inside the window, then with a template.
	ann.do("POST", "/api/v1/conversations/"+conv+"/assign", map[string]any{"operator": "me"}, http.StatusOK, nil)
	var reply, tpl apiMessage
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "Yes: which size?"}, http.StatusCreated, &reply)
	fbWaitStatus(t, ann, conv, reply.ID, "sent")
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "/template order_update 61022 | Tuesday"}, http.StatusCreated, &tpl)
	fbWaitStatus(t, ann, conv, tpl.ID, "sent")
	ann.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"text": "/template order_shipped 61022"}, http.StatusUnprocessableEntity, nil)
	want := []string{
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"12065550131","type":"text","text":{"preview_url":false,"body":"Yes: which size?"}}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","to":"12065550131","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"61022"},{"type":"text","text":"Tuesday"}]}]}}`,
	}
	if got := graph.received(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Cloud API got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Meta's statuses for the reply: delivered, then read.
	status := func(s string) []byte {
		return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"14155550100","phone_number_id":"%s"},"statuses":[{"id":"wamid.e2e1","status":%q,"timestamp":"%d","recipient_id":"12065550131"}]},"field":"messages"}]}]}`,
			waPhoneNumberID, s, time.Now().Unix()))
	}
	for _, s := range []string{"delivered", "read"} {
		body := status(s)
		if got := waPost(t, hook, body, whatsapp.Sign(waSecret, body)); got != http.StatusOK {
			t.Fatalf("%s status: %d", s, got)
		}
		fbWaitStatus(t, ann, conv, reply.ID, s)
	}
}

func TestWhatsmeowChannel_keeps_its_session_in_the_hub_database_and_pairs_only_for_admins(t *testing.T) {
	h := startHub(t, `listen: 127.0.0.1:0
data_dir: %DATA%
channels:
  - name: wa
    type: whatsapp
    driver: whatsmeow
    pacing: 500ms
`)
	ann := h.operator("ann@example.com", core.RoleOperator)
	var health struct{ State string }
	waitFor(t, "the whatsmeow channel to wait for pairing", func() bool {
		ann.do("GET", "/webhooks/wa/status", nil, http.StatusOK, &health)
		return health.State == "pairing"
	})
	ann.do("GET", "/webhooks/wa/pair", nil, http.StatusForbidden, nil)
	anon := &apiClient{t: t, base: h.base}
	anon.do("GET", "/webhooks/wa/pair", nil, http.StatusUnauthorized, nil)
	anon.do("GET", "/webhooks/wa/status", nil, http.StatusUnauthorized, nil)

	db, err := sql.Open("sqlite", "file:"+h.app.st.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM sqlite_master WHERE name = 'whatsmeow_device'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("whatsmeow_device in the hub's database: %d (%v), want the session store there", n, err)
	}
}

func TestWhatsAppConfigCheck_names_the_problem(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		code int
		want string
	}{
		{"whatsmeow needs nothing else", "    driver: whatsmeow\n", 0, ""},
		{"cloud, complete", "    driver: cloud\n    app_secret: s\n    verify_token: v\n    access_token: a\n    phone_number_id: \"1\"\n", 0, ""},
		{"misspelt key", "    driver: whatsmeow\n    pacign: 1s\n", 1, "pacign"},
		{"no access token", "    driver: cloud\n    app_secret: s\n    verify_token: v\n    phone_number_id: \"1\"\n", 1, "access_token is required"},
		{"a cloud key on whatsmeow", "    driver: whatsmeow\n    access_token: a\n", 1, "access_token applies to the cloud driver only"},
		{"no driver", "    pacing: 1s\n", 1, "driver is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := t.TempDir() + "/switchboard.yaml"
			writeFile(t, file, "channels:\n  - name: wa\n    type: whatsapp\n"+tc.yaml)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"config", "check", file}, &stdout, &stderr, nil)
			if code != tc.code || !strings.Contains(stdout.String(), tc.want) {
				t.Fatalf("exit %d, output %q %q; want exit %d naming %q", code, stdout.String(), stderr.String(), tc.code, tc.want)
			}
		})
	}
}

func TestWhatsAppPairCommand_refuses_what_it_cannot_pair(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/switchboard.yaml"
	writeFile(t, file, "data_dir: "+dir+"\nchannels:\n  - name: wa\n    type: whatsapp\n    driver: cloud\n    app_secret: s\n    verify_token: v\n    access_token: a\n    phone_number_id: \"1\"\n")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"whatsapp"}, 2, "whatsapp pair --channel NAME"},
		{[]string{"whatsapp", "pair", "--config", file}, 2, "whatsapp pair --channel NAME"},
		{[]string{"whatsapp", "pair", "--config", file, "--channel", "nope"}, 1, `no channel named "nope"`},
		{[]string{"whatsapp", "pair", "--config", file, "--channel", "wa"}, 1, "not a whatsapp channel with driver whatsmeow"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), tc.args, &stdout, &stderr, nil)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}
