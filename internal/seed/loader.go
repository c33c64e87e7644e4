// Package seed loads seed files (docs/seed-format.md) into the graph: YAML
// and CSV, kind from the file name, columns from one table (Kinds),
// dependency order, every error of a file reported with its file, line and
// field, and each file written in one transaction, so a failed file leaves
// nothing of itself.
package seed

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/metrics"
)

// Store is what the loader needs of the database.
type Store interface {
	// ExistingIDs returns which of ids name a node of kind in the graph.
	ExistingIDs(ctx context.Context, kind domain.Kind, ids []string) (map[string]bool, error)
	// WriteSeedStream writes one file's records in one transaction, as
	// next hands them over (io.EOF after the last batch; any other error
	// rolls the write back).
	WriteSeedStream(ctx context.Context, kind domain.Kind, next func() ([]any, error), progress func(done int)) (domain.WriteCounts, error)
}

// Error is one problem in a seed file.
type Error struct {
	File  string
	Line  int // 0 when the problem is the whole file
	Field string
	Msg   string
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

// FileResult is what happened to one file.
type FileResult struct {
	File     File
	Records  int
	Counts   domain.WriteCounts
	Errors   []Error // empty when the file loaded (or validated, in a dry run)
	Duration time.Duration
}

// Summary is the outcome of a load.
type Summary struct {
	Files   []FileResult
	ByKind  map[domain.Kind]domain.WriteCounts
	Elapsed time.Duration
	DryRun  bool
}

// Failed counts the files that did not load.
func (s Summary) Failed() int {
	n := 0
	for _, f := range s.Files {
		if len(f.Errors) > 0 {
			n++
		}
	}
	return n
}

// Options configure a Loader.
type Options struct {
	// DryRun validates everything (references included) and writes nothing.
	DryRun bool
	// Progress receives progress bars, for files whose write takes over a
	// second; nil shows none. Pass a terminal only.
	Progress io.Writer
	Logger   *slog.Logger
}

// Loader loads seed files into a Store.
type Loader struct {
	store Store
	opts  Options
}

// New returns a loader writing to store.
func New(store Store, opts Options) *Loader {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Loader{store: store, opts: opts}
}

// maxErrorsPerFile bounds the report for a badly broken file.
const maxErrorsPerFile = 200

// Load discovers the files under paths and loads them in dependency order.
// Every file is attempted (each atomically); the returned error is non-nil
// when any file failed, and the summary holds every file's errors.
func (l *Loader) Load(ctx context.Context, paths []string) (Summary, error) {
	ctx = domain.WithActor(ctx, "seed") // the audit trail's "who" for seed loads
	start := time.Now()
	sum := Summary{ByKind: map[domain.Kind]domain.WriteCounts{}, DryRun: l.opts.DryRun}
	files, err := Discover(paths)
	if err != nil {
		return sum, err
	}
	// defined holds the ids that files of this run defined (and, unless a
	// dry run, wrote), so later files may refer to them without a lookup.
	defined := map[domain.Kind]map[string]bool{}
	for _, k := range domain.Kinds {
		defined[k] = map[string]bool{}
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		res := l.loadFile(ctx, f, defined)
		countFile(l.opts.DryRun, res)
		sum.Files = append(sum.Files, res)
		if len(res.Errors) == 0 {
			c := sum.ByKind[f.Kind]
			c.Add(res.Counts)
			sum.ByKind[f.Kind] = c
		}
	}
	sum.Elapsed = time.Since(start)
	if n := sum.Failed(); n > 0 {
		return sum, fmt.Errorf("%d of %d seed files failed; nothing of those files was written", n, len(files))
	}
	return sum, nil
}

func (l *Loader) loadFile(ctx context.Context, f File, defined map[domain.Kind]map[string]bool) FileResult {
	start := time.Now()
	res := FileResult{File: f}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := l.stream(ctx, f, defined)
	var werr error
	if l.opts.DryRun {
		src.drain()
	} else {
		bar := newProgress(l.opts.Progress, f.Path, src.size)
		res.Counts, werr = l.store.WriteSeedStream(ctx, f.Kind, src.next, func(done int) { bar.set(src.bytesAt(done)) })
		bar.finish(werr == nil)
	}
	cancel() // the write may have stopped before the reading did
	src.wait()
	res.Records = src.records
	errs := src.errs
	switch {
	case len(errs) > 0:
		// The file's own errors come first; the write, if it began, was
		// rolled back by them.
		res.Counts = domain.WriteCounts{}
		slices.SortStableFunc(errs, func(a, b Error) int { return a.Line - b.Line })
		if len(errs) > maxErrorsPerFile {
			more := len(errs) - maxErrorsPerFile
			errs = append(errs[:maxErrorsPerFile], Error{File: f.Path, Msg: fmt.Sprintf("… and %d more errors", more)})
		}
		res.Errors = errs
	case werr != nil:
		res.Counts = domain.WriteCounts{}
		l.opts.Logger.Error("writing seed file", "file", f.Path, "err", werr)
		msg := "writing failed, nothing of this file was written: " + describe(werr)
		if domain.ErrorCode(werr) == domain.CodeTooComplex {
			msg += "; split the file, or give Neo4j more transaction memory (db.memory.transaction.max; NEO4J_TX_MEMORY_MAX for tools/neo4j-local)"
		}
		res.Errors = []Error{{File: f.Path, Msg: msg}}
	default:
		for _, k := range src.keys {
			defined[f.Kind][k] = true
		}
	}
	res.Duration = time.Since(start)
	return res
}

// describe is a write error's text for the operator: the client-safe
// message plus the cause (a seed run is an operator's tool, not an API).
func describe(err error) string {
	var derr *domain.Error
	if errors.As(err, &derr) && derr.Err != nil {
		return derr.Message + " (" + derr.Err.Error() + ")"
	}
	return err.Error()
}

// readFile parses and decodes a file, reporting every error it finds.
func readFile(f File) ([]record, []Error) {
	var records []record
	errs := readRecords(f, nil, func(r record) bool {
		if r.failed == nil {
			records = append(records, r)
		}
		return true
	})
	return records, errs
}

// readRecords parses and decodes a file, handing each record to each in
// file order (each returns false to stop; an invalid one has failed set)
// and reporting every error it finds. read, if set, counts the bytes read from the file.
func readRecords(f File, read *counter, each func(record) bool) []Error {
	var errs []Error
	fail := func(pe parseError) {
		errs = append(errs, Error{File: f.Path, Line: pe.line, Field: pe.field, Msg: pe.msg})
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return []Error{{File: f.Path, Msg: err.Error()}}
	}
	defer fh.Close()
	var in io.Reader = fh
	if read != nil {
		read.r = fh
		in = read
	}

	firstLine := map[string]int{}
	stopped := false
	emit := func(raw rawRecord) bool {
		if stopped {
			return false
		}
		rec, perrs := decode(f.Kind, raw)
		for _, pe := range perrs {
			if !(raw.explained[pe.field] && pe.msg == "is required") { // said once, on the header
				fail(pe)
			}
		}
		if len(perrs) > 0 {
			rec.failed = make(map[string]bool, len(perrs))
			for _, pe := range perrs {
				rec.failed[pe.field] = true
			}
			stopped = !each(rec)
			return !stopped
		}
		if prev, dup := firstLine[rec.key]; dup {
			field := "id"
			if f.Kind == domain.KindSupply {
				field = "supplier, customer"
			}
			fail(parseError{line: rec.line, field: field, msg: fmt.Sprintf("%q is defined twice in this file (also on line %d)", rec.key, prev)})
			return true
		}
		firstLine[rec.key] = rec.line
		stopped = !each(rec)
		return !stopped
	}
	var perrs []parseError
	switch f.Format {
	case "csv":
		perrs = parseCSV(bufio.NewReaderSize(in, 1<<20), f.Kind, emit)
	default:
		data, err := io.ReadAll(in)
		if err != nil {
			return []Error{{File: f.Path, Msg: err.Error()}}
		}
		perrs = parseYAML(data, emit)
	}
	for _, pe := range perrs {
		fail(pe)
	}
	return errs
}

// orderSectors puts parents before children within the file, so created
// and updated counts are exact, and rejects PART_OF cycles.
func orderSectors(f File, records []record) ([]record, []Error) {
	byID := make(map[string]int, len(records))
	for i, r := range records {
		byID[r.key] = i
	}
	state := make([]int8, len(records)) // 0 new, 1 visiting, 2 done
	out := make([]record, 0, len(records))
	var errs []Error
	var visit func(i int) bool
	visit = func(i int) bool {
		switch state[i] {
		case 1:
			return false
		case 2:
			return true
		}
		state[i] = 1
		if p, ok := byID[records[i].value.(domain.Sector).Parent]; ok {
			if !visit(p) {
				if state[i] != 2 {
					errs = append(errs, Error{File: f.Path, Line: records[i].line, Field: "parent",
						Msg: fmt.Sprintf("sector %q is part of a cycle of parents", records[i].key)})
				}
				state[i] = 2
				return false
			}
		}
		state[i] = 2
		out = append(out, records[i])
		return true
	}
	for i := range records {
		visit(i)
	}
	return out, errs
}

func singular(k domain.Kind) string {
	switch k {
	case domain.KindCompany:
		return "company"
	case domain.KindSupply:
		return "supply link"
	case domain.KindControl:
		return "export control"
	}
	return strings.TrimSuffix(string(k), "s")
}

// ReadFiles parses and validates the seed files under paths, without a
// database: every record by kind, in dependency order. References are not
// checked. Tests use it to build reference models of a world.
func ReadFiles(paths []string) (map[domain.Kind][]any, error) {
	files, err := Discover(paths)
	if err != nil {
		return nil, err
	}
	out := map[domain.Kind][]any{}
	var errs []error
	for _, f := range files {
		records, ferrs := readFile(f)
		for _, e := range ferrs {
			errs = append(errs, e)
		}
		for _, r := range records {
			out[f.Kind] = append(out[f.Kind], r.value)
		}
	}
	return out, errors.Join(errs...)
}

// countFile counts a loaded file and its records in the metrics (not for a
// dry run, which writes nothing).
func countFile(dryRun bool, res FileResult) {
	if dryRun {
		return
	}
	kind := string(res.File.Kind)
	if len(res.Errors) > 0 {
		metrics.SeedFiles.WithLabelValues(kind, "failed").Inc()
		return
	}
	metrics.SeedFiles.WithLabelValues(kind, "ok").Inc()
	metrics.SeedRows.WithLabelValues(kind, "created").Add(float64(res.Counts.Created))
	metrics.SeedRows.WithLabelValues(kind, "updated").Add(float64(res.Counts.Updated))
	metrics.SeedRows.WithLabelValues(kind, "unchanged").Add(float64(res.Counts.Unchanged))
}
