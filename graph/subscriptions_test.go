package graph

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// Each bound refuses the subscription past it with TOO_MANY_SUBSCRIPTIONS
// naming its setting, and a release gives the slot back, once.
func TestSubscriptionsBounds(t *testing.T) {
	s := NewSubscriptions(SubscriptionLimits{PerConnection: 2, PerSubject: 3, Total: 5})
	caller := func(subject string) context.Context {
		ctx := withConnection(context.Background())
		if subject == "" {
			return ctx
		}
		return auth.WithPrincipal(ctx, &auth.Principal{Subject: subject, Roles: []auth.Role{auth.RoleReader}})
	}
	refused := func(ctx context.Context, setting string) {
		t.Helper()
		_, err := s.acquire(ctx)
		var derr *domain.Error
		if !errors.As(err, &derr) || derr.Code != domain.CodeTooManySubscriptions || !strings.Contains(derr.Message, setting) {
			t.Fatalf("want TOO_MANY_SUBSCRIPTIONS naming %s, got %v", setting, err)
		}
	}
	take := func(ctx context.Context) func() {
		t.Helper()
		release, err := s.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return release
	}
	alice1 := caller("alice")
	r1 := take(alice1)
	take(alice1)
	refused(alice1, "MAX_SUBSCRIPTIONS_PER_CONNECTION")
	alice2 := caller("alice")
	take(alice2)
	refused(alice2, "MAX_SUBSCRIPTIONS_PER_SUBJECT")
	anon := caller("") // no subject: its connection and the total count
	take(anon)
	take(anon)
	refused(caller("bob"), "MAX_SUBSCRIPTIONS")
	r1()
	r1() // twice: one slot back, not two
	take(caller("bob"))
	refused(caller("carol"), "MAX_SUBSCRIPTIONS")
	if s.Open() != 5 {
		t.Errorf("%d open, want 5", s.Open())
	}
}
