package synth

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/countries"
)

func checkDate(t *testing.T, what, s string) {
	t.Helper()
	if s == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		t.Errorf("%s: bad date %q", what, s)
	}
}

func validLEI(s string) bool {
	if len(s) != 20 {
		return false
	}
	mod := 0
	for _, c := range s {
		v := strings.IndexRune(alnum, c)
		if v < 0 {
			return false
		}
		if v >= 10 {
			mod = (mod*100 + v) % 97
		} else {
			mod = (mod*10 + v) % 97
		}
	}
	return mod == 1
}

var (
	validRoles    = []string{"MINER", "REFINER", "MAGNET_MAKER", "COMPONENT_SUPPLIER", "OEM", "OTHER"}
	validKinds    = []string{"ELEMENT", "OXIDE", "METAL", "ALLOY", "MAGNET", "OTHER"}
	validTypes    = []string{"GENERAL", "TEMPORARY", "PER_SHIPMENT"}
	validStatuses = []string{"PENDING", "ACTIVE", "DENIED", "REVOKED"}
)

func checkWorld(t *testing.T, w *world, o Options, sum Summary, full bool) {
	t.Helper()
	asOf := DefaultAsOf
	if !o.AsOf.IsZero() {
		asOf = o.AsOf
	}
	D := asOf.Format(time.DateOnly)
	lpc := o.LinksPerCompany
	if lpc == 0 {
		lpc = DefaultLinksPerCompany
	}

	// summary agrees with the files
	if sum.Companies != len(w.companies) || sum.SupplyLinks != len(w.links) || sum.Licences != len(w.licences) ||
		sum.Sectors != len(w.sectors) || sum.Materials != len(w.materials) || sum.Controls != len(w.controls) {
		t.Errorf("summary %+v does not match the files", sum)
	}
	if len(sum.Files) != len(fileNames) {
		t.Errorf("summary files = %v", sum.Files)
	}
	if len(w.companies) != o.Companies {
		t.Errorf("%d companies, want %d", len(w.companies), o.Companies)
	}

	// sectors: every parent exists, no cycles; the named sectors exist
	for id, p := range w.sectors {
		seen := map[string]bool{id: true}
		for p != "" {
			if _, ok := w.sectors[p]; !ok {
				t.Errorf("sector %s: parent %s undefined", id, p)
				break
			}
			if seen[p] {
				t.Errorf("sector %s: PART_OF cycle", id)
				break
			}
			seen[p] = true
			p = w.sectors[p]
		}
	}
	for _, id := range []string{"automotive", "automotive-oem", "automotive-ev-motors", "automotive-components", "automotive-braking", "automotive-steering", "defence", "defence-aerospace", "aerospace", "semiconductors", "wind-energy", "electronics", "industrial-motors", "medical"} {
		if _, ok := w.sectors[id]; !ok {
			t.Errorf("sector %s missing", id)
		}
	}
	if w.sectors["automotive-braking"] != "automotive-components" || w.sectors["automotive-components"] != "automotive" {
		t.Error("automotive-braking is not under automotive-components under automotive")
	}

	// materials and controls
	for id, k := range w.materials {
		if !slices.Contains(validKinds, k) {
			t.Errorf("material %s: kind %q", id, k)
		}
	}
	controlled := map[string]bool{}
	for id, ms := range w.controls {
		for _, m := range ms {
			if _, ok := w.materials[m]; !ok {
				t.Errorf("control %s: material %s undefined", id, m)
			}
			controlled[m] = true
		}
	}
	for _, m := range []string{"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y", "Ho", "Er", "Tm", "Eu", "Yb", "NdFeB", "SmCo"} {
		if !controlled[m] || w.materials[m] == "" {
			t.Errorf("material %s missing or not controlled", m)
		}
	}
	if w.materials["NdFeB"] != "MAGNET" || w.materials["SmCo"] != "MAGNET" {
		t.Error("NdFeB and SmCo must be MAGNETs")
	}
	uncontrolled := 0
	for id := range w.materials {
		if !controlled[id] {
			uncontrolled++
		}
	}
	if uncontrolled == 0 {
		t.Error("no uncontrolled material")
	}

	// companies
	type tierKey struct{ role, where string }
	tiers := map[tierKey]int{}
	for i, id := range w.order {
		if want := "c" + leftPad(strconv.Itoa(i+1), 6); id != want {
			t.Fatalf("company %d has id %s, want %s", i+1, id, want)
		}
		c := w.companies[id]
		if _, ok := countries.Lookup(c.country); !ok {
			t.Errorf("company %s: country %q not in the ISO table", id, c.country)
		}
		if len(c.roles) == 0 {
			t.Errorf("company %s: no roles", id)
		}
		where := "foreign"
		if c.country == "CN" {
			where = "CN"
		}
		for _, r := range c.roles {
			if !slices.Contains(validRoles, r) {
				t.Errorf("company %s: role %q", id, r)
			}
			tiers[tierKey{r, where}]++
		}
		for _, s := range c.sectors {
			if _, ok := w.sectors[s]; !ok {
				t.Errorf("company %s: sector %s undefined", id, s)
			}
		}
	}
	if !slices.IsSorted(w.order) {
		t.Error("company ids are not in lexical order")
	}
	for _, k := range []tierKey{{"REFINER", "CN"}, {"MAGNET_MAKER", "CN"}, {"MAGNET_MAKER", "foreign"}, {"COMPONENT_SUPPLIER", "foreign"}, {"OEM", "foreign"}, {"MINER", "foreign"}, {"OTHER", "foreign"}} {
		if k.role == "MINER" || k.role == "OTHER" {
			if tiers[tierKey{k.role, "CN"}]+tiers[k] == 0 {
				t.Errorf("no %s", k.role)
			}
			continue
		}
		if tiers[k] == 0 {
			t.Errorf("no %s company registered %s", k.role, k.where)
		}
	}

	// supply links
	if full {
		want := lpc * float64(o.Companies)
		if n := float64(len(w.links)); n < want*0.9 || n > want*1.1 {
			t.Errorf("%d links, want %v ± 10%%", len(w.links), want)
		}
	}
	pairs := map[[2]string]bool{}
	customers := map[string]map[string]bool{}
	adj := map[string][]string{}
	var ended, future, cnToCN, foreignToCN, cnToForeign int
	for _, l := range w.links {
		cs, okS := w.companies[l.s]
		cc, okC := w.companies[l.c]
		if !okS || !okC {
			t.Errorf("link %s→%s: undefined company", l.s, l.c)
			continue
		}
		if l.s == l.c {
			t.Errorf("self-link %s", l.s)
		}
		p := [2]string{l.s, l.c}
		if pairs[p] {
			t.Errorf("duplicate link %s→%s", l.s, l.c)
		}
		pairs[p] = true
		for _, m := range l.mats {
			if _, ok := w.materials[m]; !ok {
				t.Errorf("link %s→%s: material %s undefined", l.s, l.c, m)
			}
		}
		if customers[l.s] == nil {
			customers[l.s] = map[string]bool{}
		}
		customers[l.s][l.c] = true
		adj[l.s] = append(adj[l.s], l.c)
		if l.until != "" && l.until <= D {
			ended++
		}
		if l.since > D {
			future++
		}
		switch {
		case cs.country == "CN" && cc.country == "CN":
			cnToCN++
		case cs.country != "CN" && cc.country == "CN":
			foreignToCN++
		case cs.country == "CN":
			cnToForeign++
		}
	}
	if !hasCycle(w.order, adj) {
		t.Error("the supply graph has no cycle")
	}
	if full {
		if ended < len(w.links)/20 || future < len(w.links)/40 {
			t.Errorf("%d ended and %d future links of %d", ended, future, len(w.links))
		}
		if cnToCN == 0 || foreignToCN == 0 || cnToForeign == 0 {
			t.Errorf("links CN→CN %d, foreign→CN %d, CN→foreign %d: want some of each", cnToCN, foreignToCN, cnToForeign)
		}
		// About one link in ten has no confidence (exposure paths of
		// unknown confidence).
		if n := len(w.links); w.noConfidence < n/20 || w.noConfidence > n/6 {
			t.Errorf("%d of %d links without confidence, want about a tenth", w.noConfidence, n)
		}
	}

	// licences
	types, statuses := map[string]int{}, map[string]int{}
	var excluded, noMats, revokedPast, activeRevokedPast, notYetValid, expired int
	covered := map[[2]string]bool{}
	ids := map[string]bool{}
	for _, l := range w.licences {
		if ids[l.id] {
			t.Errorf("licence %s defined twice", l.id)
		}
		ids[l.id] = true
		if !slices.Contains(validTypes, l.typ) || !slices.Contains(validStatuses, l.status) {
			t.Errorf("licence %s: type %q status %q", l.id, l.typ, l.status)
		}
		types[l.typ]++
		statuses[l.status]++
		h, ok := w.companies[l.holder]
		if !ok {
			t.Errorf("licence %s: holder %s undefined", l.id, l.holder)
			continue
		}
		if h.country != "CN" || !(slices.Contains(h.roles, "REFINER") || slices.Contains(h.roles, "MAGNET_MAKER")) {
			t.Errorf("licence %s: holder %s is %s %v, want a Chinese refiner or magnet maker", l.id, l.holder, h.country, h.roles)
		}
		if len(l.clients) == 0 || len(l.clients) > maxClients {
			t.Errorf("licence %s: %d clients", l.id, len(l.clients))
		}
		for _, c := range l.clients {
			if !customers[l.holder][c] {
				t.Errorf("licence %s: client %s is not a customer of %s", l.id, c, l.holder)
			}
			if w.companies[c].country == "CN" {
				t.Errorf("licence %s: client %s is Chinese", l.id, c)
			}
			covered[[2]string{l.holder, c}] = true
		}
		for _, m := range l.mats {
			if _, ok := w.materials[m]; !ok {
				t.Errorf("licence %s: material %s undefined", l.id, m)
			}
		}
		for _, s := range l.excluded {
			if _, ok := w.sectors[s]; !ok {
				t.Errorf("licence %s: excluded sector %s undefined", l.id, s)
			}
		}
		if len(l.ctrls) == 0 {
			t.Errorf("licence %s: no controls", l.id)
		}
		for _, c := range l.ctrls {
			if _, ok := w.controls[c]; !ok {
				t.Errorf("licence %s: control %s undefined", l.id, c)
			}
		}
		if l.from != "" && l.until != "" && l.until < l.from {
			t.Errorf("licence %s: valid_until %s before valid_from %s", l.id, l.until, l.from)
		}
		if l.issued != "" && l.revoked != "" && l.revoked < l.issued {
			t.Errorf("licence %s: revoked_on %s before issued_on %s", l.id, l.revoked, l.issued)
		}
		if l.status == "REVOKED" && l.revoked == "" {
			t.Errorf("licence %s: REVOKED without revoked_on", l.id)
		}
		if len(l.excluded) > 0 {
			excluded++
		}
		if len(l.mats) == 0 {
			noMats++
		}
		if l.revoked != "" && l.revoked <= D {
			revokedPast++
			if l.status == "ACTIVE" {
				activeRevokedPast++
			}
		}
		if l.status == "ACTIVE" && l.from > D {
			notYetValid++
		}
		if l.status == "ACTIVE" && l.until != "" && l.until < D {
			expired++
		}
	}
	if !full {
		return
	}
	for _, s := range validStatuses {
		if statuses[s] == 0 {
			t.Errorf("no %s licence", s)
		}
	}
	for _, s := range validTypes {
		if types[s] == 0 {
			t.Errorf("no %s licence", s)
		}
	}
	if excluded == 0 || noMats == 0 || revokedPast == 0 || activeRevokedPast == 0 || notYetValid == 0 || expired == 0 {
		t.Errorf("licences with exclusions %d, no materials %d, past revoked_on %d (ACTIVE %d), not yet valid %d, expired %d: want some of each",
			excluded, noMats, revokedPast, activeRevokedPast, notYetValid, expired)
	}
	uncoveredPairs := 0
	for _, l := range w.links {
		if w.companies[l.s].country == "CN" && w.companies[l.c].country != "CN" && !covered[[2]string{l.s, l.c}] {
			uncoveredPairs++
		}
	}
	if uncoveredPairs == 0 {
		t.Error("every CN→foreign link has a licence covering the customer: want some NO_LICENCE cases")
	}
	t.Logf("%d companies, %d links (%d ended, %d future), %d licences %v %v; bytes %v",
		len(w.companies), len(w.links), ended, future, len(w.licences), statuses, types, w.sizes)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// hasCycle reports whether the directed graph has a cycle (iterative DFS
// with white/grey/black colouring).
func hasCycle(nodes []string, adj map[string][]string) bool {
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	type frame struct {
		n string
		i int
	}
	for _, root := range nodes {
		if colour[root] != white {
			continue
		}
		stack := []frame{{root, 0}}
		colour[root] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.i < len(adj[top.n]) {
				next := adj[top.n][top.i]
				top.i++
				switch colour[next] {
				case grey:
					return true
				case white:
					colour[next] = grey
					stack = append(stack, frame{next, 0})
				}
				continue
			}
			colour[top.n] = black
			stack = stack[:len(stack)-1]
		}
	}
	return false
}
