package neo4jstore

import (
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Shared Cypher: the rules of the model (docs/model.md) and of exposure
// (docs/exposure.md) that more than one statement applies, each written
// once, and the projections every read decodes (records.go). All are
// templates whose {placeholders} name the variables or date expression of
// the statement that uses them; values from requests travel as
// parameters, never through these.

// fill replaces each {name} of tmpl by its value; pairs are name, value.
func fill(tmpl string, pairs ...string) string {
	old := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		old = append(old, "{"+pairs[i]+"}", pairs[i+1])
	}
	return strings.NewReplacer(old...).Replace(tmpl)
}

// ---------------------------------------------------------------------------
// Rules

// A supply link {r} is current on {d}: since absent or <= d, until absent
// or > d (until is exclusive).
const linkCurrentRule = `({r}.since IS NULL OR {r}.since <= {d}) AND ({r}.until IS NULL OR {r}.until > {d})`

func linkCurrentOn(r, d string) string { return fill(linkCurrentRule, "r", r, "d", d) }

// A licence {l} has started on {d} (validFrom absent or <= d) and has not
// expired (validUntil absent or >= d: validUntil is inclusive).
const (
	licenceStartedRule    = `({l}.validFrom IS NULL OR {l}.validFrom <= {d})`
	licenceNotExpiredRule = `({l}.validUntil IS NULL OR {l}.validUntil >= {d})`
	// revokedOn on or before d revokes the licence, whatever its status.
	licenceRevokedRule = `({l}.revokedOn IS NOT NULL AND {l}.revokedOn <= {d})`
)

func licenceStarted(l, d string) string    { return fill(licenceStartedRule, "l", l, "d", d) }
func licenceNotExpired(l, d string) string { return fill(licenceNotExpiredRule, "l", l, "d", d) }
func licenceRevoked(l, d string) string    { return fill(licenceRevokedRule, "l", l, "d", d) }

// licenceInWindow: the licence's validity window holds the date.
func licenceInWindow(l, d string) string {
	return licenceStarted(l, d) + " AND " + licenceNotExpired(l, d)
}

// licenceInForce: ACTIVE, not revoked on or before the date, in its
// window — exposure rule 3 without materials and sectors.
func licenceInForce(l, d string) string {
	return l + ".status = 'ACTIVE' AND NOT " + licenceRevoked(l, d) + " AND " + licenceInWindow(l, d)
}

// licenceStatusOn is the status on a date: a passed revokedOn is REVOKED.
func licenceStatusOn(l, d string) string {
	return "CASE WHEN " + licenceRevoked(l, d) + " THEN 'REVOKED' ELSE " + l + ".status END"
}

// A licence {l} excludes company {c} when a sector c operates in is, or is
// PART_OF at any depth, a sector l EXCLUDES.
const sectorExcludedRule = `EXISTS { ({c})-[:OPERATES_IN]->(:Sector)-[:PART_OF*0..]->(:Sector)<-[:EXCLUDES]-({l}) }`

func sectorExcluded(l, c string) string { return fill(sectorExcludedRule, "l", l, "c", c) }

// controlledOnRule binds `controlled`: ids of the materials controlled on
// {d} (exposure rule 1). A control without effectiveFrom is not in force;
// an open suspension (no suspendedUntil) lasts.
const controlledOnRule = `
OPTIONAL MATCH (x:ExportControl)-[:CONTROLS]->(m:Material)
WHERE x.effectiveFrom <= {d}
  AND (x.liftedOn IS NULL OR x.liftedOn > {d})
  AND NOT (x.suspendedFrom IS NOT NULL AND x.suspendedFrom <= {d}
           AND (x.suspendedUntil IS NULL OR {d} < x.suspendedUntil))
WITH collect(DISTINCT m.id) AS controlled
`

func controlledOn(d string) string { return fill(controlledOnRule, "d", d) }

