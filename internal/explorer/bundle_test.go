package explorer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The committed bundles are what web/ builds from its lock file: a
// rebuild into a scratch copy of the layout gives the same bytes, for
// GraphiQL and the explorer alike. Needs node and web/node_modules
// (skipped without them; a failure under LICENCEGRAPH_REQUIRE_NODE=1,
// as in `make test`).
func TestCommittedBundlesMatchABuild(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(root, "web")
	_, errNode := exec.LookPath("node")
	_, errMods := os.Stat(filepath.Join(web, "node_modules", "esbuild"))
	if errNode != nil || errMods != nil {
		msg := "needs node and web/node_modules (npm ci --prefix web)"
		if os.Getenv("LICENCEGRAPH_REQUIRE_NODE") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	out := t.TempDir()
	cmd := exec.Command("node", filepath.Join("scripts", "build.mjs"))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "WEB_OUT_ROOT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	for _, f := range []string{
		"internal/graphiql/assets/graphiql.js", "internal/graphiql/assets/graphiql.css",
		"internal/explorer/assets/explorer.js", "internal/explorer/assets/explorer.css",
	} {
		built, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(built, committed) {
			t.Errorf("%s differs from a build of web/ (%d bytes built, %d committed): run `make web` and commit", f, len(built), len(committed))
		}
	}
}
