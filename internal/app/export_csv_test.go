package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/exposurecsv"
	"github.com/licencegraph/licencegraph/internal/synth"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// GET /export/exposed.csv end to end: the CSV equals the GraphQL
// exposedCompanies answer to the same question, row for row, on the
// curated data and on a generated world.

// csvGet fetches path with an optional bearer token.
func csvGet(t *testing.T, base, path, token string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// gqlExposedRows asks exposedCompanies with every figure, page by page,
// and turns the answer into CSV rows as the export writes them. First
// hops are the distinct first hops of the company's paths (at most 100
// paths are listed: complete is false for a company with more).
func gqlExposedRows(t *testing.T, base, args string) (rows [][]string, complete map[string]bool) {
	t.Helper()
	complete = map[string]bool{}
	after := ""
	for {
		q := fmt.Sprintf(`{ exposedCompanies(%s, first: 50, after: %q) { pageInfo { hasNextPage endCursor }
			edges { node { company { id name country { code } } minDepth pathCount confidence since uncoveredSuppliers { id }
			paths(first: 100) { hops { supplier { id } customer { id } reason } } } } } }`, args, after)
		var data struct {
			ExposedCompanies struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct {
					Node struct {
						Company struct {
							ID, Name string
							Country  struct{ Code string }
						}
						MinDepth, PathCount int
						Confidence          *float64
						Since               *string
						UncoveredSuppliers  []struct{ ID string }
						Paths               []struct {
							Hops []struct {
								Supplier, Customer struct{ ID string }
								Reason             string
							}
						}
					}
				}
			}
		}
		if err := json.Unmarshal(mustData(t, base, q), &data); err != nil {
			t.Fatal(err)
		}
		for _, e := range data.ExposedCompanies.Edges {
			n := e.Node
			conf, since := "", ""
			if n.Confidence != nil {
				conf = strconv.FormatFloat(*n.Confidence, 'f', -1, 64)
			}
			if n.Since != nil {
				since = *n.Since
			}
			var sup, hops []string
			for _, s := range n.UncoveredSuppliers {
				sup = append(sup, s.ID)
			}
			for _, p := range n.Paths {
				h := p.Hops[0]
				hop := h.Supplier.ID + ">" + h.Customer.ID + ":" + h.Reason
				if !slices.Contains(hops, hop) {
					hops = append(hops, hop)
				}
			}
			slices.Sort(hops)
			complete[n.Company.ID] = len(n.Paths) == n.PathCount
			rows = append(rows, []string{n.Company.ID, n.Company.Name, n.Company.Country.Code, strconv.Itoa(n.MinDepth),
				strconv.Itoa(n.PathCount), conf, since, strings.Join(sup, ";"), strings.Join(hops, ";")})
		}
		if !data.ExposedCompanies.PageInfo.HasNextPage {
			return rows, complete
		}
		after = data.ExposedCompanies.PageInfo.EndCursor
	}
}

func TestExposedCSVEqualsGraphQL(t *testing.T) {
	world := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: 1500, Seed: 3}, world); err != nil {
		t.Fatal(err)
	}
	asOf := synth.DefaultAsOf.Format("2006-01-02")
	worlds := []struct {
		name      string
		path      string
		questions [][2]string // GraphQL arguments, CSV parameters
	}{
		{"curated seed", filepath.Join(testutil.RepoRoot(t), "seed"), [][2]string{
			{`asOf: "2026-12-06"`, `asOf=2026-12-06&since=true`},
			{`asOf: "2025-06-01", maxDepth: 2`, `asOf=2025-06-01&maxDepth=2&since=true`},
			{`asOf: "2025-06-01", sector: "automotive"`, `asOf=2025-06-01&sector=automotive&since=1`},
			{`asOf: "2026-12-06", minConfidence: 0.5`, `asOf=2026-12-06&minConfidence=0.5&since=true`},
		}},
		{"generated world", world, [][2]string{
			{`asOf: "` + asOf + `"`, `asOf=` + asOf + `&since=true`},
			{`asOf: "` + asOf + `", maxDepth: 6, minConfidence: 0.3`, `asOf=` + asOf + `&maxDepth=6&minConfidence=0.3&since=true`},
		}},
	}
	for _, w := range worlds {
		t.Run(w.name, func(t *testing.T) {
			_, srv := loadedServer(t, w.path)
			exposed := 0
			for _, q := range w.questions {
				want, complete := gqlExposedRows(t, srv.URL, q[0])
				status, h, body := csvGet(t, srv.URL, exposurecsv.Path+"?"+q[1], "")
				if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
					t.Fatalf("%s: %d %s\n%s", q[1], status, h.Get("Content-Type"), body)
				}
				got, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatalf("%s: not CSV: %v", q[1], err)
				}
				if !slices.Equal(got[0], exposurecsv.Header) {
					t.Fatalf("header %v", got[0])
				}
				got = got[1:]
				if len(got) != len(want) {
					t.Fatalf("%s: %d rows, GraphQL has %d companies", q[1], len(got), len(want))
				}
				exposed += len(got)
				for i := range want {
					g, wr := got[i], want[i]
					if !complete[wr[0]] { // more paths than GraphQL lists: its first hops are among the CSV's
						for _, hop := range strings.Split(wr[8], ";") {
							if !slices.Contains(strings.Split(g[8], ";"), hop) {
								t.Errorf("%s: %s: first hop %s of GraphQL is not in the CSV %q", q[1], wr[0], hop, g[8])
							}
						}
						g, wr = g[:8], wr[:8]
					}
					if !slices.Equal(g, wr) {
						t.Errorf("%s: row %d\n csv:     %q\n graphql: %q", q[1], i, g, wr)
					}
				}
			}
			if exposed == 0 {
				t.Fatal("no company exposed in any question: nothing compared")
			}
		})
	}
}

