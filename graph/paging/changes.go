package paging

import "github.com/licencegraph/licencegraph/internal/domain"

// ChangeEdge is one audit-trail entry of a page.
type ChangeEdge struct {
	Cursor string
	Node   *domain.Change
}

// ChangeConnection is a page of the audit trail, newest first.
type ChangeConnection struct {
	Edges      []*ChangeEdge
	PageInfo   *PageInfo
	TotalCount int
}

// NewChangeConnection builds a page of changes.
func NewChangeConnection(changes []domain.Change, more bool, total int) *ChangeConnection {
	c := &ChangeConnection{TotalCount: total}
	last := ""
	for i := range changes {
		last = changes[i].CursorKey()
		c.Edges = append(c.Edges, &ChangeEdge{Cursor: EncodeCursor(last), Node: &changes[i]})
	}
	c.PageInfo = pageInfo(more, last, len(c.Edges))
	return c
}
