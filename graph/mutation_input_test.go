package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/graph/model"
	"github.com/licencegraph/licencegraph/graph/scalar"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// prepareImport is importLicences without the database: the resolver's
// conversion, then the write service's checks that need no graph
// (domain.CheckLicences; the service adds the reference checks).
func prepareImport(in []*model.LicenceInput) ([]domain.Licence, error) {
	ls, err := licencesFromInput(in)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckLicences(ls, true).AsError(); err != nil {
		return nil, err
	}
	return ls, nil
}

func TestLicenceFromInputDefaultsAndDedupes(t *testing.T) {
	holder := "cn-a"
	l := licenceFromInput(model.LicenceInput{ID: "L1", Holder: &holder, Clients: []string{"de-b", "de-b", "fr-c"}})
	if l.Type != domain.LicenceGeneral || l.Status != domain.StatusActive {
		t.Errorf("defaults: %+v", l)
	}
	if !slices.Equal(l.Clients, []string{"de-b", "fr-c"}) || l.Holder != "cn-a" {
		t.Errorf("clients %v holder %q", l.Clients, l.Holder)
	}
	c := companyFromInput(model.CompanyInput{ID: "x", Name: "X", Country: "de", Roles: []domain.Role{"OEM", "OEM"}})
	if c.Country != "DE" || !slices.Equal(c.Roles, []domain.Role{"OEM"}) {
		t.Errorf("company %+v", c)
	}
}

// Notes, confidence and sources reach the records as given; an import
// item with a bad citation or confidence is reported on its own field.
func TestEvidenceFromInput(t *testing.T) {
	note, conf, over := "valid_until is a projection", 0.8, 1.2
	l := licenceFromInput(model.LicenceInput{ID: "L1", Note: &note, Confidence: &conf, Sources: []string{"Reuters, 2025-05-13", "Reuters, 2025-05-13"}})
	if l.Note != note || l.Confidence == nil || *l.Confidence != conf || !slices.Equal(l.Sources, []string{"Reuters, 2025-05-13"}) {
		t.Errorf("licence %+v", l)
	}
	if s := supplyLinkFromInput(model.SupplyLinkInput{Supplier: "a", Customer: "b", Note: &note}); s.Note != note {
		t.Errorf("link %+v", s)
	}
	if c := companyFromInput(model.CompanyInput{ID: "x", Name: "X", Country: "de", Note: &note}); c.Note != note {
		t.Errorf("company %+v", c)
	}
	_, err := prepareImport([]*model.LicenceInput{{ID: "ok"}, {ID: "L2", Sources: []string{"Reuters"}, Confidence: &over}})
	var invalid domain.InvalidInput
	if !errors.As(err, &invalid) {
		t.Fatalf("error %v, want InvalidInput", err)
	}
	var got []string
	for _, f := range invalid {
		got = append(got, f.Field)
	}
	if want := []string{"input[1].sources", "input[1].confidence"}; !slices.Equal(got, want) {
		t.Errorf("invalid fields %v, want %v", got, want)
	}
}

func TestPrepareImportListsEveryInvalidItem(t *testing.T) {
	d := func(s string) *domain.Date { v := domain.MustDate(s); return &v }
	bad := domain.LicenceStatus("LOST")
	in := []*model.LicenceInput{
		{ID: "ok-1"},
		{ID: "L2", ValidFrom: d("2026-02-01"), ValidUntil: d("2026-01-01")},
		{ID: "ok-1"},
		{ID: "bad id!", Status: &bad},
	}
	_, err := prepareImport(in)
	var invalid domain.InvalidInput
	if !errors.As(err, &invalid) || domain.ErrorCode(err) != domain.CodeBadUserInput {
		t.Fatalf("error %v, want BAD_USER_INPUT with InvalidInput", err)
	}
	var got []string
	for _, f := range invalid {
		got = append(got, fmt.Sprintf("%d %s", f.Index, f.Field))
	}
	want := []string{"1 input[1].validUntil", "2 input[2].id", "3 input[3].id", "3 input[3].status"}
	if !slices.Equal(got, want) {
		t.Fatalf("invalid items %v, want %v", got, want)
	}
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "input[1].validUntil: ") || !strings.Contains(msg, "input[3].status: ") {
		t.Errorf("message %q does not name every item", msg)
	}
	if _, err := prepareImport(make([]*model.LicenceInput, maxImport+1)); domain.ErrorCode(err) != domain.CodeBadUserInput {
		t.Errorf("oversized import: %v", err)
	}
}

