package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/golang-jwt/jwt/v5"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// dialRaw opens a graphql-transport-ws websocket with the given upgrade
// headers and sends connection_init with payload; it returns the first
// message's type, or the close status when the server closes instead, or
// the upgrade's HTTP status when it refuses.
func dialRaw(t *testing.T, base string, header http.Header, payload map[string]any) (msgType string, closed websocket.StatusCode, httpStatus int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return "", -1, resp.StatusCode
	}
	defer conn.CloseNow()
	if err := wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": payload}); err != nil {
		t.Fatal(err)
	}
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return "", ce.Code, http.StatusSwitchingProtocols
			}
			t.Fatalf("read: %v", err)
		}
		if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
			return m.Type, -1, http.StatusSwitchingProtocols
		}
	}
}

// Websockets follow the one origin policy, CORS_ALLOWED_ORIGINS: with its
// default, *, any origin may subscribe (it was 403 for every other
// origin); restricted, the listed origins and the server's own may, others
// get 403, as they get no CORS headers on POST.
func TestWebsocketOriginsFollowCORS(t *testing.T) {
	open := startServer(t, testutil.Config(t))
	restrictedCfg := testutil.Config(t)
	restrictedCfg.CORSOrigins = []string{"https://explorer.example"}
	restricted := startServer(t, restrictedCfg)
	for _, tc := range []struct {
		name, base, origin string
		allowed            bool
	}{
		{"default *: another origin", open.URL, "https://elsewhere.example", true},
		{"default *: no origin", open.URL, "", true},
		{"restricted: a listed origin", restricted.URL, "https://explorer.example", true},
		{"restricted: the server's own origin", restricted.URL, restricted.URL, true},
		{"restricted: no origin (not a browser)", restricted.URL, "", true},
		{"restricted: another origin", restricted.URL, "https://evil.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			typ, _, status := dialRaw(t, tc.base, h, map[string]any{})
			if tc.allowed && typ != "connection_ack" {
				t.Errorf("upgrade %d, first message %q: want connection_ack", status, typ)
			}
			if !tc.allowed && status != http.StatusForbidden {
				t.Errorf("upgrade %d (first message %q), want 403", status, typ)
			}
			// The same answer as CORS gives a POST from that origin.
			if tc.origin != "" && tc.origin != tc.base {
				req, _ := http.NewRequest(http.MethodOptions, tc.base+"/graphql", nil)
				req.Header.Set("Origin", tc.origin)
				req.Header.Set("Access-Control-Request-Method", http.MethodPost)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.Header.Get("Access-Control-Allow-Origin") != ""; got != tc.allowed {
					t.Errorf("CORS allows it: %v, websockets: %v", got, tc.allowed)
				}
			}
		})
	}
}

// A bad token in connection_init (or in the upgrade request's header) is
// not acknowledged: the graphql-ws protocol's answer is to close with
// 4403 Forbidden. No token is acknowledged (what it may do is decided per
// operation), and so is a valid one.
func TestWebsocketBadTokenClosesWith4403(t *testing.T) {
	w := newAuthWorld(t, false)
	bearer := func(v string) http.Header { return http.Header{"Authorization": {v}} }
	for _, tc := range []struct {
		name    string
		header  http.Header
		payload map[string]any
		ack     bool
	}{
		{"unknown API key", nil, map[string]any{"Authorization": "Bearer not-a-key"}, false},
		{"not a bearer token", nil, map[string]any{"Authorization": "Basic abc"}, false},
		{"expired JWT", nil, map[string]any{"Authorization": "Bearer " + w.jwt(jwt.SigningMethodHS256, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})}, false},
		{"bad token in the upgrade header", bearer("Bearer not-a-key"), map[string]any{}, false},
		{"a valid token in the payload replaces a bad header", bearer("Bearer not-a-key"), map[string]any{"Authorization": "Bearer reader-api-key"}, true},
		{"no token", nil, map[string]any{}, true},
		{"a reader's API key", nil, map[string]any{"Authorization": "Bearer reader-api-key"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ, code, status := dialRaw(t, w.url, tc.header, tc.payload)
			switch {
			case tc.ack && typ != "connection_ack":
				t.Errorf("upgrade %d, message %q, close %d: want connection_ack", status, typ, code)
			case !tc.ack && code != 4403:
				t.Errorf("upgrade %d, message %q, close %d: want close 4403", status, typ, code)
			}
		})
	}
}
