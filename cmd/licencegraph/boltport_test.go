package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/config"
)

// With NEO4J_BOLT_PORT set and NEO4J_URI unset, every command that opens
// the database dials that port on loopback, never 7687: a listener on a
// free port sees each command's connection.
func TestCommandsDialNEO4JBoltPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close() // not Neo4j: the command fails, after dialling here
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	env := map[string]string{
		"NEO4J_BOLT_PORT": port, "NEO4J_MAX_RETRY_TIME": "100ms", "NEO4J_CONNECT_TIMEOUT": "500ms",
	}
	getenv := func(k string) string { return env[k] }
	dir := t.TempDir()
	file := filepath.Join(dir, "x.sectors.csv")
	if err := os.WriteFile(file, []byte("id,name\nmining,Mining\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"ping", "--timeout", "1s"}, {"migrate"}, {"seed", "--no-progress", file}, {"export", "--format", "seed", "--out", filepath.Join(dir, "backup")}} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			if err := run(ctx, args, getenv, &stdout, &stderr); err == nil {
				t.Fatalf("%s succeeded against a listener that is not Neo4j", args[0])
			}
			select {
			case <-accepted:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s never dialled 127.0.0.1:%s (stderr %q)", args[0], port, stderr.String())
			}
			for len(accepted) > 0 { // retries of the same command
				<-accepted
			}
		})
	}
}

// scripts/run.sh (make run) uses the Neo4j that NEO4J_URI names or, unset,
// the one on NEO4J_BOLT_PORT: the script runs in a copy of the tree with
// stand-ins for go, the binary and the launcher, which record what each
// step was pointed at.
func TestRunScriptFollowsNEO4JBoltPort(t *testing.T) {
	script, err := os.ReadFile("../../scripts/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      []string
		pingExit string
		wantURI  string
		started  bool
	}{
		{"port set, nothing answers: started there", []string{"NEO4J_BOLT_PORT=7811"}, "1", "bolt://127.0.0.1:7811", true},
		{"port set, its Neo4j answers", []string{"NEO4J_BOLT_PORT=7811"}, "0", "bolt://127.0.0.1:7811", false},
		{"nothing set", nil, "0", "bolt://127.0.0.1:7687", false},
		{"URI set and answers", []string{"NEO4J_BOLT_PORT=7811", "NEO4J_URI=bolt://db.example:7999"}, "0", "bolt://db.example:7999", false},
		{"URI set, does not answer: local one on the port", []string{"NEO4J_BOLT_PORT=7811", "NEO4J_URI=bolt://db.example:7999"}, "1", "bolt://127.0.0.1:7811", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			log := filepath.Join(root, "calls.log")
			write := func(rel, body string) {
				p := filepath.Join(root, rel)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			write("scripts/run.sh", string(script))
			// The binary records its command and the two variables it reads.
			binary := "#!/bin/sh\necho \"$1|${NEO4J_URI-}|${NEO4J_BOLT_PORT-}\" >> " + log + "\n" +
				"if [ \"$1\" = ping ]; then exit " + tt.pingExit + "; fi\n"
			write("stub/go", "#!/bin/sh\nmkdir -p bin\ncat > bin/licencegraph <<'EOF'\n"+binary+"EOF\nchmod +x bin/licencegraph\n")
			write("tools/neo4j-local/neo4j-local.sh", "echo \"start|${NEO4J_BOLT_PORT-7687}\" >> "+log+"\n")

			cmd := exec.Command("bash", filepath.Join(root, "scripts/run.sh"))
			cmd.Env = append([]string{"PATH=" + filepath.Join(root, "stub") + ":/usr/bin:/bin", "HOME=" + root}, tt.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("run.sh: %v\n%s", err, out)
			}
			calls, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			var steps []string
			started := false
			for _, line := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
				f := strings.Split(line, "|")
				if f[0] == "start" {
					started = true
					if want := strings.TrimPrefix(tt.wantURI, "bolt://127.0.0.1:"); f[1] != want {
						t.Errorf("local Neo4j started on port %s, want %s", f[1], want)
					}
					continue
				}
				steps = append(steps, f[0])
				// What the binary makes of its environment (internal/config).
				cfg, err := config.FromEnv(func(k string) string {
					return map[string]string{"NEO4J_URI": f[1], "NEO4J_BOLT_PORT": f[2]}[k]
				})
				if err != nil {
					t.Fatal(err)
				}
				if f[0] == "ping" {
					if want := uriBefore(tt.env); cfg.Neo4jURI != want {
						t.Errorf("ping probed %s, want %s", cfg.Neo4jURI, want)
					}
					continue
				}
				if cfg.Neo4jURI != tt.wantURI {
					t.Errorf("%s used %s, want %s", f[0], cfg.Neo4jURI, tt.wantURI)
				}
			}
			if got := strings.Join(steps, " "); got != "ping migrate seed serve" {
				t.Errorf("steps %q, want ping migrate seed serve", got)
			}
			if started != tt.started {
				t.Errorf("local Neo4j started: %v, want %v", started, tt.started)
			}
		})
	}
}

// uriBefore is the database the environment names before run.sh changes it.
func uriBefore(env []string) string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	if m["NEO4J_URI"] != "" {
		return m["NEO4J_URI"]
	}
	if m["NEO4J_BOLT_PORT"] != "" {
		return "bolt://127.0.0.1:" + m["NEO4J_BOLT_PORT"]
	}
	return "bolt://127.0.0.1:7687"
}
