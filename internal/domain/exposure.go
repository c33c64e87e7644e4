package domain

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// ExposureReason says why a controlled hop is not covered (docs/exposure.md, rule 4).
type ExposureReason string

const (
	ReasonNoLicence          ExposureReason = "NO_LICENCE"
	ReasonPending            ExposureReason = "PENDING"
	ReasonDenied             ExposureReason = "DENIED"
	ReasonRevoked            ExposureReason = "REVOKED"
	ReasonNotYetValid        ExposureReason = "NOT_YET_VALID"
	ReasonExpired            ExposureReason = "EXPIRED"
	ReasonMaterialNotCovered ExposureReason = "MATERIAL_NOT_COVERED"
	ReasonSectorExcluded     ExposureReason = "SECTOR_EXCLUDED"
)

// ExposureReasons lists the reasons in the order of rule 4, which breaks
// ties between licences failing at the status test.
var ExposureReasons = []ExposureReason{ReasonNoLicence, ReasonPending, ReasonDenied, ReasonRevoked,
	ReasonNotYetValid, ReasonExpired, ReasonMaterialNotCovered, ReasonSectorExcluded}

// SupplyHop is one supply link judged on a date (docs/exposure.md, rules 2–4).
type SupplyHop struct {
	Supplier  string
	Customer  string
	Materials []string // all materials of the link, sorted
	// ControlledMaterials are the link's materials controlled on the date
	// (empty unless the hop is controlled), sorted.
	ControlledMaterials []string
	Controlled          bool // rule 2
	Covered             bool // rule 4; false when not controlled
	// Reason is set when the hop is controlled and not covered.
	Reason ExposureReason
	// Licences are the ids of the licences considered: held by Supplier and
	// COVERing Customer, whatever their status; sorted.
	Licences []string
	// Hypothetical, for a hop judged in a what-if scenario, is the
	// records the scenario changed (its licences and link are shown as
	// the scenario has them); nil otherwise.
	Hypothetical *Hypothetical
}

// ExposurePath is a path S0→…→Sn ordered from the source; its depth is
// len(Hops) and Hops[0] is an uncovered controlled hop (rule 5).
type ExposurePath struct {
	Hops []SupplyHop
	// Confidence is the product of its links' confidence, first hop
	// first; nil when a link has none.
	Confidence *float64
}

// Depth is the number of hops.
func (p ExposurePath) Depth() int { return len(p.Hops) }

// ExposedCompany is a company with at least one exposure path (rule 5).
// With a minimum confidence, only the paths that meet it count, for every
// field.
type ExposedCompany struct {
	CompanyID          string
	MinDepth           int
	PathCount          int
	UncoveredSuppliers []string // the distinct S0 of its paths, sorted
	// Confidence is the highest confidence of its paths; nil when none
	// has one.
	Confidence *float64
	// Since is the first day of its exposure up to the date asked, when
	// that lies within SinceLookback of it; zero otherwise.
	Since Date
}

// ExposedReportRow is an exposed company with the first hops (S0, S1)
// of its paths, judged on the date asked (supplier, customer and reason
// only), sorted by supplier then customer: one row of an exposure export.
type ExposedReportRow struct {
	ExposedCompany
	FirstHops []SupplyHop
}

// ExposureQuery is the common part of exposure questions.
type ExposureQuery struct {
	AsOf     Date   // zero means today
	MaxDepth int    // 1..MaxExposureDepth
	Sector   string // "" for all; else the sector or any sector PART_OF it
	// MinConfidence, when set (0 < t <= 1), keeps only the paths whose
	// confidence is known and at least t (ConfidenceTolerance below).
	MinConfidence *float64
}

// Counts says whether a path of confidence conf (NaN when unknown) counts
// for the question: always without a minimum, else when it is known and
// meets the minimum within ConfidenceTolerance.
func (q ExposureQuery) Counts(conf float64) bool {
	return q.MinConfidence == nil || conf >= *q.MinConfidence-ConfidenceTolerance
}

// ConfidenceKey names the question's minimum confidence ("" when none),
// for keys of answers kept per question.
func (q ExposureQuery) ConfidenceKey() string {
	if q.MinConfidence == nil {
		return ""
	}
	return strconv.FormatFloat(*q.MinConfidence, 'g', -1, 64)
}

// ConfidenceTolerance is how far below a minimum confidence a path's
// confidence may fall and still count: products of decimal confidences
// are not exact in binary (0.1 × 0.3 is 0.030000000000000002).
const ConfidenceTolerance = 1e-9

// MaxExposureDepth is the hard cap on maxDepth: path counts grow
// exponentially with depth.
const MaxExposureDepth = 6

// SinceLookback bounds how far back ExposedCompany.Since looks, in
// years: a longer exposure has no Since.
const SinceLookback = 2

// SinceFloor is the earliest Since of an answer on asOf.
func SinceFloor(asOf Date) Date { return DateOf(asOf.Time().AddDate(-SinceLookback, 0, 0)) }

