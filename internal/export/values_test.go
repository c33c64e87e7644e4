package export

import (
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
)

// Every column of the seed format's table is written: a record with all
// its fields set gives a value for each column of its kind, and nothing
// else. A column added to the table without a line in values fails here.
func TestValuesWriteEveryColumn(t *testing.T) {
	d, _ := domain.ParseDate("2025-01-02")
	f := 0.5
	full := []any{
		domain.Sector{ID: "s", Name: "n", Parent: "p"},
		domain.Material{ID: "m", Name: "n", Kind: domain.MaterialElement},
		domain.ExportControl{ID: "x", Title: "t", Authority: "a", AnnouncedOn: d, EffectiveFrom: d,
			SuspendedFrom: d, SuspendedUntil: d, LiftedOn: d, Materials: []string{"m"}, Sources: []string{"https://e.org"}, Note: "n"},
		domain.Company{ID: "c", Name: "n", Aliases: []string{"a"}, Country: "CN", Roles: []domain.Role{domain.RoleOEM},
			Sectors: []string{"s"}, LEI: "l", Website: "w", Note: "n"},
		domain.SupplyLink{Supplier: "a", Customer: "b", Materials: []string{"m"}, Since: d, Until: d, Confidence: &f,
			Sources: []string{"https://e.org"}, Note: "n"},
		domain.Licence{ID: "l", Type: domain.LicenceGeneral, Status: domain.StatusActive, Holder: "h", Clients: []string{"c"},
			Materials: []string{"m"}, ExcludedSectors: []string{"s"}, IssuedOn: d, ValidFrom: d, ValidUntil: d, RevokedOn: d,
			RevocationReason: "r", Reference: "r", Sources: []string{"https://e.org"}, Controls: []string{"x"}, Confidence: &f, Note: "n"},
	}
	for _, r := range full {
		kind, vals := values(r)
		cols := seed.ColumnsOf(kind)
		for _, c := range cols.Columns {
			if len(vals[c.Name]) == 0 {
				t.Errorf("%s: column %s is not written", kind, c.Name)
			}
		}
		for name := range vals {
			if _, ok := cols.Lookup(name); !ok {
				t.Errorf("%s: %s is not a column of the format", kind, name)
			}
		}
	}
}

func TestValidLEI(t *testing.T) {
	for lei, want := range map[string]bool{
		"5493001KJTIIGC8Y1R12": true,  // Bloomberg Finance L.P.
		"529900EXAMPLE0000042": false, // the seed format's example: form only
		"5493001KJTIIGC8Y1R1":  false,
		"5493001KJTIIGC8Y1R13": false,
	} {
		if got := validLEI(lei); got != want {
			t.Errorf("validLEI(%q) = %v, want %v", lei, got, want)
		}
	}
}
