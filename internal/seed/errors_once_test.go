package seed_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
)

// Every error of a file comes in one run, each once: reference checks run
// on every record that parsed (also the last batch of a file that already
// has errors, and the other fields of a record with an error), a misspelt
// CSV header is one error on its line naming the column it was taken for,
// and a date whose day does not exist says so.
func TestSeedErrorsComeInOneRound(t *testing.T) {
	_, store := setup(t)
	base := writeFiles(t, map[string]string{"sectors.yaml": baseSectors, "materials.csv": baseMaterials, "companies.csv": baseCompanies})
	if _, err := load(t, store, seed.Options{}, base); err != nil {
		t.Fatalf("base load: %v", err)
	}
	tests := []struct {
		name, file, content string
		want                []string // exactly these errors, as "file:line: field: message" prefixes
	}{
		{"a bad date, a bad enum and an unknown company on different rows", "licences.csv",
			"id,holder,clients,status,valid_from\nL1,jl-mag,vw,ACTIVE,2027-02-30\nL2,jl-mag,vw,GRANTED,\nL3,nobody,vw,ACTIVE,\n",
			[]string{
				`licences.csv:2: valid_from: "2027-02-30" is not a date: February 2027 has no day 30`,
				`licences.csv:3: status: "GRANTED" is not one of`,
				`licences.csv:4: holder: unknown company "nobody"`,
			}},
		{"an unknown client on the row of a bad date", "licences.csv",
			"id,holder,clients,valid_from\nL1,jl-mag,vw;bmw,2027-02-30\n",
			[]string{
				`licences.csv:2: valid_from: "2027-02-30" is not a date`,
				`licences.csv:2: clients: unknown company "bmw"`,
			}},
		{"a misspelt optional column", "licences.csv",
			"id,holdr,status\nL1,jl-mag,ACTIVE\nL2,jl-mag,ACTIVE\nL3,jl-mag,ACTIVE\n",
			[]string{`licences.csv:1: holdr: unknown column; the nearest known one is "holder", which is missing`}},
		{"a misspelt required column", "companies.csv",
			"id,nme,country\na,A,DE\nb,B,DE\nc,C,FR\n",
			[]string{`companies.csv:1: nme: unknown column; the nearest known one is "name", which is missing`}},
		{"a required column missing", "companies.csv",
			"id,country\na,DE\nb,DE\n",
			[]string{`companies.csv:1: name: required column missing from the header`}},
		{"a misspelt required field in YAML", "sectors.yaml",
			"- id: wind\n  nmae: Wind\n",
			[]string{`sectors.yaml:2: nmae: unknown column; the nearest known one is "name", which is missing`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tc.file: tc.content})
			sum, err := load(t, store, seed.Options{}, dir)
			if err == nil {
				t.Fatal("load succeeded; want errors")
			}
			got := errorTexts(sum)
			if len(got) != len(tc.want) {
				t.Errorf("%d errors, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i, w := range tc.want {
				if w = filepath.Join(dir, w); i >= len(got) || !strings.HasPrefix(got[i], w) {
					t.Errorf("error %d: want %q\ngot:\n  %s", i+1, w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}
