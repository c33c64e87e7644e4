package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/auth"
)

// httpServer serves the GraphQL handler with stats answering, anonymous
// reads as given, behind internal/auth's middleware with one API key,
// "reader-key", of role reader.
func httpServer(t *testing.T, anonymous bool) *httptest.Server {
	t.Helper()
	a, err := auth.New(auth.Options{APIKeys: map[string]auth.Principal{
		auth.HashAPIKey("reader-key"): {Subject: "r", Roles: []auth.Role{auth.RoleReader}, Method: "api-key"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := NewHandler(&Resolver{StatsService: stats{}}, HandlerOptions{AllowAnonymousRead: anonymous, MaxComplexity: 1000})
	srv := httptest.NewServer(a.Middleware(h))
	t.Cleanup(srv.Close)
	return srv
}

type httpAnswer struct {
	status int
	header http.Header
	body   string
	resp   map[string]json.RawMessage
}

func send(t *testing.T, method, u string, body []byte, header map[string]string) httpAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := httpAnswer{status: res.StatusCode, header: res.Header, body: string(raw)}
	_ = json.Unmarshal(raw, &a.resp)
	return a
}

// A malformed body is answered with a short excerpt of it, never the whole
// body: a broken 1 MB body and a 200,000-deep nesting each get a 400 of a
// few hundred bytes that says where the JSON broke.
func TestMalformedJSONQuotesAnExcerpt(t *testing.T) {
	srv := httpServer(t, true)
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name string
		body []byte
		in   string
	}{
		{"a broken 1 MB body", []byte(`{"query":"` + strings.Repeat("x", 1<<20) + "\n"), "not JSON"},
		{"200,000 levels of nesting", []byte(strings.Repeat(`{"a":`, 200000)), "not JSON"},
		{"cut short", []byte(`{"query":"{ stats { companies } }"`), "unexpected end of JSON input"},
		{"trailing garbage after 1 MB", []byte(`{"query":"{ __typename }"}` + strings.Repeat("y", 1<<20)), "not JSON"},
		{"not an object", []byte(`"` + strings.Repeat("z", 1<<20) + `"`), "must be a JSON object"},
		{"invalid UTF-8 at the break", append([]byte(`{"query":"`+strings.Repeat("é", 30)), 0xff, 0xfe, '\n'), "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, http.MethodPost, srv.URL, tt.body, json)
			if a.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", a.status)
			}
			if len(a.body) > 512 {
				t.Errorf("answer of %d bytes to a body of %d: %.200s…", len(a.body), len(tt.body), a.body)
			}
			if !strings.Contains(a.body, tt.in) || !strings.Contains(a.body, `"code":"BAD_USER_INPUT"`) {
				t.Errorf("answer does not say %q with BAD_USER_INPUT: %s", tt.in, a.body)
			}
			if _, ok := a.resp["data"]; ok {
				t.Errorf("a request error has a data entry: %s", a.body)
			}
		})
	}
}

