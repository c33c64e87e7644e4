package anchors

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/bench/measure"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
)

// Helpers of Run: requests per target, profiles, the library's exposure
// fields, the machine's description.

// terminateLeftovers ends the transactions still running on the bench's
// dedicated database after a cell (requests that timed out on the client
// side, the library's in particular, may leave them running), so they do
// not slow the next cell. It returns how many it ended.
func terminateLeftovers(ctx context.Context, driver neo4j.DriverWithContext, db string) int {
	res, err := neo4j.ExecuteQuery(ctx, driver,
		"SHOW TRANSACTIONS YIELD transactionId, currentQuery WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN collect(transactionId) AS ids",
		nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db))
	if err != nil || len(res.Records) == 0 {
		return 0
	}
	v, _ := res.Records[0].Get("ids")
	ids, _ := v.([]any)
	if len(ids) == 0 {
		return 0
	}
	_, _ = neo4j.ExecuteQuery(ctx, driver, "TERMINATE TRANSACTIONS $ids", map[string]any{"ids": ids},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db))
	return len(ids)
}

// requester returns the function sending request i of w to target, or nil
// and why the target cannot run w.
func (a *Anchors) requester(w *workload, target string, client *http.Client, lgURL, libURL string, raw Replayer) (func(context.Context, int) error, string) {
	n := len(w.samples)
	switch target {
	case TargetLicencegraph:
		return func(ctx context.Context, i int) error {
			return measure.PostMeasured(ctx, client, lgURL, w.samples[i%n].lgBody)
		}, ""
	case TargetLibrary:
		if w.libQuery == "" {
			return nil, "no library query"
		}
		return func(ctx context.Context, i int) error {
			return measure.PostMeasured(ctx, client, libURL, w.samples[i%n].libBody)
		}, ""
	default:
		var plans []Plan
		for _, s := range w.samples {
			if s.plan != nil {
				plans = append(plans, *s.plan)
			}
		}
		if len(plans) == 0 {
			return nil, "nothing recorded"
		}
		return func(ctx context.Context, i int) error {
			_, err := raw.Replay(ctx, plans[i%len(plans)], false)
			return err
		}, ""
	}
}

func (a *Anchors) startProfile(rep *ScaleReport, workload string, clients int) func() {
	name := fmt.Sprintf("cpu-c%d-%s-%dclients.pprof", a.Companies, strings.Fields(workload)[0], clients)
	path := filepath.Join(a.WorkDir, name)
	f, err := os.Create(path)
	if err != nil {
		return nil
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		rep.Profiles = append(rep.Profiles, Profile{Workload: workload, Concurrency: clients, File: path, Top: pprofTop(path)})
	}
}

// pprofTop summarises a profile with `go tool pprof`: the samples of the
// server's goroutines (label side=server), heaviest first by cumulative
// time, then by own time.
func pprofTop(path string) string {
	exe, _ := os.Executable()
	var out strings.Builder
	for _, args := range [][]string{
		{"tool", "pprof", "-top", "-cum", "-nodecount=25", "-tagfocus=side=server", exe, path},
		{"tool", "pprof", "-top", "-nodecount=15", "-tagfocus=side=server", exe, path},
	} {
		b, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("go tool pprof: %v\n%s", err, b)
		}
		out.WriteString(trimPprofHeader(string(b)) + "\n")
	}
	return out.String()
}

func trimPprofHeader(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") || strings.HasPrefix(l, "Time:") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// exposureField returns the library field for W3 or W4: the one statement
// the engine's method ran (ExposedCompanies, ExposurePaths), or nil.
func exposureField(workload string, stmts []neo4jstore.Statement) *CypherField {
	var method, name, row string
	paged := false
	switch {
	case strings.HasPrefix(workload, "W3"):
		method, name, row, paged = "ExposedCompanies", "exposedCompanies", "ExposedCompanyRow", true
	case strings.HasPrefix(workload, "W4"):
		method, name, row = "ExposurePaths", "exposurePaths", "ExposurePathRow"
	default:
		return nil
	}
	var found []neo4jstore.Statement
	for _, s := range stmts {
		if s.Method == method {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return nil
	}
	return &CypherField{Name: name, RowType: row, Cypher: found[0].Cypher, Params: found[0].Params, Paged: paged}
}

func libraryExposureQuery(f CypherField) string {
	names := make([]string, 0, len(f.Params))
	for k := range f.Params {
		names = append(names, k)
	}
	slices.Sort(names)
	var decl, args []string
	for _, k := range names {
		t, _ := graphqlType(f.Params[k])
		decl = append(decl, "$"+k+": "+t)
		args = append(args, k+": $"+k)
	}
	sel := strings.Join(f.Columns, " ")
	if f.Paged {
		decl = append(decl, "$"+PageArg+": Int!")
		args = append(args, PageArg+": $"+PageArg)
		sel = "totalCount rows { " + sel + " }"
	}
	return fmt.Sprintf("query(%s) { %s(%s) { %s } }", strings.Join(decl, ", "), f.Name, strings.Join(args, ", "), sel)
}

func libraryExposureVars(f CypherField) map[string]any {
	vars := map[string]any{}
	for k, v := range f.Params {
		vars[k] = GraphQLValue(v)
	}
	if f.Paged {
		vars[PageArg] = exposurePage
	}
	return vars
}

// exposurePage is W3's page size (licencegraph's `first`).
const exposurePage = 20

func allValues(results []StatementResult) []any {
	var out []any
	for _, r := range results {
		for _, rec := range r.Records {
			out = append(out, rec)
		}
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// machine describes the machine: cores, CPU model, memory, OS, Go, Node
// and Neo4j versions.
func machine(ctx context.Context, driver neo4j.DriverWithContext, db string) string {
	var parts []string
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	parts = append(parts, fmt.Sprintf("%d cores (%s)", runtime.NumCPU(), model))
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			parts = append(parts, fmt.Sprintf("%d GiB", (kb+(1<<19))>>20))
		}
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				parts = append(parts, strings.Trim(v, `"`))
			}
		}
	}
	parts = append(parts, runtime.Version())
	if b, err := exec.Command("node", "--version").Output(); err == nil {
		parts = append(parts, "Node "+strings.TrimSpace(string(b)))
	}
	res, err := neo4j.ExecuteQuery(ctx, driver, "CALL dbms.components() YIELD name, versions, edition RETURN name + ' ' + edition + ' ' + versions[0] AS v",
		nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db))
	if err == nil && len(res.Records) > 0 {
		v, _ := res.Records[0].Get("v")
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, ", ")
}
