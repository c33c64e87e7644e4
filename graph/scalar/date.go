// Package scalar holds the GraphQL marshallers of licencegraph's custom
// scalars.
package scalar

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// ErrInvalid is the cause of every scalar input error, so the error
// presenter can name the argument (or input field) from the error's path.
var ErrInvalid = errors.New("invalid scalar value")

// MarshalDate writes a Date as "YYYY-MM-DD"; the zero Date is null.
func MarshalDate(d domain.Date) graphql.Marshaler {
	if d.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDate reads "YYYY-MM-DD" strictly. Errors are BAD_USER_INPUT;
// the error presenter names the argument from the error's path.
func UnmarshalDate(v any) (domain.Date, error) {
	s, ok := v.(string)
	if !ok {
		return domain.Date{}, &domain.Error{Code: domain.CodeBadUserInput, Err: ErrInvalid,
			Message: "a Date is a string in the form YYYY-MM-DD, not " + describe(v)}
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, &domain.Error{Code: domain.CodeBadUserInput, Err: ErrInvalid, Message: err.Error()}
	}
	if d.IsZero() {
		// 0001-01-01 is the zero Date, which means "absent" (asOf: today)
		// and prints as null: refuse it rather than answer for another day.
		return domain.Date{}, &domain.Error{Code: domain.CodeBadUserInput, Err: ErrInvalid, Message: fmt.Sprintf("%q is not a usable date", s)}
	}
	return d, nil
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
