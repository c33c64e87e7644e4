package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	now    = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	secret = []byte("0123456789abcdef0123456789abcdef-test-secret")
)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claims are valid at now unless changed.
func claims(extra map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub": "alice", "iss": "https://issuer.example", "aud": "licencegraph",
		"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix(), "roles": []string{"editor"},
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAuthenticateJWT(t *testing.T) {
	rsaKey, otherRSA := newRSAKey(t), newRSAKey(t)
	a, err := New(Options{
		HS256Secret: secret, RS256PublicKey: &rsaKey.PublicKey,
		Issuer: "https://issuer.example", Audience: "licencegraph",
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey))})
	tests := []struct {
		name      string
		token     string
		wantRoles []Role
		wantErr   string // a fragment of the error; "" means valid
	}{
		{"HS256 valid", sign(t, jwt.SigningMethodHS256, secret, claims(nil)), []Role{RoleEditor}, ""},
		{"RS256 valid", sign(t, jwt.SigningMethodRS256, rsaKey, claims(nil)), []Role{RoleEditor}, ""},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"exp": now.Add(-time.Hour).Unix()})), nil, "expired"},
		{"expired within leeway", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"exp": now.Add(-10 * time.Second).Unix()})), []Role{RoleEditor}, ""},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"nbf": now.Add(time.Hour).Unix()})), nil, "not valid yet"},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"exp": nil})), nil, "required claim"},
		{"wrong HS256 secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another"), claims(nil)), nil, "signature"},
		{"wrong RS256 key", sign(t, jwt.SigningMethodRS256, otherRSA, claims(nil)), nil, "signature"},
		{"HS256 signed with the RSA public key (alg confusion)", sign(t, jwt.SigningMethodHS256, rsaPEM, claims(nil)), nil, "signature"},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), nil, "signature"},
		{"HS512 not accepted", sign(t, jwt.SigningMethodHS512, secret, claims(nil)), nil, "signature"},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"iss": "https://evil.example"})), nil, "issuer"},
		{"no issuer", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"iss": nil})), nil, "required claim"},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"aud": "other-api"})), nil, "audience"},
		{"audience list containing ours", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"aud": []string{"x", "licencegraph"}})), []Role{RoleEditor}, ""},
		{"roles as a string", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"roles": "reader, ADMIN"})), []Role{RoleReader, RoleAdmin}, ""},
		{"unknown roles dropped", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"roles": []string{"root", "reader"}})), []Role{RoleReader}, ""},
		{"no roles", sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"roles": nil})), nil, ""},
		{"garbage with two dots", "a.b.c", nil, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Authenticate(tc.token)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("accepted, want error containing %q", tc.wantErr)
				}
				if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %q, want ErrInvalidToken containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), tc.token) {
					t.Fatalf("error quotes the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if p.Subject != "alice" || p.Method != "jwt" || !slices.Equal(p.Roles, tc.wantRoles) {
				t.Fatalf("principal %+v, want alice with %v", p, tc.wantRoles)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRolesClaimPath(t *testing.T) {
	a, err := New(Options{HS256Secret: secret, RolesClaim: "realm_access.roles", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodHS256, secret, claims(map[string]any{"roles": nil, "realm_access": map[string]any{"roles": []string{"admin"}}}))
	p, err := a.Authenticate(tok)
	if err != nil || !slices.Equal(p.Roles, []Role{RoleAdmin}) {
		t.Fatalf("got %+v, %v", p, err)
	}
}

func TestNewRejectsShortSecret(t *testing.T) {
	if _, err := New(Options{HS256Secret: []byte("short")}); err == nil {
		t.Fatal("a 5-byte HS256 secret was accepted")
	}
}

func TestRoleHierarchy(t *testing.T) {
	tests := []struct {
		roles []Role
		want  map[Role]bool
	}{
		{nil, map[Role]bool{RoleReader: false, RoleEditor: false, RoleAdmin: false}},
		{[]Role{RoleReader}, map[Role]bool{RoleReader: true, RoleEditor: false, RoleAdmin: false}},
		{[]Role{RoleEditor}, map[Role]bool{RoleReader: true, RoleEditor: true, RoleAdmin: false}},
		{[]Role{RoleAdmin}, map[Role]bool{RoleReader: true, RoleEditor: true, RoleAdmin: true}},
		{[]Role{"root"}, map[Role]bool{RoleReader: false, RoleEditor: false, RoleAdmin: false}},
	}
	for _, tc := range tests {
		p := &Principal{Roles: tc.roles}
		for role, want := range tc.want {
			if got := p.Has(role); got != want {
				t.Errorf("%v.Has(%s) = %v, want %v", tc.roles, role, got, want)
			}
		}
	}
	var nobody *Principal
	if nobody.Has(RoleReader) {
		t.Error("nil principal has reader")
	}
}

const keyFile = `# API keys: sha256-hex role[,role] subject
` + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" + ` editor ci-loader

  # indented comment
` + "2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE" + ` reader,admin ops
`

func TestParseAPIKeysAndAuthenticate(t *testing.T) {
	keys, err := ParseAPIKeys(strings.NewReader(keyFile))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{APIKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, subject string
		roles        []Role
		ok           bool
	}{
		{"test", "ci-loader", []Role{RoleEditor}, true}, // sha256("test")
		{"foo", "ops", []Role{RoleReader, RoleAdmin}, true},
		{"TEST", "", nil, false},
		{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "", nil, false}, // the hash is not the key
		{"x.y.z", "", nil, false},
	}
	for _, tc := range tests {
		p, err := a.Authenticate(tc.key)
		if !tc.ok {
			if err == nil || !errors.Is(err, ErrInvalidToken) {
				t.Errorf("key %q: got %+v, %v; want ErrInvalidToken", tc.key, p, err)
			}
			continue
		}
		if err != nil || p.Subject != tc.subject || p.Method != "api-key" || !slices.Equal(p.Roles, tc.roles) {
			t.Errorf("key %q: got %+v, %v", tc.key, p, err)
		}
	}
}

func TestParseAPIKeysErrors(t *testing.T) {
	hash := HashAPIKey("k")
	tests := []struct{ name, file, want string }{
		{"too few fields", hash + " editor\n", "line 1"},
		{"bad hash", "abc editor me\n", "64 hex"},
		{"unknown role", "# c\n" + hash + " editor,root me\n", "line 2: \"root\""},
		{"duplicate", hash + " editor a\n" + hash + " reader b\n", "line 2: the same key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAPIKeys(strings.NewReader(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), hash) {
				t.Fatalf("error quotes the hash: %v", err)
			}
		})
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	k := newRSAKey(t)
	pkix := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&k.PublicKey))})
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})
	for name, data := range map[string][]byte{"pkix.pem": pkix, "pkcs1.pem": pkcs1, "keys": []byte(keyFile), "bad.pem": []byte("nope")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"pkix.pem", "pkcs1.pem"} {
		got, err := LoadRSAPublicKey(filepath.Join(dir, name))
		if err != nil || !got.Equal(&k.PublicKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := LoadRSAPublicKey(filepath.Join(dir, "bad.pem")); err == nil {
		t.Error("bad.pem accepted")
	}
	if keys, err := LoadAPIKeys(filepath.Join(dir, "keys")); err != nil || len(keys) != 2 {
		t.Errorf("LoadAPIKeys: %d keys, %v", len(keys), err)
	}
	if _, err := LoadAPIKeys(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestMiddleware(t *testing.T) {
	keys := map[string]Principal{HashAPIKey("good-key"): {Subject: "svc", Roles: []Role{RoleReader}, Method: "api-key"}}
	a, err := New(Options{APIKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, header string
		wantSubject  string // "" with wantErr false: anonymous
		wantErr      bool
	}{
		{"no header: anonymous", "", "", false},
		{"bearer key", "Bearer good-key", "svc", false},
		{"scheme is case-insensitive", "bearer good-key", "svc", false},
		{"unknown key", "Bearer bad-key", "", true},
		{"empty bearer", "Bearer ", "", true},
		{"basic auth", "Basic dXNlcjpwYXNz", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p *Principal
			var perr error
			h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p, perr = FromContext(r.Context())
			}))
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if (perr != nil) != tc.wantErr {
				t.Fatalf("error %v, want error: %v", perr, tc.wantErr)
			}
			if tc.wantErr && p != nil {
				t.Fatalf("principal %+v with an error", p)
			}
			if got := ""; p != nil {
				got = p.Subject
				if got != tc.wantSubject {
					t.Fatalf("subject %q, want %q", got, tc.wantSubject)
				}
			} else if tc.wantSubject != "" {
				t.Fatalf("anonymous, want %q", tc.wantSubject)
			}
		})
	}
	// Without any method configured every token is refused.
	var none *Authenticator
	if _, err := none.Authenticate("anything"); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("nil authenticator: %v", err)
	}
}
