package neo4jstore

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// lockGraphCypher runs first in every write transaction (writeTx): it
// takes the version node's write lock, held to the commit, so write
// transactions run one at a time. That makes a write's reads exact (the
// seed statements look for what they replace, then CREATE, without MERGE's
// re-check), orders commits as their Seq (a reader that sees Seq n sees
// every change up to n), and cannot deadlock: every writer takes this lock
// before any other. The property set and removed again changes nothing.
const lockGraphCypher = `
MERGE (v:GraphVersion {id: 'graph'})
  ON CREATE SET v.epoch = randomUUID(), v.seq = 0
SET v._lock = true
REMOVE v._lock`

// recordChangeCypher increments the graph's version and records the
// change with it, last in a write transaction that changed anything.
const recordChangeCypher = `
MATCH (v:GraphVersion {id: 'graph'})
SET v.seq = v.seq + 1
CREATE (:Change {id: randomUUID(), at: datetime(), actor: $actor, operation: $op, ids: $ids, count: $count,
                 epoch: v.epoch, seq: v.seq})`

// recordChange adds an audit-trail entry inside the write's transaction:
// who (from the context), which operation, which ids (at most
// domain.MaxChangeIDs) and how many, and the graph version it makes.
func recordChange(ctx context.Context, tx neo4j.ManagedTransaction, op string, ids []string, count int) error {
	if len(ids) > domain.MaxChangeIDs {
		ids = ids[:domain.MaxChangeIDs]
	}
	_, err := runTx(ctx, tx, recordChangeCypher, map[string]any{
		"actor": domain.ActorFrom(ctx), "op": op, "ids": ids, "count": count,
	})
	return err
}

// Changes are ordered newest first by (at, id); a page's cursor key is
// domain.Change.CursorKey.
const changesCypher = `
MATCH (c:Change)
WHERE ($since IS NULL OR c.at >= datetime($since))
  AND ($afterAt IS NULL OR c.at < datetime($afterAt) OR (c.at = datetime($afterAt) AND c.id < $afterID))
RETURN c {.id, .at, .actor, .operation, .ids, .count} AS c
ORDER BY c.at DESC, c.id DESC
LIMIT $limit`

const countChangesCypher = `MATCH (c:Change) WHERE ($since IS NULL OR c.at >= datetime($since)) RETURN count(c) AS n`

// Changes implements domain.ChangeService.
func (s *Store) Changes(ctx context.Context, since time.Time, p domain.Page) ([]domain.Change, bool, error) {
	params := map[string]any{"since": nil, "afterAt": nil, "afterID": nil, "limit": p.First + 1}
	// Instants travel as RFC 3339 text and are parsed by Cypher's
	// datetime(): a Go time.Time parameter did not compare equal to the
	// stored value, which made pages repeat their boundary.
	if !since.IsZero() {
		params["since"] = since.UTC().Format(time.RFC3339Nano)
	}
	if p.After != "" {
		at, id, ok := domain.ParseChangeCursor(p.After)
		if !ok {
			return nil, false, &domain.Error{Code: domain.CodeBadUserInput, Field: "after", Message: "after is not a cursor from this API"}
		}
		params["afterAt"], params["afterID"] = at.UTC().Format(time.RFC3339Nano), id
	}
	res, err := s.read(ctx, changesCypher, params)
	if err != nil {
		return nil, false, err
	}
	return trimPage(toChanges(res.Records), p.First)
}

// CountChanges implements domain.ChangeService.
func (s *Store) CountChanges(ctx context.Context, since time.Time) (int, error) {
	var sinceParam any
	if !since.IsZero() {
		sinceParam = since.UTC().Format(time.RFC3339Nano)
	}
	return s.count(ctx, countChangesCypher, map[string]any{"since": sinceParam})
}

// changesAfterCypher reads the trail oldest first for live events, from a
// keyset position; the range on c.at uses the index on :Change(at).
const changesAfterCypher = `
MATCH (c:Change)
WHERE c.at >= datetime($afterAt)
  AND (c.at > datetime($afterAt) OR c.id > $afterID)
  AND c.operation IN $ops
RETURN c {.id, .at, .actor, .operation, .ids, .count} AS c
ORDER BY c.at, c.id
LIMIT $limit`

// ChangesAfter implements domain.ChangeFeed.
func (s *Store) ChangesAfter(ctx context.Context, at time.Time, id string, ops []string, limit int) ([]domain.Change, error) {
	res, err := s.read(ctx, changesAfterCypher, map[string]any{
		"afterAt": at.UTC().Format(time.RFC3339Nano), "afterID": id, "ops": ops, "limit": limit,
	})
	if err != nil {
		return nil, err
	}
	return toChanges(res.Records), nil
}

func toChanges(records []*neo4j.Record) []domain.Change {
	out := make([]domain.Change, 0, len(records))
	for _, r := range records {
		out = append(out, toChange(recordMap(r, "c")))
	}
	return out
}

func toChange(m map[string]any) domain.Change {
	at, _ := m["at"].(time.Time)
	n, _ := m["count"].(int64)
	seq, _ := m["seq"].(int64)
	return domain.Change{ID: mString(m, "id"), At: at, Actor: mString(m, "actor"),
		Operation: mString(m, "operation"), IDs: mStrings(m, "ids", false), Count: int(n), Seq: seq}
}

var (
	_ domain.ChangeService = (*Store)(nil)
	_ domain.ChangeFeed    = (*Store)(nil)
)
