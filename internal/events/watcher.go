package events

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// judgeTimeout bounds one judgement of a watched question.
const judgeTimeout = 30 * time.Second

// watcher is one watched question: it judges it after every write and
// day change the version poll announces, and hands the alerts to its
// subscribers, keeping the latest for those that resume.
type watcher struct {
	alerts  *Alerts
	tracker *tracker
	q       domain.AlertQuery
	key     string
	ctx     context.Context // ends when the watcher stops
	stop    context.CancelFunc
	ready   chan struct{} // closed once the first judgement is done
	err     error         // of the first judgement
	wake    chan struct{} // something moved: judge again

	// Under alerts.mu: the places held (subscribers and those joining),
	// and the retention after the last left.
	holders    int
	retaining  *time.Timer
	retainedAt time.Time
	retainGen  int

	snap domain.ExposureSnapshot // the last judgement; the run goroutine's

	mu   sync.Mutex
	log  []*domain.ExposureAlert
	keys []domain.AlertCursor
	// floor: every alert after it is in log (the watcher's start, or the
	// last alert dropped from the log).
	floor domain.AlertCursor
	subs  map[*alertSub]bool
}

// alertSub is one subscription's end of a watcher.
type alertSub struct {
	out    chan *domain.ExposureAlert
	closed bool // under watcher.mu
}

// first judges the question without a previous judgement: where alerts
// start from. It checks the watched ids.
func (w *watcher) first(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, judgeTimeout)
	defer cancel()
	snap, _, err := w.alerts.Judge.WatchExposure(ctx, w.q, w.alerts.today(), nil)
	if err != nil {
		return err
	}
	w.snap = snap
	w.floor = cursorOf(snap, "")
	return nil
}

func cursorOf(s domain.ExposureSnapshot, company string) domain.AlertCursor {
	return domain.AlertCursor{Epoch: s.Version.Epoch, Seq: s.Version.Seq, AsOf: s.AsOf, CompanyID: company}
}

// poke asks for a judgement; pokes while one is pending make one.
func (w *watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) run() {
	failing := false
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		}
		err := w.judge()
		switch {
		case w.ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				w.alerts.log().WarnContext(w.ctx, "exposure alerts: judging a watched question failed; retrying", "err", err)
				failing = true
			}
			time.AfterFunc(retryJudgement, w.poke)
		case failing:
			w.alerts.log().InfoContext(w.ctx, "exposure alerts: judging again")
			failing = false
		}
	}
}

// judge judges the question now and publishes what changed since the
// last judgement. A failed judgement changes nothing: the next one
// finds the same changes.
func (w *watcher) judge() error {
	a, prev := w.alerts, w.snap
	asOf := a.today()
	if asOf.Before(prev.AsOf) { // a clock set back does not undo a day
		asOf = prev.AsOf
	}
	ctx, cancel := context.WithTimeout(w.ctx, judgeTimeout)
	defer cancel()
	snap, flips, err := a.Judge.WatchExposure(ctx, w.q, asOf, &prev)
	if err != nil {
		return err
	}
	newEpoch := snap.Version.Epoch != prev.Version.Epoch
	var changes []domain.Change
	writes := 0
	if !newEpoch {
		if changes, err = w.tracker.changes(ctx, snap.Version.Epoch, prev.Version.Seq, snap.Version.Seq); err != nil {
			return err
		}
		writes = int(snap.Version.Seq - prev.Version.Seq) // every recorded write moves Seq by one
	}
	at := a.now()
	alerts := make([]*domain.ExposureAlert, len(flips))
	keys := make([]domain.AlertCursor, len(flips))
	for i, f := range flips {
		keys[i] = cursorOf(snap, f.CompanyID)
		alerts[i] = &domain.ExposureAlert{Cursor: keys[i].String(), CompanyID: f.CompanyID, Exposed: f.Exposed,
			At: at, AsOf: snap.AsOf, Change: cause(changes, f, snap.AsOf.After(prev.AsOf)), Writes: writes,
			Paths: f.Paths, Hops: f.Hops}
	}
	w.snap = snap
	w.publish(alerts, keys, newEpoch)
	return nil
}

