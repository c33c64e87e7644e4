package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func startServer(t *testing.T, cfg config.Config) *httptest.Server {
	t.Helper()
	_, srv := newTestApp(t, cfg)
	return srv
}

// newTestApp builds the application on cfg and serves it until the test
// ends.
func newTestApp(t *testing.T, cfg config.Config) (*App, *httptest.Server) {
	t.Helper()
	a, err := New(cfg, testutil.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close(context.Background())
	})
	return a, srv
}

func postQuery(t *testing.T, url, query string) (int, gqlResponse, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return resp.StatusCode, out, string(raw)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func TestServerAgainstNeo4j(t *testing.T) {
	cfg := testutil.Config(t)
	srv := startServer(t, cfg)

	t.Run("probes", func(t *testing.T) {
		for _, tc := range []struct {
			path string
			want int
		}{{"/healthz", 200}, {"/readyz", 200}, {"/nope", 404}} {
			if got, body := get(t, srv.URL+tc.path); got != tc.want {
				t.Errorf("GET %s = %d, want %d (%s)", tc.path, got, tc.want, body)
			}
		}
	})

	t.Run("query over POST reads Neo4j", func(t *testing.T) {
		status, resp, raw := postQuery(t, srv.URL, `{ stats { companies sectors supplyLinks } }`)
		if status != 200 || len(resp.Errors) > 0 {
			t.Fatalf("status %d: %s", status, raw)
		}
		var data struct{ Stats map[string]int }
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"companies", "sectors", "supplyLinks"} {
			if _, ok := data.Stats[k]; !ok {
				t.Errorf("stats.%s missing: %s", k, raw)
			}
		}
	})

	t.Run("query over GET", func(t *testing.T) {
		status, body := get(t, srv.URL+"/graphql?query="+strings.ReplaceAll("{stats{licences}}", " ", ""))
		if status != 200 || !strings.Contains(body, `"licences"`) {
			t.Fatalf("GET /graphql = %d: %s", status, body)
		}
	})

	t.Run("errors carry a code", func(t *testing.T) {
		tests := []struct{ name, query, code string }{
			{"unknown field", `{ stats { nope } }`, "GRAPHQL_VALIDATION_FAILED"},
			{"syntax", `{ stats { `, "GRAPHQL_PARSE_FAILED"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, resp, raw := postQuery(t, srv.URL, tc.query)
				if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != tc.code {
					t.Fatalf("want code %s: %s", tc.code, raw)
				}
			})
		}
	})

	t.Run("GraphiQL page", func(t *testing.T) {
		status, body := get(t, srv.URL+"/")
		if status != 200 || !strings.Contains(body, "graphiql") {
			t.Fatalf("GET / = %d", status)
		}
		for _, bad := range []string{"https://", "http://", "cdn"} {
			if strings.Contains(body, bad) {
				t.Errorf("page references %q", bad)
			}
		}
	})

	t.Run("CORS preflight", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
		req.Header.Set("Origin", "https://explorer.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type") // as browsers send it: sorted, lower-case
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Fatalf("Access-Control-Allow-Origin = %q", got)
		}
	})
}

func TestCORSRestrictedOrigins(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.CORSOrigins = []string{"https://explorer.example"}
	srv := startServer(t, cfg)
	for _, tc := range []struct{ origin, want string }{
		{"https://explorer.example", "https://explorer.example"},
		{"https://evil.example", ""},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{stats{companies}}"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", tc.origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("origin %s: Access-Control-Allow-Origin = %q, want %q", tc.origin, got, tc.want)
		}
	}
}

// The acceptance test for resilience: stop the database under a running
// server, see UNAVAILABLE and a 503, start it again, see the server answer
// again without a restart.
func TestServerSurvivesNeo4jRestart(t *testing.T) {
	cfg := testutil.Config(t) // integration mode; the test runs its own instance
	db := testutil.StartLocalNeo4j(t)
	cfg.Neo4jURI = db.URI()
	cfg.Neo4jUser, cfg.Neo4jPassword = "", ""
	cfg.Neo4jMaxRetry = time.Second
	cfg.Neo4jConnectTimeout = time.Second
	srv := startServer(t, cfg)

	const q = `{ stats { companies } }`
	if _, resp, raw := postQuery(t, srv.URL, q); len(resp.Errors) > 0 {
		t.Fatalf("before the stop: %s", raw)
	}
	// Ready once the projection is loaded (it loads on the first probe).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		status, body := get(t, srv.URL+"/readyz")
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz before the stop = %d %s", status, body)
		}
	}

	db.Stop(t)

	status, resp, raw := postQuery(t, srv.URL, q)
	if status != 200 || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Fatalf("with the database down: status %d, want one UNAVAILABLE error: %s", status, raw)
	}
	for _, leak := range []string{"MATCH", "CALL {", "bolt", "ConnectivityError", "goroutine", ".go:"} {
		if strings.Contains(raw, leak) {
			t.Errorf("response leaks %q: %s", leak, raw)
		}
	}
	if status, body := get(t, srv.URL+"/readyz"); status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database down = %d %s, want 503", status, body)
	}
	if status, _ := get(t, srv.URL+"/healthz"); status != 200 {
		t.Fatalf("/healthz with the database down = %d, want 200 (the process is alive)", status)
	}

	db.Start(t)

	deadline := time.Now().Add(60 * time.Second)
	for {
		_, resp, raw := postQuery(t, srv.URL, q)
		if len(resp.Errors) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not recover within 60s of the database coming back: %s", raw)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if status, body := get(t, srv.URL+"/readyz"); status != 200 {
		t.Fatalf("/readyz after the restart = %d %s", status, body)
	}
}

// neo4j:// (routing) URIs work, so a cluster can be used unchanged; a
// standalone server answers routing requests with itself.
func TestRoutingURI(t *testing.T) {
	cfg := testutil.Config(t)
	if !strings.HasPrefix(cfg.Neo4jURI, "bolt://") {
		t.Skipf("NEO4J_URI %s is not a bolt:// URI", cfg.Neo4jURI)
	}
	cfg.Neo4jURI = "neo4j://" + strings.TrimPrefix(cfg.Neo4jURI, "bolt://")
	srv := startServer(t, cfg)
	if status, resp, raw := postQuery(t, srv.URL, `{ stats { companies } }`); status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("via %s: status %d: %s", cfg.Neo4jURI, status, raw)
	}
	if status, body := get(t, srv.URL+"/readyz"); status != 200 {
		t.Fatalf("/readyz via %s = %d %s", cfg.Neo4jURI, status, body)
	}
}
