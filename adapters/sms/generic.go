package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// genericDriver speaks the provider-neutral JSON contract of the package
// documentation.
type genericDriver struct {
	cfg    Config
	key    []byte // the decoded secret
	client *http.Client
	now    func() time.Time
}

// genericOutbound is the body POSTed to the gateway's url.
type genericOutbound struct {
	ID        string   `json:"id"`
	To        string   `json:"to"`
	From      string   `json:"from,omitempty"`
	Text      string   `json:"text"`
	MediaURLs []string `json:"media_urls"`
	StatusURL string   `json:"status_url"`
	Encoding  string   `json:"encoding"`
	Segments  int      `json:"segments"`
}

func (d *genericDriver) label() string { return "The SMS gateway" }

func (d *genericDriver) describe(string) string { return "" }

func (d *genericDriver) unsubscribed(string) bool { return false }

func (d *genericDriver) message(r *http.Request, body []byte) (inboundSMS, error) {
	if err := d.authenticate(r, body); err != nil {
		return inboundSMS{}, err
	}
	return parseGenericMessage(body, d.cfg.DefaultRegion)
}

func (d *genericDriver) status(r *http.Request, body []byte) (statusReport, error) {
	if err := d.authenticate(r, body); err != nil {
		return statusReport{}, err
	}
	return parseGenericStatus(body)
}

// authenticate checks the Standard Webhooks signature, then that the body
// is declared as JSON.
func (d *genericDriver) authenticate(r *http.Request, body []byte) error {
	if err := verifyStandard(d.key, r.Header, body, d.now()); err != nil {
		return err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return malformed("Content-Type must be application/json")
		}
	}
	return nil
}

// fetch requests an inbound medium; the gateway's media URLs carry their
// own authorisation, if any.
func (d *genericDriver) fetch(ctx context.Context, u *url.URL) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
}

// send POSTs the message as signed JSON to the gateway's url; the
// webhook-id is the hub's message id, the same on every retry.
func (d *genericDriver) send(ctx context.Context, m outgoing) (string, error) {
	body, err := json.Marshal(genericOutbound{
		ID: m.ID, To: m.To, From: d.cfg.From, Text: m.Text, MediaURLs: append([]string{}, m.MediaURLs...),
		StatusURL: m.StatusURL, Encoding: m.Segments.Encoding, Segments: m.Segments.Segments,
	})
	if err != nil {
		return "", core.Permanent(fmt.Errorf("encode message: %w", err))
	}
	tctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, d.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return "", core.Permanent(fmt.Errorf("gateway request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	signHeader(req.Header, d.key, m.ID, d.now(), body)
	resp, err := d.client.Do(req)
	if err != nil {
		return "", transportError(ctx, "gateway", d.cfg.Timeout, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	var a struct {
		ID    flexString `json:"id"`
		Error string     `json:"error"`
	}
	_ = json.Unmarshal(answer, &a) // not JSON: no id, and the status speaks
	code := resp.StatusCode
	switch {
	case code >= 200 && code <= 299:
		if id := cleanText(string(a.ID), maxIDLen); id != "" {
			return id, nil
		}
		return m.ID, nil
	case code == http.StatusTooManyRequests:
		return "", rateLimited("The SMS gateway", resp)
	}
	pe := &providerError{provider: "The SMS gateway", status: code, message: cleanText(a.Error, 300)}
	if pe.message == "" && len(answer) > 0 && !json.Valid(answer) {
		pe.message = cleanText(string(answer), 200)
	}
	if code >= 500 || code == http.StatusRequestTimeout {
		return "", fmt.Errorf("gateway answered %d: %w", code, pe)
	}
	return "", core.Permanent(pe)
}
