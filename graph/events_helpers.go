package graph

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// maxEventLicences bounds the licences one event resolves: a seed file
// may have written thousands.
const maxEventLicences = 100

// eventLicences reads an event's licences straight from the store, not
// through the dataloaders: a subscription's loaders would cache the first
// event's licences for every later one.
func eventLicences(ctx context.Context, reads domain.ReadService, ids []string) ([]*domain.Licence, error) {
	if len(ids) > maxEventLicences {
		ids = ids[:maxEventLicences]
	}
	byID, err := reads.LicencesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Licence, 0, len(ids))
	for _, id := range ids {
		if l, ok := byID[id]; ok {
			out = append(out, &l)
		}
	}
	return out, nil
}
