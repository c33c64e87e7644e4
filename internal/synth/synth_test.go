package synth

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
)

// header is the CSV header of a generated file: every column of its kind in
// the seed table's order (internal/seed.Kinds, the loader's own), so the
// generator cannot drift from the format.
func header(name string) string {
	kind := domain.Kind(strings.TrimSuffix(name, ".csv"))
	return strings.Join(seed.ColumnsOf(kind).Names(), ",")
}

var fileNames = []string{"sectors.csv", "materials.csv", "controls.csv", "companies.csv", "supply.csv", "licences.csv"}

func generate(t testing.TB, o Options) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Generate(context.Background(), o, dir)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return dir, sum
}

func TestDeterminism(t *testing.T) {
	base := Options{Companies: 2000, Seed: 7}
	dirA, _ := generate(t, base)
	dirB, _ := generate(t, base)
	other := base
	other.Seed = 8
	dirC, _ := generate(t, other)
	for _, name := range fileNames {
		a := readFile(t, filepath.Join(dirA, name))
		b := readFile(t, filepath.Join(dirB, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same options", name)
		}
	}
	if bytes.Equal(readFile(t, filepath.Join(dirA, "supply.csv")), readFile(t, filepath.Join(dirC, "supply.csv"))) {
		t.Error("supply.csv is the same for seeds 7 and 8")
	}
}

func TestOverwrite(t *testing.T) {
	dir := t.TempDir()
	big := Options{Companies: 500, Seed: 1}
	if _, err := Generate(context.Background(), big, dir); err != nil {
		t.Fatal(err)
	}
	small := Options{Companies: 40, Seed: 1}
	if _, err := Generate(context.Background(), small, dir); err != nil {
		t.Fatal(err)
	}
	fresh, _ := generate(t, small)
	for _, name := range fileNames {
		if !bytes.Equal(readFile(t, filepath.Join(dir, name)), readFile(t, filepath.Join(fresh, name))) {
			t.Errorf("%s: regenerating over an existing world does not give a fresh world's file", name)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"too few companies", Options{Companies: 29}, "at least 30 companies"},
		{"no companies", Options{}, "at least 30 companies"},
		{"negative links", Options{Companies: 100, LinksPerCompany: -1}, "links per company"},
		{"NaN links", Options{Companies: 100, LinksPerCompany: math.NaN()}, "links per company"},
		{"negative max rows", Options{Companies: 100, MaxRows: -1}, "max rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Generate(context.Background(), tc.o, dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{Companies: 1000}, t.TempDir())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestTierCounts(t *testing.T) {
	for n := MinCompanies; n <= 300; n++ {
		c := tierCounts(n)
		sum := 0
		for tr, k := range c {
			if k < 1 {
				t.Fatalf("n=%d: tier %v has %d companies", n, tier(tr), k)
			}
			sum += k
		}
		if sum != n {
			t.Fatalf("n=%d: tiers add up to %d", n, sum)
		}
	}
}

// TestShape checks the files of generated worlds: full headers, valid
// enums and references, and the features benchmarks and tests rely on.
func TestShape(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		full bool // check the statistical features too (large enough worlds)
	}{
		{"N=2000", Options{Companies: 2000, Seed: 1}, true},
		{"N=2000 seed 42", Options{Companies: 2000, Seed: 42}, true},
		{"N=5000 as of 2025-12-01, 4 links", Options{Companies: 5000, Seed: 3, LinksPerCompany: 4, AsOf: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}, true},
		{"N=30", Options{Companies: 30, Seed: 1}, false},
		{"N=31 seed 9", Options{Companies: 31, Seed: 9}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, sum := generate(t, tc.o)
			w := loadWorld(t, dir)
			checkWorld(t, w, tc.o, sum, tc.full)
		})
	}
}

type world struct {
	sectors   map[string]string // id -> parent
	materials map[string]string // id -> kind
	controls  map[string][]string
	companies map[string]company
	order     []string // company ids in file order
	links     []link
	licences  []licence
	sizes     map[string]int64
	// noConfidence counts the links without a confidence.
	noConfidence int
}

type company struct {
	country string
	roles   []string
	sectors []string
}

type link struct {
	s, c         string
	mats         []string
	since, until string
}

type licence struct {
	id, typ, status, holder        string
	clients, mats, excluded, ctrls []string
	issued, from, until, revoked   string
	reference                      string
}

func BenchmarkGenerate100k(b *testing.B) {
	dir := b.TempDir()
	var sum Summary
	iters := 0
	start := time.Now()
	for b.Loop() {
		var err error
		sum, err = Generate(context.Background(), Options{Companies: 100_000, Seed: 1}, dir)
		if err != nil {
			b.Fatal(err)
		}
		iters++
	}
	elapsed := time.Since(start)
	var total int64
	for _, f := range sum.Files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		total += fi.Size()
	}
	b.ReportMetric(elapsed.Seconds()/float64(iters), "s/world")
	b.ReportMetric(float64(total), "bytes/world")
	b.ReportMetric(float64(sum.SupplyLinks), "links")
	b.ReportMetric(float64(sum.Licences), "licences")
}
