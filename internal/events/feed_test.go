package events

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// trail is an in-memory audit trail for the feed's own logic; the store's
// query is tested against Neo4j in internal/app (TestLicenceEvents).
type trail struct {
	mu      sync.Mutex
	changes []domain.Change
}

func (t *trail) add(c domain.Change) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.changes = append(t.changes, c)
}

func (t *trail) ChangesAfter(_ context.Context, at time.Time, id string, ops []string, limit int) ([]domain.Change, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []domain.Change
	for _, c := range t.changes {
		if after(c, at, id) && slices.Contains(ops, c.Operation) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return after(out[j], out[i].At, out[i].ID) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func change(id string, sec int, op string) domain.Change {
	return domain.Change{ID: id, At: t0.Add(time.Duration(sec) * time.Second), Operation: op, IDs: []string{"L-" + id}, Count: 1}
}

func receive(t *testing.T, ch <-chan *domain.LicenceEvent, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case ev := <-ch:
			got = append(got, ev.Change.ID+":"+string(ev.Kind))
		case <-time.After(2 * time.Second):
			t.Fatalf("got %v, want %d events", got, n)
		}
	}
	select {
	case ev := <-ch:
		t.Fatalf("unexpected extra event %s", ev.Change.ID)
	case <-time.After(50 * time.Millisecond):
	}
	return got
}

func TestFeed(t *testing.T) {
	tests := []struct {
		name   string
		before []domain.Change // in the trail when the client subscribes
		after  string          // the client's cursor
		later  []domain.Change // committed while it listens, in commit order
		want   []string
	}{
		{
			name:   "from now on: older events are not sent",
			before: []domain.Change{change("a", -3, "grantLicence")},
			later:  []domain.Change{change("b", 1, "revokeLicence"), change("c", 2, "upsertCompany"), change("d", 3, "seed licences")},
			want:   []string{"b:REVOKED", "d:IMPORTED"},
		},
		{
			// The polls after the first look a lookback behind the newest
			// event, which is older than now: what lies before the first
			// window must still count as old.
			name:   "from now on: nothing from before the first window either",
			before: []domain.Change{change("old", -15, "grantLicence"), change("recent", -5, "grantLicence")},
			later:  []domain.Change{change("b", 1, "revokeLicence")},
			want:   []string{"b:REVOKED"},
		},
		{
			name:   "a late commit stamped before a sent event is still sent, once",
			before: nil,
			later:  []domain.Change{change("b", 2, "grantLicence"), change("a", 1, "setLicenceExclusions")},
			want:   []string{"b:GRANTED", "a:EXCLUSIONS_CHANGED"},
		},
		{
			name:   "resume: only what follows the cursor",
			before: []domain.Change{change("a", -3, "grantLicence"), change("b", -2, "importLicences"), change("c", -1, "revokeLicence")},
			after:  change("b", -2, "").CursorKey(),
			later:  []domain.Change{change("d", 1, "grantLicence")},
			want:   []string{"c:REVOKED", "d:GRANTED"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &trail{}
			for _, c := range tc.before {
				tr.add(c)
			}
			f := &Feed{Source: tr, PollInterval: 5 * time.Millisecond, Now: func() time.Time { return t0 }}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch, err := f.LicenceEvents(ctx, tc.after)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.later {
				time.Sleep(20 * time.Millisecond) // a few polls between commits
				tr.add(c)
			}
			if got := receive(t, ch, len(tc.want)); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			cancel()
			for range ch { // closes when the subscription ends
			}
		})
	}
}

func TestFeedRejectsABadCursor(t *testing.T) {
	f := &Feed{Source: &trail{}}
	for _, cursor := range []string{"x", "2026-01-01|", "yesterday|abc"} {
		if _, err := f.LicenceEvents(context.Background(), cursor); err == nil {
			t.Errorf("cursor %q accepted", cursor)
		}
	}
}

// countingTrail counts the polls of the trail.
type countingTrail struct {
	trail
	mu    sync.Mutex
	polls int
}

func (c *countingTrail) ChangesAfter(ctx context.Context, at time.Time, id string, ops []string, limit int) ([]domain.Change, error) {
	c.mu.Lock()
	c.polls++
	c.mu.Unlock()
	return c.trail.ChangesAfter(ctx, at, id, ops, limit)
}

func (c *countingTrail) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.polls
}

