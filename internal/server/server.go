// Package server wires licencegraph's HTTP surface: the GraphQL endpoint,
// GraphiQL, health and readiness probes, CORS and request logging, and runs
// it with a graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/rs/cors"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/requestid"
)

// Options configure the HTTP surface.
type Options struct {
	// GraphQL serves /graphql.
	GraphQL http.Handler
	// UI serves "/" (GraphiQL) and its assets; nil leaves "/" a 404.
	UI http.Handler
	// Exports serves /export/ (the exposure CSV), within the same
	// concurrency limit as /graphql; nil leaves it a 404.
	Exports http.Handler
	// Explorer serves /explore and its assets under /explore/; nil leaves
	// them to UI.
	Explorer http.Handler
	// DB answers /readyz.
	DB domain.Pinger
	// CORSOrigins are the allowed origins; "*" allows any (without cookies).
	CORSOrigins []string
	// ReadyTimeout bounds the database check of /readyz.
	ReadyTimeout time.Duration
	// MaxRequestBytes bounds the body of a request to /graphql (0: no
	// limit); more is refused with 413. A JSON array body (a batch of
	// operations) is refused with 400.
	MaxRequestBytes int
	// MaxConcurrentRequests bounds the GraphQL requests running at once
	// (0: no limit); the others wait up to QueueTimeout, then get 503.
	MaxConcurrentRequests int
	QueueTimeout          time.Duration
	// Debug serves DebugRuntimePath (the runtime's heap, collector and
	// goroutine figures; ?gc=1 collects first) and the runtime's profiles
	// under /debug/pprof/. Off by default: it is unauthenticated, and a
	// forced collection or a profile costs CPU.
	Debug bool
	// LeakBytesPerRequest, with Debug on, makes every /graphql request
	// retain that many bytes for good: a deliberate leak, only for
	// proving that the load test catches one. 0: off.
	LeakBytesPerRequest int
	// Metrics, if set, serves GET /metrics (when METRICS_ADDR does not
	// move it to a listener of its own).
	Metrics http.Handler
	// Tracing makes a server span of every request but the probes and
	// /metrics, child of the caller's W3C trace context (traceparent).
	// Off, the caller's trace id still reaches the request log line.
	Tracing bool
	Logger  *slog.Logger
}

// Handler returns the whole HTTP handler.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 2 * time.Second
	}
	o.Logger = slog.New(requestid.LogHandler(o.Logger.Handler()))
	mux := http.NewServeMux()
	graphql := limitBody(o.MaxRequestBytes, limitConcurrency(o.MaxConcurrentRequests, o.QueueTimeout, o.GraphQL))
	if o.Debug {
		l := newLeak(o.LeakBytesPerRequest)
		graphql = l.wrap(graphql)
		mux.HandleFunc("GET "+DebugRuntimePath, debugRuntime(l))
		// The runtime's profiles, for finding where a load spends its
		// time (go tool pprof http://HOST/debug/pprof/profile).
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	}
	mux.Handle("/graphql", graphql)
	if o.Exports != nil {
		mux.Handle("/export/", limitConcurrency(o.MaxConcurrentRequests, o.QueueTimeout, o.Exports))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", readyz(o.DB, o.ReadyTimeout, o.Logger))
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics)
	}
	if o.UI != nil {
		mux.Handle("/", o.UI)
	}
	if o.Explorer != nil {
		mux.Handle("/explore", o.Explorer)
		mux.Handle("/explore/", o.Explorer)
	}
	c := cors.New(corsOptions(o.CORSOrigins))
	return requestid.Middleware(traced(o.Tracing, logRequests(o.Logger, c.Handler(mux))))
}

func readyz(db domain.Pinger, timeout time.Duration, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			log.WarnContext(ctx, "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{
				"status": "unavailable", "reason": domain.ErrorMessage(err),
			})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Run serves h on addr until ctx ends, then shuts down gracefully: new
// connections are refused and in-flight requests get shutdownTimeout to
// finish. ready, if non-nil, receives the bound address once listening.
func Run(ctx context.Context, addr string, h http.Handler, shutdownTimeout time.Duration, log *slog.Logger, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", errors.Join(err, srv.Close()))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
