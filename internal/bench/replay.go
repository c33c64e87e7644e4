package bench

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
// through the Go driver, without GraphQL. Statements that ran at the same
// time in the server (the dataloaders of one level) run at the same time
// here too; the waves run one after the other, as the server's levels did.

// Plan is one request's statements in waves.
type Plan struct {
	Waves [][]neo4jstore.Statement
}

// NewPlan groups recorded statements into waves: a statement joins the
// current wave if it started before every statement of that wave had
// finished (they overlapped in the server), otherwise it opens a new wave.
func NewPlan(stmts []neo4jstore.Statement) Plan {
	s := slices.Clone(stmts)
	slices.SortStableFunc(s, func(a, b neo4jstore.Statement) int { return a.Start.Compare(b.Start) })
	var p Plan
	var waveEnd time.Time // the earliest end among the current wave
	for _, st := range s {
		end := st.Start.Add(st.Duration)
		if len(p.Waves) > 0 && st.Start.Before(waveEnd) {
			w := len(p.Waves) - 1
			p.Waves[w] = append(p.Waves[w], st)
			if end.Before(waveEnd) {
				waveEnd = end
			}
			continue
		}
		p.Waves = append(p.Waves, []neo4jstore.Statement{st})
		waveEnd = end
	}
	return p
}

// Statements counts the plan's statements.
func (p Plan) Statements() int {
	n := 0
	for _, w := range p.Waves {
		n += len(w)
	}
	return n
}

// CriticalPath is the time the recorded statements took in the server
// along the plan: the longest statement of each wave, summed.
func (p Plan) CriticalPath() time.Duration {
	var d time.Duration
	for _, w := range p.Waves {
		var longest time.Duration
		for _, st := range w {
			longest = max(longest, st.Duration)
		}
		d += longest
	}
	return d
}

// Replayer sends plans through one driver, the way the store does: managed
// read transactions routed to readers, the request's remaining time as the
// transaction timeout.
type Replayer struct {
	Driver   neo4j.DriverWithContext
	Database string
}

// StatementResult is what one replayed statement returned.
type StatementResult struct {
	Method  string
	Cypher  string
	Keys    []string
	Records [][]any
}

// Replay runs p; with collect it returns what each statement returned
// (for the correctness check and to type the library's @cypher fields).
func (r Replayer) Replay(ctx context.Context, p Plan, collect bool) ([]StatementResult, error) {
	var (
		mu  sync.Mutex
		out []StatementResult
	)
	for _, wave := range p.Waves {
		errs := make([]error, len(wave))
		var wg sync.WaitGroup
		for i, st := range wave {
			run := func() {
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
					mu.Lock()
					out = append(out, sr)
					mu.Unlock()
				}
			}
			if len(wave) == 1 {
				run()
				continue
			}
			wg.Add(1)
			go func() { defer wg.Done(); run() }()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func txTimeout(ctx context.Context) []func(*neo4j.TransactionConfig) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(max(time.Until(deadline), time.Millisecond))}
}
