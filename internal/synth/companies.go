package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// tier is a company's place in the supply chain.
type tier uint8

const (
	tRefiner       tier = iota // Chinese refiner (exporter)
	tMagnetCN                  // Chinese magnet maker (exporter)
	tMagnetForeign             // magnet maker outside China
	tTier2                     // tier-2 supplier (motors, sub-assemblies); mostly foreign
	tTier1                     // tier-1 component supplier; mostly foreign
	tOEM                       // OEM; mostly foreign
	tMiner                     // miner (concentrate to refiners)
	tOther                     // traders, recyclers, distributors
	numTiers
)

var tierNames = [numTiers]string{"refiner", "magnet-maker-cn", "magnet-maker-foreign", "tier-2", "tier-1", "oem", "miner", "other"}

func (t tier) String() string { return tierNames[t] }

// tierCounts splits n companies into tiers: about 1% Chinese refiners, 3%
// Chinese magnet makers, 2% foreign magnet makers, 35% tier-2, 40% tier-1,
// 5% OEMs and the rest miners and others; at least one of each.
func tierCounts(n int) [numTiers]int {
	var c [numTiers]int
	share := func(f float64) int { return max(1, int(math.Round(f*float64(n)))) }
	c[tRefiner] = share(0.01)
	c[tMagnetCN] = share(0.03)
	c[tMagnetForeign] = share(0.02)
	c[tTier2] = share(0.35)
	c[tTier1] = share(0.40)
	c[tOEM] = share(0.05)
	rest := n
	for _, k := range c {
		rest -= k
	}
	if rest < 2 { // n >= MinCompanies keeps tier-1 large enough to give some up
		c[tTier1] -= 2 - rest
		rest = 2
	}
	c[tMiner] = max(1, int(math.Round(float64(rest)*0.3)))
	c[tOther] = rest - c[tMiner]
	return c
}

// writeCompanies assigns each company a tier (shuffled over the ids),
// a country, roles and sectors, and writes companies.csv.
func (g *gen) writeCompanies(f *csvFile) error {
	n := g.o.Companies
	r := g.rng(1)
	counts := tierCounts(n)
	g.tier = make([]tier, 0, n)
	for t, k := range counts {
		for range k {
			g.tier = append(g.tier, tier(t))
		}
	}
	r.Shuffle(n, func(i, j int) { g.tier[i], g.tier[j] = g.tier[j], g.tier[i] })

	width := max(6, len(itoa(n)))
	g.ids = make([]string, n)
	g.cn = make([]bool, n)
	g.sect = make([]uint32, n)
	for i := range n {
		g.ids[i] = fmt.Sprintf("c%0*d", width, i+1)
	}
	for i, t := range g.tier {
		g.byTier[t] = append(g.byTier[t], int32(i))
		if t == tMagnetCN || t == tMagnetForeign {
			g.magnets = append(g.magnets, int32(i))
		}
	}

	var roles []string
	var seen [numTiers]bool // the first of each tier is registered outside CN where it may be
	for i := range n {
		if i%4096 == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
		t := g.tier[i]
		num := i + 1
		pctCN := 5
		if t == tOEM {
			pctCN = 10
		}
		if !seen[t] {
			pctCN = 0
			seen[t] = true
		}
		var country, kind string
		var sect uint32
		roles = roles[:0]
		switch t {
		case tRefiner:
			country = "CN"
			kind = pick(r, "Rare Earth Refining", "Rare Earth Materials", "Rare Earth Group", "Rare Earth Smelting")
			roles = append(roles, "REFINER")
			sect = sectorMask("rare-earth-refining")
			if r.IntN(5) == 0 {
				roles = append(roles, "MINER")
				sect |= sectorMask("rare-earth-mining")
			}
		case tMagnetCN, tMagnetForeign:
			country = "CN"
			if t == tMagnetForeign {
				country = magnetCountries.pick(r)
			}
			kind = pick(r, "Magnet", "Magnetics", "Magnetic Materials", "Permanent Magnet")
			roles = append(roles, "MAGNET_MAKER")
			sect = sectorMask("rare-earth-magnets")
			if r.IntN(7) == 0 { // vertically integrated
				roles = append(roles, "REFINER")
				sect |= sectorMask("rare-earth-refining")
			}
		case tTier2:
			country = foreignOrCN(r, tier2Countries, pctCN)
			kind = pick(r, "Motor Components", "Electromechanics", "Precision Motors", "Sensor Systems", "Actuators", "Magnet Assemblies")
			roles = append(roles, "COMPONENT_SUPPLIER")
			sect = sectorsOf(r, tier2Sectors)
		case tTier1:
			country = foreignOrCN(r, tier1Countries, pctCN)
			kind = pick(r, "Automotive Systems", "Drive Systems", "Components", "Mobility Systems", "Industrial Systems", "Electronics Systems")
			roles = append(roles, "COMPONENT_SUPPLIER")
			sect = sectorsOf(r, tier1Sectors)
		case tOEM:
			country = foreignOrCN(r, oemCountries, pctCN)
			s := oemSectors.pick(r)
			sect = sectorMask(s)
			kind = oemKind(s)
			roles = append(roles, "OEM")
		case tMiner:
			country = minerCountries.pick(r)
			kind = pick(r, "Mining", "Resources", "Minerals")
			roles = append(roles, "MINER")
			sect = sectorMask("rare-earth-mining")
		case tOther:
			country = otherCountries.pick(r)
			kind = pick(r, "Metals Trading", "Magnet Recycling", "Materials Distribution")
			roles = append(roles, "OTHER")
			if r.IntN(5) < 3 {
				sect = sectorMask("rare-earths")
			}
		}
		g.cn[i] = country == "CN"
		g.sect[i] = sect

		name := "Synthetic " + kind + " " + itoa(num)
		place := ""
		if country == "CN" {
			place = cnPlaces[r.IntN(len(cnPlaces))]
			name = place + " " + name
		}
		if s, ok := suffixes[country]; ok {
			name += " " + s
		} else {
			name += " Ltd"
		}

		var aliases []string
		if r.IntN(10) < 3 {
			aliases = append(aliases, acronym(kind)+"-"+itoa(num))
			if country == "CN" {
				aliases = append(aliases, cnAlias(t)+itoa(num))
			}
			if r.IntN(4) == 0 {
				aliases = append(aliases, fmt.Sprintf("%06d.SYN", num))
			}
		}
		lei := ""
		if r.IntN(5) == 0 {
			lei = syntheticLEI(r)
		}
		website := ""
		if r.IntN(5) < 2 {
			website = "https://" + g.ids[i] + ".example.com"
		}
		if err := f.write(g.ids[i], name, strings.Join(aliases, ";"), country,
			strings.Join(roles, ";"), sectorList(sect), lei, website, ""); err != nil {
			return err
		}
	}
	return nil
}

