package neo4jstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// The write API (domain.WriteService). Records are validated with the
// seed loader's rules (Validate, and references checked like the loader's
// checkRefs), then written with the seed loader's own statements
// (seedCypher, seedRow: replace semantics) in one managed write
// transaction, which also reads back what it wrote.

var _ domain.WriteService = (*Store)(nil)

// UpsertCompany creates or replaces a company (argument "input").
func (s *Store) UpsertCompany(ctx context.Context, c domain.Company) (domain.Company, error) {
	invalid := domain.Invalid("input", -1, c.Validate())
	refs, err := s.unknownRefs(ctx, "input", [][]domain.Ref{c.Refs()}, true)
	if err != nil {
		return domain.Company{}, err
	}
	if err := append(invalid, refs...).AsError(); err != nil {
		return domain.Company{}, err
	}
	return writeTx(ctx, s, func(tx neo4j.ManagedTransaction) (domain.Company, error) {
		if err := writeAndRecord(ctx, tx, "upsertCompany", domain.KindCompany, []any{c}); err != nil {
			return domain.Company{}, err
		}
		recs, err := runTx(ctx, tx, writtenCompanyCypher, map[string]any{"id": c.ID})
		if err != nil || len(recs) != 1 {
			return domain.Company{}, readBackErr(err, len(recs))
		}
		return toCompany(recordMap(recs[0], "c")), nil
	})
}

var writtenCompanyCypher = `MATCH (c:Company {id: $id}) RETURN ` + companyProjection("c") + ` AS c`

// UpsertSupplyLink creates or replaces the link supplier → customer.
func (s *Store) UpsertSupplyLink(ctx context.Context, l domain.SupplyLink) (domain.SupplyLink, error) {
	invalid := domain.Invalid("input", -1, l.Validate())
	refs, err := s.unknownRefs(ctx, "input", [][]domain.Ref{l.Refs()}, true)
	if err != nil {
		return domain.SupplyLink{}, err
	}
	if err := append(invalid, refs...).AsError(); err != nil {
		return domain.SupplyLink{}, err
	}
	return writeTx(ctx, s, func(tx neo4j.ManagedTransaction) (domain.SupplyLink, error) {
		if err := writeAndRecord(ctx, tx, "upsertSupplyLink", domain.KindSupply, []any{l}); err != nil {
			return domain.SupplyLink{}, err
		}
		recs, err := runTx(ctx, tx, writtenLinkCypher, map[string]any{"supplier": l.Supplier, "customer": l.Customer})
		if err != nil || len(recs) != 1 {
			return domain.SupplyLink{}, readBackErr(err, len(recs))
		}
		return toLink(recordMap(recs[0], "l")), nil
	})
}

var writtenLinkCypher = `MATCH (s:Company {id: $supplier})-[r:SUPPLIES]->(c:Company {id: $customer})
RETURN ` + linkProjection("r", "s", "c") + ` AS l`

var removeLinkCypher = `MATCH (s:Company {id: $supplier})-[r:SUPPLIES]->(c:Company {id: $customer})
WITH r, ` + linkProjection("r", "s", "c") + ` AS l
DELETE r
RETURN l`

// RemoveSupplyLink deletes the link supplier → customer and returns it.
func (s *Store) RemoveSupplyLink(ctx context.Context, supplier, customer string) (domain.SupplyLink, error) {
	return writeTx(ctx, s, func(tx neo4j.ManagedTransaction) (domain.SupplyLink, error) {
		recs, err := runTx(ctx, tx, removeLinkCypher, map[string]any{"supplier": supplier, "customer": customer})
		if err != nil {
			return domain.SupplyLink{}, err
		}
		if len(recs) == 0 {
			return domain.SupplyLink{}, domain.Errorf(domain.CodeNotFound, "there is no supply link from %q to %q", supplier, customer)
		}
		if err := recordChange(ctx, tx, "removeSupplyLink", []string{supplier + "->" + customer}, 1); err != nil {
			return domain.SupplyLink{}, err
		}
		return toLink(recordMap(recs[0], "l")), nil
	})
}

