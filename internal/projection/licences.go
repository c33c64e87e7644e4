package projection

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Reads answers the read API from a domain.ReadService (the store), with
// companies' licence lists — the largest statement of nested pages, asked
// again and again — answered from the projection instead.
type Reads struct {
	domain.ReadService
	P *Projection
}

// LicencesHeld returns, for each key, the licences its holder holds whose
// validity window holds the date, filtered by their status on that date,
// by id. Lists are those of the stored licence; without Lists they are
// left empty.
func (r Reads) LicencesHeld(ctx context.Context, keys []domain.HeldKey) (map[domain.HeldKey][]domain.Licence, error) {
	v, err := r.P.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer v.Release()
	g := v.g
	out := make(map[domain.HeldKey][]domain.Licence, len(keys))
	for _, k := range keys {
		list := []domain.Licence{}
		d := dayOf(k.AsOf, openStart)
		if h, ok := g.index[k.Holder]; ok {
			for _, l := range g.held[h] {
				if d < l.validFrom || l.validUntil < d || (k.Status != "" && l.statusOn(d) != k.Status) {
					continue
				}
				x := l.Licence
				if !k.Lists {
					x.Clients, x.Materials, x.ExcludedSectors, x.Controls, x.Sources = nil, nil, nil, nil, nil
				}
				list = append(list, x)
			}
		}
		out[k] = list
	}
	return out, nil
}

// LicencesCovering returns, for each key, the licences in force on the
// date that name the client and do not exclude a sector it operates in,
// by id.
func (r Reads) LicencesCovering(ctx context.Context, keys []domain.CoveringKey) (map[domain.CoveringKey][]domain.Licence, error) {
	v, err := r.P.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer v.Release()
	g := v.g
	out := make(map[domain.CoveringKey][]domain.Licence, len(keys))
	for _, k := range keys {
		list := []domain.Licence{}
		d := dayOf(k.AsOf, openStart)
		if c, ok := g.index[k.Client]; ok {
			for _, l := range g.covering[c] {
				if l.stage(d) == 4 && !g.excludes(l, c) {
					list = append(list, l.Licence)
				}
			}
		}
		out[k] = list
	}
	return out, nil
}
