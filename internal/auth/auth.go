// Package auth authenticates API callers from bearer tokens — signed JWTs
// (HS256 or RS256) and static API keys stored hashed — and carries the
// resulting Principal in the request context. Authorisation (which role an
// operation needs) is declared in the GraphQL schema and checked in graph/.
package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Role is an access role. Higher roles include the lower ones:
// admin ⊇ editor ⊇ reader.
type Role string

const (
	RoleReader Role = "reader"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// rank orders the roles; unknown roles rank 0 and grant nothing.
func (r Role) rank() int {
	switch r {
	case RoleReader:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// ParseRole reads a role name (case-insensitive).
func ParseRole(s string) (Role, bool) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	return r, r.rank() > 0
}

// Principal is an authenticated caller.
type Principal struct {
	// Subject is the JWT's `sub`, or the API key's subject.
	Subject string
	// Roles are the caller's known roles (unknown names are dropped).
	Roles []Role
	// Method is "jwt" or "api-key".
	Method string
}

// Has reports whether the principal holds role or a role that includes it.
func (p *Principal) Has(role Role) bool {
	if p == nil || role.rank() == 0 {
		return false
	}
	return slices.ContainsFunc(p.Roles, func(r Role) bool { return r.rank() >= role.rank() })
}

// ErrInvalidToken is the cause of every authentication failure. Its text,
// and that of errors wrapping it, never contains the token.
var ErrInvalidToken = errors.New("invalid bearer token")

type ctxKey struct{}

// state is what the middleware learnt about a request.
type state struct {
	principal *Principal
	err       error
}

// WithPrincipal returns ctx carrying p (nil: anonymous).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	if p != nil {
		ctx = domain.WithActor(ctx, p.Subject) // who writes, for the audit trail
	}
	return context.WithValue(ctx, ctxKey{}, state{principal: p})
}

// withError returns ctx recording that the request's token was invalid.
func withError(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, ctxKey{}, state{err: err})
}

// FromContext returns the request's principal (nil when anonymous) and the
// authentication error, if the request carried a token that is invalid.
func FromContext(ctx context.Context) (*Principal, error) {
	s, _ := ctx.Value(ctxKey{}).(state)
	return s.principal, s.err
}

// Middleware parses `Authorization: Bearer …` into the request context. A
// request without the header is anonymous; a header that does not hold a
// valid token is recorded as an error (FromContext), never treated as
// anonymous: the GraphQL layer answers it with UNAUTHENTICATED.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(a.WithAuthorization(r.Context(), r.Header.Get("Authorization"))))
	})
}

// WithAuthorization returns ctx carrying the caller an Authorization value
// ("Bearer <token>") names: anonymous when it is empty, an error
// (FromContext) when it is not a valid token. Websocket connections pass
// the value of their connection_init payload here.
func (a *Authenticator) WithAuthorization(ctx context.Context, header string) context.Context {
	if header == "" {
		return WithPrincipal(ctx, nil)
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return withError(ctx, errors.New("the Authorization header is not \"Bearer <token>\""))
	}
	p, err := a.Authenticate(token)
	if err != nil {
		return withError(ctx, err)
	}
	return WithPrincipal(ctx, p)
}
