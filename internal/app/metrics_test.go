package app

import (
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads url's /metrics with the Prometheus text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}

// value is the counter, gauge or histogram count of the series of name
// whose labels include want (0 when there is none).
func value(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	sum := 0.0
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// The metrics page parses with the Prometheus text parser and moves with
// the requests made: operations by type and name, durations, errors by
// extensions.code, Neo4j statements by name, the projection's hits and
// misses, seed loads; the runtime and process collectors are there.
func TestMetricsMoveWithRequests(t *testing.T) {
	w := newAuthWorld(t, true) // loads the fixture world with the seed loader
	before := scrape(t, w.url)
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total"} {
		if before[name] == nil {
			t.Errorf("%s missing: the runtime or process collector is not registered", name)
		}
	}
	if value(before, "licencegraph_seed_rows_total", map[string]string{"kind": "companies"}) == 0 ||
		value(before, "licencegraph_seed_files_total", map[string]string{"result": "ok"}) == 0 {
		t.Errorf("the fixture load is not in the seed metrics")
	}

	const stats = `query Stats { stats { companies } }`
	const exposed = `query Exposed { exposedCompanies(first: 5) { totalCount } }`
	for _, q := range []string{stats, stats, exposed, exposed, `query Bad { stats { nope } }`, `{ stats { `} {
		postQuery(t, w.url, q)
	}
	// A write moves the graph's version: the next question misses.
	if resp, raw := w.post("editor-api-key", `mutation { upsertCompany(input: {id: "it-metrics", name: "Metrics SpA", country: "IT"}) { id } }`, nil); len(resp.Errors) > 0 {
		t.Fatalf("upsertCompany: %s", raw)
	}
	postQuery(t, w.url, exposed)
	after := scrape(t, w.url)

	for _, tc := range []struct {
		name   string
		labels map[string]string
		delta  float64 // exact, or at least when min
		min    bool
	}{
		{"licencegraph_graphql_requests_total", map[string]string{"operation_type": "query", "operation_name": "Stats"}, 2, false},
		{"licencegraph_graphql_request_duration_seconds", map[string]string{"operation_type": "query", "operation_name": "Stats"}, 2, false},
		{"licencegraph_graphql_requests_total", map[string]string{"operation_type": "query", "operation_name": "Exposed"}, 3, false},
		{"licencegraph_graphql_requests_total", map[string]string{"operation_type": "mutation", "operation_name": "other"}, 1, false},
		{"licencegraph_graphql_requests_total", map[string]string{"operation_type": "query", "operation_name": "Bad"}, 1, false},
		{"licencegraph_graphql_requests_total", map[string]string{"operation_type": "unknown"}, 1, false},
		{"licencegraph_graphql_errors_total", map[string]string{"code": "GRAPHQL_VALIDATION_FAILED"}, 1, false},
		{"licencegraph_graphql_errors_total", map[string]string{"code": "GRAPHQL_PARSE_FAILED"}, 1, false},
		{"licencegraph_neo4j_statement_duration_seconds", map[string]string{"statement": "Stats"}, 2, false},
		{"licencegraph_neo4j_statement_duration_seconds", map[string]string{"statement": "UpsertCompany"}, 1, true},
		{"licencegraph_projection_acquires_total", map[string]string{"result": "hit"}, 1, true},
		{"licencegraph_projection_acquires_total", map[string]string{"result": "miss"}, 1, true},
		{"licencegraph_projection_refresh_duration_seconds", nil, 1, true},
		{"licencegraph_projection_writes_applied_total", nil, 1, true},
	} {
		d := value(after, tc.name, tc.labels) - value(before, tc.name, tc.labels)
		if d != tc.delta && !(tc.min && d >= tc.delta) {
			t.Errorf("%s%v moved by %g, want %g", tc.name, tc.labels, d, tc.delta)
		}
	}
	if v := value(after, "licencegraph_http_requests_waiting", nil); v != 0 {
		t.Errorf("%g requests waiting for a slot with none running", v)
	}
}
