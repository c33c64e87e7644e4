package paging

import (
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// FuzzDecodeCursor: any `after` string is either a cursor whose key
// encodes back to a cursor for the same key, or a BAD_USER_INPUT naming
// the argument; keys survive the round trip whatever their bytes.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{EncodeCursor("de-oem"), EncodeCursor("cn-a->de-b"), EncodeCursor("' OR 1=1 //"),
		"", "=", "a", "ab==", "++//", "Zm9v\n", "\x00", EncodeCursor("\x00\xff")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		if key := string([]byte(c)); key != "" {
			back, err := DecodeCursor(EncodeCursor(key))
			if err != nil || back != key {
				t.Fatalf("key %q: round trip gives %q, %v", key, back, err)
			}
		}
		key, err := DecodeCursor(c)
		if err != nil {
			var derr *domain.Error
			if domain.ErrorCode(err) != domain.CodeBadUserInput || !asError(err, &derr) || derr.Field != "after" {
				t.Fatalf("%q: error %v", c, err)
			}
			return
		}
		if key == "" {
			t.Fatalf("%q: accepted with an empty key", c)
		}
		if again, err := DecodeCursor(EncodeCursor(key)); err != nil || again != key {
			t.Fatalf("%q: key %q does not survive re-encoding: %q, %v", c, key, again, err)
		}
	})
}

func asError(err error, target **domain.Error) bool {
	e, ok := err.(*domain.Error)
	if ok {
		*target = e
	}
	return ok
}
