package projection

import (
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// graph is what exposure and licence lists need of the stored graph, in
// memory: companies by index, their supply links both ways, licences,
// the sector tree and the export controls. It is changed only by the
// Projection, under its write lock.
type graph struct {
	ids     []string
	index   map[string]int32
	country []string
	origin  []uint8   // originOf(country), kept with it
	sectors [][]int32 // sectors each company OPERATES_IN
	out     [][]link  // links from each company (supplier) to its customers
	in      [][]link  // links to each company (customer) from its suppliers

	mats   *interner  // material ids
	matSet *setTable  // material sets of links, by id
	attrs  *attrTable // what links carry: material set and confidence

	sectorIDs    []string
	sectorIndex  map[string]int32
	parent       []int32   // -1 for a root
	sectorOf     [][]int32 // companies operating in each sector (directly)
	licences     map[string]*licence
	held         map[int32][]*licence // by holder
	covering     map[int32][]*licence // by client
	controls     map[string]*control
	controlOrder []string // control ids, sorted

	// walk is the links laid out for walks (walks); walkMu guards it
	// and walkOrder, the order of that layout, which link writes keep
	// (any order gives the same answers; this one makes them faster).
	walk      *walkLinks
	walkOrder []int32
	walkMu    *sync.Mutex
	// hops is the first-hop candidates with their licences (hopTable);
	// hopMu guards it. Licence copies get their own.
	hops  *hopTable
	hopMu *sync.Mutex

	// rank orders companies by id (rank[i] < rank[j] when ids[i] <
	// ids[j]), for answers sorted by id, and byRank is its inverse (the
	// companies in id order); both kept by sortCompanies.
	rank, byRank []int32
}

// sortCompanies ranks the companies by id when some are new; it runs
// under the projection's write lock, after a load or a write.
func (g *graph) sortCompanies() {
	if len(g.rank) == len(g.ids) {
		return
	}
	order := make([]int32, len(g.ids))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(g.ids[a], g.ids[b]) })
	g.rank = make([]int32, len(g.ids))
	for r, i := range order {
		g.rank[i] = int32(r)
	}
	g.byRank = order
}

// idRank is the order of companies by id (sortCompanies).
func (g *graph) idRank() []int32 { return g.rank }

// day is a date as days since 1970-01-01; absent bounds are open.
type day = int32

const (
	openStart day = math.MinInt32
	openEnd   day = math.MaxInt32
)

func dayOf(d domain.Date, absent day) day {
	if d.IsZero() {
		return absent
	}
	return day(d.Time().Unix() / 86400)
}

// link is one SUPPLIES relationship seen from one end: other is the
// company at the other end.
type link struct {
	other        int32
	since, until day   // since absent: openStart; until absent: openEnd (exclusive)
	attr         int32 // its materials and confidence, in g.attrs
}

// linkMats is the materials of l, sorted.
func (g *graph) linkMats(l link) []int32 { return g.attrs.mats[l.attr] }

// linkConf is the confidence of l, NaN when it has none.
func (g *graph) linkConf(l link) float64 { return g.attrs.conf[l.attr] }

// confOf is a stored confidence as a number, NaN when absent.
func confOf(c *float64) float64 {
	if c == nil {
		return math.NaN()
	}
	return *c
}

// current is exposure rule 2's "link current on d".
func (l link) current(d day) bool { return l.since <= d && d < l.until }

type licence struct {
	domain.Licence
	holder                       int32
	clients                      []int32 // sorted
	mats                         []int32 // material ids, sorted
	excluded                     []int32 // sector ids
	validFrom, validUntil, revok day     // validUntil inclusive; revok: openEnd when not revoked
}

type control struct {
	domain.ExportControl
	mats                                []int32
	effective, lifted, suspFrom, suspTo day
}

