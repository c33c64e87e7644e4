package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Supply links: pages of a company's suppliers or customers, and walks
// along them (supplyChain).

// linkPageCypher pages one side of many companies' links at once; the
// other company's id orders the page (one link per ordered pair). What it
// projects beyond ids follows the key's LinkReads, passed as parameters
// ($links, $sectors, and $name, $aliases, … per company property): one
// statement, and Neo4j reads a property or a sector list only when asked.
func linkPageCypher(pattern, degree, otherVar, supplierVar, customerVar string) string {
	return `
UNWIND $ids AS id
MATCH (c:Company {id: id})
CALL (c) {
  MATCH ` + pattern + `
  WHERE $after IS NULL OR ` + otherVar + `.id > $after
  WITH r, ` + otherVar + ` ORDER BY ` + otherVar + `.id LIMIT $limit
  RETURN collect(CASE WHEN $links THEN ` + linkProjection("r", supplierVar, customerVar) + `
                 ELSE {supplier: ` + supplierVar + `.id, customer: ` + customerVar + `.id} END) AS links,
         collect(CASE WHEN $sectors THEN ` + companyProjection(otherVar) + `
                 ELSE ` + companyPropsProjection(otherVar) + ` END) AS others
}
RETURN id, links, others, COUNT { ` + degree + ` } AS total`
}

var (
	// total counts the links without looking at their other ends (only
	// companies supply companies), which Neo4j reads from the node's degree.
	supplierPageCypher = linkPageCypher("(c)<-[r:SUPPLIES]-(o:Company)", "(c)<-[:SUPPLIES]-()", "o", "o", "c")
	customerPageCypher = linkPageCypher("(c)-[r:SUPPLIES]->(o:Company)", "(c)-[:SUPPLIES]->()", "o", "c", "o")
)

// SupplierPages returns a page of each company's suppliers, by supplier id.
func (s *Store) SupplierPages(ctx context.Context, keys []domain.LinkPageKey) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
	return s.linkPages(ctx, supplierPageCypher, keys, true)
}

// CustomerPages returns a page of each company's customers, by customer id.
func (s *Store) CustomerPages(ctx context.Context, keys []domain.LinkPageKey) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
	return s.linkPages(ctx, customerPageCypher, keys, false)
}

// linkPageGroup is the keys one statement answers: the same page asked
// with the same reads (normally every company of a list asks the same).
type linkPageGroup struct {
	page  domain.Page
	reads domain.LinkReads
}

// linkPages runs one statement per distinct page request and reads;
// upstream: the other companies are the links' suppliers.
func (s *Store) linkPages(ctx context.Context, cypher string, keys []domain.LinkPageKey, upstream bool) (map[domain.LinkPageKey]domain.SupplyLinkPage, error) {
	groups := map[linkPageGroup][]string{}
	var order []linkPageGroup
	for _, k := range keys {
		g := linkPageGroup{k.Page, k.Reads}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], k.Company)
	}
	out := make(map[domain.LinkPageKey]domain.SupplyLinkPage, len(keys))
	for _, k := range keys {
		out[k] = domain.SupplyLinkPage{Links: []domain.SupplyLink{}}
	}
	for _, g := range order {
		p := g.page
		params := map[string]any{"ids": groups[g], "after": nullable(p.After), "limit": p.First + 1,
			"links": g.reads.Links, "sectors": g.reads.Sectors}
		for _, cp := range companyPropParams {
			params[cp.name] = g.reads.Others.Has(cp.prop)
		}
		res, err := s.read(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		for _, r := range res.Records {
			links, more, _ := trimPage(mapList(r, "links", toLink), p.First)
			others, _, _ := trimPage(mapList(r, "others", toCompany), p.First)
			company := recordString(r, "id")
			for i := range min(len(links), len(others)) {
				if upstream {
					links[i].SupplierRead = &others[i]
				} else {
					links[i].CustomerRead = &others[i]
				}
			}
			key := domain.LinkPageKey{Company: company, Page: p, Reads: g.reads}
			out[key] = domain.SupplyLinkPage{Links: links, HasNext: more, Total: recordInt(r, "total"), Others: others}
		}
	}
	return out, nil
}

var (
	upstreamStepCypher = `
UNWIND $ids AS id
MATCH (c:Company {id: id})<-[r:SUPPLIES]-(o:Company)
RETURN ` + linkProjection("r", "o", "c") + ` AS link, ` + companyProjection("o") + ` AS other`
	downstreamStepCypher = `
UNWIND $ids AS id
MATCH (c:Company {id: id})-[r:SUPPLIES]->(o:Company)
RETURN ` + linkProjection("r", "c", "o") + ` AS link, ` + companyProjection("o") + ` AS other`
)

// supplyChainNodeCap is domain.MaxSupplyChainNodes; tests lower it.
var supplyChainNodeCap = domain.MaxSupplyChainNodes

// SupplyChain walks SUPPLIES links from a company, breadth first, up to
// maxDepth hops: to suppliers (UPSTREAM) or customers (DOWNSTREAM). Nodes
// are the companies reached (the start first, then by distance and id);
// links are every link walked, each once. More than
// domain.MaxSupplyChainNodes companies is BAD_USER_INPUT.
func (s *Store) SupplyChain(ctx context.Context, q domain.SupplyChainQuery) (domain.SupplyGraph, error) {
	step := downstreamStepCypher
	if q.Direction == domain.Upstream {
		step = upstreamStepCypher
	}
	start, err := s.Company(ctx, q.CompanyID)
	if err != nil {
		return domain.SupplyGraph{}, err
	}
	if start == nil {
		return domain.SupplyGraph{}, &domain.Error{Code: domain.CodeNotFound, Field: "companyId",
			Message: fmt.Sprintf("no company %q", q.CompanyID)}
	}
	g := domain.SupplyGraph{Nodes: []domain.Company{*start}, Links: []domain.SupplyLink{}}
	seen := map[string]bool{start.ID: true}
	frontier := []string{start.ID}
	for depth := 1; depth <= q.MaxDepth && len(frontier) > 0; depth++ {
		res, err := s.read(ctx, step, map[string]any{"ids": frontier})
		if err != nil {
			return domain.SupplyGraph{}, err
		}
		var next []domain.Company
		for _, r := range res.Records {
			g.Links = append(g.Links, toLink(recordMap(r, "link")))
			o := toCompany(recordMap(r, "other"))
			if !seen[o.ID] {
				seen[o.ID] = true
				next = append(next, o)
			}
		}
		if len(g.Nodes)+len(next) > supplyChainNodeCap {
			return domain.SupplyGraph{}, &domain.Error{Code: domain.CodeBadUserInput, Field: "maxDepth",
				Message: fmt.Sprintf("the supply chain within %d hops holds more than %d companies; lower maxDepth", depth, supplyChainNodeCap)}
		}
		slices.SortFunc(next, func(a, b domain.Company) int { return strings.Compare(a.ID, b.ID) })
		frontier = frontier[:0]
		for _, c := range next {
			g.Nodes = append(g.Nodes, c)
			frontier = append(frontier, c.ID)
		}
	}
	slices.SortFunc(g.Links, func(a, b domain.SupplyLink) int {
		return cmpPair(a.Supplier, a.Customer, b.Supplier, b.Customer)
	})
	return g, nil
}

func cmpPair(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}
