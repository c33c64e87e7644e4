package exposure_test

// A reference model of the exposure rules 1–5 of docs/exposure.md in plain Go,
// written for clarity rather than speed: the property test compares the
// Neo4j engine against it on synthetic worlds, and rules_test.go pins the
// model itself on small hand-built worlds.
//
// Edge cases, as docs/exposure.md settles them (the engine agrees):
//
// Rule 1 (controlled material on D)
//   - A control with an absent effectiveFrom is NOT in force
//     (`effectiveFrom <= D` is false when effectiveFrom is absent).
//   - An absent liftedOn means never lifted.
//   - A suspension applies when suspendedFrom <= D and (suspendedUntil is
//     absent or D < suspendedUntil); an absent suspendedFrom means never
//     suspended. On the day suspendedUntil itself the material is
//     controlled again.
//
// Rule 2 (controlled hop)
//   - "Registered in CN" means Company.Country == "CN"; every other country
//     is "outside CN".
//   - A link is current on D when (since absent or since <= D) and (until
//     absent or until > D): since inclusive, until exclusive.
//
// Rule 3 (licence covers a material)
//   - validFrom/validUntil are inclusive; an absent bound is open.
//   - revokedOn <= D fails, whatever the status.
//   - A licence with no materials covers none.
//   - Sector exclusion: the licence fails when any sector the customer
//     OPERATES_IN equals an excluded sector or has it as an ancestor
//     (PART_OF at any depth). Excluding a sub-sector does not exclude a
//     customer that operates only in its parent.
//
// Rule 4 (reason of an uncovered controlled hop)
//   - The licences considered are those the supplier HOLDS that COVER the
//     customer, whatever their status. None: NO_LICENCE.
//   - Otherwise each considered licence is run through the stages in
//     order and stops at its first failing one:
//     1 status: PENDING → PENDING, DENIED → DENIED, REVOKED → REVOKED, and an
//     ACTIVE licence with revokedOn <= D → REVOKED;
//     2 NOT_YET_VALID (D < validFrom);
//     3 EXPIRED (D > validUntil);
//     4 MATERIAL_NOT_COVERED: the licence lacks FOR_MATERIAL for at least
//     one controlled material of the hop that no licence covers;
//     5 SECTOR_EXCLUDED.
//     The reason is the failing stage of the licence that gets furthest
//     (highest stage). Every considered licence fails some stage (one that
//     passed all five would cover the uncovered materials). Ties at stages
//     2–5 are the same reason by construction; a tie at stage 1 between
//     different statuses is broken by rule 4's order, PENDING before DENIED
//     before REVOKED (the order of domain.ExposureReasons).
//
// SupplyHop fields
//   - Materials: all materials of the link (controlled or not), sorted;
//     ControlledMaterials: those controlled on D when the hop is controlled.
//   - Licences: ids of all licences held by the supplier that COVER the
//     customer (any status, valid or not, whether or not the hop is
//     controlled), sorted.
//   - Controlled: rule 2. Covered: rule 4, false when not controlled.
//     Reason: empty when covered or not controlled.
//   - Empty lists are nil here; the property test treats nil and empty as
//     equal.
//
// Rule 5 (exposure paths)
//   - A path is a sequence of DISTINCT companies S0→…→Sn=A (so A ≠ S0: a
//     cycle back to the source is no path), each hop a link current on D,
//     1 <= n <= maxDepth, whose first hop is a controlled, uncovered hop;
//     later hops may be anything current (controlled or not, covered or
//     not, any countries).
//   - pathCount counts these paths; minDepth is the least n;
//     uncoveredSuppliers are the distinct S0, sorted.
//   - A path's confidence is the product of its links' confidence, first
//     hop first; unknown when a link has none. With q.MinConfidence only
//     the paths whose confidence is known and >= MinConfidence - 1e-9
//     count, for every figure; a company's confidence is the highest
//     known among its counted paths (reference_dated_test.go).
//   - Sector filter of ExposedCompanies: A operates in q.Sector or in any
//     sector below it (PART_OF at any depth); an empty Sector means all
//     companies. The filter applies to A only, never to the path's other
//     companies. paths() ignores q.Sector (the property test asks the
//     engine for paths only of companies the sector filter keeps, so both
//     readings agree there).
//   - Paths are ordered by depth, then by the company ids along the path
//     (S0, S1, …) compared as strings.
//   - Later records with the same key replace earlier ones (as loading
//     does): the same id, or the same supplier and customer for a link.

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// refWorld is a world read from seed records, with the indexes the rules
// need.
type refWorld struct {
	sectorParent map[string]string // sector id → parent ("" for a root)
	companies    map[string]domain.Company
	controls     []domain.ExportControl
	licences     map[string]domain.Licence
	links        map[[2]string]domain.SupplyLink // [supplier, customer] → link
	linkKeys     [][2]string                     // sorted
	customers    map[string][]string             // supplier → customers, sorted
	held         map[string][]string             // holder → licence ids, sorted
	companyIDs   []string                        // sorted
}