// fuzzItem is a licence input as JSON from a client: strings everywhere,
// dates through the Date scalar, enums unchecked (gqlgen checks them before
// the resolver; the fuzz target makes sure validation does too).
type fuzzItem struct {
	ID, Type, Status, Holder                       string
	Clients, Materials, Excluded, Sources, Control []string
	IssuedOn, ValidFrom, ValidUntil, RevokedOn     string
	Reference, Reason                              string
}

func (f fuzzItem) input(t *testing.T) (*model.LicenceInput, bool) {
	in := &model.LicenceInput{ID: f.ID, Clients: f.Clients, Materials: f.Materials, ExcludedSectors: f.Excluded,
		Sources: f.Sources, Controls: f.Control}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	in.Holder, in.Reference, in.RevocationReason = opt(f.Holder), opt(f.Reference), opt(f.Reason)
	if f.Type != "" {
		v := domain.LicenceType(f.Type)
		in.Type = &v
	}
	if f.Status != "" {
		v := domain.LicenceStatus(f.Status)
		in.Status = &v
	}
	for _, p := range []struct {
		s   string
		dst **domain.Date
	}{{f.IssuedOn, &in.IssuedOn}, {f.ValidFrom, &in.ValidFrom}, {f.ValidUntil, &in.ValidUntil}, {f.RevokedOn, &in.RevokedOn}} {
		if p.s == "" {
			continue
		}
		d, err := scalar.UnmarshalDate(p.s)
		if err != nil {
			return nil, false // gqlgen rejects the request before the resolver
		}
		*p.dst = &d
	}
	return in, true
}

// FuzzImportLicences: importLicences' conversion and validation never
// panic, and whatever they accept is a valid licence with its defaults
// resolved and its lists free of repeats.
func FuzzImportLicences(f *testing.F) {
	f.Add(`[{"ID":"L1","Holder":"cn-a","Clients":["de-b","de-b"],"ValidFrom":"2026-01-01","ValidUntil":"2026-12-31"}]`)
	f.Add(`[{"ID":"L1"},{"ID":"L1"}]`)
	f.Add(`[{"ID":"L2","Status":"revoked","Type":"","RevokedOn":"2025-01-01","IssuedOn":"2025-06-01"}]`)
	f.Add(`[{"ID":"x","Holder":"x","Clients":["x"],"Sources":["ftp://a"],"Reference":"r"}]`)
	f.Add(`[null,{"ID":""}]`)
	f.Fuzz(func(t *testing.T, data string) {
		var items []*fuzzItem
		if json.Unmarshal([]byte(data), &items) != nil {
			return
		}
		in := make([]*model.LicenceInput, len(items))
		for i, it := range items {
			if it == nil {
				continue // a null item
			}
			li, ok := it.input(t)
			if !ok {
				return
			}
			in[i] = li
		}
		ls, err := prepareImport(in)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeBadUserInput {
				t.Fatalf("error code %s: %v", domain.ErrorCode(err), err)
			}
			return
		}
		if len(ls) != len(in) {
			t.Fatalf("%d licences from %d items", len(ls), len(in))
		}
		ids := map[string]bool{}
		for i, l := range ls {
			if es := l.Validate(); len(es) > 0 {
				t.Fatalf("item %d accepted but invalid: %v", i, es)
			}
			if l.Type == "" || l.Status == "" {
				t.Fatalf("item %d: defaults not resolved: %+v", i, l)
			}
			if !slices.Contains(domain.LicenceTypes, l.Type) || !slices.Contains(domain.LicenceStatuses, l.Status) {
				t.Fatalf("item %d: enum out of range: %+v", i, l)
			}
			for _, list := range [][]string{l.Clients, l.Materials, l.ExcludedSectors, l.Sources, l.Controls} {
				if len(domain.Dedupe(list)) != len(list) {
					t.Fatalf("item %d: repeated ids in %v", i, list)
				}
			}
			if ids[l.ID] {
				t.Fatalf("item %d: id %q accepted twice", i, l.ID)
			}
			ids[l.ID] = true
		}
	})
}
