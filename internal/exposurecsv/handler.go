package exposurecsv

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/requestid"
)

// Path is where the handler answers.
const Path = "/export/exposed.csv"

// Options configure the handler.
type Options struct {
	Reporter  Reporter
	Companies Companies
	// AllowAnonymousRead: callers without a token may read, as GraphQL
	// queries may (ALLOW_ANONYMOUS_READ).
	AllowAnonymousRead bool
	Logger             *slog.Logger
}

// Handler serves GET /export/exposed.csv?sector=&asOf=&maxDepth=&minConfidence=&since=
// behind internal/auth's middleware, with the access rule of GraphQL
// queries (graph/auth.go): an invalid token is 401, no token is allowed
// only with AllowAnonymousRead, a token needs role reader (403
// otherwise). Bad parameters are 400 with a JSON error naming the
// parameter; the CSV itself is streamed (text/csv), a chunk of rows at a
// time, as the engine makes them (exposure.Engine.ExposedReport). The
// client's connection bounds it: a client that goes away stops it.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			writeError(ctx, w, http.StatusMethodNotAllowed, domain.Errorf(domain.CodeBadUserInput, "use GET"))
			return
		}
		if err := allowed(ctx, o.AllowAnonymousRead); err != nil {
			writeErr(ctx, w, o.Logger, err)
			return
		}
		q, err := ParseQuestion(r.URL.Query(), domain.Today())
		if err != nil {
			writeErr(ctx, w, o.Logger, err)
			return
		}
		out := &lazyResponse{w: w, asOf: q.AsOf.String()}
		flush := func() { _ = http.NewResponseController(w).Flush() }
		n, err := Write(ctx, o.Reporter, o.Companies, q, out, flush)
		switch {
		case err != nil && !out.started:
			writeErr(ctx, w, o.Logger, err)
		case err != nil:
			// The status is sent: the body ends short, and the log says why.
			o.Logger.WarnContext(ctx, "exposed.csv cut short", "rows_written", n, "err", err)
		}
	})
}

// lazyResponse sends the CSV's headers and status with its first bytes,
// so that an answer that fails before any row is an HTTP error.
type lazyResponse struct {
	w       http.ResponseWriter
	asOf    string
	started bool
}

func (l *lazyResponse) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		h := l.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="exposed-`+l.asOf+`.csv"`)
		h.Set("Cache-Control", "no-store")
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

func allowed(ctx context.Context, anonymous bool) error {
	p, err := auth.FromContext(ctx)
	switch {
	case err != nil:
		return &domain.Error{Code: domain.CodeUnauthenticated, Message: err.Error(), Err: err}
	case p == nil && anonymous:
		return nil
	case p == nil:
		return domain.Errorf(domain.CodeUnauthenticated, "this export needs a bearer token with role %s", auth.RoleReader)
	case !p.Has(auth.RoleReader):
		return domain.Errorf(domain.CodeForbidden, "this export needs role %s", auth.RoleReader)
	}
	return nil
}

var statusOf = map[domain.Code]int{
	domain.CodeBadUserInput:    http.StatusBadRequest,
	domain.CodeNotFound:        http.StatusNotFound,
	domain.CodeUnauthenticated: http.StatusUnauthorized,
	domain.CodeForbidden:       http.StatusForbidden,
	domain.CodeTimeout:         http.StatusGatewayTimeout,
	domain.CodeUnavailable:     http.StatusServiceUnavailable,
	domain.CodeConflict:        http.StatusConflict,
}

// writeErr answers err: a domain error with its code and message, any
// other as INTERNAL with the request id (nothing internal leaks).
func writeErr(ctx context.Context, w http.ResponseWriter, log *slog.Logger, err error) {
	var de *domain.Error
	if errors.Is(err, context.DeadlineExceeded) {
		de = domain.Errorf(domain.CodeTimeout, "the export took too long")
	} else if !errors.As(err, &de) || statusOf[de.Code] == 0 {
		log.ErrorContext(ctx, "exposed.csv failed", "err", err)
		de = domain.Errorf(domain.CodeInternal, "internal error (request id %s)", requestid.FromContext(ctx))
		writeError(ctx, w, http.StatusInternalServerError, de)
		return
	}
	if de.Code == domain.CodeUnauthenticated {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeError(ctx, w, statusOf[de.Code], de)
}

func writeError(ctx context.Context, w http.ResponseWriter, status int, de *domain.Error) {
	body := map[string]any{"code": de.Code, "message": de.Message}
	if de.Field != "" {
		body["parameter"] = de.Field
	}
	if id := requestid.FromContext(ctx); id != "" {
		body["requestId"] = id
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}
