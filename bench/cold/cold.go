// Package cold is issue 14's benchmark (make bench-api): how long the
// exposure questions take when nothing was computed for them — the first
// time for a date, the first after a licence write, the first after a
// supply-link write — beside the same questions warm, at 1 client, against
// a running server; with the server's memory and how long it took to
// become ready. The writes are made through the store by this process, as
// another process (a seed script, another replica) would, and the next
// question times the server's catching up with them. Every run is bounded
// by a sample count, a time budget and a per-request timeout.
package cold

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/licencegraph/licencegraph/bench/gqlclient"
	"github.com/licencegraph/licencegraph/bench/measure"
	"github.com/licencegraph/licencegraph/bench/writer"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// The questions of issue 14.
const (
	ExposedQuery = `query($asOf: Date) { exposedCompanies(sector: "automotive", maxDepth: 4, asOf: $asOf, first: 20) {
  totalCount edges { node { company { id } minDepth pathCount uncoveredSuppliers { id } } } } }`
	PathsQuery = `query($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, maxDepth: 4, first: 10) {
  depth hops { supplier { id } customer { id } controlled covered reason licences { id } } } }`
	// ExposedConfQuery is ExposedQuery with the evidence of issue 15: only
	// paths of confidence 0.5 or more count, and each company's confidence
	// and since when it is exposed.
	ExposedConfQuery = `query($asOf: Date) { exposedCompanies(sector: "automotive", maxDepth: 4, asOf: $asOf, first: 20, minConfidence: 0.5) {
  totalCount edges { node { company { id } minDepth pathCount confidence since uncoveredSuppliers { id } } } } }`
	// HeldQuery is the smallest question that goes through the projection:
	// one company (read from Neo4j) and the licences it holds (from the
	// projection, after it has caught up).
	HeldQuery = `query($id: ID!, $asOf: Date) { company(id: $id) { licencesHeld(asOf: $asOf) { id status } } }`
)

// The rows of the table, in its order.
const (
	ExposedDate    = "exposedDate"
	ExposedLicence = "exposedLicence"
	ExposedLink    = "exposedLink"
	ExposedWarm    = "exposedWarm"
	PathsDate      = "pathsDate"
	PathsLicence   = "pathsLicence"
	PathsLink      = "pathsLink"
	PathsWarm      = "pathsWarm"
	HeldLicence    = "heldLicence"
	ConfDate       = "confDate"
	ConfLicence    = "confLicence"
)

// Rows names each row.
var Rows = []struct{ Key, Name string }{
	{ExposedDate, "exposedCompanies, first for its date"},
	{ExposedLicence, "exposedCompanies, first after a licence write"},
	{ExposedLink, "exposedCompanies, first after a supply-link write"},
	{ExposedWarm, "exposedCompanies, warm (same question again)"},
	{PathsDate, "exposurePaths, first for its date"},
	{PathsLicence, "exposurePaths, first after a licence write"},
	{PathsLink, "exposurePaths, first after a supply-link write"},
	{PathsWarm, "exposurePaths, warm (same question again)"},
	{HeldLicence, "licencesHeld of one company, first after a licence write"},
	{ConfDate, "exposedCompanies with minConfidence 0.5, confidence and since, first for its date"},
	{ConfLicence, "exposedCompanies with minConfidence 0.5, confidence and since, first after a licence write"},
}

// Options bound one run.
type Options struct {
	URL     string // the /graphql endpoint (loopback)
	Client  *http.Client
	Store   writer.Store // writes go here, not through the server
	Samples int          // samples of each row (at most)
	Budget  time.Duration
	Timeout time.Duration // per request
	// Date is the date asked after writes (and where the written records
	// are found); fresh dates are drawn from 2025-01-01 … 2027-12-31.
	Date domain.Date
	// Prefix of the licence ids the bench grants and revokes.
	Prefix string
	Log    func(format string, args ...any)
}

