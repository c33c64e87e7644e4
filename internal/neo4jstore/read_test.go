package neo4jstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

func TestFulltextQueryEscapesLuceneSyntax(t *testing.T) {
	tests := []struct{ text, want string }{
		{"JL Mag", `"JL Mag" OR (jl* AND mag*)`},
		{"  金力永磁 ", `"金力永磁" OR (金力永磁*)`},
		{`a:b (c)`, `"a\:b \(c\)" OR (a\:b* AND \(c\)*)`},
		{`x" OR *`, `"x\" OR \*" OR (x\"* AND or* AND \**)`},
		{`\ / ~ ^ [ ] { } ! ? + - && ||`, `"\\ \/ \~ \^ \[ \] \{ \} \! \? \+ \- \&\& \|\|" OR (\\* AND \/* AND \~* AND \^* AND \[* AND \]* AND \{* AND \}* AND \!* AND \?* AND \+* AND \-* AND \&\&* AND \|\|*)`},
		{"   ", ""},
	}
	for _, tc := range tests {
		if got := fulltextQuery(tc.text); got != tc.want {
			t.Errorf("fulltextQuery(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}

// migratedEmptyStore returns a store on a migrated graph holding only the
// countries.
func migratedEmptyStore(t *testing.T) *Store {
	t.Helper()
	s := openTestStore(t)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	write(t, s, "MATCH (n) WHERE NOT n:Country AND NOT n:Migration DETACH DELETE n", nil)
	return s
}

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
	g, err := s.SupplyChain(ctx, "hub", domain.Downstream, 1)
	if err != nil || len(g.Nodes) != 13 || len(g.Links) != 12 {
		t.Fatalf("depth 1 under the cap: %d nodes, %d links, %v", len(g.Nodes), len(g.Links), err)
	}
	_, err = s.SupplyChain(ctx, "hub", domain.Downstream, 2)
	if domain.ErrorCode(err) != domain.CodeBadUserInput {
		t.Fatalf("depth 2 (25 companies, cap 20): err = %v, want BAD_USER_INPUT", err)
	}
	g, err = s.SupplyChain(ctx, "d3", domain.Upstream, 6)
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

// Batch reads answer every key, also keys with nothing to show, so the
// dataloaders never report "not found" for a relation.
func TestBatchReadsAnswerEveryKey(t *testing.T) {
	s := migratedEmptyStore(t)
	ctx := context.Background()
	write(t, s, `
		CREATE (a:Company {id: 'a', name: 'A', country: 'CN'}), (b:Company {id: 'b', name: 'B', country: 'DE'})
		CREATE (a)-[:SUPPLIES {materials: ['Dy'], since: date('2024-01-01')}]->(b)
		CREATE (a)-[:HOLDS]->(:Licence {id: 'l1', status: 'ACTIVE', type: 'GENERAL'})-[:COVERS]->(b)`, nil)
	p := domain.Page{First: 10}
	all := domain.AllLinkReads
	keys := []domain.LinkPageKey{{Company: "a", Page: p, Reads: all}, {Company: "b", Page: p, Reads: all}, {Company: "nope", Page: p, Reads: all}}
	sup, err := s.SupplierPages(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(sup) != 3 || len(sup[keys[0]].Links) != 0 || sup[keys[1]].Total != 1 || sup[keys[1]].Links[0].Supplier != "a" ||
		sup[keys[1]].Others[0].ID != "a" || sup[keys[1]].Links[0].Since != domain.MustDate("2024-01-01") ||
		sup[keys[1]].Links[0].SupplierRead == nil || sup[keys[1]].Links[0].SupplierRead.Name != "A" {
		t.Errorf("SupplierPages = %+v", sup)
	}
	// Reads decide what is projected beyond ids (one batch, two statements).
	for _, tc := range []struct {
		reads       domain.LinkReads
		since, name bool
	}{
		{domain.LinkReads{}, false, false},
		{domain.LinkReads{Links: true}, true, false},
		{domain.LinkReads{Others: domain.PropName | domain.PropCountry}, false, true},
		{domain.LinkReads{Others: domain.PropRoles}, false, false},
		{all, true, true},
	} {
		lean := domain.LinkPageKey{Company: "b", Page: p, Reads: tc.reads}
		got, err := s.SupplierPages(ctx, []domain.LinkPageKey{lean, {Company: "a", Page: p}})
		if err != nil {
			t.Fatal(err)
		}
		page := got[lean]
		if len(page.Links) != 1 || page.Links[0].Supplier != "a" || page.Links[0].Customer != "b" || page.Total != 1 ||
			page.Links[0].SupplierRead == nil || page.Links[0].SupplierRead.ID != "a" {
			t.Fatalf("reads %+v: page %+v", tc.reads, page)
		}
		link, other := page.Links[0], page.Links[0].SupplierRead
		if (link.Since != domain.Date{}) != tc.since || (other.Name != "") != tc.name || (other.Country != "") != tc.name {
			t.Errorf("reads %+v: link %+v, supplier %+v", tc.reads, link, other)
		}
	}
	// A customer page reads its customers: the supplier end is the owner,
	// left to the loader (a self-supplying company too).
	cust, err := s.CustomerPages(ctx, []domain.LinkPageKey{{Company: "a", Page: p}})
	if got := cust[domain.LinkPageKey{Company: "a", Page: p}]; err != nil || len(got.Links) != 1 ||
		got.Links[0].SupplierRead != nil || got.Links[0].CustomerRead == nil || got.Links[0].CustomerRead.ID != "b" {
		t.Errorf("CustomerPages = %+v, %v", got, err)
	}
	today := domain.Today()
	held, err := s.LicencesHeld(ctx, []domain.HeldKey{{Holder: "a", AsOf: today}, {Holder: "b", AsOf: today}})
	if err != nil || len(held) != 2 || len(held[domain.HeldKey{Holder: "a", AsOf: today}]) != 1 {
		t.Errorf("LicencesHeld = %+v, %v", held, err)
	}
	clients, err := s.LicenceClients(ctx, []string{"l1", "nope"})
	if err != nil || len(clients) != 2 || len(clients["l1"]) != 1 || clients["l1"][0].ID != "b" || clients["nope"] == nil {
		t.Errorf("LicenceClients = %+v, %v", clients, err)
	}
	companies, err := s.CompaniesByIDs(ctx, []string{"a", "nope"})
	if err != nil || len(companies) != 1 || companies["a"].Name != "A" {
		t.Errorf("CompaniesByIDs = %+v, %v", companies, err)
	}
}
