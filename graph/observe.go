package graph

import (
	"context"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/licencegraph/licencegraph/internal/metrics"
)

// TracerName names the tracer of GraphQL operation spans.
const TracerName = "github.com/licencegraph/licencegraph/graph"

// Attribute keys of the OpenTelemetry semantic conventions for GraphQL
// server spans.
const (
	attrOperationName = attribute.Key("graphql.operation.name")
	attrOperationType = attribute.Key("graphql.operation.type")
	attrDocument      = attribute.Key("graphql.document")
)

// maxDocument bounds the sanitised document put on a span.
const maxDocument = 4096

// observer records every GraphQL operation in the metrics (requests by
// type and bounded name, duration, errors by extensions.code) and, when
// tracing is on, as a span named by its operation type, as the semantic
// conventions advise (the client-chosen name is an attribute, not part of
// the span name), with the document sanitised of literals. It is the
// first extension, so its span is the parent of everything the operation
// does: dataloader batches and Neo4j statements.
//
// ravilushqa/otelgqlgen was considered: its last release is built for
// gqlgen 0.14, puts raw queries and variables on spans, and opens a span
// per field.
type observer struct {
	maxTokens int
	names     *metrics.OperationNames
	tracer    trace.Tracer
}

func newObserver(maxNames, maxTokens int) observer {
	return observer{maxTokens: maxTokens, names: metrics.NewOperationNames(maxNames), tracer: otel.Tracer(TracerName)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = observer{}

func (observer) ExtensionName() string                   { return "Observer" }
func (observer) Validate(graphql.ExecutableSchema) error { return nil }

// observedKey marks a context whose operation the observer counted.
type observedKey struct{}

func (o observer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	typ, name := operationType(oc), operationName(oc)
	label := o.names.Label(name)
	metrics.GraphQLRequests.WithLabelValues(typ, label).Inc()
	ctx = context.WithValue(ctx, observedKey{}, true)
	ctx, span := o.tracer.Start(ctx, typ, trace.WithSpanKind(trace.SpanKindServer))
	if span.IsRecording() {
		span.SetAttributes(attrOperationType.String(typ), attrDocument.String(SanitizeDocument(oc.RawQuery)))
		if name != "" {
			span.SetAttributes(attrOperationName.String(name))
		}
	}
	respond := next(ctx)
	subscription := typ == string(ast.Subscription)
	ended := false
	return func(ctx context.Context) *graphql.Response {
		resp := respond(ctx)
		if ended {
			return resp
		}
		if resp != nil {
			countErrors(resp.Errors)
			if len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, firstCode(resp.Errors))
			}
		}
		if !subscription || resp == nil {
			// A query or mutation answers once; a subscription's span lasts
			// as long as it does.
			ended = true
			if !subscription {
				metrics.GraphQLDuration.WithLabelValues(typ, label).Observe(metrics.Since(start(oc)))
			}
			span.End()
		}
		return resp
	}
}

// InterceptResponse counts the answers of requests that never reached an
// operation (parse and validation errors, a mutation sent with GET):
// those the operation interceptor saw are counted there.
func (o observer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if ctx.Value(observedKey{}) != nil || resp == nil {
		return resp
	}
	typ, name := "unknown", ""
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
		typ, name = operationType(oc), operationName(oc)
		if oc.Doc == nil && oc.RawQuery != "" {
			// A document that failed validation is not kept: parse it
			// again (it parsed once, within the token limit) for its
			// operation's type and name.
			if doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: oc.RawQuery}, o.maxTokens); err == nil {
				if op := doc.Operations.ForName(oc.OperationName); op != nil {
					typ, name = string(op.Operation), op.Name
				}
			}
		}
	}
	label := o.names.Label(name)
	metrics.GraphQLRequests.WithLabelValues(typ, label).Inc()
	if oc != nil && typ != string(ast.Subscription) && !start(oc).IsZero() {
		metrics.GraphQLDuration.WithLabelValues(typ, label).Observe(metrics.Since(start(oc)))
	}
	countErrors(resp.Errors)
	return resp
}

// operation is the operation oc runs or, when the request failed
// validation, the one it names in its parsed document (nil when the
// document did not parse or names none).
func operation(oc *graphql.OperationContext) *ast.OperationDefinition {
	switch {
	case oc == nil:
		return nil
	case oc.Operation != nil:
		return oc.Operation
	case oc.Doc != nil:
		return oc.Doc.Operations.ForName(oc.OperationName)
	}
	return nil
}

func operationType(oc *graphql.OperationContext) string {
	if op := operation(oc); op != nil {
		return string(op.Operation)
	}
	return "unknown"
}

func operationName(oc *graphql.OperationContext) string {
	if op := operation(oc); op != nil && op.Name != "" {
		return op.Name
	}
	if oc == nil {
		return ""
	}
	return oc.OperationName
}

func start(oc *graphql.OperationContext) time.Time {
	if !oc.Stats.OperationStart.IsZero() {
		return oc.Stats.OperationStart
	}
	return oc.Stats.Read.Start
}

func countErrors(errs []*gqlerror.Error) {
	for _, e := range errs {
		metrics.GraphQLErrors.WithLabelValues(metrics.ErrorCode(e.Extensions["code"])).Inc()
	}
}

func firstCode(errs []*gqlerror.Error) string {
	return metrics.ErrorCode(errs[0].Extensions["code"])
}

// SanitizeDocument is a GraphQL document with every literal (strings,
// block strings, numbers) replaced by "?" and comments dropped, for a
// span's graphql.document: values may be what a client wants kept
// private; variables are never recorded. A document that does not lex
// is reduced to what lexed before the error.
func SanitizeDocument(doc string) string {
	lx := lexer.New(&ast.Source{Input: doc})
	var b strings.Builder
	prev := lexer.EOF
	for b.Len() < maxDocument {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		if tok.Kind == lexer.Comment {
			continue
		}
		text := tok.Value
		switch tok.Kind {
		case lexer.String, lexer.BlockString, lexer.Int, lexer.Float:
			text = "?"
		case lexer.Name:
		default:
			text = tok.Kind.String()
		}
		if b.Len() > 0 && spaced(prev, tok.Kind) {
			b.WriteByte(' ')
		}
		b.WriteString(text)
		prev = tok.Kind
	}
	s := b.String()
	if len(s) > maxDocument {
		s = s[:maxDocument]
	}
	return s
}

// spaced says whether a space goes between two tokens: after a word or a
// closing bracket, before a word or an opening brace.
func spaced(prev, next lexer.Type) bool {
	switch prev {
	case lexer.ParenL, lexer.BracketL, lexer.Dollar, lexer.At, lexer.Spread:
		return false
	}
	switch next {
	case lexer.ParenR, lexer.BracketR, lexer.Colon, lexer.Bang, lexer.ParenL:
		return false
	}
	return true
}