func newGraph() *graph {
	return &graph{
		index: map[string]int32{}, mats: newInterner(), matSet: newSetTable(), attrs: newAttrTable(),
		sectorIndex: map[string]int32{}, licences: map[string]*licence{},
		held: map[int32][]*licence{}, covering: map[int32][]*licence{}, controls: map[string]*control{},
		walkMu: &sync.Mutex{}, hopMu: &sync.Mutex{},
	}
}

// company returns the index of id, adding a company without properties
// when it is new.
func (g *graph) company(id string) int32 {
	if i, ok := g.index[id]; ok {
		return i
	}
	i := int32(len(g.ids))
	g.dropWalks()
	g.dropHops()
	g.index[id] = i
	g.ids = append(g.ids, id)
	g.country = append(g.country, "")
	g.origin = append(g.origin, originUnknown)
	g.sectors = append(g.sectors, nil)
	g.out = append(g.out, nil)
	g.in = append(g.in, nil)
	return i
}

func (g *graph) sector(id string) int32 {
	if i, ok := g.sectorIndex[id]; ok {
		return i
	}
	i := int32(len(g.sectorIDs))
	g.sectorIndex[id] = i
	g.sectorIDs = append(g.sectorIDs, id)
	g.parent = append(g.parent, -1)
	g.sectorOf = append(g.sectorOf, nil)
	return i
}

func (g *graph) setSector(s domain.Sector) {
	i := g.sector(s.ID)
	g.dropHops()
	g.parent[i] = -1
	if s.Parent != "" {
		g.parent[i] = g.sector(s.Parent)
	}
}

func (g *graph) setCompany(c domain.Company) {
	i := g.company(c.ID)
	g.dropHops()
	g.country[i] = c.Country
	g.origin[i] = originOf(c.Country)
	for _, s := range g.sectors[i] {
		g.sectorOf[s] = remove(g.sectorOf[s], i)
	}
	g.sectors[i] = g.sectors[i][:0]
	for _, id := range c.Sectors {
		s := g.sector(id)
		g.sectors[i] = append(g.sectors[i], s)
		g.sectorOf[s] = append(g.sectorOf[s], i)
	}
}

// setLink adds or replaces the link l.Supplier→l.Customer.
func (g *graph) setLink(l domain.SupplyLink) {
	s, c := g.company(l.Supplier), g.company(l.Customer)
	mats := make([]int32, len(l.Materials))
	for i, m := range l.Materials {
		mats[i] = g.mats.id(m)
	}
	k := link{since: dayOf(l.Since, openStart), until: dayOf(l.Until, openEnd), attr: g.attrs.id(g.matSet, g.matSet.id(mats), confOf(l.Confidence))}
	g.dropWalks()
	g.dropHops()
	out, in := k, k
	out.other, in.other = c, s
	g.out[s] = put(g.out[s], out)
	g.in[c] = put(g.in[c], in)
}

func (g *graph) removeLink(supplier, customer string) {
	s, ok1 := g.index[supplier]
	c, ok2 := g.index[customer]
	if !ok1 || !ok2 {
		return
	}
	g.dropWalks()
	g.dropHops()
	g.out[s] = slices.DeleteFunc(g.out[s], func(l link) bool { return l.other == c })
	g.in[c] = slices.DeleteFunc(g.in[c], func(l link) bool { return l.other == s })
}

// snapshot is a copy of g's fields, for a copy of the graph: the walk
// layout and the hop table, which questions on g fill in meanwhile, are
// read under their locks.
func (g *graph) snapshot() graph {
	g.walkMu.Lock()
	defer g.walkMu.Unlock()
	g.hopMu.Lock()
	defer g.hopMu.Unlock()
	return *g
}

// dropWalks forgets the walk layout of the links, which a change to them
// makes stale. Changes in place run while no view reads the graph.
func (g *graph) dropWalks() {
	g.walkMu.Lock()
	g.walk = nil
	g.walkMu.Unlock()
}

