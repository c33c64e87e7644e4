// Package projection keeps in memory what exposure questions and licence
// lists need of the graph — companies' countries and sectors, supply links
// with dates and materials, licences, the sector tree, export controls —
// so that they are answered in milliseconds at any date, also right after
// a write. Neo4j stays the system of record: the projection is loaded
// from it at start and kept in step with every committed write through
// the audit trail, which names each write's ids and carries the graph's
// version (GraphVersion: an epoch and a sequence number).
//
// Freshness: every question first reads the graph's version (one small
// statement) and applies the writes committed since the version the
// projection holds, re-reading only the records they name, before it
// answers. An answer is never older than a write acknowledged before its
// request began, by this process or any other.
//
// This is the product's one cache: answers derived from the projection
// (derive) live with the version they were computed at and are dropped
// when the projection applies a write.
package projection

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/metrics"
)

// Source is what the projection reads from the system of record.
type Source interface {
	GraphVersion(ctx context.Context) (domain.GraphVersion, error)
	// VersionSince is GraphVersion and, when the graph moved past since
	// in its epoch, the first of the changes after it (ChangesSince).
	VersionSince(ctx context.Context, since domain.GraphVersion, limit int) (domain.GraphVersion, []domain.Change, error)
	ChangesSince(ctx context.Context, v domain.GraphVersion, limit int) ([]domain.Change, error)
	Sectors(ctx context.Context) ([]domain.Sector, error)
	ExportControls(ctx context.Context) ([]domain.ExportControl, error)
	CompanyPage(ctx context.Context, after string, limit int) ([]domain.Company, error)
	LinksOfSuppliers(ctx context.Context, after string, limit int) ([]domain.SupplyLink, string, error)
	AllLicences(ctx context.Context) ([]domain.Licence, error)

	SectorsByIDs(ctx context.Context, ids []string) (map[string]domain.Sector, error)
	ExportControlsByIDs(ctx context.Context, ids []string) (map[string]domain.ExportControl, error)
	CompaniesByIDs(ctx context.Context, ids []string) (map[string]domain.Company, error)
	LinksByPairs(ctx context.Context, pairs [][2]string) ([]domain.SupplyLink, error)
	LicencesByIDs(ctx context.Context, ids []string) (map[string]domain.Licence, error)
}

// Batch sizes of the full load and of catching up.
const (
	loadCompanies  = 20_000 // companies per statement
	loadSuppliers  = 5_000  // suppliers whose links one statement reads
	changesPerRead = 1_000
	reReadBatch    = 5_000 // ids per re-read statement
)

// Projection is the in-memory graph, one per process.
type Projection struct {
	src Source
	log *slog.Logger

	// mu keeps writes applied in place (companies, links, sectors,
	// controls) apart from views: views hold it shared while they answer,
	// such a write holds it exclusively. A write of licences only builds a
	// new state beside the old one (graph.withLicences) and waits for no
	// view: the views of the old state finish on it.
	mu sync.RWMutex
	// state is the graph at its version with the answers derived from it;
	// nil until the first load.
	state atomic.Pointer[state]

	// syncMu lets one caller at a time read what changed.
	syncMu sync.Mutex
	// Loads counts full loads (tests check that small writes do not
	// cause one).
	Loads atomic.Int64

	startMu sync.Mutex
	loading *loadCall // the background load in flight (WaitReady)

	// AfterLoad, if set, runs after each full load (the server fits its
	// memory limit to the loaded graph).
	AfterLoad func()
}

// state is the projection at one version.
type state struct {
	g       *graph
	version domain.GraphVersion
	memo    *memo
}

// applied is the version of the state, nil before the first load.
func (p *Projection) applied() *domain.GraphVersion {
	if s := p.state.Load(); s != nil {
		return &s.version
	}
	return nil
}

type loadCall struct {
	done chan struct{}
	err  error
}

// maxLoad bounds a background load (a million companies load in about a
// minute here).
const maxLoad = 15 * time.Minute

