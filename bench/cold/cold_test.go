package cold_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/bench/cold"
	"github.com/licencegraph/licencegraph/bench/writer"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// TestRunShort is make bench-api's run on a generated world of 500
// companies, served in this process by app.New's handler and written to
// through a store of its own (as another process would): every row gets
// its samples, the writes change the answers asked after them, and the
// graph is left as it was found.
func TestRunShort(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.AllowAnonymousRead = true
	cfg.RequestTimeout = time.Minute
	a, err := app.New(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close(context.Background())
	})
	ctx := context.Background()
	if _, err := a.Store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, cfg)
	world := t.TempDir()
	if _, err := synth.Generate(ctx, synth.Options{Companies: 500, Seed: 1}, world); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.New(a.Store, seed.Options{Logger: testutil.Logger(t)}).Load(ctx, []string{world}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	store, err := app.OpenStore(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)

	client := &http.Client{}
	url := srv.URL + "/graphql"
	date, _ := domain.ParseDate("2026-06-01")
	before, err := writer.Find(ctx, client, url, date, 8)
	if err != nil {
		t.Fatal(err)
	}
	exposedBefore := exposed(t, client, url, date)

	res, err := cold.Run(ctx, cold.Options{URL: url, Client: client, Store: store, Samples: 3, Budget: time.Minute,
		Timeout: time.Minute, Date: date, Prefix: "TEST-LIC"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	for _, r := range res.Rows {
		if r.N != 3 || r.P50 <= 0 || r.Max < r.P90 || r.P90 < r.P50 {
			t.Errorf("%s: %+v", r.Name, r.Stat)
		}
	}
	if res.LicenceWrites.N != 12 || res.LinkWrites.N != 6 {
		t.Errorf("writes: %d licence, %d link; want 12 and 6 (four and two per round)", res.LicenceWrites.N, res.LinkWrites.N)
	}
	// Left as found: the same hops uncovered, the same companies exposed.
	after, err := writer.Find(ctx, client, url, date, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Hops) != len(before.Hops) || len(after.Links) != len(before.Links) {
		t.Errorf("after the run %d hops, %d links; before %d, %d", len(after.Hops), len(after.Links), len(before.Hops), len(before.Links))
	}
	if got := exposed(t, client, url, date); got != exposedBefore {
		t.Errorf("%d companies exposed after the run, %d before", got, exposedBefore)
	}

	// A licence write decides the answer asked after it.
	lic := &writer.Licences{Store: store, Prefix: "TEST-DECIDES", Hops: before.Hops[:1]}
	for _, want := range []bool{true, false} {
		w, err := lic.Toggle(ctx)
		if err != nil {
			t.Fatal(err)
		}
		covered, found, err := writer.Covered(ctx, client, url, w.Hop.Supplier, w.Hop.Client, date)
		if err != nil || !found || covered != want {
			t.Errorf("after %s: covered %v (listed %v, %v), want %v", w.Op, covered, found, err, want)
		}
	}
}

func exposed(t *testing.T, client *http.Client, url string, date domain.Date) int {
	t.Helper()
	var out struct{ ExposedCompanies struct{ TotalCount int } }
	if err := writer.Ask(context.Background(), client, url, cold.ExposedQuery, map[string]any{"asOf": date.String()}, &out); err != nil {
		t.Fatal(err)
	}
	return out.ExposedCompanies.TotalCount
}
