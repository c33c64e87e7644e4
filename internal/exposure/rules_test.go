package exposure_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Unit tests of the reference model (reference_test.go): small hand-built
// worlds pinning every rule of docs/exposure.md.

var day = domain.MustDate

// records groups hand-built domain values by kind, as seed.ReadFiles does.
func records(values ...any) map[domain.Kind][]any {
	out := map[domain.Kind][]any{}
	for _, v := range values {
		var k domain.Kind
		switch v.(type) {
		case domain.Sector:
			k = domain.KindSector
		case domain.Material:
			k = domain.KindMaterial
		case domain.ExportControl:
			k = domain.KindControl
		case domain.Company:
			k = domain.KindCompany
		case domain.SupplyLink:
			k = domain.KindSupply
		case domain.Licence:
			k = domain.KindLicence
		default:
			panic(fmt.Sprintf("records: %T", v))
		}
		out[k] = append(out[k], v)
	}
	return out
}

// baseWorld is the fixed part of the hand-built worlds:
//
//	sectors:   automotive ← automotive-components ← automotive-ev-motors; defence ← defence-aerospace
//	controls:  C-DY    Dy, Tb   effective 2025-04-04
//	           C-HO    Ho       effective 2025-11-08, suspended 2025-11-07 to 2026-11-10
//	           C-GD    Gd       effective 2025-01-01, suspended from 2025-06-01 (no end)
//	           C-NDPR  NdPr     effective 2023-12-21, lifted 2024-09-30
//	           C-SM    Sm       no effectiveFrom
//	           (Nd is controlled by nothing)
//	companies: CN1, CN2, CN3 (CN); EV (DE, automotive-ev-motors); AUTO (DE, automotive);
//	           DEF (US, defence-aerospace); F1..F5 (JP, no sectors)
func baseWorld() []any {
	v := []any{
		domain.Sector{ID: "automotive"},
		domain.Sector{ID: "automotive-components", Parent: "automotive"},
		domain.Sector{ID: "automotive-ev-motors", Parent: "automotive-components"},
		domain.Sector{ID: "defence"},
		domain.Sector{ID: "defence-aerospace", Parent: "defence"},
		domain.ExportControl{ID: "C-DY", EffectiveFrom: day("2025-04-04"), Materials: []string{"Dy", "Tb"}},
		domain.ExportControl{ID: "C-HO", EffectiveFrom: day("2025-11-08"), SuspendedFrom: day("2025-11-07"), SuspendedUntil: day("2026-11-10"), Materials: []string{"Ho"}},
		domain.ExportControl{ID: "C-GD", EffectiveFrom: day("2025-01-01"), SuspendedFrom: day("2025-06-01"), Materials: []string{"Gd"}},
		domain.ExportControl{ID: "C-NDPR", EffectiveFrom: day("2023-12-21"), LiftedOn: day("2024-09-30"), Materials: []string{"NdPr"}},
		domain.ExportControl{ID: "C-SM", AnnouncedOn: day("2025-01-01"), Materials: []string{"Sm"}},
		domain.Company{ID: "CN1", Country: "CN"},
		domain.Company{ID: "CN2", Country: "CN"},
		domain.Company{ID: "CN3", Country: "CN"},
		domain.Company{ID: "EV", Country: "DE", Sectors: []string{"automotive-ev-motors"}},
		domain.Company{ID: "AUTO", Country: "DE", Sectors: []string{"automotive"}},
		domain.Company{ID: "DEF", Country: "US", Sectors: []string{"defence-aerospace"}},
	}
	for _, m := range []string{"Dy", "Tb", "Ho", "Gd", "NdPr", "Sm", "Nd", "NdFeB"} {
		v = append(v, domain.Material{ID: m})
	}
	for i := 1; i <= 5; i++ {
		v = append(v, domain.Company{ID: fmt.Sprintf("F%d", i), Country: "JP"})
	}
	return v
}

func world(extra ...any) *refWorld {
	return newRefWorld(records(append(baseWorld(), extra...)...))
}

func link(s, c string, mats ...string) domain.SupplyLink {
	return domain.SupplyLink{Supplier: s, Customer: c, Materials: mats}
}

// lic is an ACTIVE licence held by holder for client, open validity.
func lic(id, holder, client string, mats ...string) domain.Licence {
	return domain.Licence{ID: id, Type: domain.LicenceGeneral, Status: domain.StatusActive,
		Holder: holder, Clients: []string{client}, Materials: mats}
}

