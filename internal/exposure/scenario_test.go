package exposure_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/projection"
	"github.com/licencegraph/licencegraph/internal/testutil"
)

// What-if scenarios on a generated world in the real Neo4j: every answer
// of exposureScenario equals the reference on the world with the changes
// applied to its records (random scenarios of every kind of change), and,
// for some of them, the engine's own answers after applying the same
// changes for real through the write API on a fresh copy of the world.
// Nothing a scenario asks is written.
func TestScenarioMatchesApplyingIt(t *testing.T) {
	store, recs, load := generatedWorld(t, 200, 17)
	ctx := context.Background()
	proj := projection.New(store, testutil.Logger(t))
	engine := exposure.New(exposure.Views(proj.Acquire)).WithScenarios(exposure.WhatIfOn((*projection.View).WhatIf), store)
	queries := []domain.ExposureQuery{
		{AsOf: day("2025-12-15"), MaxDepth: 4},
		{AsOf: day("2026-06-01"), MaxDepth: 3, Sector: "automotive"},
		{AsOf: day("2026-03-01"), MaxDepth: 4, MinConfidence: ptr(0.5)},
	}
	rng := rand.New(rand.NewPCG(17, 5))
	const rounds, forReal = 24, 3
	kinds := map[string]int{}
	var newly, gone, hops, sinces int
	for round := range rounds {
		s, names := randomScenario(rng, recs, round)
		for _, n := range names {
			kinds[n]++
		}
		refBefore, refAfter := newRefWorld(recs), newRefWorld(applyToRecords(recs, s))
		version := graphVersion(ctx, t, store)
		answers := make([]domain.ExposureScenario, len(queries))
		for i, q := range queries {
			got, err := engine.ExposureScenario(ctx, domain.ScenarioQuery{ExposureQuery: q, Change: s,
				Paths: domain.MaxPaths, First: domain.MaxScenarioCompanies, Fields: domain.ExposedFields{Details: true}})
			if err != nil {
				t.Fatalf("round %d (%v), %s: %v", round, names, fmtQuery(q), err)
			}
			compareScenario(t, fmt.Sprintf("round %d (%v), %s", round, names, fmtQuery(q)), got, refBefore, refAfter, q)
			answers[i] = got
			newly, gone, hops = newly+got.NewlyExposedCount, gone+got.NoLongerExposedCount, hops+len(got.ChangedHops)
		}
		if sinces < 20 { // the reference's day-by-day sweeps are slow
			sinces += sinceInScenario(ctx, t, engine, round, s, refBefore, refAfter)
		}
		if v := graphVersion(ctx, t, store); v != version {
			t.Fatalf("round %d: the graph's version moved from %v to %v: a scenario wrote", round, version, v)
		}
		if t.Failed() {
			t.FailNow()
		}
		if round >= forReal {
			continue
		}
		// The same changes for real, on a copy of the world.
		before := make([][]domain.ExposedCompany, len(queries))
		for i, q := range queries {
			var err error
			if before[i], err = engine.ExposedCompanies(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		applyForReal(ctx, t, store, s)
		for i, q := range queries {
			sameAsApplied(ctx, t, fmt.Sprintf("round %d (%v), %s", round, names, fmtQuery(q)), engine, q, before[i], answers[i])
		}
		load()
	}
	t.Logf("changes tried: %v; answers: %d newly exposed, %d no longer, %d changed hops; %d since checked", kinds, newly, gone, hops, sinces)
	if newly == 0 || gone == 0 || hops == 0 || sinces == 0 {
		t.Errorf("the scenarios changed too little to test anything")
	}
}

// sinceInScenario checks the since of the companies a scenario lists, each
// on its side: the first day of their exposure up to the date asked, on
// the graph with (newly exposed) or without (no longer exposed) the
// changes, as the reference finds it day by day.
func sinceInScenario(ctx context.Context, t *testing.T, engine *exposure.Engine, round int, s domain.Scenario, before, after *refWorld) (checked int) {
	t.Helper()
	q := domain.ExposureQuery{AsOf: day("2026-06-01"), MaxDepth: 3}
	got, err := engine.ExposureScenario(ctx, domain.ScenarioQuery{ExposureQuery: q, Change: s,
		First: domain.MaxScenarioCompanies, Fields: domain.ExposedFields{Since: true}})
	if err != nil {
		t.Fatalf("round %d, since: %v", round, err)
	}
	from := domain.DateOf(q.AsOf.Time().AddDate(-2, 0, 0)).AddDays(-1)
	for _, side := range []struct {
		name string
		list []domain.ScenarioCompany
		ref  *refWorld
	}{{"newlyExposed", got.NewlyExposed, after}, {"noLongerExposed", got.NoLongerExposed, before}} {
		if len(side.list) == 0 {
			continue
		}
		days := side.ref.sweep(q, from, q.AsOf)
		for _, x := range side.list {
			if want := days.since(x.CompanyID, q.AsOf); !x.Since.Equal(want) {
				t.Errorf("round %d, %s %s: since %s, reference %s", round, side.name, x.CompanyID, x.Since, want)
			}
			checked++
		}
	}
	return checked
}

func graphVersion(ctx context.Context, t *testing.T, store *neo4jstore.Store) domain.GraphVersion {
	t.Helper()
	v, err := store.GraphVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// compareScenario checks a scenario's answer against the reference on the
// world without (before) and with (after) its changes.
func compareScenario(t *testing.T, what string, got domain.ExposureScenario, before, after *refWorld, q domain.ExposureQuery) {
	t.Helper()
	wb, wa := before.exposed(q), after.exposed(q)
	if got.BaselineCount != len(wb) || got.ScenarioCount != len(wa) {
		t.Errorf("%s: counts %d → %d, reference %d → %d", what, got.BaselineCount, got.ScenarioCount, len(wb), len(wa))
	}
	in := func(l []domain.ExposedCompany) map[string]bool {
		m := map[string]bool{}
		for _, x := range l {
			m[x.CompanyID] = true
		}
		return m
	}
	inB, inA := in(wb), in(wa)
	var newly, gone []domain.ExposedCompany
	for _, x := range wa {
		if !inB[x.CompanyID] {
			newly = append(newly, x)
		}
	}
	for _, x := range wb {
		if !inA[x.CompanyID] {
			gone = append(gone, x)
		}
	}
	if got.NewlyExposedCount != len(newly) || got.NoLongerExposedCount != len(gone) {
		t.Errorf("%s: %d newly and %d no longer exposed, reference %d and %d", what,
			got.NewlyExposedCount, got.NoLongerExposedCount, len(newly), len(gone))
	}
	for _, side := range []struct {
		name string
		got  []domain.ScenarioCompany
		want []domain.ExposedCompany
		ref  *refWorld
	}{{"newlyExposed", got.NewlyExposed, newly, after}, {"noLongerExposed", got.NoLongerExposed, gone, before}} {
		list := make([]domain.ExposedCompany, len(side.got))
		for i, x := range side.got {
			list[i] = x.ExposedCompany
		}
		if diff := exposedDiff(list, side.want, 10); diff != "" {
			t.Errorf("%s, %s:\n%s", what, side.name, diff)
		}
		for _, x := range side.got {
			want := side.ref.paths(x.CompanyID, q)
			want = want[:min(len(want), domain.MaxPaths)]
			if diff := pathsDiff(plainPaths(x.Paths), want); diff != "" {
				t.Errorf("%s, %s %s paths:\n%s", what, side.name, x.CompanyID, diff)
			}
		}
	}
	// Changed hops: exactly the links judged otherwise, each side as the
	// reference judges it.
	type judged struct {
		hop domain.SupplyHop
		ok  bool
	}
	keys := map[[2]string]bool{}
	for _, k := range before.linkKeys {
		keys[k] = true
	}
	for _, k := range after.linkKeys {
		keys[k] = true
	}
	var wantChanged [][2]string
	for k := range keys {
		b, bok := before.hop(k[0], k[1], q.AsOf)
		a, aok := after.hop(k[0], k[1], q.AsOf)
		differ := bok != aok || b.Controlled != a.Controlled || b.Covered != a.Covered || b.Reason != a.Reason
		if bok != aok {
			differ = (bok && b.Controlled) || (aok && a.Controlled)
		}
		if differ {
			wantChanged = append(wantChanged, k)
		}
	}
	slices.SortFunc(wantChanged, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	var gotChanged [][2]string
	for _, h := range got.ChangedHops {
		gotChanged = append(gotChanged, [2]string{h.Supplier, h.Customer})
		for _, side := range []struct {
			name string
			hop  *domain.SupplyHop
			ref  *refWorld
		}{{"baseline", h.Baseline, before}, {"scenario", h.Scenario, after}} {
			want, ok := side.ref.hop(h.Supplier, h.Customer, q.AsOf)
			if ok != (side.hop != nil) {
				t.Errorf("%s: changed hop %s→%s: %s present %v, reference %v", what, h.Supplier, h.Customer, side.name, side.hop != nil, ok)
				continue
			}
			if ok {
				gh := *side.hop
				gh.Hypothetical = nil
				if !reflect.DeepEqual(normHop(gh), normHop(want)) {
					t.Errorf("%s: changed hop, %s:\n engine    %s\n reference %s", what, side.name, fmtHop(gh), fmtHop(want))
				}
			}
		}
	}
	if !slices.Equal(gotChanged, wantChanged) {
		t.Errorf("%s: changed hops %v, reference %v", what, gotChanged, wantChanged)
	}
}

// sameAsApplied compares a scenario's answer with the engine's answers
// once its changes are written.
func sameAsApplied(ctx context.Context, t *testing.T, what string, engine *exposure.Engine, q domain.ExposureQuery, before []domain.ExposedCompany, s domain.ExposureScenario) {
	t.Helper()
	after, err := engine.ExposedCompanies(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if s.BaselineCount != len(before) || s.ScenarioCount != len(after) {
		t.Errorf("%s: scenario counts %d → %d; applied %d → %d", what, s.BaselineCount, s.ScenarioCount, len(before), len(after))
	}
	byID := map[string]domain.ExposedCompany{}
	for _, x := range after {
		byID[x.CompanyID] = x
	}
	for _, x := range s.NewlyExposed {
		y, ok := byID[x.CompanyID]
		if !ok || !sameExposed(x.ExposedCompany, y) {
			t.Errorf("%s: newly exposed %s %s; applied: exposed %v %s", what, x.CompanyID, fmtExposed(x.ExposedCompany), ok, fmtExposed(y))
			continue
		}
		paths, err := engine.ExposurePaths(ctx, domain.PathsQuery{CompanyID: x.CompanyID, ExposureQuery: q, First: domain.MaxPaths})
		if err != nil {
			t.Fatal(err)
		}
		if diff := pathsDiff(plainPaths(x.Paths), paths); diff != "" {
			t.Errorf("%s: paths of %s, scenario vs applied:\n%s", what, x.CompanyID, diff)
		}
	}
	for _, x := range s.NoLongerExposed {
		if _, ok := byID[x.CompanyID]; ok {
			t.Errorf("%s: %s no longer exposed in the scenario, exposed once applied", what, x.CompanyID)
		}
	}
	for _, h := range s.ChangedHops {
		got, err := engine.ClassifyHop(ctx, h.Supplier, h.Customer, q.AsOf)
		var derr *domain.Error
		switch {
		case h.Scenario == nil && errors.As(err, &derr) && derr.Code == domain.CodeNotFound:
		case err != nil:
			t.Errorf("%s: ClassifyHop %s→%s once applied: %v (scenario %v)", what, h.Supplier, h.Customer, err, h.Scenario)
		case h.Scenario == nil:
			t.Errorf("%s: %s→%s removed in the scenario, present once applied", what, h.Supplier, h.Customer)
		default:
			sh := *h.Scenario
			sh.Hypothetical = nil
			if !reflect.DeepEqual(normHop(sh), normHop(got)) {
				t.Errorf("%s: hop in the scenario %s; applied %s", what, fmtHop(sh), fmtHop(got))
			}
		}
	}
}

// plainPaths is paths without the scenario's records their hops point
// to (which the paths of the reference or of the stored graph lack).
func plainPaths(paths []domain.ExposurePath) []domain.ExposurePath {
	out := make([]domain.ExposurePath, len(paths))
	for i, p := range paths {
		out[i] = domain.ExposurePath{Hops: slices.Clone(p.Hops), Confidence: p.Confidence}
		for j := range out[i].Hops {
			out[i].Hops[j].Hypothetical = nil
		}
	}
	return out
}

// randomScenario picks one to four changes of random kinds from the
// world's records; names says which.
func randomScenario(rng *rand.Rand, recs map[domain.Kind][]any, round int) (domain.Scenario, []string) {
	var s domain.Scenario
	var names []string
	country := map[string]string{}
	for _, r := range recs[domain.KindCompany] {
		c := r.(domain.Company)
		country[c.ID] = c.Country
	}
	pick := func(kind domain.Kind) any { return recs[kind][rng.IntN(len(recs[kind]))] }
	links := recs[domain.KindSupply]
	for n := 1 + rng.IntN(4); len(names) < n; {
		switch k := rng.IntN(6); k {
		case 0: // grant a licence for a Chinese supplier's foreign customer
			for range 50 {
				l := pick(domain.KindSupply).(domain.SupplyLink)
				if country[l.Supplier] != "CN" || country[l.Customer] == "CN" {
					continue
				}
				s.GrantLicences = append(s.GrantLicences, domain.Licence{ID: fmt.Sprintf("WI-%d-%d", round, len(names)),
					Type: domain.LicenceGeneral, Status: domain.StatusActive, Holder: l.Supplier, Clients: []string{l.Customer},
					Materials: slices.Clone(l.Materials), ValidFrom: day("2025-10-01")})
				names = append(names, "grant")
				break
			}
		case 1:
			l := pick(domain.KindLicence).(domain.Licence)
			on := latest(day("2025-06-01"), l.IssuedOn, l.ValidFrom).AddDays(rng.IntN(300))
			s.RevokeLicences = append(s.RevokeLicences, domain.Revocation{ID: l.ID, On: on})
			names = append(names, "revoke")
		case 2:
			l := pick(domain.KindLicence).(domain.Licence)
			sectors := []string{}
			if rng.IntN(3) > 0 {
				sectors = append(sectors, pick(domain.KindSector).(domain.Sector).ID)
			}
			s.SetExclusions = append(s.SetExclusions, domain.ExclusionChange{LicenceID: l.ID, Sectors: sectors})
			names = append(names, "exclusions")
		case 3:
			a, b := pick(domain.KindCompany).(domain.Company), pick(domain.KindCompany).(domain.Company)
			if a.ID == b.ID || (rng.IntN(2) == 0 && (a.Country != "CN" || b.Country == "CN")) {
				continue // half of them from CN abroad: first hops
			}
			l := domain.SupplyLink{Supplier: a.ID, Customer: b.ID, Materials: []string{"Dy", "NdFeB"}, Since: day("2025-01-01")}
			if rng.IntN(2) == 0 {
				l.Confidence = ptr(float64(50+rng.IntN(50)) / 100)
			}
			s.AddLinks = append(s.AddLinks, l)
			names = append(names, "add link")
		case 4:
			l := links[rng.IntN(len(links))].(domain.SupplyLink)
			s.RemoveLinks = append(s.RemoveLinks, domain.LinkKey{Supplier: l.Supplier, Customer: l.Customer})
			names = append(names, "remove link")
		case 5:
			c := pick(domain.KindControl).(domain.ExportControl)
			x := domain.Suspension{ID: c.ID, From: day("2025-06-01").AddDays(rng.IntN(300))}
			if rng.IntN(2) == 0 {
				x.Until = x.From.AddDays(30 + rng.IntN(300))
			}
			s.SuspendControls = append(s.SuspendControls, x)
			names = append(names, "suspend control")
		}
	}
	return s, names
}

// applyToRecords is recs with the scenario's changes made to a copy, in
// the scenario's order.
func applyToRecords(recs map[domain.Kind][]any, s domain.Scenario) map[domain.Kind][]any {
	out := map[domain.Kind][]any{}
	for k, v := range recs {
		out[k] = slices.Clone(v)
	}
	licence := func(id string) int {
		return slices.IndexFunc(out[domain.KindLicence], func(x any) bool { return x.(domain.Licence).ID == id })
	}
	for _, l := range s.GrantLicences {
		if i := licence(l.ID); i >= 0 {
			out[domain.KindLicence][i] = l
		} else {
			out[domain.KindLicence] = append(out[domain.KindLicence], l)
		}
	}
	for _, r := range s.RevokeLicences {
		i := licence(r.ID)
		l := out[domain.KindLicence][i].(domain.Licence)
		l.Status, l.RevokedOn = domain.StatusRevoked, r.On
		out[domain.KindLicence][i] = l
	}
	for _, x := range s.SetExclusions {
		i := licence(x.LicenceID)
		l := out[domain.KindLicence][i].(domain.Licence)
		l.ExcludedSectors = x.Sectors
		out[domain.KindLicence][i] = l
	}
	link := func(k domain.LinkKey) int {
		return slices.IndexFunc(out[domain.KindSupply], func(x any) bool {
			l := x.(domain.SupplyLink)
			return l.Supplier == k.Supplier && l.Customer == k.Customer
		})
	}
	for _, l := range s.AddLinks {
		if i := link(domain.LinkKey{Supplier: l.Supplier, Customer: l.Customer}); i >= 0 {
			out[domain.KindSupply][i] = l
		} else {
			out[domain.KindSupply] = append(out[domain.KindSupply], l)
		}
	}
	for _, k := range s.RemoveLinks {
		if i := link(k); i >= 0 {
			out[domain.KindSupply] = slices.Delete(out[domain.KindSupply], i, i+1)
		}
	}
	for _, x := range s.SuspendControls {
		i := slices.IndexFunc(out[domain.KindControl], func(r any) bool { return r.(domain.ExportControl).ID == x.ID })
		c := out[domain.KindControl][i].(domain.ExportControl)
		c.SuspendedFrom, c.SuspendedUntil = x.From, x.Until
		out[domain.KindControl][i] = c
	}
	return out
}

// applyForReal makes the scenario's changes through the write API (and a
// controls seed file, which has no mutation).
func applyForReal(ctx context.Context, t *testing.T, store *neo4jstore.Store, s domain.Scenario) {
	t.Helper()
	for _, l := range s.GrantLicences {
		if _, err := store.GrantLicence(ctx, l); err != nil {
			t.Fatalf("grant %s: %v", l.ID, err)
		}
	}
	for _, r := range s.RevokeLicences {
		if _, err := store.RevokeLicence(ctx, r.ID, r.On, ""); err != nil {
			t.Fatalf("revoke %s: %v", r.ID, err)
		}
	}
	for _, x := range s.SetExclusions {
		if _, err := store.SetLicenceExclusions(ctx, x.LicenceID, x.Sectors); err != nil {
			t.Fatalf("exclusions of %s: %v", x.LicenceID, err)
		}
	}
	for _, l := range s.AddLinks {
		if _, err := store.UpsertSupplyLink(ctx, l); err != nil {
			t.Fatalf("link %s→%s: %v", l.Supplier, l.Customer, err)
		}
	}
	for _, k := range s.RemoveLinks {
		if _, err := store.RemoveSupplyLink(ctx, k.Supplier, k.Customer); err != nil {
			var derr *domain.Error
			if !errors.As(err, &derr) || derr.Code != domain.CodeNotFound {
				t.Fatalf("remove %s→%s: %v", k.Supplier, k.Customer, err)
			}
		}
	}
	if len(s.SuspendControls) > 0 {
		controls, err := store.ExportControls(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var recs []any
		for _, x := range s.SuspendControls {
			i := slices.IndexFunc(controls, func(c domain.ExportControl) bool { return c.ID == x.ID })
			c := controls[i]
			c.SuspendedFrom, c.SuspendedUntil = x.From, x.Until
			controls[i] = c
			recs = append(recs, c)
		}
		if _, err := store.WriteSeed(ctx, domain.KindControl, recs, nil); err != nil {
			t.Fatalf("suspending controls: %v", err)
		}
	}
}
