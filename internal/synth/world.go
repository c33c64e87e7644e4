package synth

import "math/rand/v2"

// The fixed part of the synthetic world: sectors, materials and controls.
// Sector and material ids and names are those of the curated seed
// (seed/sectors.yaml, seed/materials.yaml), so a synthetic world can be
// loaded next to the curated one without changing their properties; the
// synthetic-only materials (NdPr-metal, DyFe) and the controls (SYN-CTRL-*)
// have ids of their own.

// The column headers of each seed-file kind, in the order of the seed
// table (internal/seed.Kinds; synth_test.go holds them to it).
var (
	sectorColumns   = []string{"id", "name", "parent"}
	materialColumns = []string{"id", "name", "kind"}
	controlColumns  = []string{"id", "title", "authority", "announced_on", "effective_from", "suspended_from", "suspended_until", "lifted_on", "materials", "sources", "note"}
	companyColumns  = []string{"id", "name", "aliases", "country", "roles", "sectors", "lei", "website", "note"}
	supplyColumns   = []string{"supplier", "customer", "materials", "since", "until", "confidence", "sources", "note"}
	licenceColumns  = []string{"id", "type", "status", "holder", "clients", "materials", "excluded_sectors", "issued_on", "valid_from", "valid_until", "revoked_on", "revocation_reason", "reference", "sources", "controls", "confidence", "note"}
)

type sector struct{ id, name, parent string }

// sectors is the sector tree; a company's sectors are a bit mask over it.
var sectors = []sector{
	{"automotive", "Automotive", ""},
	{"automotive-oem", "Automotive OEMs (vehicle makers)", "automotive"},
	{"automotive-components", "Automotive components (Tier 1-3 suppliers)", "automotive"},
	{"automotive-ev-motors", "EV traction motors and e-drives", "automotive-components"},
	{"automotive-steering", "Steering systems (incl. electric power steering)", "automotive-components"},
	{"automotive-braking", "Braking systems", "automotive-components"},
	{"automotive-seats", "Seat and door systems (actuators, motors)", "automotive-components"},
	{"automotive-audio", "Automotive audio (speakers)", "automotive-components"},
	{"defence", "Defence and military end users", ""},
	{"defence-aerospace", "Defence aerospace (military aircraft, drones, missiles)", "defence"},
	{"aerospace", "Civil aerospace", ""},
	{"semiconductors", "Semiconductors", ""},
	{"semiconductors-advanced", "Advanced semiconductors (logic <=14 nm, memory >=256 layers, related equipment)", "semiconductors"},
	{"wind-energy", "Wind energy (turbines, generators)", ""},
	{"electronics", "Electronics", ""},
	{"consumer-electronics", "Consumer electronics", "electronics"},
	{"industrial-motors", "Industrial motors and drives", ""},
	{"medical", "Medical devices (e.g. MRI)", ""},
	{"rare-earths", "Rare-earth supply chain", ""},
	{"rare-earth-mining", "Rare-earth mining and concentrate", "rare-earths"},
	{"rare-earth-refining", "Rare-earth separation and refining (oxides, metals, alloys)", "rare-earths"},
	{"rare-earth-magnets", "Rare-earth permanent-magnet manufacturing", "rare-earths"},
}

type material struct{ id, name, kind string }

