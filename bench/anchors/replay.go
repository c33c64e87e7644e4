package anchors

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/neo4jstore"
)

// The raw-driver anchor: the statements licencegraph ran for one request,
// recorded by the store (neo4jstore.Store.SetRecorder), sent again straight
// through the Go driver, without GraphQL. The replay keeps the order the
// server imposed and nothing more: a statement starts once every statement
// that had finished before it started in the server has finished (so the
// dataloaders of one level run side by side, and a level waits only for
// what it waited for in the server).

// Plan is one request's statements with their happens-before edges.
type Plan struct {
	Stmts []neo4jstore.Statement
	// After[i] lists the statements that finished before Stmts[i] started.
	After [][]int
}

// NewPlan orders recorded statements by start and derives the edges.
func NewPlan(stmts []neo4jstore.Statement) Plan {
	s := slices.Clone(stmts)
	slices.SortStableFunc(s, func(a, b neo4jstore.Statement) int { return a.Start.Compare(b.Start) })
	p := Plan{Stmts: s, After: make([][]int, len(s))}
	for i, st := range s {
		for j := range i {
			if !s[j].Start.Add(s[j].Duration).After(st.Start) {
				p.After[i] = append(p.After[i], j)
			}
		}
	}
	return p
}

// Statements counts the plan's statements.
func (p Plan) Statements() int { return len(p.Stmts) }

// Levels is the length of the longest chain of statements that waited
// for each other (1 for a single statement).
func (p Plan) Levels() int {
	depth := make([]int, len(p.Stmts))
	best := 0
	for i := range p.Stmts {
		depth[i] = 1
		for _, j := range p.After[i] {
			depth[i] = max(depth[i], depth[j]+1)
		}
		best = max(best, depth[i])
	}
	return best
}

// Busy is how long at least one of the statements was running in the
// server (the union of their intervals).
func (p Plan) Busy() time.Duration {
	var total time.Duration
	var end time.Time
	for _, st := range p.Stmts { // sorted by start
		e := st.Start.Add(st.Duration)
		switch {
		case st.Start.After(end) || end.IsZero():
			total += st.Duration
			end = e
		case e.After(end):
			total += e.Sub(end)
			end = e
		}
	}
	return total
}

// StatementResult is what one replayed statement returned.
type StatementResult struct {
	Method  string
	Cypher  string
	Keys    []string
	Records [][]any
}

// Replayer sends plans through one driver, the way the store does: managed
// read transactions routed to readers, the request's remaining time as the
// transaction timeout.
type Replayer struct {
	Driver   neo4j.DriverWithContext
	Database string
}

// Replay runs p; with collect it returns what each statement returned
// (for the correctness check and to type the library's @cypher fields).
func (r Replayer) Replay(ctx context.Context, p Plan, collect bool) ([]StatementResult, error) {
	n := len(p.Stmts)
	if n == 0 {
		return nil, nil
	}
	out := make([]StatementResult, n)
	errs := make([]error, n)
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	run := func(i int) {
		defer close(done[i])
		for _, j := range p.After[i] {
			<-done[j]
			if errs[j] != nil {
				errs[i] = errSkipped
				return
			}
		}
		st := p.Stmts[i]
		res, err := neo4j.ExecuteQuery(ctx, r.Driver, st.Cypher, st.Params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(r.Database),
			neo4j.ExecuteQueryWithReadersRouting(),
			neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
		if err != nil {
			errs[i] = err
			return
		}
		if collect {
			sr := StatementResult{Method: st.Method, Cypher: st.Cypher, Keys: res.Keys}
			for _, rec := range res.Records {
				sr.Records = append(sr.Records, rec.Values)
			}
			out[i] = sr
		}
	}
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); run(i) }()
	}
	run(0)
	wg.Wait()
	var real []error
	for _, err := range errs {
		if err != nil && !errors.Is(err, errSkipped) {
			real = append(real, err)
		}
	}
	if err := errors.Join(real...); err != nil {
		return nil, err
	}
	return out, nil
}

var errSkipped = errors.New("skipped: an earlier statement failed")

func txTimeout(ctx context.Context) []func(*neo4j.TransactionConfig) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(max(time.Until(deadline), time.Millisecond))}
}
