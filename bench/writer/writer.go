// Package writer makes the writes of the benchmarks the way another
// process would — through the store (internal/neo4jstore), not through the
// server being measured — and finds, over the server's GraphQL API, records
// whose writes decide an exposure answer: controlled hops that no licence
// covers (a licence granted on one covers it, its revocation uncovers it
// again) and the supply links of those hops (ending one removes the hop,
// restoring it brings it back). Every write is undone by the next one on
// the same record, so a benchmark leaves the graph as it found it, but for
// revoked licences of its own (ids with its prefix).
package writer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/licencegraph/licencegraph/bench/gqlclient"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// Store is the part of the store the benchmarks write through
// (*neo4jstore.Store).
type Store interface {
	GrantLicence(ctx context.Context, l domain.Licence) (domain.Licence, error)
	RevokeLicence(ctx context.Context, id string, on domain.Date, reason string) (domain.Licence, error)
	UpsertSupplyLink(ctx context.Context, l domain.SupplyLink) (domain.SupplyLink, error)
}

// Hop is a controlled hop supplier → client that no licence covers on the
// date it was found at, with its controlled materials on that date.
type Hop struct {
	Supplier, Client string
	Materials        []string
	Via              string // the automaker on whose exposure paths it was found
}

// Link is a supply link as stored (to restore it), and the automaker on
// whose exposure paths it was found.
type Link struct {
	domain.SupplyLink
	Via string
}

// Target is what Find found on one date.
type Target struct {
	Date  domain.Date
	OEMs  []string // automakers (sector automotive-oem) exposed on Date
	Hops  []Hop    // first hops of their exposure paths, uncovered on Date
	Links []Link   // the supply links of Hops that start before Date
}

const (
	oemsQuery = `query($asOf: Date) { exposedCompanies(sector: "automotive-oem", maxDepth: 4, asOf: $asOf, first: 50) {
  edges { node { company { id } } } } }`
	firstHopsQuery = `query($id: ID!, $asOf: Date) { exposurePaths(companyId: $id, asOf: $asOf, maxDepth: 4, first: 20) {
  hops { supplier { id } customer { id } controlled covered controlledMaterials { id } } } }`
	suppliersQuery = `query($id: ID!, $after: String) { company(id: $id) { suppliers(first: 100, after: $after) {
  edges { node { supplier { id } materials { id } since until confidence sources } } pageInfo { hasNextPage endCursor } } } }`
	// CoverageQuery asks whether each of a producer's foreign clients is
	// covered on a date (the question a licence write decides).
	CoverageQuery = `query($id: ID!, $asOf: Date) { company(id: $id) { clientCoverage(asOf: $asOf) { client { id } covered } } }`
)

// Find asks the server at url for up to max exposed automakers on date,
// up to max uncovered first hops of their paths, and the supply links of
// those hops.
func Find(ctx context.Context, client *http.Client, url string, date domain.Date, max int) (Target, error) {
	t := Target{Date: date}
	var oems struct {
		ExposedCompanies struct {
			Edges []struct {
				Node struct{ Company struct{ ID string } }
			}
		}
	}
	if err := Ask(ctx, client, url, oemsQuery, map[string]any{"asOf": date.String()}, &oems); err != nil {
		return t, fmt.Errorf("writer: exposed automakers: %w", err)
	}
	for _, e := range oems.ExposedCompanies.Edges {
		t.OEMs = append(t.OEMs, e.Node.Company.ID)
	}
	if len(t.OEMs) == 0 {
		return t, fmt.Errorf("writer: no automaker is exposed on %s (is the world loaded?)", date)
	}
	seen := map[[2]string]bool{}
	for _, oem := range t.OEMs {
		if len(t.Hops) >= max {
			break
		}
		var paths struct {
			ExposurePaths []struct {
				Hops []struct {
					Supplier, Customer  struct{ ID string }
					Controlled, Covered bool
					ControlledMaterials []struct{ ID string }
				}
			}
		}
		if err := Ask(ctx, client, url, firstHopsQuery, map[string]any{"id": oem, "asOf": date.String()}, &paths); err != nil {
			return t, fmt.Errorf("writer: paths of %s: %w", oem, err)
		}
		for _, p := range paths.ExposurePaths {
			if len(p.Hops) == 0 || len(t.Hops) >= max {
				continue
			}
			h := p.Hops[0]
			key := [2]string{h.Supplier.ID, h.Customer.ID}
			if !h.Controlled || h.Covered || len(h.ControlledMaterials) == 0 || seen[key] {
				continue
			}
			seen[key] = true
			hop := Hop{Supplier: h.Supplier.ID, Client: h.Customer.ID, Via: oem}
			for _, m := range h.ControlledMaterials {
				hop.Materials = append(hop.Materials, m.ID)
			}
			t.Hops = append(t.Hops, hop)
		}
	}
	if len(t.Hops) == 0 {
		return t, fmt.Errorf("writer: no uncovered first hop on the paths of %d automakers on %s", len(t.OEMs), date)
	}
	for _, h := range t.Hops {
		l, err := findLink(ctx, client, url, h.Supplier, h.Client)
		if err != nil {
			return t, err
		}
		// Ending a link on the date needs since < date.
		if l.Since.IsZero() || l.Since.Before(date) {
			t.Links = append(t.Links, Link{l, h.Via})
		}
	}
	if len(t.Links) == 0 {
		return t, fmt.Errorf("writer: no supply link of the %d hops starts before %s", len(t.Hops), date)
	}
	return t, nil
}

