package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// Headless Chromium opens GraphiQL, types a query, runs it and sees the
// server's answer; the page must load nothing from outside localhost. The
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
