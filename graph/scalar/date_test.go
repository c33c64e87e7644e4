package scalar

import (
	"bytes"
	"errors"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

func TestDate(t *testing.T) {
	var b bytes.Buffer
	MarshalDate(domain.MustDate("2025-12-02")).MarshalGQL(&b)
	if b.String() != `"2025-12-02"` {
		t.Errorf("marshal = %s", b.String())
	}
	b.Reset()
	MarshalDate(domain.Date{}).MarshalGQL(&b)
	if b.String() != "null" {
		t.Errorf("zero date marshals to %s, want null", b.String())
	}
	if d, err := UnmarshalDate("2024-02-29"); err != nil || d != domain.MustDate("2024-02-29") {
		t.Errorf("unmarshal = %v, %v", d, err)
	}
	for _, bad := range []any{"2025-02-29", "2025-1-02", "2025-01-02T00:00:00Z", "", 20250102, true, nil} {
		_, err := UnmarshalDate(bad)
		if domain.ErrorCode(err) != domain.CodeBadUserInput || !errors.Is(err, ErrInvalid) {
			t.Errorf("UnmarshalDate(%#v) = %v, want BAD_USER_INPUT", bad, err)
		}
	}
}