// GrantLicence creates or replaces a licence (argument "input"). The
// licence should have its defaults filled (WithDefaults).
func (s *Store) GrantLicence(ctx context.Context, l domain.Licence) (domain.Licence, error) {
	out, err := s.writeLicences(ctx, []domain.Licence{l}, false)
	if err != nil {
		return domain.Licence{}, err
	}
	return out[0], nil
}

// ImportLicences writes every licence (argument "input", a list) in one
// transaction, or none: the error lists every invalid item by index.
func (s *Store) ImportLicences(ctx context.Context, ls []domain.Licence) ([]domain.Licence, error) {
	return s.writeLicences(ctx, ls, true)
}

func (s *Store) writeLicences(ctx context.Context, ls []domain.Licence, list bool) ([]domain.Licence, error) {
	invalid := domain.CheckLicences(ls, list)
	refs := make([][]domain.Ref, len(ls))
	for i, l := range ls {
		refs[i] = l.Refs()
	}
	unknown, err := s.unknownRefs(ctx, "input", refs, !list)
	if err != nil {
		return nil, err
	}
	invalid = append(invalid, unknown...)
	slices.SortStableFunc(invalid, func(a, b domain.InvalidField) int { return cmp.Compare(a.Index, b.Index) })
	if err := invalid.AsError(); err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return []domain.Licence{}, nil
	}
	records := make([]any, len(ls))
	ids := make([]string, len(ls))
	for i, l := range ls {
		records[i], ids[i] = l, l.ID
	}
	op := "grantLicence"
	if list {
		op = "importLicences"
	}
	return writeTx(ctx, s, func(tx neo4j.ManagedTransaction) ([]domain.Licence, error) {
		if err := writeAndRecord(ctx, tx, op, domain.KindLicence, records); err != nil {
			return nil, err
		}
		return readLicences(ctx, tx, ids)
	})
}

// RevokeLicence sets the licence's status to REVOKED, its revokedOn to on
// and its revocationReason to reason (arguments "id", "on", "reason").
func (s *Store) RevokeLicence(ctx context.Context, id string, on domain.Date, reason string) (domain.Licence, error) {
	return s.updateLicence(ctx, "revokeLicence", id, map[string]string{"revoked_on": "on", "revocation_reason": "reason"},
		func(l *domain.Licence) {
			l.Status = domain.StatusRevoked
			l.RevokedOn = on
			l.RevocationReason = reason
		})
}

// SetLicenceExclusions replaces the sectors the licence EXCLUDES
// (arguments "id", "sectorIds").
func (s *Store) SetLicenceExclusions(ctx context.Context, id string, sectors []string) (domain.Licence, error) {
	sectors = domain.Dedupe(sectors)
	if sectors == nil {
		sectors = []string{}
	}
	check := domain.Licence{ID: "x", ExcludedSectors: sectors}
	var invalid domain.InvalidInput
	for _, e := range check.Validate() {
		invalid = append(invalid, domain.InvalidField{Index: -1, Field: "sectorIds", Message: e.InputMessage})
	}
	unknown, err := s.unknownRefs(ctx, "", [][]domain.Ref{check.Refs()}, true)
	if err != nil {
		return domain.Licence{}, err
	}
	for _, u := range unknown {
		invalid = append(invalid, domain.InvalidField{Index: -1, Field: "sectorIds", Message: u.Message})
	}
	if err := invalid.AsError(); err != nil {
		return domain.Licence{}, err
	}
	return s.updateLicence(ctx, "setLicenceExclusions", id, map[string]string{"excluded_sectors": "sectorIds"},
		func(l *domain.Licence) { l.ExcludedSectors = sectors })
}

