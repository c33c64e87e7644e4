package anchors

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/bench/measure"
	"github.com/licencegraph/licencegraph/graph"
	"github.com/licencegraph/licencegraph/internal/app"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
)

// Anchors runs issue 6's benchmark on the database the configuration names:
// licencegraph (served in this process on loopback, so that its statements
// can be recorded and its CPU profiled), the Neo4j GraphQL Library
// (bench/library/server.mjs, a Node process) and the raw driver (the recorded
// statements replayed), on workloads W1–W5 at each client count.
type Anchors struct {
	Config        config.Config
	Companies     int    // the world's size, for the report
	LibraryDir    string // bench/library (server.mjs and its node_modules)
	WorkDir       string // type definitions, profiles
	Concurrencies []int
	Cell          measure.Cell // limits of every cell (Concurrency is set per cell)
	AsOf          string
	Profile       bool // CPU-profile licencegraph under W1 and W3 at ProfileClients
	ProfileClient int
	Log           io.Writer // progress
	Logger        *slog.Logger
	// WarmFor is how long every workload is sent to every target, by
	// warmClients clients, before the first cell (0: no warm-up phase).
	WarmFor time.Duration
	// Only, if set, runs just the workloads whose names start with one of
	// these prefixes ("W1", "W2"): for quick measurements, not the doc.
	Only []string
}

// warmClients send the warm-up phase's requests (the judged client count).
const warmClients = 8

// sample is one set of variables of a workload, as each target asks it.
type sample struct {
	label   string
	lgBody  []byte
	libBody []byte
	plan    *Plan
	lgData  any
}

type workload struct {
	WorkloadInfo
	lgQuery, libQuery string
	samples           []*sample
	compare           func(lg, lib any) (bool, string)
	// slow workloads are not sent twice while recording.
	slow bool
	// costly: the raw driver and the library take seconds per request
	// (the exposure computations); the warm-up phase leaves them out.
	costly bool
	// cold asks a fresh exposure engine the workload's question: its
	// statements compute the answer the server keeps in its cache, so the
	// raw driver replays them and the library's @cypher field holds them.
	cold func(ctx context.Context, e domain.ExposureService)
	// afterRecord completes a sample from the statements licencegraph ran.
	afterRecord func(s *sample, stmts []neo4jstore.Statement)
}