func pick(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }

// foreignOrCN returns CN with probability pctCN percent, otherwise a
// country from w.
func foreignOrCN(r *rand.Rand, w *weighted[string], pctCN int) string {
	if r.IntN(100) < pctCN {
		return "CN"
	}
	return w.pick(r)
}

// sectorsOf returns one sector, or two (a third of the time).
func sectorsOf(r *rand.Rand, w *weighted[string]) uint32 {
	m := sectorMask(w.pick(r))
	if r.IntN(3) == 0 {
		m |= sectorMask(w.pick(r))
	}
	return m
}

func oemKind(sector string) string {
	switch sector {
	case "automotive-oem":
		return "Motor Vehicles"
	case "wind-energy":
		return "Wind Power"
	case "consumer-electronics":
		return "Devices"
	case "aerospace":
		return "Aircraft"
	case "defence", "defence-aerospace":
		return "Defence Systems"
	case "medical":
		return "Medical Imaging"
	default:
		return "Machinery"
	}
}

func acronym(s string) string {
	var b strings.Builder
	b.WriteString("S")
	for _, w := range strings.Fields(s) {
		b.WriteByte(w[0])
	}
	return b.String()
}

// cnAlias is a Chinese-language alias stem ("synthetic rare earth", …).
func cnAlias(t tier) string {
	switch t {
	case tRefiner:
		return "合成稀土"
	case tMagnetCN:
		return "合成磁材"
	default:
		return "合成科技"
	}
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// syntheticLEI returns a well-formed ISO 17442 LEI (18 characters and two
// ISO 7064 MOD 97-10 check digits) with the made-up prefix "SYNT00".
func syntheticLEI(r *rand.Rand) string {
	b := []byte("SYNT00")
	for range 12 {
		b = append(b, alnum[r.IntN(len(alnum))])
	}
	mod := 0
	for _, c := range string(b) + "00" {
		v := strings.IndexRune(alnum, c)
		if v >= 10 {
			mod = (mod*100 + v) % 97
		} else {
			mod = (mod*10 + v) % 97
		}
	}
	return fmt.Sprintf("%s%02d", b, 98-mod)
}
