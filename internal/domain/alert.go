package domain

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxWatchedCompanies bounds the companies one exposure alert
// subscription names: each judgement looks every one of them up.
const MaxWatchedCompanies = 1000

// MaxAlertPaths bounds the paths an alert of a newly exposed company
// carries (the shortest first).
const MaxAlertPaths = 5

// AlertQuery says what an exposureAlerts subscription watches: the
// companies CompanyIDs, and every company of Sector (or a sector PART_OF
// it), judged today with paths of at most MaxDepth links.
type AlertQuery struct {
	CompanyIDs []string // sorted, without repeats once Normalize ran
	Sector     string
	MaxDepth   int
}

// Normalize sorts the ids and drops repeats: the same watch asked in
// another order is the same question (one watcher serves both).
func (q AlertQuery) Normalize() AlertQuery {
	ids := slices.Clone(q.CompanyIDs)
	slices.Sort(ids)
	q.CompanyIDs = slices.Compact(ids)
	return q
}

// Validate checks that something is watched, the number of ids
// (MaxWatchedCompanies) and maxDepth.
func (q AlertQuery) Validate() error {
	if len(q.CompanyIDs) == 0 && q.Sector == "" {
		return badInput("companyIds", "say what to watch: companyIds, a sector, or both")
	}
	if len(q.CompanyIDs) > MaxWatchedCompanies {
		return badInput("companyIds", "companyIds names %d companies, at most %d may be watched by one subscription", len(q.CompanyIDs), MaxWatchedCompanies)
	}
	for i, id := range q.CompanyIDs {
		if strings.TrimSpace(id) == "" {
			f := fmt.Sprintf("companyIds[%d]", i)
			return badInput(f, "%s is empty", f)
		}
	}
	return ExposureQuery{MaxDepth: q.MaxDepth}.Validate()
}

// Key names the question: subscriptions with equal keys share a watcher.
func (q AlertQuery) Key() string {
	return strconv.Itoa(q.MaxDepth) + "|" + q.Sector + "|" + strings.Join(q.CompanyIDs, "\x00")
}

// ExposureSnapshot is a watched question judged on one day at one
// version of the graph.
type ExposureSnapshot struct {
	Version GraphVersion
	AsOf    Date
	// Exposed are the watched companies exposed, sorted.
	Exposed []string
	// Uncovered are the graph's uncovered controlled hops (first hops of
	// exposure paths) on AsOf, sorted: what a company no longer exposed
	// is explained by.
	Uncovered [][2]string
}

// ExposureFlip is a watched company whose exposure differs from the
// previous snapshot.
type ExposureFlip struct {
	CompanyID string
	Exposed   bool
	// Paths are its shortest paths now (at most MaxAlertPaths), when newly
	// exposed.
	Paths []ExposurePath
	// Hops are, when no longer exposed, the hops that were uncovered
	// before and are not now and from which it is reached within maxDepth
	// links, judged now; empty when what ended its exposure was a link's
	// removal or end.
	Hops []SupplyHop
}

// ExposureAlert is one watched company becoming exposed or no longer
// exposed today.
type ExposureAlert struct {
	// Cursor resumes a subscription after this alert (AlertCursor).
	Cursor    string
	CompanyID string
	Exposed   bool
	// At is when it was judged; AsOf the day it was judged on.
	At   time.Time
	AsOf Date
	// Change is the audit-trail entry of the write that made it, nil when
	// a date passing did (or the graph was reset).
	Change *Change
	// Writes is how many writes were judged together with it: more than
	// one when several committed between two judgements (Change is then
	// the latest of them that names a record of its paths or hops, else
	// the latest).
	Writes int
	Paths  []ExposurePath
	Hops   []SupplyHop
}

// AlertCursor is an alert's place in the order every watcher hands them
// out: the graph's version, then the day, then the company.
type AlertCursor struct {
	Epoch     string
	Seq       int64
	AsOf      Date
	CompanyID string
}

// String is the cursor as clients see it: "epoch~seq~day~company".
func (c AlertCursor) String() string {
	return c.Epoch + "~" + strconv.FormatInt(c.Seq, 10) + "~" + c.AsOf.String() + "~" + c.CompanyID
}

// Compare orders cursors of one epoch.
func (c AlertCursor) Compare(o AlertCursor) int {
	switch {
	case c.Seq != o.Seq:
		return cmpInt(c.Seq, o.Seq)
	case !c.AsOf.Equal(o.AsOf):
		if c.AsOf.Before(o.AsOf) {
			return -1
		}
		return 1
	}
	return strings.Compare(c.CompanyID, o.CompanyID)
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	return 1
}

// ParseAlertCursor reads a cursor made by AlertCursor.String.
func ParseAlertCursor(s string) (AlertCursor, bool) {
	parts := strings.SplitN(s, "~", 4)
	if len(parts) != 4 {
		return AlertCursor{}, false
	}
	seq, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || seq < 0 {
		return AlertCursor{}, false
	}
	d, err := ParseDate(parts[2])
	if err != nil || parts[3] == "" {
		return AlertCursor{}, false
	}
	return AlertCursor{Epoch: parts[0], Seq: seq, AsOf: d, CompanyID: parts[3]}, true
}

// ExposureAlertService streams exposure alerts.
type ExposureAlertService interface {
	// ExposureAlerts streams the alerts of q (validated, normalized)
	// after the cursor (empty: from now on) until ctx ends. Errors:
	// BAD_USER_INPUT for a bad cursor or one no longer kept, NOT_FOUND
	// for an unknown company or sector, UNAVAILABLE.
	ExposureAlerts(ctx context.Context, q AlertQuery, after string) (<-chan *ExposureAlert, error)
}