// put replaces the link to the same other company, or appends l.
func put(links []link, l link) []link {
	for i := range links {
		if links[i].other == l.other {
			links[i] = l
			return links
		}
	}
	return append(links, l)
}

func remove(xs []int32, x int32) []int32 {
	return slices.DeleteFunc(xs, func(y int32) bool { return y == x })
}

func (g *graph) setLicence(l domain.Licence) {
	g.removeLicence(l.ID)
	g.dropHops()
	x := &licence{Licence: l, holder: -1,
		validFrom: dayOf(l.ValidFrom, openStart), validUntil: dayOf(l.ValidUntil, openEnd), revok: dayOf(l.RevokedOn, openEnd)}
	if l.Holder != "" {
		x.holder = g.company(l.Holder)
		g.held[x.holder] = insertByID(g.held[x.holder], x)
	}
	for _, c := range l.Clients {
		i := g.company(c)
		x.clients = append(x.clients, i)
		g.covering[i] = insertByID(g.covering[i], x)
	}
	slices.Sort(x.clients)
	for _, m := range l.Materials {
		x.mats = append(x.mats, g.mats.id(m))
	}
	slices.Sort(x.mats)
	for _, s := range l.ExcludedSectors {
		x.excluded = append(x.excluded, g.sector(s))
	}
	g.licences[l.ID] = x
}

func (g *graph) removeLicence(id string) {
	old, ok := g.licences[id]
	if !ok {
		return
	}
	delete(g.licences, id)
	g.dropHops()
	drop := func(m map[int32][]*licence, k int32) {
		m[k] = slices.DeleteFunc(m[k], func(l *licence) bool { return l.ID == id })
		if len(m[k]) == 0 {
			delete(m, k)
		}
	}
	if old.holder >= 0 {
		drop(g.held, old.holder)
	}
	for _, c := range old.clients {
		drop(g.covering, c)
	}
}

// knowsAll says the licences name only companies, materials and sectors
// the graph has, so setting them adds nothing to the tables they share
// with other versions (withLicences).
func (g *graph) knowsAll(ls map[string]domain.Licence) bool {
	for _, l := range ls {
		if _, ok := g.index[l.Holder]; l.Holder != "" && !ok {
			return false
		}
		for _, c := range l.Clients {
			if _, ok := g.index[c]; !ok {
				return false
			}
		}
		for _, m := range l.Materials {
			if _, ok := g.mats.ids[m]; !ok {
				return false
			}
		}
		for _, s := range l.ExcludedSectors {
			if _, ok := g.sectorIndex[s]; !ok {
				return false
			}
		}
	}
	return true
}

// withLicences returns a copy of g with the licences of ids set to ls (an
// id ls lacks is removed). The copy shares everything with g but the
// licence tables, which it copies (the lists of the companies it touches
// too), so g stays as it was for the views still reading it. ls must pass
// knowsAll.
func (g *graph) withLicences(ids map[string]bool, ls map[string]domain.Licence) *graph {
	ng := g.snapshot()
	ng.hops, ng.hopMu = nil, &sync.Mutex{}
	ng.licences = maps.Clone(g.licences)
	ng.held = maps.Clone(g.held)
	ng.covering = maps.Clone(g.covering)
	own := func(m map[int32][]*licence, k int32) {
		if l, ok := m[k]; ok {
			m[k] = slices.Clone(l)
		}
	}
	// The lists of the holders and clients the licences touch, before and
	// after, become the copy's own; the hops between them are judged
	// again (withPairs).
	var pairs [][2]int32
	touch := func(holder string, clients []string) {
		h, ok := g.index[holder]
		if ok {
			own(ng.held, h)
		}
		for _, c := range clients {
			own(ng.covering, g.index[c])
			if ok {
				pairs = append(pairs, [2]int32{h, g.index[c]})
			}
		}
	}
	for id := range ids {
		if old, ok := g.licences[id]; ok {
			touch(old.Holder, old.Clients)
		}
		if l, ok := ls[id]; ok {
			touch(l.Holder, l.Clients)
		}
	}
	for id := range ids {
		if l, ok := ls[id]; ok {
			ng.setLicence(l)
		} else {
			ng.removeLicence(id)
		}
	}
	g.hopMu.Lock()
	t := g.hops
	g.hopMu.Unlock()
	if t != nil {
		ng.hops = t.withPairs(&ng, pairs)
	}
	return &ng
}

