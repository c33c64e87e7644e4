package domain

// The graph's nouns, as docs/model.md describes them. Zero values mean
// absent (and are not stored): an empty string, a nil slice, a zero Date,
// a nil *float64.

// Role is what a company does in the supply chain.
type Role string

const (
	RoleMiner             Role = "MINER"
	RoleRefiner           Role = "REFINER"
	RoleMagnetMaker       Role = "MAGNET_MAKER"
	RoleComponentSupplier Role = "COMPONENT_SUPPLIER"
	RoleOEM               Role = "OEM"
	RoleOther             Role = "OTHER"
)

// Roles lists the valid roles in their documented order.
var Roles = []Role{RoleMiner, RoleRefiner, RoleMagnetMaker, RoleComponentSupplier, RoleOEM, RoleOther}

// MaterialKind classifies a material.
type MaterialKind string

const (
	MaterialElement MaterialKind = "ELEMENT"
	MaterialOxide   MaterialKind = "OXIDE"
	MaterialMetal   MaterialKind = "METAL"
	MaterialAlloy   MaterialKind = "ALLOY"
	MaterialMagnet  MaterialKind = "MAGNET"
	MaterialOther   MaterialKind = "OTHER"
)

var MaterialKinds = []MaterialKind{MaterialElement, MaterialOxide, MaterialMetal, MaterialAlloy, MaterialMagnet, MaterialOther}

// LicenceType is the kind of export licence.
type LicenceType string

const (
	LicenceGeneral     LicenceType = "GENERAL"
	LicenceTemporary   LicenceType = "TEMPORARY"
	LicencePerShipment LicenceType = "PER_SHIPMENT"
)

var LicenceTypes = []LicenceType{LicenceGeneral, LicenceTemporary, LicencePerShipment}

// LicenceStatus is where a licence stands.
type LicenceStatus string

const (
	StatusPending LicenceStatus = "PENDING"
	StatusActive  LicenceStatus = "ACTIVE"
	StatusDenied  LicenceStatus = "DENIED"
	StatusRevoked LicenceStatus = "REVOKED"
)

var LicenceStatuses = []LicenceStatus{StatusPending, StatusActive, StatusDenied, StatusRevoked}

// Region groups countries.
type Region string

// Sector is a node of the sector tree.
type Sector struct {
	ID     string
	Name   string
	Parent string // PART_OF
}

// Material is a controlled or uncontrolled material.
type Material struct {
	ID   string
	Name string
	Kind MaterialKind
}

// ExportControl is a regulation controlling the export of materials.
type ExportControl struct {
	ID             string
	Title          string
	Authority      string
	AnnouncedOn    Date
	EffectiveFrom  Date
	SuspendedFrom  Date
	SuspendedUntil Date
	LiftedOn       Date
	Materials      []string // CONTROLS
	Sources        []string // REPORTED_BY: Source refs (ParseSource)
	Note           string   // caveats and assumptions, as written
}

// Company is a node of the supply graph.
type Company struct {
	ID      string
	Name    string
	Aliases []string
	Country string // ISO 3166-1 alpha-2, REGISTERED_IN
	Roles   []Role
	Sectors []string // OPERATES_IN
	LEI     string
	Website string
	Note    string // caveats and assumptions, as written
}

// SupplyLink is a SUPPLIES relationship, supplier to customer.
type SupplyLink struct {
	Supplier   string
	Customer   string
	Materials  []string
	Since      Date // inclusive
	Until      Date // exclusive
	Confidence *float64
	Sources    []string // Source refs (ParseSource)
	Note       string   // caveats and assumptions, as written
	// SupplierRead / CustomerRead: the company at that end, when the read
	// that returned the link read it too, with the fields the query asked
	// (see LinkReads); nil: load it by id.
	SupplierRead, CustomerRead *Company
}

// Licence is an export licence held by a (Chinese) exporter.
type Licence struct {
	ID              string
	Type            LicenceType
	Status          LicenceStatus
	Holder          string   // HOLDS
	Clients         []string // COVERS
	Materials       []string // FOR_MATERIAL
	ExcludedSectors []string // EXCLUDES
	IssuedOn        Date
	ValidFrom       Date
	ValidUntil      Date
	RevokedOn       Date
	// RevocationReason is why it was revoked (the write API's revokeLicence).
	RevocationReason string
	Reference        string
	Sources          []string // REPORTED_BY: Source refs (ParseSource)
	Controls         []string // UNDER
	Confidence       *float64 // belief in the grant as recorded, 0 to 1
	Note             string   // caveats and assumptions, as written
}

// WriteCounts says what a write did to the records it was given.
type WriteCounts struct {
	Created, Updated, Unchanged int
	// FirstLoad: the records went in by the first-load path (the graph held
	// none of their kind, so none was looked for).
	FirstLoad bool
}

// Add adds o to c.
func (c *WriteCounts) Add(o WriteCounts) {
	c.Created += o.Created
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.FirstLoad = c.FirstLoad || o.FirstLoad
}

// Total is the number of records counted.
func (c WriteCounts) Total() int { return c.Created + c.Updated + c.Unchanged }
