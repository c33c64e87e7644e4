package synth

import (
	"math"
	"math/rand/v2"
)

// linkKind is a kind of supply link: who supplies whom with what, and its
// share of all links.
type linkKind struct {
	name      string
	share     float64
	sup, cust []int32
	supAlpha  float64 // > 1: a few big suppliers take most customers
	custAlpha float64
	mats      *weighted[uint32]
	maxMats   int // > 1: draw up to maxMats sets and merge them
}

// reportPool is the number of distinct synthetic source URLs for links.
const reportPool = 1000

// writeSupply writes supply.csv: about LinksPerCompany × Companies links,
// one per ordered pair, no self-links.
func (g *gen) writeSupply(f *csvFile) error {
	r := g.rng(2)
	n := g.o.Companies
	target := int(math.Round(g.o.LinksPerCompany * float64(n)))

	g.expPos = make([]int32, n)
	for i := range g.expPos {
		g.expPos[i] = -1
	}
	for i, t := range g.tier {
		if t == tRefiner || t == tMagnetCN {
			g.expPos[i] = int32(len(g.expCust))
			g.expCust = append(g.expCust, nil)
		}
	}

	reports := make([]string, reportPool)
	for i := range reports {
		reports[i] = syntheticSource + "/reports/" + itoa(i+1)
	}
	conf := make([]string, 101)
	for c := 30; c <= 100; c++ {
		conf[c] = "0." + itoa(c/10) + itoa(c%10)
	}
	conf[100] = "1.00"

	seen := make(map[uint64]struct{}, target+target/8)
	written := 0
	add := func(s, c int32, mats uint32, since, until day) (bool, error) {
		if s == c {
			return false, nil
		}
		key := uint64(s)<<32 | uint64(uint32(c))
		if _, dup := seen[key]; dup {
			return false, nil
		}
		seen[key] = struct{}{}
		if g.expPos[s] >= 0 && !g.cn[c] {
			p := g.expPos[s]
			g.expCust[p] = append(g.expCust[p], custLink{c, mats})
		}
		cents := 30 + int(math.Sqrt(r.Float64())*71)
		if cents > 100 {
			cents = 100
		}
		confidence := conf[cents]
		if noConfidence(s, c) {
			confidence = ""
		}
		src := ""
		switch x := r.IntN(20); {
		case x < 7: // none
		case x < 18:
			src = reports[r.IntN(reportPool)]
		default:
			a, b := r.IntN(reportPool), r.IntN(reportPool)
			src = reports[a]
			if b != a {
				src += ";" + reports[b]
			}
		}
		written++
		if written%4096 == 0 {
			if err := g.ctx.Err(); err != nil {
				return false, err
			}
		}
		return true, f.write(g.ids[s], g.ids[c], g.matList(mats), g.date(since), g.date(until), confidence, src, "")
	}

	tt := &g.byTier
	// Guaranteed cycles among current links: A⇄B (tier-2) and A→C→A
	// (tier-1 C back-supplying tier-2 A).
	a, b, c := tt[tTier2][0], tt[tTier2][1], tt[tTier1][0]
	since := g.asOf - 3*365
	for _, p := range [][2]int32{{a, b}, {b, a}, {a, c}, {c, a}} {
		if _, err := add(p[0], p[1], componentOut.pick(r)|matMask("NdFeB-HRE-free"), since, noDay); err != nil {
			return err
		}
	}

	kinds := []linkKind{
		{"miner→refiner", 0.01, tt[tMiner], tt[tRefiner], 1.5, 1, minerOut, 1},
		{"refiner→magnet maker", 0.03, tt[tRefiner], g.magnets, 2, 1.3, refinerOut, 3},
		{"refiner→tier-2 (specialty)", 0.01, tt[tRefiner], tt[tTier2], 2, 1, specialtyOut, 2},
		{"refiner→trader", 0.005, tt[tRefiner], tt[tOther], 2, 1, refinerOut, 2},
		{"magnet maker→tier-2", 0.15, g.magnets, tt[tTier2], 2, 1.2, magnetOut, 1},
		{"magnet maker→tier-1", 0.03, g.magnets, tt[tTier1], 2, 1.5, magnetOut, 1},
		{"magnet maker→OEM", 0.01, g.magnets, tt[tOEM], 2, 1.5, magnetOut, 1},
		{"trader→tier-2", 0.02, tt[tOther], tt[tTier2], 1.5, 1, magnetOut, 1},
		{"tier-2→tier-1", 0.335, tt[tTier2], tt[tTier1], 2, 1.3, componentOut, 1},
		{"tier-1→OEM", 0.25, tt[tTier1], tt[tOEM], 1.7, 1.8, componentOut, 1},
		{"tier-1→tier-1", 0.05, tt[tTier1], tt[tTier1], 2, 1.3, componentOut, 1},
		{"tier-1→tier-2 (back)", 0.03, tt[tTier1], tt[tTier2], 2, 1, componentOut, 1},
		{"tier-2→tier-2", 0.04, tt[tTier2], tt[tTier2], 2, 1, componentOut, 1},
		{"tier-2→OEM", 0.03, tt[tTier2], tt[tOEM], 2, 1.8, componentOut, 1},
	}
	// fill: where the shortfall of saturated kinds goes (small worlds)
	fill := []int{8, 10, 12, 11, 9, 4}

	run := func(k linkKind, want int) (int, error) {
		got := 0
		for attempts := want*20 + 50; got < want && attempts > 0; attempts-- {
			s := pickSkewed(r, k.sup, k.supAlpha)
			c := pickSkewed(r, k.cust, k.custAlpha)
			mats := k.mats.pick(r)
			for j := 1; j < k.maxMats; j++ {
				if r.IntN(2) == 0 {
					mats |= k.mats.pick(r)
				}
			}
			since, until := linkDates(r, g.asOf)
			ok, err := add(s, c, mats, since, until)
			if err != nil {
				return got, err
			}
			if ok {
				got++
			}
		}
		return got, nil
	}
	wants := make([]int, len(kinds))
	rest := target - written
	for i, k := range kinds {
		wants[i] = int(math.Round(k.share * float64(target)))
		rest -= wants[i]
	}
	wants[fill[0]] = max(0, wants[fill[0]]+rest) // rounding and the cycles
	for i, k := range kinds {
		if _, err := run(k, wants[i]); err != nil {
			return err
		}
	}
	for _, i := range fill {
		short := target - written
		if short <= 0 {
			break
		}
		if _, err := run(kinds[i], short); err != nil {
			return err
		}
	}
	g.links = written
	return nil
}