// MaxTimelineDays bounds the days of one exposure timeline, from and to
// included: three years (a leap day among them). The longer the span, the
// more links are current on some day of it (and walked) and the more
// dates each first hop is judged on.
const MaxTimelineDays = 1096

// ExposureInterval is a maximal run of days on which a company was
// exposed, or was not (ExposureService.ExposureTimeline).
type ExposureInterval struct {
	From, To Date // both included
	Exposed  bool
	// UncoveredSuppliers are the first suppliers (S0) of its paths on
	// any day of the interval, sorted; empty when not exposed.
	UncoveredSuppliers []string
	// Licences and Controls are those whose dates open the interval (on
	// From) or close it (on the day after To), sorted; see
	// docs/exposure.md for which count.
	Licences []string
	Controls []string
}

// ExposedFields says what ExposedCompanyPage fills beyond the list and
// minDepth: each costs walks per company of the page.
type ExposedFields struct {
	// Details: pathCount, uncoveredSuppliers and confidence.
	Details bool
	// Since: the first day of the current exposure.
	Since bool
}

// ExposureChange is a company whose exposure differs between two dates,
// with the licences and controls whose dates in between explain it.
type ExposureChange struct {
	CompanyID string
	// Licences held by the company's uncovered suppliers that became valid,
	// expired or were revoked in the window, sorted.
	Licences []string
	// Controls in force on one date and not the other whose change
	// altered whether a material of a first hop of the company's paths is
	// controlled (docs/exposure.md), sorted.
	Controls []string
}

// TimelineQuery asks for the intervals of ExposureQuery.AsOf (from) to
// To during which a company was exposed or not.
type TimelineQuery struct {
	CompanyID string
	ExposureQuery
	To Date
}

// ExposureChanges compares exposure on two dates.
type ExposureChanges struct {
	From, To        Date
	NewlyExposed    []ExposureChange
	NoLongerExposed []ExposureChange
}

// ExposureService answers exposure questions, which must have passed their
// Validate (questions.go). Errors: NOT_FOUND, TIMEOUT, UNAVAILABLE.
type ExposureService interface {
	// ExposedCompanies returns every exposed company, sorted by id.
	ExposedCompanies(ctx context.Context, q ExposureQuery) ([]ExposedCompany, error)
	// ExposedCompanyPage returns the exposed companies after the company
	// id p.After, at most p.First, sorted by id; with how many there are
	// in all and whether more follow. Path counts, first suppliers,
	// confidence and since, the costly part, are filled only as fields
	// asks.
	ExposedCompanyPage(ctx context.Context, q ExposureQuery, p Page, fields ExposedFields) ([]ExposedCompany, int, bool, error)
	// ExposurePaths returns up to q.First exposure paths of a company, by
	// depth then by the ids along the path.
	ExposurePaths(ctx context.Context, q PathsQuery) ([]ExposurePath, error)
	// ClassifyHop judges the link supplier→customer on a date.
	ClassifyHop(ctx context.Context, supplier, customer string, asOf Date) (SupplyHop, error)
	// ClientCoverage judges every current link from producer to a client
	// registered in another country, by client id.
	ClientCoverage(ctx context.Context, producer string, asOf Date) ([]SupplyHop, error)
	// ExposureChanges lists who becomes and who stops being exposed between
	// q.AsOf (from) and q.To.
	ExposureChanges(ctx context.Context, q ChangesQuery) (ExposureChanges, error)
	// ExposureTimeline returns the maximal intervals of q.AsOf (from) to
	// q.To during which q.CompanyID was exposed or not, in order.
	ExposureTimeline(ctx context.Context, q TimelineQuery) ([]ExposureInterval, error)
	// ChangeDates returns, in order, the days from q.From to q.To on which
	// an exposure answer may differ from the day before: a licence's
	// validity or a supply link starts or ends, a licence is revoked, an
	// export control comes into force, is suspended, resumes or is lifted.
	ChangeDates(ctx context.Context, q DatesQuery) ([]Date, error)
	// ExposureScenario compares exposure on q.AsOf with and without
	// q.Change, writing nothing.
	ExposureScenario(ctx context.Context, q ScenarioQuery) (ExposureScenario, error)
}

// ExposedList is the companies exposed for a question, sorted by id, with
// their least depth only. A store that finds them itself keeps them in its
// own, smaller form and builds each entry when asked: at 100,000
// companies an answer lists tens of thousands.
type ExposedList interface {
	Len() int
	At(i int) ExposedCompany
	// Search is the position of the first company whose id is not
	// before id.
	Search(id string) int
}

// ExposedSlice is an ExposedList held as entries.
type ExposedSlice []ExposedCompany

func (s ExposedSlice) Len() int                { return len(s) }
func (s ExposedSlice) At(i int) ExposedCompany { return s[i] }
func (s ExposedSlice) Search(id string) int {
	i, _ := slices.BinarySearchFunc(s, id, func(x ExposedCompany, id string) int { return strings.Compare(x.CompanyID, id) })
	return i
}

// ExposedRange is the entries from to to of l.
func ExposedRange(l ExposedList, from, to int) []ExposedCompany {
	out := make([]ExposedCompany, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, l.At(i))
	}
	return out
}
