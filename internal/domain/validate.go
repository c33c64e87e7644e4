package domain

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/countries"
)

// FieldError is one invalid field of a record. Field uses the seed-file
// names (snake_case), which are also the GraphQL input names in lower
// camel case; see FieldErrors.
type FieldError struct {
	Field string
	// Message names other fields as seed-file columns (valid_from),
	// InputMessage as GraphQL input fields (validFrom): a mutation's
	// caller never sees a column name.
	Message, InputMessage string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors collects every problem of a record, not just the first.
type FieldErrors []FieldError

// fieldName is a field named in a message: a column in Message, an input
// field in InputMessage.
type fieldName string

func (es *FieldErrors) add(field, format string, args ...any) {
	input := make([]any, len(args))
	for i, a := range args {
		input[i] = a
		if f, ok := a.(fieldName); ok {
			args[i], input[i] = string(f), CamelCase(string(f))
		}
	}
	*es = append(*es, FieldError{Field: field, Message: fmt.Sprintf(format, args...), InputMessage: fmt.Sprintf(format, input...)})
}

// Kind is a seed-file kind, and the kind of node an id refers to.
type Kind string

const (
	KindSector   Kind = "sectors"
	KindMaterial Kind = "materials"
	KindControl  Kind = "controls"
	KindCompany  Kind = "companies"
	KindSupply   Kind = "supply"
	KindLicence  Kind = "licences"
)

// Kinds lists the kinds in dependency order: a kind refers only to kinds
// before it (and sectors to sectors).
var Kinds = []Kind{KindSector, KindMaterial, KindControl, KindCompany, KindSupply, KindLicence}

// Ref is a reference from a record's field to a node of another kind.
type Ref struct {
	Field string
	Kind  Kind
	ID    string
}

const maxIDLength = 128

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/+-]*$`)

func checkID(es *FieldErrors, field, id string, required bool) {
	switch {
	case id == "":
		if required {
			es.add(field, "is required")
		}
	case len(id) > maxIDLength:
		es.add(field, "is longer than %d characters", maxIDLength)
	case !idPattern.MatchString(id):
		es.add(field, "%q is not a valid id (letters, digits and . _ : / + -, starting with a letter or digit)", id)
	}
}

func checkIDs(es *FieldErrors, field string, ids []string) {
	for _, id := range ids {
		checkID(es, field, id, true)
	}
}

func checkText(es *FieldErrors, field, s string, required bool, max int) {
	switch {
	case s == "" && required:
		es.add(field, "is required")
	case len(s) > max:
		es.add(field, "is longer than %d characters", max)
	}
}

func checkURL(es *FieldErrors, field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		es.add(field, "%q is not an http(s) URL", s)
	}
}

// maxNoteLength bounds a note, in bytes.
const maxNoteLength = 2000

func checkConfidence(es *FieldErrors, c *float64) {
	if c != nil && !(*c >= 0 && *c <= 1) {
		es.add("confidence", "%v is not between 0 and 1", *c)
	}
}

func checkEnum[T ~string](es *FieldErrors, field string, v T, allowed []T) {
	if v != "" && !slices.Contains(allowed, v) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		es.add(field, "%q is not one of %s", v, strings.Join(names, ", "))
	}
}

// checkOrder reports a window whose end is not after its start.
func checkOrder(es *FieldErrors, startField string, start Date, endField string, end Date, allowEqual bool) {
	if start.IsZero() || end.IsZero() {
		return
	}
	if end.Before(start) || (!allowEqual && end.Equal(start)) {
		es.add(endField, "%s is before %s %s", end, fieldName(startField), start)
	}
}

// Validate checks a sector record.
func (s Sector) Validate() FieldErrors {
	var es FieldErrors
	checkID(&es, "id", s.ID, true)
	checkText(&es, "name", s.Name, false, 200)
	checkID(&es, "parent", s.Parent, false)
	if s.Parent != "" && s.Parent == s.ID {
		es.add("parent", "a sector cannot be its own parent")
	}
	return es
}

// Refs are the sector's references.
func (s Sector) Refs() []Ref {
	if s.Parent == "" {
		return nil
	}
	return []Ref{{Field: "parent", Kind: KindSector, ID: s.Parent}}
}

// Validate checks a material record.
func (m Material) Validate() FieldErrors {
	var es FieldErrors
	checkID(&es, "id", m.ID, true)
	checkText(&es, "name", m.Name, false, 200)
	checkEnum(&es, "kind", m.Kind, MaterialKinds)
	return es
}

// Validate checks an export-control record.
func (c ExportControl) Validate() FieldErrors {
	var es FieldErrors
	checkID(&es, "id", c.ID, true)
	checkText(&es, "title", c.Title, false, 500)
	checkText(&es, "authority", c.Authority, false, 200)
	checkOrder(&es, "announced_on", c.AnnouncedOn, "effective_from", c.EffectiveFrom, true)
	if !c.SuspendedUntil.IsZero() && c.SuspendedFrom.IsZero() {
		es.add("suspended_from", "is required when %s is set", fieldName("suspended_until"))
	}
	checkOrder(&es, "suspended_from", c.SuspendedFrom, "suspended_until", c.SuspendedUntil, false)
	checkIDs(&es, "materials", c.Materials)
	checkSources(&es, "sources", c.Sources)
	checkText(&es, "note", c.Note, false, maxNoteLength)
	return es
}

// Refs are the control's references.
func (c ExportControl) Refs() []Ref {
	return refs("materials", KindMaterial, c.Materials)
}

// Validate checks a company record.
func (c Company) Validate() FieldErrors {
	var es FieldErrors
	checkID(&es, "id", c.ID, true)
	checkText(&es, "name", c.Name, true, 300)
	for _, a := range c.Aliases {
		checkText(&es, "aliases", a, true, 300)
	}
	switch {
	case c.Country == "":
		es.add("country", "is required")
	default:
		if _, ok := countries.Lookup(c.Country); !ok {
			es.add("country", "%q is not an ISO 3166-1 alpha-2 country code", c.Country)
		}
	}
	for _, r := range c.Roles {
		checkEnum(&es, "roles", r, Roles)
	}
	checkIDs(&es, "sectors", c.Sectors)
	if c.LEI != "" && !leiPattern.MatchString(c.LEI) {
		es.add("lei", "%q is not a 20-character LEI", c.LEI)
	}
	checkURL(&es, "website", c.Website)
	checkText(&es, "note", c.Note, false, maxNoteLength)
	return es
}

var leiPattern = regexp.MustCompile(`^[A-Z0-9]{18}[0-9]{2}$`)

// Refs are the company's references.
func (c Company) Refs() []Ref {
	return refs("sectors", KindSector, c.Sectors)
}

// Validate checks a supply-link record.
func (l SupplyLink) Validate() FieldErrors {
	var es FieldErrors
	checkID(&es, "supplier", l.Supplier, true)
	checkID(&es, "customer", l.Customer, true)
	if l.Supplier != "" && l.Supplier == l.Customer {
		es.add("customer", "a company cannot supply itself")
	}
	checkIDs(&es, "materials", l.Materials)
	checkOrder(&es, "since", l.Since, "until", l.Until, false)
	checkConfidence(&es, l.Confidence)
	checkSources(&es, "sources", l.Sources)
	checkText(&es, "note", l.Note, false, maxNoteLength)
	return es
}

// Refs are the link's references.
func (l SupplyLink) Refs() []Ref {
	out := []Ref{{Field: "supplier", Kind: KindCompany, ID: l.Supplier}, {Field: "customer", Kind: KindCompany, ID: l.Customer}}
	return append(out, refs("materials", KindMaterial, l.Materials)...)
}

// WithDefaults fills the defaults of docs/seed-format.md: status ACTIVE,
// type GENERAL.
func (l Licence) WithDefaults() Licence {
	if l.Type == "" {
		l.Type = LicenceGeneral
	}
	if l.Status == "" {
		l.Status = StatusActive
	}
	return l
}

// Validate checks a licence record.
func (l Licence) Validate() FieldErrors {
	var es FieldErrors
	checkID(&es, "id", l.ID, true)
	checkEnum(&es, "type", l.Type, LicenceTypes)
	checkEnum(&es, "status", l.Status, LicenceStatuses)
	checkID(&es, "holder", l.Holder, false)
	checkIDs(&es, "clients", l.Clients)
	if l.Holder != "" && slices.Contains(l.Clients, l.Holder) {
		es.add("clients", "the holder %q cannot be its own client", l.Holder)
	}
	checkIDs(&es, "materials", l.Materials)
	checkIDs(&es, "excluded_sectors", l.ExcludedSectors)
	checkOrder(&es, "valid_from", l.ValidFrom, "valid_until", l.ValidUntil, true)
	checkOrder(&es, "issued_on", l.IssuedOn, "revoked_on", l.RevokedOn, true)
	checkText(&es, "reference", l.Reference, false, 300)
	checkText(&es, "revocation_reason", l.RevocationReason, false, 1000)
	checkSources(&es, "sources", l.Sources)
	checkIDs(&es, "controls", l.Controls)
	checkConfidence(&es, l.Confidence)
	checkText(&es, "note", l.Note, false, maxNoteLength)
	return es
}

// Refs are the licence's references.
func (l Licence) Refs() []Ref {
	var out []Ref
	if l.Holder != "" {
		out = append(out, Ref{Field: "holder", Kind: KindCompany, ID: l.Holder})
	}
	out = append(out, refs("clients", KindCompany, l.Clients)...)
	out = append(out, refs("materials", KindMaterial, l.Materials)...)
	out = append(out, refs("excluded_sectors", KindSector, l.ExcludedSectors)...)
	return append(out, refs("controls", KindControl, l.Controls)...)
}

func refs(field string, kind Kind, ids []string) []Ref {
	out := make([]Ref, 0, len(ids))
	for _, id := range ids {
		out = append(out, Ref{Field: field, Kind: kind, ID: id})
	}
	return out
}
