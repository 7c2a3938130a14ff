package sms

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// twilioAnswer is a scripted answer of the fake Twilio API.
type twilioAnswer struct {
	status     int
	retryAfter string
	code       int
	message    string
}

// fetchedMedium is what the fake Twilio got from a MediaUrl.
type fetchedMedium struct {
	status      int
	contentType string
	body        []byte
}

// twilioPost is one Messages.json request the fake Twilio received.
type twilioPost struct {
	form    url.Values
	header  http.Header
	at      time.Time
	fetched []fetchedMedium
}

// fakeTwilio speaks Twilio's REST API: POST Messages.json (form-encoded,
// basic auth, 201 with the message resource or an error body), and GET of
// MMS media, answered like Twilio with a redirect to its storage. Like
// Twilio it fetches every MediaUrl of an accepted message.
type fakeTwilio struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	answers []twilioAnswer
	posts   []twilioPost
	media   map[string][]byte // media path -> bytes
	types   map[string]string // media path -> Content-Type
	gets    []string          // media paths requested with valid credentials
	n       int
}

func newFakeTwilio(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{t: t, media: map[string][]byte{}, types: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", f.messages)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages/{msid}/Media/{mid}", f.mediaGet)
	mux.HandleFunc("GET /s3/{path...}", f.storage)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// script queues answers for the next Messages.json requests.
func (f *fakeTwilio) script(a ...twilioAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, a...)
}

// addMedium serves data of contentType at the path of mediaURL.
func (f *fakeTwilio) addMedium(mediaURL, contentType string, data []byte) {
	u, err := url.Parse(mediaURL)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[u.Path], f.types[u.Path] = data, contentType
}

func (f *fakeTwilio) received() []twilioPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]twilioPost(nil), f.posts...)
}

func (f *fakeTwilio) mediaRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.gets...)
}

// accepted counts the messages answered 201.
func (f *fakeTwilio) accepted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.posts {
		if p.header.Get("X-Fake-Answer") == "201" {
			n++
		}
	}
	return n
}

func twilioJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func twilioErrorBody(w http.ResponseWriter, status, code int, message string) {
	twilioJSON(w, status, map[string]any{
		"code": code, "message": message, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

func (f *fakeTwilio) authorised(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	return ok && user == testSID && pass == testToken && r.PathValue("sid") == testSID
}

func (f *fakeTwilio) messages(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(r) {
		twilioErrorBody(w, http.StatusUnauthorized, 20003, "Authentication Error - invalid username")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		twilioErrorBody(w, http.StatusBadRequest, 20001, "Unsupported Content-Type "+ct)
		return
	}
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil {
		twilioErrorBody(w, http.StatusBadRequest, 20001, "Malformed form body")
		return
	}
	post := twilioPost{form: form, header: r.Header.Clone(), at: time.Now()}
	f.mu.Lock()
	var a *twilioAnswer
	if len(f.answers) > 0 {
		a = &f.answers[0]
		f.answers = f.answers[1:]
	}
	f.n++
	sid := fmt.Sprintf("SM%032x", f.n)
	f.mu.Unlock()

	if a != nil && a.status != 0 && a.status != http.StatusCreated {
		post.header.Set("X-Fake-Answer", fmt.Sprint(a.status))
		f.record(post)
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		twilioErrorBody(w, a.status, a.code, a.message)
		return
	}
	for _, mu := range form["MediaUrl"] {
		post.fetched = append(post.fetched, fetchURL(f.t, mu))
	}
	post.header.Set("X-Fake-Answer", "201")
	f.record(post)
	var from any
	if v := form.Get("From"); v != "" {
		from = v
	}
	status := "queued"
	if form.Get("MessagingServiceSid") != "" {
		status = "accepted"
	}
	twilioJSON(w, http.StatusCreated, map[string]any{
		"account_sid": testSID, "api_version": "2010-04-01", "body": form.Get("Body"),
		"date_created": time.Now().UTC().Format(time.RFC1123Z), "date_sent": nil, "date_updated": time.Now().UTC().Format(time.RFC1123Z),
		"direction": "outbound-api", "error_code": nil, "error_message": nil, "from": from,
		"messaging_service_sid": form.Get("MessagingServiceSid"), "num_media": fmt.Sprint(len(form["MediaUrl"])),
		"num_segments": "1", "price": nil, "price_unit": "USD", "sid": sid, "status": status, "to": form.Get("To"),
		"uri":              "/2010-04-01/Accounts/" + testSID + "/Messages/" + sid + ".json",
		"subresource_uris": map[string]string{"media": "/2010-04-01/Accounts/" + testSID + "/Messages/" + sid + "/Media.json"},
	})
}

func (f *fakeTwilio) record(p twilioPost) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, p)
}

// mediaGet answers like Twilio: 401 without the account credentials, 404
// for unknown media, else a redirect to the storage copy.
func (f *fakeTwilio) mediaGet(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(r) {
		twilioErrorBody(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	f.mu.Lock()
	_, ok := f.media[r.URL.Path]
	if ok {
		f.gets = append(f.gets, r.URL.Path)
	}
	f.mu.Unlock()
	if !ok {
		twilioErrorBody(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	http.Redirect(w, r, "/s3"+r.URL.Path, http.StatusTemporaryRedirect)
}

func (f *fakeTwilio) storage(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/s3")
	f.mu.Lock()
	data, ok := f.media[p]
	typ := f.types[p]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	_, _ = w.Write(data)
}

// fetchURL GETs u as a provider fetching media would.
func fetchURL(t *testing.T, u string) fetchedMedium {
	resp, err := http.Get(u)
	if err != nil {
		t.Errorf("fetch media %s: %v", u, err)
		return fetchedMedium{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fetchedMedium{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}
}