// materials is the material table; sets of materials are bit masks over it
// (at most 32 entries).
var materials = []material{
	{"Sm", "Samarium", "ELEMENT"},
	{"Gd", "Gadolinium", "ELEMENT"},
	{"Tb", "Terbium", "ELEMENT"},
	{"Dy", "Dysprosium", "ELEMENT"},
	{"Lu", "Lutetium", "ELEMENT"},
	{"Sc", "Scandium", "ELEMENT"},
	{"Y", "Yttrium", "ELEMENT"},
	{"Ho", "Holmium", "ELEMENT"},
	{"Er", "Erbium", "ELEMENT"},
	{"Tm", "Thulium", "ELEMENT"},
	{"Eu", "Europium", "ELEMENT"},
	{"Yb", "Ytterbium", "ELEMENT"},
	{"Nd", "Neodymium", "ELEMENT"},
	{"Pr", "Praseodymium", "ELEMENT"},
	{"Dy2O3", "Dysprosium oxide", "OXIDE"},
	{"Tb4O7", "Terbium oxide", "OXIDE"},
	{"NdPr-oxide", "NdPr oxide (neodymium-praseodymium oxide)", "OXIDE"},
	{"NdPr-metal", "NdPr metal (synthetic)", "METAL"},
	{"DyFe", "Dysprosium-iron alloy (synthetic)", "ALLOY"},
	{"NdFeB", "NdFeB permanent magnet (grades containing Dy or Tb)", "MAGNET"},
	{"NdFeB-HRE-free", "NdFeB permanent magnet, heavy-rare-earth-free (no Dy/Tb)", "MAGNET"},
	{"SmCo", "Samarium-cobalt permanent magnet (control code 1C902.a.4)", "MAGNET"},
	{"RE-concentrate", "Rare-earth mineral concentrate (mixed, unseparated)", "OTHER"},
}

type control struct {
	id, title, authority                    string
	announced, effective, suspFrom, suspTil string
	lifted                                  string
	mats                                    uint32
	sources                                 string
}

const syntheticSource = "https://example.org/synthetic"

// controls: (1) in force since 2025-04-04 (modelled on MOFCOM Ann. 18 of
// 2025); (2) effective 2025-11-08 but suspended 2025-11-07 to 2026-11-10
// (Ann. 57); (3) a lifted one; (4) one that controls no material (like the
// technology controls of Ann. 62).
var controls = []control{
	{
		id: "SYN-CTRL-1", title: "Synthetic export control on medium and heavy rare earths (modelled on MOFCOM & GAC Ann. 18 of 2025)",
		authority: "MOFCOM and GAC (synthetic)", announced: "2025-04-04", effective: "2025-04-04",
		mats:    matMask("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y", "Dy2O3", "Tb4O7", "DyFe", "NdFeB", "SmCo"),
		sources: syntheticSource + "/controls/1",
	},
	{
		id: "SYN-CTRL-2", title: "Synthetic export control on holmium, erbium, thulium, europium and ytterbium (modelled on Ann. 57 of 2025)",
		authority: "MOFCOM and GAC (synthetic)", announced: "2025-10-09", effective: "2025-11-08",
		suspFrom: "2025-11-07", suspTil: "2026-11-10",
		mats:    matMask("Ho", "Er", "Tm", "Eu", "Yb"),
		sources: syntheticSource + "/controls/2;" + syntheticSource,
	},
	{
		id: "SYN-CTRL-3", title: "Synthetic export control on NdPr oxide and metal, since lifted",
		authority: "MOFCOM (synthetic)", announced: "2023-12-01", effective: "2023-12-21", lifted: "2024-09-30",
		mats:    matMask("NdPr-oxide", "NdPr-metal"),
		sources: syntheticSource,
	},
	{
		id: "SYN-CTRL-4", title: "Synthetic export control on rare-earth processing technologies (no materials)",
		authority: "MOFCOM (synthetic)", announced: "2025-10-09",
		suspFrom: "2025-11-07", suspTil: "2026-11-10",
	},
}

// matIndex returns the index of a material id; it panics on an unknown id
// (a programming error in the tables).
func matIndex(id string) int {
	for i, m := range materials {
		if m.id == id {
			return i
		}
	}
	panic("synth: unknown material " + id)
}

func matMask(ids ...string) uint32 {
	var m uint32
	for _, id := range ids {
		m |= 1 << matIndex(id)
	}
	return m
}

func sectorIndex(id string) int {
	for i, s := range sectors {
		if s.id == id {
			return i
		}
	}
	panic("synth: unknown sector " + id)
}

func sectorMask(ids ...string) uint32 {
	var m uint32
	for _, id := range ids {
		m |= 1 << sectorIndex(id)
	}
	return m
}

// controlledMask holds the materials of the controls that are (or will be,
// after a suspension) in force: those a licence is asked for.
var controlledMask = controls[0].mats | controls[1].mats

// weighted is a weighted choice among values (masks or indexes).
type weighted[T any] struct {
	vals  []T
	cum   []int
	total int
}

