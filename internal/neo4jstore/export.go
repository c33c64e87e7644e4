package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Reads for exports (internal/export): every record of a kind, in pages
// of keys read through the key's unique index, so a graph of a million
// companies is written out without being held. Each page is its own
// managed read; internal/export compares the graph's version before and
// after to know the pages saw one state.

// exportPageCypher per kind: the records after the key $after, by key,
// at most $limit of them, each as the projection its decoder reads.
var exportPageCypher = map[domain.Kind]string{
	domain.KindSector: `MATCH (s:Sector) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $limit
RETURN ` + sectorProjection("s") + ` AS r`,
	domain.KindMaterial: `MATCH (m:Material) WHERE m.id > $after WITH m ORDER BY m.id LIMIT $limit
RETURN ` + materialProjection + ` AS r`,
	domain.KindControl: `MATCH (x:ExportControl) WHERE x.id > $after WITH x ORDER BY x.id LIMIT $limit
RETURN ` + controlProjection("x") + ` AS r`,
	domain.KindCompany: `MATCH (c:Company) WHERE c.id > $after WITH c ORDER BY c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS r`,
	domain.KindLicence: `MATCH (l:Licence) WHERE l.id > $after WITH l ORDER BY l.id LIMIT $limit
RETURN ` + licenceProjection("l") + ` AS r`,
	// Supply links are read per supplier: the links of up to $limit
	// companies after $after (companies without links count too, so a
	// page always moves on).
	domain.KindSupply: `MATCH (s:Company) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $limit
RETURN s.id AS supplier, [(s)-[r:SUPPLIES]->(c:Company) | ` + linkProjection("r", "s", "c") + `] AS r`,
}

// ExportPage returns the records of kind (domain.Sector, domain.Company,
// …, domain.SupplyLink) after the key after, in key order, and the last
// key read ("" when the page is empty: the end). A page holds up to limit
// records, except supply links: they come for up to limit suppliers, by
// supplier then customer, and the key returned is the last supplier's id.
func (s *Store) ExportPage(ctx context.Context, kind domain.Kind, after string, limit int) ([]any, string, error) {
	cypher, ok := exportPageCypher[kind]
	if !ok {
		return nil, "", fmt.Errorf("ExportPage: unknown kind %q", kind)
	}
	res, err := s.read(ctx, cypher, map[string]any{"after": after, "limit": limit})
	if err != nil || len(res.Records) == 0 {
		return nil, "", err
	}
	var out []any
	if kind == domain.KindSupply {
		for _, r := range res.Records {
			links := mapList(r, "r", toLink)
			slices.SortFunc(links, func(a, b domain.SupplyLink) int { return strings.Compare(a.Customer, b.Customer) })
			for _, l := range links {
				out = append(out, l)
			}
		}
		return out, recordString(res.Records[len(res.Records)-1], "supplier"), nil
	}
	conv := exportDecoders[kind]
	for _, r := range res.Records {
		out = append(out, conv(recordMap(r, "r")))
	}
	return out, exportKey(out[len(out)-1]), nil
}

var exportDecoders = map[domain.Kind]func(map[string]any) any{
	domain.KindSector:   func(m map[string]any) any { return toSector(m) },
	domain.KindMaterial: func(m map[string]any) any { return toMaterial(m) },
	domain.KindControl:  func(m map[string]any) any { return toControl(m) },
	domain.KindCompany:  func(m map[string]any) any { return toCompany(m) },
	domain.KindLicence:  func(m map[string]any) any { return toLicence(m) },
}

// exportKey is the key a page of a node kind continues after.
func exportKey(r any) string { return seedKey(r) }

const unexportedSourcesCypher = `MATCH (s:Source) WHERE NOT ()-[:REPORTED_BY]->(s) RETURN count(s) AS n`

// UncitedSources counts the Source nodes nothing cites any more (a
// record that cited them was rewritten without them; sources are never
// deleted): no record holds them, so no seed file can.
func (s *Store) UncitedSources(ctx context.Context) (int, error) {
	return s.count(ctx, unexportedSourcesCypher, nil)
}
