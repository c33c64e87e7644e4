package graph

import (
	"context"
	"sync"

	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/metrics"
)

// SubscriptionLimits bound the subscriptions open at once (licenceEvents
// and exposureAlerts together)
// (0: no bound): on one websocket connection, of one token subject (an
// anonymous caller has none: its connections count alone), and in all.
// One client must not hold the server's subscriptions: 300 on one socket
// once cost 2.5 cores.
type SubscriptionLimits struct {
	PerConnection, PerSubject, Total int
}

// Subscriptions counts the open subscriptions against their limits.
type Subscriptions struct {
	limits    SubscriptionLimits
	mu        sync.Mutex
	total     int
	bySubject map[string]int
}

// NewSubscriptions counts subscriptions against limits.
func NewSubscriptions(limits SubscriptionLimits) *Subscriptions {
	return &Subscriptions{limits: limits, bySubject: map[string]int{}}
}

// connection is one websocket connection's count of subscriptions (under
// Subscriptions.mu); websocketInit puts it in the connection's context.
type connection struct{ open int }

type connectionKey struct{}

func withConnection(ctx context.Context) context.Context {
	return context.WithValue(ctx, connectionKey{}, &connection{})
}

// acquire takes a slot for a new subscription of ctx's caller, or refuses
// with TOO_MANY_SUBSCRIPTIONS naming the limit reached; release gives it
// back (once).
func (s *Subscriptions) acquire(ctx context.Context) (release func(), err error) {
	if s == nil {
		return func() {}, nil
	}
	subject := ""
	if p, _ := auth.FromContext(ctx); p != nil {
		subject = p.Subject
	}
	conn, _ := ctx.Value(connectionKey{}).(*connection)
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limits
	switch {
	case conn != nil && l.PerConnection > 0 && conn.open >= l.PerConnection:
		return nil, tooManySubscriptions("this connection has %d subscriptions open, the most one connection may have (MAX_SUBSCRIPTIONS_PER_CONNECTION)", conn.open)
	case subject != "" && l.PerSubject > 0 && s.bySubject[subject] >= l.PerSubject:
		return nil, tooManySubscriptions("%q has %d subscriptions open, the most one token subject may have (MAX_SUBSCRIPTIONS_PER_SUBJECT)", subject, s.bySubject[subject])
	case l.Total > 0 && s.total >= l.Total:
		return nil, tooManySubscriptions("the server has %d subscriptions open, its limit (MAX_SUBSCRIPTIONS): retry later", s.total)
	}
	s.total++
	metrics.SubscriptionsOpen.Inc()
	if subject != "" {
		s.bySubject[subject]++
	}
	if conn != nil {
		conn.open++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.total--
			metrics.SubscriptionsOpen.Dec()
			if subject != "" {
				if s.bySubject[subject]--; s.bySubject[subject] == 0 {
					delete(s.bySubject, subject)
				}
			}
			if conn != nil {
				conn.open--
			}
		})
	}, nil
}

// openSubscription opens a subscription within the limits: a slot is
// taken for it and given back when its context ends (or open fails).
func openSubscription[T any](ctx context.Context, s *Subscriptions, open func() (<-chan T, error)) (<-chan T, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	ch, err := open()
	if err != nil {
		release()
		return nil, err
	}
	go func() { <-ctx.Done(); release() }() // the subscription's context ends with it
	return ch, nil
}

// Open is the number of subscriptions open (tests, metrics).
func (s *Subscriptions) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func tooManySubscriptions(format string, args ...any) error {
	return domain.Errorf(domain.CodeTooManySubscriptions, format, args...)
}
