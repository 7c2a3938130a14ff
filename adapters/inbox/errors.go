package inbox

import (
	"context"
	"errors"
	"net/http"

	"github.com/switchboard-hq/switchboard/core"
)

// Error codes the API adds to core's.
const (
	codeInternal         core.Code = "internal"
	codeMethodNotAllowed core.Code = "method_not_allowed"
)

// errorBody is every error response: {"error":{"code","message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf maps core error codes to HTTP statuses.
var statusOf = map[core.Code]int{
	core.CodeInvalid:         http.StatusBadRequest,
	core.CodeNotFound:        http.StatusNotFound,
	core.CodeForbidden:       http.StatusForbidden,
	core.CodeUnauthenticated: http.StatusUnauthorized,
	core.CodeCapability:      http.StatusUnprocessableEntity,
	core.CodeUnsupported:     http.StatusUnprocessableEntity,
	core.CodeConflict:        http.StatusConflict,
	core.CodeTooLarge:        http.StatusRequestEntityTooLarge,
}

// classify turns err into the status and body the client sees. Domain
// errors keep their message, which core writes to be shown verbatim;
// anything else is an internal error whose text stays in the log.
func classify(err error) (int, errorDetail, bool) {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return http.StatusRequestEntityTooLarge, errorDetail{Code: string(core.CodeTooLarge),
			Message: "the request body is larger than " + byteCount(maxBytes.Limit)}, true
	}
	var coded interface {
		error
		ErrorCode() core.Code
	}
	if errors.As(err, &coded) {
		code := coded.ErrorCode()
		if status, ok := statusOf[code]; ok {
			msg := coded.Error()
			var ce *core.Error
			if errors.As(coded, &ce) {
				msg = ce.Message // without the wrapped cause, which is for logs
			}
			return status, errorDetail{Code: string(code), Message: msg}, true
		}
	}
	if errors.Is(err, core.ErrNotFound) {
		// A store miss surfacing through the hub, e.g. "conversation x: not found".
		return http.StatusNotFound, errorDetail{Code: string(core.CodeNotFound), Message: err.Error()}, true
	}
	return http.StatusInternalServerError, errorDetail{Code: string(codeInternal),
		Message: "internal error; the details are in the server log"}, false
}

// writeError answers with err, logging what the client must not see.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, detail, known := classify(err)
	switch {
	case !known && r.Context().Err() != nil && errors.Is(err, context.Canceled):
		s.log.Debug("request abandoned by client", "method", r.Method, "path", r.URL.Path)
	case !known:
		s.log.Error("operator api", "method", r.Method, "path", r.URL.Path, "err", err)
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		s.log.Info("operator api refused", "method", r.Method, "path", r.URL.Path, "code", detail.Code, "reason", detail.Message)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	writeJSON(w, status, errorBody{Error: detail})
}

func isNotFound(err error) bool { return errors.Is(err, core.ErrNotFound) }