// maxSupplierPages bounds the pages of 100 suppliers findLink reads.
const maxSupplierPages = 50

func findLink(ctx context.Context, client *http.Client, url, supplier, customer string) (domain.SupplyLink, error) {
	var after any
	for range maxSupplierPages {
		var out struct {
			Company struct {
				Suppliers struct {
					Edges []struct {
						Node struct {
							Supplier   struct{ ID string }
							Materials  []struct{ ID string }
							Since      *string
							Until      *string
							Confidence *float64
							Sources    []string
						}
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
		}
		if err := Ask(ctx, client, url, suppliersQuery, map[string]any{"id": customer, "after": after}, &out); err != nil {
			return domain.SupplyLink{}, fmt.Errorf("writer: suppliers of %s: %w", customer, err)
		}
		for _, e := range out.Company.Suppliers.Edges {
			n := e.Node
			if n.Supplier.ID != supplier {
				continue
			}
			l := domain.SupplyLink{Supplier: supplier, Customer: customer, Confidence: n.Confidence, Sources: n.Sources}
			for _, m := range n.Materials {
				l.Materials = append(l.Materials, m.ID)
			}
			var err error
			if l.Since, err = optDate(n.Since); err != nil {
				return l, err
			}
			if l.Until, err = optDate(n.Until); err != nil {
				return l, err
			}
			return l, nil
		}
		if !out.Company.Suppliers.PageInfo.HasNextPage {
			break
		}
		after = out.Company.Suppliers.PageInfo.EndCursor
	}
	return domain.SupplyLink{}, fmt.Errorf("writer: no link %s -> %s among the suppliers of %s", supplier, customer, customer)
}

func optDate(s *string) (domain.Date, error) {
	if s == nil || *s == "" {
		return domain.Date{}, nil
	}
	return domain.ParseDate(*s)
}

// Ask sends one GraphQL question and decodes its data into out.
func Ask(ctx context.Context, client *http.Client, url, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	data, err := gqlclient.Post(ctx, client, url, body)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Covered asks whether client's hop from supplier is covered on date
// (Company.clientCoverage); found is false when the hop is not listed.
func Covered(ctx context.Context, client *http.Client, url, supplier, hopClient string, date domain.Date) (covered, found bool, err error) {
	var out struct {
		Company struct {
			ClientCoverage []struct {
				Client  struct{ ID string }
				Covered bool
			}
		}
	}
	if err := Ask(ctx, client, url, CoverageQuery, map[string]any{"id": supplier, "asOf": date.String()}, &out); err != nil {
		return false, false, err
	}
	for _, c := range out.Company.ClientCoverage {
		if c.Client.ID == hopClient {
			return c.Covered, true, nil
		}
	}
	return false, false, nil
}

// Licences grants and revokes one licence per hop, each on its own id
// (Prefix-1, Prefix-2, …): a grant covers the hop's controlled materials
// for ValidFrom…ValidUntil, a revocation uncovers it again.
type Licences struct {
	Store  Store
	Prefix string
	Hops   []Hop
	// ValidFrom and ValidUntil bound granted licences (zero: the dates
	// benchmarks ask, 2025-01-01 … 2027-12-31).
	ValidFrom, ValidUntil domain.Date

	active []bool
	next   int
}

// Write is one write Licences or Links made.
type Write struct {
	Op    string // grantLicence, revokeLicence, endSupplyLink, restoreSupplyLink
	ID    string // licence id, or "supplier->customer"
	Hop   Hop    // for licences: the hop it covers or uncovers
	Via   string // the automaker whose exposure the write decides
	Took  time.Duration
	After bool // the hop's state after the write: covered (licences), current (links)
}

// DateRange is the span of dates the benchmarks ask about.
var (
	FirstDate = mustDate("2025-01-01")
	LastDate  = mustDate("2027-12-31")
)

func mustDate(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Toggle writes the next hop's licence: granted if it is not active,
// revoked if it is. Hops are taken in turn, each toggled twice before the
// next (grant, then revoke) when called in a row.
func (l *Licences) Toggle(ctx context.Context) (Write, error) {
	if len(l.Hops) == 0 {
		return Write{}, errors.New("writer: no hop to write licences on")
	}
	if l.active == nil {
		l.active = make([]bool, len(l.Hops))
	}
	k := l.next
	if l.active[k] {
		l.next = (k + 1) % len(l.Hops)
	}
	return l.toggle(ctx, k)
}

func (l *Licences) id(k int) string { return fmt.Sprintf("%s-%d", l.Prefix, k+1) }

func (l *Licences) toggle(ctx context.Context, k int) (Write, error) {
	h := l.Hops[k]
	w := Write{ID: l.id(k), Hop: h, Via: h.Via}
	start := time.Now()
	var err error
	if !l.active[k] {
		w.Op, w.After = "grantLicence", true
		from, until := l.ValidFrom, l.ValidUntil
		if from.IsZero() {
			from, until = FirstDate, LastDate
		}
		_, err = l.Store.GrantLicence(ctx, domain.Licence{
			ID: w.ID, Type: domain.LicenceGeneral, Status: domain.StatusActive,
			Holder: h.Supplier, Clients: []string{h.Client}, Materials: slices.Clone(h.Materials),
			IssuedOn: from, ValidFrom: from, ValidUntil: until, Reference: "licencegraph-bench",
		})
	} else {
		w.Op, w.After = "revokeLicence", false
		on := l.ValidFrom
		if on.IsZero() {
			on = FirstDate
		}
		_, err = l.Store.RevokeLicence(ctx, w.ID, on, "licencegraph-bench: undoing its grant")
	}
	w.Took = time.Since(start)
	if err != nil {
		return w, fmt.Errorf("writer: %s %s: %w", w.Op, w.ID, err)
	}
	l.active[k] = w.After
	return w, nil
}

// Undo revokes every licence Toggle left active.
func (l *Licences) Undo(ctx context.Context) error {
	var errs []error
	for k, on := range l.active {
		if on {
			if _, err := l.toggle(ctx, k); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Links ends supply links on a date and restores them, in turn.
type Links struct {
	Store Store
	Links []Link
	// On is the date a link is ended on (its until, exclusive).
	On domain.Date

	ended []bool
	next  int
}

// Toggle ends the next link on On if it is current, or restores it as
// it was stored.
func (l *Links) Toggle(ctx context.Context) (Write, error) {
	if len(l.Links) == 0 {
		return Write{}, errors.New("writer: no supply link to write")
	}
	if l.ended == nil {
		l.ended = make([]bool, len(l.Links))
	}
	k := l.next
	if l.ended[k] {
		l.next = (k + 1) % len(l.Links)
	}
	return l.toggle(ctx, k)
}

func (l *Links) toggle(ctx context.Context, k int) (Write, error) {
	link := l.Links[k].SupplyLink
	w := Write{ID: link.Supplier + "->" + link.Customer, Via: l.Links[k].Via}
	if !l.ended[k] {
		w.Op, w.After = "endSupplyLink", false
		link.Until = l.On
	} else {
		w.Op, w.After = "restoreSupplyLink", true
	}
	start := time.Now()
	_, err := l.Store.UpsertSupplyLink(ctx, link)
	w.Took = time.Since(start)
	if err != nil {
		return w, fmt.Errorf("writer: %s %s: %w", w.Op, w.ID, err)
	}
	l.ended[k] = !w.After
	return w, nil
}

// Undo restores every link Toggle left ended.
func (l *Links) Undo(ctx context.Context) error {
	var errs []error
	for k, ended := range l.ended {
		if ended {
			if _, err := l.toggle(ctx, k); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
