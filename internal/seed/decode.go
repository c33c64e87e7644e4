package seed

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// columns are each kind's fields in SPEC order; any other is an error.
var columns = map[domain.Kind][]string{
	domain.KindSector:   {"id", "name", "parent"},
	domain.KindMaterial: {"id", "name", "kind"},
	domain.KindControl:  {"id", "title", "authority", "announced_on", "effective_from", "suspended_from", "suspended_until", "lifted_on", "materials", "sources"},
	domain.KindCompany:  {"id", "name", "aliases", "country", "roles", "sectors", "lei", "website"},
	domain.KindSupply:   {"supplier", "customer", "materials", "since", "until", "confidence", "sources"},
	domain.KindLicence:  {"id", "type", "status", "holder", "clients", "materials", "excluded_sectors", "issued_on", "valid_from", "valid_until", "revoked_on", "reference", "sources", "controls"},
}

// listColumns hold lists; every other column holds one value.
var listColumns = map[string]bool{
	"aliases": true, "roles": true, "sectors": true, "materials": true, "sources": true,
	"clients": true, "excluded_sectors": true, "controls": true,
}

// record is a decoded record of any kind, with where it came from.
type record struct {
	line  int
	value any    // domain.Sector, domain.Company, …
	key   string // id, or "supplier->customer"
}

// decoder turns one raw record into a domain value, collecting errors.
type decoder struct {
	raw  rawRecord
	errs []parseError
}

func (d *decoder) fail(field, format string, args ...any) {
	line := d.raw.line
	if c, ok := d.raw.fields[field]; ok && c.line > 0 {
		line = c.line
	}
	d.errs = append(d.errs, parseError{line: line, field: field, msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) str(field string) string {
	c, ok := d.raw.fields[field]
	if !ok {
		return ""
	}
	return c.scalar
}

func (d *decoder) upper(field string) string { return strings.ToUpper(d.str(field)) }

func (d *decoder) list(field string) []string {
	c, ok := d.raw.fields[field]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(c.list))
	for _, v := range c.list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func (d *decoder) upperList(field string) []string {
	l := d.list(field)
	for i := range l {
		l[i] = strings.ToUpper(l[i])
	}
	return l
}

func (d *decoder) date(field string) domain.Date {
	s := d.str(field)
	if s == "" {
		return domain.Date{}
	}
	t, err := domain.ParseDate(s)
	if err != nil {
		d.fail(field, "%v", err)
	}
	return t
}

func (d *decoder) float(field string) *float64 {
	s := d.str(field)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d.fail(field, "%q is not a number", s)
		return nil
	}
	return &f
}

// decode checks the record's columns and converts it to kind's domain type.
func decode(kind domain.Kind, raw rawRecord) (record, []parseError) {
	d := &decoder{raw: raw}
	allowed := columns[kind]
	for _, f := range raw.order {
		if !slices.Contains(allowed, f) {
			d.fail(f, "unknown field (allowed: %s)", strings.Join(allowed, ", "))
		}
	}
	// A scalar column written as a YAML list is an error.
	for _, f := range raw.order {
		if c, ok := raw.fields[f]; ok && c.seq && !listColumns[f] {
			d.fail(f, "must be a single value, not a list")
		}
	}
	rec := record{line: raw.line}
	switch kind {
	case domain.KindSector:
		v := domain.Sector{ID: d.str("id"), Name: d.str("name"), Parent: d.str("parent")}
		rec.value, rec.key = v, v.ID
	case domain.KindMaterial:
		v := domain.Material{ID: d.str("id"), Name: d.str("name"), Kind: domain.MaterialKind(d.upper("kind"))}
		rec.value, rec.key = v, v.ID
	case domain.KindControl:
		v := domain.ExportControl{
			ID: d.str("id"), Title: d.str("title"), Authority: d.str("authority"),
			AnnouncedOn: d.date("announced_on"), EffectiveFrom: d.date("effective_from"),
			SuspendedFrom: d.date("suspended_from"), SuspendedUntil: d.date("suspended_until"),
			LiftedOn: d.date("lifted_on"), Materials: d.list("materials"), Sources: d.list("sources"),
		}
		rec.value, rec.key = v, v.ID
	case domain.KindCompany:
		roles := d.upperList("roles")
		v := domain.Company{
			ID: d.str("id"), Name: d.str("name"), Aliases: d.list("aliases"),
			Country: d.upper("country"), Sectors: d.list("sectors"),
			LEI: d.upper("lei"), Website: d.str("website"),
		}
		for _, r := range roles {
			v.Roles = append(v.Roles, domain.Role(r))
		}
		rec.value, rec.key = v, v.ID
	case domain.KindSupply:
		v := domain.SupplyLink{
			Supplier: d.str("supplier"), Customer: d.str("customer"), Materials: d.list("materials"),
			Since: d.date("since"), Until: d.date("until"), Confidence: d.float("confidence"),
			Sources: d.list("sources"),
		}
		rec.value, rec.key = v, v.Supplier+"->"+v.Customer
	case domain.KindLicence:
		v := domain.Licence{
			ID: d.str("id"), Type: domain.LicenceType(d.upper("type")), Status: domain.LicenceStatus(d.upper("status")),
			Holder: d.str("holder"), Clients: d.list("clients"), Materials: d.list("materials"),
			ExcludedSectors: d.list("excluded_sectors"), IssuedOn: d.date("issued_on"),
			ValidFrom: d.date("valid_from"), ValidUntil: d.date("valid_until"), RevokedOn: d.date("revoked_on"),
			Reference: d.str("reference"), Sources: d.list("sources"), Controls: d.list("controls"),
		}.WithDefaults()
		rec.value, rec.key = v, v.ID
	default:
		panic("unknown kind " + kind)
	}
	for _, fe := range validate(rec.value) {
		d.fail(fe.Field, "%s", fe.Message)
	}
	return rec, d.errs
}

func validate(v any) domain.FieldErrors {
	switch v := v.(type) {
	case domain.Sector:
		return v.Validate()
	case domain.Material:
		return v.Validate()
	case domain.ExportControl:
		return v.Validate()
	case domain.Company:
		return v.Validate()
	case domain.SupplyLink:
		return v.Validate()
	case domain.Licence:
		return v.Validate()
	}
	return nil
}

func refsOf(v any) []domain.Ref {
	switch v := v.(type) {
	case domain.Sector:
		return v.Refs()
	case domain.ExportControl:
		return v.Refs()
	case domain.Company:
		return v.Refs()
	case domain.SupplyLink:
		return v.Refs()
	case domain.Licence:
		return v.Refs()
	}
	return nil
}
