package domain

import (
	"context"
	"time"
)

// Change is one entry of the audit trail: a write through the API or the
// seed loader, recorded in the same transaction as the write.
type Change struct {
	ID        string
	At        time.Time
	Actor     string // the token's subject, "seed", or "anonymous"
	Operation string // "upsertCompany", "seed licences", …
	// IDs are the keys of the records written (supply links as
	// "supplier->customer"), at most MaxChangeIDs of them; Count is how many.
	IDs   []string
	Count int
	// Seq orders the writes: every recorded write increments the graph's
	// version (GraphVersion) in its transaction, and its change carries
	// the new Seq.
	Seq int64
}

// GraphVersion names a committed state of the graph. Seq counts the
// recorded writes; Epoch changes when the version node is created anew
// (a new or reset graph), so a Seq is only comparable within an epoch.
// The zero value is a graph nothing was ever written to.
type GraphVersion struct {
	Epoch string
	Seq   int64
}

// CursorKey orders changes newest first: "at|id" (at in RFC 3339).
func (c Change) CursorKey() string { return c.At.UTC().Format(time.RFC3339Nano) + "|" + c.ID }

// MaxChangeIDs bounds the ids one change lists; a large seed file records
// the first ones and its count.
const MaxChangeIDs = 1000

type actorKey struct{}

// WithActor returns ctx naming who writes, for the audit trail.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns who writes, or "anonymous".
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "anonymous"
}

// ChangeService reads the audit trail. Errors: BAD_USER_INPUT, TIMEOUT,
// UNAVAILABLE.
type ChangeService interface {
	// Changes returns changes at or after since (zero: all), newest first,
	// after the cursor key of p; the bool says whether more follow.
	Changes(ctx context.Context, since time.Time, p Page) ([]Change, bool, error)
	CountChanges(ctx context.Context, since time.Time) (int, error)
}
