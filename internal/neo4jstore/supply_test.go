package neo4jstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

func TestSupplyChainNodeCap(t *testing.T) {
	s := migratedEmptyStore(t)
	ctx := context.Background()
	// hub supplies 12 companies, each of which supplies one more.
	write(t, s, `
		CREATE (hub:Company {id: 'hub', name: 'Hub', country: 'CN'})
		WITH hub UNWIND range(1, 12) AS i
		CREATE (c:Company {id: 'c' + i, name: 'C' + i, country: 'DE'})
		CREATE (d:Company {id: 'd' + i, name: 'D' + i, country: 'FR'})
		CREATE (hub)-[:SUPPLIES {materials: ['Dy']}]->(c)-[:SUPPLIES]->(d)`, nil)

	defer func(old int) { supplyChainNodeCap = old }(supplyChainNodeCap)
	supplyChainNodeCap = 20
	g, err := s.SupplyChain(ctx, domain.SupplyChainQuery{CompanyID: "hub", Direction: domain.Downstream, MaxDepth: 1})
	if err != nil || len(g.Nodes) != 13 || len(g.Links) != 12 {
		t.Fatalf("depth 1 under the cap: %d nodes, %d links, %v", len(g.Nodes), len(g.Links), err)
	}
	_, err = s.SupplyChain(ctx, domain.SupplyChainQuery{CompanyID: "hub", Direction: domain.Downstream, MaxDepth: 2})
	if domain.ErrorCode(err) != domain.CodeBadUserInput {
		t.Fatalf("depth 2 (25 companies, cap 20): err = %v, want BAD_USER_INPUT", err)
	}
	g, err = s.SupplyChain(ctx, domain.SupplyChainQuery{CompanyID: "d3", Direction: domain.Upstream, MaxDepth: 6})
	if err != nil || fmt.Sprint(companyIDsOf(g.Nodes)) != "[d3 c3 hub]" || len(g.Links) != 2 {
		t.Fatalf("upstream from d3: %v %v %v", companyIDsOf(g.Nodes), g.Links, err)
	}
}

func companyIDsOf(cs []domain.Company) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
