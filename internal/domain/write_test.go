package domain

import (
	"slices"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct {
		arg   string
		index int
		field string
		want  string
	}{
		{"input", -1, "holder", "input.holder"},
		{"input", 2, "valid_until", "input[2].validUntil"},
		{"input", 0, "excluded_sectors", "input[0].excludedSectors"},
		{"input", 3, "", "input[3]"},
		{"input", -1, "revocation_reason", "input.revocationReason"},
	}
	for _, tc := range tests {
		if got := Path(tc.arg, tc.index, tc.field); got != tc.want {
			t.Errorf("Path(%q, %d, %q) = %q, want %q", tc.arg, tc.index, tc.field, got, tc.want)
		}
	}
}

func TestDedupe(t *testing.T) {
	if Dedupe(nil) != nil {
		t.Error("Dedupe(nil) is not nil")
	}
	if got := Dedupe([]string{"b", "a", "b", "c", "a"}); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("Dedupe = %v", got)
	}
}

func TestCheckLicencesAndAsError(t *testing.T) {
	if err := CheckLicences([]Licence{Licence{ID: "a"}.WithDefaults()}, true).AsError(); err != nil {
		t.Fatalf("valid licence: %v", err)
	}
	in := CheckLicences([]Licence{
		Licence{ID: "a", ValidFrom: MustDate("2026-02-01"), ValidUntil: MustDate("2026-01-01")}.WithDefaults(),
		Licence{ID: "a"}.WithDefaults(),
	}, true)
	err := in.AsError()
	if ErrorCode(err) != CodeBadUserInput {
		t.Fatalf("code %s", ErrorCode(err))
	}
	want := `input[0].validUntil: 2026-01-01 is before validFrom 2026-02-01; input[1].id: "a" is also the id of input[0]`
	if ErrorMessage(err) != want {
		t.Fatalf("message %q, want %q", ErrorMessage(err), want)
	}
	if e := err.(*Error); e.Field != "input[0].validUntil" {
		t.Fatalf("field %q", e.Field)
	}
	if single := CheckLicences([]Licence{Licence{ID: "bad id"}.WithDefaults()}, false); len(single) != 1 || single[0].Field != "input.id" || single[0].Index != -1 {
		t.Fatalf("single: %+v", single)
	}
}