// The transport's answers to what graphql-http's audit does not check and
// clients met (issue 18): status codes by media type, methods, content
// types, operation names, 32-bit Ints and refused tokens.
func TestGraphQLOverHTTPAnswers(t *testing.T) {
	anon := httpServer(t, true)
	closed := httpServer(t, false)
	post := func(body string, h map[string]string) func(string) httpAnswer {
		return func(u string) httpAnswer {
			hh := map[string]string{"Content-Type": "application/json"}
			for k, v := range h {
				hh[k] = v
			}
			return send(t, http.MethodPost, u, []byte(body), hh)
		}
	}
	gqlResp := map[string]string{"Accept": "application/graphql-response+json"}
	costly := `{"query":"{ a: stats { companies } b: stats { companies } companies(first: 100) { edges { node { suppliers(first: 100) { totalCount } } } } }"}`
	tests := []struct {
		name    string
		srv     *httptest.Server
		send    func(string) httpAnswer
		status  int
		media   string // the response's media type
		code    string // extensions.code of the first error; "" none
		in      string
		noData  bool              // a request error: no data entry
		headers map[string]string // response headers and a part of their value
	}{
		{"validation error, application/json: 200", anon, post(`{"query":"{ nope }"}`, nil), 200, "application/json", "GRAPHQL_VALIDATION_FAILED", "", true, nil},
		{"validation error, graphql-response+json: 400", anon, post(`{"query":"{ nope }"}`, gqlResp), 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED", "", true, nil},
		{"parse error, application/json: 200", anon, post(`{"query":"{"}`, nil), 200, "application/json", "GRAPHQL_PARSE_FAILED", "", true, nil},
		{"too complex, graphql-response+json: 400, no data", anon, post(costly, gqlResp), 400, "application/graphql-response+json", "QUERY_TOO_COMPLEX", "", true, nil},
		{"too complex, application/json: 200, no data", anon, post(costly, nil), 200, "application/json", "QUERY_TOO_COMPLEX", "", true, nil},
		{"mutation over GET: 405, Allow: POST", anon, func(u string) httpAnswer {
			return send(t, http.MethodGet, u+"?"+url.Values{"query": {`mutation { __typename }`}}.Encode(), nil, nil)
		}, 405, "application/json", "BAD_USER_INPUT", "use POST", true, map[string]string{"Allow": "POST"}},
		{"query over GET", anon, func(u string) httpAnswer {
			return send(t, http.MethodGet, u+"?"+url.Values{"query": {`{ stats { companies } }`}}.Encode(), nil, nil)
		}, 200, "application/json", "", `"companies":1`, false, nil},
		{"text/plain body: 415 in JSON", anon, post(`{ stats { companies } }`, map[string]string{"Content-Type": "text/plain"}), 415, "application/json", "BAD_USER_INPUT", "application/json", true, nil},
		{"no content type: 415", anon, post(`{"query":"{ __typename }"}`, map[string]string{"Content-Type": ""}), 415, "application/json", "BAD_USER_INPUT", "", true, nil},
		{"a charset other than UTF-8: 415", anon, post(`{"query":"{ __typename }"}`, map[string]string{"Content-Type": "application/json; charset=latin1"}), 415, "application/json", "BAD_USER_INPUT", "", true, nil},
		{"PUT: 405", anon, func(u string) httpAnswer {
			return send(t, http.MethodPut, u, []byte(`{"query":"{ __typename }"}`), map[string]string{"Content-Type": "application/json"})
		}, 405, "application/json", "BAD_USER_INPUT", "", true, map[string]string{"Allow": "POST"}},
		{"two named operations, no operationName", anon, post(`{"query":"query A { __typename } query B { __typename }"}`, nil), 200, "application/json", "GRAPHQL_VALIDATION_FAILED", "name the one to run in operationName", true, nil},
		{"operationName not in the document", anon, post(`{"query":"query A { __typename }","operationName":"B"}`, nil), 200, "application/json", "GRAPHQL_VALIDATION_FAILED", `no operation named \"B\"`, true, nil},
		{"two anonymous operations", anon, post(`{"query":"{ __typename } { __typename }"}`, nil), 200, "application/json", "GRAPHQL_VALIDATION_FAILED", "only defined operation", true, nil},
		{"query not a string: 400", anon, post(`{"query":{"a":1}}`, nil), 400, "application/json", "BAD_USER_INPUT", "query", true, nil},
		{"variables not an object: 400", anon, post(`{"query":"{ __typename }","variables":"x"}`, nil), 400, "application/json", "BAD_USER_INPUT", "variables", true, nil},
		{"Int literal over 2^31-1", anon, post(`{"query":"{ companies(first: 2147483648) { totalCount } }"}`, nil), 200, "application/json", "BAD_USER_INPUT", "first: an Int is a whole number", false, nil},
		{"Int variable over 2^31-1", anon, post(`{"query":"query($f: Int) { companies(first: $f) { totalCount } }","variables":{"f":3000000000}}`, nil), 200, "application/json", "BAD_USER_INPUT", "not 3000000000", false, nil},
		{"invalid token: 401 with a Bearer challenge", anon, post(`{"query":"{ stats { companies } }"}`, map[string]string{"Authorization": "Bearer bad"}), 401, "application/json", "UNAUTHENTICATED", "", false,
			map[string]string{"WWW-Authenticate": `Bearer realm="licencegraph", error="invalid_token"`}},
		{"no token, anonymous reads off: 401", closed, post(`{"query":"{ stats { companies } }"}`, nil), 401, "application/json", "UNAUTHENTICATED", "", false,
			map[string]string{"WWW-Authenticate": `Bearer realm="licencegraph"`}},
		{"reader's mutation: 403", anon, post(`{"query":"mutation { revokeLicence(id: \"x\", on: \"2025-01-01\", reason: \"r\") { id } }"}`, map[string]string{"Authorization": "Bearer reader-key"}), 403, "application/json", "FORBIDDEN", "", false, nil},
		{"a reader's query: 200", closed, post(`{"query":"{ stats { companies } }"}`, map[string]string{"Authorization": "Bearer reader-key"}), 200, "application/json", "", `"companies":1`, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.send(tt.srv.URL)
			if a.status != tt.status {
				t.Errorf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.media) {
				t.Errorf("Content-Type %q, want %s", ct, tt.media)
			}
			var errs []struct {
				Message    string
				Extensions map[string]any
			}
			_ = json.Unmarshal(a.resp["errors"], &errs)
			switch {
			case tt.code == "" && len(errs) > 0:
				t.Errorf("errors: %s", a.body)
			case tt.code != "" && (len(errs) == 0 || errs[0].Extensions["code"] != tt.code):
				t.Errorf("want code %s: %s", tt.code, a.body)
			}
			if !strings.Contains(a.body, tt.in) {
				t.Errorf("answer does not say %q: %s", tt.in, a.body)
			}
			if _, has := a.resp["data"]; has == tt.noData {
				t.Errorf("data entry present: %v, want %v: %s", has, !tt.noData, a.body)
			}
			for k, v := range tt.headers {
				if got := a.header.Get(k); !strings.Contains(got, v) {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}