// Parameters are checked as GraphQL checks its arguments, with a 400 and
// a JSON error naming the parameter; anything but GET is 405.
func TestExposedCSVBadParameters(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join("testdata", "readapi"))
	cases := []struct{ query, param, message string }{
		{"maxDepth=0", "maxDepth", "maxDepth must be between 1 and 6"},
		{"maxDepth=7", "maxDepth", "maxDepth must be between 1 and 6"},
		{"maxDepth=two", "maxDepth", `maxDepth: "two" is not an integer`},
		{"asOf=2026-02-30", "asOf", "asOf:"},
		{"asOf=yesterday", "asOf", "asOf:"},
		{"minConfidence=0", "minConfidence", "minConfidence must be greater than 0 and at most 1"},
		{"minConfidence=1.5", "minConfidence", "minConfidence must be greater than 0 and at most 1"},
		{"minConfidence=NaN", "minConfidence", "minConfidence must be greater than 0 and at most 1"},
		{"minConfidence=high", "minConfidence", `minConfidence: "high" is not a number`},
		{"since=maybe", "since", `since: "maybe" is not true or false`},
		{"maxdepth=3", "maxdepth", `unknown parameter "maxdepth"`},
		{"maxDepth=2&maxDepth=3", "maxDepth", "maxDepth is given 2 times"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			status, h, body := csvGet(t, srv.URL, exposurecsv.Path+"?"+c.query, "")
			var e struct {
				Error struct{ Code, Message, Parameter string }
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || status != http.StatusBadRequest ||
				h.Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s: %s", status, h.Get("Content-Type"), body)
			}
			if e.Error.Code != "BAD_USER_INPUT" || e.Error.Parameter != c.param || !strings.Contains(e.Error.Message, c.message) {
				t.Errorf("got %+v, want parameter %s and a message with %q", e.Error, c.param, c.message)
			}
		})
	}
	resp, err := http.Post(srv.URL+exposurecsv.Path, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

// The same access rule as GraphQL queries: with anonymous reads off, no
// token and an invalid token are 401, a token without role reader 403,
// reader and above 200; with them on, anonymous callers read.
func TestExposedCSVAccess(t *testing.T) {
	for _, anonymous := range []bool{false, true} {
		t.Run(fmt.Sprintf("anonymous read %v", anonymous), func(t *testing.T) {
			w := newAuthWorld(t, anonymous)
			anonStatus := http.StatusUnauthorized
			if anonymous {
				anonStatus = http.StatusOK
			}
			cases := []struct {
				name  string
				token string
				want  int
			}{
				{"no token", "", anonStatus},
				{"invalid token", "not-a-token", http.StatusUnauthorized},
				{"expired JWT", w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"reader"}, "exp": 1}), http.StatusUnauthorized},
				{"token without roles", w.jwt(jwt.SigningMethodHS256, nil), http.StatusForbidden},
				{"reader JWT", w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"reader"}}), http.StatusOK},
				{"reader API key", "reader-api-key", http.StatusOK},
				{"editor API key", "editor-api-key", http.StatusOK},
			}
			for _, c := range cases {
				status, h, body := csvGet(t, w.url, exposurecsv.Path+"?asOf=2026-06-01", c.token)
				if status != c.want {
					t.Errorf("%s: %d, want %d: %s", c.name, status, c.want, body)
				}
				if status == http.StatusUnauthorized && h.Get("WWW-Authenticate") != "Bearer" {
					t.Errorf("%s: 401 without WWW-Authenticate: Bearer", c.name)
				}
				if status == http.StatusOK && !strings.HasPrefix(body, strings.Join(exposurecsv.Header, ",")) {
					t.Errorf("%s: body %q", c.name, body)
				}
			}
		})
	}
}

// The CSV is made a chunk at a time, all of one graph version: a write
// committed between two chunks stops it with CONFLICT rather than mix
// two states of the graph.
func TestExposedReportRefusesToMixVersions(t *testing.T) {
	world := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Options{Companies: 1500, Seed: 3}, world); err != nil {
		t.Fatal(err)
	}
	a, _ := loadedServer(t, world)
	engine := exposure.New(exposure.Views(a.Projection.Acquire))
	q := domain.ExposureQuery{AsOf: domain.DateOf(synth.DefaultAsOf), MaxDepth: 4}
	chunks := 0
	err := engine.ExposedReport(context.Background(), q, false, func([]domain.ExposedReportRow) error {
		chunks++
		if chunks == 1 {
			c := domain.Company{ID: "late-arrival", Name: "Late", Country: "FR"}
			if _, err := a.Store.WriteSeed(context.Background(), domain.KindCompany, []any{c}, nil); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict {
		t.Fatalf("a write between chunks: %v after %d chunks, want CONFLICT", err, chunks)
	}
	if chunks != 1 {
		t.Errorf("%d chunks handed over, want 1 (the answer needs more than one: at least %d companies)", chunks, exposure.ReportChunk+1)
	}
}