// cause is the write an alert names: the latest of changes that names a
// record of its paths or hops (a company, a link, a licence), else the
// latest unless the day changed too (then the date explains it: nil).
func cause(changes []domain.Change, f domain.ExposureFlip, dayPassed bool) *domain.Change {
	related := map[string]bool{f.CompanyID: true}
	hops := slices.Clone(f.Hops)
	for _, p := range f.Paths {
		hops = append(hops, p.Hops...)
	}
	for _, h := range hops {
		related[h.Supplier], related[h.Customer], related[h.Supplier+"->"+h.Customer] = true, true, true
		for _, l := range h.Licences {
			related[l] = true
		}
	}
	for i := len(changes) - 1; i >= 0; i-- {
		if slices.ContainsFunc(changes[i].IDs, func(id string) bool { return related[id] }) {
			return &changes[i]
		}
	}
	if len(changes) == 0 || dayPassed {
		return nil
	}
	return &changes[len(changes)-1]
}

// publish keeps the alerts and offers them to every subscriber; one whose
// buffer is full ends (it resumes from its last cursor). A new epoch (the
// graph was reset or restored) starts the log anew: cursors of the old
// graph no longer resume.
func (w *watcher) publish(alerts []*domain.ExposureAlert, keys []domain.AlertCursor, newEpoch bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if newEpoch {
		w.log, w.keys, w.floor = nil, nil, cursorOf(w.snap, "")
	}
	w.log = append(w.log, alerts...)
	w.keys = append(w.keys, keys...)
	if n := len(w.log) - w.alerts.logSize(); n > 0 {
		w.floor = w.keys[n-1]
		w.log = append([]*domain.ExposureAlert(nil), w.log[n:]...)
		w.keys = append([]domain.AlertCursor(nil), w.keys[n:]...)
	}
	for s := range w.subs {
		for _, al := range alerts {
			select {
			case s.out <- al:
				continue
			default:
			}
			w.alerts.log().WarnContext(w.ctx, "exposure alerts: a subscriber fell behind; its subscription ends", "behind", cap(s.out))
			w.end(s)
			break
		}
	}
}

// join adds a subscriber, with the kept alerts after from when given
// (they fit its buffer, which holds a whole log and more).
func (w *watcher) join(from *domain.AlertCursor) (*alertSub, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := &alertSub{out: make(chan *domain.ExposureAlert, w.alerts.logSize()+SubscriberBuffer)}
	if from != nil {
		if from.Epoch != w.floor.Epoch || from.Compare(w.floor) < 0 {
			return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "after",
				Message: fmt.Sprintf("after: the alerts following this cursor are no longer kept (a watch is kept %s after its last subscriber leaves, with its latest %d alerts): subscribe without after and read the exposure anew",
					w.alerts.retain(), w.alerts.logSize())}
		}
		for i, k := range w.keys {
			if k.Compare(*from) > 0 {
				s.out <- w.log[i]
			}
		}
	}
	w.subs[s] = true
	return s, nil
}

// drop ends s.
func (w *watcher) drop(s *alertSub) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.end(s)
}

func (w *watcher) end(s *alertSub) {
	delete(w.subs, s)
	if !s.closed {
		s.closed = true
		close(s.out)
	}
}

// retainFor keeps w running for d with nobody subscribed (under
// alerts.mu); stopRetaining cancels that when someone comes back.
func (w *watcher) retainFor(d time.Duration) {
	w.retainGen++
	gen := w.retainGen
	w.retainedAt = time.Now()
	w.retaining = time.AfterFunc(d, func() { w.alerts.expire(w, gen) })
}

func (w *watcher) stopRetaining() {
	if w.retaining != nil {
		w.retaining.Stop()
		w.retaining = nil
	}
	w.retainGen++
}
