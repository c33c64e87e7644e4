package app

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// What one request may cost: complexity and depth limits, the per-request
// timeout.
func TestRequestLimits(t *testing.T) {
	_, srv := loadedServer(t, filepath.Join(testutil.RepoRoot(t), "seed"))

	// Deeper than the depth limit, like GraphiQL's own introspection query.
	introspection := "{ __schema { types { name fields { name type { " + strings.Repeat("name ofType { ", 12) + "name" + strings.Repeat(" }", 12) + " } } } } }"
	deep := "{ sector(id: \"automotive\") { " + strings.Repeat("children { ", 15) + "id" + strings.Repeat(" }", 15) + " } }"
	tests := []struct {
		name, query, code string
	}{
		{"the nested page of the issue fits", `{ companies(first: 50) { edges { node { sectors { id }
			suppliers(first: 10) { edges { node { supplier { licencesHeld { clients { id } } } } } } } } } }`, ""},
		{"too costly", `{ companies(first: 100) { edges { node { suppliers(first: 100) { edges { node {
			supplier { customers(first: 100) { edges { node { customer { id } } } } } } } } } } } }`, "QUERY_TOO_COMPLEX"},
		{"too deep", deep, "QUERY_TOO_COMPLEX"},
		{"introspection is not limited", introspection, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, raw := postQuery(t, srv.URL, tc.query)
			switch {
			case tc.code == "" && len(resp.Errors) > 0:
				t.Fatalf("want no error: %s", raw)
			case tc.code != "" && (len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != tc.code):
				t.Fatalf("want %s: %.300s", tc.code, raw)
			}
		})
	}
}

func TestRequestTimeout(t *testing.T) {
	cfg := testutil.Config(t)
	cfg.RequestTimeout = time.Millisecond
	srv := startServer(t, cfg)
	_, resp, raw := postQuery(t, srv.URL, `{ exposedCompanies(maxDepth: 6) { totalCount } }`)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "TIMEOUT" {
		t.Fatalf("want one TIMEOUT error: %s", raw)
	}
}
