package events

import (
	"context"
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
