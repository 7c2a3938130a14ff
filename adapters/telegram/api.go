package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxRateRetries bounds how often one request is repeated after 429 answers.
const maxRateRetries = 3

// api calls the Bot API through the library. The library builds requests
// without a context, so every call gets a BotAPI of its own whose HTTP client
// attaches the call's context and notes the answer's status code (the
// library drops error_code on uploads).
type api struct {
	token    string
	endpoint string // "<api_url>/bot%s/%s", the library's format
	files    string // "<api_url>/file/bot<token>/"
	client   *http.Client
	timeout  time.Duration
}

func newAPI(cfg Config, client *http.Client) *api {
	return &api{
		token:    cfg.Token,
		endpoint: cfg.APIURL + "/bot%s/%s",
		files:    cfg.APIURL + "/file/bot" + cfg.Token + "/",
		client:   client,
		timeout:  cfg.Timeout,
	}
}

// APIError is an error answer of the Bot API.
type APIError struct {
	Method string
	// Code is error_code, or the HTTP status when the answer had none.
	Code        int
	Description string
	// RetryAfter is parameters.retry_after of a 429 answer.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram %s: %s (error %d)", e.Method, e.Description, e.Code)
}

// Refused reports an answer that repeating the request cannot change: a 4xx
// other than 429 (Bad Request, Forbidden, Not Found, Unauthorized).
func (e *APIError) Refused() bool {
	return e.Code >= 400 && e.Code < 500 && e.Code != http.StatusTooManyRequests
}

// call runs fn, which makes one library request with bot, bounded by the
// api's timeout. A 429 answer is waited out (retry_after) and the request
// repeated, up to maxRateRetries times and never past ctx's deadline; then
// the 429 is returned, a temporary error. Errors are *APIError for answers
// of the Bot API, or transport errors with the URL (which holds the token)
// removed.
func (a *api) call(ctx context.Context, method string, fn func(bot *tgbotapi.BotAPI) error) error {
	for attempt := 0; ; attempt++ {
		err := a.once(ctx, a.timeout, method, fn)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != http.StatusTooManyRequests || attempt >= maxRateRetries {
			return err
		}
		wait := max(ae.RetryAfter, time.Second)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err
		}
		if serr := sleepCtx(ctx, wait); serr != nil {
			return fmt.Errorf("%w (waiting %s to retry: %w)", err, wait, serr)
		}
	}
}

// once runs fn once within timeout (0: none beyond ctx).
func (a *api) once(ctx context.Context, timeout time.Duration, method string, fn func(bot *tgbotapi.BotAPI) error) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	d := &ctxDoer{ctx: ctx, client: a.client}
	bot := &tgbotapi.BotAPI{Token: a.token, Client: d}
	bot.SetAPIEndpoint(a.endpoint)
	err := fn(bot)
	if err == nil {
		return nil
	}
	return classify(method, d.status, err)
}

// request is a method the library has no config for, or whose config
// lacks parameters (setWebhook's secret_token); it returns the raw result.
func (a *api) request(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	var result json.RawMessage
	err := a.call(ctx, method, func(bot *tgbotapi.BotAPI) error {
		resp, err := bot.MakeRequest(method, params)
		if err == nil {
			result = resp.Result
		}
		return err
	})
	return result, err
}

func classify(method string, status int, err error) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		code := te.Code
		if code == 0 {
			code = status
		}
		return &APIError{Method: method, Code: code, Description: te.Message,
			RetryAfter: time.Duration(te.RetryAfter) * time.Second}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// ue's text repeats the request URL, which holds the bot token.
		if ue.Timeout() {
			return fmt.Errorf("telegram %s: timed out: %w", method, ue.Err)
		}
		return fmt.Errorf("telegram %s: %w", method, ue.Err)
	}
	if status >= 300 {
		// An answer that is not the Bot API's JSON (a proxy's error page).
		return &APIError{Method: method, Code: status, Description: strings.ToLower(http.StatusText(status))}
	}
	return fmt.Errorf("telegram %s: %w", method, err)
}

// ctxDoer is the library's HTTP client for one call.
type ctxDoer struct {
	ctx    context.Context
	client *http.Client
	status int
}

func (d *ctxDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req.WithContext(d.ctx))
	if err == nil {
		d.status = resp.StatusCode
	}
	return resp, err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
