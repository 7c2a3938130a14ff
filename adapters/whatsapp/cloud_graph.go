package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
	"github.com/switchboard-hq/switchboard/core"
)

// maxAnswerBytes bounds what is read of a Graph API answer.
const maxAnswerBytes = 64 << 10

// temporaryCodes are Graph and Cloud API error codes that mean "try again
// later": unknown error (1), service unavailable (2), API too many calls
// (4, 17, 32, 613, 80007), cloud throughput (130429), unknown send error
// (131000), service unavailable (131016), spam rate limit (131048), pair
// rate limit (131056), business account under maintenance (131057) and
// server temporarily unavailable (133004).
var temporaryCodes = map[int]bool{
	1: true, 2: true, 4: true, 17: true, 32: true, 613: true, 80007: true,
	130429: true, 131000: true, 131016: true, 131048: true, 131056: true, 131057: true, 133004: true,
}

// mediaHosts are where Meta serves media URLs; the bearer token is sent
// only there, or to the Graph host itself.
var mediaHosts = []string{"lookaside.fbsbx.com", ".fbsbx.com", ".whatsapp.net", ".fbcdn.net"}

// graphClient calls the Cloud API for one business phone number.
type graphClient struct {
	client    *http.Client
	base      string // {graph_url}/{version}
	graphHost string
	number    string // phone number id
	token     string
	timeout   time.Duration
}

func newGraphClient(c *http.Client, cfg Config) *graphClient {
	host := ""
	if u, err := url.Parse(cfg.GraphURL); err == nil {
		host = u.Host
	}
	return &graphClient{
		client: c, base: cfg.GraphURL + "/" + cfg.GraphVersion, graphHost: host,
		number: cfg.PhoneNumberID, token: cfg.AccessToken, timeout: cfg.Timeout,
	}
}

// messageAnswer is the answer to an accepted message.
type messageAnswer struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// sendMessage POSTs one /{phone_number_id}/messages request and returns the
// wamid WhatsApp gave the message. Errors follow core.Channel.
func (g *graphClient) sendMessage(ctx context.Context, body []byte) (string, error) {
	answer, err := g.do(ctx, http.MethodPost, g.base+"/"+g.number+"/messages", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	var a messageAnswer
	if json.Unmarshal(answer, &a) != nil || len(a.Messages) == 0 {
		return "", nil // accepted: the message went out, even if its id is lost
	}
	return a.Messages[0].ID, nil
}

// upload stores a file at Meta for sending (POST /{phone_number_id}/media)
// and returns its media id.
func (g *graphClient) upload(ctx context.Context, filename, mimeType string, r io.Reader, limit int64) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range [][2]string{{"messaging_product", "whatsapp"}, {"type", mimeType}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return "", core.Permanent(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quoteEscaper.Replace(filename)))
	h.Set("Content-Type", mimeType)
	w, err := mw.CreatePart(h)
	if err != nil {
		return "", core.Permanent(err)
	}
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if err != nil {
		return "", fmt.Errorf("read attachment %s: %w", filename, err)
	}
	if n > limit {
		return "", core.Permanent(fmt.Errorf("attachment %s is larger than %s", filename, megabytes(limit)))
	}
	if err := mw.Close(); err != nil {
		return "", core.Permanent(err)
	}
	answer, err := g.do(ctx, http.MethodPost, g.base+"/"+g.number+"/media", mw.FormDataContentType(), &buf)
	if err != nil {
		return "", err
	}
	var a struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(answer, &a) != nil || a.ID == "" {
		return "", fmt.Errorf("whatsapp media upload: answer without id: %s", meta.Clip(string(answer), 200))
	}
	return a.ID, nil
}

// mediaInfo is the Graph media endpoint's description of a file.
type mediaInfo struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	FileSize int64  `json:"file_size"`
}

// media asks where media id can be downloaded (GET /{version}/{media-id}).
func (g *graphClient) media(ctx context.Context, id string) (mediaInfo, error) {
	answer, err := g.do(ctx, http.MethodGet, g.base+"/"+url.PathEscape(id), "", nil)
	var ge *GraphError
	if core.IsPermanent(err) && errors.As(err, &ge) {
		return mediaInfo{}, core.Permanent(fmt.Errorf("Meta no longer has the file: %s", ge.Message))
	}
	if err != nil {
		return mediaInfo{}, err
	}
	var m mediaInfo
	if err := json.Unmarshal(answer, &m); err != nil || m.URL == "" {
		return mediaInfo{}, core.Permanent(fmt.Errorf("the media endpoint gave no URL for %s", meta.Clip(id, 40)))
	}
	return m, nil
}

// download fetches a media URL with the bearer token; the caller closes the
// body. Errors are permanent when no retry can help (a host that is not
// Meta's, an expired file).
func (g *graphClient) download(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, core.Permanent(errors.New("the media URL is not an http or https URL"))
	}
	if !g.mediaHost(u.Host) {
		return nil, core.Permanent(fmt.Errorf("media host %q is not Meta's", meta.Clip(u.Hostname(), 80)))
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, core.Permanent(fmt.Errorf("build media request: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := g.client.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("whatsapp media from %s: %w", u.Host, unwrapURL(err))
	}
	if resp.StatusCode/100 != 2 {
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

func (g *graphClient) mediaHost(host string) bool {
	if host == g.graphHost {
		return true
	}
	name := strings.ToLower(strings.TrimSuffix(strings.Split(host, ":")[0], "."))
	for _, h := range mediaHosts {
		if name == h || (strings.HasPrefix(h, ".") && strings.HasSuffix(name, h)) {
			return true
		}
	}
	return false
}

// do makes one Graph call with the access token and returns the answer of
// a 2xx. Errors follow core.Channel: *GraphError wrapped with
// core.Permanent for refusals, plain for rate limits, 5xx and transport
// failures.
func (g *graphClient) do(ctx context.Context, method, rawURL, contentType string, body io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, core.Permanent(fmt.Errorf("build Graph request: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp cloud api: %w", unwrapURL(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode/100 != 2 {
		return nil, graphError(resp.StatusCode, answer)
	}
	return answer, nil
}

// GraphError is an error answer of the Graph API.
type GraphError = meta.GraphError

// graphError reads an error answer; see GraphError.Temporary for which are
// retried.
func graphError(status int, answer []byte) error {
	return meta.ParseGraphError("WhatsApp", status, answer, temporaryCodes)
}

// unwrapURL drops *url.Error's text, which repeats the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
