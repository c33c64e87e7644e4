package domain

import (
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	tests := []struct {
		name, in string
		want     Source
		err      string
	}{
		{"url", "https://example.org/a?b=1", Source{Ref: "https://example.org/a?b=1", URL: "https://example.org/a?b=1"}, ""},
		{"url trimmed", "  http://example.org/ ", Source{Ref: "http://example.org/", URL: "http://example.org/"}, ""},
		{"citation", "Reuters, 2025-05-13", Source{Ref: "Reuters, 2025-05-13", Publisher: "Reuters", PublishedOn: MustDate("2025-05-13")}, ""},
		{"citation normalised", "  Reuters   via  Kitco ,2025-12-10,  Ford suppliers,  licences ", Source{
			Ref:       "Reuters via Kitco, 2025-12-10, Ford suppliers, licences",
			Publisher: "Reuters via Kitco", PublishedOn: MustDate("2025-12-10"), Title: "Ford suppliers, licences"}, ""},
		{"citation with an empty title", "AP, 2025-07-15,", Source{Ref: "AP, 2025-07-15", Publisher: "AP", PublishedOn: MustDate("2025-07-15")}, ""},
		{"not http", "ftp://example.org/x", Source{}, `"ftp://example.org/x" is not an http(s) URL`},
		{"no host", "https://", Source{}, `"https://" is not an http(s) URL`},
		{"bare words", "Reuters", Source{}, `"Reuters" is neither an http(s) URL nor a citation "Outlet, YYYY-MM-DD[, title]"`},
		{"no outlet", " , 2025-05-13", Source{}, `citation ", 2025-05-13" has no outlet before its date`},
		{"bad date", "Reuters, 2025-02-30", Source{}, `citation "Reuters, 2025-02-30": "2025-02-30" is not a date: February 2025 has no day 30`},
		{"month only", "Reuters, June 2025, title", Source{}, `"June 2025" is not a date`},
		{"long outlet", strings.Repeat("x", 201) + ", 2025-05-13", Source{}, "the outlet is longer than 200 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSource(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseSource(%q) = %+v, %v; want an error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseSource(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			// A ref reads back as the same source.
			if again, err := ParseSource(got.Ref); err != nil || again != got {
				t.Fatalf("ParseSource(ref %q) = %+v, %v; want %+v", got.Ref, again, err, got)
			}
		})
	}
}

func TestNormaliseSources(t *testing.T) {
	got := NormaliseSources([]string{"Reuters,2025-05-13", "https://a.example/", "Reuters, 2025-05-13", "not a source"})
	want := []string{"Reuters, 2025-05-13", "https://a.example/", "not a source"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("NormaliseSources = %q, want %q", got, want)
	}
	if NormaliseSources(nil) != nil {
		t.Fatal("NormaliseSources(nil) is not nil")
	}
}

func TestValidateChecksSourcesNoteAndConfidence(t *testing.T) {
	half, over := 0.5, 1.5
	long := strings.Repeat("n", maxNoteLength+1)
	tests := []struct {
		name string
		errs FieldErrors
		want []string
	}{
		{"licence ok", Licence{ID: "L", Sources: []string{"Reuters, 2025-05-13", "https://x.example"}, Confidence: &half, Note: "n"}.Validate(), nil},
		{"licence bad", Licence{ID: "L", Sources: []string{"Reuters"}, Confidence: &over, Note: long}.Validate(),
			[]string{"sources", "confidence", "note"}},
		{"link bad", SupplyLink{Supplier: "a", Customer: "b", Sources: []string{"x, 2025"}, Note: long}.Validate(),
			[]string{"sources", "note"}},
		{"company bad", Company{ID: "c", Name: "C", Country: "DE", Note: long}.Validate(), []string{"note"}},
		{"control bad", ExportControl{ID: "x", Sources: []string{"https://"}, Note: long}.Validate(), []string{"sources", "note"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fields []string
			for _, e := range tc.errs {
				fields = append(fields, e.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("errors %v, want on fields %v", tc.errs, tc.want)
			}
		})
	}
}
