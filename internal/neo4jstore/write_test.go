package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// writeWorld is a fresh graph with a holder, two clients and three sectors.
func writeWorld(t *testing.T) (*Store, context.Context) {
	t.Helper()
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	testutil.ResetGraph(t, testutil.Config(t))
	for _, kr := range []struct {
		kind    domain.Kind
		records []any
	}{
		{domain.KindSector, []any{domain.Sector{ID: "s1"}, domain.Sector{ID: "s2"}, domain.Sector{ID: "s3"}}},
		{domain.KindCompany, []any{domain.Company{ID: "cn", Name: "CN", Country: "CN"}, domain.Company{ID: "de", Name: "DE", Country: "DE"}}},
	} {
		if _, err := s.WriteSeed(ctx, kr.kind, kr.records, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s, ctx
}

func TestWriteLicencesValidatesEverything(t *testing.T) {
	s, ctx := writeWorld(t)
	_, err := s.ImportLicences(ctx, []domain.Licence{
		domain.Licence{ID: "ok", Holder: "cn"}.WithDefaults(),
		{ID: "bad", Holder: "nobody", ExcludedSectors: []string{"s1", "s9"}, Status: "LOST", Type: domain.LicenceGeneral},
	})
	var invalid domain.InvalidInput
	if domain.ErrorCode(err) != domain.CodeBadUserInput || !errors.As(err, &invalid) {
		t.Fatalf("error %v", err)
	}
	var got []string
	for _, f := range invalid {
		got = append(got, fmt.Sprintf("%d %s %s", f.Index, f.Field, f.Message))
	}
	want := []string{
		`1 input[1].status "LOST" is not one of PENDING, ACTIVE, DENIED, REVOKED`,
		`1 input[1].holder unknown company "nobody"`,
		`1 input[1].excludedSectors unknown sector "s9"`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if ids, _ := s.ExistingIDs(ctx, domain.KindLicence, []string{"ok", "bad"}); len(ids) != 0 {
		t.Fatalf("written: %v", ids)
	}
	// A single grant names the field without an index.
	_, err = s.GrantLicence(ctx, domain.Licence{ID: "x", Holder: "nobody"}.WithDefaults())
	var derr *domain.Error
	if !errors.As(err, &derr) || derr.Field != "input.holder" {
		t.Fatalf("grant: %v", err)
	}
}

// Revocations and exclusion changes of one licence, run concurrently, are
// applied one after the other: none is lost.
func TestLicenceUpdatesDoNotLoseWrites(t *testing.T) {
	s, ctx := writeWorld(t)
	if _, err := s.GrantLicence(ctx, domain.Licence{ID: "L", Holder: "cn", Clients: []string{"de"}, IssuedOn: domain.MustDate("2025-01-01")}.WithDefaults()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, err := s.RevokeLicence(ctx, "L", domain.MustDate("2025-06-01"), "breach")
		errs <- err
	}()
	go func() {
		defer wg.Done()
		_, err := s.SetLicenceExclusions(ctx, "L", []string{"s2", "s1", "s2"})
		errs <- err
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Licence(ctx, "L")
	if err != nil || got == nil {
		t.Fatalf("read: %v %v", got, err)
	}
	slices.Sort(got.ExcludedSectors)
	if got.Status != domain.StatusRevoked || got.RevokedOn != domain.MustDate("2025-06-01") || got.RevocationReason != "breach" ||
		!slices.Equal(got.ExcludedSectors, []string{"s1", "s2"}) || !slices.Equal(got.Clients, []string{"de"}) || got.Holder != "cn" {
		t.Fatalf("a write was lost: %+v", got)
	}
	// Re-granting replaces everything, the revocation included.
	l, err := s.GrantLicence(ctx, domain.Licence{ID: "L", Holder: "cn"}.WithDefaults())
	if err != nil || l.Status != domain.StatusActive || l.RevocationReason != "" || len(l.ExcludedSectors) != 0 || len(l.Clients) != 0 {
		t.Fatalf("re-grant: %+v %v", l, err)
	}
}

// Writes are serialised (writeTx takes the version lock first), so
// concurrent first writes of one link, each finding no supply link in the
// graph and taking the first-load path, still leave one link, and every
// write gets its own version.
func TestConcurrentFirstWritesOfALinkLeaveOne(t *testing.T) {
	s, ctx := writeWorld(t)
	before, err := s.GraphVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			conf := float64(i+1) / 10
			_, err := s.UpsertSupplyLink(ctx, domain.SupplyLink{Supplier: "cn", Customer: "de", Confidence: &conf})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rows := testutil.Run(t, testutil.Config(t), "MATCH (:Company {id: 'cn'})-[l:SUPPLIES]->(:Company {id: 'de'}) RETURN count(l) AS n", nil)
	if n := rows[0][0]; n != int64(1) {
		t.Fatalf("%v links cn → de, want 1", n)
	}
	after, err := s.GraphVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Seq != before.Seq+writers {
		t.Fatalf("version went from %d to %d after %d writes", before.Seq, after.Seq, writers)
	}
}
