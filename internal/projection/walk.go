package projection

import (
	"context"
	"math"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// walkBack calls visit with every simple path c→…→a of at most extra
// links current on d, as the nodes from c to a and the confidences of the
// links between them, in the same order (both slices are reused); visit
// returns false to end the walk. With a minimum confidence (floor, see
// confFloor) it walks only links with a confidence, and no path whose
// links' product is already below it: a path's confidence only falls as
// links are added before it.
func (v *View) walkBack(ctx context.Context, a int32, d day, extra int, floor float64, visit func(nodes []int32, confs []float64) bool) error {
	g := v.g
	path := []int32{a}   // reversed: a first
	var confs []float64  // reversed: confs[i] is the link path[i+1]→path[i]
	prod := []float64{1} // prod[i]: product of confs[:i]
	var rev []int32
	var revConfs []float64
	steps := 0
	stopped := false
	var walk func() error
	walk = func() error {
		if steps++; steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rev, revConfs = rev[:0], revConfs[:0]
		for i := len(path) - 1; i >= 0; i-- {
			rev = append(rev, path[i])
		}
		for i := len(confs) - 1; i >= 0; i-- {
			revConfs = append(revConfs, confs[i])
		}
		if !visit(rev, revConfs) {
			stopped = true
			return nil
		}
		if len(path) > extra {
			return nil
		}
		head := path[len(path)-1]
		for _, l := range g.in[head] {
			// A path holds at most maxDepth+1 companies: looking through
			// it beats a set.
			if slices.Contains(path, l.other) || !l.current(d) {
				continue
			}
			c := g.linkConf(l)
			p := prod[len(prod)-1] * c
			if floor > 0 && !(p >= floor) { // NaN: a link without confidence
				continue
			}
			path, confs, prod = append(path, l.other), append(confs, c), append(prod, p)
			err := walk()
			path, confs, prod = path[:len(path)-1], confs[:len(confs)-1], prod[:len(prod)-1]
			if err != nil || stopped {
				return err
			}
		}
		return nil
	}
	return walk()
}

// confFloor is the bound walkBack prunes at for q: a little below the
// minimum less its tolerance, so that a product multiplied in another
// order (a few units in the last place apart) is never cut; 0 without a
// minimum. Whether a path counts is decided by q.Counts on its product
// taken first hop first.
func confFloor(q domain.ExposureQuery) float64 {
	if q.MinConfidence == nil {
		return 0
	}
	return (*q.MinConfidence - domain.ConfidenceTolerance) * (1 - 1e-12)
}

// pathConf is the confidence of a path: its first hop's link confidence
// c0, then the others' in order (NaN when any is unknown).
func pathConf(c0 float64, confs []float64) float64 {
	p := c0
	for _, c := range confs {
		p *= c
	}
	return p
}

// confPtr is a confidence as the API gives it: nil when unknown.
func confPtr(c float64) *float64 {
	if math.IsNaN(c) {
		return nil
	}
	return &c
}
