package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// labels maps a kind to the label of its nodes (supply links have none).
var labels = map[domain.Kind]string{
	domain.KindSector:   "Sector",
	domain.KindMaterial: "Material",
	domain.KindControl:  "ExportControl",
	domain.KindCompany:  "Company",
	domain.KindLicence:  "Licence",
}

// existingCypher per kind: labels cannot be parameters, so each kind has
// its own constant statement.
var existingCypher = func() map[domain.Kind]string {
	m := map[domain.Kind]string{}
	for k, l := range labels {
		m[k] = "UNWIND $ids AS id MATCH (n:" + l + " {id: id}) RETURN n.id AS id"
	}
	return m
}()

// ExistingIDs returns which of ids name a node of kind in the graph.
func (s *Store) ExistingIDs(ctx context.Context, kind domain.Kind, ids []string) (map[string]bool, error) {
	cypher, ok := existingCypher[kind]
	if !ok {
		return nil, fmt.Errorf("ExistingIDs: kind %q has no nodes", kind)
	}
	out := make(map[string]bool, len(ids))
	for start := 0; start < len(ids); start += seedBatchSize {
		end := min(start+seedBatchSize, len(ids))
		res, err := s.read(ctx, cypher, map[string]any{"ids": ids[start:end]})
		if err != nil {
			return nil, err
		}
		for _, r := range res.Records {
			id, _, _ := neo4j.GetRecordValue[string](r, "id")
			out[id] = true
		}
	}
	return out, nil
}

// seedBatchSize rows go into one UNWIND statement.
const seedBatchSize = 5000

// WriteSeed writes one file's records (all of kind) in ONE transaction; see
// WriteSeedStream.
func (s *Store) WriteSeed(ctx context.Context, kind domain.Kind, records []any, progress func(done int)) (domain.WriteCounts, error) {
	sent := false
	return s.WriteSeedStream(ctx, kind, func() ([]any, error) {
		if sent {
			return nil, io.EOF
		}
		sent = true
		return records, nil
	}, progress)
}

// WriteSeedStream writes one file's records (all of kind), as next hands
// them over batch by batch (io.EOF after the last), in ONE transaction, so
// a file is loaded whole or not at all, and records it in the audit trail
// (in the same transaction) when anything changed. Writing starts with the
// first batch, while the caller may still be reading the file; any other
// error from next rolls everything back. Each record replaces the stored
// properties and lists of its key; records equal to what is stored are not
// rewritten. progress, if set, is told the number of records written so far
// (it starts again from zero if the driver retries; the batches read so far
// are kept for that).
func (s *Store) WriteSeedStream(ctx context.Context, kind domain.Kind, next func() ([]any, error), progress func(done int)) (domain.WriteCounts, error) {
	var batches [][]any
	eof := false
	return writeTx(ctx, s, func(tx neo4j.ManagedTransaction) (domain.WriteCounts, error) {
		w, err := newRecordWriter(ctx, tx, kind)
		if err != nil {
			return domain.WriteCounts{}, err
		}
		done := 0
		for i := 0; ; i++ {
			if i == len(batches) {
				if eof {
					break
				}
				b, err := next()
				if errors.Is(err, io.EOF) {
					eof = true
					break
				}
				if err != nil {
					return w.counts, permanentError{err}
				}
				batches = append(batches, b)
			}
			if err := w.write(batches[i]); err != nil {
				return w.counts, err
			}
			done += len(batches[i])
			if progress != nil {
				progress(done)
			}
		}
		n := w.counts.Created + w.counts.Updated
		if n == 0 {
			return w.counts, nil // a reload that changes nothing leaves no trace
		}
		return w.counts, recordChange(ctx, tx, "seed "+string(kind), w.changed, n)
	})
}

