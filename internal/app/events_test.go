package app

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/golang-jwt/jwt/v5"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// wsClient speaks graphql-transport-ws (the graphql-ws library's protocol)
// to the server, as GraphiQL does.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialEvents connects and sends connection_init with authorization (empty:
// none) and waits for the ack.
func dialEvents(t *testing.T, ctx context.Context, url, authorization string) *wsClient {
	t.Helper()
	wsURL := "ws" + strings.TrimPrefix(url, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial %s: %v", wsURL, err)
	}
	c := &wsClient{t: t, conn: conn, ctx: ctx}
	t.Cleanup(func() { conn.Close(websocket.StatusNormalClosure, "") })
	payload := map[string]any{}
	if authorization != "" {
		payload["Authorization"] = authorization
	}
	c.send(map[string]any{"type": "connection_init", "payload": payload})
	if m := c.next(5 * time.Second); m.Type != "connection_ack" {
		t.Fatalf("after connection_init got %s %s", m.Type, m.Payload)
	}
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := wsjson.Write(c.ctx, c.conn, v); err != nil {
		c.t.Fatalf("websocket write: %v", err)
	}
}

// next returns the next message that is not a ping or pong (pings are
// answered), failing the test after timeout.
func (c *wsClient) next(timeout time.Duration) wsMessage {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, timeout)
	defer cancel()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, c.conn, &m); err != nil {
			c.t.Fatalf("no websocket message within %s: %v", timeout, err)
		}
		switch m.Type {
		case "ping":
			c.send(map[string]any{"type": "pong"})
		case "pong", "ka":
		default:
			return m
		}
	}
}

const licenceEventsSubscription = `subscription($after: String) {
  licenceEvents(after: $after) { cursor kind actor operation licenceIds count licences { id status clients { id } } }
}`

type licenceEvent struct {
	Cursor     string   `json:"cursor"`
	Kind       string   `json:"kind"`
	Actor      string   `json:"actor"`
	Operation  string   `json:"operation"`
	LicenceIDs []string `json:"licenceIds"`
	Count      int      `json:"count"`
	Licences   []struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Clients []struct {
			ID string `json:"id"`
		} `json:"clients"`
	} `json:"licences"`
}

func (c *wsClient) subscribe(id string, after string) {
	vars := map[string]any{}
	if after != "" {
		vars["after"] = after
	}
	c.start(id, licenceEventsSubscription, vars)
}

