package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/graph"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The read API's round trips: batching, prefetching, partial reads and
// the licence lists kept between requests.

// The N+1 guard: a page of 5 companies and a page of 50, each with
// sectors, suppliers, their licences and those licences' clients, cost the
// same number of database round trips.
func TestReadRoundTripsDoNotGrowWithThePage(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: 300, Seed: 1}, dir); err != nil {
		t.Fatal(err)
	}
	a, srv := loadedServer(t, dir)
	// Names, not just ids: a relation asked for `{ id }` only is answered
	// from the ids its parent holds, without a round trip (graph/stubs.go).
	const q = `{ companies(first: %d) { edges { node { id sectors { id name } country { code }
		suppliers(first: 10) { totalCount edges { node { materials { id name } supplier { id
			licencesHeld { id clients { id name } } } } } } } } } }`
	// Loaders batch the keys that arrive within their wait (16 ms). On a
	// loaded 2-core machine a level's keys can straddle two batches, which
	// adds a round trip or two but never one per item; so each page is
	// measured up to three times and its best run counts, and every run
	// must stay far below one round trip per company (no N+1).
	var trips [2]int64
	for i, n := range []int{5, 50} {
		query := fmt.Sprintf(q, n)
		mustData(t, srv.URL, query) // warm the query cache; loaders are per request
		trips[i] = -1
		for attempt := 0; attempt < 3 && trips[i] != 6; attempt++ {
			before := a.Store.Queries()
			data := mustData(t, srv.URL, query)
			got := a.Store.Queries() - before
			// The page must exercise every level, or equal counts prove nothing.
			for _, want := range []string{`"sectors":[{`, `"supplier":{`, `"licencesHeld":[{`, `"clients":[{`} {
				if !bytes.Contains(data, []byte(want)) {
					t.Fatalf("page of %d has no %s: the world does not exercise the query", n, want)
				}
			}
			if got > 12 {
				t.Fatalf("page of %d companies: %d round trips; batching is broken", n, got)
			}
			if trips[i] < 0 || got < trips[i] {
				trips[i] = got
			}
		}
		t.Logf("page of %d companies: %d round trips", n, trips[i])
	}
	if trips[0] != trips[1] {
		t.Errorf("round trips: %d for 5 companies, %d for 50: a nested field is not batched", trips[0], trips[1])
	}
	// companies, sectors, suppliers (with the supplier companies), materials,
	// the graph's version (licencesHeld comes from the projection), clients.
	if trips[1] > 6 {
		t.Errorf("%d round trips, want at most 6", trips[1])
	}
}

// A relation asked for `{ id }` only is answered from the ids its parent
// holds (graph/stubs.go): the same ids, in the same order, as when the
// relation's objects are loaded, and fewer round trips.
func TestReadIDOnlyRelations(t *testing.T) {
	a, srv := loadedServer(t, filepath.Join("testdata", "readapi"))
	const q = `{ licences(first: 20) { edges { node { id holder { id%[1]s } clients { id%[1]s }
		materials { id%[1]s } excludedSectors { id%[1]s } controls { id%[2]s } } } }
	  companies(first: 20) { edges { node { id sectors { id%[1]s } } } } }`
	run := func(extra ...any) (string, int64) {
		before := a.Store.Queries()
		data := mustData(t, srv.URL, fmt.Sprintf(q, extra...))
		trips := a.Store.Queries() - before
		// Keep only the ids.
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		var strip func(any) any
		strip = func(x any) any {
			switch x := x.(type) {
			case map[string]any:
				delete(x, "name")
				delete(x, "title")
				delete(x, "status")
				for k, e := range x {
					x[k] = strip(e)
				}
			case []any:
				for i, e := range x {
					x[i] = strip(e)
				}
			}
			return x
		}
		out, _ := json.Marshal(strip(v))
		return string(out), trips
	}
	loaded, loadedTrips := run(" name", " title")
	stubbed, stubbedTrips := run("", "")
	if stubbed != loaded {
		t.Fatalf("ids differ:\n id only %s\n loaded  %s", stubbed, loaded)
	}
	if !strings.Contains(stubbed, `"clients":[{"id":`) || !strings.Contains(stubbed, `"controls":[{"id":`) {
		t.Fatalf("the world does not exercise the relations: %s", stubbed)
	}
	if stubbedTrips >= loadedTrips {
		t.Errorf("%d round trips with ids only, %d loading the objects", stubbedTrips, loadedTrips)
	}
	t.Logf("round trips: %d with ids only, %d loading the objects", stubbedTrips, loadedTrips)
}

