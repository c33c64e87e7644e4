package domain

import (
	"fmt"
)

// Scenario is hypothetical changes to the graph, for exposureScenario:
// exposure is judged on the graph as it stands with them applied, and
// nothing is written. They apply in this order, each to the records as
// the ones before left them: licences granted (created or replaced, as
// grantLicence), revoked (as revokeLicence), their exclusions replaced
// (as setLicenceExclusions); links added (created or replaced, as
// upsertSupplyLink), removed (as removeSupplyLink); export controls
// suspended. So a scenario may revoke a licence it grants, or remove a
// link it adds.
type Scenario struct {
	GrantLicences   []Licence
	RevokeLicences  []Revocation
	SetExclusions   []ExclusionChange
	AddLinks        []SupplyLink
	RemoveLinks     []LinkKey
	SuspendControls []Suspension
}

// Revocation revokes licence ID on On (zero: today).
type Revocation struct {
	ID string
	On Date
}

// ExclusionChange replaces the sectors licence LicenceID excludes.
type ExclusionChange struct {
	LicenceID string
	Sectors   []string
}

// LinkKey names the supply link Supplier → Customer.
type LinkKey struct{ Supplier, Customer string }

// Suspension suspends export control ID from From until Until (zero: with
// no end), replacing the suspension it has.
type Suspension struct {
	ID          string
	From, Until Date
}

// MaxScenarioChanges bounds the changes of one scenario: a what-if is a
// question, not a bulk load.
const MaxScenarioChanges = 1000

// Size is the number of changes.
func (s Scenario) Size() int {
	return len(s.GrantLicences) + len(s.RevokeLicences) + len(s.SetExclusions) + len(s.AddLinks) + len(s.RemoveLinks) + len(s.SuspendControls)
}

// ScenarioArg is the argument the scenario arrives in; its problems are
// reported on paths under it ("change.grantLicences[0].validUntil").
const ScenarioArg = "change"

// ScenarioPath is the path of a field of item i of list (i < 0: the item
// itself): ScenarioPath("revokeLicences", 2, "on") is
// "change.revokeLicences[2].on".
func ScenarioPath(list string, i int, field string) string {
	return Path(ScenarioArg+"."+list, i, field)
}

// Check validates the scenario as the mutations validate their inputs,
// except for references, which need the graph (ScenarioRefs, and the
// records a scenario changes, which the graph it applies to checks).
func (s Scenario) Check() InvalidInput {
	var invalid InvalidInput
	if n := s.Size(); n == 0 {
		return InvalidInput{{Index: -1, Field: ScenarioArg, Message: "the scenario changes nothing: give at least one change"}}
	} else if n > MaxScenarioChanges {
		return InvalidInput{{Index: -1, Field: ScenarioArg, Message: fmt.Sprintf("%d changes; a scenario takes at most %d", n, MaxScenarioChanges)}}
	}
	seen := map[string]int{}
	for i, l := range s.GrantLicences {
		invalid = append(invalid, Invalid(ScenarioArg+".grantLicences", i, l.Validate())...)
		if j, dup := seen[l.ID]; dup && l.ID != "" {
			invalid = append(invalid, InvalidField{Index: i, Field: ScenarioPath("grantLicences", i, "id"),
				Message: fmt.Sprintf("%q is also the id of %s", l.ID, ScenarioPath("grantLicences", j, ""))})
		} else {
			seen[l.ID] = i
		}
	}
	for i, x := range s.SetExclusions {
		for _, e := range (Licence{ID: "x", ExcludedSectors: x.Sectors}).Validate() {
			invalid = append(invalid, InvalidField{Index: i, Field: ScenarioPath("setExclusions", i, "sectors"), Message: e.InputMessage})
		}
	}
	for i, l := range s.AddLinks {
		invalid = append(invalid, Invalid(ScenarioArg+".addLinks", i, l.Validate())...)
	}
	for i, x := range s.SuspendControls {
		if !x.Until.IsZero() && x.Until.Before(x.From) {
			invalid = append(invalid, InvalidField{Index: i, Field: ScenarioPath("suspendControls", i, "until"),
				Message: fmt.Sprintf("until (%s) is before from (%s)", x.Until, x.From)})
		}
	}
	return invalid
}

