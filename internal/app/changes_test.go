package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

type changePage struct {
	Changes struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Node struct {
				Actor, Operation, At string
				IDs                  []string
				Count                int
			}
		}
	}
}

// The audit trail records every write — seed files and mutations — with
// who, when, which operation and which ids, and `changes` lists them newest
// first to readers.
func TestAuditTrail(t *testing.T) {
	w := newAuthWorld(t, true) // loads testdata/readapi through the seed loader
	editor := w.jwt(jwt.SigningMethodHS256, map[string]any{"sub": "alice", "roles": []string{"editor"}})
	reader := "reader-api-key"

	list := func(token, args string) changePage {
		t.Helper()
		resp, raw := w.post(token, `{ changes`+args+` { totalCount pageInfo { hasNextPage endCursor }
			edges { node { actor operation at ids count } } } }`, nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("changes: %s", raw)
		}
		var p changePage
		if err := json.Unmarshal(resp.Data, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}

	seeded := list(reader, "(first: 100)")
	if seeded.Changes.TotalCount == 0 {
		t.Fatal("loading the fixtures recorded no change")
	}
	for _, e := range seeded.Changes.Edges {
		if e.Node.Actor != "seed" || !strings.HasPrefix(e.Node.Operation, "seed ") || e.Node.Count == 0 || len(e.Node.IDs) == 0 {
			t.Errorf("seed change = %+v", e.Node)
		}
	}

	// Reloading the same files changes nothing, so it records nothing.
	if _, err := seed.New(w.app.Store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), []string{filepath.Join("testdata", "readapi")}); err != nil {
		t.Fatal(err)
	}
	if again := list(reader, ""); again.Changes.TotalCount != seeded.Changes.TotalCount {
		t.Fatalf("an unchanged reload recorded changes: %d → %d", seeded.Changes.TotalCount, again.Changes.TotalCount)
	}

	time.Sleep(20 * time.Millisecond)
	before := time.Now().UTC().Format(time.RFC3339Nano)
	resp, raw := w.post(editor, `mutation { upsertCompany(input: {id: "audit-co", name: "Audit Co", country: "DE"}) { id } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("upsertCompany: %s", raw)
	}
	latest := list(reader, `(first: 1, since: "`+before+`")`)
	if latest.Changes.TotalCount != 1 {
		t.Fatalf("since %s: %d changes, want 1", before, latest.Changes.TotalCount)
	}
	got := latest.Changes.Edges[0].Node
	if got.Actor != "alice" || got.Operation != "upsertCompany" || strings.Join(got.IDs, ",") != "audit-co" || got.Count != 1 {
		t.Fatalf("newest change = %+v", got)
	}

	// Paging walks the whole trail newest first without repeats.
	var seen []string
	after := ""
	for range 50 {
		p := list(reader, `(first: 2`+after+`)`)
		for _, e := range p.Changes.Edges {
			seen = append(seen, e.Node.At+" "+e.Node.Operation)
		}
		if !p.Changes.PageInfo.HasNextPage {
			break
		}
		after = `, after: "` + p.Changes.PageInfo.EndCursor + `"`
	}
	if len(seen) != seeded.Changes.TotalCount+1 || !strings.HasSuffix(seen[0], "upsertCompany") {
		t.Fatalf("paged %d changes (want %d), first %q\n%s", len(seen), seeded.Changes.TotalCount+1, seen[0], strings.Join(seen, "\n"))
	}
	for i := 1; i < len(seen); i++ {
		prev, _ := time.Parse(time.RFC3339Nano, strings.Fields(seen[i-1])[0])
		cur, _ := time.Parse(time.RFC3339Nano, strings.Fields(seen[i])[0])
		if cur.After(prev) {
			t.Fatalf("not newest first: %q before %q", seen[i-1], seen[i])
		}
	}

	// A refused write records nothing; anonymous callers may not read the trail.
	w.post("", `mutation { upsertCompany(input: {id: "nope", name: "Nope", country: "DE"}) { id } }`, nil)
	if n := list(reader, "").Changes.TotalCount; n != seeded.Changes.TotalCount+1 {
		t.Fatalf("a refused write was recorded: %d changes", n)
	}
	resp, raw = w.post("", `{ changes { totalCount } }`, nil)
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Fatalf("anonymous changes: %s", raw)
	}
}
