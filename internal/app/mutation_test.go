package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// The write API end to end: mutations and access control through the real
// handler (with the real auth middleware) on the real Neo4j, the graph
// reset and loaded from testdata/readapi before each case that may write.

const (
	testIssuer   = "https://issuer.example"
	testAudience = "licencegraph"
	testSecret   = "an-hs256-secret-of-at-least-32-bytes!"
)

// authWorld is a server with every token form configured.
type authWorld struct {
	t      *testing.T
	cfg    config.Config
	app    *App
	url    string
	rsaKey *rsa.PrivateKey
}

func newAuthWorld(t *testing.T, allowAnonymousRead bool) *authWorld {
	t.Helper()
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemFile := filepath.Join(dir, "jwt.pem")
	keysFile := filepath.Join(dir, "api-keys")
	keys := fmt.Sprintf("# test keys\n%s reader reader-svc\n%s editor editor-svc\n",
		auth.HashAPIKey("reader-api-key"), auth.HashAPIKey("editor-api-key"))
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keysFile, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testutil.Config(t)
	cfg.AuthJWTHS256Secret = testSecret
	cfg.AuthJWTRS256PublicKeyFile = pemFile
	cfg.AuthAPIKeysFile = keysFile
	cfg.AuthJWTIssuer, cfg.AuthJWTAudience = testIssuer, testAudience
	cfg.AllowAnonymousRead = allowAnonymousRead
	a, srv := newTestApp(t, cfg)
	if _, err := a.Store.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	w := &authWorld{t: t, cfg: cfg, app: a, url: srv.URL, rsaKey: key}
	w.reset()
	return w
}

// reset reloads the fixture world.
func (w *authWorld) reset() {
	w.t.Helper()
	testutil.ResetGraph(w.t, w.cfg)
	if _, err := seed.New(w.app.Store, seed.Options{Logger: testutil.Logger(w.t)}).Load(context.Background(), []string{filepath.Join("testdata", "readapi")}); err != nil {
		w.t.Fatalf("seed: %v", err)
	}
}

