package graphiql

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/webasset"
)

func serve(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerRoutes(t *testing.T) {
	h := Handler("/graphql")
	tests := []struct {
		name        string
		method      string
		target      string
		header      map[string]string
		wantStatus  int
		wantType    string // Content-Type prefix
		wantBody    []string
		wantNotBody []string
		wantHeader  map[string]string
	}{
		{
			name: "page", method: http.MethodGet, target: "/",
			wantStatus: http.StatusOK, wantType: "text/html; charset=utf-8",
			wantBody: []string{
				`<div id="graphiql" data-endpoint="/graphql"`,
				`<link rel="stylesheet" href="/graphiql/graphiql.css?v=` + cssAsset.Hash() + `">`,
				`<script defer src="/graphiql/graphiql.js?v=` + jsAsset.Hash() + `"></script>`,
			},
			wantNotBody: []string{"http://", "https://", "<style", "style=", "<script>"},
			wantHeader: map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Cache-Control":          "no-store",
				"X-Frame-Options":        "DENY",
			},
		},
		{name: "page HEAD", method: http.MethodHead, target: "/", wantStatus: http.StatusOK, wantType: "text/html"},
		{name: "page with query string", method: http.MethodGet, target: "/?foo=bar", wantStatus: http.StatusOK, wantType: "text/html"},
		{
			name: "js", method: http.MethodGet, target: JSPath,
			wantStatus: http.StatusOK, wantType: "text/javascript; charset=utf-8",
			wantHeader: map[string]string{"ETag": `"` + jsAsset.Hash() + `"`, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
		},
		{
			name: "js versioned", method: http.MethodGet, target: JSPath + "?v=" + jsAsset.Hash(),
			wantStatus: http.StatusOK, wantType: "text/javascript",
			wantHeader: map[string]string{"Cache-Control": "public, max-age=31536000, immutable"},
		},
		{
			name: "js stale version", method: http.MethodGet, target: JSPath + "?v=0000",
			wantStatus: http.StatusOK, wantType: "text/javascript",
			wantHeader: map[string]string{"Cache-Control": "no-cache"},
		},
		{name: "js HEAD", method: http.MethodHead, target: JSPath, wantStatus: http.StatusOK, wantType: "text/javascript"},
		{
			name: "css", method: http.MethodGet, target: CSSPath + "?v=" + cssAsset.Hash(),
			wantStatus: http.StatusOK, wantType: "text/css; charset=utf-8",
			wantBody:   []string{".graphiql-container"},
			wantHeader: map[string]string{"ETag": `"` + cssAsset.Hash() + `"`, "Cache-Control": "public, max-age=31536000, immutable"},
		},
		{
			name: "js not modified", method: http.MethodGet, target: JSPath,
			header:     map[string]string{"If-None-Match": `"` + jsAsset.Hash() + `"`},
			wantStatus: http.StatusNotModified,
		},
		{
			name: "css gzip", method: http.MethodGet, target: CSSPath,
			header:     map[string]string{"Accept-Encoding": "br, gzip"},
			wantStatus: http.StatusOK, wantType: "text/css",
			wantHeader: map[string]string{"Content-Encoding": "gzip", "Vary": "Accept-Encoding", "ETag": `"` + cssAsset.Hash() + `-gz"`},
		},
		{
			name: "gzip refused", method: http.MethodGet, target: CSSPath,
			header:     map[string]string{"Accept-Encoding": "gzip;q=0"},
			wantStatus: http.StatusOK, wantType: "text/css",
			wantHeader: map[string]string{"Content-Encoding": ""},
		},
		{name: "unknown path", method: http.MethodGet, target: "/nope", wantStatus: http.StatusNotFound},
		{name: "index.html not served", method: http.MethodGet, target: "/index.html", wantStatus: http.StatusNotFound},
		{name: "template not served as asset", method: http.MethodGet, target: "/graphiql/index.html", wantStatus: http.StatusNotFound},
		{name: "asset dir", method: http.MethodGet, target: "/graphiql/", wantStatus: http.StatusNotFound},
		{name: "asset prefix only", method: http.MethodGet, target: "/graphiql", wantStatus: http.StatusNotFound},
		{name: "unknown asset", method: http.MethodGet, target: "/graphiql/other.js", wantStatus: http.StatusNotFound},
		{name: "assets dir name", method: http.MethodGet, target: "/assets/graphiql.js", wantStatus: http.StatusNotFound},
		{name: "endpoint not owned", method: http.MethodPost, target: "/graphql", wantStatus: http.StatusNotFound},
		{
			name: "POST page", method: http.MethodPost, target: "/",
			wantStatus: http.StatusMethodNotAllowed, wantHeader: map[string]string{"Allow": "GET, HEAD"},
		},
		{name: "PUT page", method: http.MethodPut, target: "/", wantStatus: http.StatusMethodNotAllowed},
		{name: "DELETE asset", method: http.MethodDelete, target: JSPath, wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, h, tc.method, tc.target, tc.header)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %.200q", rec.Code, tc.wantStatus, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); tc.wantType != "" && !strings.HasPrefix(ct, tc.wantType) {
				t.Errorf("Content-Type = %q, want prefix %q", ct, tc.wantType)
			}
			body := rec.Body.String()
			if rec.Header().Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatalf("gzip: %v", err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("gunzip: %v", err)
				}
				if !bytes.Equal(b, cssAsset.Body()) {
					t.Errorf("gunzipped body differs from the embedded asset")
				}
				body = string(b)
			}
			if tc.method == http.MethodHead && body != "" {
				t.Errorf("HEAD returned a body of %d bytes", len(body))
			}
			for _, s := range tc.wantBody {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tc.wantNotBody {
				if strings.Contains(body, s) {
					t.Errorf("body contains %q", s)
				}
			}
			for k, v := range tc.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestPageContentSecurityPolicy(t *testing.T) {
	h := Handler("/graphql")
	nonceRE := regexp.MustCompile(`data-style-nonce="([A-Za-z0-9_-]{16,})"`)
	var nonces []string
	for i := 0; i < 2; i++ {
		rec := serve(t, h, http.MethodGet, "/", nil)
		csp := rec.Header().Get("Content-Security-Policy")
		m := nonceRE.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("page has no data-style-nonce")
		}
		nonce := m[1]
		nonces = append(nonces, nonce)
		for _, want := range []string{
			"default-src 'none'",
			"script-src 'self';",
			"style-src 'self' 'nonce-" + nonce + "';",
			"connect-src 'self' ws: wss:",
			"font-src 'self' data:",
			"img-src 'self' data:",
			"frame-ancestors 'none'",
			"base-uri 'none'",
		} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
			if strings.Contains(csp, bad) {
				t.Errorf("CSP %q contains %q", csp, bad)
			}
		}
	}
	if nonces[0] == nonces[1] {
		t.Errorf("nonce reused across responses: %q", nonces[0])
	}
}

