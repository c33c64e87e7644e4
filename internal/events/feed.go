// Package events turns the audit trail into live licence events. Every
// write — a mutation here, a seed load in another process — records a
// Change in the graph in its own transaction, so polling the trail is the
// one feed that sees them all, and a cursor into it lets a client resume.
package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Defaults for Feed.
const (
	DefaultPollInterval = 200 * time.Millisecond
	// DefaultLookback is how far behind the newest event a poll looks
	// again: a transaction stamps its Change when it starts writing but
	// becomes visible when it commits, so an event can appear after a
	// later one was already delivered.
	DefaultLookback = 10 * time.Second
	pollBatch       = 200
	bufferedEvents  = 64
)

// Feed implements domain.LicenceEventService on a domain.ChangeFeed.
type Feed struct {
	Source       domain.ChangeFeed
	PollInterval time.Duration
	Lookback     time.Duration
	Logger       *slog.Logger
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
}

// LicenceEvents implements domain.LicenceEventService. Each subscription
// polls on its own: a query on the indexed Change.at range, a few per
// second while it lasts.
func (f *Feed) LicenceEvents(ctx context.Context, after string) (<-chan *domain.LicenceEvent, error) {
	s := &subscription{feed: f, seen: map[string]time.Time{}}
	if after != "" {
		at, id, ok := domain.ParseChangeCursor(after)
		if !ok {
			return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "after", Message: "after is not a cursor from this API"}
		}
		s.at, s.id = at, id
		s.floorAt, s.floorID = at, id
	} else {
		// From now on: whatever is already in the trail's recent window
		// counts as seen.
		s.at = f.now().Add(-f.lookback())
		if err := s.poll(ctx, nil); err != nil {
			return nil, err
		}
	}
	out := make(chan *domain.LicenceEvent, bufferedEvents)
	go s.run(ctx, out)
	return out, nil
}

func (f *Feed) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Feed) lookback() time.Duration {
	if f.Lookback > 0 {
		return f.Lookback
	}
	return DefaultLookback
}

func (f *Feed) interval() time.Duration {
	if f.PollInterval > 0 {
		return f.PollInterval
	}
	return DefaultPollInterval
}

func (f *Feed) log() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}

// subscription is one client's position in the trail: the newest event
// handed out, and the ids handed out within the lookback window before it.
type subscription struct {
	feed *Feed
	at   time.Time
	id   string
	seen map[string]time.Time
	// floorAt and floorID are the cursor a client resumed from: it has
	// seen everything up to there, late commits included.
	floorAt time.Time
	floorID string
}

// after says whether change c comes after the position (at, id).
func after(c domain.Change, at time.Time, id string) bool {
	return c.At.After(at) || (c.At.Equal(at) && c.ID > id)
}

func (s *subscription) run(ctx context.Context, out chan<- *domain.LicenceEvent) {
	defer close(out)
	t := time.NewTicker(s.feed.interval())
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.poll(ctx, out)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing:
			// The database may be restarting: keep polling, log once.
			s.feed.log().WarnContext(ctx, "licence events: polling the audit trail failed", "err", err)
			failing = true
		case err == nil && failing:
			s.feed.log().InfoContext(ctx, "licence events: polling the audit trail again")
			failing = false
		}
	}
}

// poll reads the trail from the lookback window behind the newest event
// onwards and sends what was not sent yet (out nil: only marks it seen).
func (s *subscription) poll(ctx context.Context, out chan<- *domain.LicenceEvent) error {
	from := s.at.Add(-s.feed.lookback())
	fromAt, fromID := from, ""
	if len(s.seen) == 0 {
		// Nothing handed out yet: start strictly after the cursor.
		fromAt, fromID = s.at, s.id
	}
	for {
		changes, err := s.feed.Source.ChangesAfter(ctx, fromAt, fromID, licenceOps, pollBatch)
		if err != nil {
			return err
		}
		for _, c := range changes {
			fromAt, fromID = c.At, c.ID
			if _, done := s.seen[c.ID]; done || !after(c, s.floorAt, s.floorID) {
				continue
			}
			ev, ok := domain.LicenceEventOf(c)
			if !ok {
				continue
			}
			if out != nil {
				select {
				case out <- &ev:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			s.seen[c.ID] = c.At
			if after(c, s.at, s.id) {
				s.at, s.id = c.At, c.ID
			}
		}
		if len(changes) < pollBatch {
			break
		}
	}
	horizon := s.at.Add(-s.feed.lookback())
	for id, at := range s.seen {
		if at.Before(horizon) {
			delete(s.seen, id)
		}
	}
	return nil
}

// licenceOps are the audit-trail operations a poll asks for.
var licenceOps = domain.LicenceOperations()

var _ domain.LicenceEventService = (*Feed)(nil)