// seedRow converts a domain record to the statement's row: `props` are the
// stored properties (absent values left out, so SET n = props removes
// them), the other keys are the record's relationships.
func seedRow(r any) map[string]any {
	switch v := r.(type) {
	case domain.Sector:
		return map[string]any{
			"key":    v.ID,
			"props":  props("id", v.ID, "name", v.Name),
			"parent": nullable(v.Parent),
		}
	case domain.Material:
		return map[string]any{"key": v.ID, "props": props("id", v.ID, "name", v.Name, "kind", string(v.Kind))}
	case domain.ExportControl:
		return map[string]any{
			"key": v.ID,
			"props": props("id", v.ID, "title", v.Title, "authority", v.Authority,
				"announcedOn", v.AnnouncedOn, "effectiveFrom", v.EffectiveFrom,
				"suspendedFrom", v.SuspendedFrom, "suspendedUntil", v.SuspendedUntil, "liftedOn", v.LiftedOn,
				"note", v.Note),
			"materials":   list(v.Materials),
			"sources":     list(domain.NormaliseSources(v.Sources)),
			"sourceProps": sourceProps(v.Sources),
		}
	case domain.Company:
		roles := make([]string, len(v.Roles))
		for i, r := range v.Roles {
			roles[i] = string(r)
		}
		return map[string]any{
			"key": v.ID,
			"props": props("id", v.ID, "name", v.Name, "aliases", v.Aliases, "country", v.Country,
				"roles", roles, "lei", v.LEI, "website", v.Website, "note", v.Note),
			"sectors": list(v.Sectors),
		}
	case domain.SupplyLink:
		return map[string]any{
			"key":      seedKey(v),
			"supplier": v.Supplier,
			"customer": v.Customer,
			"props": props("materials", v.Materials, "since", v.Since, "until", v.Until,
				"confidence", v.Confidence, "sources", domain.NormaliseSources(v.Sources), "note", v.Note),
		}
	case domain.Licence:
		return map[string]any{
			"key": v.ID,
			"props": props("id", v.ID, "type", string(v.Type), "status", string(v.Status),
				"issuedOn", v.IssuedOn, "validFrom", v.ValidFrom, "validUntil", v.ValidUntil,
				"revokedOn", v.RevokedOn, "revocationReason", v.RevocationReason, "reference", v.Reference,
				"confidence", v.Confidence, "note", v.Note),
			"holder":      nullable(v.Holder),
			"clients":     list(v.Clients),
			"materials":   list(v.Materials),
			"excluded":    list(v.ExcludedSectors),
			"controls":    list(v.Controls),
			"sources":     list(domain.NormaliseSources(v.Sources)),
			"sourceProps": sourceProps(v.Sources),
		}
	}
	panic(fmt.Sprintf("seedRow: unexpected %T", r))
}

// seedKey is a record's key: its id, or "supplier->customer".
func seedKey(r any) string {
	switch v := r.(type) {
	case domain.Sector:
		return v.ID
	case domain.Material:
		return v.ID
	case domain.ExportControl:
		return v.ID
	case domain.Company:
		return v.ID
	case domain.SupplyLink:
		return v.Supplier + "->" + v.Customer
	case domain.Licence:
		return v.ID
	}
	panic(fmt.Sprintf("seedKey: unexpected %T", r))
}

// sourceProps are the properties of the Source nodes of sources (a
// record's REPORTED_BY), one per ref: the ref, and the URL or the
// citation's publisher, date and title.
func sourceProps(sources []string) []map[string]any {
	refs := domain.NormaliseSources(sources)
	out := make([]map[string]any, len(refs))
	for i, ref := range refs {
		s := domain.SourceOf(ref)
		out[i] = props("ref", s.Ref, "url", s.URL, "publisher", s.Publisher, "publishedOn", s.PublishedOn, "title", s.Title)
	}
	return out
}

