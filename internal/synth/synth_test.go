package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/licencegraph/licencegraph/internal/countries"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
)

// header is the CSV header of a generated file: every column of its kind in
// the seed table's order (internal/seed.Kinds, the loader's own), so the
// generator cannot drift from the format.
func header(name string) string {
	kind := domain.Kind(strings.TrimSuffix(name, ".csv"))
	return strings.Join(seed.ColumnsOf(kind).Names(), ",")
}

var fileNames = []string{"sectors.csv", "materials.csv", "controls.csv", "companies.csv", "supply.csv", "licences.csv"}

func generate(t testing.TB, o Options) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Generate(context.Background(), o, dir)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return dir, sum
}

func TestDeterminism(t *testing.T) {
	base := Options{Companies: 2000, Seed: 7}
	dirA, _ := generate(t, base)
	dirB, _ := generate(t, base)
	other := base
	other.Seed = 8
	dirC, _ := generate(t, other)
	for _, name := range fileNames {
		a := readFile(t, filepath.Join(dirA, name))
		b := readFile(t, filepath.Join(dirB, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same options", name)
		}
	}
	if bytes.Equal(readFile(t, filepath.Join(dirA, "supply.csv")), readFile(t, filepath.Join(dirC, "supply.csv"))) {
		t.Error("supply.csv is the same for seeds 7 and 8")
	}
}

func TestOverwrite(t *testing.T) {
	dir := t.TempDir()
	big := Options{Companies: 500, Seed: 1}
	if _, err := Generate(context.Background(), big, dir); err != nil {
		t.Fatal(err)
	}
	small := Options{Companies: 40, Seed: 1}
	if _, err := Generate(context.Background(), small, dir); err != nil {
		t.Fatal(err)
	}
	fresh, _ := generate(t, small)
	for _, name := range fileNames {
		if !bytes.Equal(readFile(t, filepath.Join(dir, name)), readFile(t, filepath.Join(fresh, name))) {
			t.Errorf("%s: regenerating over an existing world does not give a fresh world's file", name)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"too few companies", Options{Companies: 29}, "at least 30 companies"},
		{"no companies", Options{}, "at least 30 companies"},
		{"negative links", Options{Companies: 100, LinksPerCompany: -1}, "links per company"},
		{"NaN links", Options{Companies: 100, LinksPerCompany: math.NaN()}, "links per company"},
		{"negative max rows", Options{Companies: 100, MaxRows: -1}, "max rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Generate(context.Background(), tc.o, dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{Companies: 1000}, t.TempDir())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestTierCounts(t *testing.T) {
	for n := MinCompanies; n <= 300; n++ {
		c := tierCounts(n)
		sum := 0
		for tr, k := range c {
			if k < 1 {
				t.Fatalf("n=%d: tier %v has %d companies", n, tier(tr), k)
			}
			sum += k
		}
		if sum != n {
			t.Fatalf("n=%d: tiers add up to %d", n, sum)
		}
	}
}

// TestShape checks the files of generated worlds: full headers, valid
// enums and references, and the features benchmarks and tests rely on.
func TestShape(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		full bool // check the statistical features too (large enough worlds)
	}{
		{"N=2000", Options{Companies: 2000, Seed: 1}, true},
		{"N=2000 seed 42", Options{Companies: 2000, Seed: 42}, true},
		{"N=5000 as of 2025-12-01, 4 links", Options{Companies: 5000, Seed: 3, LinksPerCompany: 4, AsOf: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}, true},
		{"N=30", Options{Companies: 30, Seed: 1}, false},
		{"N=31 seed 9", Options{Companies: 31, Seed: 9}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, sum := generate(t, tc.o)
			w := loadWorld(t, dir)
			checkWorld(t, w, tc.o, sum, tc.full)
		})
	}
}

type world struct {
	sectors   map[string]string // id -> parent
	materials map[string]string // id -> kind
	controls  map[string][]string
	companies map[string]company
	order     []string // company ids in file order
	links     []link
	licences  []licence
	sizes     map[string]int64
}

type company struct {
	country string
	roles   []string
	sectors []string
}

type link struct {
	s, c         string
	mats         []string
	since, until string
}

type licence struct {
	id, typ, status, holder        string
	clients, mats, excluded, ctrls []string
	issued, from, until, revoked   string
	reference                      string
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readCSV reads a generated file, checks its header against the seed
// table and returns its rows as maps.
func readCSV(t *testing.T, dir, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll() // also checks equal field counts
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", name)
	}
	if got, want := strings.Join(recs[0], ","), header(name); got != want {
		t.Fatalf("%s header = %q, want %q", name, got, want)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[recs[0][i]] = v
		}
		rows = append(rows, m)
	}
	return rows
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

func loadWorld(t *testing.T, dir string) *world {
	t.Helper()
	w := &world{
		sectors:   map[string]string{},
		materials: map[string]string{},
		controls:  map[string][]string{},
		companies: map[string]company{},
		sizes:     map[string]int64{},
	}
	for _, name := range fileNames {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w.sizes[name] = fi.Size()
	}
	for _, r := range readCSV(t, dir, "sectors.csv") {
		if _, dup := w.sectors[r["id"]]; dup {
			t.Errorf("sector %s defined twice", r["id"])
		}
		w.sectors[r["id"]] = r["parent"]
	}
	for _, r := range readCSV(t, dir, "materials.csv") {
		w.materials[r["id"]] = r["kind"]
	}
	for _, r := range readCSV(t, dir, "controls.csv") {
		w.controls[r["id"]] = list(r["materials"])
		if e := r["effective_from"]; e != "" && e < r["announced_on"] {
			t.Errorf("control %s: effective before announced", r["id"])
		}
		if r["suspended_until"] != "" && !(r["suspended_from"] != "" && r["suspended_from"] < r["suspended_until"]) {
			t.Errorf("control %s: bad suspension window", r["id"])
		}
		for _, k := range []string{"announced_on", "effective_from", "suspended_from", "suspended_until", "lifted_on"} {
			checkDate(t, "control "+r["id"]+" "+k, r[k])
		}
	}
	for _, r := range readCSV(t, dir, "companies.csv") {
		id := r["id"]
		if _, dup := w.companies[id]; dup {
			t.Errorf("company %s defined twice", id)
		}
		if r["name"] == "" || r["country"] == "" {
			t.Errorf("company %s: name or country missing", id)
		}
		if lei := r["lei"]; lei != "" && !validLEI(lei) {
			t.Errorf("company %s: LEI %q has wrong check digits", id, lei)
		}
		w.companies[id] = company{country: r["country"], roles: list(r["roles"]), sectors: list(r["sectors"])}
		w.order = append(w.order, id)
	}
	for _, r := range readCSV(t, dir, "supply.csv") {
		l := link{s: r["supplier"], c: r["customer"], mats: list(r["materials"]), since: r["since"], until: r["until"]}
		checkDate(t, "link since", l.since)
		checkDate(t, "link until", l.until)
		if l.since != "" && l.until != "" && l.until <= l.since {
			t.Errorf("link %s→%s: until %s not after since %s", l.s, l.c, l.until, l.since)
		}
		c, err := strconv.ParseFloat(r["confidence"], 64)
		if err != nil || c < 0.3 || c > 1 || len(r["confidence"]) != 4 {
			t.Errorf("link %s→%s: confidence %q", l.s, l.c, r["confidence"])
		}
		for _, s := range list(r["sources"]) {
			if !strings.HasPrefix(s, "https://") {
				t.Errorf("link %s→%s: source %q", l.s, l.c, s)
			}
		}
		w.links = append(w.links, l)
	}
	for _, r := range readCSV(t, dir, "licences.csv") {
		l := licence{
			id: r["id"], typ: r["type"], status: r["status"], holder: r["holder"],
			clients: list(r["clients"]), mats: list(r["materials"]), excluded: list(r["excluded_sectors"]),
			ctrls: list(r["controls"]), issued: r["issued_on"], from: r["valid_from"],
			until: r["valid_until"], revoked: r["revoked_on"], reference: r["reference"],
		}
		for _, d := range []string{l.issued, l.from, l.until, l.revoked} {
			checkDate(t, "licence "+l.id, d)
		}
		w.licences = append(w.licences, l)
	}
	return w
}

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

func BenchmarkGenerate100k(b *testing.B) {
	dir := b.TempDir()
	var sum Summary
	iters := 0
	start := time.Now()
	for b.Loop() {
		var err error
		sum, err = Generate(context.Background(), Options{Companies: 100_000, Seed: 1}, dir)
		if err != nil {
			b.Fatal(err)
		}
		iters++
	}
	elapsed := time.Since(start)
	var total int64
	for _, f := range sum.Files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		total += fi.Size()
	}
	b.ReportMetric(elapsed.Seconds()/float64(iters), "s/world")
	b.ReportMetric(float64(total), "bytes/world")
	b.ReportMetric(float64(sum.SupplyLinks), "links")
	b.ReportMetric(float64(sum.Licences), "licences")
}
