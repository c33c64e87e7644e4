package neo4jstore

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

var sectorsCypher = `MATCH (s:Sector) WITH s ORDER BY s.id RETURN ` + sectorProjection("s") + ` AS s`

// Sectors returns every sector, by id.
func (s *Store) Sectors(ctx context.Context) ([]domain.Sector, error) {
	res, err := s.read(ctx, sectorsCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "s", toSector), nil
}

// Sector returns the sector with id, or nil.
func (s *Store) Sector(ctx context.Context, id string) (*domain.Sector, error) {
	m, err := s.SectorsByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if sec, ok := m[id]; ok {
		return &sec, nil
	}
	return nil, nil
}

var sectorsByIDsCypher = `UNWIND $ids AS id MATCH (s:Sector {id: id}) RETURN ` + sectorProjection("s") + ` AS s`

// SectorsByIDs returns the sectors that exist among ids.
func (s *Store) SectorsByIDs(ctx context.Context, ids []string) (map[string]domain.Sector, error) {
	res, err := s.read(ctx, sectorsByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "s", toSector), func(x domain.Sector) string { return x.ID }), nil
}

var sectorChildrenCypher = `
UNWIND $ids AS id
MATCH (s:Sector)-[:PART_OF]->(:Sector {id: id})
WITH id, s ORDER BY s.id
RETURN id, collect(` + sectorProjection("s") + `) AS children`

// SectorChildren returns the direct children of each parent, by id.
func (s *Store) SectorChildren(ctx context.Context, parentIDs []string) (map[string][]domain.Sector, error) {
	return listsByID(ctx, s, sectorChildrenCypher, parentIDs, "children", toSector)
}