type wv[T any] struct {
	v T
	w int
}

func newWeighted[T any](items ...wv[T]) *weighted[T] {
	w := &weighted[T]{}
	for _, it := range items {
		w.total += it.w
		w.vals = append(w.vals, it.v)
		w.cum = append(w.cum, w.total)
	}
	return w
}

func (w *weighted[T]) pick(r *rand.Rand) T {
	x := r.IntN(w.total)
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.vals[lo]
}

type mw = wv[uint32]
type sw = wv[string]

// Material sets by kind of link.
var (
	minerOut = newWeighted(mw{matMask("RE-concentrate"), 1})
	// what refiners sell to magnet makers: oxides, metals, alloys
	refinerOut = newWeighted(
		mw{matMask("Nd"), 3}, mw{matMask("Pr"), 2}, mw{matMask("NdPr-oxide"), 4},
		mw{matMask("NdPr-metal"), 3}, mw{matMask("Dy"), 3}, mw{matMask("Tb"), 2},
		mw{matMask("Dy2O3"), 3}, mw{matMask("Tb4O7"), 2}, mw{matMask("DyFe"), 2},
		mw{matMask("Sm"), 1}, mw{matMask("Gd"), 1}, mw{matMask("Ho"), 1},
	)
	// specialty rare earths for electronics, medical, lasers, alloys
	specialtyOut = newWeighted(
		mw{matMask("Y"), 3}, mw{matMask("Eu"), 2}, mw{matMask("Er"), 2},
		mw{matMask("Yb"), 2}, mw{matMask("Gd"), 2}, mw{matMask("Lu"), 1},
		mw{matMask("Sc"), 1}, mw{matMask("Tm"), 1}, mw{matMask("Ho"), 1},
		mw{matMask("Sm"), 1}, mw{matMask("Tb"), 1},
	)
	magnetOut = newWeighted(
		mw{matMask("NdFeB"), 55}, mw{matMask("SmCo"), 10}, mw{matMask("NdFeB", "SmCo"), 6},
		mw{matMask("NdFeB-HRE-free"), 12}, mw{matMask("NdFeB", "Dy"), 4}, mw{matMask("Dy"), 3},
		mw{matMask("Tb"), 3}, mw{matMask("Dy", "Tb"), 2}, mw{matMask("NdFeB", "NdFeB-HRE-free"), 5},
	)
	componentOut = newWeighted(
		mw{matMask("NdFeB"), 50}, mw{matMask("SmCo"), 8}, mw{matMask("NdFeB", "SmCo"), 5},
		mw{matMask("NdFeB-HRE-free"), 15}, mw{0, 22},
	)
)

