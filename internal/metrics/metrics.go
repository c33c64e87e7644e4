// Package metrics holds licencegraph's Prometheus metrics: one place that
// every room records into (so that no room imports another for it), and
// the registry /metrics serves, with the Go runtime and process
// collectors. Recording costs a few atomic operations per request,
// statement or write: nothing is recorded per company or per link.
package metrics

import (
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "licencegraph"

// Other is the label value that unknown values and values over the
// bound fold into.
const Other = "other"

// Latency buckets in seconds: 1 ms to 30 s, matching what the API
// answers in (docs/performance.md: warm questions in milliseconds, cold
// ones at 1,000,000 companies in seconds).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

var (
	// GraphQLRequests counts GraphQL operations by type (query, mutation,
	// subscription; "unknown" when the document did not parse) and name
	// (bounded, see OperationName).
	GraphQLRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "graphql", Name: "requests_total",
		Help: "GraphQL operations received, by operation type and name (unknown or too many names fold into \"other\").",
	}, []string{"operation_type", "operation_name"})
	// GraphQLDuration is how long queries and mutations took, from
	// reading the request to the answer.
	GraphQLDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "graphql", Name: "request_duration_seconds",
		Help:    "Time to answer a GraphQL query or mutation, by operation type and name.",
		Buckets: latencyBuckets,
	}, []string{"operation_type", "operation_name"})
	// GraphQLErrors counts the errors of GraphQL answers by their
	// extensions.code.
	GraphQLErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "graphql", Name: "errors_total",
		Help: "Errors in GraphQL answers, by extensions.code.",
	}, []string{"code"})
	// SubscriptionsOpen is the subscriptions open now.
	SubscriptionsOpen = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "graphql", Name: "subscriptions_open",
		Help: "GraphQL subscriptions open now.",
	})

	// RequestsWaiting is the GraphQL requests waiting for one of the
	// MAX_CONCURRENT_REQUESTS slots.
	RequestsWaiting = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_waiting",
		Help: "GraphQL requests waiting for a slot (MAX_CONCURRENT_REQUESTS).",
	})
	// RequestsRunning is the GraphQL requests holding a slot.
	RequestsRunning = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_running",
		Help: "GraphQL requests holding a slot (MAX_CONCURRENT_REQUESTS).",
	})
	// RequestsRefused counts requests refused with 503 after waiting for
	// a slot for REQUEST_TIMEOUT.
	RequestsRefused = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_refused_total",
		Help: "GraphQL requests refused (503) because no slot came free in time.",
	})

	// StatementDuration is Neo4j's own time for a statement (the result
	// summary's available-after plus consumed-after), by statement name:
	// the store method that sent it, never its text.
	StatementDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "neo4j", Name: "statement_duration_seconds",
		Help:    "Neo4j server time of a statement (result summary), by statement name.",
		Buckets: latencyBuckets,
	}, []string{"statement"})
	// StatementErrors counts statements that failed, by statement name.
	StatementErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "neo4j", Name: "statement_errors_total",
		Help: "Neo4j statements that failed, by statement name.",
	}, []string{"statement"})

	// ProjectionAcquires counts uses of the projection: "hit" when it
	// was at the graph's version, "miss" when it first applied writes
	// (or loaded).
	ProjectionAcquires = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "projection", Name: "acquires_total",
		Help: "Uses of the in-memory projection: hit (current) or miss (writes applied first).",
	}, []string{"result"})
	// ProjectionRefresh is how long a use that missed waited for the
	// projection to catch up with the graph's version.
	ProjectionRefresh = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "projection", Name: "refresh_duration_seconds",
		Help:    "Time a use of the projection waited to apply the writes committed since its version.",
		Buckets: latencyBuckets,
	})
	// ProjectionWritesApplied counts recorded writes (audit-trail
	// entries) applied to the projection.
	ProjectionWritesApplied = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "projection", Name: "writes_applied_total",
		Help: "Audit-trail entries applied to the projection.",
	})
	// ProjectionLoads counts full loads of the projection.
	ProjectionLoads = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "projection", Name: "loads_total",
		Help: "Full loads of the projection from Neo4j.",
	})
	// ProjectionLoadDuration is how long full loads took.
	ProjectionLoadDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "projection", Name: "load_duration_seconds",
		Help:    "Time of a full load of the projection.",
		Buckets: []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
	})
	// ProjectionVersion is the write counter of the graph version the
	// projection is at (compare replicas: equal when caught up).
	ProjectionVersion = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "projection", Name: "graph_version",
		Help: "Write counter of the GraphVersion the projection is at.",
	})

	// SeedFiles counts seed files loaded, by kind and result (ok, failed).
	SeedFiles = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "seed", Name: "files_total",
		Help: "Seed files loaded, by kind and result.",
	}, []string{"kind", "result"})
	// SeedRows counts the records of loaded seed files by kind and outcome
	// (created, updated, unchanged).
	SeedRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "seed", Name: "rows_total",
		Help: "Records of seed files written, by kind and outcome.",
	}, []string{"kind", "outcome"})
)