// licencesHeld without list fields reads the licences without their lists;
// with them (directly or through a fragment) it reads them: the licences
// are the same either way.
func TestReadLicencesHeldWithAndWithoutLists(t *testing.T) {
	srv := readAPIWorld(t)
	const bare = `{ company(id: "cn-mag") { licencesHeld(asOf: "2025-06-01") { id status type validFrom validUntil revokedOn reference holder { id } } } }`
	plainJSON, _ := json.Marshal(decode(t, mustData(t, srv.URL, bare))) // keys sorted
	plain := string(plainJSON)
	for _, q := range []string{
		`{ company(id: "cn-mag") { licencesHeld(asOf: "2025-06-01") { id status type validFrom validUntil revokedOn reference holder { id } clients { id } } } }`,
		`{ company(id: "cn-mag") { licencesHeld(asOf: "2025-06-01") { id status type validFrom validUntil revokedOn reference holder { id } ...L } } } fragment L on Licence { materials { id } sources }`,
	} {
		withLists := decode(t, mustData(t, srv.URL, q))
		held := withLists.(map[string]any)["company"].(map[string]any)["licencesHeld"].([]any)
		lists := 0
		for _, l := range held {
			m := l.(map[string]any)
			for _, f := range []string{"clients", "materials", "sources"} {
				if v, ok := m[f].([]any); ok {
					lists += len(v)
					delete(m, f)
				}
			}
		}
		if lists == 0 {
			t.Errorf("%s: no list read", q)
		}
		stripped, _ := json.Marshal(withLists)
		if !strings.Contains(plain, `"id":"L-active"`) || string(stripped) != plain {
			t.Errorf("licences differ:\n with lists %s\n without    %s", stripped, plain)
		}
	}
}

// A page of supply links reads only what its selection needs (links'
// properties, the other companies' properties, their sectors): every
// narrower selection must answer exactly what the full one answers for the
// fields it asks, also when the same companies are asked in full elsewhere
// in the query (companies read in part must not answer other fields).
func TestReadLinkPagesReadWhatIsSelected(t *testing.T) {
	srv := readAPIWorld(t)
	const page = `companies(first: 20) { edges { node { id %s(first: 5) { totalCount edges { cursor node { %s } } } } } }`
	const company = `{ id name aliases roles lei website country { code } sectors { id } }`
	const full = `since until confidence sources materials { id } customer ` + company + ` supplier ` + company
	narrow := []string{
		`supplier { id }`, `customer { id }`,
		`supplier { id name }`, `customer { id country { code } }`,
		`supplier { sectors { id } }`, `since sources`,
		`materials { id } supplier { licencesHeld { id } }`,
		`customer { name } supplier { id }`,
		`supplier { aliases roles }`, `customer { lei website }`,
	}
	for _, side := range []string{"suppliers", "customers"} {
		want := decode(t, mustData(t, srv.URL, "{ "+fmt.Sprintf(page, side, full)+" }"))
		if !strings.Contains(fmt.Sprint(want), "since") {
			t.Fatalf("the world has no %s to read", side)
		}
		for _, sel := range narrow {
			// The same companies again, in full, in the same request.
			q := "{ " + fmt.Sprintf(page, side, sel) + ` all: companies(first: 20) { edges { node { id name sectors { id } } } } }`
			got := decode(t, mustData(t, srv.URL, q)).(map[string]any)
			other := decode(t, mustData(t, srv.URL, `{ all: companies(first: 20) { edges { node { id name sectors { id } } } } }`))
			if !reflect.DeepEqual(got["all"], other.(map[string]any)["all"]) {
				t.Errorf("%s { %s }: the full list beside it changed:\n got %v\nwant %v", side, sel, got["all"], other)
			}
			if diff := subsetDiff(got["companies"], want.(map[string]any)["companies"]); diff != "" {
				t.Errorf("%s { %s }: %s", side, sel, diff)
			}
		}
	}
	// Companies a lean page reads by id are found again as the owners of
	// the pages below them: their names must be read, not taken from the
	// lean page.
	const twoLevels = `{ company(id: "de-oem") { id suppliers(first: 5) { edges { node { supplier { id%s
		suppliers(first: 5) { edges { node { customer { id name } } } } } } } } } }`
	lean := decode(t, mustData(t, srv.URL, fmt.Sprintf(twoLevels, "")))
	loaded := decode(t, mustData(t, srv.URL, fmt.Sprintf(twoLevels, " name")))
	if diff := subsetDiff(lean, loaded); diff != "" || !strings.Contains(fmt.Sprint(lean), "name:Parts KK") {
		t.Errorf("two levels, lean first level: %s\n%v", diff, lean)
	}
}

// subsetDiff says where got is not the part of want it selects (every map
// key of got must hold the same value in want; lists element by element).
func subsetDiff(got, want any) string {
	switch g := got.(type) {
	case map[string]any:
		w, ok := want.(map[string]any)
		if !ok {
			return fmt.Sprintf("%v is not an object", want)
		}
		for k, v := range g {
			wv, ok := w[k]
			if !ok {
				if k == "licencesHeld" { // not in the full selection
					continue
				}
				return fmt.Sprintf("%s not in the full answer", k)
			}
			if d := subsetDiff(v, wv); d != "" {
				return k + "." + d
			}
		}
	case []any:
		w, ok := want.([]any)
		if !ok || len(w) != len(g) {
			return fmt.Sprintf("%d items, want %v", len(g), want)
		}
		for i := range g {
			if d := subsetDiff(g[i], w[i]); d != "" {
				return fmt.Sprintf("[%d].%s", i, d)
			}
		}
	default:
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("%v, want %v", got, want)
		}
	}
	return ""
}

