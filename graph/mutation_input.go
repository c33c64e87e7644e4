package graph

import (
	"fmt"
	"strings"

	"github.com/licencegraph/licencegraph/graph/model"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// Conversions of mutation inputs to domain records, read the way the seed
// loader reads a file's row: lists without repeats, codes upper-cased,
// licence defaults filled. Validation is the records' own (Validate), run
// by the write service.

// maxImport bounds importLicences' list; larger loads belong to `seed`.
const maxImport = 5000

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func companyFromInput(in model.CompanyInput) domain.Company {
	c := domain.Company{
		ID: in.ID, Name: in.Name, Aliases: domain.Dedupe(in.Aliases),
		Country: strings.ToUpper(in.Country), Sectors: domain.Dedupe(in.Sectors),
		LEI: strings.ToUpper(deref(in.Lei)), Website: deref(in.Website), Note: deref(in.Note),
	}
	for _, r := range in.Roles {
		if !containsRole(c.Roles, r) {
			c.Roles = append(c.Roles, r)
		}
	}
	return c
}

func containsRole(rs []domain.Role, r domain.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func supplyLinkFromInput(in model.SupplyLinkInput) domain.SupplyLink {
	return domain.SupplyLink{
		Supplier: in.Supplier, Customer: in.Customer, Materials: domain.Dedupe(in.Materials),
		Since: deref(in.Since), Until: deref(in.Until), Confidence: in.Confidence,
		Sources: domain.Dedupe(in.Sources), Note: deref(in.Note),
	}
}

func licenceFromInput(in model.LicenceInput) domain.Licence {
	return domain.Licence{
		ID: in.ID, Type: deref(in.Type), Status: deref(in.Status), Holder: deref(in.Holder),
		Clients: domain.Dedupe(in.Clients), Materials: domain.Dedupe(in.Materials),
		ExcludedSectors: domain.Dedupe(in.ExcludedSectors),
		IssuedOn:        deref(in.IssuedOn), ValidFrom: deref(in.ValidFrom), ValidUntil: deref(in.ValidUntil),
		RevokedOn: deref(in.RevokedOn), RevocationReason: deref(in.RevocationReason),
		Reference: deref(in.Reference), Sources: domain.Dedupe(in.Sources), Controls: domain.Dedupe(in.Controls),
		Confidence: in.Confidence, Note: deref(in.Note),
	}.WithDefaults()
}

// licencesFromInput converts importLicences' list (nil items, which
// GraphQL's non-null list items rule out, are reported, not dereferenced).
func licencesFromInput(in []*model.LicenceInput) ([]domain.Licence, error) {
	if len(in) > maxImport {
		return nil, &domain.Error{Code: domain.CodeBadUserInput, Field: "input",
			Message: fmt.Sprintf("input: %d licences; importLicences takes at most %d (use `licencegraph seed` for more)", len(in), maxImport)}
	}
	out := make([]domain.Licence, len(in))
	var invalid domain.InvalidInput
	for i, l := range in {
		if l == nil {
			invalid = append(invalid, domain.InvalidField{Index: i, Field: domain.Path("input", i, ""), Message: "is null"})
			continue
		}
		out[i] = licenceFromInput(*l)
	}
	if err := invalid.AsError(); err != nil {
		return nil, err
	}
	return out, nil
}