// Result is what Run measured; the command adds the server's figures.
type Result struct {
	Rows []RowResult
	// OEMs exposed on Date (exposurePaths rotates through them), hops
	// and links written.
	OEMs, Hops, Links int
	// FirstQuestion is the first exposedCompanies after the server became
	// ready (before any other question), on Date.
	FirstQuestion time.Duration
	// Writes: how long the store took to acknowledge each kind.
	LicenceWrites, LinkWrites Stat
	Elapsed                   time.Duration
	Errors                    []string
	// WriteDate is Options.Date: the date asked after writes.
	WriteDate string
}

// RowResult is one row: its samples' distribution, and how many of the
// answers were not empty (a fresh date may find an automaker unexposed).
type RowResult struct {
	Key, Name string
	Stat
	NonEmpty int
}

// Stat is a measure.Summary in milliseconds, for JSON.
type Stat struct {
	N             int
	P50, P90, Max float64 // ms
}

// StatOf converts a summary.
func StatOf(s measure.Summary) Stat {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Stat{N: s.N, P50: ms(s.P50), P90: ms(s.P90), Max: ms(s.Max)}
}

// FreshDates returns n distinct dates of 2025-01-01 … 2027-12-31 other
// than skip, in a random order fixed by seed.
func FreshDates(n int, seed uint64, skip domain.Date) []domain.Date {
	var all []domain.Date
	for d := writer.FirstDate; !d.After(writer.LastDate); d = d.AddDays(1) {
		if !d.Equal(skip) {
			all = append(all, d)
		}
	}
	r := rand.New(rand.NewPCG(seed, 14))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))]
}

