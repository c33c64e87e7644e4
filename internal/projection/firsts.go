package projection

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// firsts are the uncovered controlled hops S0→S1 of one date, by S1:
// s0[start[c]:start[c+1]] are the first suppliers of company c, and conf
// the same range the confidences of those hops' links.
type firsts struct {
	start []int32
	s0    []int32
	conf  []float64
	s1    []int32 // the companies with at least one
}

func (f *firsts) of(c int32) []int32 { return f.s0[f.start[c]:f.start[c+1]] }

// confOf is the confidences of the links of(c) stand for, in their order.
func (f *firsts) confOf(c int32) []float64 { return f.conf[f.start[c]:f.start[c+1]] }

// uncoveredInto says whether the link l from s into c is an uncovered
// controlled hop on d (rules 1–4), given c outside CN.
func (g *graph) uncoveredInto(s, c int32, l link, d day, controlled []bool) bool {
	if g.origin[s] != originCN || !l.current(d) {
		return false
	}
	for _, m := range g.linkMats(l) {
		if int(m) < len(controlled) && controlled[m] && !g.covers(s, c, m, d) {
			return true
		}
	}
	return false
}

// firstHops returns the uncovered controlled hops on d (rules 1–4), kept
// per date in the view's derived answers: one pass over the graph's hop
// table.
func (v *View) firstHops(d domain.Date) *firsts {
	return derive(v, "firsts|"+d.String(), func() *firsts {
		g, dd := v.g, dayOf(d, openStart)
		return g.hopTable().firsts(len(g.ids), dd, g.controlledOn(dd))
	})
}

// localFirsts returns the uncovered controlled hops into a company on d,
// as their first suppliers and their links' confidences (in the same
// order): from the date's firstHops when they are kept, else judged from
// the company's own links — one company's paths meet a few dozen
// companies, not the whole graph.
func (v *View) localFirsts(d domain.Date) func(c int32) ([]int32, []float64) {
	g := v.g
	if f, ok := lookup[*firsts](v, "firsts|"+d.String()); ok {
		return func(c int32) ([]int32, []float64) { return f.of(c), f.confOf(c) }
	}
	dd := dayOf(d, openStart)
	controlled := g.controlledOn(dd)
	type into struct {
		s0   []int32
		conf []float64
	}
	seen := map[int32]into{}
	return func(c int32) ([]int32, []float64) {
		if x, ok := seen[c]; ok {
			return x.s0, x.conf
		}
		var x into
		if g.origin[c] == originAbroad {
			for _, l := range g.in[c] {
				if g.uncoveredInto(l.other, c, l, dd, controlled) {
					x.s0 = append(x.s0, l.other)
					x.conf = append(x.conf, g.linkConf(l))
				}
			}
		}
		seen[c] = x
		return x.s0, x.conf
	}
}

// UncoveredHops returns, for each company with an uncovered controlled
// hop on d, the customers of those hops.
func (v *View) UncoveredHops(_ context.Context, d domain.Date) (map[string][]string, error) {
	out := map[string][]string{}
	f := v.firstHops(d)
	for _, c := range f.s1 {
		for _, s := range f.of(c) {
			out[v.g.ids[s]] = append(out[v.g.ids[s]], v.g.ids[c])
		}
	}
	return out, nil
}
