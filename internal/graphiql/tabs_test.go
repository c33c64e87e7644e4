package graphiql

import (
	"net/http"
	"strings"
	"testing"
)

// The bundle opens GraphiQL on the README's questions, one tab each (the
// operation name is the tab's title), with the Docs pane showing.
func TestBundleOpensOnTheREADMEQuestions(t *testing.T) {
	js := string(jsAsset.Body())
	for _, want := range []string{
		`query ExposedAutomakers {`, `exposedCompanies(sector: "automotive", first: 20)`,
		`query WhyIsGMExposed {`, `exposurePaths(companyId: "gm")`,
		`query NextSixMonths($from: Date!, $to: Date!) {`, `exposureChanges(from: $from, to: $to, sector: "automotive")`,
		`"Documentation Explorer"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("the bundle lacks %s (rebuild it: npm run --prefix web build)", want)
		}
	}
	if strings.Contains(js, "query Overview") {
		t.Errorf("the bundle still opens on the old stats query")
	}
}

// Where introspection is off, "/" says GraphiQL is off and why, and where
// to send queries; it loads no script, and the bundle is not served.
func TestIntrospectionOffPage(t *testing.T) {
	h := IntrospectionOff("/graphql")
	rec := serve(t, h, http.MethodGet, "/", nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{"GraphiQL is off", "introspection", "LICENCEGRAPH_PROFILE=production", "POST /graphql"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, JSPath) {
		t.Errorf("the page loads a script:\n%s", body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	for _, path := range []string{JSPath, CSSPath, "/nope"} {
		if rec := serve(t, h, http.MethodGet, path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, rec.Code)
		}
	}
	if rec := serve(t, h, http.MethodPost, "/", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", rec.Code)
	}
}