func with(l domain.Licence, f func(*domain.Licence)) domain.Licence {
	f(&l)
	return l
}

func status(s domain.LicenceStatus) func(*domain.Licence) {
	return func(l *domain.Licence) { l.Status = s }
}

// ruleDate is the date of the hand-built cases unless they say otherwise.
var ruleDate = day("2025-06-15")

type hopWant struct {
	controlled, covered bool
	reason              domain.ExposureReason
	licences            []string
}

type hopCase struct {
	name      string
	extra     []any
	s, c      string // default CN1 → F1
	d         string // default ruleDate
	want      hopWant
	materials []string // checked when set
}

func (tc hopCase) ends() (s, c string, d domain.Date) {
	s, c, d = cmpOr(tc.s, "CN1"), cmpOr(tc.c, "F1"), ruleDate
	if tc.d != "" {
		d = day(tc.d)
	}
	return s, c, d
}

// hopCases pin rules 1–4 on single hops.
func hopCases() []hopCase {
	D := ruleDate
	type want = hopWant
	uncovered := func(r domain.ExposureReason, licences ...string) want {
		return want{controlled: true, reason: r, licences: licences}
	}
	covered := func(licences ...string) want { return want{controlled: true, covered: true, licences: licences} }
	notControlled := func(licences ...string) want { return want{licences: licences} }

	return []hopCase{
		// reasons
		{name: "no licence", extra: []any{link("CN1", "F1", "Dy")}, want: uncovered(domain.ReasonNoLicence)},
		{name: "licence for another client is NO_LICENCE", extra: []any{link("CN1", "F1", "Dy"), lic("L1", "CN1", "F2", "Dy")},
			want: uncovered(domain.ReasonNoLicence)},
		{name: "licence covering the client held by another company is NO_LICENCE", extra: []any{link("CN1", "F1", "Dy"), lic("L1", "CN2", "F1", "Dy")},
			want: uncovered(domain.ReasonNoLicence)},
		{name: "active licence covers", extra: []any{link("CN1", "F1", "Dy"), lic("L1", "CN1", "F1", "Dy")},
			want: covered("L1")},
		{name: "pending", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), status(domain.StatusPending))},
			want: uncovered(domain.ReasonPending, "L1")},
		{name: "denied", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), status(domain.StatusDenied))},
			want: uncovered(domain.ReasonDenied, "L1")},
		{name: "revoked status", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.Status, l.RevokedOn = domain.StatusRevoked, day("2025-05-01")
		})}, want: uncovered(domain.ReasonRevoked, "L1")},
		{name: "active with revokedOn in the past is REVOKED", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.RevokedOn = day("2025-06-01")
		})}, want: uncovered(domain.ReasonRevoked, "L1")},
		{name: "active with revokedOn today is REVOKED", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.RevokedOn = D
		})}, want: uncovered(domain.ReasonRevoked, "L1")},
		{name: "active with revokedOn tomorrow covers", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.RevokedOn = D.AddDays(1)
		})}, want: covered("L1")},
		{name: "not yet valid", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.ValidFrom = D.AddDays(1)
		})}, want: uncovered(domain.ReasonNotYetValid, "L1")},
		{name: "validFrom today covers (inclusive)", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.ValidFrom, l.ValidUntil = D, D.AddDays(10)
		})}, want: covered("L1")},
		{name: "expired", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.ValidFrom, l.ValidUntil = day("2025-01-01"), D.AddDays(-1)
		})}, want: uncovered(domain.ReasonExpired, "L1")},
		{name: "validUntil today covers (inclusive)", extra: []any{link("CN1", "F1", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) {
			l.ValidFrom, l.ValidUntil = day("2025-01-01"), D
		})}, want: covered("L1")},
		{name: "material not covered", extra: []any{link("CN1", "F1", "Dy", "Tb"), lic("L1", "CN1", "F1", "Dy")},
			want: uncovered(domain.ReasonMaterialNotCovered, "L1")},
		{name: "licence with no materials covers none", extra: []any{link("CN1", "F1", "Dy"), lic("L1", "CN1", "F1")},
			want: uncovered(domain.ReasonMaterialNotCovered, "L1")},
		{name: "sector excluded via a grandparent", extra: []any{link("CN1", "EV", "Dy"), with(lic("L1", "CN1", "EV", "Dy"), func(l *domain.Licence) {
			l.ExcludedSectors = []string{"automotive"}
		})}, c: "EV", want: uncovered(domain.ReasonSectorExcluded, "L1")},
		{name: "sector excluded exactly", extra: []any{link("CN1", "DEF", "Dy"), with(lic("L1", "CN1", "DEF", "Dy"), func(l *domain.Licence) {
			l.ExcludedSectors = []string{"defence-aerospace"}
		})}, c: "DEF", want: uncovered(domain.ReasonSectorExcluded, "L1")},
		{name: "excluding a sub-sector leaves its parent covered", extra: []any{link("CN1", "AUTO", "Dy"), with(lic("L1", "CN1", "AUTO", "Dy"), func(l *domain.Licence) {
			l.ExcludedSectors = []string{"automotive-ev-motors", "defence"}
		})}, c: "AUTO", want: covered("L1")},

		// several licences
		{name: "two licences, one material each, cover a two-material hop", extra: []any{link("CN1", "F1", "Tb", "Dy"),
			lic("L2", "CN1", "F1", "Tb"), lic("L1", "CN1", "F1", "Dy")}, want: covered("L1", "L2"), materials: []string{"Dy", "Tb"}},
		{name: "furthest licence wins: expired beats pending", extra: []any{link("CN1", "F1", "Dy"),
			with(lic("L1", "CN1", "F1", "Dy"), status(domain.StatusPending)),
			with(lic("L2", "CN1", "F1", "Dy"), func(l *domain.Licence) { l.ValidUntil = D.AddDays(-1) })},
			want: uncovered(domain.ReasonExpired, "L1", "L2")},
		{name: "furthest licence wins: sector excluded beats not yet valid", extra: []any{link("CN1", "DEF", "Dy"),
			with(lic("L1", "CN1", "DEF", "Dy"), func(l *domain.Licence) { l.ValidFrom = D.AddDays(1) }),
			with(lic("L2", "CN1", "DEF", "Dy"), func(l *domain.Licence) { l.ExcludedSectors = []string{"defence"} })},
			c: "DEF", want: uncovered(domain.ReasonSectorExcluded, "L1", "L2")},
		{name: "material test looks only at uncovered materials", extra: []any{link("CN1", "DEF", "Dy", "Tb"),
			// L1 has both materials but excludes the client's sector; L2
			// covers Dy. Tb stays uncovered: L2 fails the material test
			// (lacks Tb), L1 gets further and fails the sector test.
			with(lic("L1", "CN1", "DEF", "Dy", "Tb"), func(l *domain.Licence) { l.ExcludedSectors = []string{"defence"} }),
			lic("L2", "CN1", "DEF", "Dy")},
			c: "DEF", want: uncovered(domain.ReasonSectorExcluded, "L1", "L2")},
		{name: "covered material does not count against a licence", extra: []any{link("CN1", "F1", "Dy", "Tb"),
			// Dy covered by L1; Tb only on L2, which expired; L1 lacks Tb.
			lic("L1", "CN1", "F1", "Dy"),
			with(lic("L2", "CN1", "F1", "Tb"), func(l *domain.Licence) { l.ValidUntil = D.AddDays(-1) })},
			want: uncovered(domain.ReasonMaterialNotCovered, "L1", "L2")},
		{name: "tie at the status stage: PENDING before REVOKED", extra: []any{link("CN1", "F1", "Dy"),
			with(lic("L1", "CN1", "F1", "Dy"), func(l *domain.Licence) { l.RevokedOn = day("2025-05-01") }),
			with(lic("L2", "CN1", "F1", "Dy"), status(domain.StatusPending))},
			want: uncovered(domain.ReasonPending, "L1", "L2")},
		{name: "tie at the status stage: DENIED before REVOKED", extra: []any{link("CN1", "F1", "Dy"),
			with(lic("L1", "CN1", "F1", "Dy"), status(domain.StatusRevoked)),
			with(lic("L2", "CN1", "F1", "Dy"), status(domain.StatusDenied))},
			want: uncovered(domain.ReasonDenied, "L1", "L2")},
		{name: "licences listed even when the hop is covered by one of them", extra: []any{link("CN1", "F1", "Dy"),
			lic("L1", "CN1", "F1", "Dy"), with(lic("L0", "CN1", "F1", "Dy"), status(domain.StatusDenied)), lic("L9", "CN1", "F2", "Dy")},
			want: covered("L0", "L1")},

		// controlled materials (rule 1)
		{name: "uncontrolled material only", extra: []any{link("CN1", "F1", "Nd")}, want: notControlled()},
		{name: "uncontrolled material does not need a licence", extra: []any{link("CN1", "F1", "Nd", "Dy"), lic("L1", "CN1", "F1", "Dy")},
			want: covered("L1"), materials: []string{"Dy", "Nd"}},
		{name: "link without materials", extra: []any{link("CN1", "F1")}, want: notControlled()},
		{name: "control effective today", extra: []any{link("CN1", "F1", "Dy")}, d: "2025-04-04", want: uncovered(domain.ReasonNoLicence)},
		{name: "control effective tomorrow", extra: []any{link("CN1", "F1", "Dy")}, d: "2025-04-03", want: notControlled()},
		{name: "suspended control before it takes effect", extra: []any{link("CN1", "F1", "Ho")}, d: "2025-11-06", want: notControlled()},
		{name: "suspended control, first day of suspension", extra: []any{link("CN1", "F1", "Ho")}, d: "2025-11-07", want: notControlled()},
		{name: "suspended control, effective but suspended", extra: []any{link("CN1", "F1", "Ho")}, d: "2026-06-01", want: notControlled()},
		{name: "suspended control, last day of suspension", extra: []any{link("CN1", "F1", "Ho")}, d: "2026-11-09", want: notControlled()},
		{name: "suspended control, on suspendedUntil", extra: []any{link("CN1", "F1", "Ho")}, d: "2026-11-10", want: uncovered(domain.ReasonNoLicence)},
		{name: "open-ended suspension, day before", extra: []any{link("CN1", "F1", "Gd")}, d: "2025-05-31", want: uncovered(domain.ReasonNoLicence)},
		{name: "open-ended suspension, from its start", extra: []any{link("CN1", "F1", "Gd")}, d: "2025-06-01", want: notControlled()},
		{name: "open-ended suspension, years later", extra: []any{link("CN1", "F1", "Gd")}, d: "2030-01-01", want: notControlled()},
		{name: "lifted control, day before", extra: []any{link("CN1", "F1", "NdPr")}, d: "2024-09-29", want: uncovered(domain.ReasonNoLicence)},
		{name: "lifted control, on liftedOn", extra: []any{link("CN1", "F1", "NdPr")}, d: "2024-09-30", want: notControlled()},
		{name: "control without effectiveFrom is not in force", extra: []any{link("CN1", "F1", "Sm")}, d: "2030-01-01", want: notControlled()},

		// controlled hops (rule 2)
		{name: "CN to CN", extra: []any{link("CN1", "CN2", "Dy")}, c: "CN2", want: notControlled()},
		{name: "foreign to foreign", extra: []any{link("F1", "F2", "Dy")}, s: "F1", c: "F2", want: notControlled()},
		{name: "foreign to CN", extra: []any{link("F1", "CN1", "Dy")}, s: "F1", c: "CN1", want: notControlled()},
		{name: "not controlled still lists licences", extra: []any{link("CN1", "F1", "Nd"), with(lic("L1", "CN1", "F1", "Dy"), status(domain.StatusDenied))},
			want: notControlled("L1")},
		{name: "link since today is current", extra: []any{domain.SupplyLink{Supplier: "CN1", Customer: "F1", Materials: []string{"Dy"}, Since: D}},
			want: uncovered(domain.ReasonNoLicence)},
		{name: "link since tomorrow is not current", extra: []any{domain.SupplyLink{Supplier: "CN1", Customer: "F1", Materials: []string{"Dy"}, Since: D.AddDays(1)}},
			want: notControlled()},
		{name: "link until today has ended (exclusive)", extra: []any{domain.SupplyLink{Supplier: "CN1", Customer: "F1", Materials: []string{"Dy"}, Until: D}},
			want: notControlled()},
		{name: "link until tomorrow is current", extra: []any{domain.SupplyLink{Supplier: "CN1", Customer: "F1", Materials: []string{"Dy"}, Since: day("2020-01-01"), Until: D.AddDays(1)}},
			want: uncovered(domain.ReasonNoLicence)},
		{name: "reloaded link replaces the earlier one", extra: []any{link("CN1", "F1", "Dy"), link("CN1", "F1", "Nd")},
			want: notControlled(), materials: []string{"Nd"}},
	}
}

