package events

// Exposure alerts (exposureAlerts): a watched question — some companies,
// a sector, a depth — judged "exposed today?" again after every committed
// write and when the day changes, each change of a company's state handed
// to the question's subscribers. docs/exposure.md ("Watched companies")
// says what an alert carries and how resuming works.
//
// The costs do not grow with subscribers: one poll of the graph's version
// (one small statement per interval) while any question is watched, and
// one watcher per distinct question, which judges it once per write
// however many subscribe to it (the engine keeps its answers per graph
// version, so a judgement after a write is milliseconds).

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Defaults for Alerts.
const (
	// DefaultAlertRetain is how long a watcher keeps judging, and keeps
	// its log, after its last subscriber left: a client that reconnects
	// within it resumes from its cursor.
	DefaultAlertRetain = 10 * time.Minute
	// DefaultAlertLog is how many alerts a watcher keeps for resuming.
	DefaultAlertLog = 1000
	// recentChanges is how many audit-trail entries the version poll
	// keeps for the watchers to name the writes they judged.
	recentChanges = 1000
	// retryJudgement is how soon a failed judgement is tried again.
	retryJudgement = time.Second
	// MaxRetainedWatchers bounds the watchers kept running without
	// subscribers (each judges its question after every write): past it,
	// the one left longest ago ends. Clients cycling through many
	// questions cannot make every write cost thousands of judgements.
	MaxRetainedWatchers = 100
)

// Judge judges a watched question on one view of the graph
// (exposure.Engine.WatchExposure).
type Judge interface {
	WatchExposure(ctx context.Context, q domain.AlertQuery, asOf domain.Date, prev *domain.ExposureSnapshot) (domain.ExposureSnapshot, []domain.ExposureFlip, error)
}

// Versions reads the graph's version and the audit trail by Seq
// (neo4jstore.Store).
type Versions interface {
	VersionSince(ctx context.Context, since domain.GraphVersion, limit int) (domain.GraphVersion, []domain.Change, error)
	ChangesSince(ctx context.Context, v domain.GraphVersion, limit int) ([]domain.Change, error)
}

// Alerts implements domain.ExposureAlertService.
type Alerts struct {
	Source Versions
	Judge  Judge
	// PollInterval is how often the graph's version (and the day) is
	// read while anything is watched; 0: DefaultPollInterval.
	PollInterval time.Duration
	// Retain and LogSize: DefaultAlertRetain and DefaultAlertLog when 0.
	Retain  time.Duration
	LogSize int
	Logger  *slog.Logger
	// Now is the clock whose day is "today" (tests move it past
	// midnight); nil: time.Now.
	Now func() time.Time

	mu       sync.Mutex
	watchers map[string]*watcher
	tracker  *tracker // the version poll; nil while nothing is watched
}

var _ domain.ExposureAlertService = (*Alerts)(nil)

// ExposureAlerts implements domain.ExposureAlertService.
func (a *Alerts) ExposureAlerts(ctx context.Context, q domain.AlertQuery, after string) (<-chan *domain.ExposureAlert, error) {
	var from *domain.AlertCursor
	if after != "" {
		c, ok := domain.ParseAlertCursor(after)
		if !ok {
			return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "after", Message: "after is not a cursor of exposureAlerts"}
		}
		from = &c
	}
	w, err := a.watch(ctx, q)
	if err != nil {
		return nil, err
	}
	sub, err := w.join(from)
	if err != nil {
		a.leave(w, nil)
		return nil, err
	}
	go func() {
		<-ctx.Done()
		a.leave(w, sub)
	}()
	return sub.out, nil
}

// watch returns the running watcher of q, starting it (and its first
// judgement, which checks the watched ids) when none runs. The caller
// holds a place in it (leave gives it back).
func (a *Alerts) watch(ctx context.Context, q domain.AlertQuery) (*watcher, error) {
	key := q.Key()
	a.mu.Lock()
	if a.watchers == nil {
		a.watchers = map[string]*watcher{}
	}
	w := a.watchers[key]
	starting := w == nil
	if starting {
		wctx, cancel := context.WithCancel(context.Background())
		if a.tracker == nil {
			a.tracker = a.startTracker()
		}
		w = &watcher{alerts: a, tracker: a.tracker, q: q, key: key, ctx: wctx, stop: cancel, ready: make(chan struct{}),
			wake: make(chan struct{}, 1), subs: map[*alertSub]bool{}}
		a.watchers[key] = w
	}
	w.holders++
	w.stopRetaining()
	a.mu.Unlock()
	if starting {
		// Judged on the watcher's context: subscribers that wait for it
		// need not depend on this one's connection.
		w.err = w.first(w.ctx)
		close(w.ready)
		if w.err == nil {
			go w.run()
		}
	}
	select {
	case <-w.ready:
	case <-ctx.Done():
		a.leave(w, nil)
		return nil, ctx.Err()
	}
	if w.err != nil {
		a.leave(w, nil)
		return nil, w.err
	}
	return w, nil
}

