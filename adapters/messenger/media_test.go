package messenger

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

func TestHostAllowed(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"scontent.xx.fbcdn.net", true},
		{"SCONTENT-ams2-1.XX.FBCDN.NET", true},
		{"scontent.xx.fbcdn.net.", true},
		{"fbcdn.net", false}, // "*.fbcdn.net" admits subdomains only
		{"evilfbcdn.net", false},
		{"fbcdn.net.evil.example", false},
		{"cdn.fbsbx.com", true},
		{"x.cdn.fbsbx.com", false},
		{"lookaside.fbsbx.com", true},
		{"", false},
	}
	for _, tc := range tests {
		if got := hostAllowed(DefaultMediaHosts, tc.host); got != tc.want {
			t.Errorf("hostAllowed(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestHTTPFetcher_follows_redirects_only_to_allowed_hosts(t *testing.T) {
	var other *httptest.Server
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/file.jpg", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/file.jpg", http.StatusFound)
		default:
			w.Write(cdnFiles[".jpg"])
		}
	}))
	defer cdn.Close()
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the fetcher followed a redirect to a host not allowed")
	}))
	defer other.Close()
	// Both servers are on 127.0.0.1; "localhost" names the other one.
	other.URL = "http://localhost:" + other.Listener.Addr().String()[len("127.0.0.1:"):]
	f := newHTTPFetcher(&http.Client{}, []string{"127.0.0.1"}, 5*time.Second)

	body, err := f.Fetch(context.Background(), cdn.URL+"/moved")
	if err != nil {
		t.Fatalf("redirect on the same host: %v", err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	if string(data) != string(cdnFiles[".jpg"]) {
		t.Fatalf("got %d bytes, want the file", len(data))
	}
	if _, err := f.Fetch(context.Background(), cdn.URL+"/away"); !core.IsPermanent(err) {
		t.Fatalf("redirect to another host: err = %v, want a permanent refusal", err)
	}
	if _, err := f.Fetch(context.Background(), "file:///etc/passwd"); !core.IsPermanent(err) {
		t.Fatalf("file URL: err = %v, want a permanent refusal", err)
	}
}

func TestMediaFilename(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://cdn.fbsbx.com/v/t59/482100955_n.mp4/audioclip-1741863600101-4820.mp4?_nc_cat=108", "audioclip-1741863600101-4820.mp4"},
		{"https://scontent.xx.fbcdn.net/", "image"},
		{"https://scontent.xx.fbcdn.net", "image"},
	} {
		if got := mediaFilename(media{Type: "image", URL: tc.url}); got != tc.want {
			t.Errorf("mediaFilename(%s) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