// updateLicence changes a stored licence in one transaction: lock it, read
// it, apply change, validate the result (errors on fields named in args
// are reported on those arguments, others on "id") and write it back.
func (s *Store) updateLicence(ctx context.Context, op, id string, args map[string]string, change func(*domain.Licence)) (domain.Licence, error) {
	return writeTx(ctx, s, func(tx neo4j.ManagedTransaction) (domain.Licence, error) {
		recs, err := runTx(ctx, tx, lockLicenceCypher, map[string]any{"id": id})
		if err != nil {
			return domain.Licence{}, err
		}
		if len(recs) == 0 {
			return domain.Licence{}, &domain.Error{Code: domain.CodeNotFound, Field: "id", Message: fmt.Sprintf("there is no licence %q", id)}
		}
		l := toLicence(recordMap(recs[0], "l"))
		change(&l)
		var invalid domain.InvalidInput
		for _, e := range l.Validate() {
			arg, ok := args[e.Field]
			if !ok {
				arg = "id"
			}
			invalid = append(invalid, domain.InvalidField{Index: -1, Field: arg, Message: e.InputMessage})
		}
		if err := invalid.AsError(); err != nil {
			return domain.Licence{}, err
		}
		if err := writeAndRecord(ctx, tx, op, domain.KindLicence, []any{l}); err != nil {
			return domain.Licence{}, err
		}
		out, err := readLicences(ctx, tx, []string{id})
		if err != nil {
			return domain.Licence{}, err
		}
		return out[0], nil
	})
}

// lockLicenceCypher takes the licence's write lock before reading it, so
// concurrent updates of one licence apply one after the other.
var lockLicenceCypher = `MATCH (l:Licence {id: $id})
SET l.writeLock = true
REMOVE l.writeLock
RETURN ` + licenceProjection("l") + ` AS l`

var writtenLicencesCypher = `UNWIND $ids AS id MATCH (l:Licence {id: id}) RETURN ` + licenceProjection("l") + ` AS l`

// readLicences reads licences back in the order of ids.
func readLicences(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) ([]domain.Licence, error) {
	recs, err := runTx(ctx, tx, writtenLicencesCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	got := byID(mapRecords(recs, "l", toLicence), func(l domain.Licence) string { return l.ID })
	out := make([]domain.Licence, len(ids))
	for i, id := range ids {
		l, ok := got[id]
		if !ok {
			return nil, readBackErr(nil, 0)
		}
		out[i] = l
	}
	return out, nil
}

// unknownRefs reports references (per item) to ids not in the graph, on
// argument arg ("" names the field alone); single leaves the index out.
func (s *Store) unknownRefs(ctx context.Context, arg string, items [][]domain.Ref, single bool) (domain.InvalidInput, error) {
	var refs []domain.PathRef
	for i, rs := range items {
		index := i
		if single {
			index = -1
		}
		for _, r := range rs {
			field := domain.Path(arg, index, r.Field)
			if arg == "" {
				field = domain.CamelCase(r.Field)
			}
			refs = append(refs, domain.PathRef{Path: field, Index: index, Ref: r})
		}
	}
	return domain.UnknownRefs(ctx, s.ExistingIDs, refs)
}

// writeTx runs work in one managed write transaction. Its session uses the
// driver's query bookmark manager, so later reads (ExecuteQuery) see the
// write even on a cluster.
func writeTx[T any](ctx context.Context, s *Store, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{
		DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite,
		BookmarkManager: s.driver.ExecuteQueryBookmarkManager(),
	})
	out, err := neo4j.ExecuteWrite(ctx, session, func(tx neo4j.ManagedTransaction) (T, error) {
		if _, err := runTx(ctx, tx, lockGraphCypher, nil); err != nil {
			var zero T
			return zero, err
		}
		return work(tx)
	}, txTimeout(ctx)...)
	if cerr := session.Close(ctx); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		var zero T
		return zero, s.convertErr(ctx, err)
	}
	return out, nil
}

// recordWriter writes records of one kind inside a write transaction with
// the seed loader's statements, batch by batch (rows are built per batch: a
// whole large file as maps would cost several times the memory of its
// records), counting what it did and keeping the keys of the records it
// created or updated (at most domain.MaxChangeIDs).
type recordWriter struct {
	ctx     context.Context
	tx      neo4j.ManagedTransaction
	kind    domain.Kind
	counts  domain.WriteCounts
	changed []string
	rows    []map[string]any
}

