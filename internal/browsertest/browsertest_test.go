package browsertest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-hq/switchboard/internal/browsertest"
)

func TestBrowser_renders_a_loopback_page_and_runs_its_script(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><p id="out">waiting</p><script>document.getElementById("out").textContent = "ran"</script>`)
	}))
	defer srv.Close()
	ctx := browsertest.Start(t).Context(t, 30*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text("#out"))
	if err != nil {
		t.Fatal(err)
	}
	if got != "ran" {
		t.Fatalf("text = %q, want %q", got, "ran")
	}
}

func TestBrowser_contexts_are_isolated_like_two_people(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><p id="out"></p><script>
document.getElementById("out").textContent = localStorage.getItem("who") || "nobody";
localStorage.setItem("who", "first");</script>`)
	}))
	defer srv.Close()
	b := browsertest.Start(t)
	first, second := b.Context(t, 30*time.Second), b.Context(t, 30*time.Second)
	for _, ctx := range []context.Context{first, second} {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Text("#out"))
		if err != nil {
			t.Fatal(err)
		}
		if got != "nobody" {
			t.Fatalf("a fresh context saw %q in localStorage, want nobody", got)
		}
	}
}