// The page references exactly the assets the handler serves.
func TestPageAssetsResolve(t *testing.T) {
	h := Handler("")
	page := serve(t, h, http.MethodGet, "/", nil).Body.String()
	if !strings.Contains(page, `data-endpoint="/graphql"`) {
		t.Errorf("empty endpoint should default to /graphql")
	}
	refs := regexp.MustCompile(`(?:href|src)="(/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 2 {
		t.Fatalf("want 2 same-origin asset references, got %v", refs)
	}
	for _, ref := range refs {
		target := strings.ReplaceAll(ref[1], "&amp;", "&")
		rec := serve(t, h, http.MethodGet, target, nil)
		if rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
			t.Errorf("GET %s = %d (%d bytes)", target, rec.Code, rec.Body.Len())
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want immutable for the versioned URL", target, cc)
		}
	}
}

func TestEndpointIsEscaped(t *testing.T) {
	h := Handler(`/api/graphql?x="><script>alert(1)</script>&y=1`)
	page := serve(t, h, http.MethodGet, "/", nil).Body.String()
	if strings.Contains(page, "<script>alert") || strings.Contains(page, `x="`) {
		t.Fatalf("endpoint not escaped:\n%s", page)
	}
	if !strings.Contains(page, `data-endpoint="/api/graphql?x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;y=1"`) {
		t.Errorf("escaped endpoint not found in:\n%s", page)
	}
}

func TestHandlerRejectsForeignEndpoints(t *testing.T) {
	for _, ep := range []string{"graphql", "//evil.example/graphql", "https://evil.example/graphql", "/graph ql", `/\evil`} {
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

func TestEmbeddedAssetsAreOffline(t *testing.T) {
	// The built bundle must not pull anything from a CDN; the thorough check
	// is web/scripts/check-offline.mjs, this is a cheap guard for go test.
	for name, a := range map[string]*webasset.Asset{"graphiql.js": jsAsset, "graphiql.css": cssAsset} {
		if len(a.Body()) < 10_000 {
			t.Errorf("%s is only %d bytes; was the bundle built?", name, len(a.Body()))
		}
		for _, host := range []string{"unpkg.com", "jsdelivr.net", "cdnjs.cloudflare.com", "fonts.googleapis.com", "fonts.gstatic.com", "esm.sh"} {
			if bytes.Contains(a.Body(), []byte(host)) {
				t.Errorf("%s references %s", name, host)
			}
		}
	}
	if bytes.Contains(cssAsset.Body(), []byte("@import")) {
		t.Errorf("graphiql.css contains @import")
	}
}