// start sends a subscription.
func (c *wsClient) start(id, query string, vars map[string]any) {
	c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

// event waits for the next licence event of subscription id.
func (c *wsClient) event(id string, timeout time.Duration) licenceEvent {
	c.t.Helper()
	var ev licenceEvent
	c.nextData(id, timeout, "licenceEvents", &ev)
	return ev
}

// nextData waits for the next result of subscription id and decodes its
// field into v, failing on errors.
func (c *wsClient) nextData(id string, timeout time.Duration, field string, v any) {
	c.t.Helper()
	m := c.next(timeout)
	if m.ID != id || m.Type != "next" {
		c.t.Fatalf("want next for %s, got %s %s: %s", id, m.Type, m.ID, m.Payload)
	}
	var p struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []gqlError                 `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("%s payload %s (err %v)", field, m.Payload, err)
	}
	if err := json.Unmarshal(p.Data[field], v); err != nil {
		c.t.Fatalf("%s payload %s: %v", field, m.Payload, err)
	}
}

// refusal waits for subscription id to fail and returns its error code.
func (c *wsClient) refusal(id string) string {
	c.t.Helper()
	m := c.next(5 * time.Second)
	var errs []gqlError
	switch m.Type {
	case "error":
		json.Unmarshal(m.Payload, &errs)
	case "next":
		var p struct {
			Errors []gqlError `json:"errors"`
		}
		json.Unmarshal(m.Payload, &p)
		errs = p.Errors
	}
	if m.ID != id || len(errs) == 0 {
		c.t.Fatalf("want an error for %s, got %s %s: %s", id, m.Type, m.ID, m.Payload)
	}
	code, _ := errs[0].Extensions["code"].(string)
	return code
}

// Licence events over graphql-ws: tokens from connection_init, an event
// for a mutation and for a seed load by another process within a second,
// and resuming from a cursor after a reconnect.
func TestLicenceEvents(t *testing.T) {
	w := newAuthWorld(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := testutil.BuildLicencegraph(t)

	t.Run("tokens", func(t *testing.T) {
		for _, tc := range []struct {
			name, authorization, want string
		}{
			// Invalid tokens are not acknowledged at all: TestWebsocketBadTokenClosesWith4403.
			{"anonymous with anonymous reads off", "", "UNAUTHENTICATED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := dialEvents(t, ctx, w.url, tc.authorization)
				c.subscribe("1", "")
				if got := c.refusal("1"); got != tc.want {
					t.Fatalf("code %s, want %s", got, tc.want)
				}
			})
		}
	})

	reader := dialEvents(t, ctx, w.url, "Bearer "+w.jwt(jwt.SigningMethodHS256, map[string]any{"roles": []string{"reader"}}))
	reader.subscribe("s", "")
	time.Sleep(300 * time.Millisecond) // the subscription has taken its starting point

	var last licenceEvent
	t.Run("mutation", func(t *testing.T) {
		resp, raw := w.post("editor-api-key", `mutation { grantLicence(input: {id: "L-live", holder: "cn-mag", clients: ["us-oem"], materials: ["NdFeB"]}) { id } }`, nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("grantLicence: %s", raw)
		}
		acked := time.Now()
		ev := reader.event("s", 5*time.Second)
		if d := time.Since(acked); d > time.Second {
			t.Errorf("event after %s, want within 1s", d)
		}
		if ev.Kind != "GRANTED" || ev.Actor != "editor-svc" || ev.Operation != "grantLicence" ||
			strings.Join(ev.LicenceIDs, ",") != "L-live" || ev.Count != 1 ||
			len(ev.Licences) != 1 || ev.Licences[0].Status != "ACTIVE" || len(ev.Licences[0].Clients) != 1 || ev.Licences[0].Clients[0].ID != "us-oem" {
			t.Fatalf("event %+v", ev)
		}
		last = ev
	})

	t.Run("seed load in another process", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "2026-grants.licences.yaml")
		grants := "- id: L-seeded-1\n  holder: cn-mag\n  clients: [us-oem]\n  materials: [NdFeB]\n- id: L-seeded-2\n  holder: cn-mag\n  clients: [jp-parts]\n"
		if err := os.WriteFile(file, []byte(grants), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, bin, "seed", "--no-progress", file)
		cmd.Env = append(os.Environ(), "NEO4J_URI="+w.cfg.Neo4jURI)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("licencegraph seed: %v\n%s", err, out)
		}
		loaded := time.Now()
		ev := reader.event("s", 5*time.Second)
		if d := time.Since(loaded); d > time.Second {
			t.Errorf("event after %s, want within 1s", d)
		}
		if ev.Kind != "IMPORTED" || ev.Actor != "seed" || ev.Operation != "seed licences" ||
			strings.Join(ev.LicenceIDs, ",") != "L-seeded-1,L-seeded-2" || ev.Count != 2 || len(ev.Licences) != 2 {
			t.Fatalf("event %+v", ev)
		}
		last = ev
	})

	t.Run("resume after a reconnect", func(t *testing.T) {
		reader.conn.Close(websocket.StatusNormalClosure, "")
		// Written while no client listens.
		for _, q := range []string{
			`mutation { revokeLicence(id: "L-live", on: "2026-01-15", reason: "test") { id } }`,
			`mutation { setLicenceExclusions(id: "L-seeded-1", sectorIds: ["automotive"]) { id } }`,
		} {
			if resp, raw := w.post("editor-api-key", q, nil); len(resp.Errors) > 0 {
				t.Fatalf("%s: %s", q, raw)
			}
		}
		c := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
		c.subscribe("again", last.Cursor)
		first, second := c.event("again", 5*time.Second), c.event("again", 5*time.Second)
		if first.Kind != "REVOKED" || first.LicenceIDs[0] != "L-live" || first.Licences[0].Status != "REVOKED" ||
			second.Kind != "EXCLUSIONS_CHANGED" || second.LicenceIDs[0] != "L-seeded-1" {
			t.Fatalf("resumed with %+v then %+v", first, second)
		}
		// Nothing older is repeated, and nothing else arrives.
		ctxQuiet, cancelQuiet := context.WithTimeout(ctx, 700*time.Millisecond)
		defer cancelQuiet()
		var m wsMessage
		if err := wsjson.Read(ctxQuiet, c.conn, &m); err == nil && m.Type == "next" {
			t.Fatalf("unexpected extra event %s", m.Payload)
		}
	})

	t.Run("bad cursor", func(t *testing.T) {
		c := dialEvents(t, ctx, w.url, "Bearer reader-api-key")
		c.subscribe("bad", "not-a-cursor")
		if got := c.refusal("bad"); got != "BAD_USER_INPUT" {
			t.Fatalf("code %s, want BAD_USER_INPUT", got)
		}
	})
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}