// props builds a property map from key/value pairs, leaving out absent
// values: empty strings and lists, zero dates, nil.
func props(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		key := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			if v != "" {
				m[key] = v
			}
		case []string:
			if len(v) > 0 {
				m[key] = v
			}
		case domain.Date:
			if !v.IsZero() {
				m[key] = neo4j.DateOf(v.Time())
			}
		case *float64:
			if v != nil {
				m[key] = *v
			}
		case nil:
		default:
			m[key] = v
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// sameSet is Cypher for "list a and list b hold the same ids" (both are
// duplicate-free: the loader removes duplicates).
func sameSet(a, b string) string {
	return "(size(" + a + ") = size(" + b + ") AND all(x IN " + b + " WHERE x IN " + a + "))"
}

// reportedBy links node v to the Source nodes of row.sourceProps, creating
// those that are new (a Source is shared by everything citing its ref; its
// properties follow from the ref, so an existing one is left as it is).
func reportedBy(v string) string {
	return fill(`UNWIND row.sourceProps AS sp MERGE (s:Source {ref: sp.ref}) ON CREATE SET s = sp MERGE ({v})-[:REPORTED_BY]->(s)`, "v", v)
}

// seedCypher holds one statement per kind. Each computes the outcome
// (created / updated / unchanged) before writing, writes only records that
// changed, replaces properties wholesale and relationships list by list: a
// changed node loses its outgoing list relationships, which are then
// CREATEd afresh (the loader removes duplicates from lists; MERGE would
// only add a lookup per relationship).
var seedCypher = map[domain.Kind]string{
	domain.KindSector: `
UNWIND $rows AS row
OPTIONAL MATCH (old:Sector {id: row.props.id})
WITH row, old, [(old)-[:PART_OF]->(p:Sector) | p.id] AS oldParent
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN properties(old) = row.props AND oldParent = CASE WHEN row.parent IS NULL THEN [] ELSE [row.parent] END THEN 'unchanged'
  ELSE 'updated' END AS outcome
CALL (row, outcome) {
  WITH row WHERE outcome <> 'unchanged'
  MERGE (s:Sector {id: row.props.id})
  SET s = row.props
  WITH s, row
  CALL (s) { MATCH (s)-[r:PART_OF]->() DELETE r }
  WITH s, row WHERE row.parent IS NOT NULL
  MERGE (p:Sector {id: row.parent})
  MERGE (s)-[:PART_OF]->(p)
}
RETURN outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`,

	domain.KindMaterial: `
UNWIND $rows AS row
OPTIONAL MATCH (old:Material {id: row.props.id})
WITH row, CASE WHEN old IS NULL THEN 'created' WHEN properties(old) = row.props THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (row, outcome) {
  WITH row WHERE outcome <> 'unchanged'
  MERGE (m:Material {id: row.props.id})
  SET m = row.props
}
RETURN outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`,

	domain.KindControl: `
UNWIND $rows AS row
OPTIONAL MATCH (old:ExportControl {id: row.props.id})
WITH row, old,
  [(old)-[:CONTROLS]->(m:Material) | m.id] AS oldMaterials,
  [(old)-[:REPORTED_BY]->(s:Source) | s.ref] AS oldSources
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN properties(old) = row.props AND ` + sameSet("oldMaterials", "row.materials") + ` AND ` + sameSet("oldSources", "row.sources") + ` THEN 'unchanged'
  ELSE 'updated' END AS outcome
CALL (row, outcome) {
  WITH row WHERE outcome <> 'unchanged'
  MERGE (c:ExportControl {id: row.props.id})
  SET c = row.props
  WITH c, row
  CALL (c) { MATCH (c)-[r:CONTROLS|REPORTED_BY]->() DELETE r }
  CALL (c, row) { UNWIND row.materials AS mid MATCH (m:Material {id: mid}) CREATE (c)-[:CONTROLS]->(m) }
  CALL (c, row) { ` + reportedBy("c") + ` }
}
RETURN outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`,

	domain.KindCompany: `
UNWIND $rows AS row
OPTIONAL MATCH (old:Company {id: row.props.id})
WITH row, old, [(old)-[:OPERATES_IN]->(s:Sector) | s.id] AS oldSectors
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN properties(old) = row.props AND ` + sameSet("oldSectors", "row.sectors") + ` THEN 'unchanged'
  ELSE 'updated' END AS outcome
CALL (row, outcome) {
  WITH row WHERE outcome <> 'unchanged'
  MERGE (c:Company {id: row.props.id})
  SET c = row.props
  WITH c, row
  CALL (c) { MATCH (c)-[r:OPERATES_IN|REGISTERED_IN]->() DELETE r }
  CALL (c, row) { MATCH (k:Country {code: row.props.country}) CREATE (c)-[:REGISTERED_IN]->(k) }
  CALL (c, row) { UNWIND row.sectors AS sid MATCH (s:Sector {id: sid}) CREATE (c)-[:OPERATES_IN]->(s) }
}
RETURN outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`,

	// No MERGE: writes are serialised (writeTx), so the link the OPTIONAL
	// MATCH did not find cannot appear before the CREATE.
	domain.KindSupply: `
UNWIND $rows AS row
MATCH (s:Company {id: row.supplier})
MATCH (c:Company {id: row.customer})
OPTIONAL MATCH (s)-[old:SUPPLIES]->(c)
WITH s, c, row, old, CASE WHEN old IS NULL THEN 'created' WHEN properties(old) = row.props THEN 'unchanged' ELSE 'updated' END AS outcome
FOREACH (_ IN CASE outcome WHEN 'created' THEN [1] ELSE [] END | CREATE (s)-[l:SUPPLIES]->(c) SET l = row.props)
FOREACH (_ IN CASE outcome WHEN 'updated' THEN [1] ELSE [] END | SET old = row.props)
RETURN outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`,

	domain.KindLicence: `
UNWIND $rows AS row
OPTIONAL MATCH (old:Licence {id: row.props.id})
WITH row, old,
  [(h:Company)-[:HOLDS]->(old) | h.id] AS oldHolder,
  [(old)-[:COVERS]->(c:Company) | c.id] AS oldClients,
  [(old)-[:FOR_MATERIAL]->(m:Material) | m.id] AS oldMaterials,
  [(old)-[:EXCLUDES]->(s:Sector) | s.id] AS oldExcluded,
  [(old)-[:UNDER]->(x:ExportControl) | x.id] AS oldControls,
  [(old)-[:REPORTED_BY]->(src:Source) | src.ref] AS oldSources
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN properties(old) = row.props
   AND oldHolder = CASE WHEN row.holder IS NULL THEN [] ELSE [row.holder] END
   AND ` + sameSet("oldClients", "row.clients") + `
   AND ` + sameSet("oldMaterials", "row.materials") + `
   AND ` + sameSet("oldExcluded", "row.excluded") + `
   AND ` + sameSet("oldControls", "row.controls") + `
   AND ` + sameSet("oldSources", "row.sources") + ` THEN 'unchanged'
  ELSE 'updated' END AS outcome
CALL (row, outcome) {
  WITH row WHERE outcome <> 'unchanged'
  MERGE (l:Licence {id: row.props.id})
  SET l = row.props
  WITH l, row
  CALL (l) { MATCH (l)-[r:COVERS|FOR_MATERIAL|EXCLUDES|UNDER|REPORTED_BY]->() DELETE r }
  CALL (l) { MATCH (:Company)-[r:HOLDS]->(l) DELETE r }
  CALL (l, row) { WITH row WHERE row.holder IS NOT NULL MATCH (h:Company {id: row.holder}) CREATE (h)-[:HOLDS]->(l) }
  CALL (l, row) { UNWIND row.clients AS cid MATCH (c:Company {id: cid}) CREATE (l)-[:COVERS]->(c) }
  CALL (l, row) { UNWIND row.materials AS mid MATCH (m:Material {id: mid}) CREATE (l)-[:FOR_MATERIAL]->(m) }
  CALL (l, row) { UNWIND row.excluded AS sid MATCH (s:Sector {id: sid}) CREATE (l)-[:EXCLUDES]->(s) }
  CALL (l, row) { UNWIND row.controls AS xid MATCH (x:ExportControl {id: xid}) CREATE (l)-[:UNDER]->(x) }
  CALL (l, row) { ` + reportedBy("l") + ` }
}
RETURN outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`,
}

// countSuppliesCypher is answered from Neo4j's count store, in constant time.
const countSuppliesCypher = `MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS n`

// firstSupplyCypher writes supply links into a graph that has none (the
// first load): there is no link to look for, and the file holds each pair
// once (the loader rejects repeats), so each row is a bare CREATE.
const firstSupplyCypher = `
UNWIND $rows AS row
MATCH (s:Company {id: row.supplier})
MATCH (c:Company {id: row.customer})
CREATE (s)-[l:SUPPLIES]->(c) SET l = row.props
RETURN 'created' AS outcome, count(*) AS n, collect(row.key)[..$maxKeys] AS keys`

// permanentError hides a driver error from the driver's retry logic (it has
// no Unwrap on purpose): a transaction over the memory limit fails again.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }

func noRetryOnMemoryLimit(err error) error {
	if isMemoryLimit(err) {
		return permanentError{err}
	}
	return err
}
