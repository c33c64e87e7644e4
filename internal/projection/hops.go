package projection

import (
	"cmp"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// hopTable is every link that can be a first hop — from a company
// registered in CN to one registered abroad (rule 2) — with what rules 1
// and 3 ask of it on a date, as bit sets of materials: the materials it
// carries, and the days on which each licence that COVERS its customer
// for it, without excluding the customer's sectors, is in force. Judging
// a date's first hops is then a pass over this table (firstHops), where
// judging them from the licence lists took a binary search per licence,
// material and link. A graph builds it on first use (hopTable); licence
// writes give their copy none, and changes in place drop it (dropHops).
type hopTable struct {
	words int // bit-set words per material set: (materials+63)/64
	hops  []hopCand
	mats  []uint64  // hops[i]'s materials: mats[i*words:(i+1)*words]
	spans []licSpan // hops[i]'s licences: spans[hops[i].lo:hops[i].hi]
	// spanMats is spans[j]'s materials: spanMats[j*words:(j+1)*words].
	spanMats []uint64
	dead     int // spans no hop refers to any more (withPairs)
}

// hopCand is one link S0→S1, ordered by S1 then S0, as firsts lists them.
type hopCand struct {
	s0, s1       int32
	since, until day
	conf         float64
	lo, hi       int32
}

// licSpan is a covering licence's days in force (rule 3's dates and
// status): [from, to).
type licSpan struct{ from, to day }

// inForceSpan returns the days l is in force, as domain.StandingOf judges
// VALID: an ACTIVE licence from validFrom to validUntil (inclusive),
// before revok; ok is false when it is in force on no day.
func (l *licence) inForceSpan() (licSpan, bool) {
	if l.Status != domain.StatusActive {
		return licSpan{}, false
	}
	to := l.revok
	if l.validUntil < openEnd {
		to = min(to, l.validUntil+1)
	}
	return licSpan{l.validFrom, to}, l.validFrom < to
}

// hopTable returns the graph's hop table, built on first use.
func (g *graph) hopTable() *hopTable {
	g.hopMu.Lock()
	defer g.hopMu.Unlock()
	if g.hops == nil {
		g.hops = g.buildHops()
	}
	return g.hops
}

// dropHops forgets the hop table, which a change to companies, sectors,
// links or licences makes stale.
func (g *graph) dropHops() {
	g.hopMu.Lock()
	g.hops = nil
	g.hopMu.Unlock()
}

func (g *graph) buildHops() *hopTable {
	t := &hopTable{words: (len(g.mats.names) + 63) / 64}
	w, n := t.words, len(g.ids)
	// Placed by customer with a counting sort over the links of companies
	// in CN only (a tenth of them on generated worlds): in each customer's
	// range they come by supplier, the order of that pass.
	start := make([]int32, n+1)
	for s, ls := range g.out {
		if g.origin[s] == originCN {
			for _, l := range ls {
				if g.origin[l.other] == originAbroad {
					start[l.other+1]++
				}
			}
		}
	}
	for c := range n {
		start[c+1] += start[c]
	}
	t.hops = make([]hopCand, start[n])
	t.mats = make([]uint64, int(start[n])*w)
	next := slices.Clone(start[:n])
	for s, ls := range g.out {
		if g.origin[s] != originCN {
			continue
		}
		for _, l := range ls {
			c := l.other
			if g.origin[c] != originAbroad {
				continue
			}
			i := next[c]
			next[c]++
			t.hops[i] = hopCand{s0: int32(s), s1: c, since: l.since, until: l.until, conf: g.linkConf(l)}
			setBits(t.mats[int(i)*w:int(i+1)*w], g.linkMats(l))
		}
	}
	// The spans, customer by customer: the licences covering it, by
	// holder, each hop taking its supplier's.
	var byHolder []*licence
	for lo := 0; lo < len(t.hops); {
		c := t.hops[lo].s1
		hi := int(start[c+1])
		byHolder = append(byHolder[:0], g.covering[c]...)
		slices.SortStableFunc(byHolder, func(a, b *licence) int { return int(a.holder - b.holder) })
		k := 0
		for i := lo; i < hi; i++ {
			s0 := t.hops[i].s0
			for k < len(byHolder) && byHolder[k].holder < s0 {
				k++
			}
			end := k
			for end < len(byHolder) && byHolder[end].holder == s0 {
				end++
			}
			t.hops[i] = t.judged(g, t.hops[i], byHolder[k:end])
		}
		lo = hi
	}
	return t
}

// judged is h with the spans of the licences that cover its customer for
// it appended to t's; covering is the licences that COVER the customer.
func (t *hopTable) judged(g *graph, h hopCand, covering []*licence) hopCand {
	h.lo = int32(len(t.spans))
	for _, x := range covering {
		if x.holder != h.s0 || g.excludes(x, h.s1) {
			continue
		}
		if sp, ok := x.inForceSpan(); ok {
			t.spans = append(t.spans, sp)
			t.spanMats = append(t.spanMats, make([]uint64, t.words)...)
			setBits(t.spanMats[len(t.spanMats)-t.words:], x.mats)
		}
	}
	h.hi = int32(len(t.spans))
	return h
}

func setBits(dst []uint64, mats []int32) {
	for _, m := range mats {
		dst[m/64] |= 1 << (m % 64)
	}
}

// withPairs is t for a copy of its graph whose licences changed between
// the holders and clients of pairs (withLicences): those hops judged again
// and the rest shared. The spans of the old judgements stay behind in the
// copy's arrays; once they are most of them, the table is built afresh.
func (t *hopTable) withPairs(g *graph, pairs [][2]int32) *hopTable {
	nt := *t
	nt.hops = slices.Clone(t.hops)
	nt.spans = slices.Clip(t.spans)       // appends copy: t keeps its own
	nt.spanMats = slices.Clip(t.spanMats) //
	for _, p := range pairs {
		i, ok := slices.BinarySearchFunc(nt.hops, p, func(h hopCand, p [2]int32) int {
			return cmp.Or(cmp.Compare(h.s1, p[1]), cmp.Compare(h.s0, p[0]))
		})
		if !ok {
			continue
		}
		nt.dead += int(nt.hops[i].hi - nt.hops[i].lo)
		nt.hops[i] = nt.judged(g, nt.hops[i], g.covering[p[1]])
	}
	if nt.dead > len(nt.spans)/2 {
		return g.buildHops()
	}
	return &nt
}

// firsts judges every hop of the table on d (rules 1–4), given the
// materials controlled on d.
func (t *hopTable) firsts(companies int, d day, controlled []bool) *firsts {
	w := t.words
	ctl := make([]uint64, w)
	for m, on := range controlled {
		if on {
			ctl[m/64] |= 1 << (m % 64)
		}
	}
	open := make([]uint64, w)          // controlled materials of a hop no licence covers yet
	uncovered := getBytes(len(t.hops)) // 1: uncovered on d
	defer putBytes(uncovered)
	count := 0
	for i := range t.hops {
		h := &t.hops[i]
		if !(h.since <= d && d < h.until) {
			continue
		}
		any := uint64(0)
		for k := range w {
			open[k] = t.mats[i*w+k] & ctl[k]
			any |= open[k]
		}
		for j := h.lo; j < h.hi && any != 0; j++ {
			if sp := t.spans[j]; sp.from <= d && d < sp.to {
				any = 0
				for k := range w {
					open[k] &^= t.spanMats[int(j)*w+k]
					any |= open[k]
				}
			}
		}
		if any != 0 {
			uncovered[i] = 1
			count++
		}
	}
	f := &firsts{start: make([]int32, companies+1), s0: make([]int32, 0, count), conf: make([]float64, 0, count)}
	for i, h := range t.hops {
		if uncovered[i] == 0 {
			continue
		}
		if n := len(f.s1); n == 0 || f.s1[n-1] != h.s1 {
			f.s1 = append(f.s1, h.s1)
		}
		f.s0 = append(f.s0, h.s0)
		f.conf = append(f.conf, h.conf)
		f.start[h.s1+1]++
	}
	for c := range companies {
		f.start[c+1] += f.start[c]
	}
	return f
}

// withLinks is t after the links between pairs (supplier, customer)
// changed in place on g: their hops taken out, and made again from the
// links g now has. A write of a few links then costs a copy of the table,
// not a new one (at a million companies, building it takes a good part of
// a cold question's time).
func (t *hopTable) withLinks(g *graph, pairs [][2]int32) *hopTable {
	if (len(g.mats.names)+63)/64 != t.words {
		return g.buildHops() // new materials: wider sets
	}
	gone := make(map[[2]int32]bool, len(pairs))
	add := &hopTable{words: t.words}
	for _, p := range pairs {
		if gone[p] {
			continue
		}
		gone[p] = true
		s, c := p[0], p[1]
		if l, ok := g.linkOf(s, c); ok && g.origin[s] == originCN && g.origin[c] == originAbroad {
			add.hops = append(add.hops, hopCand{s0: s, s1: c, since: l.since, until: l.until, conf: g.linkConf(l)})
			add.mats = append(add.mats, make([]uint64, t.words)...)
			setBits(add.mats[len(add.mats)-t.words:], g.linkMats(l))
		}
	}
	order := make([]int, len(add.hops))
	for i := range order {
		order[i] = i
	}
	byHop := func(h hopCand) [2]int32 { return [2]int32{h.s1, h.s0} }
	less := func(a, b [2]int32) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }
	slices.SortFunc(order, func(a, b int) int { return less(byHop(add.hops[a]), byHop(add.hops[b])) })

	nt := &hopTable{words: t.words, spans: slices.Clip(t.spans), spanMats: slices.Clip(t.spanMats), dead: t.dead,
		hops: make([]hopCand, 0, len(t.hops)+len(add.hops)), mats: make([]uint64, 0, len(t.mats)+len(add.mats))}
	w := t.words
	next := 0 // the next of add, by order
	put := func(h hopCand, mats []uint64) {
		nt.hops = append(nt.hops, h)
		nt.mats = append(nt.mats, mats...)
	}
	putAdded := func(upTo [2]int32, all bool) {
		for ; next < len(order); next++ {
			a := order[next]
			if !all && less(byHop(add.hops[a]), upTo) > 0 {
				return
			}
			put(nt.judged(g, add.hops[a], g.covering[add.hops[a].s1]), add.mats[a*w:(a+1)*w])
		}
	}
	for i, h := range t.hops {
		putAdded(byHop(h), false)
		if gone[[2]int32{h.s0, h.s1}] {
			nt.dead += int(h.hi - h.lo)
			continue
		}
		put(h, t.mats[i*w:(i+1)*w])
	}
	putAdded([2]int32{}, true)
	if nt.dead > len(nt.spans)/2 {
		return g.buildHops()
	}
	return nt
}