func (w *authWorld) jwt(method jwt.SigningMethod, change map[string]any) string {
	w.t.Helper()
	claims := jwt.MapClaims{
		"sub": "tester", "iss": testIssuer, "aud": testAudience,
		"exp": time.Now().Add(time.Hour).Unix(), "nbf": time.Now().Add(-time.Minute).Unix(),
	}
	for k, v := range change {
		claims[k] = v
	}
	var key any = []byte(testSecret)
	if method == jwt.SigningMethodRS256 {
		key = w.rsaKey
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// post sends an operation with an optional bearer token.
func (w *authWorld) post(token, query string, vars map[string]any) (gqlResponse, string) {
	w.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		w.t.Fatalf("response is not JSON: %v\n%s", err, buf.String())
	}
	return out, buf.String()
}

// operations: a query and each mutation, every one valid on the fixture
// world, with the data an authorised caller gets.
var operations = []struct {
	name, query string
	vars        map[string]any
	want        string
}{
	{"query", `{ company(id: "de-oem") { name } }`, nil, `{"company":{"name":"Auto Werke"}}`},
	{"upsertCompany", `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id name country { code } sectors { id } lei } }`,
		map[string]any{"in": map[string]any{"id": "it-new", "name": "Nuova", "country": "it", "sectors": []string{"automotive", "automotive"}}},
		`{"upsertCompany":{"id":"it-new","name":"Nuova","country":{"code":"IT"},"sectors":[{"id":"automotive"}],"lei":null}}`},
	{"upsertSupplyLink", `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) { supplier { id } customer { id } materials { id } since confidence } }`,
		map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "us-oem", "materials": []string{"NdFeB"}, "since": "2025-03-01", "confidence": 0.5}},
		`{"upsertSupplyLink":{"supplier":{"id":"cn-mag"},"customer":{"id":"us-oem"},"materials":[{"id":"NdFeB"}],"since":"2025-03-01","confidence":0.5}}`},
	{"removeSupplyLink", `mutation { removeSupplyLink(supplier: "cn-mine", customer: "cn-mag") { supplier { id } customer { id } materials { id } } }`, nil,
		`{"removeSupplyLink":{"supplier":{"id":"cn-mine"},"customer":{"id":"cn-mag"},"materials":[{"id":"Dy"}]}}`},
	{"grantLicence", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id type status holder { id } clients { id } materials { id } validUntil } }`,
		map[string]any{"in": map[string]any{"id": "L-new", "holder": "cn-mag", "clients": []string{"us-oem"}, "materials": []string{"NdFeB"}, "validUntil": "2026-12-31"}},
		`{"grantLicence":{"id":"L-new","type":"GENERAL","status":"ACTIVE","holder":{"id":"cn-mag"},"clients":[{"id":"us-oem"}],"materials":[{"id":"NdFeB"}],"validUntil":"2026-12-31"}}`},
	{"revokeLicence", `mutation { revokeLicence(id: "L-active", on: "2025-07-01", reason: "breach of terms") { id status revokedOn revocationReason reference clients { id } } }`, nil,
		`{"revokeLicence":{"id":"L-active","status":"REVOKED","revokedOn":"2025-07-01","revocationReason":"breach of terms","reference":"REF-1","clients":[{"id":"de-oem"},{"id":"jp-parts"}]}}`},
	{"setLicenceExclusions", `mutation { setLicenceExclusions(id: "L-active", sectorIds: ["defence", "automotive"]) { id excludedSectors { id } status } }`, nil,
		`{"setLicenceExclusions":{"id":"L-active","excludedSectors":[{"id":"automotive"},{"id":"defence"}],"status":"ACTIVE"}}`},
	{"importLicences", `mutation($in: [LicenceInput!]!) { importLicences(input: $in) { id status holder { id } } }`,
		map[string]any{"in": []any{map[string]any{"id": "L-i2", "holder": "cn-mag", "status": "PENDING"}, map[string]any{"id": "L-i1"}}},
		`{"importLicences":[{"id":"L-i2","status":"PENDING","holder":{"id":"cn-mag"}},{"id":"L-i1","status":"ACTIVE","holder":null}]}`},
}

// sortedData is data as JSON with its lists of one-key objects ({id: …})
// sorted: the API does not define their order.
func sortedData(t *testing.T, raw []byte) string {
	t.Helper()
	v := decode(t, raw)
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				v[k] = walk(x)
			}
			return v
		case []any:
			for i := range v {
				v[i] = walk(v[i])
			}
			if len(v) > 0 {
				if _, isMap := v[0].(map[string]any); isMap && len(v[0].(map[string]any)) == 1 {
					slices.SortFunc(v, func(a, b any) int {
						return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
					})
				}
			}
			return v
		}
		return v
	}
	out, _ := json.Marshal(walk(v))
	return string(out)
}

func TestAccessMatrix(t *testing.T) {
	w := newAuthWorld(t, true)
	callers := []struct {
		name, token string
		roleRank    int // 0 anonymous, 1 reader, 2 editor, 3 admin
	}{
		{"anonymous", "", 0},
		{"reader (API key)", "reader-api-key", 1},
		{"reader (JWT)", w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"reader"}}), 1},
		{"editor (HS256 JWT)", w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"editor"}}), 2},
		{"editor (API key)", "editor-api-key", 2},
		{"admin (RS256 JWT)", w.jwt(jwt.SigningMethodRS256, map[string]any{"roles": "admin"}), 3},
	}
	for _, c := range callers {
		for _, op := range operations {
			t.Run(c.name+"/"+op.name, func(t *testing.T) {
				isMutation := op.name != "query"
				allowed := !isMutation || c.roleRank >= 2
				if allowed && isMutation {
					w.reset()
				}
				before := testutil.Dump(t, w.cfg)
				resp, raw := w.post(c.token, op.query, op.vars)
				if allowed {
					if len(resp.Errors) > 0 {
						t.Fatalf("refused: %s", raw)
					}
					if got, want := sortedData(t, resp.Data), sortedData(t, []byte(op.want)); got != want {
						t.Fatalf("data\n got %s\nwant %s", got, want)
					}
					if isMutation && slices.Equal(before, testutil.Dump(t, w.cfg)) {
						t.Fatal("the mutation changed nothing in the graph")
					}
					return
				}
				wantCode := "UNAUTHENTICATED"
				if c.roleRank > 0 {
					wantCode = "FORBIDDEN"
				}
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != wantCode || string(resp.Data) != "null" {
					t.Fatalf("want one %s error and no data: %s", wantCode, raw)
				}
				if after := testutil.Dump(t, w.cfg); !slices.Equal(before, after) {
					t.Fatalf("a refused %s changed the graph", op.name)
				}
			})
		}
	}
}

func TestAnonymousReadsOff(t *testing.T) {
	w := newAuthWorld(t, false)
	q := operations[0]
	for _, tc := range []struct{ name, token, code string }{
		{"anonymous", "", "UNAUTHENTICATED"},
		{"token without roles", w.jwt(jwt.SigningMethodHS256, nil), "FORBIDDEN"},
		{"reader", "reader-api-key", ""},
		{"editor", w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"editor"}}), ""},
		{"admin", w.jwt(jwt.SigningMethodRS256, map[string]any{"roles": []string{"admin"}}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, query := range []string{q.query, `{ __schema { queryType { name } } }`} {
				resp, raw := w.post(tc.token, query, nil)
				if tc.code == "" {
					if len(resp.Errors) > 0 {
						t.Fatalf("%s refused: %s", query, raw)
					}
					continue
				}
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != tc.code || strings.Contains(raw, "Auto Werke") {
					t.Fatalf("%s: want one %s error: %s", query, tc.code, raw)
				}
			}
		})
	}
	// Mutations answer as with anonymous reads on.
	before := testutil.Dump(t, w.cfg)
	resp, raw := w.post("", operations[4].query, operations[4].vars)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Fatalf("anonymous mutation: %s", raw)
	}
	if !slices.Equal(before, testutil.Dump(t, w.cfg)) {
		t.Fatal("the refused mutation wrote")
	}
}

func TestInvalidTokensAreRejected(t *testing.T) {
	w := newAuthWorld(t, true)
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{"roles": []string{"admin"}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wronglySigned, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "x", "iss": testIssuer, "aud": testAudience, "exp": time.Now().Add(time.Hour).Unix(), "roles": "admin",
	}).SignedString(otherKey)
	valid := w.jwt(jwt.SigningMethodHS256, with(nil))
	tokens := []struct{ name, token string }{
		{"expired JWT", w.jwt(jwt.SigningMethodHS256, with(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}))},
		{"not-yet-valid JWT", w.jwt(jwt.SigningMethodHS256, with(map[string]any{"nbf": time.Now().Add(time.Hour).Unix()}))},
		{"wrongly signed JWT", wronglySigned},
		{"tampered JWT", valid[:len(valid)-2] + "xx"},
		{"wrong-audience JWT", w.jwt(jwt.SigningMethodHS256, with(map[string]any{"aud": "another-api"}))},
		{"wrong-issuer JWT", w.jwt(jwt.SigningMethodRS256, with(map[string]any{"iss": "https://evil.example"}))},
		{"unknown API key", "not-a-key"},
	}
	for _, tc := range tokens {
		for _, op := range []int{0, 4} { // a query and grantLicence
			t.Run(tc.name+"/"+operations[op].name, func(t *testing.T) {
				before := testutil.Dump(t, w.cfg)
				resp, raw := w.post(tc.token, operations[op].query, operations[op].vars)
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || string(resp.Data) != "null" {
					t.Fatalf("want one UNAUTHENTICATED error and no data: %s", raw)
				}
				if strings.Contains(raw, tc.token) {
					t.Fatalf("the response quotes the token: %s", raw)
				}
				if !slices.Equal(before, testutil.Dump(t, w.cfg)) {
					t.Fatal("the graph changed")
				}
			})
		}
	}
	// The same request with the valid token passes: the rejections above
	// are the tokens', not the requests'.
	if resp, raw := w.post(valid, operations[4].query, operations[4].vars); len(resp.Errors) > 0 {
		t.Fatalf("valid token refused: %s", raw)
	}
}

func TestImportLicencesIsAtomic(t *testing.T) {
	w := newAuthWorld(t, true)
	token := "editor-api-key"
	items := []any{
		map[string]any{"id": "L-a", "holder": "cn-mag"},
		map[string]any{"id": "L-b", "clients": []string{"de-oem"}},
		map[string]any{"id": "L-c", "validFrom": "2026-02-01", "validUntil": "2026-01-01"},
		map[string]any{"id": "L-d"},
		map[string]any{"id": "L-a"},
		map[string]any{"id": "L-e", "holder": "nobody", "materials": []string{"Dy", "Unobtainium"}},
		map[string]any{"id": "L-active", "holder": "cn-mag"}, // replaces a stored licence: fine
	}
	before := testutil.Dump(t, w.cfg)
	resp, raw := w.post(token, operations[7].query, map[string]any{"in": items})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || string(resp.Data) != "null" {
		t.Fatalf("want one BAD_USER_INPUT error: %s", raw)
	}
	e := resp.Errors[0]
	var got []string
	for _, it := range e.Extensions["invalid"].([]any) {
		m := it.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v", m["index"], m["field"]))
		if m["message"] == "" {
			t.Errorf("item without message: %v", m)
		}
	}
	want := []string{"2 input[2].validUntil", "4 input[4].id", "5 input[5].holder", "5 input[5].materials"}
	if !slices.Equal(got, want) {
		t.Fatalf("invalid items %v, want %v\n%s", got, want, raw)
	}
	for _, frag := range []string{"input[2].validUntil: ", "input[4].id: ", `input[5].holder: unknown company "nobody"`, `input[5].materials: unknown material "Unobtainium"`} {
		if !strings.Contains(e.Message, frag) {
			t.Errorf("message %q lacks %q", e.Message, frag)
		}
	}
	if e.Extensions["field"] != "input[2].validUntil" {
		t.Errorf("field = %v", e.Extensions["field"])
	}
	if !slices.Equal(before, testutil.Dump(t, w.cfg)) {
		t.Fatal("a failed import wrote")
	}

	// Without the bad items everything is written, in one go.
	good := []any{items[0], items[1], items[3], items[6]}
	resp, raw = w.post(token, operations[7].query, map[string]any{"in": good})
	if len(resp.Errors) > 0 {
		t.Fatalf("good import: %s", raw)
	}
	n := testutil.Run(t, w.cfg, `MATCH (l:Licence) WHERE l.id IN ["L-a", "L-b", "L-d", "L-active"] RETURN count(l)`, nil)
	if n[0][0].(int64) != 4 {
		t.Fatalf("%v licences written", n[0][0])
	}
	// L-active was replaced: its clients are gone.
	if c := testutil.Run(t, w.cfg, `MATCH (:Licence {id: "L-active"})-[r:COVERS]->() RETURN count(r)`, nil); c[0][0].(int64) != 0 {
		t.Fatalf("L-active kept %v clients", c[0][0])
	}
}

func TestMutationValidationNamesTheField(t *testing.T) {
	w := newAuthWorld(t, true)
	token := w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"editor"}})
	tests := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"unknown holder", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "L-x", "holder": "nobody"}}, "BAD_USER_INPUT", "input.holder"},
		{"holder is its own client", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "L-x", "holder": "cn-mag", "clients": []string{"cn-mag"}}}, "BAD_USER_INPUT", "input.clients"},
		{"window backwards", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "L-x", "validFrom": "2026-02-01", "validUntil": "2026-01-01"}}, "BAD_USER_INPUT", "input.validUntil"},
		{"bad id", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "bad id"}}, "BAD_USER_INPUT", "input.id"},
		{"bad date", `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "L-x", "validFrom": "2026-13-01"}}, "BAD_USER_INPUT", "input.validFrom"},
		{"unknown country", `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "x", "name": "X", "country": "XX"}}, "BAD_USER_INPUT", "input.country"},
		{"unknown sector", `mutation($in: CompanyInput!) { upsertCompany(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": "x", "name": "X", "country": "DE", "sectors": []string{"space"}}}, "BAD_USER_INPUT", "input.sectors"},
		{"self supply", `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) { since } }`,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "cn-mag"}}, "BAD_USER_INPUT", "input.customer"},
		{"unknown customer", `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) { since } }`,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "nobody"}}, "BAD_USER_INPUT", "input.customer"},
		{"confidence out of range", `mutation($in: SupplyLinkInput!) { upsertSupplyLink(input: $in) { since } }`,
			map[string]any{"in": map[string]any{"supplier": "cn-mag", "customer": "us-oem", "confidence": 2}}, "BAD_USER_INPUT", "input.confidence"},
		{"no such link", `mutation { removeSupplyLink(supplier: "us-oem", customer: "cn-mag") { since } }`, nil, "NOT_FOUND", ""},
		{"revoke unknown licence", `mutation { revokeLicence(id: "nope") { id } }`, nil, "NOT_FOUND", "id"},
		{"revoked before issued", `mutation { revokeLicence(id: "L-revoked", on: "2024-01-01") { id } }`, nil, "BAD_USER_INPUT", "on"},
		{"exclusions: unknown sector", `mutation { setLicenceExclusions(id: "L-active", sectorIds: ["defence", "space"]) { id } }`, nil, "BAD_USER_INPUT", "sectorIds"},
		{"exclusions: unknown licence", `mutation { setLicenceExclusions(id: "nope", sectorIds: []) { id } }`, nil, "NOT_FOUND", "id"},
	}
	before := testutil.Dump(t, w.cfg)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := w.post(token, tc.query, tc.vars)
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != tc.code {
				t.Fatalf("want one %s error: %s", tc.code, raw)
			}
			if tc.field != "" && resp.Errors[0].Extensions["field"] != tc.field {
				t.Fatalf("field = %v, want %s: %s", resp.Errors[0].Extensions["field"], tc.field, raw)
			}
			if tc.field != "" && tc.code == "BAD_USER_INPUT" && !strings.HasPrefix(resp.Errors[0].Message, tc.field+": ") {
				t.Fatalf("message %q does not start with the field", resp.Errors[0].Message)
			}
		})
	}
	if !slices.Equal(before, testutil.Dump(t, w.cfg)) {
		t.Fatal("a refused mutation wrote")
	}
}

