package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/bench/writer"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// coverageServer answers the writes mix's questions: exposure questions
// with an empty answer, clientCoverage from the licences written to it —
// or, when lagging, from the state before the last write (a stale
// server).
type coverageServer struct {
	mu       sync.Mutex
	lag      bool
	active   map[string]bool // holder->client covered now
	previous map[string]bool // before the last write
}

func (s *coverageServer) set(key string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.previous = map[string]bool{}
	for k, v := range s.active {
		s.previous[k] = v
	}
	s.active[key] = on
}

func (s *coverageServer) GrantLicence(_ context.Context, l domain.Licence) (domain.Licence, error) {
	s.set(l.Holder+"->"+l.Clients[0], true)
	return l, nil
}

func (s *coverageServer) RevokeLicence(_ context.Context, id string, _ domain.Date, _ string) (domain.Licence, error) {
	// The hop of licence P-k is hop k-1 of the mix below.
	var k int
	fmt.Sscanf(id, "P-%d", &k)
	s.set(fmt.Sprintf("cn-%d->de-%d", k-1, k-1), false)
	return domain.Licence{ID: id}, nil
}

func (s *coverageServer) UpsertSupplyLink(_ context.Context, l domain.SupplyLink) (domain.SupplyLink, error) {
	return l, nil
}

func (s *coverageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string
		Variables map[string]any
	}
	json.NewDecoder(r.Body).Decode(&req)
	w.Header().Set("Content-Type", "application/json")
	if !strings.Contains(req.Query, "clientCoverage") {
		fmt.Fprint(w, `{"data":{"exposedCompanies":{"totalCount":0,"edges":[]},"exposurePaths":[]}}`)
		return
	}
	s.mu.Lock()
	state := s.active
	if s.lag {
		state = s.previous
	}
	supplier := req.Variables["id"].(string)
	client := "de-" + strings.TrimPrefix(supplier, "cn-")
	covered := state[supplier+"->"+client]
	s.mu.Unlock()
	fmt.Fprintf(w, `{"data":{"company":{"clientCoverage":[{"client":{"id":%q},"covered":%v}]}}}`, client, covered)
}

func TestRunWritesDetectsStaleReads(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lag   bool
		stale bool
	}{
		{"up to date", false, false},
		{"a write behind", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &coverageServer{lag: tc.lag, active: map[string]bool{}, previous: map[string]bool{}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			date, _ := domain.ParseDate("2026-06-01")
			mix := &WritesMix{Date: date, OEMs: []string{"oem-1"}, Hops: []writer.Hop{
				{Supplier: "cn-0", Client: "de-0", Materials: []string{"NdFeB"}},
				{Supplier: "cn-1", Client: "de-1", Materials: []string{"Dy"}},
			}}
			r := RunWrites(context.Background(), srv.Client(), fake, mix, WritesOptions{Endpoint: srv.URL, Readers: 2,
				Duration: 700 * time.Millisecond, WriteEvery: 100 * time.Millisecond, Timeout: 5 * time.Second, Prefix: "P"})
			if r.Writes < 3 || r.Checks != r.Writes || r.Errors+r.WriteErrors+r.CheckErrors > 0 {
				t.Fatalf("%d writes, %d checks, errors %d/%d/%d (%s)", r.Writes, r.Checks, r.Errors, r.WriteErrors, r.CheckErrors, r.FirstError)
			}
			if got := r.Stale > 0; got != tc.stale {
				t.Errorf("%d stale of %d checks (first: %s), want stale %v", r.Stale, r.Checks, r.FirstStale, tc.stale)
			}
			if tc.stale && r.Stale != r.Checks {
				t.Errorf("a server a write behind: %d stale of %d", r.Stale, r.Checks)
			}
			if r.OK == 0 {
				t.Errorf("no read answered")
			}
			for k, on := range fake.active {
				if on {
					t.Errorf("%s left covered: the run must revoke what it granted", k)
				}
			}
		})
	}
}