// noConfidence picks about one link in ten to have no confidence (paths
// through it have none), from the pair alone: drawing it would change
// every later draw, and so the worlds benchmarks were measured on.
func noConfidence(s, c int32) bool {
	h := (uint64(uint32(s))<<32 | uint64(uint32(c))) * 0x9E3779B97F4A7C15
	return h>>32%10 == 0
}

// linkDates draws a link's period: about 10% ended before asOf, 6% starting
// after it, 4% started in the last 90 days, 8% with an end after it; since
// is absent for 15%.
func linkDates(r *rand.Rand, asOf day) (since, until day) {
	since, until = noDay, noDay
	if r.IntN(100) >= 15 {
		since = between(r, mkDay(2012, 1, 1), asOf-120)
	}
	switch x := r.IntN(100); {
	case x < 10: // ended
		lo := asOf - 5*365
		if since != noDay {
			lo = since + 30
		}
		until = between(r, lo, asOf-1)
		if since != noDay && until <= since {
			since = until - 30
		}
	case x < 16: // not yet started
		since = asOf + 1 + day(r.IntN(365))
		if r.IntN(2) == 0 {
			until = since + 365*day(2+r.IntN(4))
		}
	case x < 20: // recent
		since = asOf - day(r.IntN(90))
	case x < 28: // current, with an end date
		until = asOf + 30 + day(r.IntN(1500))
	}
	return since, until
}
