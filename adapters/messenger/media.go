package messenger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// MediaFetcher downloads an inbound attachment from the URL a webhook named.
// The caller closes the body. An error wrapped with core.Permanent means no
// retry can help (a host not allowed, an expired URL): the message is then
// stored with a placeholder. Any other error makes the webhook answer 503 so
// that Meta delivers it again.
type MediaFetcher interface {
	Fetch(ctx context.Context, rawURL string) (io.ReadCloser, error)
}

// maxRedirects bounds the redirects followed when fetching media.
const maxRedirects = 5

// httpFetcher fetches media over HTTP from allowed hosts only, redirects
// included.
type httpFetcher struct {
	client  *http.Client
	hosts   []string
	timeout time.Duration
}

func newHTTPFetcher(base *http.Client, hosts []string, timeout time.Duration) *httpFetcher {
	f := &httpFetcher{hosts: hosts, timeout: timeout}
	c := *base
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return core.Permanent(fmt.Errorf("more than %d redirects", maxRedirects))
		}
		return f.allowed(req.URL)
	}
	f.client = &c
	return f
}

// Fetch implements MediaFetcher.
func (f *httpFetcher) Fetch(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, core.Permanent(errors.New("the media URL does not parse"))
	}
	if err := f.allowed(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, core.Permanent(fmt.Errorf("build request: %w", err))
	}
	resp, err := f.client.Do(req)
	if err != nil {
		cancel()
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the signed URL
		}
		if core.IsPermanent(err) {
			return nil, err
		}
		return nil, fmt.Errorf("fetch from %s: %w", u.Host, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		cancel()
		err := fmt.Errorf("%s answered %s", u.Host, resp.Status)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout {
			return nil, err
		}
		return nil, core.Permanent(err)
	}
	return cancelOnClose{ReadCloser: resp.Body, cancel: cancel}, nil
}

// allowed admits http and https URLs on the configured hosts; an entry
// "*.example.com" admits every subdomain of example.com.
func (f *httpFetcher) allowed(u *url.URL) error {
	if u.Scheme != "https" && u.Scheme != "http" {
		return core.Permanent(fmt.Errorf("media URL scheme %q is not http or https", meta.Clip(u.Scheme, 20)))
	}
	if !hostAllowed(f.hosts, u.Hostname()) {
		return core.Permanent(fmt.Errorf("media host %q is not in media_hosts", meta.Clip(u.Hostname(), 80)))
	}
	return nil
}

func hostAllowed(hosts []string, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return false
	}
	for _, h := range hosts {
		h = strings.ToLower(h)
		if suffix, ok := strings.CutPrefix(h, "*"); ok {
			if strings.HasSuffix(host, suffix) && len(host) > len(suffix) {
				return true
			}
			continue
		}
		if host == h {
			return true
		}
	}
	return false
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// mediaFilename is the last element of a media URL's path, which Messenger
// makes the file's name, or the attachment type when there is none.
func mediaFilename(m media) string {
	if u, err := url.Parse(m.URL); err == nil {
		if name := core.CleanFilename(path.Base(u.Path)); name != "" && name != "/" {
			return name
		}
	}
	return m.Type
}
