package projection

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// WhatIf returns a view of the graph of v with the scenario's changes
// applied (domain.Scenario says in which order), sharing with v all it
// does not change, so that it costs a copy of what changes, not of the
// graph: licences as a licence write's copy (withLicences, with the hop
// table judged again for their holders and clients), links by copying the
// lists of the companies they touch (the hop table made again for them,
// the walk layout anew), controls by copying their table. It also returns
// the records it changed, as changed, and the links whose judgement the
// changes may alter (supplier, customer), sorted.
//
// The view lives inside v: it holds no lock of its own (Release does
// nothing) and must not outlive v. References to records the scenario
// does not change are checked by the caller against the store, as the
// mutations check them; the records it changes (licences revoked or with
// exclusions replaced, links removed, controls suspended) are looked up
// here: unknown ones are BAD_USER_INPUT naming the path. A reference the
// store knows and v does not (a write committed since v was acquired) is
// CONFLICT.
func (v *View) WhatIf(ctx context.Context, s domain.Scenario) (*View, *domain.Hypothetical, [][2]string, error) {
	g := v.g
	var invalid domain.InvalidInput
	bad := func(list string, i int, field, format string, args ...any) {
		invalid = append(invalid, domain.InvalidField{Index: i, Field: domain.ScenarioPath(list, i, field), Message: fmt.Sprintf(format, args...)})
	}
	// checked reports a record's problems on the item's fields: its own
	// field names are mapped to the item's (fields), the rest to the id.
	checked := func(list string, i int, es domain.FieldErrors, fields map[string]string, idField string) bool {
		for _, e := range es {
			f, ok := fields[e.Field]
			if !ok {
				f = idField
			}
			bad(list, i, f, "%s", e.InputMessage)
		}
		return len(es) == 0
	}

	hyp := &domain.Hypothetical{Licences: map[string]domain.Licence{}, Links: map[domain.LinkKey]domain.SupplyLink{}}
	licenceNow := func(id string) (domain.Licence, bool) {
		if l, ok := hyp.Licences[id]; ok {
			return l, true
		}
		if x, ok := g.licences[id]; ok {
			return x.Licence, true
		}
		return domain.Licence{}, false
	}
	for _, l := range s.GrantLicences {
		hyp.Licences[l.ID] = l
	}
	for i, r := range s.RevokeLicences {
		l, ok := licenceNow(r.ID)
		if !ok {
			bad("revokeLicences", i, "id", "unknown licence %q", r.ID)
			continue
		}
		l.Status, l.RevokedOn = domain.StatusRevoked, r.On
		if l.RevokedOn.IsZero() {
			l.RevokedOn = domain.Today()
		}
		if checked("revokeLicences", i, l.Validate(), map[string]string{"revoked_on": "on"}, "id") {
			hyp.Licences[r.ID] = l
		}
	}
	for i, x := range s.SetExclusions {
		l, ok := licenceNow(x.LicenceID)
		if !ok {
			bad("setExclusions", i, "licenceId", "unknown licence %q", x.LicenceID)
			continue
		}
		l.ExcludedSectors = slices.Clone(x.Sectors)
		if checked("setExclusions", i, l.Validate(), map[string]string{"excluded_sectors": "sectors"}, "licenceId") {
			hyp.Licences[x.LicenceID] = l
		}
	}
	for _, l := range s.AddLinks {
		hyp.Links[domain.LinkKey{Supplier: l.Supplier, Customer: l.Customer}] = l
	}
	removed := map[domain.LinkKey]bool{}
	for i, k := range s.RemoveLinks {
		_, added := hyp.Links[k]
		if !added && !g.hasLink(k) {
			bad("removeLinks", i, "", "no supply link from %q to %q", k.Supplier, k.Customer)
			continue
		}
		delete(hyp.Links, k)
		removed[k] = true
	}
	controls := map[string]domain.ExportControl{}
	for i, x := range s.SuspendControls {
		c, ok := g.controls[x.ID]
		if !ok {
			bad("suspendControls", i, "id", "unknown export control %q", x.ID)
			continue
		}
		rec := c.ExportControl
		rec.SuspendedFrom, rec.SuspendedUntil = x.From, x.Until
		if checked("suspendControls", i, rec.Validate(), map[string]string{"suspended_from": "from", "suspended_until": "until"}, "id") {
			controls[x.ID] = rec
		}
	}
	if err := invalid.AsError(); err != nil {
		return nil, nil, nil, err
	}
	if err := g.knowsCompanies(hyp); err != nil {
		return nil, nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}

	ng := g.withScenario(hyp, removed, controls)
	touched := g.touchedBy(ng, hyp, removed, controls)
	sv := &View{p: v.p, g: ng, version: v.version, memo: newMemo(), scenario: true}
	return sv, hyp, touched, nil
}

