package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// otlpReceiver is an in-process OTLP/HTTP trace receiver: it decodes the
// protobuf requests the exporter posts to /v1/traces and keeps their spans.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	var in coltrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &in)
	}
	if req.URL.Path != "/v1/traces" || err != nil {
		http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	for _, rs := range in.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func (r *otlpReceiver) all() []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracepb.Span(nil), r.spans...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, a request carrying a W3C
// traceparent makes spans that reach an OTLP receiver in the caller's
// trace: the HTTP server span (child of the caller's), the GraphQL
// operation span (named by its type, with the operation's name and the
// document without its literals), dataloader batches and Neo4j statements
// under it; the request's log line names the trace.
func TestTracesReachOTLPReceiver(t *testing.T) {
	recv := &otlpReceiver{}
	collector := httptest.NewServer(recv)
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	cfg := testutil.Config(t)
	if !cfg.Tracing {
		t.Fatal("OTEL_EXPORTER_OTLP_ENDPOINT set, tracing off")
	}
	var logs syncBuffer
	a, err := New(cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer func() {
		srv.Close()
		a.Close(context.Background())
	}()
	if _, err := a.Store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, cfg)
	if _, err := seed.New(a.Store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), []string{filepath.Join("testdata", "readapi")}); err != nil {
		t.Fatalf("seed: %v", err)
	}

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	query := `query Nested { companies(first: 5, filter: {country: "CN"}) { edges { node { id licencesHeld { id } suppliers(first: 3) { edges { node { supplier { id } } } } } } } }`
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(raw), `"errors"`) {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	if err := otel.GetTracerProvider().(*sdktrace.TracerProvider).ForceFlush(context.Background()); err != nil {
		t.Fatalf("flush: %v", err)
	}

	byID := map[string]*tracepb.Span{}
	var inTrace []*tracepb.Span
	for _, s := range recv.all() {
		if hex.EncodeToString(s.GetTraceId()) == traceID {
			inTrace = append(inTrace, s)
			byID[hex.EncodeToString(s.GetSpanId())] = s
		}
	}
	parentOf := func(s *tracepb.Span) *tracepb.Span { return byID[hex.EncodeToString(s.GetParentSpanId())] }
	find := func(match func(*tracepb.Span) bool) []*tracepb.Span {
		var out []*tracepb.Span
		for _, s := range inTrace {
			if match(s) {
				out = append(out, s)
			}
		}
		return out
	}
	httpSpans := find(func(s *tracepb.Span) bool { return s.GetName() == "POST /graphql" })
	if len(httpSpans) != 1 || hex.EncodeToString(httpSpans[0].GetParentSpanId()) != parentID ||
		httpSpans[0].GetKind() != tracepb.Span_SPAN_KIND_SERVER {
		t.Fatalf("want one server span POST /graphql, child of the caller's %s; trace has %d spans: %v", parentID, len(inTrace), names(inTrace))
	}
	ops := find(func(s *tracepb.Span) bool { return s.GetName() == "query" })
	if len(ops) != 1 || parentOf(ops[0]) != httpSpans[0] {
		t.Fatalf("want one span \"query\" under the HTTP span: %v", names(inTrace))
	}
	op := ops[0]
	if attr(op, "graphql.operation.name") != "Nested" || attr(op, "graphql.operation.type") != "query" {
		t.Errorf("operation span attributes: %v", op.GetAttributes())
	}
	if doc := attr(op, "graphql.document"); strings.Contains(doc, "CN") || strings.Contains(doc, "5") ||
		!strings.Contains(doc, "companies(first: ? filter: { country: ? })") {
		t.Errorf("graphql.document not sanitised of its literals: %s", doc)
	}
	// Every other span of the request is below the operation's.
	under := func(s *tracepb.Span) bool {
		for p := parentOf(s); p != nil; p = parentOf(p) {
			if p == op {
				return true
			}
		}
		return false
	}
	loaders := find(func(s *tracepb.Span) bool { return strings.HasPrefix(s.GetName(), "loader ") })
	if len(loaders) < 2 {
		t.Errorf("want loader batches (licences held, suppliers), got %v", names(inTrace))
	}
	for _, s := range loaders {
		if parentOf(s) != op {
			t.Errorf("loader span %s is not a child of the operation span", s.GetName())
		}
	}
	statements := find(func(s *tracepb.Span) bool { return attr(s, "db.system.name") == "neo4j" })
	var batched int
	for _, s := range statements {
		if !under(s) || s.GetKind() != tracepb.Span_SPAN_KIND_CLIENT {
			t.Errorf("statement span %s is not a client span under the operation", s.GetName())
		}
		if p := parentOf(s); p != nil && strings.HasPrefix(p.GetName(), "loader ") {
			batched++
		}
	}
	if len(statements) < 2 || batched < 1 {
		t.Errorf("want statement spans, of the root field and of a loader batch: %v", names(inTrace))
	}
	// The request's log line names the trace.
	var logged bool
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"http request"`) && strings.Contains(line, `"path":"/graphql"`) {
			logged = strings.Contains(line, `"trace_id":"`+traceID+`"`)
		}
	}
	if !logged {
		t.Errorf("the request's log line does not carry trace_id %s:\n%s", traceID, logs.String())
	}
}

func names(spans []*tracepb.Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.GetName() + "<" + hex.EncodeToString(s.GetParentSpanId()) + ">"
	}
	return out
}
