package scalar

import (
	"bytes"
	"errors"
	"strconv"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// FuzzUnmarshalDate: any string is either a date that prints back exactly
// as it was sent, or a BAD_USER_INPUT naming no internals.
func FuzzUnmarshalDate(f *testing.F) {
	for _, s := range []string{"2025-12-01", "2024-02-29", "2025-02-29", "0000-01-01", "9999-12-31",
		"2025-1-01", "2025-01-01T00:00:00Z", " 2025-01-01", "２０２５-01-01", "2025-01-01\x00", "' OR 1=1 //"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeBadUserInput || !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: error %v (code %s)", s, err, domain.ErrorCode(err))
			}
			return
		}
		var b bytes.Buffer
		MarshalDate(d).MarshalGQL(&b)
		if b.String() != strconv.Quote(s) {
			t.Fatalf("%q accepted but prints as %s", s, b.String())
		}
	})
}
