package graph

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// A panic in a loader hook is logged and stops there: the hook runs in a
// batch's goroutine, where nothing else would recover it.
func TestRecoverPrefetch(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	func() {
		defer recoverPrefetch(context.Background(), log)
		panic("boom")
	}()
	if !strings.Contains(buf.String(), "panic while prefetching") || !strings.Contains(buf.String(), "boom") {
		t.Errorf("log = %q", buf.String())
	}
}