// Resolvers that read companies send the batches of the loader fields
// selected on them at once (graph/prefetch.go), and so do batches of
// supply-link pages for the companies at their ends: no level of a nested
// query waits for its keys to stop arriving. With the wait made longer
// than the whole test allows, a level that still waited would show; the
// answers must equal those of the usual server, with no more round trips.
func TestReadNestedLevelsDoNotWaitForKeys(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: 300, Seed: 1}, dir); err != nil {
		t.Fatal(err)
	}
	a, usual := loadedServer(t, dir)
	const wait = 5 * time.Second
	slow := httptest.NewServer(graph.NewHandler(&graph.Resolver{Reads: a.Store},
		graph.HandlerOptions{LoaderQuiet: wait, AllowAnonymousRead: true, Logger: testutil.Logger(t)}))
	t.Cleanup(slow.Close)

	levels := `id name licencesHeld { id status clients { id name } } licencesCovering(asOf: "2026-01-01") { id }
		suppliers(first: 4) { totalCount edges { node { since materials { id name } supplier { id name
			licencesHeld(status: ACTIVE) { id }
			customers(first: 3) { edges { node { customer { id licencesHeld { id } } } } } } } } }`
	queries := map[string]string{
		"companies": `{ companies(first: 30) { edges { node { ` + levels + ` } } } }`,
		"company":   `{ company(id: "c000040") { ` + levels + ` } }`,
		"search":    `{ search(text: "c", first: 10) { ` + levels + ` } }`,
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			before := a.Store.Queries()
			want := mustData(t, usual.URL, q)
			usualTrips := a.Store.Queries() - before
			if !bytes.Contains(want, []byte(`"customer":{`)) || name == "companies" && !bytes.Contains(want, []byte(`"clients":[{`)) {
				t.Fatalf("the world does not exercise the query: %s", want)
			}
			start := time.Now()
			before = a.Store.Queries()
			got := mustData(t, slow.URL, q)
			took, trips := time.Since(start), a.Store.Queries()-before
			if took >= wait {
				t.Errorf("took %s with a %s batch wait: a level waited for its keys", took, wait)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("answers differ:\n got %s\nwant %s", got, want)
			}
			if trips > usualTrips {
				t.Errorf("%d round trips, %d without prefetching", trips, usualTrips)
			}
			t.Logf("%s: %s, %d round trips", name, took.Round(time.Millisecond), trips)
		})
	}
}

// Licence lists are answered from the projection (internal/projection) but
// never outlive a write: a repeated query reads no licences, and a licence
// written since (here straight into the store, as another process's seed
// load would) is in the next answer, re-read alone.
func TestReadLicenceListsFollowWrites(t *testing.T) {
	a, srv := loadedServer(t, filepath.Join("testdata", "readapi"))
	const q = `{ holder: company(id: "cn-mag") { licencesHeld(asOf: "2025-06-01") { id clients { id } } }
	  client: company(id: "jp-parts") { licencesCovering(asOf: "2025-06-01") { id } } }`
	run := func() (string, []string) {
		var mu sync.Mutex
		var methods []string
		a.Store.SetRecorder(func(s neo4jstore.Statement) { mu.Lock(); methods = append(methods, s.Method); mu.Unlock() })
		defer a.Store.SetRecorder(nil)
		return string(mustData(t, srv.URL, q)), methods
	}
	licenceReads := func(methods []string) []string {
		var out []string
		for _, m := range methods {
			if strings.Contains(m, "Licences") {
				out = append(out, m)
			}
		}
		return out
	}

	first, _ := run()
	for _, want := range []string{`"L-active"`, `"L-excl"`} {
		if !strings.Contains(first, want) {
			t.Fatalf("first answer %s has no %s", first, want)
		}
	}
	again, methods := run()
	if again != first {
		t.Fatalf("repeated query: %s, want %s", again, first)
	}
	if r := licenceReads(methods); len(r) != 0 {
		t.Errorf("repeated query read licences (%v), want none", methods)
	}

	if _, err := a.Store.WriteSeed(context.Background(), domain.KindLicence, []any{domain.Licence{
		ID: "L-new", Type: domain.LicenceGeneral, Status: domain.StatusActive, Holder: "cn-mag", Clients: []string{"jp-parts"},
	}}, nil); err != nil {
		t.Fatal(err)
	}
	after, methods := run()
	if r := licenceReads(methods); !slices.Equal(r, []string{"LicencesByIDs"}) {
		t.Errorf("after a write: licences read by %v (%v), want the written one re-read (LicencesByIDs)", r, methods)
	}
	var got struct {
		Holder struct{ LicencesHeld []struct{ ID string } }
		Client struct{ LicencesCovering []struct{ ID string } }
	}
	if err := json.Unmarshal([]byte(after), &got); err != nil {
		t.Fatal(err)
	}
	ids := func(ls []struct{ ID string }) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	if h, c := ids(got.Holder.LicencesHeld), ids(got.Client.LicencesCovering); !slices.Contains(h, "L-new") || !slices.Contains(c, "L-new") {
		t.Errorf("after writing L-new: held %v, covering %v; want L-new in both", h, c)
	}
}
