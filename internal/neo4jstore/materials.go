package neo4jstore

import (
	"context"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Materials and the export controls over them.

const materialsCypher = `MATCH (m:Material) WITH m ORDER BY m.id RETURN m{.id, .name, .kind} AS m`

// Materials returns every material, by id.
func (s *Store) Materials(ctx context.Context) ([]domain.Material, error) {
	res, err := s.read(ctx, materialsCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "m", toMaterial), nil
}

const materialsByIDsCypher = `UNWIND $ids AS id MATCH (m:Material {id: id}) RETURN m{.id, .name, .kind} AS m`

// MaterialsByIDs returns the materials that exist among ids.
func (s *Store) MaterialsByIDs(ctx context.Context, ids []string) (map[string]domain.Material, error) {
	res, err := s.read(ctx, materialsByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "m", toMaterial), func(x domain.Material) string { return x.ID }), nil
}

var controlsCypher = `MATCH (x:ExportControl) WITH x ORDER BY x.id RETURN ` + controlProjection("x") + ` AS x`

// ExportControls returns every export control, by id.
func (s *Store) ExportControls(ctx context.Context) ([]domain.ExportControl, error) {
	res, err := s.read(ctx, controlsCypher, nil)
	if err != nil {
		return nil, err
	}
	return mapRecords(res.Records, "x", toControl), nil
}

var controlsByIDsCypher = `UNWIND $ids AS id MATCH (x:ExportControl {id: id}) RETURN ` + controlProjection("x") + ` AS x`

// ExportControlsByIDs returns the export controls that exist among ids.
func (s *Store) ExportControlsByIDs(ctx context.Context, ids []string) (map[string]domain.ExportControl, error) {
	res, err := s.read(ctx, controlsByIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return byID(mapRecords(res.Records, "x", toControl), func(x domain.ExportControl) string { return x.ID }), nil
}
