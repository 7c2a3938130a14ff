package whatsapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The fixtures README's app secret, the fixtures' business number, and
// made-up tokens.
const (
	testSecret        = "a93e0b7c41d26f58e17b3c9d20f4a6e1"
	testPhoneNumberID = "106183529041772"
	testVerifyToken   = "wa-verify-5Rt8"
	testAccessToken   = "EAAJtestsystemusertoken"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// Sample files, as the blob store sniffs them.
var (
	sampleJPEG = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01"), make([]byte, 64)...)
	samplePNG  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	// An Ogg page header (27 bytes), a one-entry segment table, OpusHead.
	sampleOgg  = append(append([]byte("OggS\x00\x02"), make([]byte, 20)...), "\x01\x13OpusHead\x01\x01"...)
	sampleMP3  = append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 32)...)
	sampleMP4  = []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
	samplePDF  = []byte("%PDF-1.4\n%%EOF\n")
	sampleFile = map[string][]byte{
		"image/png": samplePNG, "image/jpeg": sampleJPEG, "audio/ogg": sampleOgg, "audio/mpeg": sampleMP3,
		"video/mp4": sampleMP4, "application/pdf": samplePDF,
	}
)

// graphRequest is one request the fake Cloud API received.
type graphRequest struct {
	Method string
	Path   string
	Body   []byte
	// Form holds the fields of a media upload; File is its file.
	Form     map[string]string
	File     []byte
	FileName string
	FileType string
}

// graphAnswer is a queued answer of the fake: an HTTP status and body; the
// zero answer accepts the message as usual.
type graphAnswer struct {
	status int
	body   string
}

// fakeGraph is the WhatsApp Cloud API on loopback, in its wire format: it
// checks the bearer token; POST /v21.0/{phone-number-id}/messages answers
// the queued answers first, then {"messaging_product", "contacts",
// "messages": [{"id"}]} with the queued ids (then wamid.fakeNNNN); POST
// .../media stores an upload; GET /v21.0/{media-id} describes a stored
// medium with a URL on this server, which serves its bytes.
type fakeGraph struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []graphRequest
	answers []graphAnswer
	ids     []string
	sent    int
	media   map[string]struct {
		mime string
		data []byte
	}
	fetched []string // media ids whose bytes were downloaded
}

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{media: map[string]struct {
		mime string
		data []byte
	}{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

// addMedia makes a medium the webhook may name.
func (g *fakeGraph) addMedia(id, mimeType string, data []byte) {
	g.mu.Lock()
	g.media[id] = struct {
		mime string
		data []byte
	}{mimeType, data}
	g.mu.Unlock()
}

func (g *fakeGraph) answer(as ...graphAnswer) {
	g.mu.Lock()
	g.answers = append(g.answers, as...)
	g.mu.Unlock()
}

// nextIDs makes the next accepted messages get these wamids.
func (g *fakeGraph) nextIDs(ids ...string) {
	g.mu.Lock()
	g.ids = append(g.ids, ids...)
	g.mu.Unlock()
}

func (g *fakeGraph) requests() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphRequest(nil), g.reqs...)
}

// messages returns the bodies of the message requests, in order.
func (g *fakeGraph) messages() []string {
	var out []string
	for _, r := range g.requests() {
		if strings.HasSuffix(r.Path, "/messages") {
			out = append(out, string(r.Body))
		}
	}
	return out
}

func (g *fakeGraph) delivered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent
}

func (g *fakeGraph) downloads() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.fetched...)
}

func graphFail(w http.ResponseWriter, status int, code int, message string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"fbtrace_id":"AbCdEf1"}}`, message, code)
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if r.Header.Get("Authorization") != "Bearer "+testAccessToken {
		graphFail(w, http.StatusUnauthorized, 190, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	base := "/v21.0/" + testPhoneNumberID
	switch {
	case r.Method == http.MethodPost && r.URL.Path == base+"/messages":
		g.serveMessage(w, r)
	case r.Method == http.MethodPost && r.URL.Path == base+"/media":
		g.serveUpload(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v21.0/"):
		g.serveMediaInfo(w, strings.TrimPrefix(r.URL.Path, "/v21.0/"))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/media/"):
		g.serveMediaBytes(w, strings.TrimPrefix(r.URL.Path, "/media/"))
	default:
		graphFail(w, http.StatusBadRequest, 2500, "Unknown path components: "+r.URL.Path)
	}
}

func (g *fakeGraph) serveMessage(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Product string `json:"messaging_product"`
		To      string `json:"to"`
		Status  string `json:"status"`
	}
	if json.Unmarshal(body, &req) != nil || req.Product != "whatsapp" {
		graphFail(w, http.StatusBadRequest, 100, "(#100) The parameter messaging_product is required.")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reqs = append(g.reqs, graphRequest{Method: r.Method, Path: r.URL.Path, Body: body})
	if len(g.answers) > 0 {
		a := g.answers[0]
		g.answers = g.answers[1:]
		if a.status != 0 { // the zero answer accepts as usual
			w.WriteHeader(a.status)
			io.WriteString(w, a.body)
			return
		}
	}
	if req.Status == "read" {
		io.WriteString(w, `{"success":true}`)
		return
	}
	g.sent++
	id := fmt.Sprintf("wamid.fake%04d", g.sent)
	if len(g.ids) > 0 {
		id, g.ids = g.ids[0], g.ids[1:]
	}
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":%q}]}`, req.To, req.To, id)
}