// leave gives back a place in w (and ends sub, if any). The last one out
// leaves w running for Retain, unless its start failed.
func (a *Alerts) leave(w *watcher, sub *alertSub) {
	if sub != nil {
		w.drop(sub)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if w.holders--; w.holders > 0 {
		return
	}
	select {
	case <-w.ready:
		if w.err == nil {
			w.retainFor(a.retain())
			a.evictRetained()
			return
		}
	default:
		return // still starting: its starter holds a place
	}
	a.remove(w)
}

// evictRetained ends the watcher without subscribers left longest ago
// while more than MaxRetainedWatchers are kept (under a.mu).
func (a *Alerts) evictRetained() {
	var oldest *watcher
	n := 0
	for _, w := range a.watchers {
		if w.holders == 0 && w.retaining != nil {
			n++
			if oldest == nil || w.retainedAt.Before(oldest.retainedAt) {
				oldest = w
			}
		}
	}
	if n > MaxRetainedWatchers {
		oldest.stopRetaining()
		a.remove(oldest)
	}
}

// expire ends w if nobody came back while it was retained (gen: that
// retention is still the current one).
func (a *Alerts) expire(w *watcher, gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w.holders == 0 && w.retainGen == gen {
		a.remove(w)
	}
}

// remove stops w, and the version poll with the last watcher (under a.mu).
func (a *Alerts) remove(w *watcher) {
	if a.watchers[w.key] == w {
		delete(a.watchers, w.key)
	}
	w.stop()
	if len(a.watchers) == 0 && a.tracker != nil {
		a.tracker.stop()
		a.tracker = nil
	}
}

// wakeAll tells every watcher that the graph or the day moved.
func (a *Alerts) wakeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, w := range a.watchers {
		w.poke()
	}
}

// Close stops every watcher and the version poll; their subscriptions
// end. The server calls it on shutdown.
func (a *Alerts) Close() {
	a.mu.Lock()
	ws := make([]*watcher, 0, len(a.watchers))
	for _, w := range a.watchers {
		ws = append(ws, w)
		a.remove(w)
	}
	a.mu.Unlock()
	for _, w := range ws {
		w.mu.Lock()
		for s := range w.subs {
			w.end(s)
		}
		w.mu.Unlock()
	}
}

// Watchers is the number of questions watched (tests, metrics).
func (a *Alerts) Watchers() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.watchers)
}

func (a *Alerts) today() domain.Date { return domain.DateOf(a.now().UTC()) }

func (a *Alerts) now() time.Time { return clockNow(a.Now) }

func (a *Alerts) interval() time.Duration { return orDefault(a.PollInterval, DefaultPollInterval) }

func (a *Alerts) retain() time.Duration { return orDefault(a.Retain, DefaultAlertRetain) }

func (a *Alerts) logSize() int { return orDefault(a.LogSize, DefaultAlertLog) }

func (a *Alerts) log() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// tracker is the one poll of the graph's version while anything is
// watched: it wakes the watchers when a write committed or the day
// changed, and keeps the recent audit-trail entries they name.
type tracker struct {
	a    *Alerts
	stop context.CancelFunc

	mu      sync.Mutex
	version domain.GraphVersion
	day     domain.Date
	recent  []domain.Change // of version's epoch, by Seq
}

func (a *Alerts) startTracker() *tracker {
	ctx, cancel := context.WithCancel(context.Background())
	t := &tracker{a: a, stop: cancel, day: a.today()}
	go func() {
		pollEvery(ctx, a.interval(), a.log(), "exposure alerts: polling the graph's version", func(ctx context.Context) error {
			// The first poll wakes every watcher too: a write may have
			// committed since a watcher's first judgement (judging the
			// same version again finds nothing).
			moved, err := t.poll(ctx)
			if today := a.today(); today.After(t.day) {
				t.day, moved = today, true
			}
			if moved {
				a.wakeAll()
			}
			return err
		})
	}()
	return t
}

// poll reads the version and the entries after the one it knew; moved
// says whether the graph moved.
func (t *tracker) poll(ctx context.Context) (moved bool, err error) {
	t.mu.Lock()
	since := t.version
	t.mu.Unlock()
	v, changes, err := t.a.Source.VersionSince(ctx, since, recentChanges)
	if err != nil || v == since {
		return false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if v.Epoch != since.Epoch {
		t.recent = nil
	}
	t.recent = append(t.recent, changes...)
	if n := len(t.recent) - recentChanges; n > 0 {
		t.recent = append([]domain.Change(nil), t.recent[n:]...)
	}
	t.version = v
	return true, nil
}

// changes returns the audit-trail entries of epoch with a Seq in (from,
// to] (the latest recentChanges of them), from those kept or else from
// the trail.
func (t *tracker) changes(ctx context.Context, epoch string, from, to int64) ([]domain.Change, error) {
	if to <= from {
		return nil, nil
	}
	t.mu.Lock()
	var kept []domain.Change
	if t.version.Epoch == epoch {
		for _, c := range t.recent {
			if c.Seq > from && c.Seq <= to {
				kept = append(kept, c)
			}
		}
	}
	t.mu.Unlock()
	if int64(len(kept)) == to-from {
		return kept, nil
	}
	// Past recentChanges, the latest ones: they name the alerts' cause.
	got, err := t.a.Source.ChangesSince(ctx, domain.GraphVersion{Epoch: epoch, Seq: max(from, to-recentChanges)}, int(min(to-from, recentChanges)))
	if err != nil {
		return nil, err
	}
	out := got[:0]
	for _, c := range got {
		if c.Seq <= to {
			out = append(out, c)
		}
	}
	return out, nil
}
