package countries

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		code       string
		wantOK     bool
		wantName   string
		wantRegion Region
	}{
		{"CN", true, "China", Asia},
		{"DE", true, "Germany", Europe},
		{"US", true, "United States", Americas},
		{"AU", true, "Australia", Oceania},
		{"ZA", true, "South Africa", Africa},
		{"JP", true, "Japan", Asia},
		{"RU", true, "Russian Federation", Europe},
		{"TR", true, "Türkiye", Asia},
		{"SA", true, "Saudi Arabia", Asia},
		{"MX", true, "Mexico", Americas},
		{"CU", true, "Cuba", Americas},
		{"EG", true, "Egypt", Africa},
		{"TW", true, "Taiwan, Province of China", Asia},
		{"HK", true, "Hong Kong", Asia},
		{"MO", true, "Macao", Asia},
		{"AQ", true, "Antarctica", Oceania},
		{"cn", false, "", ""},
		{"Cn", false, "", ""},
		{"XX", false, "", ""},
		{"XK", false, "", ""}, // Kosovo: user-assigned, not official
		{"", false, "", ""},
		{"CHN", false, "", ""},
		{" CN", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := Lookup(tt.code)
			if ok != tt.wantOK {
				t.Fatalf("Lookup(%q) ok = %v, want %v", tt.code, ok, tt.wantOK)
			}
			if !ok {
				if got != (Country{}) {
					t.Errorf("Lookup(%q) = %+v, want zero value", tt.code, got)
				}
				return
			}
			if got.Code != tt.code || got.Name != tt.wantName || got.Region != tt.wantRegion {
				t.Errorf("Lookup(%q) = %+v, want {%s %s %s}", tt.code, got, tt.code, tt.wantName, tt.wantRegion)
			}
		})
	}
}

func TestAll(t *testing.T) {
	all := All()
	if len(all) != 249 {
		t.Fatalf("len(All()) = %d, want 249", len(all))
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Code < all[j].Code }) {
		t.Error("All() is not sorted by code")
	}
	valid := map[Region]bool{}
	for _, r := range Regions() {
		valid[r] = true
	}
	code := regexp.MustCompile(`^[A-Z]{2}$`)
	seen := map[string]bool{}
	for _, c := range all {
		if !code.MatchString(c.Code) {
			t.Errorf("bad code %q", c.Code)
		}
		if seen[c.Code] {
			t.Errorf("duplicate code %q", c.Code)
		}
		seen[c.Code] = true
		if strings.TrimSpace(c.Name) == "" {
			t.Errorf("%s: empty name", c.Code)
		}
		if !valid[c.Region] {
			t.Errorf("%s: invalid region %q", c.Code, c.Region)
		}
		if got, ok := Lookup(c.Code); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", c.Code, got, ok, c)
		}
	}
	// every region is used
	used := map[Region]bool{}
	for _, c := range all {
		used[c.Region] = true
	}
	for r := range valid {
		if !used[r] {
			t.Errorf("region %s has no country", r)
		}
	}
}

func TestAllReturnsCopy(t *testing.T) {
	a := All()
	a[0].Name = "changed"
	a[0].Region = "NOWHERE"
	if b := All(); b[0].Name == "changed" || b[0].Region == "NOWHERE" {
		t.Fatal("All() exposes the internal table")
	}
	if c, _ := Lookup(a[0].Code); c.Name == "changed" {
		t.Fatal("modifying All() changed Lookup")
	}
}

// TestSeedCompanyCountries checks that every country code used in
// seed/companies.yaml is in the table. The module has no YAML dependency,
// so the file is scanned line by line for `country:` keys (the seed file
// keeps one field per line).
func TestSeedCompanyCountries(t *testing.T) {
	path := filepath.Join("..", "..", "seed", "companies.yaml")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	idRe := regexp.MustCompile(`^\s*-\s+id:\s`)
	countryRe := regexp.MustCompile(`^\s*-?\s*country:\s*["']?([^"'#\s]*)["']?\s*(#.*)?$`)
	records, countries := 0, 0
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if idRe.MatchString(text) {
			records++
		}
		m := countryRe.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		countries++
		if _, ok := Lookup(m[1]); !ok {
			t.Errorf("%s:%d: unknown country %q", path, line, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if records == 0 {
		t.Fatalf("%s: no company records found", path)
	}
	if countries != records {
		t.Errorf("%s: %d records but %d country fields", path, records, countries)
	}
}