func TestRuleHop(t *testing.T) {
	for _, tc := range hopCases() {
		t.Run(tc.name, func(t *testing.T) {
			s, c, d := tc.ends()
			w := world(tc.extra...)
			h, ok := w.hop(s, c, d)
			if !ok {
				t.Fatalf("hop %s→%s: no link", s, c)
			}
			got := hopWant{controlled: h.Controlled, covered: h.Covered, reason: h.Reason, licences: h.Licences}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("hop %s→%s on %s = %+v, want %+v", s, c, d, got, tc.want)
			}
			if h.Supplier != s || h.Customer != c {
				t.Errorf("hop ends %s→%s, want %s→%s", h.Supplier, h.Customer, s, c)
			}
			if tc.materials != nil && !reflect.DeepEqual(h.Materials, tc.materials) {
				t.Errorf("materials %v, want %v", h.Materials, tc.materials)
			}
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestRuleHopWithoutLink(t *testing.T) {
	w := world(link("CN1", "F1", "Dy"))
	if h, ok := w.hop("F1", "CN1", day("2025-06-15")); ok {
		t.Errorf("hop F1→CN1 = %+v, want no link (links are directed)", h)
	}
	if h, ok := w.hop("CN1", "F9", day("2025-06-15")); ok {
		t.Errorf("hop CN1→F9 = %+v, want no link", h)
	}
}

// pathStrings renders paths as "A>B>C" for comparison.
func pathStrings(ps []domain.ExposurePath) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.Join(pathNodes(p), ">"))
	}
	return out
}

