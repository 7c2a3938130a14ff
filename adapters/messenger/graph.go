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
	"time"

	"github.com/switchboard-hq/switchboard/adapters/internal/meta"
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

// GraphError is an error answer of the Graph API.
type GraphError = meta.GraphError

// graphError reads an error answer; see GraphError.Temporary for which are
// retried.
func graphError(status int, answer []byte) error {
	return meta.ParseGraphError("Messenger", status, answer, rateLimitCodes)
}
