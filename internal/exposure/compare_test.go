package exposure_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// How the tests compare the engine's answers with the reference's, and
// show where they differ.

// normHop makes empty lists nil, so that nil and empty compare equal.
func normHop(h domain.SupplyHop) domain.SupplyHop {
	if len(h.Materials) == 0 {
		h.Materials = nil
	}
	if len(h.Licences) == 0 {
		h.Licences = nil
	}
	if len(h.ControlledMaterials) == 0 {
		h.ControlledMaterials = nil
	}
	return h
}

func fmtHop(h domain.SupplyHop) string {
	return fmt.Sprintf("%s→%s materials=%v controlledMaterials=%v controlled=%v covered=%v reason=%q licences=%v",
		h.Supplier, h.Customer, h.Materials, h.ControlledMaterials, h.Controlled, h.Covered, h.Reason, h.Licences)
}

func fmtQuery(q domain.ExposureQuery) string {
	return fmt.Sprintf("asOf=%s maxDepth=%d sector=%q minConfidence=%s", q.AsOf, q.MaxDepth, q.Sector, fmtConf(q.MinConfidence))
}

func fmtExposed(e domain.ExposedCompany) string {
	return fmt.Sprintf("minDepth=%d pathCount=%d uncoveredSuppliers=%v confidence=%s since=%s",
		e.MinDepth, e.PathCount, e.UncoveredSuppliers, fmtConf(e.Confidence), e.Since)
}

// exposedDiff lists up to limit companies on which two id-sorted lists
// differ; "" when they are equal. It also flags a list not sorted by id.
func exposedDiff(got, want []domain.ExposedCompany, limit int) string {
	var lines []string
	if !slices.IsSortedFunc(got, func(a, b domain.ExposedCompany) int { return strings.Compare(a.CompanyID, b.CompanyID) }) {
		lines = append(lines, "  engine's list is not sorted by company id")
	}
	norm := func(e domain.ExposedCompany) domain.ExposedCompany {
		if len(e.UncoveredSuppliers) == 0 {
			e.UncoveredSuppliers = nil
		}
		return e
	}
	byID := func(l []domain.ExposedCompany) map[string]domain.ExposedCompany {
		m := map[string]domain.ExposedCompany{}
		for _, e := range l {
			m[e.CompanyID] = norm(e)
		}
		return m
	}
	g, w := byID(got), byID(want)
	if len(g) != len(got) {
		lines = append(lines, "  engine's list repeats a company")
	}
	ids := sortedKeys(g)
	for id := range w {
		if _, ok := g[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	shown := 0
	for _, id := range ids {
		ge, gok := g[id]
		we, wok := w[id]
		var line string
		switch {
		case !gok:
			line = fmt.Sprintf("  %s: missing from engine; reference %s", id, fmtExposed(we))
		case !wok:
			line = fmt.Sprintf("  %s: not exposed in reference; engine %s", id, fmtExposed(ge))
		case !sameExposed(ge, we):
			line = fmt.Sprintf("  %s: engine %s; reference %s", id, fmtExposed(ge), fmtExposed(we))
		default:
			continue
		}
		if shown == limit {
			lines = append(lines, "  …")
			break
		}
		lines = append(lines, line)
		shown++
	}
	return strings.Join(lines, "\n")
}

// pathsDiff describes the first difference between two path lists; "" when
// they are equal (order included).
func pathsDiff(got, want []domain.ExposurePath) string {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("  path %d: missing from engine; reference %s", i, strings.Join(pathNodes(want[i]), "→"))
		case i >= len(want):
			return fmt.Sprintf("  path %d: extra in engine: %s", i, strings.Join(pathNodes(got[i]), "→"))
		}
		gn, wn := pathNodes(got[i]), pathNodes(want[i])
		if !slices.Equal(gn, wn) {
			return fmt.Sprintf("  path %d: engine %s; reference %s", i, strings.Join(gn, "→"), strings.Join(wn, "→"))
		}
		if !sameConf(got[i].Confidence, want[i].Confidence) {
			return fmt.Sprintf("  path %d (%s): engine confidence %s; reference %s", i, strings.Join(wn, "→"),
				fmtConf(got[i].Confidence), fmtConf(want[i].Confidence))
		}
		for j := range want[i].Hops {
			if gh, wh := normHop(got[i].Hops[j]), normHop(want[i].Hops[j]); !reflect.DeepEqual(gh, wh) {
				return fmt.Sprintf("  path %d (%s), hop %d:\n   engine    %s\n   reference %s", i, strings.Join(wn, "→"), j, fmtHop(gh), fmtHop(wh))
			}
		}
	}
	return ""
}
