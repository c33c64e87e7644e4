// Package events turns the audit trail into live licence events. Every
// write — a mutation here, a seed load in another process — records a
// Change in the graph in its own transaction, so polling the trail is the
// one feed that sees them all, and a cursor into it lets a client resume.
//
// One poll feeds every subscription: the cost of polling does not grow
// with the number of subscribers (one indexed query per interval while
// any subscription is open, none when there is none). A client that
// resumes from a cursor reads what it missed on its own, once, then joins.
package events

import (
	"context"
	"log/slog"
	"sync"
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
	// SubscriberBuffer is how many events a subscriber may fall behind the
	// shared poll; past it, its subscription ends (it resumes with the
	// last cursor it saw) rather than slow down every other one.
	SubscriberBuffer = 256
)

// Feed implements domain.LicenceEventService on a domain.ChangeFeed.
type Feed struct {
	Source       domain.ChangeFeed
	PollInterval time.Duration
	Lookback     time.Duration
	Logger       *slog.Logger
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time

	mu  sync.Mutex
	hub *hub // the running poll; nil while nobody listens
}

// LicenceEvents implements domain.LicenceEventService.
func (f *Feed) LicenceEvents(ctx context.Context, after string) (<-chan *domain.LicenceEvent, error) {
	sub := &subscriber{out: make(chan *domain.LicenceEvent, SubscriberBuffer)}
	if after != "" {
		at, id, ok := domain.ParseChangeCursor(after)
		if !ok {
			return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "after", Message: "after is not a cursor from this API"}
		}
		sub.floorAt, sub.floorID = at, id
		sub.catching = true
	}
	h, err := f.join(ctx, sub)
	if err != nil {
		return nil, err
	}
	go func() {
		if after != "" {
			f.catchUp(ctx, sub)
		}
		<-ctx.Done()
		f.leave(h, sub)
	}()
	return sub.out, nil
}

// join adds sub to the running poll, starting one (its position: now)
// when none runs.
func (f *Feed) join(ctx context.Context, sub *subscriber) (*hub, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hub == nil {
		// From now on: whatever is already in the trail's recent window
		// counts as seen, and nothing before that window is handed out
		// (the next polls look a lookback behind the newest event, which
		// is older than now).
		start := f.now().Add(-f.lookback())
		p := &position{feed: f, seen: map[string]time.Time{}, at: start, floorAt: start}
		if err := p.poll(ctx, nil); err != nil {
			return nil, err
		}
		hctx, cancel := context.WithCancel(context.Background())
		f.hub = &hub{feed: f, pos: p, subs: map[*subscriber]bool{}, stop: cancel}
		go f.hub.run(hctx)
	}
	f.hub.subs[sub] = true
	return f.hub, nil
}

// leave removes sub; the last one out stops the poll.
func (f *Feed) leave(h *hub, sub *subscriber) {
	f.mu.Lock()
	delete(h.subs, sub)
	if len(h.subs) == 0 && f.hub == h {
		h.stop()
		f.hub = nil
	}
	f.mu.Unlock()
	sub.close()
}

// subscribers is a snapshot of h's subscribers.
func (f *Feed) subscribers(h *hub) []*subscriber {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*subscriber, 0, len(h.subs))
	for s := range h.subs {
		out = append(out, s)
	}
	return out
}

func (f *Feed) now() time.Time { return clockNow(f.Now) }

func (f *Feed) lookback() time.Duration { return orDefault(f.Lookback, DefaultLookback) }

func (f *Feed) interval() time.Duration { return orDefault(f.PollInterval, DefaultPollInterval) }

func (f *Feed) log() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}

// hub is the one poll of the trail while anyone listens.
type hub struct {
	feed *Feed
	pos  *position
	subs map[*subscriber]bool // under feed.mu
	stop context.CancelFunc
}

func (h *hub) run(ctx context.Context) {
	send := func(c domain.Change) bool {
		for _, s := range h.feed.subscribers(h) {
			if !s.offer(c) {
				h.feed.log().WarnContext(ctx, "licence events: a subscriber fell behind; its subscription ends", "behind", SubscriberBuffer)
			}
		}
		return true
	}
	pollEvery(ctx, h.feed.interval(), h.feed.log(), "licence events: polling the audit trail",
		func(ctx context.Context) error { return h.pos.poll(ctx, send) })
}

