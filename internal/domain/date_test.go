package domain

import (
	"strings"
	"testing"
)

// A date in the right form whose day or month does not exist says so,
// rather than blaming the form.
func TestParseDateSaysWhatIsWrong(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2027-02-28", ""},
		{"2028-02-29", ""}, // a leap year
		{"2027-02-30", `"2027-02-30" is not a date: February 2027 has no day 30 (it has 28 days)`},
		{"2027-02-29", `"2027-02-29" is not a date: February 2027 has no day 29 (it has 28 days)`},
		{"2026-04-31", `"2026-04-31" is not a date: April 2026 has no day 31 (it has 30 days)`},
		{"2026-01-00", `"2026-01-00" is not a date: January 2026 has no day 0`},
		{"2025-13-01", `"2025-13-01" is not a date: there is no month 13`},
		{"2025-00-10", `"2025-00-10" is not a date: there is no month 0`},
		{"2025-1-01", `"2025-1-01" is not a date in the form YYYY-MM-DD`},
		{"01/02/2025", `"01/02/2025" is not a date in the form YYYY-MM-DD`},
		{"2025-01-01T00:00:00Z", `"2025-01-01T00:00:00Z" is not a date in the form YYYY-MM-DD`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ParseDate: %v", err)
			case tt.want == "" && d.String() != tt.in:
				t.Fatalf("ParseDate = %s", d)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("ParseDate error %v, want %q", err, tt.want)
			}
		})
	}
}
