package exposurecsv

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

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
	// Timeout bounds computing the answer (REQUEST_TIMEOUT); writing it
	// out is bounded by the client reading it.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Handler serves GET /export/exposed.csv?sector=&asOf=&maxDepth=&minConfidence=&since=
// behind internal/auth's middleware, with the access rule of GraphQL
// queries (graph/auth.go): an invalid token is 401, no token is allowed
// only with AllowAnonymousRead, a token needs role reader (403
// otherwise). Bad parameters are 400 with a JSON error naming the
// parameter; the CSV itself is streamed (text/csv), a batch of rows at a
// time.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
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
		qctx := ctx
		if o.Timeout > 0 {
			var cancel context.CancelFunc
			qctx, cancel = context.WithTimeout(ctx, o.Timeout)
			defer cancel()
		}
		rows, err := o.Reporter.ExposedReport(qctx, q.ExposureQuery, q.Since)
		if err != nil {
			writeErr(ctx, w, o.Logger, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="exposed-`+q.AsOf.String()+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		flush := func() { _ = http.NewResponseController(w).Flush() }
		n, err := Write(ctx, fixed(rows), o.Companies, q, w, flush)
		if err != nil {
			// The status is sent: the body ends short, and the log says why.
			o.Logger.WarnContext(ctx, "exposed.csv cut short", "rows_written", n, "err", err)
		}
	})
}

// fixed is a Reporter that returns rows already computed.
type fixed []domain.ExposedReportRow

func (f fixed) ExposedReport(context.Context, domain.ExposureQuery, bool) ([]domain.ExposedReportRow, error) {
	return f, nil
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
