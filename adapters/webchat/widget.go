package webchat

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
)

//go:embed static/widget.js
var widgetJS []byte

// widgetView is the widget's settings as the script gets them.
type widgetView struct {
	Name        string       `json:"name"`
	Title       string       `json:"title"`
	Color       string       `json:"color"`
	Greeting    string       `json:"greeting,omitempty"`
	OfflineText string       `json:"offline_text,omitempty"`
	Locale      string       `json:"locale"`
	Features    featuresView `json:"features"`
	MaxUpload   int64        `json:"max_upload"`
	// Accept is the <input accept> of the file picker ("" accepts any).
	Accept string `json:"accept,omitempty"`
}

type featuresView struct {
	Uploads      bool `json:"uploads"`
	Voice        bool `json:"voice"`
	Rating       bool `json:"rating"`
	EmailCapture bool `json:"email_capture"`
	PrivacyMode  bool `json:"privacy_mode"`
}

func (a *Adapter) widget() widgetView {
	f := a.cfg.Features
	accept := strings.Join(a.caps.Attachments, ",")
	if slices.Contains(a.caps.Attachments, "*/*") {
		accept = ""
	}
	return widgetView{
		Name: a.name, Title: a.cfg.Title, Color: a.cfg.Color, Greeting: a.cfg.Greeting,
		OfflineText: a.cfg.OfflineText, Locale: a.cfg.Locale,
		Features: featuresView{
			Uploads: on(f.Uploads) && len(a.caps.Attachments) > 0, Voice: on(f.Voice) && a.caps.Voice,
			Rating: on(f.Rating), EmailCapture: on(f.EmailCapture), PrivacyMode: f.PrivacyMode,
		},
		MaxUpload: a.caps.MaxSize(), Accept: accept,
	}
}

// serveConfig handles GET /webchat/<name>/config: the widget's settings and
// whether an operator is online, for the launcher to show before the chat
// connects (in privacy mode, before the visitor consents).
func (a *Adapter) serveConfig(w http.ResponseWriter, r *http.Request) {
	if err := a.checkOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "origin_refused", err.Error())
		return
	}
	a.cors(w, r)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(encode(struct {
		Widget widgetView `json:"widget"`
		Online bool       `json:"online"`
	}{a.widget(), a.operatorsOnline(r.Context())}))
}

// Directory serves what every web chat widget of a hub shares: the script
// at /widget.js, which picks its widget by data-widget, and the /demo page.
// The composition root makes one, adds every webchat instance to it, and
// mounts its routes once.
type Directory struct {
	mu      sync.RWMutex
	widgets []*Adapter

	gz   []byte
	etag string
}

// NewDirectory makes an empty directory.
func NewDirectory() *Directory {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(widgetJS)
	_ = zw.Close()
	sum := sha256.Sum256(widgetJS)
	return &Directory{gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// Add lists a widget on the demo page.
func (d *Directory) Add(a *Adapter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.widgets = append(d.widgets, a)
}

// Routes returns the shared routes: GET /widget.js and GET /demo.
func (d *Directory) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /widget.js": http.HandlerFunc(d.serveScript),
		"GET /demo":      http.HandlerFunc(d.serveDemo),
	}
}

// ScriptSize returns the sizes of widget.js, plain and gzipped.
func (d *Directory) ScriptSize() (plain, gzipped int) { return len(widgetJS), len(d.gz) }

func (d *Directory) serveScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", d.etag)
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == d.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		_, _ = w.Write(d.gz)
		return
	}
	_, _ = w.Write(widgetJS)
}

// serveDemo shows a page hosting one widget: ?widget=<name>, or the first.
func (d *Directory) serveDemo(w http.ResponseWriter, r *http.Request) {
	d.mu.RLock()
	var names []string
	for _, a := range d.widgets {
		names = append(names, a.name)
	}
	d.mu.RUnlock()
	want := r.URL.Query().Get("widget")
	if want == "" && len(names) > 0 {
		want = names[0]
	}
	if !slices.Contains(names, want) {
		writePage(w, http.StatusNotFound, pageData{Title: "Web chat demo", Heading: "No such widget",
			Text: "Configure a channel of type webchat, or pick one of these:", Widgets: names})
		return
	}
	writePage(w, http.StatusOK, pageData{Title: "Web chat demo", Heading: "Web chat demo",
		Text:   "This page hosts the widget " + want + ", as any site would with one script tag. Open the chat at the bottom right.",
		Widget: want, Widgets: names})
}

// pageData fills page.
type pageData struct {
	Title, Heading, Text string
	Widget, Transfer     string
	Open                 bool
	Widgets              []string
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{background:#f3f4f6;padding:.1em .3em;border-radius:4px}</style>
<h1>{{.Heading}}</h1>
<p>{{.Text}}</p>
{{if .Widget}}<p>Embed it on a site with <code>&lt;script src="/widget.js" data-widget="{{.Widget}}" async&gt;&lt;/script&gt;</code>.</p>{{end}}
{{if gt (len .Widgets) 1}}<p>Widgets: {{range .Widgets}}<a href="/demo?widget={{.}}">{{.}}</a> {{end}}</p>{{end}}
{{if .Widget}}<script src="/widget.js" data-widget="{{.Widget}}"{{if .Transfer}} data-transfer="{{.Transfer}}"{{end}}{{if .Open}} data-open="true"{{end}} async></script>{{end}}
</html>
`))

func writePage(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // a continue link must not leak its grant
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:")
	w.WriteHeader(status)
	_ = page.Execute(w, d)
}
