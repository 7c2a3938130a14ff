package telegram

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testToken  = "7012345678:AAHtestTokenForSwitchboard_abcdefghij"
	testSecret = "tg-hook-7Qm2Rx9Lp4Vz" // the fixtures' secret token
	botUserID  = 7012345678
)

// call is one request the fake Bot API received.
type call struct {
	Method string
	Params url.Values
	// Files are the multipart file parts: field name to upload.
	Files map[string]upload
	At    time.Time
}

type upload struct {
	Filename string
	Data     []byte
}

// answer is a canned reply: the HTTP status and the JSON body.
type answer struct {
	status int
	body   string
}

// fakeBot is the Telegram Bot API as a loopback server: it speaks the Bot
// API's wire format (form or multipart requests to /bot<token>/<method>,
// {"ok":true,"result":...} and {"ok":false,"error_code":...,"description":
// ...} answers with the error code as HTTP status, files under
// /file/bot<token>/<file_path>), records every call, and answers with
// canned replies queued per method before falling back to Telegram's
// normal answers.
type fakeBot struct {
	*httptest.Server
	t *testing.T

	mu      sync.Mutex
	calls   []call
	queued  map[string][]answer
	files   map[string][]byte // file_id -> bytes
	updates []json.RawMessage // pending for getUpdates
	nextID  int               // next message_id of a sent message
	arrived chan struct{}     // signalled when updates are queued
}

