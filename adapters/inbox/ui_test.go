package inbox_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
)

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestUI_serves_the_page_with_a_strict_content_security_policy(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(inbox.UI())
	defer srv.Close()
	res, body := get(t, srv.URL+"/", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / got = %d %s, want 200 text/html", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy %q allows inline code or eval", csp)
	}
	if !strings.Contains(body, `<script type="module" src="/app/js/main.js">`) {
		t.Errorf("the page does not load /app/js/main.js as a module:\n%s", body)
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(body) {
		t.Errorf("the page has an inline script, which its policy forbids:\n%s", body)
	}
}

func TestUI_assets_have_their_types_and_revalidate_by_etag(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(inbox.UI())
	defer srv.Close()
	tests := []struct {
		path, ctype string
	}{
		{"/app/js/main.js", "text/javascript; charset=utf-8"},
		{"/app/app.css", "text/css; charset=utf-8"},
		{"/app/icon.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		res, body := get(t, srv.URL+tt.path, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tt.ctype || body == "" {
			t.Errorf("GET %s got = %d %q (%d bytes), want 200 %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), len(body), tt.ctype)
			continue
		}
		etag := res.Header.Get("ETag")
		if etag == "" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: ETag %q, Cache-Control %q; want an ETag and no-cache", tt.path, etag, res.Header.Get("Cache-Control"))
		}
		again, _ := get(t, srv.URL+tt.path, map[string]string{"If-None-Match": etag})
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match got = %d, want 304", tt.path, again.StatusCode)
		}
	}
	for _, p := range []string{"/app/", "/app/missing.js", "/app/index.html", "/elsewhere"} {
		if res, _ := get(t, srv.URL+p, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s got = %d, want 404", p, res.StatusCode)
		}
	}
}

// The UI builds user content with text nodes only. These calls parse
// strings as HTML or code; none may appear in its scripts.
var htmlSinks = regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|createContextualFragment|DOMParser`)

// importPath matches the module specifiers of static and dynamic imports.
var importPath = regexp.MustCompile(`(?:from\s+|import\(\s*)"(\./[^"]+)"`)

func TestUI_scripts_never_parse_strings_as_HTML_and_every_import_resolves(t *testing.T) {
	t.Parallel()
	ui := os.DirFS("ui")
	files := map[string]bool{}
	_ = fs.WalkDir(ui, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[p] = true
		}
		return err
	})
	srv := httptest.NewServer(inbox.UI())
	defer srv.Close()
	modules := 0
	for p := range files {
		if path.Ext(p) != ".js" {
			continue
		}
		modules++
		b, err := fs.ReadFile(ui, p)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if m := htmlSinks.FindString(src); m != "" {
			t.Errorf("%s uses %s", p, m)
		}
		for _, m := range importPath.FindAllStringSubmatch(src, -1) {
			target := path.Join(path.Dir(p), m[1])
			if !files[target] {
				t.Errorf("%s imports %s, which does not exist", p, m[1])
			}
		}
		if res, _ := get(t, srv.URL+"/app/"+p, nil); res.StatusCode != http.StatusOK {
			t.Errorf("the embedded UI does not serve %s: %d", p, res.StatusCode)
		}
	}
	if modules < 10 {
		t.Errorf("found %d modules in ui/, want the whole inbox", modules)
	}
	_, page := get(t, srv.URL+"/", nil)
	for _, m := range regexp.MustCompile(`href="/app/([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !files[m[1]] {
			t.Errorf("index.html links /app/%s, which does not exist", m[1])
		}
	}
}
