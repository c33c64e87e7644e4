package projection

import (
	"context"
	"fmt"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// delta is what a run of recorded writes touched, by kind.
type delta struct {
	sectors, controls, companies, licences map[string]bool
	links                                  map[[2]string]bool
}

// kindOf maps each recorded operation (neo4jstore's audit trail) to the
// kind of record its ids name.
var kindOf = map[string]domain.Kind{
	"upsertCompany":        domain.KindCompany,
	"upsertSupplyLink":     domain.KindSupply,
	"removeSupplyLink":     domain.KindSupply,
	"grantLicence":         domain.KindLicence,
	"importLicences":       domain.KindLicence,
	"revokeLicence":        domain.KindLicence,
	"setLicenceExclusions": domain.KindLicence,
}

// affected gathers the records changes name. full: some change did not
// name all its records (a large seed file) or is unknown, so only a full
// load is sure to see it.
func affected(changes []domain.Change) (delta, bool) {
	d := delta{sectors: map[string]bool{}, controls: map[string]bool{}, companies: map[string]bool{},
		licences: map[string]bool{}, links: map[[2]string]bool{}}
	for _, c := range changes {
		kind, ok := kindOf[c.Operation]
		if !ok {
			k, isSeed := strings.CutPrefix(c.Operation, "seed ")
			if !isSeed {
				return d, true
			}
			kind = domain.Kind(k)
		}
		if c.Count > len(c.IDs) {
			return d, true
		}
		for _, id := range c.IDs {
			switch kind {
			case domain.KindSector:
				d.sectors[id] = true
			case domain.KindControl:
				d.controls[id] = true
			case domain.KindCompany:
				d.companies[id] = true
			case domain.KindLicence:
				d.licences[id] = true
			case domain.KindSupply:
				s, c, ok := strings.Cut(id, "->")
				if !ok {
					return d, true
				}
				d.links[[2]string{s, c}] = true
			case domain.KindMaterial:
				// Materials are ids on links and licences: nothing to re-read.
			default:
				return d, true
			}
		}
	}
	return d, false
}

// apply re-reads the records of d (views go on meanwhile) and makes the
// state of version next: for licences alone, a copy of the graph that
// shares all but the licence tables, while views of the old state go on;
// otherwise the graph changed in place, once every view is released.
func (p *Projection) apply(ctx context.Context, d delta, next domain.GraphVersion) error {
	sectors, err := reRead(ctx, d.sectors, p.src.SectorsByIDs)
	if err != nil {
		return fmt.Errorf("re-read sectors: %w", err)
	}
	controls, err := reRead(ctx, d.controls, p.src.ExportControlsByIDs)
	if err != nil {
		return fmt.Errorf("re-read controls: %w", err)
	}
	companies, err := reRead(ctx, d.companies, p.src.CompaniesByIDs)
	if err != nil {
		return fmt.Errorf("re-read companies: %w", err)
	}
	licences, err := reRead(ctx, d.licences, p.src.LicencesByIDs)
	if err != nil {
		return fmt.Errorf("re-read licences: %w", err)
	}
	pairs := make([][2]string, 0, len(d.links))
	for pair := range d.links {
		pairs = append(pairs, pair)
	}
	found := map[[2]string]domain.SupplyLink{}
	for start := 0; start < len(pairs); start += reReadBatch {
		links, err := p.src.LinksByPairs(ctx, pairs[start:min(start+reReadBatch, len(pairs))])
		if err != nil {
			return fmt.Errorf("re-read links: %w", err)
		}
		for _, l := range links {
			found[[2]string{l.Supplier, l.Customer}] = l
		}
	}

	cur := p.state.Load()
	if d.licencesOnly() && cur.g.knowsAll(licences) {
		ng := cur.g.withLicences(d.licences, licences)
		p.state.Store(&state{g: ng, version: next, memo: newMemo()})
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g := cur.g
	// A write of links alone keeps the hop table, made again for them.
	var hops *hopTable
	if d.linksOnly() {
		g.hopMu.Lock()
		hops = g.hops
		g.hopMu.Unlock()
	}
	for _, s := range sectors {
		g.setSector(s)
	}
	for _, x := range controls {
		g.setControl(x)
	}
	for _, c := range companies {
		g.setCompany(c)
	}
	for _, pair := range pairs {
		if l, ok := found[pair]; ok {
			g.setLink(l)
		} else {
			g.removeLink(pair[0], pair[1])
		}
	}
	for id := range d.licences {
		if l, ok := licences[id]; ok {
			g.setLicence(l)
		} else {
			g.removeLicence(id)
		}
	}
	g.sortCompanies()
	if hops != nil {
		idx := make([][2]int32, 0, len(pairs))
		for _, pair := range pairs {
			s, ok1 := g.index[pair[0]]
			c, ok2 := g.index[pair[1]]
			if ok1 && ok2 {
				idx = append(idx, [2]int32{s, c})
			}
		}
		g.hopMu.Lock()
		g.hops = hops.withLinks(g, idx)
		g.hopMu.Unlock()
	}
	p.state.Store(&state{g: g, version: next, memo: newMemo()})
	return nil
}

// linksOnly says the writes touched supply links and nothing else.
func (d delta) linksOnly() bool {
	return len(d.links) > 0 && len(d.sectors)+len(d.controls)+len(d.companies)+len(d.licences) == 0
}

// licencesOnly says the writes touched licences and nothing else.
func (d delta) licencesOnly() bool {
	return len(d.licences) > 0 && len(d.sectors)+len(d.controls)+len(d.companies)+len(d.links) == 0
}

// reRead reads the records of ids in batches.
func reRead[T any](ctx context.Context, ids map[string]bool, read func(context.Context, []string) (map[string]T, error)) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	for start := 0; start < len(list); start += reReadBatch {
		got, err := read(ctx, list[start:min(start+reReadBatch, len(list))])
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			out[k] = v
		}
	}
	return out, nil
}
