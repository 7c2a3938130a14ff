package core

import (
	"errors"
	"fmt"
)

// Code classifies an Error so callers (the operator API, the bus) can act on
// it without parsing text.
type Code string

// Error codes.
const (
	CodeInvalid         Code = "invalid"         // bad input; the message says what
	CodeNotFound        Code = "not_found"       // no such object
	CodeForbidden       Code = "forbidden"       // the caller's rights do not allow it
	CodeUnauthenticated Code = "unauthenticated" // no or bad credentials
	CodeCapability      Code = "capability"      // the channel cannot do it
	CodeConflict        Code = "conflict"        // clashes with existing state
	CodeUnsupported     Code = "unsupported"     // a known command no channel can honour yet
	CodeTooLarge        Code = "too_large"       // over a size limit
)

// Error is a domain error whose Message is fit to show an operator verbatim.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode is the Code of e.
func (e *Error) ErrorCode() Code { return e.Code }

// ErrorCode returns the Code of the first error in err's chain that has one,
// or "" if there is none.
func ErrorCode(err error) Code {
	var c interface{ ErrorCode() Code }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

func newError(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf reports bad input.
func Invalidf(format string, args ...any) error { return newError(CodeInvalid, format, args...) }

// NotFoundf reports a missing object.
func NotFoundf(format string, args ...any) error { return newError(CodeNotFound, format, args...) }

// Forbiddenf reports a rights refusal.
func Forbiddenf(format string, args ...any) error { return newError(CodeForbidden, format, args...) }

// Conflictf reports a clash with existing state.
func Conflictf(format string, args ...any) error { return newError(CodeConflict, format, args...) }

// Unsupportedf reports a known operation that nothing can honour yet.
func Unsupportedf(format string, args ...any) error {
	return newError(CodeUnsupported, format, args...)
}

// TooLargef reports input over a size limit.
func TooLargef(format string, args ...any) error { return newError(CodeTooLarge, format, args...) }

// ErrNotFound is returned by stores for a missing row; wrap it with context.
var ErrNotFound = errors.New("not found")

// PermanentError marks a delivery error that retrying cannot fix (a provider
// refused the message). Other delivery errors are temporary and retried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so the bus gives up at once instead of retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or an error it wraps, is permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
