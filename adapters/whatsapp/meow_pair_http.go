//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
	"go.mau.fi/whatsmeow"
)

// codeWait bounds how long a request waits for WhatsApp's first QR code.
const codeWait = 30 * time.Second

// errAlreadyLinked refuses pairing a channel that has an account.
var errAlreadyLinked = errors.New("already linked")

// serveQR answers GET {path}/pair for an admin: it starts a pairing if none
// is running and answers the current QR code, as text blocks for a
// terminal (the default, or ?format=text), as a PNG (?format=png or
// Accept: image/png), as JSON (?format=json or Accept: application/json),
// or as a stream of Server-Sent Events (?format=events or Accept:
// text/event-stream): "code" with each new code as JSON, then "done" with
// the outcome.
func (d *meowDriver) serveQR(w http.ResponseWriter, r *http.Request) {
	if err := d.canPair(); err != nil {
		d.refusePairing(w, err)
		return
	}
	d.requestPairing()
	format := pairFormat(r)
	if format == "events" {
		d.streamQR(w, r)
		return
	}
	v, err := d.waitCode(r.Context(), codeWait)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	switch format {
	case "png":
		png, err := qrPNG(v.Code)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(png)
	case "json":
		writeJSON(w, http.StatusOK, qrJSON(v))
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, qrText(v.Code)+scanHint(v))
	}
}

// canPair refuses pairing a linked or refused session.
func (d *meowDriver) canPair() error {
	h := d.health()
	switch {
	case d.client() == nil:
		return errors.New("the channel is not running yet; try again in a moment")
	case h.State == HealthOutdated:
		return errors.New(h.Detail)
	case h.Account != "" && h.State != HealthLoggedOut:
		return fmt.Errorf("WhatsApp is %w to %s; unlink the hub on the phone (Linked devices) to pair another account", errAlreadyLinked, h.Account)
	}
	return nil
}

func (d *meowDriver) refusePairing(w http.ResponseWriter, err error) {
	status := http.StatusServiceUnavailable
	if errors.Is(err, errAlreadyLinked) {
		status = http.StatusConflict
	}
	writeError(w, status, err.Error())
}

func pairFormat(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return f
	}
	accept := r.Header.Get("Accept")
	for _, f := range []struct{ mime, format string }{
		{"text/event-stream", "events"}, {"image/png", "png"}, {"application/json", "json"},
	} {
		if strings.Contains(accept, f.mime) {
			return f.format
		}
	}
	return "text"
}

// waitCode returns the current QR code once there is one, or why there is
// none: the pairing ended, or WhatsApp did not answer within limit.
func (d *meowDriver) waitCode(ctx context.Context, limit time.Duration) (pairView, error) {
	t := time.NewTimer(limit)
	defer t.Stop()
	started := false
	for {
		v, changed := d.pair.view()
		started = started || v.Active
		switch {
		case v.Code != "":
			return v, nil
		case started && !v.Active:
			return v, errors.New("pairing ended: " + v.Outcome)
		}
		select {
		case <-changed:
		case <-t.C:
			return v, errors.New("WhatsApp handed out no QR code in time; try again")
		case <-ctx.Done():
			return v, ctx.Err()
		}
	}
}

// streamQR sends each QR code as an event until the pairing ends.
func (d *meowDriver) streamQR(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming is not supported here")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		flusher.Flush()
	}
	send("state", d.health())
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	started, last := false, ""
	for {
		v, changed := d.pair.view()
		started = started || v.Active
		if v.Code != "" && v.Code != last {
			last = v.Code
			send("code", qrJSON(v))
		}
		if started && !v.Active {
			send("done", map[string]string{"outcome": v.Outcome, "account": d.health().Account})
			return
		}
		select {
		case <-changed:
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// qrCode is a QR code as the JSON and event answers give it.
type qrCode struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	// PNG is the code as a data: URL, ready for an <img>.
	PNG string `json:"png,omitempty"`
}

func qrJSON(v pairView) qrCode {
	c := qrCode{Code: v.Code, ExpiresAt: v.Expires.UTC()}
	if png, err := qrPNG(v.Code); err == nil {
		c.PNG = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	}
	return c
}

func qrPNG(code string) ([]byte, error) {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return q.PNG(320)
}

// qrText draws code with Unicode half blocks, two modules per character
// row, for a terminal with a dark background.
func qrText(code string) string {
	q, err := qrcode.New(code, qrcode.Low)
	if err != nil {
		return "QR code unavailable: " + err.Error() + "\n"
	}
	return q.ToSmallString(false)
}

func scanHint(v pairView) string {
	left := time.Until(v.Expires).Round(time.Second)
	return fmt.Sprintf("\nScan it in WhatsApp on the phone: Settings › Linked devices › Link a device.\nThis code is replaced in %s.\n", max(left, 0))
}

// phoneRequest is POST {path}/pair/phone's body.
type phoneRequest struct {
	Phone string `json:"phone"`
}

// servePhoneCode answers POST {path}/pair/phone for an admin: it starts a
// pairing and asks WhatsApp for the 8-character code that links the given
// number, typed on that phone instead of scanning.
func (d *meowDriver) servePhoneCode(w http.ResponseWriter, r *http.Request) {
	var req phoneRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "the body is not JSON {\"phone\": \"+15550100\"}")
			return
		}
	} else {
		req.Phone = r.FormValue("phone")
	}
	phone, ok := e164(strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(req.Phone))
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a phone number in international form (+15550100)", req.Phone))
		return
	}
	if err := d.canPair(); err != nil {
		d.refusePairing(w, err)
		return
	}
	d.requestPairing()
	if _, err := d.waitCode(r.Context(), codeWait); err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	code, err := d.client().PairPhone(r.Context(), phone[1:], true, whatsmeow.PairClientChrome, "Chrome (Linux)")
	if err != nil {
		writeError(w, http.StatusBadGateway, "WhatsApp gave no pairing code: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"phone": phone, "code": code,
		"hint": "On that phone: WhatsApp › Settings › Linked devices › Link a device › Link with phone number instead, then type the code.",
	})
}
