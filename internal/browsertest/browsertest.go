// Package browsertest starts headless Chromium for the tests that drive the
// inbox and the web chat in a real browser, through chromedp.
//
// Tests skip when Chromium is absent, and fail instead when
// SWITCHBOARD_TEST_REQUIRE names "chromium".
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-hq/switchboard/internal/testenv"
)

// Path finds the Chromium binary: $CHROMIUM, then chromium and
// chromium-browser on PATH.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium process.
type Browser struct {
	alloc context.Context
	// first is the context that started the process; later contexts are
	// new browser contexts inside it (one process per profile directory).
	first context.Context
}

// Start launches Chromium for the test and stops it when the test ends.
func Start(t *testing.T) *Browser {
	t.Helper()
	path := Path()
	testenv.Need(t, "chromium", path != "", "no chromium binary (apt-get install -y chromium)")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return &Browser{alloc: alloc}
}

// Context opens a new, isolated browser context (its own cookies and
// storage, like a second person at another computer) with one tab, closed
// when the test ends. Every action on it times out after timeout.
func (b *Browser) Context(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	var ctx context.Context
	var cancel context.CancelFunc
	if b.first == nil {
		ctx, cancel = chromedp.NewContext(b.alloc)
		b.first = ctx
	} else {
		ctx, cancel = chromedp.NewContext(b.first, chromedp.WithNewBrowserContext())
	}
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser (first call) and the tab
		testenv.Need(t, "chromium", false, err.Error())
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelTimeout)
	return ctx
}
