package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// maxAnswerBytes bounds what is read of a Graph API answer.
const maxAnswerBytes = 64 << 10

// rateLimitCodes are Graph error codes that mean "too many calls, try
// later": API too many calls (4), user request limit (17), page request
// limit (32), rate limit (613); and Messenger's temporary failures: unknown
// error (1), service unavailable (2), temporary send failure (1200).
var rateLimitCodes = map[int]bool{1: true, 2: true, 4: true, 17: true, 32: true, 613: true, 1200: true}

// graphClient calls the Send API of one page.
type graphClient struct {
	client   *http.Client
	endpoint string // {graph_url}/{version}/me/messages
	query    string // access_token and appsecret_proof
	timeout  time.Duration
}

func newGraphClient(c *http.Client, cfg Config) *graphClient {
	proof := hmac.New(sha256.New, []byte(cfg.AppSecret))
	proof.Write([]byte(cfg.PageToken))
	q := url.Values{
		"access_token":    {cfg.PageToken},
		"appsecret_proof": {hex.EncodeToString(proof.Sum(nil))},
	}
	return &graphClient{
		client:   c,
		endpoint: cfg.GraphURL + "/" + cfg.GraphVersion + "/me/messages",
		query:    q.Encode(),
		timeout:  cfg.Timeout,
	}
}

// sendAnswer is the Send API's answer to an accepted message.
type sendAnswer struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// send POSTs one Send API request and returns the message id Messenger gave
// it. Errors follow core.Channel: *GraphError wrapped with core.Permanent
// for refusals, plain for rate limits, 5xx and transport failures.
func (g *graphClient) send(ctx context.Context, contentType string, body []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.endpoint+"?"+g.query, bytes.NewReader(body))
	if err != nil {
		return "", core.Permanent(fmt.Errorf("build Send API request: %w", err))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := g.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL with the access token
		}
		return "", fmt.Errorf("messenger send api: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode/100 != 2 {
		return "", graphError(resp.StatusCode, answer)
	}
	var a sendAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		// Accepted: the message went out, even if its id is lost.
		return "", nil
	}
	return a.MessageID, nil
}

// GraphError is an error answer of the Graph API:
// {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}.
type GraphError struct {
	Status    int    // HTTP status
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
	Transient bool   `json:"is_transient"`
}

// Temporary reports whether retrying later may succeed: HTTP 429 and 5xx,
// rate-limit codes, and errors Meta marks transient.
func (e *GraphError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 || rateLimitCodes[e.Code] || e.Transient
}

// Error is the provider's message with its codes, fit to show an operator.
func (e *GraphError) Error() string {
	var b strings.Builder
	if e.Temporary() {
		fmt.Fprintf(&b, "Messenger answered %d: ", e.Status)
	} else {
		b.WriteString("Messenger refused the message: ")
	}
	b.WriteString(e.Message)
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, ", subcode %d", e.Subcode)
		}
		b.WriteString(")")
	}
	return b.String()
}

// graphError reads an error answer; see GraphError.Temporary for which are
// retried.
func graphError(status int, answer []byte) error {
	var body struct {
		Error *GraphError `json:"error"`
	}
	_ = json.Unmarshal(answer, &body) // not JSON: described below
	e := body.Error
	if e == nil {
		e = &GraphError{}
	}
	e.Status = status
	if e.Message = strings.TrimSpace(strings.ToValidUTF8(e.Message, "")); e.Message == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = fmt.Sprintf("HTTP %d", status)
		}
	}
	e.Message = clip(e.Message, 500)
	if e.Temporary() {
		return e
	}
	return core.Permanent(e)
}
