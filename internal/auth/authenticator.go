package auth

import (
	"bufio"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Options configure an Authenticator. Every method left unset is off; with
// none set every token is rejected (and only anonymous requests remain).
type Options struct {
	// HS256Secret verifies HS256 JWTs; at least 32 bytes.
	HS256Secret []byte
	// RS256PublicKey verifies RS256 JWTs.
	RS256PublicKey *rsa.PublicKey
	// Issuer and Audience, when set, must match the JWT's iss and aud.
	Issuer, Audience string
	// RolesClaim names the JWT claim holding the roles (default "roles"); a
	// dotted path reaches into objects ("realm_access.roles"). The claim is
	// a list of strings or one string of names separated by spaces or commas.
	RolesClaim string
	// APIKeys are the static keys, by the SHA-256 hex of the key.
	APIKeys map[string]Principal
	// Leeway tolerates clock skew on exp and nbf (default 30s).
	Leeway time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// MinHS256SecretLength is the shortest HS256 secret accepted: 256 bits.
const MinHS256SecretLength = 32

// Authenticator turns bearer tokens into principals.
type Authenticator struct {
	o      Options
	parser *jwt.Parser
}

// New checks the options and builds an Authenticator.
func New(o Options) (*Authenticator, error) {
	if len(o.HS256Secret) > 0 && len(o.HS256Secret) < MinHS256SecretLength {
		return nil, fmt.Errorf("the HS256 secret is shorter than %d bytes", MinHS256SecretLength)
	}
	if o.RolesClaim == "" {
		o.RolesClaim = "roles"
	}
	if o.Leeway == 0 {
		o.Leeway = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	var methods []string
	if len(o.HS256Secret) > 0 {
		methods = append(methods, jwt.SigningMethodHS256.Alg())
	}
	if o.RS256PublicKey != nil {
		methods = append(methods, jwt.SigningMethodRS256.Alg())
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(o.Leeway),
		jwt.WithTimeFunc(o.Now),
	}
	if o.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(o.Issuer))
	}
	if o.Audience != "" {
		opts = append(opts, jwt.WithAudience(o.Audience))
	}
	return &Authenticator{o: o, parser: jwt.NewParser(opts...)}, nil
}

// Enabled reports whether any token can be accepted at all.
func (a *Authenticator) Enabled() bool {
	return a != nil && (a.JWTEnabled() || len(a.o.APIKeys) > 0)
}

// JWTEnabled reports whether some JWT key is configured.
func (a *Authenticator) JWTEnabled() bool {
	return len(a.o.HS256Secret) > 0 || a.o.RS256PublicKey != nil
}

// Authenticate verifies a bearer token: a JWT when it has a JWT's shape
// and a JWT key is configured, otherwise an API key. Errors wrap
// ErrInvalidToken and never quote the token.
func (a *Authenticator) Authenticate(token string) (*Principal, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: no authentication method is configured", ErrInvalidToken)
	}
	if a.JWTEnabled() && strings.Count(token, ".") == 2 {
		return a.verifyJWT(token)
	}
	if p, ok := a.o.APIKeys[HashAPIKey(token)]; ok {
		return &p, nil
	}
	return nil, fmt.Errorf("%w: not a known API key or a valid JWT", ErrInvalidToken)
}

func (a *Authenticator) verifyJWT(token string) (*Principal, error) {
	claims := jwt.MapClaims{}
	_, err := a.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		switch t.Method.Alg() {
		case jwt.SigningMethodHS256.Alg():
			return a.o.HS256Secret, nil
		case jwt.SigningMethodRS256.Alg():
			return a.o.RS256PublicKey, nil
		}
		return nil, fmt.Errorf("unexpected signing method %s", t.Method.Alg())
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidToken, jwtReason(err))
	}
	sub, _ := claims.GetSubject()
	return &Principal{Subject: sub, Roles: rolesOf(claimAt(claims, a.o.RolesClaim)), Method: "jwt"}, nil
}

// jwtReason is a short, token-free description of a JWT failure.
func jwtReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token's issuer is missing or not accepted"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token's audience is missing or not accepted"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token lacks a required claim (exp, and iss and aud when they are configured)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token's signature does not verify"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	}
	return "the token is not valid"
}

// claimAt follows a dotted path through the claims.
func claimAt(claims jwt.MapClaims, path string) any {
	var cur any = map[string]any(claims)
	for _, key := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	return cur
}

// rolesOf reads a roles claim: a list of strings, or one string of names
// separated by spaces or commas. Unknown names are dropped.
func rolesOf(v any) []Role {
	var names []string
	switch v := v.(type) {
	case string:
		names = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	}
	var out []Role
	for _, n := range names {
		if r, ok := ParseRole(n); ok {
			out = append(out, r)
		}
	}
	return out
}

// HashAPIKey is the form API keys are stored in: lower-case SHA-256 hex.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// ParseAPIKeys reads an API-key file: one key per line as
//
//	<sha256-hex of the key> <role>[,<role>…] <subject>
//
// Blank lines and lines starting with # are ignored. Every malformed line
// is reported (by number, never quoting the hash).
func ParseAPIKeys(r io.Reader) (map[string]Principal, error) {
	keys := map[string]Principal{}
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			errs = append(errs, fmt.Errorf("line %d: want \"<sha256-hex> <role>[,<role>] <subject>\", got %d fields", n, len(fields)))
			continue
		}
		hash := strings.ToLower(fields[0])
		if b, err := hex.DecodeString(hash); err != nil || len(b) != sha256.Size {
			errs = append(errs, fmt.Errorf("line %d: the key hash is not 64 hex digits (SHA-256)", n))
			continue
		}
		var roles []Role
		bad := false
		for _, name := range strings.Split(fields[1], ",") {
			role, ok := ParseRole(name)
			if !ok {
				errs = append(errs, fmt.Errorf("line %d: %q is not one of reader, editor, admin", n, name))
				bad = true
				continue
			}
			roles = append(roles, role)
		}
		if bad {
			continue
		}
		if _, dup := keys[hash]; dup {
			errs = append(errs, fmt.Errorf("line %d: the same key hash appears twice", n))
			continue
		}
		keys[hash] = Principal{Subject: fields[2], Roles: roles, Method: "api-key"}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return keys, errors.Join(errs...)
}

// LoadAPIKeys reads the API-key file at path.
func LoadAPIKeys(path string) (map[string]Principal, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keys, err := ParseAPIKeys(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// LoadRSAPublicKey reads a PEM RSA public key (PKIX "PUBLIC KEY" or PKCS#1
// "RSA PUBLIC KEY"; a certificate's key also works).
func LoadRSAPublicKey(path string) (*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := jwt.ParseRSAPublicKeyFromPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}
