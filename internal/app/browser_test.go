package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Headless Chromium opens GraphiQL on the README's questions, one tab each,
// with the Docs pane open (the schema came through introspection), types
// a query, runs it and sees the server's answer; the page must load
// nothing from outside localhost. The
// browser side is web/e2e/graphiql.mjs (playwright-core).
func TestGraphiQLInHeadlessChromium(t *testing.T) {
	cfg := testutil.Config(t)
	chromium, webDir := testutil.RequireBrowser(t)
	srv := startServer(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	screenshot := filepath.Join(t.TempDir(), "graphiql.png")
	cmd := exec.CommandContext(ctx, "node", filepath.Join(webDir, "e2e", "graphiql.mjs"))
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(),
		"BASE_URL="+srv.URL,
		"CHROMIUM_PATH="+chromium,
		"E2E_QUERY={ stats { companies sectors } }",
		`E2E_EXPECT="sectors"`,
		"E2E_SCREENSHOT="+screenshot,
		// It opens on the README's questions, with the Docs pane open.
		"E2E_TABS=ExposedAutomakers,WhyIsGMExposed,NextSixMonths",
		"E2E_DOCS=1",
	)
	out, err := cmd.CombinedOutput()
	t.Logf("e2e output:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	if !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Fatalf("browser test did not report a pass")
	}
	if fi, err := os.Stat(screenshot); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot written: %v", err)
	}
}

// GraphiQL runs a subscription with the token pasted into its headers
// editor (anonymous reads off, so the token must reach the websocket's
// connection_init) and shows the event of a grant made meanwhile.
func TestGraphiQLSubscriptionWithToken(t *testing.T) {
	chromium, webDir := testutil.RequireBrowser(t)
	w := newAuthWorld(t, false)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(webDir, "e2e", "graphiql.mjs"))
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(),
		"BASE_URL="+w.url,
		"CHROMIUM_PATH="+chromium,
		"E2E_QUERY=subscription { licenceEvents { kind licenceIds actor } }",
		`E2E_EXPECT="GRANTED"`,
		`E2E_HEADERS={"Authorization": "Bearer reader-api-key"}`,
	)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() {
		defer close(done)
		out, err = cmd.CombinedOutput()
	}()
	// Grant until the page shows the event: it subscribes once the page
	// has loaded, which takes a few seconds. Each grant is a new licence:
	// granting the same one again changes nothing and announces nothing.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
wait:
	for n := 0; ; n++ {
		select {
		case <-done:
			break wait
		case <-tick.C:
			grant := fmt.Sprintf(`mutation { grantLicence(input: {id: "L-browser-%d", holder: "cn-mag", clients: ["us-oem"]}) { id } }`, n)
			if resp, raw := w.post("editor-api-key", grant, nil); len(resp.Errors) > 0 {
				t.Fatalf("grantLicence: %s", raw)
			}
		}
	}
	t.Logf("e2e output:\n%s", out)
	if err != nil || !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Fatalf("browser subscription test failed: %v", err)
	}
}