// newRecordWriter picks the statement for kind. Supply links take the
// first-load path when the graph has none yet (the count is exact: writes
// are serialised by writeTx's lock), so none of them needs to be looked for.
func newRecordWriter(ctx context.Context, tx neo4j.ManagedTransaction, kind domain.Kind) (*recordWriter, error) {
	if _, ok := seedCypher[kind]; !ok {
		return nil, fmt.Errorf("writing records: unknown kind %q", kind)
	}
	w := &recordWriter{ctx: ctx, tx: tx, kind: kind}
	if kind == domain.KindSupply {
		recs, err := runTx(ctx, tx, countSuppliesCypher, nil)
		if err != nil {
			return nil, err
		}
		if len(recs) == 1 && recordInt(recs[0], "n") == 0 {
			w.counts.FirstLoad = true
		}
	}
	return w, nil
}

// write writes records, seedBatchSize per statement. A key given twice in
// one call is written once, with its last record (the loader rejects such
// files; API writes and tests may rely on it). Every record must come back
// counted: one that does not matched no node it refers to (the loader
// checked them before the transaction began), and the write fails whole.
func (w *recordWriter) write(records []any) error {
	records = lastOfEachKey(records)
	cypher := seedCypher[w.kind]
	if w.counts.FirstLoad {
		cypher = firstSupplyCypher
	}
	for start := 0; start < len(records); start += seedBatchSize {
		end := min(start+seedBatchSize, len(records))
		w.rows = w.rows[:0]
		for _, r := range records[start:end] {
			w.rows = append(w.rows, seedRow(r))
		}
		recs, err := runTx(w.ctx, w.tx, cypher, map[string]any{"rows": w.rows, "maxKeys": domain.MaxChangeIDs})
		if err != nil {
			return noRetryOnMemoryLimit(err)
		}
		counted := 0
		for _, r := range recs {
			n := recordInt(r, "n")
			counted += n
			switch recordString(r, "outcome") {
			case "created":
				w.counts.Created += n
			case "updated":
				w.counts.Updated += n
			default:
				w.counts.Unchanged += n
				continue
			}
			for _, k := range strs(r, "keys") {
				if len(w.changed) < domain.MaxChangeIDs {
					w.changed = append(w.changed, k)
				}
			}
		}
		if counted != end-start {
			return &domain.Error{Code: domain.CodeConflict, Message: fmt.Sprintf(
				"%d of %d %s records refer to nodes no longer in the graph", end-start-counted, end-start, w.kind)}
		}
	}
	return nil
}

// lastOfEachKey drops every record whose key comes again later in records.
func lastOfEachKey(records []any) []any {
	if len(records) < 2 {
		return records
	}
	last := make(map[string]int, len(records))
	for i, r := range records {
		last[seedKey(r)] = i
	}
	if len(last) == len(records) {
		return records
	}
	out := make([]any, 0, len(last))
	for i, r := range records {
		if last[seedKey(r)] == i {
			out = append(out, r)
		}
	}
	return out
}

// writeAndRecord writes an API operation's records and records the
// operation in the audit trail, in the same transaction, naming the
// records it created or updated. A write that changed nothing (the same
// values again) records nothing, so it moves no graph version and
// announces no licence event, as a seed reload that changes nothing.
func writeAndRecord(ctx context.Context, tx neo4j.ManagedTransaction, op string, kind domain.Kind, records []any) error {
	w, err := newRecordWriter(ctx, tx, kind)
	if err != nil {
		return err
	}
	if err := w.write(records); err != nil {
		return err
	}
	n := w.counts.Created + w.counts.Updated
	if n == 0 {
		return nil
	}
	return recordChange(ctx, tx, op, w.changed, n)
}

func runTx(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	sctx, obs := observe(ctx, "")
	res, err := tx.Run(sctx, cypher, params)
	if err != nil {
		obs.done(nil, err)
		return nil, err
	}
	records, err := res.Collect(sctx)
	if err != nil {
		obs.done(nil, err)
		return nil, err
	}
	summary, err := res.Consume(sctx)
	obs.done(summary, err)
	return records, err
}

// readBackErr is the error when a write cannot read back what it wrote
// (e.g. a concurrent delete): internal, with the cause for the log.
func readBackErr(err error, n int) error {
	if err != nil {
		return err
	}
	return domain.Wrap(domain.CodeInternal, fmt.Errorf("read back %d records after a write", n), "internal error")
}
