package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/licencegraph/licencegraph/graph/loader"
	"github.com/licencegraph/licencegraph/graph/paging"
	"github.com/licencegraph/licencegraph/internal/countries"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// Small conversions shared by the resolvers (kept out of the generated
// *.resolvers.go files).

// optional is nil for an absent (empty) string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dateOrToday is the asOf rule of the API: absent means today.
func dateOrToday(d *domain.Date) domain.Date {
	if d == nil || d.IsZero() {
		return domain.Today()
	}
	return *d
}

// sourcesOf are the sources of a record's refs (parsed, no round trip).
func sourcesOf(refs []string) []*domain.Source {
	out := make([]*domain.Source, len(refs))
	for i, ref := range refs {
		s := domain.SourceOf(ref)
		out[i] = &s
	}
	return out
}

// heldKey is the licencesHeld key of a holder for the field's arguments;
// lists: whether the field selects a licence's lists.
func heldKey(holder string, status *domain.LicenceStatus, asOf *domain.Date, lists bool) domain.HeldKey {
	key := domain.HeldKey{Holder: holder, AsOf: dateOrToday(asOf), Lists: lists}
	if status != nil {
		key.Status = *status
	}
	return key
}

// coveringKey is the licencesCovering key of a client on asOf.
func coveringKey(client string, asOf *domain.Date) domain.CoveringKey {
	return domain.CoveringKey{Client: client, AsOf: dateOrToday(asOf)}
}

// countryOf reads the built-in ISO 3166-1 table that Country nodes are
// created from (migration 4), so a company's country costs no round trip.
func countryOf(code string) (*domain.Country, error) {
	c, ok := countries.Lookup(code)
	if !ok {
		return nil, domain.Wrap(domain.CodeInternal, fmt.Errorf("company country %q is not in the ISO table", code), "internal error")
	}
	return &domain.Country{Code: c.Code, Name: c.Name, Region: domain.Region(c.Region)}, nil
}

// linkPage loads one page of a company's suppliers (upstream) or customers.
func linkPage(ctx context.Context, companyID string, first *int, after *string, upstream bool) (*paging.SupplyLinkConnection, error) {
	p, err := paging.Page(first, after)
	if err != nil {
		return nil, err
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	ld := l.Customers
	if upstream {
		ld = l.Suppliers
	}
	page, err := ld.Load(ctx, domain.LinkPageKey{Company: companyID, Page: p, Reads: linkReads(ctx, upstream)})
	if err != nil {
		return nil, err
	}
	return paging.NewSupplyLinkConnection(page, upstream), nil
}

// Fields of the selection that decide what a page of links reads
// (domain.LinkReads). Company fields not listed in companyByIDFields read
// the company's properties, so a field added later is read, not missed.
var (
	linkPropertyFields = []string{"materials", "since", "until", "confidence", "sources", "reportedBy", "note"}
	companyByIDFields  = []string{"id", "__typename", "sectors", "suppliers", "customers", "licencesHeld", "licencesCovering", "clientCoverage"}
	companyPropFields  = map[string]domain.CompanyProps{"name": domain.PropName, "aliases": domain.PropAliases,
		"country": domain.PropCountry, "roles": domain.PropRoles, "lei": domain.PropLEI, "website": domain.PropWebsite,
		"note": domain.PropNote}
)

// companyProps is the set of properties the Company fields need.
func companyProps(fields []string) domain.CompanyProps {
	var props domain.CompanyProps
	for _, f := range fields {
		if p, ok := companyPropFields[f]; ok {
			props |= p
		} else if !slices.Contains(companyByIDFields, f) {
			props = domain.AllCompanyProps // a field added later: read everything
		}
	}
	return props
}

// linkReads is what the link-page field being resolved needs read.
func linkReads(ctx context.Context, upstream bool) domain.LinkReads {
	fc, oc := graphql.GetFieldContext(ctx), graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return domain.AllLinkReads
	}
	return linkReadsOf(oc, fc.Field.Selections, upstream)
}

// linkReadsOf is what a link-page field selecting sel needs read: the
// links' properties if it selects any, the other companies' properties
// and sector lists if it selects fields that read them.
func linkReadsOf(oc *graphql.OperationContext, sel ast.SelectionSet, upstream bool) domain.LinkReads {
	end := "customer"
	if upstream {
		end = "supplier"
	}
	sets := []ast.SelectionSet{sel}
	toLinks := []step{{"SupplyLinkConnection", "edges"}, {"SupplyLinkEdge", "node"}}
	linkFields := fieldNames(collectAfter(oc, sets, "SupplyLink", toLinks...))
	otherFields := fieldNames(collectAfter(oc, sets, "Company", append(toLinks, step{"SupplyLink", end})...))
	return domain.LinkReads{
		Links:   slices.ContainsFunc(linkFields, func(f string) bool { return slices.Contains(linkPropertyFields, f) }),
		Others:  companyProps(otherFields),
		Sectors: slices.Contains(otherFields, "sectors"),
	}
}

// linkEnd loads a company at one end of a supply link; the link exists, so
// a missing company is an internal error.
func linkEnd(ctx context.Context, id string) (*domain.Company, error) {
	if idOnly(ctx, "Company") {
		return &domain.Company{ID: id}, nil
	}
	l, err := loader.For(ctx)
	if err != nil {
		return nil, err
	}
	c, err := loader.One(ctx, l.Company, id)
	if err == nil && c == nil {
		err = domain.Wrap(domain.CodeInternal, fmt.Errorf("supply link end %q not found", id), "internal error")
	}
	return c, err
}

// primeCompanies lets nested fields find companies a root field has read.
func primeCompanies(ctx context.Context, cs []domain.Company) {
	if l, err := loader.For(ctx); err == nil {
		l.PrimeCompanies(cs)
	}
}

// validate checks a question (domain/questions.go) and names the field at
// fault by its GraphQL argument path: domain field names are the
// arguments' names, below the input-object argument prefix ("filter")
// when there is one.
func validate(q interface{ Validate() error }, prefix string) error {
	err := q.Validate()
	var derr *domain.Error
	if prefix == "" || !errors.As(err, &derr) || derr.Field == "" {
		return err
	}
	e := *derr
	e.Field = prefix + "." + derr.Field
	e.Message = strings.Replace(e.Message, derr.Field, e.Field, 1)
	return &e
}
