package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// BenchmarkObserveOperation is what the observer adds to one query with
// tracing off: a counter, a histogram and a no-op span (docs/performance.md,
// "What metrics and tracing cost").
func BenchmarkObserveOperation(b *testing.B) {
	o := newObserver(0, 0)
	oc := &graphql.OperationContext{
		RawQuery:  `query Exposed { exposedCompanies(sector: "automotive", first: 20) { totalCount } }`,
		Operation: &ast.OperationDefinition{Operation: ast.Query, Name: "Exposed"},
	}
	ctx := graphql.WithOperationContext(context.Background(), oc)
	resp := &graphql.Response{}
	next := func(ctx context.Context) graphql.ResponseHandler {
		return func(context.Context) *graphql.Response { return resp }
	}
	b.ReportAllocs()
	for b.Loop() {
		o.InterceptOperation(ctx, next)(ctx)
	}
}

// BenchmarkObserveOperationTraced is the same with tracing on: a
// recorded span with its attributes and the sanitised document (no
// exporter: the export happens in the batch processor's goroutine).
func BenchmarkObserveOperationTraced(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer tp.Shutdown(context.Background())
	o := newObserver(0, 0)
	o.tracer = tp.Tracer(TracerName)
	oc := &graphql.OperationContext{
		RawQuery:  `query Exposed { exposedCompanies(sector: "automotive", first: 20) { totalCount } }`,
		Operation: &ast.OperationDefinition{Operation: ast.Query, Name: "Exposed"},
	}
	ctx := graphql.WithOperationContext(context.Background(), oc)
	resp := &graphql.Response{}
	next := func(ctx context.Context) graphql.ResponseHandler {
		return func(context.Context) *graphql.Response { return resp }
	}
	b.ReportAllocs()
	for b.Loop() {
		o.InterceptOperation(ctx, next)(ctx)
	}
}
