package neo4jstore

import (
	"context"
	"testing"

	"github.com/licencegraph/licencegraph/internal/metrics"
)

// BenchObserved measures a statement as read does, from an exported Store
// method (the name observe finds on the stack), without sending one.
func (s *Store) BenchObserved(ctx context.Context) string {
	_, o := observe(ctx, s.db)
	metrics.StatementDuration.WithLabelValues(o.name).Observe(0.001)
	o.span.End()
	return o.name
}

// BenchmarkObserveStatement is what measuring adds to one statement with
// tracing off: naming it from the stack, a no-op span, a histogram
// (docs/performance.md, "What metrics and tracing cost").
func BenchmarkObserveStatement(b *testing.B) {
	s := &Store{db: "neo4j"}
	if name := s.BenchObserved(context.Background()); name != "BenchObserved" {
		b.Fatalf("statement named %q, want the Store method's name", name)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.BenchObserved(context.Background())
	}
}
