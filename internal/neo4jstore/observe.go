package neo4jstore

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/licencegraph/licencegraph/internal/metrics"
)

var tracer = otel.Tracer("github.com/licencegraph/licencegraph/internal/neo4jstore")

// observed is one statement being measured: its name, and its span when
// tracing is on.
type observed struct {
	name string
	span trace.Span
}

// observe starts measuring a statement sent by the innermost exported
// Store method on the stack, whose name names the statement in metrics
// and spans (never its text, which is long and may be built per depth).
// The span is a client span child of ctx's: the GraphQL operation or a
// dataloader batch.
func observe(ctx context.Context, db string) (context.Context, observed) {
	name := storeMethod()
	if name == "" {
		name = "unnamed"
	}
	ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		span.SetAttributes(attribute.String("db.system.name", "neo4j"), attribute.String("db.query.summary", name))
		if db != "" {
			span.SetAttributes(attribute.String("db.namespace", db))
		}
	}
	return ctx, observed{name: name, span: span}
}

// done records the statement's outcome: Neo4j's own time from the result
// summary (nil when the statement failed) in the duration histogram, a
// failure in the error count and on the span.
func (o observed) done(summary neo4j.ResultSummary, err error) {
	defer o.span.End()
	if err != nil {
		metrics.StatementErrors.WithLabelValues(o.name).Inc()
		o.span.SetStatus(codes.Error, "statement failed")
		return
	}
	if summary != nil {
		metrics.StatementDuration.WithLabelValues(o.name).Observe((summary.ResultAvailableAfter() + summary.ResultConsumedAfter()).Seconds())
	}
}