// New returns an empty projection on src; Load (or the first Acquire)
// fills it.
func New(src Source, log *slog.Logger) *Projection {
	if log == nil {
		log = slog.Default()
	}
	return &Projection{src: src, log: log}
}

// Ready says whether the projection has been loaded.
func (p *Projection) Ready() bool { return p.state.Load() != nil }

// WaitReady loads the projection unless it is loaded, and waits for it
// until ctx ends.
func (p *Projection) WaitReady(ctx context.Context) error {
	if p.Ready() {
		return nil
	}
	return p.loadInBackground(ctx)
}

// loadInBackground starts a full load unless one is running, and waits
// for it until ctx ends. The load is not tied to one caller: a request or
// probe that gives up does not abandon it, so a graph that takes longer
// to load than a request may wait still gets loaded.
func (p *Projection) loadInBackground(ctx context.Context) error {
	p.startMu.Lock()
	call := p.loading
	if call == nil {
		call = &loadCall{done: make(chan struct{})}
		p.loading = call
		go func() {
			lctx, cancel := context.WithTimeout(context.Background(), maxLoad)
			defer cancel()
			call.err = p.Load(lctx)
			p.startMu.Lock()
			p.loading = nil
			p.startMu.Unlock()
			close(call.done)
		}()
	}
	p.startMu.Unlock()
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Load reads the whole graph. The version is read first: writes that
// commit during the load are applied again afterwards, which re-reads
// their records, so the result is never older than that version.
func (p *Projection) Load(ctx context.Context) error {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	return p.load(ctx)
}

func (p *Projection) load(ctx context.Context) error {
	start := time.Now()
	v, err := p.src.GraphVersion(ctx)
	if err != nil {
		return err
	}
	g := newGraph()
	sectors, err := p.src.Sectors(ctx)
	if err != nil {
		return fmt.Errorf("load sectors: %w", err)
	}
	for _, s := range sectors {
		g.setSector(s)
	}
	controls, err := p.src.ExportControls(ctx)
	if err != nil {
		return fmt.Errorf("load controls: %w", err)
	}
	for _, x := range controls {
		g.setControl(x)
	}
	for after := ""; ; {
		page, err := p.src.CompanyPage(ctx, after, loadCompanies)
		if err != nil {
			return fmt.Errorf("load companies after %q: %w", after, err)
		}
		for _, c := range page {
			g.setCompany(c)
		}
		if len(page) < loadCompanies {
			break
		}
		after = page[len(page)-1].ID
	}
	links := 0
	for after := ""; ; {
		page, last, err := p.src.LinksOfSuppliers(ctx, after, loadSuppliers)
		if err != nil {
			return fmt.Errorf("load links after %q: %w", after, err)
		}
		for _, l := range page {
			g.setLink(l)
		}
		links += len(page)
		if last == "" {
			break
		}
		after = last
	}
	licences, err := p.src.AllLicences(ctx)
	if err != nil {
		return fmt.Errorf("load licences: %w", err)
	}
	for _, l := range licences {
		g.setLicence(l)
	}
	g.sortCompanies()
	// What every exposure question reads, built here rather than by the
	// first question: at a million companies the walk layout and its
	// order take 0.6 s, the hop table a pass over every link too, while
	// the load takes a minute (and a reload runs while the old graph
	// still answers).
	g.walks()
	g.hopTable()
	// A new graph: the views of the old one finish on it.
	p.state.Store(&state{g: g, version: v, memo: newMemo()})
	p.Loads.Add(1)
	metrics.ProjectionLoads.Inc()
	metrics.ProjectionLoadDuration.Observe(metrics.Since(start))
	metrics.ProjectionVersion.Set(float64(v.Seq))
	if p.AfterLoad != nil {
		p.AfterLoad()
	}
	p.log.Info("projection loaded", "companies", len(g.ids), "links", links, "licences", len(licences),
		"version", v.Seq, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// View is the projection at one version, for one question: hold it while
// answering, then Release it. Writes applied in place wait until every
// view is released.
type View struct {
	p       *Projection
	g       *graph
	version domain.GraphVersion
	memo    *memo
	// scenario: a what-if view inside another (WhatIf), which holds the
	// lock.
	scenario bool
}

// Acquire brings the projection up to the graph's current version and
// returns a view of it.
func (p *Projection) Acquire(ctx context.Context) (*View, error) {
	var since domain.GraphVersion
	cur := p.applied()
	if cur != nil {
		since = *cur
	}
	v, changes, err := p.src.VersionSince(ctx, since, changesPerRead)
	if err != nil {
		return nil, err
	}
	if cur == nil || *cur != v {
		metrics.ProjectionAcquires.WithLabelValues("miss").Inc()
		start := time.Now()
		if err := p.catchUp(ctx, v, prefetched{since, changes}); err != nil {
			return nil, err
		}
		metrics.ProjectionRefresh.Observe(metrics.Since(start))
	} else {
		metrics.ProjectionAcquires.WithLabelValues("hit").Inc()
	}
	p.mu.RLock()
	st := p.state.Load()
	return &View{p: p, g: st.g, version: st.version, memo: st.memo}, nil
}

// Release ends the view.
func (v *View) Release() {
	if !v.scenario {
		v.p.mu.RUnlock()
	}
}

// Version names the view's state of the graph.
func (v *View) Version() string {
	if v.scenario {
		return fmt.Sprintf("%s:%d+scenario", v.version.Epoch, v.version.Seq)
	}
	return fmt.Sprintf("%s:%d", v.version.Epoch, v.version.Seq)
}

// catchUp applies the writes recorded after the projection's version, up
// to at least target; a new epoch, or a write whose ids were not all
// recorded, reloads everything (in the background, see loadInBackground),
// after which the writes since the load's version are applied.
func (p *Projection) catchUp(ctx context.Context, target domain.GraphVersion, first prefetched) error {
	for range 5 {
		full, err := p.applyChanges(ctx, target, first)
		if err != nil || !full {
			return err
		}
		if err := p.loadInBackground(ctx); err != nil {
			return err
		}
		if cur := p.applied(); cur != nil && cur.Epoch != target.Epoch {
			// The graph was reset since target was read: aim at its
			// version now.
			if target, err = p.src.GraphVersion(ctx); err != nil {
				return err
			}
		}
	}
	return domain.Errorf(domain.CodeUnavailable, "the graph changes faster than the projection can load it")
}

// prefetched are changes read after the version since, with the version
// (Acquire reads both in one round trip).
type prefetched struct {
	since   domain.GraphVersion
	changes []domain.Change
}

// applyChanges applies the recorded writes up to target, or says that
// only a full load can. first saves reading the changes after its own
// version again.
func (p *Projection) applyChanges(ctx context.Context, target domain.GraphVersion, first prefetched) (full bool, err error) {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	cur := p.applied()
	if cur == nil || cur.Epoch != target.Epoch {
		return true, nil // first use, or a new (reset) graph
	}
	for cur.Seq < target.Seq {
		changes := first.changes
		if first.since != *cur || len(changes) == 0 {
			if changes, err = p.src.ChangesSince(ctx, *cur, changesPerRead); err != nil {
				return false, err
			}
		}
		first = prefetched{}
		if len(changes) == 0 {
			// The version moved on but its changes are not readable (a
			// trail entry deleted by hand): start again from the graph.
			return true, nil
		}
		d, full := affected(changes)
		if full {
			return true, nil
		}
		next := domain.GraphVersion{Epoch: cur.Epoch, Seq: changes[len(changes)-1].Seq}
		if err := p.apply(ctx, d, next); err != nil {
			return false, err
		}
		metrics.ProjectionWritesApplied.Add(float64(len(changes)))
		metrics.ProjectionVersion.Set(float64(next.Seq))
		cur = &next
	}
	return false, nil
}

// GraphVersion is the view's version as the audit trail names it
// (exposure alerts find the writes a judgement saw by it).
func (v *View) GraphVersion() domain.GraphVersion { return v.version }
