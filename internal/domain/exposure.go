package domain

import "context"

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
}

// ExposurePath is a path S0→…→Sn ordered from the source; its depth is
// len(Hops) and Hops[0] is an uncovered controlled hop (rule 5).
type ExposurePath struct {
	Hops []SupplyHop
}

// Depth is the number of hops.
func (p ExposurePath) Depth() int { return len(p.Hops) }

// ExposedCompany is a company with at least one exposure path (rule 5).
type ExposedCompany struct {
	CompanyID          string
	MinDepth           int
	PathCount          int
	UncoveredSuppliers []string // the distinct S0 of its paths, sorted
}

// ExposureQuery is the common part of exposure questions.
type ExposureQuery struct {
	AsOf     Date   // zero means today
	MaxDepth int    // 1..MaxExposureDepth
	Sector   string // "" for all; else the sector or any sector PART_OF it
}

// MaxExposureDepth is the hard cap on maxDepth: path counts grow
// exponentially with depth.
const MaxExposureDepth = 6

// ExposureChange is a company whose exposure differs between two dates,
// with the licences and controls whose dates in between explain it.
type ExposureChange struct {
	CompanyID string
	// Licences held by the company's uncovered suppliers that became valid,
	// expired or were revoked in the window, sorted.
	Licences []string
	// Controls that took effect, were suspended, resumed or were lifted in
	// the window, sorted.
	Controls []string
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
	// in all and whether more follow. Path counts and first suppliers,
	// the costly part, are filled only with details.
	ExposedCompanyPage(ctx context.Context, q ExposureQuery, p Page, details bool) ([]ExposedCompany, int, bool, error)
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
}