// hasLink says whether the link k exists.
func (g *graph) hasLink(k domain.LinkKey) bool {
	s, ok1 := g.index[k.Supplier]
	c, ok2 := g.index[k.Customer]
	if !ok1 || !ok2 {
		return false
	}
	_, ok := g.linkOf(s, c)
	return ok
}

// knowsCompanies checks that the companies and sectors the scenario's
// records name are in the graph: the store knew them (the caller checked),
// so one missing here was written after the view was taken.
func (g *graph) knowsCompanies(h *domain.Hypothetical) error {
	var missing []string
	company := func(id string) {
		if _, ok := g.index[id]; id != "" && !ok {
			missing = append(missing, "company "+id)
		}
	}
	for _, l := range h.Licences {
		company(l.Holder)
		for _, c := range l.Clients {
			company(c)
		}
		for _, s := range l.ExcludedSectors {
			if _, ok := g.sectorIndex[s]; !ok {
				missing = append(missing, "sector "+s)
			}
		}
	}
	for k := range h.Links {
		company(k.Supplier)
		company(k.Customer)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return domain.Errorf(domain.CodeConflict, "the graph changed while the scenario was checked (%s): ask again", strings.Join(missing, ", "))
	}
	return nil
}

// withScenario is g with the licences and links of h set, the links of
// removed removed and the controls replaced, as a copy that shares what
// they leave alone (see WhatIf).
func (g *graph) withScenario(h *domain.Hypothetical, removed map[domain.LinkKey]bool, controls map[string]domain.ExportControl) *graph {
	base := g
	// Links may bring material sets and confidences the shared tables lack,
	// and licences materials: the copy appends to tables of its own.
	if len(h.Links) > 0 || !g.knowsAll(h.Licences) {
		c := g.snapshot()
		c.mats = g.mats.clone()
		c.matSet, c.attrs = g.matSet.clone(), g.attrs.clone()
		base = &c
	}
	ng := base
	if len(h.Licences) > 0 {
		if !g.knowsAll(h.Licences) {
			// New materials widen the hop table's sets: the copy builds
			// its own on first use.
			c := base.snapshot()
			c.hops, c.hopMu = nil, &sync.Mutex{}
			base = &c
		}
		ids := make(map[string]bool, len(h.Licences))
		for id := range h.Licences {
			ids[id] = true
		}
		ng = base.withLicences(ids, h.Licences)
	}
	if len(h.Links) > 0 || len(removed) > 0 {
		ng = ng.withLinkChanges(h.Links, removed)
	}
	if len(controls) > 0 {
		c := ng.snapshot()
		c.controls = maps.Clone(ng.controls)
		for _, x := range controls {
			c.setControl(x)
		}
		ng = &c
	}
	return ng
}

