package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// readBatch records go to the store at a time: the size of the store's
// own statements, so a batch is one statement.
const readBatch = 5000

// errInvalidFile ends a write whose file turned out to have errors: the
// store rolls the transaction back and the loader reports the errors.
var errInvalidFile = errors.New("the file has errors")

// fileStream reads one file in a goroutine of its own and hands its
// checked records over in batches, so the store writes the first batches
// while the rest of the file is still being parsed and its references
// checked. Once any error turns up it hands nothing more over but reads on
// to the end, so that every error of the file is reported; the store's
// transaction then ends with errInvalidFile and leaves nothing.
type fileStream struct {
	f       File
	loader  *Loader
	defined map[domain.Kind]map[string]bool
	size    int64 // of the file, for the progress bar (set before the goroutine starts)

	batches chan []any
	done    chan struct{} // closed when the goroutine has finished

	// Set by the goroutine; read after done is closed.
	errs    []Error
	records int
	keys    []string // of every record, to mark them defined (not for supply links)

	mu   sync.Mutex
	ends []batchEnd // where each batch handed over ends, for progress
}

type batchEnd struct {
	records int
	bytes   int64
}

// stream starts reading f. Cancel ctx to stop it early.
func (l *Loader) stream(ctx context.Context, f File, defined map[domain.Kind]map[string]bool) *fileStream {
	s := &fileStream{f: f, loader: l, defined: defined, batches: make(chan []any, 2), done: make(chan struct{})}
	if fi, err := os.Stat(f.Path); err == nil {
		s.size = fi.Size()
	}
	go func() {
		defer close(s.done)
		defer close(s.batches)
		s.run(ctx)
	}()
	return s
}

func (s *fileStream) run(ctx context.Context) {
	refs := newRefChecker(s.loader.store, s.f, s.defined)
	var pending []record
	var read counter
	invalid := false // a record failed: its errors come with readRecords' return
	flush := func() bool {
		if len(pending) == 0 {
			return true
		}
		errs, err := refs.check(ctx, pending)
		if err != nil {
			s.errs = append(s.errs, Error{File: s.f.Path, Msg: fmt.Sprintf("checking references: %s", domain.ErrorMessage(err))})
			s.loader.opts.Logger.Error("checking references", "file", s.f.Path, "err", err)
		}
		s.errs = append(s.errs, errs...)
		batch := make([]any, len(pending))
		for i, r := range pending {
			batch[i] = r.value
		}
		s.records += len(pending)
		pending = pending[:0]
		if len(s.errs) > 0 || invalid {
			return ctx.Err() == nil // keep reading for the report, hand nothing over
		}
		s.mu.Lock()
		s.ends = append(s.ends, batchEnd{records: s.records, bytes: read.n.Load()})
		s.mu.Unlock()
		select {
		case s.batches <- batch:
			return true
		case <-ctx.Done():
			return false
		}
	}
	each := func(r record) bool {
		if r.failed != nil {
			invalid = true
		} else if s.f.Kind != domain.KindSupply {
			s.keys = append(s.keys, r.key)
		}
		pending = append(pending, r)
		if len(pending) < readBatch || s.f.Kind == domain.KindSector {
			return true
		}
		return flush()
	}
	s.errs = append(s.errs, readRecords(s.f, &read, each)...)
	if s.f.Kind == domain.KindSector && len(s.errs) == 0 {
		// Parents before children, within the file: sectors are read whole.
		var errs []Error
		pending, errs = orderSectors(s.f, pending)
		s.errs = append(s.errs, errs...)
	}
	// The last batch too is checked when the file already has errors:
	// an unknown reference must not wait for the next run to be reported.
	flush()
}

// next is the store's source of batches: io.EOF after the last one, or
// errInvalidFile when the file has errors.
func (s *fileStream) next() ([]any, error) {
	if b, ok := <-s.batches; ok {
		return b, nil
	}
	<-s.done
	if len(s.errs) > 0 {
		return nil, errInvalidFile
	}
	return nil, io.EOF
}

// drain reads the whole file without writing it (a dry run).
func (s *fileStream) drain() {
	for {
		if _, err := s.next(); err != nil {
			return
		}
	}
}

// wait waits for the goroutine (stopped early if ctx was cancelled).
func (s *fileStream) wait() { <-s.done }

// bytesAt is how much of the file the first records written came from.
func (s *fileStream) bytesAt(records int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.ends), func(i int) bool { return s.ends[i].records >= records })
	if i == len(s.ends) {
		if i == 0 {
			return 0
		}
		i--
	}
	return s.ends[i].bytes
}

// refChecker reports references to ids neither defined in this run nor
// in the graph. Ids not defined in the run are looked up once, in batches
// per kind.
type refChecker struct {
	store   Store
	f       File
	defined map[domain.Kind]map[string]bool
	inGraph map[domain.Kind]map[string]bool // looked up: present or not
}

func newRefChecker(store Store, f File, defined map[domain.Kind]map[string]bool) *refChecker {
	return &refChecker{store: store, f: f, defined: defined, inGraph: map[domain.Kind]map[string]bool{}}
}

func (c *refChecker) check(ctx context.Context, records []record) ([]Error, error) {
	local := map[string]bool{} // sectors may refer to sectors of the same file (read whole)
	if c.f.Kind == domain.KindSector {
		for _, r := range records {
			if r.failed == nil {
				local[r.key] = true
			}
		}
	}
	// A field that failed already has its error; a record's other
	// references are still checked.
	skip := func(r record, ref domain.Ref) bool {
		return r.failed[ref.Field] || c.defined[ref.Kind][ref.ID] || (ref.Kind == c.f.Kind && local[ref.ID])
	}
	unknown := map[domain.Kind][]string{}
	for _, r := range records {
		for _, ref := range refsOf(r.value) {
			if skip(r, ref) {
				continue
			}
			if c.inGraph[ref.Kind] == nil {
				c.inGraph[ref.Kind] = map[string]bool{}
			}
			if _, seen := c.inGraph[ref.Kind][ref.ID]; !seen {
				c.inGraph[ref.Kind][ref.ID] = false
				unknown[ref.Kind] = append(unknown[ref.Kind], ref.ID)
			}
		}
	}
	for _, kind := range domain.Kinds {
		ids := unknown[kind]
		if len(ids) == 0 {
			continue
		}
		found, err := c.store.ExistingIDs(ctx, kind, ids)
		if err != nil {
			return nil, err
		}
		for id := range found {
			c.inGraph[kind][id] = true
		}
	}
	var errs []Error
	for _, r := range records {
		for _, ref := range refsOf(r.value) {
			if !skip(r, ref) && !c.inGraph[ref.Kind][ref.ID] {
				errs = append(errs, Error{File: c.f.Path, Line: r.line, Field: ref.Field,
					Msg: fmt.Sprintf("unknown %s %q: not in the graph nor defined by the files of this run", singular(ref.Kind), ref.ID)})
			}
		}
	}
	return errs, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
