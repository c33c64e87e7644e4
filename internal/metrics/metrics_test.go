package metrics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Every metric follows the Prometheus naming conventions, as the client's
// own linter checks them (units in seconds, _total on counters, help
// text); vectors are touched first, since an empty vector gathers nothing.
func TestMetricsPassTheLinter(t *testing.T) {
	GraphQLRequests.WithLabelValues("query", "Lint")
	GraphQLDuration.WithLabelValues("query", "Lint")
	GraphQLErrors.WithLabelValues("BAD_USER_INPUT")
	StatementDuration.WithLabelValues("Lint")
	StatementErrors.WithLabelValues("Lint")
	ProjectionAcquires.WithLabelValues("hit")
	SeedFiles.WithLabelValues("licences", "ok")
	SeedRows.WithLabelValues("licences", "created")
	problems, err := testutil.CollectAndLint(Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	// The linter is awake: a counter without _total and a duration in
	// milliseconds are flagged.
	bad := prometheus.NewCounter(prometheus.CounterOpts{Name: "licencegraph_request_milliseconds", Help: "bad"})
	if problems, err := testutil.CollectAndLint(bad); err != nil || len(problems) == 0 {
		t.Errorf("the linter passed a badly named counter (%v)", err)
	}
	n, err := testutil.GatherAndCount(Registry())
	if err != nil {
		t.Fatal(err)
	}
	families, _ := Registry().Gather()
	var ours, runtime int
	for _, f := range families {
		switch {
		case strings.HasPrefix(f.GetName(), "licencegraph_"):
			ours++
		case strings.HasPrefix(f.GetName(), "go_"), strings.HasPrefix(f.GetName(), "process_"):
			runtime++
		}
	}
	if ours < 17 || runtime == 0 {
		t.Errorf("gathered %d licencegraph_ families and %d go_/process_ ones (%d series): a collector is missing", ours, runtime, n)
	}
}

func TestOperationNamesAreBounded(t *testing.T) {
	names := NewOperationNames(3)
	tests := []struct{ name, want string }{
		{"", Other},            // anonymous
		{"Exposed", "Exposed"}, // first three valid names are kept
		{"Licences", "Licences"},
		{"Exposed", "Exposed"},
		{"not a name", Other},            // not a GraphQL name
		{"other", Other},                 // the fold itself
		{strings.Repeat("a", 65), Other}, // too long
		{"Paths", "Paths"},
		{"Fourth", Other}, // over the bound
		{"Licences", "Licences"},
	}
	for _, tc := range tests {
		if got := names.Label(tc.name); got != tc.want {
			t.Errorf("Label(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	// However many names clients send, at most max+1 label values.
	seen := map[string]bool{}
	for i := range 1000 {
		seen[names.Label(fmt.Sprintf("Op%d", i))] = true
	}
	if len(seen) != 1 || !seen[Other] {
		t.Errorf("after the bound, new names gave %v", seen)
	}
}

func TestErrorCodeLabel(t *testing.T) {
	for _, tc := range []struct {
		code any
		want string
	}{
		{"UNAUTHENTICATED", "UNAUTHENTICATED"},
		{"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_VALIDATION_FAILED"},
		{nil, Other},
		{42, Other},
		{"lower", Other},
		{"A" + strings.Repeat("B", 60), Other},
	} {
		if got := ErrorCode(tc.code); got != tc.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	names := Names()
	if len(names) != len(ours()) {
		t.Fatalf("%d names for %d metrics: %v", len(names), len(ours()), names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "licencegraph_") {
			t.Errorf("%s: not in the licencegraph namespace", n)
		}
	}
}