// insertByID keeps a company's licence list sorted by id.
func insertByID(ls []*licence, l *licence) []*licence {
	i, _ := slices.BinarySearchFunc(ls, l.ID, func(x *licence, id string) int { return strings.Compare(x.ID, id) })
	return slices.Insert(ls, i, l)
}

func (g *graph) setControl(x domain.ExportControl) {
	c := &control{ExportControl: x,
		effective: dayOf(x.EffectiveFrom, openEnd), lifted: dayOf(x.LiftedOn, openEnd),
		suspFrom: dayOf(x.SuspendedFrom, openEnd), suspTo: dayOf(x.SuspendedUntil, openEnd)}
	for _, m := range x.Materials {
		c.mats = append(c.mats, g.mats.id(m))
	}
	if _, ok := g.controls[x.ID]; !ok {
		i, _ := slices.BinarySearch(g.controlOrder, x.ID)
		g.controlOrder = slices.Insert(g.controlOrder, i, x.ID)
	}
	g.controls[x.ID] = c
}

// interner numbers strings.
type interner struct {
	ids   map[string]int32
	names []string
}

func newInterner() *interner { return &interner{ids: map[string]int32{}} }

func (n *interner) id(s string) int32 {
	if i, ok := n.ids[s]; ok {
		return i
	}
	i := int32(len(n.names))
	n.ids[s] = i
	n.names = append(n.names, s)
	return i
}

// setTable numbers sets of material ids: links share a few sets, so a link
// holds four bytes instead of a list.
type setTable struct {
	ids  map[string]int32
	sets [][]int32
}

func newSetTable() *setTable { return &setTable{ids: map[string]int32{}} }

func (t *setTable) id(set []int32) int32 {
	sorted := slices.Clone(set)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	var b strings.Builder
	for _, m := range sorted {
		b.WriteString(string(rune(m + 1)))
	}
	key := b.String()
	if i, ok := t.ids[key]; ok {
		return i
	}
	i := int32(len(t.sets))
	t.ids[key] = i
	t.sets = append(t.sets, sorted)
	return i
}

// attrTable numbers what a link carries besides its ends and dates — its
// material set and its confidence — so that a link holds four bytes for
// both and stays 16 bytes long (the walks over links run at the speed of
// memory): links share a few thousand pairs. The confidence is kept exact
// (float64): path products are compared with a minimum to 1e-9; NaN
// stands for none, and a product with it is NaN, which meets no minimum.
type attrTable struct {
	ids  map[attrKey]int32
	mats [][]int32 // sets of the graph's setTable, shared
	// conf apart from mats: the walks with a minimum confidence read it
	// for every link, and 8 bytes an entry keep it in the cache.
	conf []float64
}

type attrKey struct {
	set  int32
	conf uint64 // the bits; every NaN is one key
}

func newAttrTable() *attrTable { return &attrTable{ids: map[attrKey]int32{}} }

func (t *attrTable) id(sets *setTable, set int32, conf float64) int32 {
	k := attrKey{set, math.Float64bits(conf)}
	if math.IsNaN(conf) {
		k.conf = math.Float64bits(math.NaN())
	}
	if i, ok := t.ids[k]; ok {
		return i
	}
	i := int32(len(t.conf))
	t.ids[k] = i
	t.mats, t.conf = append(t.mats, sets.sets[set]), append(t.conf, conf)
	return i
}
