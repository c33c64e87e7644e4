package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/metrics"
)

// limitBody guards the GraphQL endpoint before gqlgen sees a request: a
// body over max bytes is refused with 413 (without reading more than
// max+1 bytes of it), and a JSON array body, a batch of operations, is
// refused with 400: one operation per request. GET requests carry their
// query in the URL, which net/http bounds with the header size limit.
func limitBody(max int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if max > 0 && r.ContentLength > int64(max) {
			tooLarge(w, max)
			return
		}
		reader := io.Reader(r.Body)
		if max > 0 {
			reader = io.LimitReader(r.Body, int64(max)+1)
		}
		body, err := io.ReadAll(reader)
		if err != nil {
			writeGraphQLError(w, http.StatusBadRequest, "the request body could not be read")
			return
		}
		if max > 0 && len(body) > max {
			tooLarge(w, max)
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			writeGraphQLError(w, http.StatusBadRequest, "batched operations are not supported: send one operation per request")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, max int) {
	// The client may still be sending: tell net/http not to wait for it.
	w.Header().Set("Connection", "close")
	writeGraphQLError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", max))
}

// writeGraphQLError answers in GraphQL's error shape with BAD_USER_INPUT.
func writeGraphQLError(w http.ResponseWriter, status int, msg string) {
	writeGraphQLErrorCode(w, status, domain.CodeBadUserInput, msg)
}

func writeGraphQLErrorCode(w http.ResponseWriter, status int, code domain.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]any{"code": string(code)},
	}}})
}

// limitConcurrency lets at most n GraphQL requests run at once; the others
// wait their turn, for at most wait, and are then refused with 503
// (UNAVAILABLE, Retry-After). On a few cores more requests in flight add
// no throughput, only memory (each holds its answer while it is built)
// and latency for all. Subscriptions (websocket upgrades) hold their
// connection for as long as they last and are not counted. n <= 0: no
// limit.
func limitConcurrency(n int, wait time.Duration, next http.Handler) http.Handler {
	if n <= 0 {
		return next
	}
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			metrics.RequestsWaiting.Inc()
			timer := time.NewTimer(wait)
			defer timer.Stop()
			select {
			case slots <- struct{}{}:
				metrics.RequestsWaiting.Dec()
			case <-r.Context().Done():
				metrics.RequestsWaiting.Dec()
				return // the client has gone
			case <-timer.C:
				metrics.RequestsWaiting.Dec()
				metrics.RequestsRefused.Inc()
				w.Header().Set("Retry-After", "1")
				writeGraphQLErrorCode(w, http.StatusServiceUnavailable, domain.CodeUnavailable,
					fmt.Sprintf("the server is busy (%d requests running): retry shortly", n))
				return
			}
		}
		metrics.RequestsRunning.Inc()
		defer func() {
			metrics.RequestsRunning.Dec()
			<-slots
		}()
		next.ServeHTTP(w, r)
	})
}
