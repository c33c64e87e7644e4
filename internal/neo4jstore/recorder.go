package neo4jstore

import (
	"runtime"
	"strings"
	"time"
	"unicode"
)

// Statement is one statement the read path sent, as handed to a recorder
// (SetRecorder). Params hold driver values (neo4j.Date, …) exactly as sent,
// so the statement can be replayed through the driver as it is.
type Statement struct {
	// Method is the exported Store method that sent it, e.g.
	// "ExposedCompanies" or "SupplierPages".
	Method   string
	Cypher   string
	Params   map[string]any
	Start    time.Time
	Duration time.Duration
}

// recorder holds the function SetRecorder installed.
type recorder struct{ fn func(Statement) }

// SetRecorder makes the read path call rec with every statement it sends,
// once it has run; nil turns recording off. It exists for the benchmark
// that replays the statements the server runs straight through the driver
// (`licencegraph bench anchors`); while it is off it costs one atomic load
// per statement. rec may be called from several goroutines at once.
func (s *Store) SetRecorder(rec func(Statement)) {
	if rec == nil {
		s.recorder.Store(nil)
		return
	}
	s.recorder.Store(&recorder{fn: rec})
}

func (r *recorder) done(start time.Time, cypher string, params map[string]any) {
	r.fn(Statement{Method: storeMethod(), Cypher: cypher, Params: params, Start: start, Duration: time.Since(start)})
}

// storeMethod names the innermost exported Store method on the stack.
func storeMethod() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if _, name, ok := strings.Cut(f.Function, "neo4jstore.(*Store)."); ok && name != "" && unicode.IsUpper(rune(name[0])) {
			return name
		}
		if !more {
			return ""
		}
	}
}
