package projection

import (
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// The exposure rules of docs/exposure.md on the in-memory graph. The Go
// reference of the rules (internal/exposure/reference_test.go) and the
// property test hold this to them.

// controlledOn returns, by material id, whether a material is controlled
// on d (rule 1): some control in force — effective, not lifted, not
// suspended — controls it.
func (g *graph) controlledOn(d day) []bool {
	out := make([]bool, len(g.mats.names))
	for _, x := range g.controls {
		if !x.inForce(d) {
			continue
		}
		for _, m := range x.mats {
			out[m] = true
		}
	}
	return out
}

// changeDays are the days on which whether the control is in force may
// differ from the day before; absent bounds are openStart or openEnd.
func (x *control) changeDays() [4]day { return [4]day{x.effective, x.lifted, x.suspFrom, x.suspTo} }

// changeDays are the days on which the licence's standing may differ
// from the day before: its validity starts, ends (the day after
// validUntil) or it is revoked; absent bounds are openStart or openEnd.
func (l *licence) changeDays() [3]day {
	end := l.validUntil
	if end != openEnd {
		end++
	}
	return [3]day{l.validFrom, end, l.revok}
}

// inForce is rule 1's "control in force on d": effective, not lifted,
// not suspended.
func (x *control) inForce(d day) bool {
	return x.effective <= d && d < x.lifted && !(x.suspFrom <= d && d < x.suspTo)
}

const china = "CN"

// Where a company is registered, as rule 2 needs it: the exposure walks
// read it for every link, and a byte per company stays in the cache where
// the country strings do not.
const (
	originUnknown uint8 = iota // no country recorded
	originCN
	originAbroad
)

func originOf(country string) uint8 {
	switch country {
	case "":
		return originUnknown
	case china:
		return originCN
	}
	return originAbroad
}

// controlledMats returns the controlled materials of the link s→c on d
// (rule 2): none unless s is registered in CN, c outside it, and the link
// current.
func (g *graph) controlledMats(s, c int32, l link, d day, controlled []bool) []int32 {
	if g.origin[s] != originCN || g.origin[c] != originAbroad || !l.current(d) {
		return nil
	}
	var out []int32
	for _, m := range g.linkMats(l) {
		if int(m) < len(controlled) && controlled[m] {
			out = append(out, m)
		}
	}
	return out
}

// covering returns the licences s holds that COVER c, by id.
func (g *graph) coveringLicences(s, c int32) []*licence {
	var out []*licence
	for _, l := range g.held[s] {
		if _, ok := slices.BinarySearch(l.clients, c); ok {
			out = append(out, l)
		}
	}
	return out
}

// excludes says whether l EXCLUDES a sector c operates in, or one above it.
func (g *graph) excludes(l *licence, c int32) bool {
	if len(l.excluded) == 0 {
		return false
	}
	for _, s := range g.sectors[c] {
		for x := s; x >= 0; x = g.parent[x] {
			if slices.Contains(l.excluded, x) {
				return true
			}
		}
	}
	return false
}

// stage is how far a licence gets through rule 3's date and status tests
// on d: 1 fails on status (or revocation), 2 not yet valid, 3 expired, 4
// in force. The tests are domain.StandingOf's, which Licence.standing
// answers with too.
func (l *licence) stage(d day) int {
	switch domain.StandingOf(l.Status, l.revok, l.validFrom, l.validUntil, d) {
	case domain.StandingValid:
		return 4
	case domain.StandingExpired:
		return 3
	case domain.StandingNotYetValid:
		return 2
	}
	return 1
}

// statusOn is the licence's status on d: a passed revokedOn is REVOKED.
func (l *licence) statusOn(d day) domain.LicenceStatus {
	if l.revok <= d {
		return domain.StatusRevoked
	}
	return l.Status
}

// failure ranks why a licence does not cover a hop: the licence that gets
// furthest decides (rule 4); at the status test, PENDING before DENIED
// before REVOKED.
func (g *graph) failure(l *licence, d day, c int32, uncovered []int32) (int, domain.ExposureReason) {
	switch l.stage(d) {
	case 1:
		switch l.Status {
		case domain.StatusPending:
			return 13, domain.ReasonPending
		case domain.StatusDenied:
			return 12, domain.ReasonDenied
		}
		return 11, domain.ReasonRevoked
	case 2:
		return 20, domain.ReasonNotYetValid
	case 3:
		return 30, domain.ReasonExpired
	}
	for _, m := range uncovered {
		if _, ok := slices.BinarySearch(l.mats, m); !ok {
			return 40, domain.ReasonMaterialNotCovered
		}
	}
	return 50, domain.ReasonSectorExcluded
}

// judge applies rules 2–4 to the link s→c on d.
func (g *graph) judge(s, c int32, l link, d day, controlled []bool) domain.SupplyHop {
	h := domain.SupplyHop{Supplier: g.ids[s], Customer: g.ids[c]}
	h.Materials = g.names(g.linkMats(l))
	cm := g.controlledMats(s, c, l, d, controlled)
	h.ControlledMaterials = g.names(cm)
	lics := g.coveringLicences(s, c)
	h.Licences = make([]string, len(lics))
	for i, x := range lics {
		h.Licences[i] = x.ID
	}
	h.Controlled = len(cm) > 0
	uncovered := g.uncovered(c, cm, lics, d)
	h.Covered = h.Controlled && len(uncovered) == 0
	if len(uncovered) > 0 {
		best, reason := 0, domain.ReasonNoLicence
		for _, x := range lics {
			if rank, r := g.failure(x, d, c, uncovered); rank > best {
				best, reason = rank, r
			}
		}
		h.Reason = reason
	}
	return h
}

// uncovered returns the controlled materials cm of a hop to c that no
// licence of lics covers on d (rule 3).
func (g *graph) uncovered(c int32, cm []int32, lics []*licence, d day) []int32 {
	var out []int32
	for _, m := range cm {
		covered := false
		for _, x := range lics {
			if x.stage(d) == 4 && !g.excludes(x, c) {
				if _, ok := slices.BinarySearch(x.mats, m); ok {
					covered = true
					break
				}
			}
		}
		if !covered {
			out = append(out, m)
		}
	}
	return out
}

// covers says whether some licence s holds covers material m on the hop
// s→c on d (rule 3).
func (g *graph) covers(s, c, m int32, d day) bool {
	for _, x := range g.held[s] {
		if x.stage(d) != 4 {
			continue
		}
		if _, ok := slices.BinarySearch(x.clients, c); !ok {
			continue
		}
		if _, ok := slices.BinarySearch(x.mats, m); ok && !g.excludes(x, c) {
			return true
		}
	}
	return false
}

// names returns the material ids of set, sorted.
func (g *graph) names(set []int32) []string {
	out := make([]string, len(set))
	for i, m := range set {
		out[i] = g.mats.names[m]
	}
	slices.Sort(out)
	return out
}
