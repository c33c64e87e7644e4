// Package domain holds licencegraph's nouns, its error type and the service
// interfaces the transport (graph/) and the storage (neo4jstore) agree on.
package domain

import (
	"context"
	"errors"
	"fmt"
)

// Code classifies an error for clients. The values are the GraphQL
// `extensions.code` strings that README.md documents.
type Code string

const (
	CodeBadUserInput    Code = "BAD_USER_INPUT"
	CodeNotFound        Code = "NOT_FOUND"
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeTooComplex      Code = "QUERY_TOO_COMPLEX"
	CodeTimeout         Code = "TIMEOUT"
	CodeUnavailable     Code = "UNAVAILABLE"
	CodeConflict        Code = "CONFLICT"
	// CodeTooManySubscriptions refuses a subscription over a limit.
	CodeTooManySubscriptions Code = "TOO_MANY_SUBSCRIPTIONS"
	CodeInternal             Code = "INTERNAL"
)

// Error is an error whose Message is safe to show to a client. The wrapped
// Err carries the details for logs only.
type Error struct {
	Code    Code
	Message string
	// Field names the argument or input field at fault, if any.
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with a client-safe message that keeps err for logs.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain. Context
// deadlines map to TIMEOUT; anything else unknown is INTERNAL.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return CodeTimeout
	}
	return CodeInternal
}

// ErrorMessage returns the client-safe message for err: the message of the
// first *Error in its chain, or a generic text that reveals nothing.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	switch ErrorCode(err) {
	case CodeTimeout:
		return "the request took too long"
	default:
		return "internal error"
	}
}
