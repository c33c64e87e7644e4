package export_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/export"
)

// synthetic is a Source of n companies with a supply link each, made
// page by page (nothing held), that samples the live heap at every page.
type synthetic struct {
	n       int
	maxLive uint64
	pages   int
}

func (s *synthetic) GraphVersion(context.Context) (domain.GraphVersion, error) {
	return domain.GraphVersion{Epoch: "e", Seq: 1}, nil
}

func (s *synthetic) UncitedSources(context.Context) (int, error) { return 0, nil }

func (s *synthetic) ExportPage(_ context.Context, kind domain.Kind, after string, limit int) ([]any, string, error) {
	s.pages++
	if s.pages%25 == 0 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		s.maxLive = max(s.maxLive, m.HeapAlloc)
	}
	if kind != domain.KindCompany && kind != domain.KindSupply {
		return nil, "", nil
	}
	start := 0
	if after != "" {
		start, _ = strconv.Atoi(after[1:])
		start++
	}
	end := min(start+limit, s.n)
	var out []any
	for i := start; i < end; i++ {
		id := fmt.Sprintf("c%07d", i)
		if kind == domain.KindCompany {
			out = append(out, domain.Company{ID: id, Name: "Company " + id, Aliases: []string{"alias " + id}, Country: "DE",
				Roles: []domain.Role{domain.RoleOEM}, Sectors: []string{"automotive"}, Website: "https://" + id + ".example.com"})
		} else {
			conf := 0.5
			out = append(out, domain.SupplyLink{Supplier: id, Customer: fmt.Sprintf("c%07d", (i+1)%s.n),
				Materials: []string{"NdFeB"}, Confidence: &conf, Sources: []string{"https://example.org/" + id}})
		}
	}
	if end == start {
		return nil, "", nil
	}
	return out, fmt.Sprintf("c%07d", end-1), nil
}

// The exports hold a page at a time: the live heap while exporting a
// million companies and a million links is no larger than while
// exporting fifty thousand (the store's side of the same pages is
// measured on Neo4j in docs/performance.md).
func TestExportsDoNotHoldTheGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million records")
	}
	live := func(n int, ftm bool) uint64 {
		src := &synthetic{n: n}
		var err error
		if ftm {
			_, err = export.FtM(context.Background(), src, io.Discard)
		} else {
			_, err = export.Seed(context.Background(), src, filepath.Join(t.TempDir(), "b"), export.SeedOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		return src.maxLive
	}
	for _, ftm := range []bool{false, true} {
		small, large := live(50_000, ftm), live(1_000_000, ftm)
		t.Logf("ftm=%v: live heap at most %.1f MiB for 50,000 companies, %.1f MiB for 1,000,000", ftm, mib(small), mib(large))
		if large > small+4<<20 {
			t.Errorf("ftm=%v: the live heap grows with the graph: %.1f MiB for 50,000 companies, %.1f MiB for 1,000,000", ftm, mib(small), mib(large))
		}
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
