package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/server"
)

func TestSlope(t *testing.T) {
	for _, tc := range []struct {
		name string
		ys   []uint64
		want float64
	}{
		{"flat", []uint64{5, 5, 5, 5, 5, 5}, 0},
		{"one per step", []uint64{10, 11, 12, 13, 14, 15}, 1},
		{"down", []uint64{20, 18, 16, 14}, -2},
		{"saw-tooth around a level", []uint64{10, 14, 10, 14, 10, 14}, 6 / 17.5}, // Σ(x-x̄)(y-ȳ) / Σ(x-x̄)²
		{"one reading", []uint64{7}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slope(tc.ys); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("slope %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDefaultWindows(t *testing.T) {
	for d, want := range map[time.Duration]int{10 * time.Second: 6, 20 * time.Second: 6, 45 * time.Second: 9, time.Minute: 12, 3 * time.Minute: 12} {
		if got := DefaultWindows(d); got != want {
			t.Errorf("DefaultWindows(%s) = %d, want %d", d, got, want)
		}
	}
}

func TestLeaksCheck(t *testing.T) {
	const mib = 1 << 20
	steady := Leaks{Start: Snapshot{LiveHeap: 100 * mib, Goroutines: 16, Connections: 12, Busy: 0},
		End: Snapshot{LiveHeap: 100*mib + mib/2, Goroutines: 16, Connections: 13, Busy: 0}, Trend: 3 * mib, Requests: 5000}
	for _, tc := range []struct {
		name   string
		change func(l *Leaks)
		want   []string // substrings, one per problem
	}{
		{"steady (the pool opened a connection)", func(*Leaks) {}, nil},
		{"live heap left behind", func(l *Leaks) { l.End.LiveHeap = 105 * mib }, []string{"live heap after the run +5.0 MiB above before it (+1048 B per request; limit +2.0 MiB)"}},
		{"1 % of a large heap", func(l *Leaks) {
			l.Start.LiveHeap, l.End.LiveHeap = 1000*mib, 1009*mib
		}, nil},
		{"trend under load", func(l *Leaks) { l.Trend = 13 * mib }, []string{"trended up +13.0 MiB"}},
		{"a goroutine more", func(l *Leaks) { l.End.Goroutines = 17 }, []string{"goroutines 17 after the run, 16 before it"}},
		{"a busy connection", func(l *Leaks) { l.End.Busy = 1 }, []string{"transaction open: 1 after the run, 0 before it"}},
		{"probe failed", func(l *Leaks) { l.Err = "connection refused" }, []string{"leak check failed: connection refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := steady
			tc.change(&l)
			got := l.Check(DefaultLeakLimits)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q does not say %q", got[i], w)
				}
			}
		})
	}
}

// A fake /proc/PID: two Bolt connections of the process, one to another
// port, one of another process, one Bolt connection closing.
func TestConnectionPorts(t *testing.T) {
	proc := t.TempDir()
	for _, dir := range []string{"fd", "net"} {
		if err := os.Mkdir(filepath.Join(proc, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for fd, target := range map[string]string{"3": "socket:[1001]", "4": "socket:[1002]", "5": "socket:[1003]", "6": "/dev/null", "7": "socket:[1005]"} {
		if err := os.Symlink(target, filepath.Join(proc, "fd", fd)); err != nil {
			t.Fatal(err)
		}
	}
	const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	row := func(sl int, localPort, remotePort int, state string, inode int) string {
		return fmt.Sprintf("%4d: 0100007F:%04X 0100007F:%04X %s 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 20 4 30 10 -1\n",
			sl, localPort, remotePort, state, inode)
	}
	tcp := header + row(0, 41000, 7745, "01", 1001) + row(1, 41002, 8080, "01", 1002) + row(2, 41003, 7745, "01", 9999) + row(3, 41005, 7745, "06", 1005)
	tcp6 := header + "   0: 0000000000000000FFFF00000100007F:A029 0000000000000000FFFF00000100007F:1E41 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1\n"
	for name, text := range map[string]string{"tcp": tcp, "tcp6": tcp6} {
		if err := os.WriteFile(filepath.Join(proc, "net", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ports, err := connectionPorts(proc, 7745)
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 2 || !ports[41000] || !ports[0xA029] {
		t.Errorf("ports %v, want 41000 and %d", ports, 0xA029)
	}
}

// fakeServer answers any GraphQL request with empty data and reports its
// runtime as a server would that keeps leakBytes and leakGoroutines per
// request, on top of inFlight bytes per request being answered.
type fakeServer struct {
	leakBytes, leakGoroutines int64
	requests, running         atomic.Int64
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == server.DebugRuntimePath {
		n := f.requests.Load()
		live := 50<<20 + n*f.leakBytes + f.running.Load()*256<<10
		rep := server.RuntimeReport{ForcedGC: r.URL.Query().Get("gc") == "1", Metrics: map[string]float64{
			liveHeapMetric: float64(live), goroutinesMetric: float64(12 + n*f.leakGoroutines),
		}}
		json.NewEncoder(w).Encode(rep)
		return
	}
	f.running.Add(1)
	defer f.running.Add(-1)
	f.requests.Add(1)
	time.Sleep(2 * time.Millisecond)
	fmt.Fprint(w, `{"data":{}}`)
}

// The check through Run: a steady server passes, one that keeps memory
// or goroutines per request fails, on what it keeps.
func TestRunJudgesLeaks(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		leakBytes, leakGoroutines int64
		want                      string
	}{
		{name: "steady"},
		{name: "64 KiB per request", leakBytes: 64 << 10, want: "live heap after the run"},
		{name: "a goroutine per request", leakGoroutines: 1, want: "goroutines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeServer{leakBytes: tc.leakBytes, leakGoroutines: tc.leakGoroutines}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			debug, err := DebugURL(srv.URL + "/graphql")
			if err != nil {
				t.Fatal(err)
			}
			probe := &Probe{URL: debug, Settle: 50 * time.Millisecond, SettleMax: 300 * time.Millisecond}
			mix := &Mix{bodies: [][][]byte{{[]byte(`{"query":"{a}"}`)}, {[]byte(`{"query":"{b}"}`)}}}
			r := Run(context.Background(), srv.Client(), mix, Options{Endpoint: srv.URL + "/graphql", Clients: 4,
				Warmup: 200 * time.Millisecond, Duration: 1200 * time.Millisecond, Windows: 6, Timeout: 5 * time.Second, Probe: probe})
			if r.OK < 100 || r.Errors > 0 {
				t.Fatalf("%d answered, %d errors (%s)", r.OK, r.Errors, r.FirstError)
			}
			if len(r.Leaks.LiveHeap) != 6 {
				t.Errorf("%d live-heap readings, want one per window", len(r.Leaks.LiveHeap))
			}
			problems := r.Leaks.Check(DefaultLeakLimits)
			if tc.want == "" {
				if len(problems) > 0 {
					t.Errorf("a steady server failed: %q", problems)
				}
				return
			}
			if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("problems %q, want one about %s", problems, tc.want)
			}
		})
	}
}
