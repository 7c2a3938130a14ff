package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// maxAnswerBytes bounds what is read of a provider's answer.
const maxAnswerBytes = 64 << 10

// twilioUnsubscribed is Twilio's error for a recipient who opted out at
// Twilio ("Attempt to send to unsubscribed recipient").
const twilioUnsubscribed = "21610"

// twilioErrors explains the Twilio messaging error codes operators meet
// most (https://www.twilio.com/docs/api/errors).
var twilioErrors = map[string]string{
	"21211": "the 'To' number is not a valid phone number",
	"21408": "sending to this region is not enabled on the Twilio account",
	"21610": "the recipient has unsubscribed (texted STOP)",
	"21612": "the 'To' number cannot be reached by SMS",
	"21614": "the 'To' number is not a mobile number",
	"21617": "the text exceeds 1,600 characters",
	"21623": "too many media files",
	"30001": "queue overflow",
	"30002": "the Twilio account is suspended",
	"30003": "unreachable destination handset",
	"30004": "message blocked",
	"30005": "unknown destination handset",
	"30006": "landline or unreachable carrier",
	"30007": "message filtered by the carrier",
	"30008": "unknown error",
	"30019": "content size exceeds the carrier limit",
	"30034": "message from an unregistered number (A2P 10DLC)",
}

// twilioDriver speaks Twilio's Messages API 2010-04-01 and its webhooks.
type twilioDriver struct {
	cfg    Config
	key    []byte // the auth token
	client *http.Client
	// signedURL is the URL Twilio signed for a request to a route.
	signedURL func(route, rawQuery string) string
}

func (d *twilioDriver) label() string { return "Twilio" }

func (d *twilioDriver) describe(code string) string { return twilioErrors[code] }

func (d *twilioDriver) unsubscribed(code string) bool { return code == twilioUnsubscribed }

func (d *twilioDriver) message(r *http.Request, body []byte) (inboundSMS, error) {
	form, err := d.form(r, body, routeInbound)
	if err != nil {
		return inboundSMS{}, err
	}
	return parseTwilioMessage(form, d.cfg.DefaultRegion)
}

func (d *twilioDriver) status(r *http.Request, body []byte) (statusReport, error) {
	form, err := d.form(r, body, routeStatus)
	if err != nil {
		return statusReport{}, err
	}
	return parseTwilioStatus(form)
}

// form authenticates a Twilio webhook and returns its parameters.
func (d *twilioDriver) form(r *http.Request, body []byte, route string) (url.Values, error) {
	sig := r.Header.Get(HeaderTwilioSignature)
	if sig == "" {
		return nil, &authError{missing: true, reason: "missing " + HeaderTwilioSignature + " header"}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, malformed("Content-Type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, malformed("body is not form-encoded: " + err.Error())
	}
	if !validTwilioSignature(d.key, d.signedURL(route, r.URL.RawQuery), form, sig) {
		return nil, &authError{reason: HeaderTwilioSignature + " does not match; check auth_token and public_url"}
	}
	return form, nil
}

// fetch requests an inbound medium. Media on api.twilio.com are fetched
// through api_url; the account credentials go only to those hosts.
func (d *twilioDriver) fetch(ctx context.Context, u *url.URL) (*http.Request, error) {
	target := *u
	api, err := url.Parse(d.cfg.APIURL)
	if err != nil {
		return nil, fmt.Errorf("api_url: %w", err)
	}
	twilioHosted := strings.EqualFold(u.Hostname(), twilioMediaHost)
	if twilioHosted {
		target.Scheme, target.Host = api.Scheme, api.Host
		target.Path, target.RawPath = strings.TrimSuffix(api.Path, "/")+u.Path, ""
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return nil, err
	}
	if twilioHosted || strings.EqualFold(u.Host, api.Host) {
		req.SetBasicAuth(d.cfg.AccountSID, d.cfg.AuthToken)
	}
	return req, nil
}

// send POSTs the message form-encoded to the Messages resource.
func (d *twilioDriver) send(ctx context.Context, m outgoing) (string, error) {
	form := url.Values{"To": {m.To}, "StatusCallback": {m.StatusURL}}
	if d.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", d.cfg.MessagingServiceSID)
	}
	if d.cfg.From != "" {
		form.Set("From", d.cfg.From)
	}
	if m.Text != "" {
		form.Set("Body", m.Text)
	}
	for _, u := range m.MediaURLs {
		form.Add("MediaUrl", u)
	}
	endpoint := d.cfg.APIURL + "/2010-04-01/Accounts/" + url.PathEscape(d.cfg.AccountSID) + "/Messages.json"
	tctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", core.Permanent(fmt.Errorf("twilio request: %w", err))
	}
	req.SetBasicAuth(d.cfg.AccountSID, d.cfg.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := d.client.Do(req)
	if err != nil {
		return "", transportError(ctx, "twilio", d.cfg.Timeout, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		var ok struct {
			SID string `json:"sid"`
		}
		if err := json.Unmarshal(answer, &ok); err != nil || ok.SID == "" {
			// Accepted all the same: sending again would send twice.
			return "", nil
		}
		return ok.SID, nil
	}
	return "", d.answerError(resp, answer)
}

// twilioError is the body of a Twilio API error.
type twilioError struct {
	Code     json.Number `json:"code"`
	Message  string      `json:"message"`
	MoreInfo string      `json:"more_info"`
	Status   int         `json:"status"`
}

// answerError classifies a non-2xx answer: 429 and 5xx (and 408) are
// temporary, any other is Twilio refusing the message for good.
func (d *twilioDriver) answerError(resp *http.Response, answer []byte) error {
	var te twilioError
	_ = json.Unmarshal(answer, &te) // not JSON: the status speaks
	pe := &providerError{provider: "Twilio", status: resp.StatusCode, code: te.Code.String(), message: cleanText(te.Message, 300)}
	if pe.message == "" && pe.code == "" {
		pe.message = cleanText(string(answer), 200)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return rateLimited("Twilio", resp)
	case code >= 500 || code == http.StatusRequestTimeout:
		return fmt.Errorf("twilio answered %d: %w", code, pe)
	}
	return core.Permanent(pe)
}

// transportError explains a request that got no answer; it is temporary,
// and a cancelled ctx is reported as such.
func transportError(ctx context.Context, provider string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("%s did not answer within %s", provider, timeout)
		}
		err = ue.Err // its text would repeat the URL
	}
	return fmt.Errorf("%s request: %w", provider, err)
}