// ours are the metrics above, in the order Registry registers them.
func ours() []prometheus.Collector {
	return []prometheus.Collector{
		GraphQLRequests, GraphQLDuration, GraphQLErrors, SubscriptionsOpen,
		RequestsWaiting, RequestsRunning, RequestsRefused,
		StatementDuration, StatementErrors,
		ProjectionAcquires, ProjectionRefresh, ProjectionWritesApplied,
		ProjectionLoads, ProjectionLoadDuration, ProjectionVersion,
		SeedFiles, SeedRows,
	}
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Names are the names of licencegraph's own metrics (without the
// _bucket, _sum and _count series of histograms), for checking what
// dashboards and alerts refer to.
func Names() []string {
	ch := make(chan *prometheus.Desc, 64)
	go func() {
		for _, c := range ours() {
			c.Describe(ch)
		}
		close(ch)
	}()
	var out []string
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

var (
	registryOnce sync.Once
	registry     *prometheus.Registry
)

// Registry is the process's registry: every metric above, the Go runtime
// collector and the process collector.
func Registry() *prometheus.Registry {
	registryOnce.Do(func() {
		registry = prometheus.NewRegistry()
		registry.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		registry.MustRegister(ours()...)
	})
	return registry
}

// Handler serves the registry in the Prometheus exposition formats.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry(), promhttp.HandlerOpts{})
}

// Since is the seconds elapsed since start, for Observe.
func Since(start time.Time) float64 { return time.Since(start).Seconds() }

// DefaultMaxOperationNames bounds the operation names GraphQL metrics
// keep apart.
const DefaultMaxOperationNames = 100

// OperationNames bounds the operation names used as label values: the
// first max distinct valid names are kept, later ones, anonymous
// operations and names that are not GraphQL names of at most 64
// characters fold into Other. Clients choose names: without a bound each
// would be a new series.
type OperationNames struct {
	max  int
	mu   sync.RWMutex
	seen map[string]struct{}
}

// NewOperationNames keeps up to max names apart (max <= 0:
// DefaultMaxOperationNames).
func NewOperationNames(max int) *OperationNames {
	if max <= 0 {
		max = DefaultMaxOperationNames
	}
	return &OperationNames{max: max, seen: map[string]struct{}{}}
}

var graphqlName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// Label is name's label value.
func (o *OperationNames) Label(name string) string {
	o.mu.RLock()
	_, ok := o.seen[name]
	o.mu.RUnlock()
	if ok {
		return name
	}
	if name == "" || name == Other || !graphqlName.MatchString(name) {
		return Other
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.seen[name]; ok {
		return name
	}
	if len(o.seen) >= o.max {
		return Other
	}
	o.seen[name] = struct{}{}
	return name
}

var errorCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,47}$`)

// ErrorCode is the label value of an extensions.code: codes are
// UPPER_SNAKE_CASE; anything else (or none) folds into Other.
func ErrorCode(code any) string {
	s, ok := code.(string)
	if !ok || !errorCode.MatchString(s) {
		return Other
	}
	return s
}
