package synth

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
)

// With MaxRows, a kind with more records is written in parts of at most
// MaxRows records, named so that the seed loader finds their kind and
// loads them in order; together they hold the unsplit file's records, and
// kinds within the limit keep their plain names.
func TestMaxRowsSplitsLargeKinds(t *testing.T) {
	const companies = 300
	whole, wholeSum := generate(t, Options{Companies: companies, Seed: 3})
	for _, tc := range []struct {
		name    string
		maxRows int
		// files expected per kind (plain name when 1)
		parts map[string]int
	}{
		{"no limit", 0, map[string]int{"companies": 1, "supply": 1}},
		{"limit above every kind", 100000, map[string]int{"companies": 1, "supply": 1}},
		{"companies exactly at the limit", companies, map[string]int{"companies": 1, "supply": (wholeSum.SupplyLinks + companies - 1) / companies}},
		{"small parts", 250, map[string]int{"companies": 2, "supply": (wholeSum.SupplyLinks + 249) / 250}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, sum := generate(t, Options{Companies: companies, Seed: 3, MaxRows: tc.maxRows})
			for _, kind := range []string{"companies", "supply"} {
				want := tc.parts[kind]
				got := filesOf(t, sum.Files, kind)
				if len(got) != want {
					t.Fatalf("%s: %d files %v, want %d", kind, len(got), got, want)
				}
				if want == 1 {
					if filepath.Base(got[0]) != kind+".csv" {
						t.Errorf("%s: a kind within the limit is written as %s", kind, got[0])
					}
				} else {
					for i, p := range got {
						if w := partName(kind+".csv", i+1); filepath.Base(p) != w {
							t.Errorf("%s part %d: %s, want %s", kind, i+1, filepath.Base(p), w)
						}
					}
				}
				// The parts, concatenated without their repeated headers, are
				// the unsplit file; none has more than maxRows records.
				var joined bytes.Buffer
				for i, p := range got {
					lines := strings.SplitAfter(string(readFile(t, p)), "\n")
					if lines[len(lines)-1] == "" {
						lines = lines[:len(lines)-1]
					}
					if tc.maxRows > 0 && len(lines)-1 > tc.maxRows {
						t.Errorf("%s has %d records, more than %d", p, len(lines)-1, tc.maxRows)
					}
					if i > 0 {
						lines = lines[1:]
					}
					joined.WriteString(strings.Join(lines, ""))
				}
				if !bytes.Equal(joined.Bytes(), readFile(t, filepath.Join(whole, kind+".csv"))) {
					t.Errorf("%s: the parts do not add up to the unsplit file", kind)
				}
			}
			// The loader finds every file, with its kind, in loading order.
			found, err := seed.Discover([]string{dir})
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, f := range found {
				paths = append(paths, f.Path)
				if k := kindOfName(f.Path); string(f.Kind) != k {
					t.Errorf("%s: the loader reads kind %s", f.Path, f.Kind)
				}
			}
			if !slices.Equal(paths, sum.Files) {
				t.Errorf("the loader's order %v, Summary.Files %v", paths, sum.Files)
			}
		})
	}
}

// Regenerating with another MaxRows leaves no file of the earlier layout
// behind (the loader would load both).
func TestMaxRowsRegenerate(t *testing.T) {
	dir := t.TempDir()
	for _, maxRows := range []int{100, 0, 70, 100000} {
		sum, err := Generate(context.Background(), Options{Companies: 200, Seed: 1, MaxRows: maxRows}, dir)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names, want []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		for _, p := range sum.Files {
			want = append(want, filepath.Base(p))
		}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("max rows %d: the directory holds %v, Generate wrote %v", maxRows, names, want)
		}
	}
}

func filesOf(t *testing.T, files []string, kind string) []string {
	t.Helper()
	var out []string
	for _, p := range files {
		if kindOfName(p) == kind {
			out = append(out, p)
		}
	}
	return out
}

// kindOfName is the kind a generated file's name says: the last dotted
// part before .csv.
func kindOfName(p string) string {
	stem := strings.TrimSuffix(filepath.Base(p), ".csv")
	return stem[strings.LastIndexByte(stem, '.')+1:]
}
