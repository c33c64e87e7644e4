package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Hardening (docs/security.md): request limits that refuse before any
// Cypher runs, and what happens to the database transaction when a client
// goes away, a request takes too long or the connection pool is empty.

// rawPost sends body to /graphql as it is.
func rawPost(t *testing.T, base, method, path string, body []byte, header map[string]string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func queryBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// aliased is a query of n aliased company lookups.
func aliased(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " c%d: company(id: \"de-oem\") { id }", i)
	}
	b.WriteString(" }")
	return b.String()
}

// fragmentBomb spreads each fragment twice into the next: 2^levels fields
// once expanded, a few hundred bytes written.
func fragmentBomb(levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ ...F%d }\nfragment F0 on Query { stats { companies } }\n", levels)
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func TestRequestLimitsRejectBeforeCypher(t *testing.T) {
	w := newAuthWorld(t, true)
	before := testutil.Dump(t, w.cfg)
	editor := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer editor-api-key"}
	post := func(query string, vars map[string]any) func() (int, string) {
		return func() (int, string) {
			return rawPost(t, w.url, http.MethodPost, "/graphql", queryBody(query, vars), editor)
		}
	}
	deep := "{ sector(id: \"automotive\") { " + strings.Repeat("children { ", 15) + "id" + strings.Repeat(" }", 15) + " } }"
	tokens := "{ stats { " + strings.Repeat("companies ", 5001) + "} }"
	tooMany := make([]any, 5001)
	for i := range tooMany {
		tooMany[i] = map[string]any{"id": fmt.Sprintf("L-bulk-%d", i)}
	}
	fragmentAliases := `{ a: company(id: "de-oem") { ...F } b: company(id: "us-oem") { ...F } c: company(id: "jp-parts") { ...F } }
		fragment F on Company { ` + strings.Repeat("", 0) + func() string {
		var s []string
		for i := range 10 {
			s = append(s, fmt.Sprintf("n%d: name", i))
		}
		return strings.Join(s, " ")
	}() + ` }`

	tests := []struct {
		name   string
		send   func() (int, string)
		status int    // 0: 200
		code   string // "": no error, and Cypher may run
		in     string // in the message
	}{
		{"30 aliases fit (and reach Neo4j)", post(aliased(30), nil), 0, "", ""},
		{"31 aliases", post(aliased(31), nil), 0, "QUERY_TOO_COMPLEX", "aliased fields"},
		{"aliases through a fragment spread three times", post(fragmentAliases, nil), 0, "QUERY_TOO_COMPLEX", "aliased fields"},
		{"too deep", post(deep, nil), 0, "QUERY_TOO_COMPLEX", "levels deep"},
		{"too costly", post(`{ companies(first: 100) { edges { node { suppliers(first: 100) { edges { node {
			supplier { customers(first: 100) { edges { node { customer { id } } } } } } } } } } } }`, nil), 0, "QUERY_TOO_COMPLEX", "could cost"},
		{"over the token limit", post(tokens, nil), 0, "GRAPHQL_PARSE_FAILED", "token limit"},
		{"fragment bomb: 2^40 fields in 2 KB", post(fragmentBomb(40), nil), 0, "QUERY_TOO_COMPLEX", "fragments are expanded"},
		{"body over the limit", post(`query($s: String!) { search(text: $s) { id } }`, map[string]any{"s": strings.Repeat("x", 1<<20)}),
			http.StatusRequestEntityTooLarge, "BAD_USER_INPUT", "larger than"},
		{"batch of operations", func() (int, string) {
			return rawPost(t, w.url, http.MethodPost, "/graphql", []byte(` [{"query":"{ stats { companies } }"},{"query":"{ stats { companies } }"}]`), editor)
		}, http.StatusBadRequest, "BAD_USER_INPUT", "one operation per request"},
		{"mutation over GET", func() (int, string) {
			q := url.Values{"query": {`mutation { revokeLicence(id: "L-active", on: "2025-07-01", reason: "GET") { id } }`}}
			return rawPost(t, w.url, http.MethodGet, "/graphql?"+q.Encode(), nil, map[string]string{"Authorization": "Bearer editor-api-key"})
		}, http.StatusMethodNotAllowed, "BAD_USER_INPUT", "use POST"},
		{"page over 100", post(`{ companies(first: 101) { totalCount } }`, nil), 0, "BAD_USER_INPUT", "first"},
		{"exposure maxDepth over 6", post(`{ exposedCompanies(maxDepth: 7) { totalCount } }`, nil), 0, "BAD_USER_INPUT", "maxDepth"},
		{"exposure paths maxDepth over 6", post(`{ exposurePaths(companyId: "de-oem", maxDepth: 7) { depth } }`, nil), 0, "BAD_USER_INPUT", "maxDepth"},
		{"supply chain maxDepth over 6", post(`{ supplyChain(companyId: "de-oem", direction: UPSTREAM, maxDepth: 7) { nodes { id } } }`, nil), 0, "BAD_USER_INPUT", "maxDepth"},
		{"import of 5,001 licences", post(`mutation($in: [LicenceInput!]!) { importLicences(input: $in) { id } }`, map[string]any{"in": tooMany}),
			0, "BAD_USER_INPUT", "at most 5000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := w.app.Store.Queries()
			start := time.Now()
			status, raw := tc.send()
			elapsed := time.Since(start)
			ran := w.app.Store.Queries() - n
			want := tc.status
			if want == 0 {
				want = http.StatusOK
			}
			if status != want {
				t.Fatalf("status %d, want %d: %.300s", status, want, raw)
			}
			if tc.in != "" && !strings.Contains(raw, tc.in) {
				t.Errorf("answer does not say %q: %.300s", tc.in, raw)
			}
			if tc.code != "" && !strings.Contains(raw, `"code":"`+tc.code+`"`) {
				t.Errorf("want code %s: %.300s", tc.code, raw)
			}
			switch {
			case tc.code == "" && tc.status == 0 && ran == 0:
				t.Errorf("an accepted query sent no Cypher: the counter is broken")
			case (tc.code != "" || tc.status != 0) && ran != 0:
				t.Errorf("%d statements ran before the refusal", ran)
			}
			if elapsed > 2*time.Second {
				t.Errorf("took %s", elapsed)
			}
			t.Logf("%s: status %d in %s, %d statements", tc.name, status, elapsed.Round(time.Millisecond), ran)
		})
	}
	if after := testutil.Dump(t, w.cfg); !slices.Equal(before, after) {
		t.Fatalf("refused requests changed the graph")
	}
}