type exposureCase struct {
	name          string
	extra         []any
	maxDepth      int
	sector        string
	minConfidence *float64
	want          []domain.ExposedCompany
	paths         map[string][]string // company → its paths, in order
}

// exposureCases pin rule 5 on small graphs, on ruleDate.
func exposureCases() []exposureCase {
	D := ruleDate
	ended := func(l domain.SupplyLink) domain.SupplyLink { l.Until = D; return l }
	return append([]exposureCase{
		{
			name:     "direct uncovered hop",
			extra:    []any{link("CN1", "F1", "Dy")},
			maxDepth: 4,
			want:     []domain.ExposedCompany{{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}}},
			paths:    map[string][]string{"F1": {"CN1>F1"}, "CN1": nil},
		},
		{
			name:     "covered, uncontrolled and ended hops expose nobody",
			extra:    []any{link("CN1", "F1", "Dy"), lic("L1", "CN1", "F1", "Dy"), link("CN1", "F2", "Nd"), ended(link("CN1", "F3", "Dy")), link("F1", "F4", "NdFeB")},
			maxDepth: 4,
			want:     nil,
		},
		{
			name: "cycle A→B→A gives simple paths only",
			// CN1→F1 uncovered; F1→F2 and F2→F1; F2→CN1 back to the source.
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "F2", "Dy"), link("F2", "F1", "Dy"), link("F2", "CN1", "Dy")},
			maxDepth: 4,
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
			},
			paths: map[string][]string{"F1": {"CN1>F1"}, "F2": {"CN1>F1>F2"}, "CN1": nil},
		},
		{
			name: "depth bound",
			// a chain CN1→F1→F2→F3→F4→F5
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "F2"), link("F2", "F3"), link("F3", "F4"), link("F4", "F5")},
			maxDepth: 3,
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F3", MinDepth: 3, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
			},
			paths: map[string][]string{"F3": {"CN1>F1>F2>F3"}, "F4": nil},
		},
		{
			name:     "depth 1 keeps only the direct customers",
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "F2"), link("F2", "F3")},
			maxDepth: 1,
			want:     []domain.ExposedCompany{{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}}},
			paths:    map[string][]string{"F2": nil},
		},
		{
			name: "diamond: pathCount, minDepth and uncoveredSuppliers",
			// CN1→F1 (uncovered) then F1→F2→F4 and F1→F3→F4; CN2→F4 uncovered
			// too; CN3→F1 covered starts no path.
			extra: []any{link("CN1", "F1", "Dy"), link("F1", "F2"), link("F1", "F3"), link("F2", "F4"), link("F3", "F4"),
				link("CN2", "F4", "Tb"), link("CN3", "F1", "Dy"), lic("L3", "CN3", "F1", "Dy")},
			maxDepth: 4,
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F3", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F4", MinDepth: 1, PathCount: 3, UncoveredSuppliers: []string{"CN1", "CN2"}},
			},
			paths: map[string][]string{"F4": {"CN2>F4", "CN1>F1>F2>F4", "CN1>F1>F3>F4"}},
		},
		{
			name: "first hop must be the uncovered one",
			// CN1→CN2 is not controlled (CN to CN); CN2→F1 is uncovered.
			// CN1→CN2→F1 is no exposure path; CN2→F1 is.
			extra:    []any{link("CN1", "CN2", "Dy"), link("CN2", "F1", "Dy")},
			maxDepth: 4,
			want:     []domain.ExposedCompany{{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN2"}}},
			paths:    map[string][]string{"F1": {"CN2>F1"}},
		},
		{
			name: "later hops may be anything, and a later uncovered hop starts its own path",
			// CN1→F1 uncovered, F1→CN2 (foreign to CN), CN2→F2 uncovered.
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "CN2", "Nd"), link("CN2", "F2", "Dy")},
			maxDepth: 4,
			want: []domain.ExposedCompany{
				{CompanyID: "CN2", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F2", MinDepth: 1, PathCount: 2, UncoveredSuppliers: []string{"CN1", "CN2"}},
			},
			paths: map[string][]string{"F2": {"CN2>F2", "CN1>F1>CN2>F2"}},
		},
		{
			name:     "a link that is not current breaks the path",
			extra:    []any{link("CN1", "F1", "Dy"), ended(link("F1", "F2")), link("F1", "F3"), link("F3", "F2")},
			maxDepth: 4,
			want: []domain.ExposedCompany{
				{CompanyID: "F1", MinDepth: 1, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F2", MinDepth: 3, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "F3", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
			},
			paths: map[string][]string{"F2": {"CN1>F1>F3>F2"}},
		},
		{
			name:     "sector filter keeps companies in the sector or below it",
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "EV"), link("F1", "AUTO"), link("F1", "DEF")},
			maxDepth: 4,
			sector:   "automotive",
			want: []domain.ExposedCompany{
				{CompanyID: "AUTO", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
				{CompanyID: "EV", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}},
			},
		},
		{
			name:     "sector filter on a sub-sector",
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "EV"), link("F1", "AUTO"), link("F1", "DEF")},
			maxDepth: 4,
			sector:   "automotive-components",
			want:     []domain.ExposedCompany{{CompanyID: "EV", MinDepth: 2, PathCount: 1, UncoveredSuppliers: []string{"CN1"}}},
		},
		{
			name:     "sector filter with no exposed company",
			extra:    []any{link("CN1", "F1", "Dy"), link("F1", "EV")},
			maxDepth: 4,
			sector:   "defence",
			want:     nil,
		},
	}, confidenceCases()...)
}