func newFakeBot(t *testing.T) *fakeBot {
	t.Helper()
	f := &fakeBot{t: t, queued: map[string][]answer{}, files: map[string][]byte{}, nextID: 9001, arrived: make(chan struct{}, 1)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// config returns an adapter configuration pointed at the fake.
func (f *fakeBot) config(mode string) Config {
	cfg := Config{Token: testToken, Mode: mode, APIURL: f.URL, PollTimeout: time.Second}
	if mode == ModeWebhook {
		cfg.SecretToken = testSecret
		cfg.WebhookURL = "https://hub.example.com/webhooks/telegram"
	}
	return cfg
}

// queue makes the next calls of method answer with the given replies.
func (f *fakeBot) queue(method string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued[method] = append(f.queued[method], answer{status, body})
}

// addFile makes getFile and the file API serve data for fileID.
func (f *fakeBot) addFile(fileID string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[fileID] = data
}

// push queues updates for getUpdates.
func (f *fakeBot) push(updates ...string) {
	f.mu.Lock()
	for _, u := range updates {
		f.updates = append(f.updates, json.RawMessage(u))
	}
	f.mu.Unlock()
	select {
	case f.arrived <- struct{}{}:
	default:
	}
}

// callsOf returns the calls of method, in order.
func (f *fakeBot) callsOf(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// sent counts the messages the fake accepted (every successful send*).
func (f *fakeBot) sent() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nextID - 9001
}

func (f *fakeBot) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+testToken+"/"); ok {
		f.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if !ok || token != testToken {
		writeAnswer(w, 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	c, err := readCall(r, method)
	if err != nil {
		f.t.Errorf("fake Bot API: %s: %v", method, err)
		writeAnswer(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: unreadable request"}`)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	if q := f.queued[method]; len(q) > 0 {
		f.queued[method] = q[1:]
		f.mu.Unlock()
		writeAnswer(w, q[0].status, q[0].body)
		return
	}
	f.mu.Unlock()
	f.answer(w, r, c)
}

// readCall decodes a Bot API request, as a form or as multipart.
func readCall(r *http.Request, method string) (call, error) {
	c := call{Method: method, Params: url.Values{}, Files: map[string]upload{}, At: time.Now()}
	if r.Method != http.MethodPost {
		return c, fmt.Errorf("method %s, want POST", r.Method)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return c, err
		}
		for k, v := range r.MultipartForm.Value {
			c.Params[k] = v
		}
		for k, fhs := range r.MultipartForm.File {
			fh := fhs[0]
			f, err := fh.Open()
			if err != nil {
				return c, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return c, err
			}
			c.Files[k] = upload{Filename: fh.Filename, Data: data}
		}
	case "application/x-www-form-urlencoded", "":
		if err := r.ParseForm(); err != nil {
			return c, err
		}
		c.Params = r.PostForm
	default:
		return c, fmt.Errorf("content type %q", mt)
	}
	return c, nil
}

// answer is what Telegram says to a request that goes through.
func (f *fakeBot) answer(w http.ResponseWriter, r *http.Request, c call) {
	switch c.Method {
	case "getMe":
		writeOK(w, map[string]any{"id": botUserID, "is_bot": true, "first_name": "Larkspur Help", "username": "LarkspurHelpBot"})
	case "setWebhook":
		writeAnswer(w, 200, `{"ok":true,"result":true,"description":"Webhook was set"}`)
	case "deleteWebhook":
		writeAnswer(w, 200, `{"ok":true,"result":true,"description":"Webhook is already deleted"}`)
	case "answerCallbackQuery", "deleteMessage":
		writeAnswer(w, 200, `{"ok":true,"result":true}`)
	case "getFile":
		f.mu.Lock()
		data, ok := f.files[c.Params.Get("file_id")]
		f.mu.Unlock()
		if !ok {
			writeAnswer(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: invalid file_id"}`)
			return
		}
		id := c.Params.Get("file_id")
		writeOK(w, map[string]any{"file_id": id, "file_unique_id": "u-" + id, "file_size": len(data), "file_path": "documents/" + id + ".bin"})
	case "getUpdates":
		f.getUpdates(w, r, c)
	case "sendMessage", "sendPhoto", "sendVoice", "sendAudio", "sendVideo", "sendDocument":
		chat, err := strconv.ParseInt(c.Params.Get("chat_id"), 10, 64)
		if err != nil {
			writeAnswer(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`)
			return
		}
		f.mu.Lock()
		id := f.nextID
		f.nextID++
		f.mu.Unlock()
		msg := map[string]any{"message_id": id, "date": time.Now().Unix(),
			"from": map[string]any{"id": botUserID, "is_bot": true, "first_name": "Larkspur Help", "username": "LarkspurHelpBot"},
			"chat": map[string]any{"id": chat, "type": "private"}}
		if t := c.Params.Get("text"); t != "" {
			msg["text"] = t
		}
		if t := c.Params.Get("caption"); t != "" {
			msg["caption"] = t
		}
		writeOK(w, msg)
	default:
		writeAnswer(w, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`)
	}
}

// getUpdates answers the pending updates from offset on, forgetting those
// before it (Telegram's confirmation), after waiting up to a moment for
// some to arrive.
func (f *fakeBot) getUpdates(w http.ResponseWriter, r *http.Request, c call) {
	offset, _ := strconv.Atoi(c.Params.Get("offset"))
	deadline := time.After(200 * time.Millisecond)
	for {
		f.mu.Lock()
		var keep []json.RawMessage
		for _, u := range f.updates {
			var v struct {
				UpdateID int `json:"update_id"`
			}
			_ = json.Unmarshal(u, &v)
			if v.UpdateID >= offset {
				keep = append(keep, u)
			}
		}
		f.updates = keep
		f.mu.Unlock()
		if len(keep) > 0 {
			writeOK(w, keep)
			return
		}
		select {
		case <-f.arrived:
		case <-deadline:
			writeOK(w, []json.RawMessage{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (f *fakeBot) serveFile(w http.ResponseWriter, path string) {
	id := strings.TrimSuffix(strings.TrimPrefix(path, "documents/"), ".bin")
	f.mu.Lock()
	data, ok := f.files[id]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

func writeOK(w http.ResponseWriter, result any) {
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	writeAnswer(w, 200, string(b))
}

func writeAnswer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
