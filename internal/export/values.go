package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
)

// values are a record's cells by column name, as a seed file writes
// them: one item for a single value, the items of a list; absent values
// are left out. Every column of the kind's table (seed.Kinds) has a
// line here; a test holds the two together.
func values(r any) (domain.Kind, map[string][]string) {
	m := map[string][]string{}
	one := func(col, v string) {
		if v != "" {
			m[col] = []string{v}
		}
	}
	many := func(col string, vs []string) {
		if len(vs) > 0 {
			m[col] = vs
		}
	}
	date := func(col string, d domain.Date) { one(col, d.String()) }
	number := func(col string, f *float64) {
		if f != nil {
			one(col, strconv.FormatFloat(*f, 'f', -1, 64))
		}
	}
	switch v := r.(type) {
	case domain.Sector:
		one("id", v.ID)
		one("name", v.Name)
		one("parent", v.Parent)
		return domain.KindSector, m
	case domain.Material:
		one("id", v.ID)
		one("name", v.Name)
		one("kind", string(v.Kind))
		return domain.KindMaterial, m
	case domain.ExportControl:
		one("id", v.ID)
		one("title", v.Title)
		one("authority", v.Authority)
		date("announced_on", v.AnnouncedOn)
		date("effective_from", v.EffectiveFrom)
		date("suspended_from", v.SuspendedFrom)
		date("suspended_until", v.SuspendedUntil)
		date("lifted_on", v.LiftedOn)
		many("materials", v.Materials)
		many("sources", v.Sources)
		one("note", v.Note)
		return domain.KindControl, m
	case domain.Company:
		roles := make([]string, len(v.Roles))
		for i, r := range v.Roles {
			roles[i] = string(r)
		}
		one("id", v.ID)
		one("name", v.Name)
		many("aliases", v.Aliases)
		one("country", v.Country)
		many("roles", roles)
		many("sectors", v.Sectors)
		one("lei", v.LEI)
		one("website", v.Website)
		one("note", v.Note)
		return domain.KindCompany, m
	case domain.SupplyLink:
		one("supplier", v.Supplier)
		one("customer", v.Customer)
		many("materials", v.Materials)
		date("since", v.Since)
		date("until", v.Until)
		number("confidence", v.Confidence)
		many("sources", v.Sources)
		one("note", v.Note)
		return domain.KindSupply, m
	case domain.Licence:
		one("id", v.ID)
		one("type", string(v.Type))
		one("status", string(v.Status))
		one("holder", v.Holder)
		many("clients", v.Clients)
		many("materials", v.Materials)
		many("excluded_sectors", v.ExcludedSectors)
		date("issued_on", v.IssuedOn)
		date("valid_from", v.ValidFrom)
		date("valid_until", v.ValidUntil)
		date("revoked_on", v.RevokedOn)
		one("revocation_reason", v.RevocationReason)
		one("reference", v.Reference)
		many("sources", v.Sources)
		many("controls", v.Controls)
		number("confidence", v.Confidence)
		one("note", v.Note)
		return domain.KindLicence, m
	}
	panic(fmt.Sprintf("export: unexpected record %T", r))
}

// csvSafe says whether CSV carries the record's values exactly: no list
// item holds ';' (the CSV list separator) and no value holds '\r' (a CSV
// reader turns "\r\n" inside a quoted cell into "\n"). The others go to
// a YAML file, which carries any text.
func csvSafe(vals map[string][]string, cols seed.KindColumns) bool {
	for name, vs := range vals {
		col, _ := cols.Lookup(name)
		for _, v := range vs {
			if strings.ContainsRune(v, '\r') || (col.List && strings.ContainsRune(v, ';')) {
				return false
			}
		}
	}
	return true
}

// representable reports the first value no seed file can carry: the
// loader trims surrounding spaces from every cell and list item, so a
// stored value that has them would come back changed.
func representable(key string, vals map[string][]string) error {
	for name, vs := range vals {
		for _, v := range vs {
			if strings.TrimSpace(v) != v {
				return fmt.Errorf("%s: %s: %q has surrounding spaces, which a seed file cannot carry (the loader trims them)", key, name, v)
			}
		}
	}
	return nil
}