// Run measures the rows: each round asks exposedCompanies and
// exposurePaths on dates not asked before (then again, warm), and each
// question again after a licence write and after a supply-link write of
// its own (granted then revoked, ended then restored: the graph is back
// as it was after each round). A round starts with an unmeasured question
// on o.Date, so that a question on a fresh date finds the server caught
// up with the last writes. Rounds stop after o.Samples or o.Budget.
func Run(ctx context.Context, o Options) (res Result, err error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	res.WriteDate = o.Date.String()
	start := time.Now()
	ask := func(query string, vars map[string]any) (time.Duration, bool, error) {
		rctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		return Ask(rctx, o.Client, o.URL, query, vars)
	}
	d, _, err := ask(ExposedQuery, map[string]any{"asOf": o.Date.String()})
	if err != nil {
		return res, fmt.Errorf("cold: the first question: %w", err)
	}
	res.FirstQuestion = d
	fctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	t, err := writer.Find(fctx, o.Client, o.URL, o.Date, 8)
	cancel()
	if err != nil {
		return res, err
	}
	res.OEMs, res.Hops, res.Links = len(t.OEMs), len(t.Hops), len(t.Links)
	o.Log("cold: %d exposed automakers, %d uncovered hops, %d links to write on %s", len(t.OEMs), len(t.Hops), len(t.Links), o.Date)
	lic := &writer.Licences{Store: o.Store, Prefix: o.Prefix, Hops: t.Hops}
	links := &writer.Links{Store: o.Store, Links: t.Links, On: o.Date}
	defer func() {
		// Leave the graph as found, even when the run was interrupted
		// (res is the named result: what goes wrong here is reported).
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := lic.Undo(uctx); err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
		if err := links.Undo(uctx); err != nil {
			res.Errors = append(res.Errors, err.Error())
		}
	}()

	samples := map[string][]time.Duration{}
	nonEmpty := map[string]int{}
	var licWrites, linkWrites []time.Duration
	record := func(key string, d time.Duration, found bool) {
		samples[key] = append(samples[key], d)
		if found {
			nonEmpty[key]++
		}
	}
	dates := FreshDates(3*o.Samples, 1, o.Date)
	base := map[string]any{"asOf": o.Date.String()}
	for i := range o.Samples {
		if i > 0 && time.Since(start) > o.Budget || ctx.Err() != nil || 3*i+2 >= len(dates) {
			break
		}
		if i > 0 {
			// Not measured: the server has caught up with the last round's
			// writes and answered on this version, so that the next
			// question is new only by its date.
			if _, _, err := ask(ExposedQuery, map[string]any{"asOf": o.Date.String()}); err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("settling: %v", err))
			}
		}
		oem := t.OEMs[i%len(t.OEMs)]
		exposedFresh := map[string]any{"asOf": dates[3*i].String()}
		pathsFresh := map[string]any{"id": oem, "asOf": dates[3*i+1].String()}
		confFresh := map[string]any{"asOf": dates[3*i+2].String()}
		pathsBase := map[string]any{"id": oem, "asOf": o.Date.String()}
		steps := []struct {
			key, query string
			vars       map[string]any
			write      func(context.Context) (writer.Write, error)
		}{
			{ExposedDate, ExposedQuery, exposedFresh, nil},
			{ExposedWarm, ExposedQuery, exposedFresh, nil},
			{PathsDate, PathsQuery, pathsFresh, nil},
			{PathsWarm, PathsQuery, pathsFresh, nil},
			{ExposedLicence, ExposedQuery, base, lic.Toggle},
			{PathsLicence, PathsQuery, pathsBase, lic.Toggle},
			{ExposedLink, ExposedQuery, base, links.Toggle},
			{PathsLink, PathsQuery, pathsBase, links.Toggle},
			{HeldLicence, HeldQuery, base, lic.Toggle},
			{ConfDate, ExposedConfQuery, confFresh, nil},
			{ConfLicence, ExposedConfQuery, base, lic.Toggle},
		}
		for _, s := range steps {
			vars := s.vars
			if s.write != nil {
				wctx, cancel := context.WithTimeout(ctx, o.Timeout)
				w, err := s.write(wctx)
				cancel()
				if err != nil {
					return res, err
				}
				if w.Op == "grantLicence" || w.Op == "revokeLicence" {
					licWrites = append(licWrites, w.Took)
				} else {
					linkWrites = append(linkWrites, w.Took)
				}
				switch {
				case s.key == HeldLicence:
					// The licences of the written licence's holder.
					vars = map[string]any{"id": w.Hop.Supplier, "asOf": o.Date.String()}
				case s.query == PathsQuery && w.Via != "":
					// The paths of the automaker whose exposure the write decides.
					vars = map[string]any{"id": w.Via, "asOf": o.Date.String()}
				}
			}
			d, found, err := ask(s.query, vars)
			if err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", s.key, err))
				continue
			}
			record(s.key, d, found)
		}
		o.Log("cold: round %d: %s for a fresh date, %s after a licence write", i+1,
			last(samples[ExposedDate]), last(samples[ExposedLicence]))
	}
	for _, r := range Rows {
		res.Rows = append(res.Rows, RowResult{Key: r.Key, Name: r.Name, Stat: StatOf(measure.Summarize(samples[r.Key])), NonEmpty: nonEmpty[r.Key]})
	}
	res.LicenceWrites = StatOf(measure.Summarize(licWrites))
	res.LinkWrites = StatOf(measure.Summarize(linkWrites))
	res.Elapsed = time.Since(start)
	return res, nil
}

func last(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	return ds[len(ds)-1].Round(100 * time.Microsecond).String()
}

// Ask sends one question and times it to the last byte of its answer;
// found says whether the answer lists anything (exposed companies or
// paths).
func Ask(ctx context.Context, client *http.Client, url, query string, vars map[string]any) (time.Duration, bool, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return 0, false, err
	}
	start := time.Now()
	raw, status, err := gqlclient.Send(ctx, client, url, body)
	d := time.Since(start)
	if err != nil {
		return d, false, err
	}
	if err := gqlclient.Check(raw, status); err != nil {
		return d, false, err
	}
	var out struct {
		Data struct {
			ExposedCompanies *struct{ TotalCount int }
			ExposurePaths    []json.RawMessage
			Company          *struct{ LicencesHeld []json.RawMessage }
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return d, false, err
	}
	found := len(out.Data.ExposurePaths) > 0 || out.Data.ExposedCompanies != nil && out.Data.ExposedCompanies.TotalCount > 0 ||
		out.Data.Company != nil && len(out.Data.Company.LicencesHeld) > 0
	return d, found, nil
}
