package graph

import (
	"context"
	"fmt"

	"github.com/licencegraph/licencegraph/graph/loader"
	"github.com/licencegraph/licencegraph/graph/paging"
	"github.com/licencegraph/licencegraph/internal/countries"
	"github.com/licencegraph/licencegraph/internal/domain"
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
	page, err := ld.Load(ctx, domain.LinkPageKey{Company: companyID, Page: p})
	if err != nil {
		return nil, err
	}
	return paging.NewSupplyLinkConnection(page, upstream), nil
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
