package domain

import (
	"errors"
	"math"
	"testing"
)

func TestExposureQuestionsValidate(t *testing.T) {
	conf := func(v float64) *float64 { return &v }
	from := MustDate("2025-01-01")
	base := ExposureQuery{AsOf: from, MaxDepth: 4}
	with := func(t *float64) ExposureQuery { q := base; q.MinConfidence = t; return q }
	tests := []struct {
		name  string
		q     interface{ Validate() error }
		field string // "" when valid
	}{
		{"no minimum confidence", base, ""},
		{"minimum confidence 1", with(conf(1)), ""},
		{"minimum confidence just above 0", with(conf(1e-12)), ""},
		{"minimum confidence 0", with(conf(0)), "minConfidence"},
		{"minimum confidence negative", with(conf(-0.5)), "minConfidence"},
		{"minimum confidence over 1", with(conf(1.0000001)), "minConfidence"},
		{"minimum confidence NaN", with(conf(math.NaN())), "minConfidence"},
		{"paths with a bad minimum", PathsQuery{CompanyID: "a", ExposureQuery: with(conf(2)), First: 10}, "minConfidence"},
		{"changes with a bad minimum", ChangesQuery{ExposureQuery: with(conf(0)), To: from}, "minConfidence"},
		{"timeline of one day", TimelineQuery{CompanyID: "a", ExposureQuery: base, To: from}, ""},
		{"timeline of the longest span", TimelineQuery{CompanyID: "a", ExposureQuery: base, To: from.AddDays(MaxTimelineDays - 1)}, ""},
		{"timeline one day too long", TimelineQuery{CompanyID: "a", ExposureQuery: base, To: from.AddDays(MaxTimelineDays)}, "to"},
		{"timeline backwards", TimelineQuery{CompanyID: "a", ExposureQuery: base, To: from.AddDays(-1)}, "to"},
		{"timeline without from", TimelineQuery{CompanyID: "a", ExposureQuery: ExposureQuery{MaxDepth: 4}, To: from}, "from"},
		{"timeline without to", TimelineQuery{CompanyID: "a", ExposureQuery: base}, "to"},
		{"timeline without company", TimelineQuery{ExposureQuery: base, To: from}, "companyId"},
		{"timeline with a bad depth", TimelineQuery{CompanyID: "a", ExposureQuery: ExposureQuery{AsOf: from, MaxDepth: 7}, To: from}, "maxDepth"},
		{"timeline with a bad minimum", TimelineQuery{CompanyID: "a", ExposureQuery: with(conf(0)), To: from}, "minConfidence"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.q.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) || de.Code != CodeBadUserInput || de.Field != tc.field {
				t.Fatalf("Validate: %v, want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
}

func TestCountsAndSinceFloor(t *testing.T) {
	t7 := 0.7
	q := ExposureQuery{MinConfidence: &t7}
	tests := []struct {
		conf float64
		want bool
	}{
		{0.7, true},
		{0.7 - 0.5e-9, true}, // within the tolerance
		{0.7 - 2e-9, false},
		{0.9, true},
		{math.NaN(), false}, // unknown never meets a minimum
	}
	for _, tc := range tests {
		if got := q.Counts(tc.conf); got != tc.want {
			t.Errorf("Counts(%v) with minimum 0.7 = %v", tc.conf, got)
		}
	}
	if !(ExposureQuery{}).Counts(math.NaN()) {
		t.Error("without a minimum, a path of unknown confidence must count")
	}
	if got := SinceFloor(MustDate("2026-12-06")); got != MustDate("2024-12-06") {
		t.Errorf("SinceFloor(2026-12-06) = %s", got)
	}
	if got := SinceFloor(MustDate("2028-02-29")); got != MustDate("2026-03-01") {
		t.Errorf("SinceFloor(2028-02-29) = %s", got)
	}
}
