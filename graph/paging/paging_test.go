package paging

import (
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

func TestPageArguments(t *testing.T) {
	n := func(i int) *int { return &i }
	s := func(v string) *string { return &v }
	tests := []struct {
		name        string
		first       *int
		after       *string
		want        domain.Page
		errorsField string
	}{
		{"defaults", nil, nil, domain.Page{First: domain.DefaultPageSize}, ""},
		{"zero", n(0), nil, domain.Page{First: 0}, ""},
		{"maximum", n(domain.MaxPageSize), nil, domain.Page{First: domain.MaxPageSize}, ""},
		{"above the maximum", n(domain.MaxPageSize + 1), nil, domain.Page{}, "first"},
		{"negative", n(-1), nil, domain.Page{}, "first"},
		{"cursor round trip", n(5), s(EncodeCursor("jl-mag")), domain.Page{First: 5, After: "jl-mag"}, ""},
		{"empty cursor is the start", nil, s(""), domain.Page{First: domain.DefaultPageSize}, ""},
		{"not base64", nil, s("***"), domain.Page{}, "after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Page(tc.first, tc.after)
			if tc.errorsField != "" {
				e, ok := err.(*domain.Error)
				if !ok || e.Code != domain.CodeBadUserInput || e.Field != tc.errorsField {
					t.Fatalf("err = %#v, want BAD_USER_INPUT on %s", err, tc.errorsField)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Page = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
