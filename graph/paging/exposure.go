package paging

import (
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// ExposedCompanyNode is an exposed company with the question it answers,
// so its `paths` field can ask the same question about its paths.
type ExposedCompanyNode struct {
	domain.ExposedCompany
	Query domain.ExposureQuery
}

// ExposedCompanyEdge is one exposed company of a page.
type ExposedCompanyEdge struct {
	Cursor string
	Node   *ExposedCompanyNode
}

// ExposedCompanyConnection is a page of exposed companies.
type ExposedCompanyConnection struct {
	Edges      []*ExposedCompanyEdge
	PageInfo   *PageInfo
	TotalCount int
}

// NewExposedCompanyConnection pages all (sorted by company id) after the
// cursor key of p.
func NewExposedCompanyConnection(all []domain.ExposedCompany, q domain.ExposureQuery, p domain.Page) *ExposedCompanyConnection {
	start := 0
	if p.After != "" {
		start, _ = slices.BinarySearchFunc(all, p.After, func(e domain.ExposedCompany, id string) int {
			return strings.Compare(e.CompanyID, id)
		})
		if start < len(all) && all[start].CompanyID == p.After {
			start++
		}
	}
	end := min(start+p.First, len(all))
	c := &ExposedCompanyConnection{TotalCount: len(all)}
	for _, e := range all[start:end] {
		c.Edges = append(c.Edges, &ExposedCompanyEdge{Cursor: EncodeCursor(e.CompanyID), Node: &ExposedCompanyNode{ExposedCompany: e, Query: q}})
	}
	last := ""
	if len(c.Edges) > 0 {
		last = c.Edges[len(c.Edges)-1].Node.CompanyID
	}
	c.PageInfo = pageInfo(end < len(all), last, len(c.Edges))
	return c
}
