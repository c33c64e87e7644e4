package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/licencegraph/licencegraph/internal/seed"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

const exposureAlertsSubscription = `subscription($ids: [ID!], $sector: ID, $after: String) {
  exposureAlerts(companyIds: $ids, sector: $sector, after: $after) {
    cursor company { id } exposed at asOf writes
    change { actor operation ids count }
    paths { depth hops { supplier { id } customer { id } reason licences { id } } }
    hops { supplier { id } customer { id } covered reason licences { id } }
  }
}`

type alertHop struct {
	Supplier struct{ ID string }   `json:"supplier"`
	Customer struct{ ID string }   `json:"customer"`
	Covered  bool                  `json:"covered"`
	Reason   *string               `json:"reason"`
	Licences []struct{ ID string } `json:"licences"`
}

func (h alertHop) String() string {
	var ls []string
	for _, l := range h.Licences {
		ls = append(ls, l.ID)
	}
	reason := "covered"
	if h.Reason != nil {
		reason = *h.Reason
	}
	return h.Supplier.ID + "->" + h.Customer.ID + ":" + reason + ":" + strings.Join(ls, ",")
}

type exposureAlert struct {
	Cursor  string              `json:"cursor"`
	Company struct{ ID string } `json:"company"`
	Exposed bool                `json:"exposed"`
	At      time.Time           `json:"at"`
	AsOf    string              `json:"asOf"`
	Writes  int                 `json:"writes"`
	Change  *struct {
		Actor     string   `json:"actor"`
		Operation string   `json:"operation"`
		IDs       []string `json:"ids"`
		Count     int      `json:"count"`
	} `json:"change"`
	Paths []struct {
		Depth int        `json:"depth"`
		Hops  []alertHop `json:"hops"`
	} `json:"paths"`
	Hops []alertHop `json:"hops"`
}

// summary is what the tests compare: company, state, the write, the first
// hops of its paths or its changed hops.
func (a exposureAlert) summary() string {
	write := "date"
	if a.Change != nil {
		write = a.Change.Actor + "/" + a.Change.Operation + "/" + strings.Join(a.Change.IDs, ",")
	}
	var hops []string
	for _, p := range a.Paths {
		hops = append(hops, p.Hops[0].String())
	}
	for _, h := range a.Hops {
		hops = append(hops, h.String())
	}
	state := "no longer exposed"
	if a.Exposed {
		state = "exposed"
	}
	return a.Company.ID + " " + state + " by " + write + " [" + strings.Join(hops, " ") + "]"
}

func (c *wsClient) watch(id string, vars map[string]any) {
	c.start(id, exposureAlertsSubscription, vars)
}

// alert waits for the next alert of subscription id.
func (c *wsClient) alert(id string, timeout time.Duration) exposureAlert {
	c.t.Helper()
	var a exposureAlert
	c.nextData(id, timeout, "exposureAlerts", &a)
	return a
}

// quiet fails if a message other than a ping arrives within d. The
// connection closes at the end of d (a read's deadline ends it): call it
// last.
func (c *wsClient) quiet(d time.Duration) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, d)
	defer cancel()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, c.conn, &m); err != nil {
			return
		}
		if m.Type == "next" || m.Type == "error" {
			c.t.Fatalf("unexpected %s %s: %s", m.Type, m.ID, m.Payload)
		}
	}
}

// alertBound is how soon after a write's acknowledgement its alert must
// arrive (issue 17).
const alertBound = 2 * time.Second

// timedAlert waits for the alert of a write acknowledged at acked and
// checks the bound.
func timedAlert(t *testing.T, c *wsClient, id string, acked time.Time, what string) exposureAlert {
	t.Helper()
	a := c.alert(id, 10*time.Second)
	d := time.Since(acked)
	t.Logf("%s: alert %s after the write's acknowledgement", what, d.Round(time.Millisecond))
	if d > alertBound {
		t.Errorf("%s: alert after %s, want within %s", what, d, alertBound)
	}
	return a
}

