package requestid

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name, sent string
		keep       bool
	}{
		{"plain id kept", "abc-123_X.y", true},
		{"none: made up", "", false},
		{"newline: replaced", "a\nlevel=ERROR msg=forged", false},
		{"markup: replaced", "<script>", false},
		{"too long: replaced", strings.Repeat("a", 65), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var inCtx string
			h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inCtx = FromContext(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.sent != "" {
				req.Header.Set(Header, tc.sent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(Header)
			if got != inCtx || got == "" {
				t.Fatalf("header %q, context %q", got, inCtx)
			}
			if tc.keep != (got == tc.sent) {
				t.Fatalf("sent %q, got %q", tc.sent, got)
			}
			if !tc.keep && len(got) != 16 {
				t.Fatalf("made-up id %q", got)
			}
		})
	}
}

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewTextHandler(&buf, nil))).With("component", "x")
	log.InfoContext(With(t.Context(), "r-1"), "hello")
	log.Info("no request")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "request_id=r-1") || !strings.Contains(lines[0], "component=x") || strings.Contains(lines[1], "request_id") {
		t.Fatalf("log:\n%s", buf.String())
	}
}
