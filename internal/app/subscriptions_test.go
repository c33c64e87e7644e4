package app

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Subscriptions are bounded per connection, per token subject and in all,
// and refused past a bound with TOO_MANY_SUBSCRIPTIONS naming it; a
// completed subscription gives its slot back. However many are open, the
// audit trail is polled once per interval.
func TestSubscriptionLimits(t *testing.T) {
	t.Setenv("MAX_SUBSCRIPTIONS_PER_CONNECTION", "3")
	t.Setenv("MAX_SUBSCRIPTIONS_PER_SUBJECT", "4")
	t.Setenv("MAX_SUBSCRIPTIONS", "6")
	t.Setenv("EVENTS_POLL_INTERVAL", "100ms")
	w := newAuthWorld(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Subscriptions on one connection start concurrently: each gets a
	// moment to take its slot before the next is sent.
	subscribe := func(c *wsClient, ids ...string) {
		for _, id := range ids {
			c.subscribe(id, "")
			time.Sleep(200 * time.Millisecond)
		}
	}
	refused := func(c *wsClient, id, limit string) {
		t.Helper()
		c.subscribe(id, "")
		m := c.next(5 * time.Second)
		if m.ID != id || (m.Type != "error" && m.Type != "next") ||
			!strings.Contains(string(m.Payload), "TOO_MANY_SUBSCRIPTIONS") || !strings.Contains(string(m.Payload), limit) {
			t.Fatalf("subscription %s: want TOO_MANY_SUBSCRIPTIONS naming %s, got %s %s %s", id, limit, m.Type, m.ID, m.Payload)
		}
		if m.Type == "next" { // an error of the subscription's resolver; its end follows
			if m := c.next(5 * time.Second); m.ID != id || m.Type != "complete" {
				t.Fatalf("subscription %s: after the refusal %s %s %s", id, m.Type, m.ID, m.Payload)
			}
		}
	}
	a := dialEvents(t, ctx, w.url, "Bearer reader-api-key") // subject reader-svc
	subscribe(a, "a1", "a2", "a3")
	refused(a, "a4", "MAX_SUBSCRIPTIONS_PER_CONNECTION")
	b := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
	subscribe(b, "b1")
	refused(b, "b2", "MAX_SUBSCRIPTIONS_PER_SUBJECT")
	c := dialEvents(t, ctx, w.url, "Bearer editor-api-key") // subject editor-svc
	subscribe(c, "c1", "c2")
	refused(c, "c3", "MAX_SUBSCRIPTIONS")

	// Six open: one poll of the trail per interval, not one per subscription.
	before := w.app.Store.Queries()
	time.Sleep(2 * time.Second)
	if polls := w.app.Store.Queries() - before; polls > 30 {
		t.Errorf("%d statements in 2 s with 6 subscriptions polling every 100 ms: more than one poll per interval", polls)
	} else {
		t.Logf("%d statements in 2 s with 6 subscriptions", polls)
	}

	// A completed subscription frees its slot: c4 is accepted and, with
	// c1 and c2, gets the event of a grant.
	a.send(map[string]any{"id": "a1", "type": "complete"})
	time.Sleep(500 * time.Millisecond) // the slot is given back when the subscription's context ends
	c.subscribe("c4", "")
	time.Sleep(300 * time.Millisecond) // c4 has taken its starting point
	if resp, raw := w.post("editor-api-key", `mutation { grantLicence(input: {id: "L-limits"}) { id } }`, nil); len(resp.Errors) > 0 {
		t.Fatalf("grant: %s", raw)
	}
	got := map[string]bool{}
	for range 3 {
		m := c.next(5 * time.Second)
		if m.Type != "next" {
			t.Fatalf("want events for c1, c2 and c4, got %s %s %s", m.Type, m.ID, m.Payload)
		}
		got[m.ID] = true
	}
	if !got["c1"] || !got["c2"] || !got["c4"] {
		t.Fatalf("events for %v, want c1, c2 and c4", got)
	}
}