// One poll feeds every subscription: 100 subscribers cost the trail about
// what one does (it was one poll per subscriber per interval), each gets
// every event, and when the last leaves the polling stops.
func TestOnePollFeedsEverySubscription(t *testing.T) {
	const interval = 10 * time.Millisecond
	run := func(n int) (polls int) {
		tr := &countingTrail{}
		f := &Feed{Source: tr, PollInterval: interval, Now: func() time.Time { return t0 }}
		ctx, cancel := context.WithCancel(context.Background())
		chs := make([]<-chan *domain.LicenceEvent, n)
		for i := range chs {
			ch, err := f.LicenceEvents(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			chs[i] = ch
		}
		start := tr.count()
		time.Sleep(30 * interval)
		tr.trail.add(change("x", 1, "grantLicence"))
		for i, ch := range chs {
			select {
			case ev := <-ch:
				if ev.Change.ID != "x" {
					t.Fatalf("subscriber %d got %s", i, ev.Change.ID)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("subscriber %d of %d got no event", i, n)
			}
		}
		polls = tr.count() - start
		cancel()
		for _, ch := range chs {
			for range ch {
			}
		}
		time.Sleep(5 * interval) // the last poll in flight ends
		stopped := tr.count()
		time.Sleep(20 * interval)
		if after := tr.count(); after != stopped {
			t.Errorf("%d polls after every subscriber left", after-stopped)
		}
		return polls
	}
	one, hundred := run(1), run(100)
	t.Logf("polls while listening: 1 subscriber %d, 100 subscribers %d", one, hundred)
	if hundred > 2*one+5 {
		t.Errorf("100 subscribers polled %d times, 1 subscriber %d: the cost grows with subscribers", hundred, one)
	}
}

// A subscriber that does not read ends once it is SubscriberBuffer events
// behind; the others keep getting every event.
func TestASlowSubscriberDoesNotHoldTheOthers(t *testing.T) {
	tr := &trail{}
	f := &Feed{Source: tr, PollInterval: time.Millisecond, Now: func() time.Time { return t0 }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow, err := f.LicenceEvents(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	fast, err := f.LicenceEvents(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	n := SubscriberBuffer + 50
	go func() {
		for i := range n {
			tr.add(change(fmt.Sprintf("e%04d", i), 1+i/100, "grantLicence"))
			if i%40 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
	}()
	for i := range n {
		select {
		case <-fast:
		case <-time.After(5 * time.Second):
			t.Fatalf("the fast subscriber got %d of %d events", i, n)
		}
	}
	got := 0
	for range slow { // closed once it fell behind
		got++
	}
	if got != SubscriberBuffer {
		t.Errorf("the slow subscriber got %d events before its end, want %d", got, SubscriberBuffer)
	}
}

// A client resuming from a cursor while events keep coming gets every
// event after its cursor exactly once.
func TestResumeWhileEventsFlow(t *testing.T) {
	tr := &trail{}
	for i := range 300 {
		tr.add(change(fmt.Sprintf("old%03d", i), -300+i, "grantLicence"))
	}
	f := &Feed{Source: tr, PollInterval: time.Millisecond, Now: func() time.Time { return t0 }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live, err := f.LicenceEvents(ctx, "") // the shared poll is running
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range live {
		}
	}()
	cursor := change("old099", -201, "").CursorKey()
	resumed, err := f.LicenceEvents(ctx, cursor)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 100; i < 300; i++ {
		want = append(want, fmt.Sprintf("old%03d", i))
	}
	go func() {
		for i := range 100 {
			tr.add(change(fmt.Sprintf("new%03d", i), 1+i/10, "grantLicence"))
			time.Sleep(100 * time.Microsecond)
		}
	}()
	for i := range 100 {
		want = append(want, fmt.Sprintf("new%03d", i))
	}
	seen := map[string]int{}
	for len(seen) < len(want) {
		select {
		case ev := <-resumed:
			seen[ev.Change.ID]++
		case <-time.After(3 * time.Second):
			t.Fatalf("got %d of %d events", len(seen), len(want))
		}
	}
	time.Sleep(20 * time.Millisecond)
	for len(resumed) > 0 {
		ev := <-resumed
		seen[ev.Change.ID]++
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("%s sent %d times", id, seen[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d distinct events, want %d", len(seen), len(want))
	}
}
