package synth

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
)

// maxClients caps a licence's client list to keep rows reasonable; the
// customers of a big exporter beyond it stay uncovered.
const maxClients = 200

// feature is a property forced on some licences so that every status,
// type and special case appears whenever there are enough licences.
type feature uint8

const (
	fNone feature = iota
	fPending
	fDenied
	fRevoked
	fRevokedOnPast // status ACTIVE with a passed revoked_on
	fTemporary
	fPerShipment
	fNoMaterials
	fExcluded
	fNotYetValid
	fExpired
	fMaterialMissing
	numFeatures
)

// controlsEpoch is when the first control took effect: licences are issued
// from then on.
var controlsEpoch = mkDay(2025, 4, 4)

// writeLicences writes licences.csv: 1–4 licences for each Chinese exporter
// with foreign customers, covering some of those customers for some of the
// controlled materials they ship.
func (g *gen) writeLicences(f *csvFile) error {
	r := g.rng(3)
	// First decide how many licences each exporter holds, so that the
	// forced features can be spread over all licences.
	counts := make([]int, len(g.expCust))
	total := 0
	nl := newWeighted(wv[int]{1, 45}, wv[int]{2, 30}, wv[int]{3, 15}, wv[int]{4, 10})
	for p, cl := range g.expCust {
		if len(cl) == 0 {
			continue
		}
		counts[p] = min(nl.pick(r), len(cl))
		total += counts[p]
	}
	force := make(map[int]feature, numFeatures)
	if total > 0 {
		for ft := fPending; ft < numFeatures; ft++ {
			force[int(ft-1)*total/int(numFeatures-1)] = ft
		}
	}

	var licSources [50]string
	for i := range licSources {
		licSources[i] = syntheticSource + "/licence-notices/" + itoa(i+1)
	}

	seq := 0
	var coverable []custLink
	var clients []int32
	for i := range g.ids { // exporters in id order
		p := g.expPos[i]
		if p < 0 || counts[p] == 0 {
			continue
		}
		cl := g.expCust[p]
		// about 15% of the customers are covered by none of the licences
		coverable = coverable[:0]
		for _, c := range cl {
			if r.IntN(100) >= 15 {
				coverable = append(coverable, c)
			}
		}
		if len(coverable) == 0 {
			coverable = append(coverable, cl[r.IntN(len(cl))])
		}
		// General licences take consecutive runs of the shuffled customers,
		// so that several of them cover more customers than one; the
		// others pick at random and may overlap them.
		r.Shuffle(len(coverable), func(a, b int) { coverable[a], coverable[b] = coverable[b], coverable[a] })
		next := 0
		for j := range counts[p] {
			seq++
			ft := force[seq-1]
			if err := g.ctx.Err(); err != nil {
				return err
			}

			typ := "GENERAL"
			switch x := r.IntN(100); {
			case j == 0 && x < 85, j > 0 && x < 45:
			case j == 0 && x < 93, j > 0 && x < 70:
				typ = "TEMPORARY"
			default:
				typ = "PER_SHIPMENT"
			}
			switch ft {
			case fTemporary:
				typ = "TEMPORARY"
			case fPerShipment:
				typ = "PER_SHIPMENT"
			case fNoMaterials, fExcluded, fMaterialMissing:
				typ = "GENERAL"
			}

			// clients: some of the coverable customers
			var k, start int
			switch typ {
			case "GENERAL":
				k = len(coverable) * (70 + r.IntN(31)) / 100
				start = next
			case "TEMPORARY":
				k = 1 + r.IntN(5)
				start = r.IntN(len(coverable))
			default:
				k = 1
				start = r.IntN(len(coverable))
			}
			k = max(1, min(k, len(coverable), maxClients))
			if typ == "GENERAL" {
				next = (start + k) % len(coverable)
			}
			clients = clients[:0]
			var shipped uint32 // controlled materials shipped to the clients
			var clientSectors uint32
			for n := range k {
				c := coverable[(start+n)%len(coverable)]
				clients = append(clients, c.cust)
				shipped |= c.mats & controlledMask
				clientSectors |= g.sect[c.cust]
			}
			slices.Sort(clients)

			mats := shipped
			if mats == 0 { // shipped only uncontrolled material so far
				if g.tier[i] == tRefiner {
					mats = matMask("Dy")
				} else {
					mats = matMask("NdFeB")
				}
			}
			x := r.IntN(100)
			if (x < 15 || ft == fMaterialMissing) && bits.OnesCount32(mats) >= 2 && ft != fNoMaterials {
				mats = dropOne(r, mats) // → MATERIAL_NOT_COVERED
			} else if ft == fMaterialMissing {
				// one shipped material: licence another one instead
				if mats&matMask("NdFeB") != 0 {
					mats = matMask("SmCo")
				} else {
					mats = matMask("NdFeB")
				}
			}
			if (x >= 96 && ft != fMaterialMissing) || ft == fNoMaterials {
				mats = 0 // a licence with no materials covers none
			}

			status := "ACTIVE"
			revokedPast := false
			revokedFuture := false
			switch x := r.IntN(100); {
			case x < 8:
				status = "PENDING"
			case x < 15:
				status = "DENIED"
			case x < 23:
				status = "REVOKED"
			case x < 26:
				revokedPast = true
			case x < 27:
				revokedFuture = true
			}
			switch ft {
			case fPending:
				status = "PENDING"
			case fDenied:
				status = "DENIED"
			case fRevoked:
				status = "REVOKED"
			case fRevokedOnPast:
				status, revokedPast = "ACTIVE", true
			case fNone:
			default:
				status, revokedPast, revokedFuture = "ACTIVE", false, false
			}

			// validity: issued between the first control and asOf
			issued := between(r, min(controlsEpoch, g.asOf-365), g.asOf-1)
			from := issued + day(r.IntN(15))
			if r.IntN(100) < 5 || ft == fNotYetValid {
				issued = g.asOf - 1 - day(r.IntN(30))
				from = g.asOf + 1 + day(r.IntN(60))
			}
			if ft == fExpired {
				from = between(r, g.asOf-730, g.asOf-200)
				issued = from
			}
			var until day
			switch typ {
			case "GENERAL":
				until = from + 364
			case "TEMPORARY":
				until = from + 90 + day(r.IntN(91))
			default:
				until = from + 30 + day(r.IntN(151))
			}
			if r.IntN(100) < 3 && ft != fExpired {
				until = noDay // open-ended
			}
			if ft == fExpired {
				until = min(until, g.asOf-1)
			}
			revoked := noDay
			if status == "REVOKED" || revokedPast {
				lo := max(issued, min(from, g.asOf-1))
				revoked = between(r, lo, g.asOf-1)
			}
			if revokedFuture {
				revoked = g.asOf + 1 + day(r.IntN(120))
			}
			if status == "PENDING" || status == "DENIED" {
				issued = noDay // never issued; validity is the requested one
			}

			// sector exclusions, mostly defence; prefer one a client is in
			excl := uint32(0)
			switch x := r.IntN(100); {
			case typ != "GENERAL" && x < 10:
				excl = sectorMask("defence")
			case typ != "GENERAL":
			case x < 30:
				excl = sectorMask("defence")
			case x < 38:
				excl = sectorMask("defence", "aerospace")
			case x < 43:
				excl = sectorMask("semiconductors-advanced")
			case x < 48:
				excl = sectorMask("defence", "semiconductors")
			}
			if ft == fExcluded {
				excl = sectorMask("defence", "aerospace")
				for _, s := range []string{"defence", "defence-aerospace", "aerospace", "semiconductors", "semiconductors-advanced"} {
					if clientSectors&sectorMask(s) != 0 {
						excl |= sectorMask(s)
					}
				}
			}

			var ctrls []string
			for _, c := range controls {
				if c.mats&mats != 0 {
					ctrls = append(ctrls, c.id)
				}
			}
			if len(ctrls) == 0 {
				ctrls = append(ctrls, controls[0].id)
			}

			ref := ""
			if issued != noDay && r.IntN(10) < 7 {
				ref = fmt.Sprintf("SYN-DU-%s-%06d", g.date(issued)[:4], seq)
			}
			src := ""
			if r.IntN(2) == 0 {
				src = licSources[r.IntN(len(licSources))]
			}

			ids := make([]string, len(clients))
			for n, c := range clients {
				ids[n] = g.ids[c]
			}
			if err := f.write(fmt.Sprintf("SYN-LIC-%06d", seq), typ, status, g.ids[i],
				strings.Join(ids, ";"), g.matList(mats), sectorList(excl),
				g.date(issued), g.date(from), g.date(until), g.date(revoked), "",
				ref, src, strings.Join(ctrls, ";"), "", ""); err != nil {
				return err
			}
		}
	}
	g.licences = seq
	return nil
}

// dropOne clears one random set bit of m.
func dropOne(r *rand.Rand, m uint32) uint32 {
	k := r.IntN(bits.OnesCount32(m))
	for i := range 32 {
		if m&(1<<i) != 0 {
			if k == 0 {
				return m &^ (1 << i)
			}
			k--
		}
	}
	return m
}
