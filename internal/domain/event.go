package domain

import (
	"context"
	"strings"
	"time"
)

// LicenceEventKind is what a licence write did, from its audit-trail
// operation.
type LicenceEventKind string

const (
	LicenceGranted           LicenceEventKind = "GRANTED"
	LicenceRevoked           LicenceEventKind = "REVOKED"
	LicenceExclusionsChanged LicenceEventKind = "EXCLUSIONS_CHANGED"
	LicenceImported          LicenceEventKind = "IMPORTED"
)

// licenceOperations maps the audit trail's operations on licences to the
// events they announce; seed loads of licence files are imports.
var licenceOperations = map[string]LicenceEventKind{
	"grantLicence":                LicenceGranted,
	"revokeLicence":               LicenceRevoked,
	"setLicenceExclusions":        LicenceExclusionsChanged,
	"importLicences":              LicenceImported,
	"seed " + string(KindLicence): LicenceImported,
}

// LicenceOperations lists the audit-trail operations that are licence
// events.
func LicenceOperations() []string {
	ops := make([]string, 0, len(licenceOperations))
	for op := range licenceOperations {
		ops = append(ops, op)
	}
	return ops
}

// LicenceEvent is one licence write announced to subscribers.
type LicenceEvent struct {
	Kind   LicenceEventKind
	Change Change
}

// LicenceEventOf returns the event a change announces, if it is one.
func LicenceEventOf(c Change) (LicenceEvent, bool) {
	k, ok := licenceOperations[c.Operation]
	return LicenceEvent{Kind: k, Change: c}, ok
}

// ParseChangeCursor reads a cursor made by Change.CursorKey.
func ParseChangeCursor(s string) (at time.Time, id string, ok bool) {
	a, id, found := strings.Cut(s, "|")
	if !found || id == "" {
		return time.Time{}, "", false
	}
	at, err := time.Parse(time.RFC3339Nano, a)
	return at, id, err == nil
}

// ChangeFeed reads the audit trail oldest first, for live events.
type ChangeFeed interface {
	// ChangesAfter returns up to limit changes with one of ops, ordered by
	// (at, id) ascending, strictly after (at, id).
	ChangesAfter(ctx context.Context, at time.Time, id string, ops []string, limit int) ([]Change, error)
}

// LicenceEventService streams licence events.
type LicenceEventService interface {
	// LicenceEvents streams events after the cursor (empty: from now on)
	// until ctx ends. Errors: BAD_USER_INPUT for a bad cursor.
	LicenceEvents(ctx context.Context, after string) (<-chan *LicenceEvent, error)
}