// Countries by tier (all codes exist in internal/countries; a test checks).
var (
	magnetCountries = newWeighted(
		sw{"JP", 35}, sw{"DE", 12}, sw{"US", 12}, sw{"KR", 8}, sw{"VN", 8}, sw{"EE", 6},
		sw{"GB", 4}, sw{"FR", 4}, sw{"IN", 5}, sw{"TH", 3}, sw{"MY", 3},
	)
	tier2Countries = newWeighted(
		sw{"DE", 14}, sw{"JP", 12}, sw{"US", 10}, sw{"KR", 8}, sw{"MX", 6}, sw{"CZ", 5},
		sw{"PL", 5}, sw{"IT", 5}, sw{"FR", 4}, sw{"ES", 4}, sw{"HU", 3}, sw{"RO", 3},
		sw{"SK", 3}, sw{"TH", 4}, sw{"VN", 3}, sw{"IN", 5}, sw{"TW", 4}, sw{"MY", 2},
		sw{"BR", 2}, sw{"GB", 3}, sw{"SE", 2}, sw{"AT", 2}, sw{"PT", 1}, sw{"TR", 2}, sw{"CA", 2},
	)
	tier1Countries = newWeighted(
		sw{"DE", 15}, sw{"US", 14}, sw{"JP", 13}, sw{"KR", 8}, sw{"FR", 6}, sw{"IT", 5},
		sw{"ES", 4}, sw{"MX", 5}, sw{"CZ", 3}, sw{"PL", 3}, sw{"GB", 4}, sw{"SE", 3},
		sw{"IN", 5}, sw{"BR", 2}, sw{"CA", 3}, sw{"TH", 2}, sw{"HU", 2}, sw{"SK", 1},
		sw{"AT", 2}, sw{"BE", 1}, sw{"NL", 2},
	)
	oemCountries = newWeighted(
		sw{"DE", 14}, sw{"US", 14}, sw{"JP", 14}, sw{"KR", 8}, sw{"FR", 6}, sw{"IT", 4},
		sw{"GB", 5}, sw{"SE", 4}, sw{"IN", 6}, sw{"ES", 3}, sw{"CZ", 2}, sw{"BR", 2},
		sw{"DK", 4}, sw{"NL", 3}, sw{"CA", 2},
	)
	minerCountries = newWeighted(
		sw{"CN", 25}, sw{"AU", 25}, sw{"US", 15}, sw{"MY", 5}, sw{"BR", 8}, sw{"VN", 5},
		sw{"CA", 8}, sw{"ZA", 4}, sw{"MM", 5}, sw{"GL", 2},
	)
	otherCountries = newWeighted(
		sw{"NL", 15}, sw{"SG", 15}, sw{"CH", 15}, sw{"DE", 10}, sw{"US", 10}, sw{"JP", 10},
		sw{"GB", 10}, sw{"CN", 10}, sw{"BE", 5},
	)
)

// Sectors by tier.
var (
	tier2Sectors = newWeighted(
		sw{"automotive-components", 20}, sw{"automotive-ev-motors", 15}, sw{"industrial-motors", 15},
		sw{"electronics", 12}, sw{"consumer-electronics", 6}, sw{"wind-energy", 8}, sw{"medical", 4},
		sw{"aerospace", 5}, sw{"defence", 4}, sw{"defence-aerospace", 2}, sw{"semiconductors", 5},
		sw{"semiconductors-advanced", 2}, sw{"automotive-steering", 2},
	)
	tier1Sectors = newWeighted(
		sw{"automotive-components", 8}, sw{"automotive-ev-motors", 14}, sw{"automotive-steering", 10},
		sw{"automotive-braking", 8}, sw{"automotive-seats", 7}, sw{"automotive-audio", 5},
		sw{"electronics", 8}, sw{"consumer-electronics", 5}, sw{"wind-energy", 8},
		sw{"industrial-motors", 8}, sw{"aerospace", 5}, sw{"defence", 4}, sw{"defence-aerospace", 3},
		sw{"semiconductors", 4}, sw{"semiconductors-advanced", 2}, sw{"medical", 4},
	)
	oemSectors = newWeighted(
		sw{"automotive-oem", 60}, sw{"wind-energy", 10}, sw{"consumer-electronics", 10},
		sw{"aerospace", 6}, sw{"defence-aerospace", 4}, sw{"defence", 3}, sw{"medical", 4},
		sw{"industrial-motors", 3},
	)
)

// Company-name parts.
var (
	cnPlaces = []string{"Baotou", "Ganzhou", "Xiamen", "Ningbo", "Chengdu", "Fuzhou", "Nanchang", "Hohhot", "Changsha", "Shenzhen", "Suzhou", "Yantai"}
	suffixes = map[string]string{
		"CN": "Co., Ltd.", "DE": "GmbH", "AT": "GmbH", "CH": "AG", "JP": "K.K.", "US": "Inc.",
		"CA": "Inc.", "KR": "Co.", "FR": "SA", "BE": "SA", "IT": "S.p.A.", "ES": "S.A.",
		"PT": "S.A.", "BR": "S.A.", "MX": "S.A. de C.V.", "NL": "B.V.", "SE": "AB", "DK": "A/S",
		"PL": "sp. z o.o.", "CZ": "s.r.o.", "SK": "s.r.o.", "IN": "Pvt. Ltd.", "AU": "Pty Ltd",
		"EE": "OÜ", "HU": "Kft.", "RO": "S.R.L.", "TR": "A.Ş.", "ZA": "(Pty) Ltd",
	}
)
