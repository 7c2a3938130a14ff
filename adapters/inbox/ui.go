package inbox

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// uiFiles is the operator inbox: plain ES modules, hand-written CSS and one
// HTML page, served as they are (no build step).
//
//go:embed ui
var uiFiles embed.FS

// UIAssets is the path prefix the inbox's scripts, styles and icons are
// served under; the page itself is served at "/".
const UIAssets = "/app/"

// uiPolicy is the inbox page's Content-Security-Policy: scripts and styles
// only from the hub's own files (no inline code, no eval), images and
// media from the hub or from blob: URLs of files being uploaded, and no
// framing. It is a second line of defence: the UI builds every piece of
// user content with textContent, never as HTML.
const uiPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
	"media-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// uiTypes are the content types of the files in ui/; a file of another
// kind is not served.
var uiTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

type uiFile struct {
	body  []byte
	ctype string
	etag  string
}

// UI serves the operator inbox: the page at "/" and its assets under
// UIAssets. Mount it at both ("GET /{$}" and "GET /app/"). Every answer
// carries an ETag and "Cache-Control: no-cache", so browsers revalidate and
// a new binary's UI is picked up at the next load without a stale mix of
// modules.
func UI() http.Handler {
	files := map[string]uiFile{}
	// The embedded tree is fixed at build time; a walk error cannot happen
	// and would leave the UI without files, which its tests catch.
	_ = fs.WalkDir(uiFiles, "ui", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ctype, ok := uiTypes[path.Ext(p)]
		if !ok {
			return nil
		}
		b, err := uiFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		files[strings.TrimPrefix(p, "ui/")] = uiFile{
			body: b, ctype: ctype, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
		}
		return nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "index.html"
		if r.URL.Path != "/" {
			rest, ok := strings.CutPrefix(r.URL.Path, UIAssets)
			if !ok || rest == "" || rest == "index.html" {
				http.NotFound(w, r)
				return
			}
			name = rest
		}
		f, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("ETag", f.etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if name == "index.html" {
			h.Set("Content-Security-Policy", uiPolicy)
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
		}
		if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, f.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(f.body)
	})
}

// etagMatches reports whether an If-None-Match header names etag.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
