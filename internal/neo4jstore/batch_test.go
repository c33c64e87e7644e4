package neo4jstore

import (
	"context"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

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
