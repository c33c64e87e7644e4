package explorer

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHandlerRoutes(t *testing.T) {
	h := Handler("/graphql")
	tests := []struct {
		name, method, target string
		wantStatus           int
		wantType             string
		wantBody             []string
	}{
		{"page", http.MethodGet, "/explore", http.StatusOK, "text/html; charset=utf-8", []string{
			`<div id="explorer" data-endpoint="/graphql">`,
			`href="/explore/explorer.css?v=` + cssAsset.Hash() + `"`,
			`<script defer src="/explore/explorer.js?v=` + jsAsset.Hash() + `"></script>`,
		}},
		{"page with a question", http.MethodGet, "/explore?sector=automotive&asOf=2026-01-01", http.StatusOK, "text/html", nil},
		{"page HEAD", http.MethodHead, "/explore", http.StatusOK, "text/html", nil},
		{"js", http.MethodGet, JSPath, http.StatusOK, "text/javascript; charset=utf-8", nil},
		{"css", http.MethodGet, CSSPath + "?v=" + cssAsset.Hash(), http.StatusOK, "text/css; charset=utf-8", []string{"__________cytoscape_container"}},
		{"slash", http.MethodGet, "/explore/", http.StatusNotFound, "", nil},
		{"unknown asset", http.MethodGet, "/explore/other.js", http.StatusNotFound, "", nil},
		{"template not served", http.MethodGet, "/explore/index.html", http.StatusNotFound, "", nil},
		{"POST page", http.MethodPost, "/explore", http.StatusMethodNotAllowed, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, tc.method, tc.target)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if ct := rec.Header().Get("Content-Type"); tc.wantType != "" && !strings.HasPrefix(ct, tc.wantType) {
				t.Errorf("Content-Type = %q, want %q", ct, tc.wantType)
			}
			for _, want := range tc.wantBody {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("body lacks %q", want)
				}
			}
		})
	}
}

// Everything is same-origin: no inline script or style, no eval.
func TestPageContentSecurityPolicy(t *testing.T) {
	rec := serve(Handler(""), http.MethodGet, "/explore")
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q contains %q", csp, bad)
		}
	}
	body := rec.Body.String()
	for _, bad := range []string{"http://", "https://", "<style", "style=", "<script>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if !strings.Contains(body, `data-endpoint="/graphql"`) {
		t.Errorf("an empty endpoint should default to /graphql")
	}
}

// The page names exactly the two assets the handler serves, versioned.
func TestPageAssetsResolve(t *testing.T) {
	h := Handler("/graphql")
	page := serve(h, http.MethodGet, "/explore").Body.String()
	refs := regexp.MustCompile(`(?:href|src)="(/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 2 {
		t.Fatalf("want 2 same-origin asset references, got %v", refs)
	}
	for _, ref := range refs {
		rec := serve(h, http.MethodGet, ref[1])
		if rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
			t.Errorf("GET %s = %d (%d bytes)", ref[1], rec.Code, rec.Body.Len())
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want immutable", ref[1], cc)
		}
	}
}

func TestHandlerRejectsForeignEndpoints(t *testing.T) {
	for _, ep := range []string{"graphql", "//evil.example/graphql", "https://evil.example/graphql", "/graph ql"} {
		t.Run(ep, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Handler(%q) did not panic", ep)
				}
			}()
			Handler(ep)
		})
	}
}

// A cheap guard for go test; the thorough check is
// web/scripts/check-offline.mjs. The bundle holds the page's questions
// and Cytoscape.js (which looks for its stylesheet by that id).
func TestEmbeddedBundle(t *testing.T) {
	js := jsAsset.Body()
	for _, want := range []string{"query ExplorerExposed(", "query ExplorerPaths(", "query ExplorerHops(", "exposureDates(from: $from, to: $to)", "__________cytoscape_stylesheet"} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("explorer.js lacks %q (rebuild it: npm run --prefix web build)", want)
		}
	}
	for _, a := range [][]byte{js, cssAsset.Body()} {
		for _, host := range []string{"unpkg.com", "jsdelivr.net", "cdnjs.cloudflare.com", "fonts.googleapis.com", "fonts.gstatic.com", "esm.sh"} {
			if bytes.Contains(a, []byte(host)) {
				t.Errorf("the bundle references %s", host)
			}
		}
	}
	if bytes.Contains(cssAsset.Body(), []byte("@import")) {
		t.Errorf("explorer.css contains @import")
	}
}