// withLinkChanges is a copy of g with links set and removed: the link
// lists of the companies they touch are the copy's own, the walk layout
// is made anew and the hop table again for those links.
func (g *graph) withLinkChanges(set map[domain.LinkKey]domain.SupplyLink, removed map[domain.LinkKey]bool) *graph {
	ng := g.snapshot()
	hops := ng.hops
	ng.walk, ng.walkMu = nil, &sync.Mutex{}
	ng.hops, ng.hopMu = nil, &sync.Mutex{}
	ng.out, ng.in = slices.Clone(g.out), slices.Clone(g.in)
	ownOut, ownIn := map[int32]bool{}, map[int32]bool{}
	var pairs [][2]int32
	own := func(k domain.LinkKey) {
		s, c := ng.index[k.Supplier], ng.index[k.Customer]
		if !ownOut[s] {
			ng.out[s], ownOut[s] = slices.Clone(ng.out[s]), true
		}
		if !ownIn[c] {
			ng.in[c], ownIn[c] = slices.Clone(ng.in[c]), true
		}
		pairs = append(pairs, [2]int32{s, c})
	}
	for k := range removed {
		own(k)
		ng.removeLink(k.Supplier, k.Customer)
	}
	for k, l := range set {
		own(k)
		ng.setLink(l)
	}
	if hops != nil {
		ng.hops = hops.withLinks(&ng, pairs)
	}
	return &ng
}

// touchedBy lists the links (supplier, customer) whose judgement the
// scenario may change, in g or in its copy ng: those between the holders
// and clients of the licences it changed (before and after), those it
// added or removed, and, for a control it suspends, every link from CN
// abroad that carries one of its materials. Sorted by supplier then
// customer id. A scenario adds no company, so both graphs number
// companies alike.
func (g *graph) touchedBy(ng *graph, h *domain.Hypothetical, removed map[domain.LinkKey]bool, controls map[string]domain.ExportControl) [][2]string {
	set := map[[2]int32]bool{}
	pair := func(s, c string) {
		si, ok1 := g.index[s]
		ci, ok2 := g.index[c]
		if ok1 && ok2 {
			set[[2]int32{si, ci}] = true
		}
	}
	holderClients := func(l domain.Licence) {
		if l.Holder == "" {
			return
		}
		for _, c := range l.Clients {
			pair(l.Holder, c)
		}
	}
	for id, l := range h.Licences {
		holderClients(l)
		if old, ok := g.licences[id]; ok {
			holderClients(old.Licence)
		}
	}
	for k := range h.Links {
		pair(k.Supplier, k.Customer)
	}
	for k := range removed {
		pair(k.Supplier, k.Customer)
	}
	if len(controls) > 0 {
		mats := map[int32]bool{}
		for id := range controls {
			for _, m := range g.controls[id].mats {
				mats[m] = true
			}
		}
		for _, x := range []*graph{g, ng} {
			for s := range x.ids {
				if x.origin[s] != originCN {
					continue
				}
				for _, l := range x.out[s] {
					if x.origin[l.other] != originAbroad {
						continue
					}
					if slices.ContainsFunc(x.linkMats(l), func(m int32) bool { return mats[m] }) {
						set[[2]int32{int32(s), l.other}] = true
					}
				}
			}
		}
	}
	// Only pairs with a link on one side or the other can be judged.
	idx := make([][2]int32, 0, len(set))
	for p := range set {
		_, inG := g.linkOf(p[0], p[1])
		_, inNG := ng.linkOf(p[0], p[1])
		if inG || inNG {
			idx = append(idx, p)
		}
	}
	rank := g.idRank()
	slices.SortFunc(idx, func(a, b [2]int32) int {
		if c := cmp.Compare(rank[a[0]], rank[b[0]]); c != 0 {
			return c
		}
		return cmp.Compare(rank[a[1]], rank[b[1]])
	})
	out := make([][2]string, len(idx))
	for i, p := range idx {
		out[i] = [2]string{g.ids[p[0]], g.ids[p[1]]}
	}
	return out
}

func (n *interner) clone() *interner {
	return &interner{ids: maps.Clone(n.ids), names: slices.Clip(n.names)}
}

func (t *setTable) clone() *setTable {
	return &setTable{ids: maps.Clone(t.ids), sets: slices.Clip(t.sets)}
}

func (t *attrTable) clone() *attrTable {
	return &attrTable{ids: maps.Clone(t.ids), mats: slices.Clip(t.mats), conf: slices.Clip(t.conf)}
}