func TestRevokeLicenceDefaultsToToday(t *testing.T) {
	w := newAuthWorld(t, true)
	resp, raw := w.post("editor-api-key", `mutation { revokeLicence(id: "L-pending") { status revokedOn revocationReason } }`, nil)
	if len(resp.Errors) > 0 {
		t.Fatal(raw)
	}
	want := fmt.Sprintf(`{"revokeLicence":{"status":"REVOKED","revokedOn":%q,"revocationReason":null}}`, domain.Today())
	if got := sortedData(t, resp.Data); got != sortedData(t, []byte(want)) {
		t.Fatalf("got %s, want %s", got, want)
	}
	// The read API sees it.
	resp, raw = w.post("", `{ licence(id: "L-pending") { status revokedOn } }`, nil)
	if !strings.Contains(raw, `"status":"REVOKED"`) || len(resp.Errors) > 0 {
		t.Fatalf("read back: %s", raw)
	}
}

func TestConcurrentGrantsLeaveOneLicence(t *testing.T) {
	w := newAuthWorld(t, true)
	token := "editor-api-key"
	clients := []string{"de-oem", "us-oem", "jp-parts", "fr-def"}
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := map[string]any{"id": "L-race", "holder": "cn-mag", "clients": []string{clients[i%len(clients)]},
				"reference": fmt.Sprintf("grant-%d", i)}
			resp, raw := w.post(token, `mutation($in: LicenceInput!) { grantLicence(input: $in) { id } }`, map[string]any{"in": in})
			if len(resp.Errors) > 0 {
				errs <- raw
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("grant failed: %s", e)
	}
	rows := testutil.Run(t, w.cfg, `MATCH (l:Licence {id: "L-race"})
		RETURN count(l) AS n, [(h)-[:HOLDS]->(l) | h.id] AS holders, [(l)-[:COVERS]->(c) | c.id] AS clients, l.reference`, nil)
	if len(rows) != 1 || rows[0][0].(int64) != 1 {
		t.Fatalf("licences named L-race: %v", rows)
	}
	holders, cl := rows[0][1].([]any), rows[0][2].([]any)
	if len(holders) != 1 || len(cl) != 1 {
		t.Fatalf("one grant's relationships expected, got holders %v clients %v", holders, cl)
	}
	var ref int
	fmt.Sscanf(rows[0][3].(string), "grant-%d", &ref)
	if cl[0] != clients[ref%len(clients)] {
		t.Fatalf("properties of grant %d but clients %v: two grants mixed", ref, cl)
	}
}
