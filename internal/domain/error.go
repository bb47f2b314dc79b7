package domain

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in internal/web and is what a
// failed job records in its error.
const (
	EInvalid       = "invalid_request"    // 400: malformed request
	EInvalidURL    = "invalid_url"        // 400: not an http(s) URL
	EInvalidSpec   = "invalid_spec"       // 422: unknown op, wrong type, out of range
	ENotFound      = "not_found"          // 404
	ETooLarge      = "too_large"          // 413: bytes over a limit
	ETooManyPixels = "too_many_pixels"    // 413: width×height over MAX_PIXELS
	ENotImage      = "not_an_image"       // 415: bytes are no supported image
	EUnsupported   = "unsupported_format" // 415: an image format that is refused (SVG, PDF, …)
	EFetchBlocked  = "fetch_blocked"      // 400: the URL resolves to a blocked address
	EFetchFailed   = "fetch_failed"       // 502 in the sync flow; a failed job otherwise
	EUnauthorized  = "unauthorized"       // 401
	ERateLimited   = "rate_limited"       // 429
	EUnavailable   = "unavailable"        // 503: broker or database down
	ETooCostly     = "too_costly"         // 422: a job estimated over JOB_MAX_COST
	ETimeout       = "timeout"            // a job that ran out of time
	EInternal      = "internal"           // 500: a bug, never bad input
)

// ELabelsSizeMismatch (422) is labels, or a mask, of another size than the
// decoded source.
const ELabelsSizeMismatch = "labels_size_mismatch"

// Error is an error with a code and a message that is safe to show a user.
type Error struct {
	Code    string
	Message string
	Err     error // internal cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted public message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error that keeps err as its internal cause.
func Wrap(err error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the public message of err, or a generic sentence.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}
