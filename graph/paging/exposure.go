package paging

import "github.com/licencegraph/licencegraph/internal/domain"

// ExposedCompanyNode is an exposed company with the question it answers,
// so its `paths` field can ask the same question about its paths.
type ExposedCompanyNode struct {
	domain.ExposedCompany
	Query domain.ExposureQuery
	// Judged: the company was judged in a what-if scenario, and Paths are
	// its paths there (as many as the query asked), for the paths field.
	Judged bool
	Paths  []domain.ExposurePath
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

// NewExposedCompanyConnection is one page of exposed companies (sorted by
// company id) out of total, more saying whether others follow.
func NewExposedCompanyConnection(page []domain.ExposedCompany, total int, more bool, q domain.ExposureQuery) *ExposedCompanyConnection {
	c := &ExposedCompanyConnection{TotalCount: total, Edges: make([]*ExposedCompanyEdge, 0, len(page))}
	for _, e := range page {
		c.Edges = append(c.Edges, &ExposedCompanyEdge{Cursor: EncodeCursor(e.CompanyID), Node: &ExposedCompanyNode{ExposedCompany: e, Query: q}})
	}
	last := ""
	if len(page) > 0 {
		last = page[len(page)-1].CompanyID
	}
	c.PageInfo = pageInfo(more, last, len(c.Edges))
	return c
}
