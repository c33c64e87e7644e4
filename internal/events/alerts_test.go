package events

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// world is a graph for the alerts' own logic: a version, its trail, and
// which companies are exposed; the engine's judgement and the store's
// reads are tested against Neo4j in internal/app (TestExposureAlerts).
type world struct {
	mu      sync.Mutex
	version domain.GraphVersion
	trail   []domain.Change
	exposed map[string]bool
	judged  atomic.Int64
	polls   atomic.Int64
}

func newWorld() *world {
	return &world{version: domain.GraphVersion{Epoch: "e1"}, exposed: map[string]bool{}}
}

// write records a write that sets the exposure of company.
func (w *world) write(company string, exposed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.version.Seq++
	w.exposed[company] = exposed
	w.trail = append(w.trail, domain.Change{ID: fmt.Sprint("c", w.version.Seq), Seq: w.version.Seq, Actor: "tester",
		Operation: "grantLicence", IDs: []string{company}, Count: 1, At: time.Now()})
}

func (w *world) VersionSince(ctx context.Context, since domain.GraphVersion, limit int) (domain.GraphVersion, []domain.Change, error) {
	w.polls.Add(1)
	cs, err := w.ChangesSince(ctx, since, limit)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.version, cs, err
}

func (w *world) ChangesSince(_ context.Context, v domain.GraphVersion, limit int) ([]domain.Change, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []domain.Change
	for _, c := range w.trail {
		if v.Epoch == w.version.Epoch && c.Seq > v.Seq && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (w *world) WatchExposure(_ context.Context, q domain.AlertQuery, asOf domain.Date, prev *domain.ExposureSnapshot) (domain.ExposureSnapshot, []domain.ExposureFlip, error) {
	w.judged.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	snap := domain.ExposureSnapshot{Version: w.version, AsOf: asOf}
	for _, id := range q.CompanyIDs {
		if w.exposed[id] {
			snap.Exposed = append(snap.Exposed, id)
		}
	}
	if prev == nil {
		return snap, nil, nil
	}
	var flips []domain.ExposureFlip
	for _, id := range q.CompanyIDs {
		if was, is := slices.Contains(prev.Exposed, id), slices.Contains(snap.Exposed, id); was != is {
			flips = append(flips, domain.ExposureFlip{CompanyID: id, Exposed: is})
		}
	}
	return snap, flips, nil
}

func newAlerts(w *world) *Alerts {
	return &Alerts{Source: w, Judge: w, PollInterval: 5 * time.Millisecond}
}

func nextAlert(t *testing.T, ch <-chan *domain.ExposureAlert) *domain.ExposureAlert {
	t.Helper()
	select {
	case a, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return a
	case <-time.After(2 * time.Second):
		t.Fatal("no alert within 2s")
	}
	return nil
}

func noAlert(t *testing.T, ch <-chan *domain.ExposureAlert) {
	t.Helper()
	select {
	case a := <-ch:
		t.Fatalf("unexpected alert %+v", a)
	case <-time.After(50 * time.Millisecond):
	}
}

// One watcher judges a question once per write however many subscribe
// to it (in any order of its ids); each subscriber gets every alert; the
// polling stops once the last watcher's retention ends.
func TestOneWatcherPerQuestion(t *testing.T) {
	w := newWorld()
	a := newAlerts(w)
	a.Retain = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var chs []<-chan *domain.ExposureAlert
	for i := range 50 {
		ids := []string{"a", "b"}
		if i%2 == 1 {
			ids = []string{"b", "a", "b"}
		}
		ch, err := a.ExposureAlerts(ctx, domain.AlertQuery{CompanyIDs: ids, MaxDepth: 4}.Normalize(), "")
		if err != nil {
			t.Fatal(err)
		}
		chs = append(chs, ch)
	}
	if n := a.Watchers(); n != 1 {
		t.Fatalf("%d watchers for one question", n)
	}
	time.Sleep(30 * time.Millisecond) // the first polls wake the watcher once
	before := w.judged.Load()
	w.write("a", true)
	for i, ch := range chs {
		if got := nextAlert(t, ch); got.CompanyID != "a" || !got.Exposed || got.Change == nil || got.Change.Seq != 1 || got.Writes != 1 {
			t.Fatalf("subscriber %d got %+v", i, got)
		}
	}
	if n := w.judged.Load() - before; n > 2 {
		t.Errorf("%d judgements of one write for 50 subscribers", n)
	}
	cancel()
	for _, ch := range chs {
		for range ch {
		}
	}
	time.Sleep(200 * time.Millisecond) // past the retention
	if n := a.Watchers(); n != 0 {
		t.Fatalf("%d watchers after the retention", n)
	}
	polls := w.polls.Load()
	time.Sleep(50 * time.Millisecond)
	if n := w.polls.Load() - polls; n > 1 {
		t.Errorf("%d polls with nothing watched", n)
	}
}

// A resumed subscription gets the kept alerts after its cursor, then the
// live ones; a cursor older than the log is refused.
func TestResumeFromTheLog(t *testing.T) {
	w := newWorld()
	a := newAlerts(w)
	a.LogSize = 3
	q := domain.AlertQuery{CompanyIDs: []string{"a"}, MaxDepth: 4}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live, err := a.ExposureAlerts(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	var cursors []string
	for i := range 5 {
		w.write("a", i%2 == 0)
		cursors = append(cursors, nextAlert(t, live).Cursor)
	}
	if _, err := a.ExposureAlerts(ctx, q, cursors[0]); domain.ErrorCode(err) != domain.CodeBadUserInput {
		t.Fatalf("a cursor no longer kept: %v, want BAD_USER_INPUT", err)
	}
	resumed, err := a.ExposureAlerts(ctx, q, cursors[2])
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{nextAlert(t, resumed).Cursor, nextAlert(t, resumed).Cursor}; !slices.Equal(got, cursors[3:]) {
		t.Fatalf("resumed with %v, want %v", got, cursors[3:])
	}
	noAlert(t, resumed)
	w.write("a", false) // the fifth write exposed it
	if got := nextAlert(t, resumed); got.Exposed {
		t.Fatalf("live after resuming: %+v", got)
	}
}

// A day passing alerts once, with no write named; the clock going back
// does not undo the day.
func TestADayPassingAlertsOnce(t *testing.T) {
	w := newWorld()
	var now atomic.Int64
	now.Store(time.Date(2030, 6, 30, 23, 59, 0, 0, time.UTC).UnixNano())
	a := newAlerts(w)
	a.Now = func() time.Time { return time.Unix(0, now.Load()) }
	// This judge says "a" is exposed from 2030-07-01 on.
	j := &datedJudge{world: w, from: domain.MustDate("2030-07-01")}
	a.Judge = j
	ch, err := a.ExposureAlerts(context.Background(), domain.AlertQuery{CompanyIDs: []string{"a"}, MaxDepth: 4}, "")
	if err != nil {
		t.Fatal(err)
	}
	noAlert(t, ch)
	now.Store(time.Date(2030, 7, 1, 0, 0, 1, 0, time.UTC).UnixNano())
	got := nextAlert(t, ch)
	if !got.Exposed || got.Change != nil || got.AsOf != domain.MustDate("2030-07-01") {
		t.Fatalf("alert %+v", got)
	}
	now.Store(time.Date(2030, 6, 30, 23, 59, 0, 0, time.UTC).UnixNano()) // set back
	w.write("b", true)                                                   // judged again
	noAlert(t, ch)
	a.Close()
}

type datedJudge struct {
	*world
	from domain.Date
}

func (j *datedJudge) WatchExposure(ctx context.Context, q domain.AlertQuery, asOf domain.Date, prev *domain.ExposureSnapshot) (domain.ExposureSnapshot, []domain.ExposureFlip, error) {
	j.mu.Lock()
	j.exposed["a"] = !asOf.Before(j.from)
	j.mu.Unlock()
	return j.world.WatchExposure(ctx, q, asOf, prev)
}

func TestCause(t *testing.T) {
	changes := []domain.Change{
		{Seq: 1, Operation: "revokeLicence", IDs: []string{"L1"}},
		{Seq: 2, Operation: "upsertCompany", IDs: []string{"x"}},
	}
	revoked := domain.ExposureFlip{CompanyID: "c", Exposed: true, Paths: []domain.ExposurePath{{Hops: []domain.SupplyHop{{Supplier: "s", Customer: "c", Licences: []string{"L1"}}}}}}
	unrelated := domain.ExposureFlip{CompanyID: "d", Exposed: true}
	for _, tc := range []struct {
		name      string
		changes   []domain.Change
		flip      domain.ExposureFlip
		dayPassed bool
		want      int64 // the Seq named; 0: none
	}{
		{"the write naming a licence of its paths", changes, revoked, false, 1},
		{"else the latest", changes, unrelated, false, 2},
		{"else the date, when the day passed too", changes, unrelated, true, 0},
		{"no write: the date", nil, revoked, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cause(tc.changes, tc.flip, tc.dayPassed)
			if (got == nil && tc.want != 0) || (got != nil && got.Seq != tc.want) {
				t.Fatalf("cause %+v, want seq %d", got, tc.want)
			}
		})
	}
}

// Watchers left without subscribers are kept for resuming, at most
// MaxRetainedWatchers of them: the one left longest ago ends first.
func TestRetainedWatchersAreBounded(t *testing.T) {
	w := newWorld()
	a := newAlerts(w)
	defer a.Close()
	n := MaxRetainedWatchers + 20
	for i := range n {
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := a.ExposureAlerts(ctx, domain.AlertQuery{CompanyIDs: []string{fmt.Sprint("c", i)}, MaxDepth: 4}, "")
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		for range ch { // ends once it has left
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for a.Watchers() > MaxRetainedWatchers && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := a.Watchers(); got != MaxRetainedWatchers {
		t.Fatalf("%d watchers kept after %d questions were left, want %d", got, n, MaxRetainedWatchers)
	}
	// The latest are kept: the last question resumes from its start.
	a.mu.Lock()
	_, last := a.watchers[domain.AlertQuery{CompanyIDs: []string{fmt.Sprint("c", n-1)}, MaxDepth: 4}.Key()]
	_, first := a.watchers[domain.AlertQuery{CompanyIDs: []string{"c0"}, MaxDepth: 4}.Key()]
	a.mu.Unlock()
	if !last || first {
		t.Fatalf("kept the last: %v, the first: %v", last, first)
	}
}
