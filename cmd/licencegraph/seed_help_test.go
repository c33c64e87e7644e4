package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/seed"
)

// `licencegraph seed --help` lists every kind of internal/seed's table, in
// load order, each with exactly its columns: name, type, presence, meaning
// (and an enum's values). It needs no configuration and no database.
func TestSeedHelpListsTheTable(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		t.Run(flag, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			noEnv := func(string) string { return "" }
			if err := run(context.Background(), []string{"seed", flag}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("seed %s: %v (stderr %q)", flag, err, stderr.String())
			}
			got := helpSections(stdout.String())
			var kinds []string
			for _, k := range seed.Kinds {
				kinds = append(kinds, string(k.Kind))
				var want []string
				for _, c := range k.Columns {
					want = append(want, strings.Join([]string{c.Name, c.TypeName(), c.Presence(), c.Doc}, " | "))
					if len(c.Values) > 0 {
						want = append(want, "one of "+strings.Join(c.Values, ", "))
					}
				}
				if g := got[string(k.Kind)]; strings.Join(g, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s:\n  help:  %s\n  table: %s", k.Kind, strings.Join(g, "\n         "), strings.Join(want, "\n         "))
				}
			}
			if order := strings.Join(got["order"], " "); order != strings.Join(kinds, " ") {
				t.Errorf("kinds in the help: %s; load order: %s", order, strings.Join(kinds, " "))
			}
			for _, s := range []string{"usage: licencegraph seed", "-dry-run", "docs/seed-format.md", "2025-12-grants.licences.csv", "';'"} {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("the help does not mention %q", s)
				}
			}
		})
	}
}

var (
	kindLine   = regexp.MustCompile(`^([a-z]+):$`)
	columnLine = regexp.MustCompile(`^  (\S+) {2,}(\S+(?: \S+)*) {2,}(\S+(?: \S+)?) {2,}(\S.*)$`)
)

// helpSections reads the help's kind sections: kind → its lines, columns
// as "name | type | presence | meaning", value lines as they are; "order"
// → the kinds in the order shown.
func helpSections(help string) map[string][]string {
	out := map[string][]string{}
	kind := ""
	for _, line := range strings.Split(help, "\n") {
		switch {
		case kindLine.MatchString(line):
			kind = kindLine.FindStringSubmatch(line)[1]
			out["order"] = append(out["order"], kind)
		case kind == "" || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "   "):
			out[kind] = append(out[kind], strings.TrimSpace(line))
		default:
			if m := columnLine.FindStringSubmatch(line); m != nil {
				out[kind] = append(out[kind], strings.Join(m[1:], " | "))
			} else {
				out[kind] = append(out[kind], "unparsed: "+line)
			}
		}
	}
	return out
}
