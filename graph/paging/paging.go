// Package paging holds the Relay connection types of the GraphQL API and
// the rules shared by every connection: page size limits and opaque
// cursors.
package paging

import (
	"context"
	"encoding/base64"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// PageInfo says where a page ends and whether another follows.
type PageInfo struct {
	HasNextPage bool
	EndCursor   *string
}

// Page converts the first/after arguments of a connection field: first
// defaults to domain.DefaultPageSize (domain.Page.Validate bounds it);
// after is a cursor from a previous page. Errors are BAD_USER_INPUT naming
// the argument.
func Page(first *int, after *string) (domain.Page, error) {
	p := domain.Page{First: Limit(first)}
	if err := p.Validate(); err != nil {
		return domain.Page{}, err
	}
	if after != nil && *after != "" {
		key, err := DecodeCursor(*after)
		if err != nil {
			return domain.Page{}, err
		}
		p.After = key
	}
	return p, nil
}

// Limit is a `first` argument, domain.DefaultPageSize when absent.
func Limit(first *int) int {
	if first == nil {
		return domain.DefaultPageSize
	}
	return *first
}

// EncodeCursor makes the opaque cursor of the item with key.
func EncodeCursor(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// DecodeCursor returns the key of a cursor made by EncodeCursor.
func DecodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 {
		return "", &domain.Error{Code: domain.CodeBadUserInput, Field: "after", Message: "after is not a cursor from this API"}
	}
	return string(b), nil
}

func pageInfo(more bool, last string, n int) *PageInfo {
	pi := &PageInfo{HasNextPage: more}
	if n > 0 {
		c := EncodeCursor(last)
		pi.EndCursor = &c
	}
	return pi
}

// CountFunc computes a connection's totalCount when (and only when) it is
// asked for.
type CountFunc func(ctx context.Context) (int, error)

// CompanyEdge is one company of a page.
type CompanyEdge struct {
	Cursor string
	Node   *domain.Company
}

// CompanyConnection is a page of companies.
type CompanyConnection struct {
	Edges    []*CompanyEdge
	PageInfo *PageInfo
	count    CountFunc
}

// NewCompanyConnection builds a page of companies keyed by id.
func NewCompanyConnection(items []domain.Company, more bool, count CountFunc) *CompanyConnection {
	c := &CompanyConnection{Edges: make([]*CompanyEdge, len(items)), count: count}
	last := ""
	for i := range items {
		c.Edges[i] = &CompanyEdge{Cursor: EncodeCursor(items[i].ID), Node: &items[i]}
		last = items[i].ID
	}
	c.PageInfo = pageInfo(more, last, len(items))
	return c
}

// TotalCount runs the count query.
func (c *CompanyConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// LicenceEdge is one licence of a page.
type LicenceEdge struct {
	Cursor string
	Node   *domain.Licence
}

// LicenceConnection is a page of licences.
type LicenceConnection struct {
	Edges    []*LicenceEdge
	PageInfo *PageInfo
	count    CountFunc
}

// NewLicenceConnection builds a page of licences keyed by id.
func NewLicenceConnection(items []domain.Licence, more bool, count CountFunc) *LicenceConnection {
	c := &LicenceConnection{Edges: make([]*LicenceEdge, len(items)), count: count}
	last := ""
	for i := range items {
		c.Edges[i] = &LicenceEdge{Cursor: EncodeCursor(items[i].ID), Node: &items[i]}
		last = items[i].ID
	}
	c.PageInfo = pageInfo(more, last, len(items))
	return c
}

// TotalCount runs the count query.
func (c *LicenceConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// SupplyLinkEdge is one link of a page.
type SupplyLinkEdge struct {
	Cursor string
	Node   *domain.SupplyLink
}

// SupplyLinkConnection is a page of one company's suppliers or customers.
type SupplyLinkConnection struct {
	Edges      []*SupplyLinkEdge
	PageInfo   *PageInfo
	TotalCount int
}

// NewSupplyLinkConnection builds a page of links keyed by the other
// company's id: the supplier's when upstream, the customer's otherwise.
func NewSupplyLinkConnection(p domain.SupplyLinkPage, upstream bool) *SupplyLinkConnection {
	c := &SupplyLinkConnection{Edges: make([]*SupplyLinkEdge, len(p.Links)), TotalCount: p.Total}
	last := ""
	for i := range p.Links {
		key := p.Links[i].Customer
		if upstream {
			key = p.Links[i].Supplier
		}
		c.Edges[i] = &SupplyLinkEdge{Cursor: EncodeCursor(key), Node: &p.Links[i]}
		last = key
	}
	c.PageInfo = pageInfo(p.HasNext, last, len(p.Links))
	return c
}
