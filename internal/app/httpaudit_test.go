package app

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/testutil"
)

// explainedShoulds are graphql-http audits of a SHOULD the server does not
// follow, each with its reason in README.md ("GraphQL over HTTP"). Empty:
// every SHOULD passes.
var explainedShoulds = map[string]string{}

// The server passes graphql-http's server audit suite (the GraphQL over
// HTTP specification, run by tools/http-audit/audit.mjs): every MUST, and
// every SHOULD but those explainedShoulds lists. The counts are in
// docs/security.md.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir := testutil.RequireHTTPAudit(t)
	srv := startServer(t, testutil.Config(t))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "audit.mjs"), srv.URL+"/graphql")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, out)
	}
	var report struct {
		Results []struct{ ID, Name, Status, Reason string }
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("audit output: %v\n%s", err, out)
	}
	counts := map[string]map[string]int{} // requirement → status → n
	for _, r := range report.Results {
		req, _, _ := strings.Cut(r.Name, " ")
		if counts[req] == nil {
			counts[req] = map[string]int{}
		}
		counts[req][r.Status]++
		switch {
		case r.Status == "ok":
		case r.Status == "error":
			t.Errorf("%s %s: %s", r.ID, r.Name, r.Reason)
		case r.Status == "warn" && explainedShoulds[r.ID] == "":
			t.Errorf("%s %s: %s (fix it, or explain it in README.md and explainedShoulds)", r.ID, r.Name, r.Reason)
		default:
			t.Logf("%s %s (%s): %s", r.ID, r.Name, r.Status, r.Reason)
		}
	}
	// A suite that ran nothing proves nothing: graphql-http 1.23.1 has 61.
	if len(report.Results) < 61 {
		t.Errorf("only %d audits ran", len(report.Results))
	}
	t.Logf("%d audits: MUST %v, SHOULD %v, MAY %v", len(report.Results), counts["MUST"], counts["SHOULD"], counts["MAY"])
}