// Sector subtrees: a sector filter means the sector or any sector PART_OF
// it, at any depth.
const (
	// companiesInSector binds c to each company operating in sector
	// $sector or a sector below it (once per membership).
	companiesInSector = `(:Sector {id: $sector})<-[:PART_OF*0..]-(:Sector)<-[:OPERATES_IN]-(c:Company)`
	// sectorSubtree binds `subtree`: the sectors of $sector's subtree.
	sectorSubtree = `MATCH (top:Sector {id: $sector})
WITH [(top)<-[:PART_OF*0..]-(s:Sector) | s] AS subtree`
	// subtreeMembers binds `members`: the subtree's memberships, read
	// from node degrees (free).
	subtreeMembers = `reduce(n = 0, s IN subtree | n + COUNT { (s)<-[:OPERATES_IN]-() }) AS members`
	// inSubtree: company c operates in the subtree.
	inSubtree = `any(s IN [(c)-[:OPERATES_IN]->(x:Sector) | x] WHERE s IN subtree)`
)

// ---------------------------------------------------------------------------
// Projections: each returns a map a decoder of records.go reads. Inner
// variables have prefixes of their own so they never capture an outer one.

func companyProjection(v string) string {
	return fill(`{v}{.id, .name, .aliases, .country, .roles, .lei, .website, .note,
  sectors: [({v})-[:OPERATES_IN]->(rdcs:Sector) | rdcs.id]}`, "v", v)
}

// companyPropsProjection reads, besides the id, the properties whose
// parameter ($name, $aliases, …) is true; not the sector list.
func companyPropsProjection(v string) string {
	props := make([]string, len(companyPropParams))
	for i, p := range companyPropParams {
		props[i] = fill(`{p}: CASE WHEN ${p} THEN {v}.{p} END`, "p", p.name, "v", v)
	}
	return v + `{.id, ` + strings.Join(props, ", ") + `}`
}

// companyPropParams are the company properties a page of links reads on
// demand, each with its parameter of the same name.
var companyPropParams = []struct {
	name string
	prop domain.CompanyProps
}{
	{"name", domain.PropName}, {"aliases", domain.PropAliases}, {"country", domain.PropCountry},
	{"roles", domain.PropRoles}, {"lei", domain.PropLEI}, {"website", domain.PropWebsite},
	{"note", domain.PropNote},
}

func licenceProjection(v string) string {
	return licenceProjectionWithHolder(v, fill(`head([(rdlh:Company)-[:HOLDS]->({v}) | rdlh.id])`, "v", v))
}

// licenceProjectionWithHolder takes the holder's id from an expression the
// statement already has.
func licenceProjectionWithHolder(v, holder string) string {
	return fill(`{v}{.*,
  holder: {holder},
  clients: [({v})-[:COVERS]->(rdlc:Company) | rdlc.id],
  materials: [({v})-[:FOR_MATERIAL]->(rdlm:Material) | rdlm.id],
  excluded: [({v})-[:EXCLUDES]->(rdls:Sector) | rdls.id],
  controls: [({v})-[:UNDER]->(rdlx:ExportControl) | rdlx.id],
  sources: [({v})-[:REPORTED_BY]->(rdlsrc:Source) | rdlsrc.ref]}`, "v", v, "holder", holder)
}

func sectorProjection(v string) string {
	return fill(`{v}{.id, .name, parent: head([({v})-[:PART_OF]->(rdsp:Sector) | rdsp.id])}`, "v", v)
}

const materialProjection = `m{.id, .name, .kind}`

func controlProjection(v string) string {
	return fill(`{v}{.*,
  materials: [({v})-[:CONTROLS]->(rdxm:Material) | rdxm.id],
  sources: [({v})-[:REPORTED_BY]->(rdxs:Source) | rdxs.ref]}`, "v", v)
}

// linkProjection is a SUPPLIES relationship r from supplier sv to customer cv.
func linkProjection(r, sv, cv string) string {
	return fill(`{r}{.*, supplier: {sv}.id, customer: {cv}.id}`, "r", r, "sv", sv, "cv", cv)
}