func (g *fakeGraph) serveUpload(w http.ResponseWriter, r *http.Request) {
	req := graphRequest{Method: r.Method, Path: r.URL.Path, Form: map[string]string{}}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		graphFail(w, http.StatusBadRequest, 100, "(#100) Param file must be a file upload")
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(p)
		if p.FormName() == "file" {
			req.File, req.FileName, req.FileType = data, p.FileName(), p.Header.Get("Content-Type")
			continue
		}
		req.Form[p.FormName()] = string(data)
	}
	if req.Form["messaging_product"] != "whatsapp" || req.File == nil {
		graphFail(w, http.StatusBadRequest, 100, "(#100) Param file must be a file upload")
		return
	}
	g.mu.Lock()
	g.reqs = append(g.reqs, req)
	id := fmt.Sprintf("upload%d", len(g.reqs))
	g.mu.Unlock()
	fmt.Fprintf(w, `{"id":%q}`, id)
}

func (g *fakeGraph) serveMediaInfo(w http.ResponseWriter, id string) {
	g.mu.Lock()
	m, ok := g.media[id]
	g.mu.Unlock()
	if !ok {
		graphFail(w, http.StatusNotFound, 100, "(#100) Invalid parameter")
		return
	}
	fmt.Fprintf(w, `{"url":"%s/media/%s","mime_type":%q,"sha256":"x","file_size":%d,"id":%q,"messaging_product":"whatsapp"}`,
		g.URL, id, m.mime, len(m.data), id)
}

func (g *fakeGraph) serveMediaBytes(w http.ResponseWriter, id string) {
	g.mu.Lock()
	m, ok := g.media[id]
	if ok {
		g.fetched = append(g.fetched, id)
	}
	g.mu.Unlock()
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", m.mime)
	w.Write(m.data)
}

// cloudEnv is a cloud-driver adapter on a real hub and the fake Cloud API.
type cloudEnv struct {
	*hubEnv
	graph   *fakeGraph
	adapter *Adapter
}

func cloudConfig(graphURL string) Config {
	return Config{
		Driver: DriverCloud, AppSecret: testSecret, VerifyToken: testVerifyToken, AccessToken: testAccessToken,
		PhoneNumberID: testPhoneNumberID, GraphURL: graphURL, MaxBodyBytes: 65536,
		Templates: []Template{
			{Name: "order_update", Language: "en_US", Parameters: []string{"order number", "delivery day"}},
			{Name: "hello_again", Language: "en"},
		},
	}
}

// newCloudEnv builds the adapter from cloudConfig changed by edit.
func newCloudEnv(t *testing.T, edit func(*Config)) *cloudEnv {
	t.Helper()
	e := &cloudEnv{hubEnv: newHubEnv(t), graph: newFakeGraph(t)}
	cfg := cloudConfig(e.graph.URL)
	if edit != nil {
		edit(&cfg)
	}
	var err error
	if e.adapter, err = New(testChannel, cfg, e.deps()); err != nil {
		t.Fatalf("New: %v", err)
	}
	e.start(e.adapter)
	return e
}

// post sends body to the webhook signed with the app secret, or with sig.
func (e *cloudEnv) post(body []byte, sig ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/whatsapp", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	s := signBody(body)
	if len(sig) > 0 {
		s = sig[0]
	}
	if s != "" {
		req.Header.Set("X-Hub-Signature-256", s)
	}
	return e.serve(req)
}

func (e *cloudEnv) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.adapter.Handler().ServeHTTP(rec, req)
	return rec
}

// waBody wraps messages and statuses (JSON arrays' contents) in a webhook
// body for the test number, as Meta sends it.
func waBody(contacts, messages, statuses string) []byte {
	v := `"messaging_product":"whatsapp","metadata":{"display_phone_number":"14155550100","phone_number_id":"` + testPhoneNumberID + `"}`
	if contacts != "" {
		v += `,"contacts":[` + contacts + `]`
	}
	if messages != "" {
		v += `,"messages":[` + messages + `]`
	}
	if statuses != "" {
		v += `,"statuses":[` + statuses + `]`
	}
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"112650394871236","changes":[{"value":{` + v + `},"field":"messages"}]}]}`)
}

// kemal is the fixtures' first contact.
const kemal = `{"profile":{"name":"Kemal Arslan"},"wa_id":"12065550131"}`

// textMessage is a text from Kemal.
func textMessage(id, text string, ts int64) string {
	b, _ := json.Marshal(text)
	return fmt.Sprintf(`{"from":"12065550131","id":%q,"timestamp":"%d","text":{"body":%s},"type":"text"}`, id, ts, b)
}