// Field suggestions would hand out the schema to whoever guesses close
// names, introspection or not: no validation error suggests.
func TestNoFieldSuggestions(t *testing.T) {
	srv := startServer(t, testutil.Config(t))
	for _, q := range []string{
		`{ companys { id } }`,
		`{ company(id: "x") { nme } }`,
		`{ company(idd: "x") { id } }`,
		`{ companies(filter: { rol: OEM }) { totalCount } }`,
		`{ companies(filter: { role: OME }) { totalCount } }`,
		`query($f: CompanyFiltr) { companies(filter: $f) { totalCount } }`,
		`{ company(id: "x") }`,
		`{ company(id: "x") { id ... on Compny { name } } }`,
	} {
		_, resp, raw := postQuery(t, srv.URL, q)
		if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: want a validation error: %s", q, raw)
		}
		if strings.Contains(strings.ToLower(raw), "did you mean") {
			t.Errorf("%s: suggests: %s", q, raw)
		}
	}
}

// Introspection is on for analysts and off in the production profile,
// where __typename still answers and queries work, and "/" says GraphiQL
// is off rather than serve an editor that cannot work.
func TestIntrospectionFollowsTheProfile(t *testing.T) {
	base := testutil.Config(t)
	for _, tc := range []struct {
		profile string
		on      bool
	}{{config.ProfileDevelopment, true}, {config.ProfileProduction, false}} {
		t.Run(tc.profile, func(t *testing.T) {
			env := func(k string) string {
				if k == "LICENCEGRAPH_PROFILE" {
					return tc.profile
				}
				return os.Getenv(k)
			}
			cfg, err := config.FromEnv(env)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Neo4jURI = base.Neo4jURI
			srv := startServer(t, cfg)
			for _, q := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "Company") { name } }`,
				`query { ...I } fragment I on Query { __schema { types { name } } }`} {
				_, resp, raw := postQuery(t, srv.URL, q)
				if tc.on != (len(resp.Errors) == 0) {
					t.Errorf("%s: %s", q, raw)
				}
				if !tc.on && (resp.Errors[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(raw, "introspection is turned off")) {
					t.Errorf("%s: want GRAPHQL_VALIDATION_FAILED: %s", q, raw)
				}
			}
			if _, resp, raw := postQuery(t, srv.URL, `{ __typename stats { companies } }`); len(resp.Errors) > 0 {
				t.Errorf("__typename and a query: %s", raw)
			}
			// GraphiQL needs introspection: without it, "/" says so
			// instead of showing a broken editor.
			status, page := get(t, srv.URL+"/")
			if status != 200 || tc.on != strings.Contains(page, "/graphiql/graphiql.js") || tc.on == strings.Contains(page, "GraphiQL is off") {
				t.Errorf("GET / with introspection %v: %d\n%.400s", tc.on, status, page)
			}
		})
	}
}

// slowWorld is a server (with an editor API key) on a small world with a
// licence the test can hold locked (holdLicence): a request revoking it
// (slowMutation) waits in Neo4j, holding its transaction and connection,
// for as long as the test wants, however fast the machine is.
func slowWorld(t *testing.T, cfg config.Config) (*App, *httptest.Server) {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "api-keys")
	if err := os.WriteFile(keys, []byte(auth.HashAPIKey("editor-api-key")+" editor editor-svc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.AuthAPIKeysFile = keys
	a, srv := newTestApp(t, cfg)
	if _, err := a.Store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, cfg)
	dir := t.TempDir()
	files := map[string]string{
		"companies.csv": "id,name,country\ncn-src,Source,CN\nde-oem,OEM,DE\n",
		"licences.csv":  "id,holder,clients\nL-held,cn-src,de-oem\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := seed.New(a.Store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), []string{dir}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return a, srv
}

const slowMutation = `mutation { revokeLicence(id: "L-held", on: "2025-07-01", reason: "test") { id } }`

// holdLicence locks licence L-held in a transaction of the test's own
// until release (which rolls it back).
func holdLicence(t *testing.T, cfg config.Config) (release func()) {
	t.Helper()
	ctx := context.Background()
	driver, err := neo4j.NewDriverWithContext(cfg.Neo4jURI, neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	sess := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: cfg.Neo4jDatabase})
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Run(ctx, "MATCH (l:Licence {id: 'L-held'}) SET l.heldByTest = true", nil); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback(ctx)
			_ = sess.Close(ctx)
			_ = driver.Close(ctx)
		})
	}
	t.Cleanup(release)
	return release
}

// appTransactions lists the queries Neo4j is running, other than the
// listing itself.
func appTransactions(t *testing.T, cfg config.Config) []string {
	t.Helper()
	var out []string
	for _, r := range testutil.Run(t, cfg, "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery", nil) {
		if q, _ := r[0].(string); q != "" && !strings.Contains(q, "SHOW TRANSACTIONS") {
			out = append(out, q)
		}
	}
	return out
}

// waitTransactions polls until the running application queries satisfy
// done, or the deadline passes; it returns how long that took.
func waitTransactions(t *testing.T, cfg config.Config, within time.Duration, done func([]string) bool) (time.Duration, bool) {
	t.Helper()
	start := time.Now()
	for {
		if done(appTransactions(t, cfg)) {
			return time.Since(start), true
		}
		if time.Since(start) > within {
			return time.Since(start), false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// longTransactions lists the queries Neo4j has been running for at least
// min.
func longTransactions(t *testing.T, cfg config.Config, min time.Duration) []string {
	t.Helper()
	var out []string
	rows := testutil.Run(t, cfg, `SHOW TRANSACTIONS YIELD currentQuery, elapsedTime
WHERE NOT currentQuery CONTAINS 'SHOW TRANSACTIONS' AND elapsedTime.milliseconds >= $ms
RETURN currentQuery`, map[string]any{"ms": min.Milliseconds()})
	for _, r := range rows {
		if q, _ := r[0].(string); q != "" {
			out = append(out, q)
		}
	}
	return out
}

func running(qs []string) bool { return len(qs) > 0 }
func none(qs []string) bool    { return len(qs) == 0 }

// startSlow sends the slow mutation with ctx in the background; the
// returned channel yields its answer (or transport error).
func startSlow(ctx context.Context, base string) chan string {
	done := make(chan string, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(queryBody(slowMutation, nil)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer editor-api-key")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- "transport error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		done <- string(raw)
	}()
	return done
}

// A client that disconnects cancels its database transaction: it ends
// within seconds, where the transaction left alone would wait for the
// test's lock for the whole request timeout (a minute).
func TestClientDisconnectCancelsTransaction(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.RequestTimeout = time.Minute
	_, srv := slowWorld(t, cfg)
	holdLicence(t, cfg)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startSlow(ctx, srv.URL)
	if _, ok := waitTransactions(t, cfg, 10*time.Second, running); !ok {
		t.Fatalf("the slow query never showed in SHOW TRANSACTIONS (answer: %.200s)", <-done)
	}
	cancel()
	took, ok := waitTransactions(t, cfg, 5*time.Second, none)
	t.Logf("transaction gone %s after the client left", took.Round(time.Millisecond))
	if !ok {
		t.Fatalf("transactions still running %s after the client left: %v", took, appTransactions(t, cfg))
	}
}

// Past REQUEST_TIMEOUT the answer is TIMEOUT and Neo4j's transaction
// (which got the same timeout) is gone.
func TestSlowQueryTimesOutOnBothSides(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.RequestTimeout = time.Second
	_, srv := slowWorld(t, cfg)
	holdLicence(t, cfg)

	start := time.Now()
	_, raw := rawPost(t, srv.URL, http.MethodPost, "/graphql", queryBody(slowMutation, nil),
		map[string]string{"Content-Type": "application/json", "Authorization": "Bearer editor-api-key"})
	var resp gqlResponse
	if err := json.Unmarshal([]byte(raw), &resp); err != nil {
		t.Fatalf("answer is not JSON: %s", raw)
	}
	took := time.Since(start)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "TIMEOUT" {
		t.Fatalf("want one TIMEOUT error: %s", raw)
	}
	if took > 5*time.Second {
		t.Errorf("TIMEOUT after %s with a 1 s limit", took)
	}
	gone, ok := waitTransactions(t, cfg, 5*time.Second, none)
	t.Logf("TIMEOUT after %s; transaction gone %s later", took.Round(time.Millisecond), gone.Round(time.Millisecond))
	if !ok {
		t.Fatalf("transactions still running after the TIMEOUT: %v", appTransactions(t, cfg))
	}
}

// With every connection of the pool busy, a request fails fast with
// UNAVAILABLE rather than queueing until its timeout.
func TestExhaustedPoolFailsFast(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.RequestTimeout = time.Minute
	cfg.Neo4jMaxPoolSize = 1
	cfg.Neo4jAcquireTimeout = 300 * time.Millisecond
	cfg.Neo4jMaxRetry = time.Second
	_, srv := slowWorld(t, cfg)
	// The quick query reads the projection's version too: load it first,
	// so that the pool's one connection is the slow mutation's only.
	postQuery(t, srv.URL, `{ exposedCompanies { totalCount } }`)
	holdLicence(t, cfg)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startSlow(ctx, srv.URL)
	// Wait until the mutation holds the one connection, waiting for the
	// lock.
	deadline := time.Now().Add(20 * time.Second)
	for len(longTransactions(t, cfg, 500*time.Millisecond)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the slow mutation never waited 500 ms (answer: %.200s)", <-done)
		}
		time.Sleep(50 * time.Millisecond)
	}
	start := time.Now()
	_, resp, raw := postQuery(t, srv.URL, `{ stats { companies } }`)
	took := time.Since(start)
	t.Logf("UNAVAILABLE after %s (acquisition timeout %s, retry time %s)", took.Round(time.Millisecond), cfg.Neo4jAcquireTimeout, cfg.Neo4jMaxRetry)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Fatalf("want one UNAVAILABLE error: %s", raw)
	}
	if took > 5*time.Second {
		t.Errorf("took %s to fail", took)
	}
	cancel()
	<-done
}
