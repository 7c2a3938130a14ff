package meta

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-hq/switchboard/core"
)

// GraphError is an error answer of the Graph API:
// {"error": {"message", "type", "code", "error_subcode", "fbtrace_id",
// "is_transient", "error_data": {"details"}}}.
type GraphError struct {
	// Product names who answered, in the text shown to operators
	// ("Messenger", "WhatsApp").
	Product   string `json:"-"`
	Status    int    `json:"-"` // HTTP status
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
	Transient bool   `json:"is_transient"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`

	temporary map[int]bool // the product's codes that mean "try later"
}

// Temporary reports whether retrying later may succeed: HTTP 429 and 5xx,
// the product's rate-limit and availability codes, and errors Meta marks
// transient.
func (e *GraphError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 || e.temporary[e.Code] || e.Transient
}

// Error is the provider's message with its codes and details, fit to show an
// operator.
func (e *GraphError) Error() string {
	var b strings.Builder
	if e.Temporary() {
		fmt.Fprintf(&b, "%s answered %d: ", e.Product, e.Status)
	} else {
		fmt.Fprintf(&b, "%s refused the message: ", e.Product)
	}
	b.WriteString(e.Message)
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, ", subcode %d", e.Subcode)
		}
		b.WriteString(")")
	}
	if d := strings.TrimSpace(e.ErrorData.Details); d != "" {
		b.WriteString(": " + Clip(d, 500))
	}
	return b.String()
}

// ParseGraphError reads the error answer of a Graph API call that returned
// status. temporary lists the product's error codes that mean "try later";
// anything not temporary comes back wrapped with core.Permanent, so the hub
// shows the message as failed with the provider's words instead of retrying.
func ParseGraphError(product string, status int, answer []byte, temporary map[int]bool) error {
	var body struct {
		Error *GraphError `json:"error"`
	}
	_ = json.Unmarshal(answer, &body) // not JSON: described below
	e := body.Error
	if e == nil {
		e = &GraphError{}
	}
	e.Product, e.Status, e.temporary = product, status, temporary
	if e.Message = strings.TrimSpace(strings.ToValidUTF8(e.Message, "")); e.Message == "" {
		e.Message = http.StatusText(status)
		if e.Message == "" {
			e.Message = fmt.Sprintf("HTTP %d", status)
		}
	}
	e.Message = Clip(e.Message, 500)
	if e.Temporary() {
		return e
	}
	return core.Permanent(e)
}
