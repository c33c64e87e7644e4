package seed

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// record is a decoded record of any kind, with where it came from.
type record struct {
	line  int
	value any    // domain.Sector, domain.Company, …
	key   string // id, or "supplier->customer"
	// failed holds the fields with errors of a record that did not decode
	// or validate (nil: valid). Such a record is never written; it is
	// handed on only so that its other references are checked in the
	// same run, and every error of a file comes in one report.
	failed map[string]bool
}

// decoder turns one raw record into a domain value, collecting errors. It
// reads cells only through the kind's table (Kinds), as the type the table
// gives them: reading a column the table lacks, or as another type, is a
// programming error and panics, so the table and the decoder cannot drift.
type decoder struct {
	raw  rawRecord
	cols KindColumns
	read uint64 // bit i: column i was read (tests check every column is)
	errs []parseError
	// misspelt are the columns an unknown one was taken for: their
	// absence is already said.
	misspelt []string
}

func (d *decoder) fail(field, format string, args ...any) {
	line := d.raw.line
	if c, ok := d.raw.fields[field]; ok && c.line > 0 {
		line = c.line
	}
	d.errs = append(d.errs, parseError{line: line, field: field, msg: fmt.Sprintf(format, args...)})
}

// cell returns field's cell after checking the table holds field as a
// list or a single value of one of types.
func (d *decoder) cell(field string, list bool, types ...Type) (cell, bool) {
	i := d.cols.index(field)
	if i < 0 {
		panic(fmt.Sprintf("seed: %s has no column %q", d.cols.Kind, field))
	}
	col := d.cols.Columns[i]
	if col.List != list || !slices.Contains(types, col.Type) {
		panic(fmt.Sprintf("seed: %s column %q (%s) read as list=%v of %v", d.cols.Kind, field, col.TypeName(), list, types))
	}
	d.read |= 1 << i
	c, ok := d.raw.fields[field]
	return c, ok
}

func (d *decoder) str(field string) string {
	c, _ := d.cell(field, false, TypeID, TypeText, TypeURL)
	return c.scalar
}

// upper reads the values matched case-insensitively.
func (d *decoder) upper(field string) string {
	c, _ := d.cell(field, false, TypeEnum, TypeCountry, TypeLEI)
	return strings.ToUpper(c.scalar)
}

func (d *decoder) list(field string) []string {
	c, ok := d.cell(field, true, TypeID, TypeText, TypeSource)
	if !ok {
		return nil
	}
	return dedupe(c.list)
}

func dedupe(l []string) []string {
	out := make([]string, 0, len(l))
	for _, v := range l {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func (d *decoder) upperList(field string) []string {
	c, ok := d.cell(field, true, TypeEnum)
	if !ok {
		return nil
	}
	l := make([]string, len(c.list))
	for i, v := range c.list {
		l[i] = strings.ToUpper(v)
	}
	return dedupe(l)
}

func (d *decoder) date(field string) domain.Date {
	c, _ := d.cell(field, false, TypeDate)
	if c.scalar == "" {
		return domain.Date{}
	}
	t, err := domain.ParseDate(c.scalar)
	if err != nil {
		d.fail(field, "%v", err)
	}
	return t
}

func (d *decoder) float(field string) *float64 {
	c, _ := d.cell(field, false, TypeNumber)
	if c.scalar == "" {
		return nil
	}
	f, err := strconv.ParseFloat(c.scalar, 64)
	if err != nil {
		d.fail(field, "%q is not a number", c.scalar)
		return nil
	}
	return &f
}

// decode checks the record's columns against kind's table and converts it
// to kind's domain type.
func decode(kind domain.Kind, raw rawRecord) (record, []parseError) {
	rec, d := decodeRecord(kind, raw)
	errs := d.errs
	if len(d.misspelt) > 0 {
		errs = slices.DeleteFunc(errs, func(e parseError) bool {
			return e.msg == "is required" && slices.Contains(d.misspelt, e.field)
		})
	}
	return rec, errs
}

func decodeRecord(kind domain.Kind, raw rawRecord) (record, *decoder) {
	d := &decoder{raw: raw, cols: ColumnsOf(kind)}
	for _, f := range raw.order {
		col, ok := d.cols.Lookup(f)
		if !ok {
			near := ""
			if raw.explained == nil { // a YAML record; a CSV header is checked once, in parseCSV
				near = nearestColumn(d.cols, f, raw.order)
			}
			d.fail(f, "%s", unknownColumnNear(d.cols, near))
			if near != "" {
				d.misspelt = append(d.misspelt, near)
			}
			continue
		}
		// A single-value column written as a YAML list is an error.
		if c, ok := raw.fields[f]; ok && c.seq && !col.List {
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
			Note: d.str("note"),
		}
		rec.value, rec.key = v, v.ID
	case domain.KindCompany:
		roles := d.upperList("roles")
		v := domain.Company{
			ID: d.str("id"), Name: d.str("name"), Aliases: d.list("aliases"),
			Country: d.upper("country"), Sectors: d.list("sectors"),
			LEI: d.upper("lei"), Website: d.str("website"), Note: d.str("note"),
		}
		for _, r := range roles {
			v.Roles = append(v.Roles, domain.Role(r))
		}
		rec.value, rec.key = v, v.ID
	case domain.KindSupply:
		v := domain.SupplyLink{
			Supplier: d.str("supplier"), Customer: d.str("customer"), Materials: d.list("materials"),
			Since: d.date("since"), Until: d.date("until"), Confidence: d.float("confidence"),
			Sources: d.list("sources"), Note: d.str("note"),
		}
		rec.value, rec.key = v, v.Supplier+"->"+v.Customer
	case domain.KindLicence:
		v := domain.Licence{
			ID: d.str("id"), Type: domain.LicenceType(d.upper("type")), Status: domain.LicenceStatus(d.upper("status")),
			Holder: d.str("holder"), Clients: d.list("clients"), Materials: d.list("materials"),
			ExcludedSectors: d.list("excluded_sectors"), IssuedOn: d.date("issued_on"),
			ValidFrom: d.date("valid_from"), ValidUntil: d.date("valid_until"), RevokedOn: d.date("revoked_on"),
			RevocationReason: d.str("revocation_reason"), Reference: d.str("reference"), Sources: d.list("sources"), Controls: d.list("controls"),
			Confidence: d.float("confidence"), Note: d.str("note"),
		}.WithDefaults()
		rec.value, rec.key = v, v.ID
	default:
		panic("unknown kind " + kind)
	}
	for _, fe := range validate(rec.value) {
		d.fail(fe.Field, "%s", fe.Message)
	}
	return rec, d
}

// unknownColumnNear is the error of an unknown column, naming near, the
// known column it is likely a misspelling of, when there is one.
func unknownColumnNear(k KindColumns, near string) string {
	if near == "" {
		return "unknown column (" + string(k.Kind) + " has: " + strings.Join(k.Names(), ", ") + ")"
	}
	return fmt.Sprintf("unknown column; the nearest known one is %q, which is missing (%s has: %s)", near, k.Kind, strings.Join(k.Names(), ", "))
}

// nearestColumn is the column of k, not among present, that name is most
// likely a misspelling of (case and separators aside, at most a third of
// its letters changed); "" if none is that close.
func nearestColumn(k KindColumns, name string, present []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	n := norm(name)
	best, bestD := "", max(2, len([]rune(n))/3)+1
	for _, c := range k.Columns {
		if slices.Contains(present, c.Name) {
			continue
		}
		if d := editDistance(n, norm(c.Name)); d < bestD {
			best, bestD = c.Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
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