// catchUp sends sub what follows its cursor, reading the trail on its own,
// then the events the shared poll offered meanwhile, and leaves it live.
func (f *Feed) catchUp(ctx context.Context, sub *subscriber) {
	p := &position{feed: f, seen: map[string]time.Time{}, at: sub.floorAt, id: sub.floorID,
		floorAt: sub.floorAt, floorID: sub.floorID}
	// What it sent, so the shared poll's offers of the same events (those
	// of its window) are not sent again.
	sent := map[string]time.Time{}
	send := func(c domain.Change) bool {
		sent[c.ID] = c.At
		return sub.send(ctx, c)
	}
	for {
		err := p.poll(ctx, send)
		if err == nil || ctx.Err() != nil {
			break
		}
		f.log().WarnContext(ctx, "licence events: catching up from a cursor failed; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(f.interval()):
		}
	}
	// The shared poll offers only events of its own window, a lookback
	// behind the newest; older ones need not be remembered.
	horizon := p.at.Add(-2 * f.lookback())
	for id, at := range sent {
		if at.Before(horizon) {
			delete(sent, id)
		}
	}
	sub.goLive(ctx, sent)
}

// subscriber is one subscription's end of the feed.
type subscriber struct {
	out chan *domain.LicenceEvent
	// floorAt and floorID are the cursor a client resumed from: it has
	// seen everything up to there.
	floorAt time.Time
	floorID string

	mu       sync.Mutex
	catching bool            // reading what it missed: offers wait in pending
	pending  []domain.Change // offered while catching up
	caught   map[string]time.Time
	closed   bool
}

// offer hands c to the subscriber without waiting; false when its buffer
// was full, which ends it.
func (s *subscriber) offer(c domain.Change) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !after(c, s.floorAt, s.floorID) {
		return true
	}
	if s.catching {
		s.pending = append(s.pending, c)
		return true
	}
	if _, done := s.caught[c.ID]; done {
		return true
	}
	ev, ok := domain.LicenceEventOf(c)
	if !ok {
		return true
	}
	select {
	case s.out <- &ev:
		return true
	default:
		s.closed = true
		close(s.out)
		return false
	}
}

// send delivers c during catch-up, waiting for the client.
func (s *subscriber) send(ctx context.Context, c domain.Change) bool {
	ev, ok := domain.LicenceEventOf(c)
	if !ok {
		return true
	}
	select {
	case s.out <- &ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// goLive sends what was offered during catch-up and was not sent by it,
// then lets offers through.
func (s *subscriber) goLive(ctx context.Context, caught map[string]time.Time) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		batch := s.pending
		s.pending = nil
		if len(batch) == 0 {
			s.catching = false
			s.caught = caught // dedupes the lookback's late commits
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for _, c := range batch {
			if _, done := caught[c.ID]; done {
				continue
			}
			caught[c.ID] = c.At
			if !s.send(ctx, c) {
				return
			}
		}
	}
}

func (s *subscriber) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.out)
	}
}

// position is a reader's place in the trail: the newest event handed out,
// and the ids handed out within the lookback window before it.
type position struct {
	feed *Feed
	at   time.Time
	id   string
	seen map[string]time.Time
	// floorAt and floorID: nothing at or before them is handed out.
	floorAt time.Time
	floorID string
}

// after says whether change c comes after the position (at, id).
func after(c domain.Change, at time.Time, id string) bool {
	return c.At.After(at) || (c.At.Equal(at) && c.ID > id)
}

// poll reads the trail from the lookback window behind the newest event
// onwards and hands out what was not handed out yet (send nil: only
// marks it seen); a send that returns false stops it.
func (p *position) poll(ctx context.Context, send func(domain.Change) bool) error {
	from := p.at.Add(-p.feed.lookback())
	fromAt, fromID := from, ""
	if len(p.seen) == 0 {
		// Nothing handed out yet: start strictly after the cursor.
		fromAt, fromID = p.at, p.id
	}
	for {
		changes, err := p.feed.Source.ChangesAfter(ctx, fromAt, fromID, licenceOps, pollBatch)
		if err != nil {
			return err
		}
		for _, c := range changes {
			fromAt, fromID = c.At, c.ID
			if _, done := p.seen[c.ID]; done || !after(c, p.floorAt, p.floorID) {
				continue
			}
			if _, ok := domain.LicenceEventOf(c); !ok {
				continue
			}
			if send != nil && !send(c) {
				return ctx.Err()
			}
			p.seen[c.ID] = c.At
			if after(c, p.at, p.id) {
				p.at, p.id = c.At, c.ID
			}
		}
		if len(changes) < pollBatch {
			break
		}
	}
	horizon := p.at.Add(-p.feed.lookback())
	for id, at := range p.seen {
		if at.Before(horizon) {
			delete(p.seen, id)
		}
	}
	return nil
}

// licenceOps are the audit-trail operations a poll asks for.
var licenceOps = domain.LicenceOperations()

var _ domain.LicenceEventService = (*Feed)(nil)
