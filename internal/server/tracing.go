package server

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
)

// traced wraps next in a server span per request (otelhttp: the caller's
// traceparent is its parent) when tracing is on; the probes and /metrics,
// polled every few seconds, get none. Off, it only takes the caller's
// trace context into the request's context, so that the request log line
// names the caller's trace.
func traced(on bool, next http.Handler) http.Handler {
	if !on {
		tc := propagation.TraceContext{}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("traceparent") != "" {
				r = r.WithContext(tc.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
			}
			next.ServeHTTP(w, r)
		})
	}
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithFilter(func(r *http.Request) bool { return !untraced[r.URL.Path] }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return spanName(r) }))
}

var untraced = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// spanName is "METHOD /route" for the API's own routes and "METHOD"
// for anything else (GraphiQL's assets), as the HTTP semantic
// conventions ask: no unbounded paths in span names.
func spanName(r *http.Request) string {
	if r.URL.Path == "/graphql" || r.URL.Path == "/" {
		return r.Method + " " + r.URL.Path
	}
	return r.Method
}