// Run measures one scale.
func (a *Anchors) Run(ctx context.Context) (ScaleReport, error) {
	rep := ScaleReport{Companies: a.Companies, Date: time.Now().UTC().Format(time.DateOnly),
		Concurrencies: a.Concurrencies}
	logf := func(format string, args ...any) { fmt.Fprintf(a.Log, "bench: "+format+"\n", args...) }

	// licencegraph, in process, on loopback.
	cfg := a.Config
	cfg.RequestTimeout = a.Cell.Timeout
	lg, err := app.New(cfg, a.Logger)
	if err != nil {
		return rep, err
	}
	defer lg.Close(context.WithoutCancel(ctx))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return rep, err
	}
	labelled := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("side", "server"), func(ctx context.Context) {
			lg.Handler.ServeHTTP(w, r.WithContext(ctx))
		})
	})
	srv := &http.Server{Handler: labelled, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	lgURL := "http://" + ln.Addr().String() + "/graphql"

	// The statements the raw driver replays are recorded from a second
	// handler on the same store that computes what the server answers
	// from its in-memory projection (licence lists, exposure) in Neo4j,
	// as a server with nothing in memory would: the baseline the
	// projection is measured against.
	recLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return rep, err
	}
	recorder := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: graph.NewHandler(&graph.Resolver{
		StatsService: lg.Store, Reads: lg.Store, Writes: lg.Store, Audit: lg.Store,
		Exposure: exposure.New(exposure.Views(lg.Store.CypherExposure)),
	}, graph.HandlerOptions{RequestTimeout: cfg.RequestTimeout, AllowAnonymousRead: true, Logger: a.Logger})}
	go recorder.Serve(recLn)
	defer recorder.Close()
	recURL := "http://" + recLn.Addr().String() + "/graphql"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 0}}

	auth := neo4j.NoAuth()
	if cfg.Neo4jUser != "" {
		auth = neo4j.BasicAuth(cfg.Neo4jUser, cfg.Neo4jPassword, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.Neo4jURI, auth)
	if err != nil {
		return rep, err
	}
	defer driver.Close(context.WithoutCancel(ctx))
	raw := Replayer{Driver: driver, Database: cfg.Neo4jDatabase}
	rep.Machine = machine(ctx, driver, cfg.Neo4jDatabase)
	rep.Settings = fmt.Sprintf("Each cell: a warm-up (up to %d requests or %s), then at most %d requests or %s; per-request timeout %s (also Neo4j's transaction timeout); loopback only.",
		a.Cell.Warmup, a.Cell.WarmupFor, a.Cell.Requests, a.Cell.Duration, a.Cell.Timeout)
	if a.WarmFor > 0 {
		rep.Settings = fmt.Sprintf("Before the cells, every workload is sent to every target for %s at %d clients (the raw driver and the library: not W3/W4, which take them seconds per request), so that no target finds Neo4j colder than another. ",
			a.WarmFor, warmClients) + rep.Settings
	}

	// Workloads and their variables, drawn from the data.
	logf("choosing variables from the data")
	ws, err := a.workloads(ctx, driver, cfg.Neo4jDatabase, client, lgURL)
	if err != nil {
		return rep, err
	}
	if len(a.Only) > 0 {
		ws = slices.DeleteFunc(ws, func(w *workload) bool {
			return !slices.ContainsFunc(a.Only, func(p string) bool { return strings.HasPrefix(w.Name, p) })
		})
	}

	// Record what licencegraph runs for each sample, and check that the
	// raw statements return what licencegraph answered.
	var (
		recMu   sync.Mutex
		current []neo4jstore.Statement
	)
	lg.Store.SetRecorder(func(s neo4jstore.Statement) {
		recMu.Lock()
		current = append(current, s)
		recMu.Unlock()
	})
	fields := map[string]*CypherField{}
	for _, w := range ws {
		for _, s := range w.samples {
			if !w.slow { // warm caches and plans first
				rctx, cancel := context.WithTimeout(ctx, a.Cell.Timeout)
				_, _ = measure.Post(rctx, client, lgURL, s.lgBody)
				cancel()
			}
			recMu.Lock()
			current = nil
			recMu.Unlock()
			rctx, cancel := context.WithTimeout(ctx, a.Cell.Timeout)
			start := time.Now()
			data, err := measure.Post(rctx, client, recURL, s.lgBody)
			latency := time.Since(start)
			cancel()
			recMu.Lock()
			stmts := slices.Clone(current)
			recMu.Unlock()
			if w.afterRecord != nil {
				w.afterRecord(s, stmts)
			}
			if w.cold != nil {
				// Exposure answers come from the engine's per-graph-version
				// cache once computed (the warm request above ran no
				// exposure statement). The statements that compute the
				// answer are those a fresh engine runs: the raw driver
				// replays them, and the library's @cypher field holds
				// them when they are one statement.
				recMu.Lock()
				current = nil
				recMu.Unlock()
				cctx, cancel := context.WithTimeout(ctx, a.Cell.Timeout)
				w.cold(cctx, exposure.New(exposure.Views(lg.Store.CypherExposure)))
				cancel()
				recMu.Lock()
				stmts = slices.Clone(current)
				recMu.Unlock()
				if s == w.samples[0] {
					rep.Notes = append(rep.Notes, fmt.Sprintf("%s: licencegraph answers from its in-memory projection (the answers of a version are kept until the next write); the raw driver replays the %d statements that compute the answer in Neo4j.", w.Name, len(stmts)))
				}
			}
			if f := exposureField(w.Name, stmts); f != nil && fields[w.Name] == nil {
				fields[w.Name] = f
			}
			if fields[w.Name] == nil && w.compare != nil && s == w.samples[0] && (strings.HasPrefix(w.Name, "W3") || strings.HasPrefix(w.Name, "W4")) {
				var methods []string
				for _, st := range stmts {
					methods = append(methods, st.Method)
				}
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: the engine runs %d statements to compute the answer (%s), not one: nothing to put in one @cypher field, so the Neo4j GraphQL Library is not measured on it.",
					w.Name, len(stmts), strings.Join(methods, ", ")))
			}
			if err != nil {
				logf("%s %s: licencegraph: %v (no plan for the raw driver)", w.Name, s.label, err)
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s (%s): licencegraph failed while recording: %s.", w.Name, s.label, err))
				continue
			}
			s.lgData = data
			// The graph-version checks only serve licencegraph's memory.
			p := NewPlan(slices.DeleteFunc(stmts, func(s neo4jstore.Statement) bool {
				return s.Method == "Version" || s.Method == "GraphVersion"
			}))
			s.plan = &p
			if s == w.samples[0] && w.cold == nil && slices.ContainsFunc(p.Stmts, func(s neo4jstore.Statement) bool { return strings.HasPrefix(s.Method, "Licences") }) {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: licencegraph answers licence lists from its in-memory projection (internal/projection); the raw driver replays the %d statements that read them from Neo4j.", w.Name, p.Statements()))
			}
			if s == w.samples[0] {
				rep.Breakdowns = append(rep.Breakdowns, Breakdown{Workload: w.Name, Latency: latency,
					Statements: p.Statements(), Levels: p.Levels(), Database: p.Busy()})
			}
			rctx, cancel = context.WithTimeout(ctx, a.Cell.Timeout)
			results, err := raw.Replay(rctx, p, true)
			cancel()
			if err != nil {
				rep.Checks = append(rep.Checks, Check{Workload: w.Name, Sample: s.label, Target: TargetRaw, Detail: "replay failed: " + err.Error()})
				continue
			}
			if f := fields[w.Name]; f != nil && f.Sample == nil {
				for _, r := range results {
					if r.Cypher == f.Cypher && len(r.Records) > 0 {
						f.Columns, f.Sample = r.Keys, r.Records[0]
					}
				}
			}
			if w.compare != nil {
				have := Strings(allValues(results))
				missing := MissingStrings(data, have, 5)
				c := Check{Workload: w.Name, Sample: s.label, Target: TargetRaw, OK: len(missing) == 0}
				if !c.OK {
					c.Detail = "ids or names of licencegraph's answer not returned by the statements: " + strings.Join(missing, ", ")
				}
				rep.Checks = append(rep.Checks, c)
			}
		}
	}
	lg.Store.SetRecorder(nil)

	// The Neo4j GraphQL Library, with the engine's statements as @cypher fields.
	var cfs []CypherField
	for _, w := range ws {
		f := fields[w.Name]
		if f == nil {
			continue
		}
		if f.Sample == nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: the Neo4j GraphQL Library was not measured: the engine's statement returned no row to type the @cypher field with.", w.Name))
			continue
		}
		cfs = append(cfs, *f)
	}
	typeDefs, err := LibraryTypeDefs(cfs)
	if err != nil {
		return rep, err
	}
	tdPath, err := filepath.Abs(filepath.Join(a.WorkDir, fmt.Sprintf("typedefs-c%d.graphql", a.Companies)))
	if err != nil {
		return rep, err
	}
	if err := os.WriteFile(tdPath, []byte(typeDefs), 0o644); err != nil {
		return rep, err
	}
	for _, w := range ws {
		if f := fields[w.Name]; f != nil && f.Sample != nil {
			w.libQuery = libraryExposureQuery(*f)
			for _, s := range w.samples {
				s.libBody = mustJSON(map[string]any{"query": w.libQuery, "variables": libraryExposureVars(*f)})
			}
		}
	}
	port, err := freePort()
	if err != nil {
		return rep, err
	}
	logf("starting the Neo4j GraphQL Library (type definitions: %s)", tdPath)
	lib, err := StartLibrary(ctx, a.LibraryDir, tdPath, cfg.Neo4jURI, cfg.Neo4jDatabase, port, a.Log)
	if err != nil {
		return rep, err
	}
	defer lib.Stop()

	// Correctness: the library against licencegraph.
	for _, w := range ws {
		if w.compare == nil || w.libQuery == "" {
			continue
		}
		for _, s := range w.samples {
			if s.lgData == nil {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, a.Cell.Timeout)
			data, err := measure.Post(rctx, client, lib.URL, s.libBody)
			cancel()
			c := Check{Workload: w.Name, Sample: s.label, Target: TargetLibrary}
			if err != nil {
				c.Detail = "the library failed: " + err.Error()
			} else {
				c.OK, c.Detail = w.compare(s.lgData, data)
			}
			rep.Checks = append(rep.Checks, c)
		}
	}
	for _, c := range rep.Checks {
		if !c.OK {
			logf("CORRECTNESS: %s %s %s: %s", c.Workload, c.Target, c.Sample, c.Detail)
		}
	}

	// Warm the database first. The cells measure the targets in turn,
	// licencegraph first: on a freshly started Neo4j its first cells paid
	// for the page cache and the query caches (W1 at 1 client: 15.5 ms p50
	// right after a start, 6.6 ms once warm) while the targets measured
	// after it found them warm.
	if a.WarmFor > 0 {
		for _, w := range ws {
			for _, target := range Targets {
				one, _ := a.requester(w, target, client, lgURL, lib.URL, raw)
				if one == nil || (w.costly && target != TargetLicencegraph) {
					continue
				}
				logf("warming up: %s, %s", w.Name, target)
				measure.Measure(ctx, w.Name, measure.Cell{Concurrency: warmClients, Requests: math.MaxInt, Duration: a.WarmFor, Timeout: a.Cell.Timeout}, one)
				terminateLeftovers(ctx, driver, cfg.Neo4jDatabase)
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
			}
		}
	}

	// The cells.
	for _, w := range ws {
		rep.Workloads = append(rep.Workloads, w.WorkloadInfo)
		for _, target := range Targets {
			one, why := a.requester(w, target, client, lgURL, lib.URL, raw)
			stopped := ""
			for _, conc := range a.Concurrencies {
				cr := CellResult{Workload: w.Name, Target: target, Result: measure.Result{Workload: w.Name, Concurrency: conc}}
				switch {
				case one == nil:
					cr.Skipped = why
				case stopped != "":
					cr.Skipped = stopped
				default:
					cell := a.Cell
					cell.Concurrency = conc
					var stop func()
					if a.Profile && target == TargetLicencegraph && conc == a.ProfileClient &&
						(strings.HasPrefix(w.Name, "W1") || strings.HasPrefix(w.Name, "W3")) {
						stop = a.startProfile(&rep, w.Name, conc)
					}
					logf("%s, %s, %d clients", w.Name, target, conc)
					cr.Result = measure.Measure(ctx, w.Name, cell, one)
					if stop != nil {
						stop()
					}
					if n := terminateLeftovers(ctx, driver, cfg.Neo4jDatabase); n > 0 {
						logf("terminated %d transactions left running by timed-out requests", n)
					}
					if cr.OK == 0 && cr.Timeouts > 0 {
						stopped = fmt.Sprintf("timed out at %d clients", conc)
					}
				}
				rep.Cells = append(rep.Cells, cr)
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
			}
		}
	}
	return rep, nil
}
