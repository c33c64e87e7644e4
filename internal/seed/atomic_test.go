package seed_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// A bad row at the end of a 10,000-row file leaves the graph as it was.
func TestLargeFileIsAtomic(t *testing.T) {
	cfg, store := setup(t)
	base := writeFiles(t, map[string]string{"sectors.yaml": baseSectors, "materials.csv": baseMaterials, "companies.csv": baseCompanies})
	if _, err := load(t, store, seed.Options{}, base); err != nil {
		t.Fatal(err)
	}
	before := testutil.Dump(t, cfg)

	var b strings.Builder
	b.WriteString("id,name,country,roles,sectors\n")
	for i := range 9999 {
		fmt.Fprintf(&b, "c%05d,Company %d,DE,COMPONENT_SUPPLIER,automotive\n", i, i)
	}
	b.WriteString("c99999,Last Company,ZZ,COMPONENT_SUPPLIER,automotive\n") // row 10,000: bad country
	dir := writeFiles(t, map[string]string{"companies.csv": b.String()})
	sum, err := load(t, store, seed.Options{}, dir)
	if err == nil {
		t.Fatal("want an error")
	}
	if got := errorTexts(sum); len(got) != 1 || !strings.Contains(got[0], "companies.csv:10001: country") {
		t.Fatalf("errors = %v", got)
	}
	if after := testutil.Dump(t, cfg); !slices.Equal(before, after) {
		t.Fatalf("graph changed: %d lines before, %d after", len(before), len(after))
	}

	// The write begins while the file is still being read: a reference
	// to an unknown sector on the last of 12,000 rows is found after the
	// first batches went to the database, and those are rolled back.
	var late strings.Builder
	late.WriteString("id,name,country,sectors\n")
	for i := range 11999 {
		fmt.Fprintf(&late, "l%05d,Late %d,FR,automotive\n", i, i)
	}
	late.WriteString("l99999,Last,FR,no-such-sector\n")
	dir = writeFiles(t, map[string]string{"companies.csv": late.String()})
	counting := &countBatches{Store: store}
	sum, err = load(t, counting, seed.Options{}, dir)
	if err == nil {
		t.Fatal("want an error")
	}
	if got := errorTexts(sum); len(got) != 1 || !strings.Contains(got[0], `companies.csv:12001: sectors: unknown sector "no-such-sector"`) {
		t.Fatalf("errors = %v", got)
	}
	if counting.batches == 0 {
		t.Fatal("no batch reached the store before the error: the write did not overlap the reading")
	}
	if after := testutil.Dump(t, cfg); !slices.Equal(before, after) {
		t.Fatalf("graph changed: %d lines before, %d after", len(before), len(after))
	}

	// A failure during the write (here: the load is cancelled after the
	// first batch reached the database) also leaves nothing behind.
	var good strings.Builder
	good.WriteString("id,name,country\n")
	for i := range 12000 {
		fmt.Fprintf(&good, "g%05d,Good %d,FR\n", i, i)
	}
	dir = writeFiles(t, map[string]string{"companies.csv": good.String()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelling := cancelAfterFirstBatch{Store: store, cancel: cancel}
	if _, err := seed.New(cancelling, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{dir}); err == nil {
		t.Fatal("cancelled load reported success")
	}
	if after := testutil.Dump(t, cfg); !slices.Equal(before, after) {
		t.Fatalf("interrupted write left data: %d lines before, %d after", len(before), len(after))
	}
}

// cancelAfterFirstBatch is the real store whose context is cancelled once
// the first batch of a write has run inside the transaction.
type cancelAfterFirstBatch struct {
	*neo4jstore.Store
	cancel context.CancelFunc
}

func (c cancelAfterFirstBatch) WriteSeedStream(ctx context.Context, kind domain.Kind, next func() ([]any, error), progress func(int)) (domain.WriteCounts, error) {
	return c.Store.WriteSeedStream(ctx, kind, next, func(done int) {
		c.cancel()
		if progress != nil {
			progress(done)
		}
	})
}

// countBatches is the real store, counting the batches it was handed.
type countBatches struct {
	*neo4jstore.Store
	batches int
}

func (c *countBatches) WriteSeedStream(ctx context.Context, kind domain.Kind, next func() ([]any, error), progress func(int)) (domain.WriteCounts, error) {
	return c.Store.WriteSeedStream(ctx, kind, func() ([]any, error) {
		b, err := next()
		if err == nil {
			c.batches++
		}
		return b, err
	}, progress)
}
