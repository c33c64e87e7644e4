package domain

import "context"

// The read side of the graph: filters, pages and the service the GraphQL
// read API (graph/) and the store agree on.

// Regions of the Country nodes (the same values as countries.Region).
const (
	RegionEurope   Region = "EUROPE"
	RegionAmericas Region = "AMERICAS"
	RegionAsia     Region = "ASIA"
	RegionAfrica   Region = "AFRICA"
	RegionOceania  Region = "OCEANIA"
)

// Country is a Country node: an ISO 3166-1 alpha-2 code, name and region.
type Country struct {
	Code   string
	Name   string
	Region Region
}

// Direction says which way to walk SUPPLIES links.
type Direction string

const (
	// Upstream walks to suppliers, their suppliers, and so on.
	Upstream Direction = "UPSTREAM"
	// Downstream walks to customers, their customers, and so on.
	Downstream Direction = "DOWNSTREAM"
)

// Paging limits shared by every connection.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Supply-chain bounds.
const (
	DefaultSupplyChainDepth = 3
	MaxSupplyChainDepth     = 6
	// MaxSupplyChainNodes caps the companies a supplyChain answer holds.
	MaxSupplyChainNodes = 2000
)

// Page asks for up to First items after the item with key After ("" for
// the start), in the list's order.
type Page struct {
	First int
	After string
}

// CompanyFilter selects companies; zero fields do not filter.
type CompanyFilter struct {
	Country      string // ISO code
	Region       Region
	Role         Role
	Sector       string // the sector or any sector PART_OF it
	NameContains string // case-insensitive, in the name or an alias
}

// LicenceFilter selects licences; zero fields do not filter.
type LicenceFilter struct {
	Holder   string
	Client   string
	Status   LicenceStatus
	Type     LicenceType
	Material string
	// ValidOn keeps licences whose validity window holds the date (absent
	// bound = open) and that were not revoked on or before it.
	ValidOn Date
}

// SupplyLinkPage is one page of a company's suppliers or customers, ordered
// by the other company's id.
type SupplyLinkPage struct {
	Links   []SupplyLink
	HasNext bool
	Total   int
	// Others are the companies at the other end of Links, read in the same
	// query so that resolving them costs nothing more; complete only when
	// the key's Reads are AllLinkReads.
	Others []Company
}

// LinkPageKey asks for a page of one company's suppliers or customers.
type LinkPageKey struct {
	Company string
	Page
	Reads LinkReads
}

// LinkReads says what a page of supply links reads beyond ids, from what
// the query selects: projecting everything cost a third more database time
// and decoding on pages that ask only the other companies' names or ids.
type LinkReads struct {
	Links   bool         // the links' own properties (materials, dates, confidence, sources, note)
	Others  CompanyProps // the other companies' properties
	Sectors bool         // the other companies' sector lists (with all their properties)
}

// CompanyProps is a set of a company's properties (beyond its id).
type CompanyProps uint8

const (
	PropName CompanyProps = 1 << iota
	PropAliases
	PropCountry
	PropRoles
	PropLEI
	PropWebsite
	PropNote

	AllCompanyProps = PropName | PropAliases | PropCountry | PropRoles | PropLEI | PropWebsite | PropNote
)

// Has says whether the set holds p.
func (s CompanyProps) Has(p CompanyProps) bool { return s&p != 0 }

// AllLinkReads reads everything: complete links and companies.
var AllLinkReads = LinkReads{Links: true, Others: AllCompanyProps, Sectors: true}

// HeldKey asks for the licences a company holds whose validity window holds
// AsOf; Status, if set, filters by the status on AsOf (an ACTIVE licence
// revoked on or before AsOf counts as REVOKED).
type HeldKey struct {
	Holder string
	Status LicenceStatus
	AsOf   Date
	// Lists asks for the licences' lists (clients, materials, exclusions,
	// controls, sources) too; without it they are left empty, which
	// costs a quarter of the time.
	Lists bool
}

// CoveringKey asks for the licences in force on AsOf that name Client:
// ACTIVE, validity window holding AsOf, not revoked on or before AsOf, and
// not excluding a sector Client operates in (or a parent of one).
type CoveringKey struct {
	Client string
	AsOf   Date
}

// SupplyGraph is the part of the supply graph reachable from a company.
type SupplyGraph struct {
	Nodes []Company
	Links []SupplyLink
}

// ReadService answers the read API. Lookups of one id return nil when the
// node does not exist; batch methods return maps holding only what exists
// (the batch methods over relationships hold every key asked for). Errors:
// BAD_USER_INPUT (a supply chain over MaxSupplyChainNodes), NOT_FOUND
// (SupplyChain of an unknown company), TIMEOUT, UNAVAILABLE. Filters,
// pages and questions must have passed their Validate (questions.go):
// implementations trust them.
type ReadService interface {
	Company(ctx context.Context, id string) (*Company, error)
	// Companies returns a page ordered by id and whether more follow.
	Companies(ctx context.Context, f CompanyFilter, p Page) ([]Company, bool, error)
	CountCompanies(ctx context.Context, f CompanyFilter) (int, error)
	// SearchCompanies runs a full-text search on names and aliases, best
	// score first.
	SearchCompanies(ctx context.Context, q SearchQuery) ([]Company, error)

	Sectors(ctx context.Context) ([]Sector, error)
	Sector(ctx context.Context, id string) (*Sector, error)
	Materials(ctx context.Context) ([]Material, error)
	ExportControls(ctx context.Context) ([]ExportControl, error)

	Licence(ctx context.Context, id string) (*Licence, error)
	// Licences returns a page ordered by id and whether more follow.
	Licences(ctx context.Context, f LicenceFilter, p Page) ([]Licence, bool, error)
	CountLicences(ctx context.Context, f LicenceFilter) (int, error)

	SupplyChain(ctx context.Context, q SupplyChainQuery) (SupplyGraph, error)

	// Batch reads for per-request dataloaders.
	CompaniesByIDs(ctx context.Context, ids []string) (map[string]Company, error)
	SectorsByIDs(ctx context.Context, ids []string) (map[string]Sector, error)
	SectorChildren(ctx context.Context, parentIDs []string) (map[string][]Sector, error)
	MaterialsByIDs(ctx context.Context, ids []string) (map[string]Material, error)
	ExportControlsByIDs(ctx context.Context, ids []string) (map[string]ExportControl, error)
	SupplierPages(ctx context.Context, keys []LinkPageKey) (map[LinkPageKey]SupplyLinkPage, error)
	CustomerPages(ctx context.Context, keys []LinkPageKey) (map[LinkPageKey]SupplyLinkPage, error)
	LicencesHeld(ctx context.Context, keys []HeldKey) (map[HeldKey][]Licence, error)
	LicencesCovering(ctx context.Context, keys []CoveringKey) (map[CoveringKey][]Licence, error)
	LicenceClients(ctx context.Context, licenceIDs []string) (map[string][]Company, error)
	LicencesByIDs(ctx context.Context, ids []string) (map[string]Licence, error)
	// SupplyLinksByPairs reads the links supplier→customer of pairs
	// ([supplier, customer]) that exist.
	SupplyLinksByPairs(ctx context.Context, pairs [][2]string) (map[[2]string]SupplyLink, error)
}