// newRefWorld builds a world from seed.ReadFiles output (or hand-built
// records of the same types).
func newRefWorld(records map[domain.Kind][]any) *refWorld {
	w := &refWorld{
		sectorParent: map[string]string{},
		companies:    map[string]domain.Company{},
		licences:     map[string]domain.Licence{},
		links:        map[[2]string]domain.SupplyLink{},
		customers:    map[string][]string{},
		held:         map[string][]string{},
	}
	controls := map[string]domain.ExportControl{}
	for _, kind := range domain.Kinds {
		for _, r := range records[kind] {
			switch v := r.(type) {
			case domain.Sector:
				w.sectorParent[v.ID] = v.Parent
			case domain.Material:
				// Materials need no index: links, controls and licences
				// name them by id.
			case domain.ExportControl:
				controls[v.ID] = v
			case domain.Company:
				w.companies[v.ID] = v
			case domain.SupplyLink:
				w.links[[2]string{v.Supplier, v.Customer}] = v
			case domain.Licence:
				w.licences[v.ID] = v
			default:
				panic(fmt.Sprintf("newRefWorld: unexpected record %T under %s", r, kind))
			}
		}
	}
	for _, id := range sortedKeys(controls) {
		w.controls = append(w.controls, controls[id])
	}
	for k := range w.links {
		w.linkKeys = append(w.linkKeys, k)
		w.customers[k[0]] = append(w.customers[k[0]], k[1])
	}
	slices.SortFunc(w.linkKeys, func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	for _, cs := range w.customers {
		slices.Sort(cs)
	}
	for _, id := range sortedKeys(w.licences) {
		if h := w.licences[id].Holder; h != "" {
			w.held[h] = append(w.held[h], id)
		}
	}
	w.companyIDs = sortedKeys(w.companies)
	return w
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// onOrBefore is a <= b for present dates; false when a is absent.
func onOrBefore(a, b domain.Date) bool { return !a.IsZero() && !a.After(b) }

// controlled is rule 1: some control of m is in force on d.
func (w *refWorld) controlled(m string, d domain.Date) bool {
	for _, c := range w.controls {
		if slices.Contains(c.Materials, m) && inForce(c, d) {
			return true
		}
	}
	return false
}

// inForce says whether a control is in force on d (rule 1).
func inForce(c domain.ExportControl, d domain.Date) bool {
	effective := onOrBefore(c.EffectiveFrom, d) // absent effectiveFrom: not in force
	lifted := onOrBefore(c.LiftedOn, d)
	suspended := onOrBefore(c.SuspendedFrom, d) && (c.SuspendedUntil.IsZero() || d.Before(c.SuspendedUntil))
	return effective && !lifted && !suspended
}

// current says whether a link is current on d (rule 2): since inclusive,
// until exclusive, absent = open.
func current(l domain.SupplyLink, d domain.Date) bool {
	return (l.Since.IsZero() || !l.Since.After(d)) && (l.Until.IsZero() || l.Until.After(d))
}

func (w *refWorld) inCN(company string) bool { return w.companies[company].Country == "CN" }

// underSector says whether sector s is root or lies below it (PART_OF at
// any depth).
func (w *refWorld) underSector(s, root string) bool {
	for range len(w.sectorParent) + 1 { // bounded: a PART_OF cycle cannot loop forever
		if s == root {
			return true
		}
		p, ok := w.sectorParent[s]
		if !ok || p == "" {
			return false
		}
		s = p
	}
	return false
}

// operatesUnder says whether the company operates in root or a sector
// below it.
func (w *refWorld) operatesUnder(company, root string) bool {
	for _, s := range w.companies[company].Sectors {
		if w.underSector(s, root) {
			return true
		}
	}
	return false
}

// excludes says whether the licence excludes a sector the customer
// operates in (rule 3, last condition).
func (w *refWorld) excludes(l domain.Licence, customer string) bool {
	for _, e := range l.ExcludedSectors {
		if w.operatesUnder(customer, e) {
			return true
		}
	}
	return false
}

// considered returns the ids of the licences the supplier HOLDS that COVER
// the customer, sorted.
func (w *refWorld) considered(supplier, customer string) []string {
	var out []string
	for _, id := range w.held[supplier] {
		if slices.Contains(w.licences[id].Clients, customer) {
			out = append(out, id)
		}
	}
	return out
}

// Stages of rule 4, in order.
const (
	stageStatus = iota + 1
	stageNotYetValid
	stageExpired
	stageMaterial
	stageSector
	stagePassed
)

// firstFailure runs the tests of rule 3 on a considered licence in the
// order of rule 4. uncovered lists the controlled materials of the hop
// that no licence covers; with uncovered nil it tells whether the licence
// is usable for the customer at all (stagePassed when it is).
func (w *refWorld) firstFailure(l domain.Licence, customer string, d domain.Date, uncovered []string) (int, domain.ExposureReason) {
	switch l.Status {
	case domain.StatusPending:
		return stageStatus, domain.ReasonPending
	case domain.StatusDenied:
		return stageStatus, domain.ReasonDenied
	case domain.StatusRevoked:
		return stageStatus, domain.ReasonRevoked
	case domain.StatusActive:
		if onOrBefore(l.RevokedOn, d) {
			return stageStatus, domain.ReasonRevoked
		}
	default:
		panic(fmt.Sprintf("licence %s: unknown status %q", l.ID, l.Status))
	}
	if !l.ValidFrom.IsZero() && d.Before(l.ValidFrom) {
		return stageNotYetValid, domain.ReasonNotYetValid
	}
	if !l.ValidUntil.IsZero() && d.After(l.ValidUntil) {
		return stageExpired, domain.ReasonExpired
	}
	for _, m := range uncovered {
		if !slices.Contains(l.Materials, m) {
			return stageMaterial, domain.ReasonMaterialNotCovered
		}
	}
	if w.excludes(l, customer) {
		return stageSector, domain.ReasonSectorExcluded
	}
	return stagePassed, ""
}

// covers is rule 3 for a licence already known to be held by the supplier
// and to COVER the customer.
func (w *refWorld) covers(l domain.Licence, m, customer string, d domain.Date) bool {
	stage, _ := w.firstFailure(l, customer, d, nil)
	return stage == stagePassed && slices.Contains(l.Materials, m)
}

func reasonRank(r domain.ExposureReason) int {
	i := slices.Index(domain.ExposureReasons, r)
	if i < 0 {
		panic("unknown reason " + string(r))
	}
	return i
}

// hop judges the link supplier→customer on d (rules 2–4); false when there
// is no such link.
func (w *refWorld) hop(supplier, customer string, d domain.Date) (domain.SupplyHop, bool) {
	link, ok := w.links[[2]string{supplier, customer}]
	if !ok {
		return domain.SupplyHop{}, false
	}
	h := domain.SupplyHop{Supplier: supplier, Customer: customer}
	if len(link.Materials) > 0 {
		h.Materials = slices.Clone(link.Materials)
		slices.Sort(h.Materials)
		h.Materials = slices.Compact(h.Materials)
	}
	h.Licences = w.considered(supplier, customer)

	// rule 2
	if !w.inCN(supplier) || w.inCN(customer) || !current(link, d) {
		return h, true
	}
	var controlled []string
	for _, m := range h.Materials {
		if w.controlled(m, d) {
			controlled = append(controlled, m)
		}
	}
	if len(controlled) == 0 {
		return h, true
	}
	h.Controlled = true
	h.ControlledMaterials = controlled // h.Materials is sorted, so is this

	// rules 3 and 4
	var uncovered []string
	for _, m := range controlled {
		coveredBySome := false
		for _, id := range h.Licences {
			if w.covers(w.licences[id], m, customer, d) {
				coveredBySome = true
				break
			}
		}
		if !coveredBySome {
			uncovered = append(uncovered, m)
		}
	}
	if len(uncovered) == 0 {
		h.Covered = true
		return h, true
	}
	if len(h.Licences) == 0 {
		h.Reason = domain.ReasonNoLicence
		return h, true
	}
	best := 0
	for _, id := range h.Licences {
		stage, reason := w.firstFailure(w.licences[id], customer, d, uncovered)
		if stage == stagePassed {
			panic(fmt.Sprintf("licence %s passes every test but leaves %v of %s→%s uncovered", id, uncovered, supplier, customer))
		}
		if stage > best || (stage == best && reasonRank(reason) < reasonRank(h.Reason)) {
			best, h.Reason = stage, reason
		}
	}
	return h, true
}

// walk calls visit with the companies of every exposure path on
// q.AsOf within q.MaxDepth (rule 5), by depth-first search from each
// uncovered controlled hop. nodes is reused between calls.
func (w *refWorld) walk(q domain.ExposureQuery, visit func(nodes []string)) {
	d := q.AsOf
	if d.IsZero() {
		panic("refWorld: q.AsOf must be set")
	}
	var dfs func(nodes []string)
	dfs = func(nodes []string) {
		if w.counts(q, nodes) {
			visit(nodes)
		}
		if len(nodes)-1 == q.MaxDepth {
			return
		}
		last := nodes[len(nodes)-1]
		for _, next := range w.customers[last] {
			if slices.Contains(nodes, next) || !current(w.links[[2]string{last, next}], d) {
				continue
			}
			dfs(append(nodes, next))
		}
	}
	if q.MaxDepth < 1 {
		return
	}
	for _, k := range w.linkKeys {
		h, _ := w.hop(k[0], k[1], d)
		if h.Controlled && !h.Covered {
			dfs([]string{k[0], k[1]})
		}
	}
}

// exposed returns the exposed companies (rule 5) sorted by id; q.AsOf
// must be set.
func (w *refWorld) exposed(q domain.ExposureQuery) []domain.ExposedCompany {
	byID := map[string]*domain.ExposedCompany{}
	w.walk(q, func(nodes []string) {
		a := nodes[len(nodes)-1]
		e := byID[a]
		if e == nil {
			e = &domain.ExposedCompany{CompanyID: a, MinDepth: len(nodes) - 1}
			byID[a] = e
		}
		e.PathCount++
		e.MinDepth = min(e.MinDepth, len(nodes)-1)
		if c, ok := w.confidence(nodes); ok && (e.Confidence == nil || c > *e.Confidence) {
			e.Confidence = &c
		}
		if !slices.Contains(e.UncoveredSuppliers, nodes[0]) {
			e.UncoveredSuppliers = append(e.UncoveredSuppliers, nodes[0])
		}
	})
	var out []domain.ExposedCompany
	for _, id := range sortedKeys(byID) {
		if q.Sector != "" && !w.operatesUnder(id, q.Sector) {
			continue
		}
		e := *byID[id]
		slices.Sort(e.UncoveredSuppliers)
		out = append(out, e)
	}
	return out
}

// paths returns every exposure path of the company (rule 5), by depth and
// then by the company ids along the path; q.Sector is not used.
func (w *refWorld) paths(companyID string, q domain.ExposureQuery) []domain.ExposurePath {
	var seqs [][]string
	w.walk(q, func(nodes []string) {
		if nodes[len(nodes)-1] == companyID {
			seqs = append(seqs, slices.Clone(nodes))
		}
	})
	slices.SortFunc(seqs, func(a, b []string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), slices.Compare(a, b))
	})
	out := make([]domain.ExposurePath, 0, len(seqs))
	for _, s := range seqs {
		var p domain.ExposurePath
		for i := 0; i+1 < len(s); i++ {
			h, ok := w.hop(s[i], s[i+1], q.AsOf)
			if !ok {
				panic("walk followed a missing link")
			}
			p.Hops = append(p.Hops, h)
		}
		if c, ok := w.confidence(s); ok {
			p.Confidence = &c
		}
		out = append(out, p)
	}
	return out
}

// pathNodes is a path's companies, S0 first.
func pathNodes(p domain.ExposurePath) []string {
	if len(p.Hops) == 0 {
		return nil
	}
	out := []string{p.Hops[0].Supplier}
	for _, h := range p.Hops {
		out = append(out, h.Customer)
	}
	return out
}
