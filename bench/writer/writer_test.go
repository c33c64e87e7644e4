package writer

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// fakeStore records the writes and keeps the licences' statuses and the
// links' ends, as the store would.
type fakeStore struct {
	ops      []string
	licences map[string]domain.Licence
	links    map[string]domain.SupplyLink
}

func newFake() *fakeStore {
	return &fakeStore{licences: map[string]domain.Licence{}, links: map[string]domain.SupplyLink{}}
}

func (f *fakeStore) GrantLicence(_ context.Context, l domain.Licence) (domain.Licence, error) {
	if errs := l.Validate(); len(errs) > 0 {
		return l, fmt.Errorf("invalid: %v", errs)
	}
	f.ops = append(f.ops, "grant "+l.ID)
	f.licences[l.ID] = l
	return l, nil
}

func (f *fakeStore) RevokeLicence(_ context.Context, id string, on domain.Date, reason string) (domain.Licence, error) {
	l, ok := f.licences[id]
	if !ok {
		return l, fmt.Errorf("no licence %s", id)
	}
	l.Status, l.RevokedOn, l.RevocationReason = domain.StatusRevoked, on, reason
	if errs := l.Validate(); len(errs) > 0 {
		return l, fmt.Errorf("invalid: %v", errs)
	}
	f.ops = append(f.ops, "revoke "+id)
	f.licences[id] = l
	return l, nil
}

func (f *fakeStore) UpsertSupplyLink(_ context.Context, l domain.SupplyLink) (domain.SupplyLink, error) {
	if errs := l.Validate(); len(errs) > 0 {
		return l, fmt.Errorf("invalid: %v", errs)
	}
	until := "open"
	if !l.Until.IsZero() {
		until = l.Until.String()
	}
	f.ops = append(f.ops, "link "+l.Supplier+"->"+l.Customer+" until "+until)
	f.links[l.Supplier+"->"+l.Customer] = l
	return l, nil
}

func TestLicencesToggle(t *testing.T) {
	hops := []Hop{{Supplier: "cn-a", Client: "de-b", Materials: []string{"NdFeB"}, Via: "oem-1"}, {Supplier: "cn-c", Client: "jp-d", Materials: []string{"Dy", "Tb"}}}
	tests := []struct {
		name    string
		toggles int
		ops     []string
		undo    []string
	}{
		{"none", 0, nil, nil},
		{"grant", 1, []string{"grant LIC-1"}, []string{"revoke LIC-1"}},
		{"grant, revoke", 2, []string{"grant LIC-1", "revoke LIC-1"}, nil},
		{"to the next hop and round", 5, []string{"grant LIC-1", "revoke LIC-1", "grant LIC-2", "revoke LIC-2", "grant LIC-1"}, []string{"revoke LIC-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			l := &Licences{Store: f, Prefix: "LIC", Hops: hops}
			for i := range tc.toggles {
				w, err := l.Toggle(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if w.After != (w.Op == "grantLicence") || w.ID == "" || w.Hop.Supplier == "" {
					t.Errorf("toggle %d: %+v", i, w)
				}
			}
			if !slices.Equal(f.ops, tc.ops) {
				t.Errorf("writes %v, want %v", f.ops, tc.ops)
			}
			f.ops = nil
			if err := l.Undo(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.ops, tc.undo) {
				t.Errorf("undo wrote %v, want %v", f.ops, tc.undo)
			}
			for id, lic := range f.licences {
				if lic.Status != domain.StatusRevoked {
					t.Errorf("%s left %s", id, lic.Status)
				}
			}
		})
	}
	granted := newFake()
	l := &Licences{Store: granted, Prefix: "LIC", Hops: hops[1:]}
	if _, err := l.Toggle(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := granted.licences["LIC-1"]
	if g.Holder != "cn-c" || !slices.Equal(g.Clients, []string{"jp-d"}) || !slices.Equal(g.Materials, []string{"Dy", "Tb"}) ||
		g.Status != domain.StatusActive || !g.ValidFrom.Equal(FirstDate) || !g.ValidUntil.Equal(LastDate) {
		t.Errorf("granted %+v", g)
	}
}

func TestLinksToggle(t *testing.T) {
	since, _ := domain.ParseDate("2024-03-01")
	on, _ := domain.ParseDate("2026-06-01")
	conf := 0.8
	links := []Link{
		{SupplyLink: domain.SupplyLink{Supplier: "cn-a", Customer: "de-b", Materials: []string{"NdFeB"}, Since: since, Confidence: &conf}, Via: "oem-1"},
		{SupplyLink: domain.SupplyLink{Supplier: "cn-c", Customer: "jp-d", Materials: []string{"Dy"}}},
	}
	f := newFake()
	l := &Links{Store: f, Links: links, On: on}
	for range 3 {
		if _, err := l.Toggle(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"link cn-a->de-b until 2026-06-01", "link cn-a->de-b until open", "link cn-c->jp-d until 2026-06-01"}
	if !slices.Equal(f.ops, want) {
		t.Errorf("writes %v, want %v", f.ops, want)
	}
	if err := l.Undo(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, link := range links {
		got := f.links[link.Supplier+"->"+link.Customer]
		if !got.Until.Equal(link.Until) || !got.Since.Equal(link.Since) || !slices.Equal(got.Materials, link.Materials) {
			t.Errorf("%s->%s left as %+v, want %+v", link.Supplier, link.Customer, got, link.SupplyLink)
		}
	}
}