// Exposure alerts over graphql-ws on the real Neo4j: who may watch and
// what is refused; an alert within 2 s of a mutation and of a seed load
// by another process, both ways (exposed, no longer exposed); resuming
// after a reconnect; a sector watched; a date passing alerts once.
func TestExposureAlerts(t *testing.T) {
	w := newAuthWorld(t, false)
	testutil.ResetGraph(t, w.cfg)
	if _, err := seed.New(w.app.Store, seed.Options{Logger: testutil.Logger(t)}).Load(context.Background(), []string{filepath.Join("testdata", "alerts")}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// The alerts' clock: real time, moved past a licence's last day by
	// the date test.
	var offset atomic.Int64
	w.app.Alerts.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := testutil.BuildLicencegraph(t)
	mutate := func(q string) time.Time {
		t.Helper()
		if resp, raw := w.post("editor-api-key", q, nil); len(resp.Errors) > 0 {
			t.Fatalf("%s: %s", q, raw)
		}
		return time.Now()
	}

	t.Run("refused", func(t *testing.T) {
		many := make([]string, 1001)
		for i := range many {
			many[i] = "c" + string(rune('a'+i%26))
		}
		for _, tc := range []struct {
			name, authorization string
			vars                map[string]any
			want                string
		}{
			{"anonymous with anonymous reads off", "", map[string]any{"ids": []string{"us-w"}}, "UNAUTHENTICATED"},
			{"nothing to watch", "Bearer reader-api-key", map[string]any{}, "BAD_USER_INPUT"},
			{"too many ids", "Bearer reader-api-key", map[string]any{"ids": many}, "BAD_USER_INPUT"},
			{"unknown company", "Bearer reader-api-key", map[string]any{"ids": []string{"us-w", "nobody"}}, "NOT_FOUND"},
			{"not a cursor", "Bearer reader-api-key", map[string]any{"ids": []string{"us-w"}, "after": "x"}, "BAD_USER_INPUT"},
			{"a cursor of another graph", "Bearer reader-api-key", map[string]any{"ids": []string{"us-w"}, "after": "old-epoch~3~2026-01-01~us-w"}, "BAD_USER_INPUT"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := dialEvents(t, ctx, w.url, tc.authorization)
				c.watch("1", tc.vars)
				if got := c.refusal("1"); got != tc.want {
					t.Fatalf("code %s, want %s", got, tc.want)
				}
			})
		}
	})

	reader := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
	reader.watch("us", map[string]any{"ids": []string{"us-w"}})
	time.Sleep(500 * time.Millisecond) // the watch has judged its starting point
	var last exposureAlert

	t.Run("revoking the licence of its first hop", func(t *testing.T) {
		acked := mutate(`mutation { revokeLicence(id: "L-w", reason: "test") { id } }`)
		a := timedAlert(t, reader, "us", acked, "revokeLicence")
		if got, want := a.summary(), "us-w exposed by editor-svc/revokeLicence/L-w [cn-a->us-w:REVOKED:L-w]"; got != want || a.Writes != 1 {
			t.Fatalf("alert %q (writes %d), want %q", got, a.Writes, want)
		}
		if today := time.Now().UTC().Format(time.DateOnly); a.AsOf != today {
			t.Errorf("asOf %s, want today %s", a.AsOf, today)
		}
	})

	t.Run("granting it back", func(t *testing.T) {
		acked := mutate(`mutation { grantLicence(input: {id: "L-w2", holder: "cn-a", clients: ["us-w"], materials: ["Dy"]}) { id } }`)
		a := timedAlert(t, reader, "us", acked, "grantLicence")
		if got, want := a.summary(), "us-w no longer exposed by editor-svc/grantLicence/L-w2 [cn-a->us-w:covered:L-w,L-w2]"; got != want {
			t.Fatalf("alert %q, want %q", got, want)
		}
	})

	t.Run("seed load in another process", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "more.supply.yaml")
		if err := os.WriteFile(file, []byte("- supplier: cn-b\n  customer: us-w\n  materials: [Dy]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, bin, "seed", "--no-progress", file)
		cmd.Env = append(os.Environ(), "NEO4J_URI="+w.cfg.Neo4jURI)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("licencegraph seed: %v\n%s", err, out)
		}
		a := timedAlert(t, reader, "us", time.Now(), "seed load")
		if got, want := a.summary(), "us-w exposed by seed/seed supply/cn-b->us-w [cn-b->us-w:NO_LICENCE:]"; got != want {
			t.Fatalf("alert %q, want %q", got, want)
		}
		last = a
	})

	t.Run("resume after a reconnect", func(t *testing.T) {
		reader.conn.Close(websocket.StatusNormalClosure, "")
		// Written while no client listens: no longer exposed, then again.
		mutate(`mutation { grantLicence(input: {id: "L-b2", holder: "cn-b", clients: ["us-w"], materials: ["Dy"]}) { id } }`)
		time.Sleep(500 * time.Millisecond) // judged apart
		mutate(`mutation { revokeLicence(id: "L-w2") { id } }`)
		time.Sleep(500 * time.Millisecond)

		c := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
		c.watch("again", map[string]any{"ids": []string{"us-w"}, "after": last.Cursor})
		first, second := c.alert("again", 5*time.Second), c.alert("again", 5*time.Second)
		want := []string{
			"us-w no longer exposed by editor-svc/grantLicence/L-b2 [cn-b->us-w:covered:L-b2]",
			"us-w exposed by editor-svc/revokeLicence/L-w2 [cn-a->us-w:REVOKED:L-w,L-w2]",
		}
		if got := []string{first.summary(), second.summary()}; !slices.Equal(got, want) {
			t.Fatalf("resumed with %q, want %q", got, want)
		}
		c.quiet(700 * time.Millisecond) // nothing older is repeated, nothing else arrives

		// From the first of them: only the second.
		d := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
		d.watch("later", map[string]any{"ids": []string{"us-w"}, "after": first.Cursor})
		if got := d.alert("later", 5*time.Second); got.Cursor != second.Cursor {
			t.Fatalf("resumed from the first with %q, want the second", got.summary())
		}
		d.quiet(700 * time.Millisecond)
	})

	t.Run("sector", func(t *testing.T) {
		c := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
		c.watch("auto", map[string]any{"sector": "automotive"})
		time.Sleep(500 * time.Millisecond)
		// de-w is automotive (automotive-oem); fr-y, reached through it,
		// is not: one alert.
		acked := mutate(`mutation { revokeLicence(id: "L-d") { id } }`)
		a := timedAlert(t, c, "auto", acked, "revokeLicence, sector")
		if got, want := a.summary(), "de-w exposed by editor-svc/revokeLicence/L-d [cn-b->de-w:REVOKED:L-d]"; got != want {
			t.Fatalf("alert %q, want %q", got, want)
		}
		c.quiet(700 * time.Millisecond)
		c.conn.Close(websocket.StatusNormalClosure, "")
	})

	t.Run("a date passing alerts once", func(t *testing.T) {
		// L-e covers cn-c→jp-d until 2030-06-30 included.
		midnight := time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC)
		offset.Store(int64(time.Until(midnight.Add(-time.Hour))))
		c := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
		c.watch("dated", map[string]any{"ids": []string{"jp-d"}})
		time.Sleep(time.Second)                                    // judged on 2030-06-30: covered
		offset.Store(int64(time.Until(midnight.Add(time.Second)))) // the clock passes midnight
		moved := time.Now()
		a := c.alert("dated", time.Minute)
		t.Logf("date passing: alert %s after the clock passed midnight", time.Since(moved).Round(time.Millisecond))
		if got, want := a.summary(), "jp-d exposed by date [cn-c->jp-d:EXPIRED:L-e]"; got != want || a.AsOf != "2030-07-01" {
			t.Fatalf("alert %q on %s, want %q on 2030-07-01", got, a.AsOf, want)
		}
		if late := a.At.Sub(midnight); late > time.Minute {
			t.Errorf("alert %s after midnight, want within a minute", late)
		}
		// Only once: more polls on the same day, and a write judged on
		// it, bring nothing.
		time.Sleep(time.Second)
		mutate(`mutation { grantLicence(input: {id: "L-other", holder: "cn-a", clients: ["fr-y"], materials: ["Dy"]}) { id } }`)
		c.quiet(1500 * time.Millisecond)
	})
}