// Refs are the references to records the scenario does not change
// (companies, materials, sectors, controls named by the licences and
// links it adds), which must exist as for the mutations. The records it
// changes (licences revoked, links removed, controls suspended) are
// looked up where it is applied.
func (s Scenario) Refs() []PathRef {
	var out []PathRef
	for i, l := range s.GrantLicences {
		for _, r := range l.Refs() {
			out = append(out, PathRef{Path: ScenarioPath("grantLicences", i, r.Field), Index: i, Ref: r})
		}
	}
	for i, x := range s.SetExclusions {
		for _, id := range x.Sectors {
			out = append(out, PathRef{Path: ScenarioPath("setExclusions", i, "sectors"), Index: i, Ref: Ref{Field: "sectors", Kind: KindSector, ID: id}})
		}
	}
	for i, l := range s.AddLinks {
		for _, r := range l.Refs() {
			out = append(out, PathRef{Path: ScenarioPath("addLinks", i, r.Field), Index: i, Ref: r})
		}
	}
	return out
}

// ScenarioQuery asks how exposure (ExposureQuery) changes with Change.
// Paths is how many paths to list per company whose exposure changes
// (0: none).
type ScenarioQuery struct {
	ExposureQuery
	Change Scenario
	Paths  int
	// First bounds the companies listed each way.
	First int
	// Fields says which costly figures of the companies listed to fill.
	Fields ExposedFields
}

// DefaultScenarioCompanies and MaxScenarioCompanies bound the companies
// a scenario lists each way (newly exposed, no longer exposed), as a page
// of exposedCompanies; DefaultChangedHops is how many changed hops it
// lists unless asked (at most MaxScenarioCompanies).
const (
	DefaultScenarioCompanies = DefaultPageSize
	MaxScenarioCompanies     = 1000
	DefaultChangedHops       = 100
)

// Validate checks the exposure question and the bounds; the changes are
// checked by Check and where they apply.
func (q ScenarioQuery) Validate() error {
	if err := q.ExposureQuery.Validate(); err != nil {
		return err
	}
	if err := checkRange("paths", q.Paths, 0, MaxPaths); err != nil {
		return err
	}
	return checkRange("first", q.First, 0, MaxScenarioCompanies)
}

// ExposureScenario is exposure on the graph as it stands (the baseline)
// and with a scenario's changes.
type ExposureScenario struct {
	BaselineCount, ScenarioCount int
	// NewlyExposed are judged in the scenario, NoLongerExposed in the
	// baseline; each with up to the question's Paths paths, sorted by
	// company id, at most the question's First.
	NewlyExposed, NoLongerExposed []ScenarioCompany
	// NewlyExposedCount and NoLongerExposedCount count them all.
	NewlyExposedCount, NoLongerExposedCount int
	// ChangedHops are the hops the changes touch whose judgement on the
	// date differs (controlled, covered, reason, licences), by supplier
	// then customer.
	ChangedHops []HopChange
	// Hypothetical is the records the scenario changed, as it has them.
	Hypothetical *Hypothetical
	// Query is the question answered (date default filled).
	Query ExposureQuery
}

// ScenarioCompany is an exposed company with its paths.
type ScenarioCompany struct {
	ExposedCompany
	Paths []ExposurePath
}

// HopChange is one hop judged in the baseline and in the scenario; nil on
// the side where the link does not exist.
type HopChange struct {
	Supplier, Customer string
	Baseline, Scenario *SupplyHop
}

// Hypothetical is the records a scenario changed (licences granted,
// revoked or with new exclusions; links added), as the scenario has them:
// the hops judged in a scenario point to it so their licences and links
// are shown as judged.
type Hypothetical struct {
	Licences map[string]Licence
	Links    map[LinkKey]SupplyLink
}