func TestRuleExposure(t *testing.T) {
	for _, tc := range exposureCases() {
		t.Run(tc.name, func(t *testing.T) {
			w := world(tc.extra...)
			q := domain.ExposureQuery{AsOf: ruleDate, MaxDepth: tc.maxDepth, Sector: tc.sector, MinConfidence: tc.minConfidence}
			if got := w.exposed(q); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("exposed = %+v\nwant      %+v", got, tc.want)
			}
			for company, want := range tc.paths {
				if got := pathStrings(w.paths(company, q)); !reflect.DeepEqual(got, want) {
					t.Errorf("paths of %s = %q, want %q", company, got, want)
				}
			}
		})
	}
}

// TestRulePathHops checks that every hop of a path is fully classified:
// the first is uncovered, later ones carry their own judgement.
func TestRulePathHops(t *testing.T) {
	D := day("2025-06-15")
	w := world(link("CN1", "F1", "Tb", "Dy"), with(lic("L1", "CN1", "F1", "Dy"), status(domain.StatusPending)),
		link("F1", "CN2", "NdFeB"), link("CN2", "F2", "Dy"), lic("L2", "CN2", "F2", "Dy"))
	got := w.paths("F2", domain.ExposureQuery{AsOf: D, MaxDepth: 4})
	want := []domain.ExposurePath{{Hops: []domain.SupplyHop{
		{Supplier: "CN1", Customer: "F1", Materials: []string{"Dy", "Tb"}, ControlledMaterials: []string{"Dy", "Tb"}, Controlled: true, Reason: domain.ReasonPending, Licences: []string{"L1"}},
		{Supplier: "F1", Customer: "CN2", Materials: []string{"NdFeB"}},
		{Supplier: "CN2", Customer: "F2", Materials: []string{"Dy"}, ControlledMaterials: []string{"Dy"}, Controlled: true, Covered: true, Licences: []string{"L2"}},
	}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths of F2 = %+v\nwant %+v", got, want)
	}
	if got[0].Depth() != 3 {
		t.Errorf("depth %d, want 3", got[0].Depth())
	}
}
