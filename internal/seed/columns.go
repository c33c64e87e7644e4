package seed

import (
	"fmt"
	"io"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Type is what one value of a column holds.
type Type string

const (
	TypeID      Type = "id"           // letters, digits and . _ : / + -, at most 128 characters
	TypeText    Type = "text"         // free text
	TypeDate    Type = "date"         // YYYY-MM-DD
	TypeNumber  Type = "number"       // decimal, e.g. 0.7
	TypeEnum    Type = "enum"         // one of Column.Values, case-insensitive
	TypeCountry Type = "country code" // ISO 3166-1 alpha-2, case-insensitive
	TypeURL     Type = "URL"          // http or https
	TypeSource  Type = "source"       // a URL, or a citation "Outlet, YYYY-MM-DD[, title]"
	TypeLEI     Type = "LEI"          // 20-character Legal Entity Identifier
)

// Column is one field of a seed-file kind: the CSV header name and YAML key.
type Column struct {
	Name     string
	Type     Type
	List     bool        // several values: `;`-separated in CSV, a sequence in YAML
	Refers   domain.Kind // for ids: the kind of node the id must name ("" for a key)
	Required bool
	Default  string   // the value an absent cell takes ("" = stays absent)
	Values   []string // the values of an enum, in order
	Doc      string   // short meaning, for `seed --help` and docs/seed-format.md
	Example  string   // a valid value, as written in a CSV cell
}

// KindColumns are the columns of one kind, in the documented order.
type KindColumns struct {
	Kind    domain.Kind
	Columns []Column
}

// Lookup returns the column called name.
func (k KindColumns) Lookup(name string) (Column, bool) {
	if i := k.index(name); i >= 0 {
		return k.Columns[i], true
	}
	return Column{}, false
}

// Names are the column names in order.
func (k KindColumns) Names() []string {
	out := make([]string, len(k.Columns))
	for i, c := range k.Columns {
		out[i] = c.Name
	}
	return out
}

// Kinds is THE table of the seed format: every kind in load order, with
// its columns. The decoder accepts exactly these columns and reads them
// only through it; `licencegraph seed --help` is printed from it; tests
// hold docs/seed-format.md and the domain's validation to it.
var Kinds = []KindColumns{
	{domain.KindSector, []Column{
		{Name: "id", Type: TypeID, Required: true, Doc: "the sector's key", Example: "automotive-oem"},
		{Name: "name", Type: TypeText, Doc: "display name", Example: "Vehicle makers"},
		{Name: "parent", Type: TypeID, Refers: domain.KindSector, Doc: "the sector it is PART_OF; absent: a root", Example: "automotive"},
	}},
	{domain.KindMaterial, []Column{
		{Name: "id", Type: TypeID, Required: true, Doc: "the material's key, case-sensitive", Example: "Dy"},
		{Name: "name", Type: TypeText, Doc: "display name", Example: "Dysprosium"},
		{Name: "kind", Type: TypeEnum, Values: enumValues(domain.MaterialKinds), Doc: "what form of material", Example: "ELEMENT"},
	}},
	{domain.KindControl, []Column{
		{Name: "id", Type: TypeID, Required: true, Doc: "the export control's key", Example: "MOFCOM-2025-18"},
		{Name: "title", Type: TypeText, Doc: "title of the instrument", Example: "Announcement No. 18 of 2025"},
		{Name: "authority", Type: TypeText, Doc: "who issued it", Example: "MOFCOM"},
		{Name: "announced_on", Type: TypeDate, Doc: "day it was announced", Example: "2025-04-04"},
		{Name: "effective_from", Type: TypeDate, Doc: "first day in force; absent: never in force", Example: "2025-04-04"},
		{Name: "suspended_from", Type: TypeDate, Doc: "first day of a suspension", Example: "2025-11-07"},
		{Name: "suspended_until", Type: TypeDate, Doc: "end of the suspension, exclusive; absent: open", Example: "2026-11-10"},
		{Name: "lifted_on", Type: TypeDate, Doc: "first day no longer in force", Example: "2027-01-01"},
		{Name: "materials", Type: TypeID, List: true, Refers: domain.KindMaterial, Doc: "materials it CONTROLS", Example: "Dy;Tb"},
		{Name: "sources", Type: TypeSource, List: true, Doc: "where it is reported (REPORTED_BY): URLs or citations", Example: "https://example.org/mofcom-18"},
		{Name: "note", Type: TypeText, Doc: "caveats and assumptions, kept as written", Example: "suspension end as scheduled"},
	}},
	{domain.KindCompany, []Column{
		{Name: "id", Type: TypeID, Required: true, Doc: "the company's key", Example: "jl-mag"},
		{Name: "name", Type: TypeText, Required: true, Doc: "display name", Example: "JL MAG Rare-Earth"},
		{Name: "aliases", Type: TypeText, List: true, Doc: "other names, searched with the name", Example: "金力永磁;300748.SZ"},
		{Name: "country", Type: TypeCountry, Required: true, Doc: "where it is registered (REGISTERED_IN)", Example: "CN"},
		{Name: "roles", Type: TypeEnum, List: true, Values: enumValues(domain.Roles), Doc: "what it does in the supply chain", Example: "MAGNET_MAKER"},
		{Name: "sectors", Type: TypeID, List: true, Refers: domain.KindSector, Doc: "sectors it OPERATES_IN", Example: "rare-earths"},
		{Name: "lei", Type: TypeLEI, Doc: "Legal Entity Identifier", Example: "529900EXAMPLE0000042"},
		{Name: "website", Type: TypeURL, Doc: "home page", Example: "https://example.com"},
		{Name: "note", Type: TypeText, Doc: "caveats and assumptions, kept as written", Example: "country: general knowledge"},
	}},
	{domain.KindSupply, []Column{
		{Name: "supplier", Type: TypeID, Required: true, Refers: domain.KindCompany, Doc: "the company that supplies (key, with customer)", Example: "jl-mag"},
		{Name: "customer", Type: TypeID, Required: true, Refers: domain.KindCompany, Doc: "the company supplied (key, with supplier)", Example: "tesla"},
		{Name: "materials", Type: TypeID, List: true, Refers: domain.KindMaterial, Doc: "what the link carries", Example: "NdFeB"},
		{Name: "since", Type: TypeDate, Doc: "first day of the link; absent: open", Example: "2021-01-01"},
		{Name: "until", Type: TypeDate, Doc: "end of the link, exclusive; absent: open", Example: "2024-01-01"},
		{Name: "confidence", Type: TypeNumber, Doc: "belief in the link, 0 to 1 (exposure ignores it)", Example: "0.9"},
		{Name: "sources", Type: TypeSource, List: true, Doc: "where the link is reported: URLs or citations", Example: "Reuters, 2025-05-13"},
		{Name: "note", Type: TypeText, Doc: "caveats and assumptions, kept as written", Example: "single secondary source"},
	}},
	{domain.KindLicence, []Column{
		{Name: "id", Type: TypeID, Required: true, Doc: "the licence's key", Example: "gl-2025-12-jl-mag"},
		{Name: "type", Type: TypeEnum, Default: string(domain.LicenceGeneral), Values: enumValues(domain.LicenceTypes), Doc: "kind of licence", Example: "GENERAL"},
		{Name: "status", Type: TypeEnum, Default: string(domain.StatusActive), Values: enumValues(domain.LicenceStatuses), Doc: "where it stands; only ACTIVE covers", Example: "ACTIVE"},
		{Name: "holder", Type: TypeID, Refers: domain.KindCompany, Doc: "the exporter that HOLDS it", Example: "jl-mag"},
		{Name: "clients", Type: TypeID, List: true, Refers: domain.KindCompany, Doc: "companies it COVERS (not the holder)", Example: "tesla;rivian"},
		{Name: "materials", Type: TypeID, List: true, Refers: domain.KindMaterial, Doc: "materials it is FOR; none: covers nothing", Example: "NdFeB"},
		{Name: "excluded_sectors", Type: TypeID, List: true, Refers: domain.KindSector, Doc: "sectors it EXCLUDES, with sub-sectors", Example: "defence"},
		{Name: "issued_on", Type: TypeDate, Doc: "day it was issued", Example: "2025-12-02"},
		{Name: "valid_from", Type: TypeDate, Doc: "first valid day, inclusive; absent: open", Example: "2025-12-02"},
		{Name: "valid_until", Type: TypeDate, Doc: "last valid day, inclusive; absent: open", Example: "2026-12-01"},
		{Name: "revoked_on", Type: TypeDate, Doc: "first day it no longer covers", Example: "2026-03-01"},
		{Name: "revocation_reason", Type: TypeText, Doc: "why it was revoked (what revokeLicence records)", Example: "breach of end-use terms"},
		{Name: "reference", Type: TypeText, Doc: "the authority's reference number", Example: "MOFCOM-GL-0001"},
		{Name: "sources", Type: TypeSource, List: true, Doc: "where it is reported (REPORTED_BY): URLs or citations", Example: "https://example.org/grant;Reuters, 2025-12-02, First general licences"},
		{Name: "controls", Type: TypeID, List: true, Refers: domain.KindControl, Doc: "export controls it is UNDER", Example: "MOFCOM-2025-18"},
		{Name: "confidence", Type: TypeNumber, Doc: "belief in the grant as recorded, 0 to 1 (exposure ignores it)", Example: "0.9"},
		{Name: "note", Type: TypeText, Doc: "caveats and assumptions, kept as written", Example: "validity end is a projection"},
	}},
}

func enumValues[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// ColumnsOf returns kind's columns; it panics on a kind without a file.
func ColumnsOf(kind domain.Kind) KindColumns {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k
		}
	}
	panic("seed: no columns for kind " + string(kind))
}

// TypeName is a column's type as the help and the docs show it: "date",
// "company id"; a list is plural: "sector ids", "URLs".
func (c Column) TypeName() string {
	t := string(c.Type)
	if c.Refers != "" {
		t = singular(c.Refers) + " id"
	}
	if c.List {
		t += "s"
	}
	return t
}

// Presence is "required", "default X" or "optional".
func (c Column) Presence() string {
	switch {
	case c.Required:
		return "required"
	case c.Default != "":
		return "default " + c.Default
	}
	return "optional"
}

// formatIntro is the seed format in brief, before the table in `seed
// --help`; docs/seed-format.md has the whole of it.
const formatIntro = `A file's kind is the last dotted part of its name before the extension:
companies.yaml, supply.csv, 2025-12-grants.licences.csv. YAML files (.yaml,
.yml) hold a list of records; CSV files a header row naming columns, then
one record per row. Dates are YYYY-MM-DD; an empty cell or a missing column
is absent. A plural type is a list: a YAML sequence, or in CSV one cell with
the items separated by ';'. A source is an http(s) URL or a citation
"Outlet, YYYY-MM-DD[, title]", which holds commas: quote its CSV cell, and
in YAML write one item per line. Files load in the order of the kinds
below, then by path, each in one transaction: a file with an error writes
nothing.
Reloading a file changes nothing; a record loaded again replaces what was
stored for its key. Unknown columns are errors. The whole format:
docs/seed-format.md.
`

// PrintFormat writes the seed format for `seed --help`: formatIntro, then
// the kinds in load order, each with a line per column (name, type,
// presence, meaning, aligned across kinds) and, for an enum, a line of its
// values.
func PrintFormat(w io.Writer) error {
	var wName, wType, wPresence int
	for _, k := range Kinds {
		for _, c := range k.Columns {
			wName = max(wName, len(c.Name))
			wType = max(wType, len(c.TypeName()))
			wPresence = max(wPresence, len(c.Presence()))
		}
	}
	var b strings.Builder
	b.WriteString(formatIntro)
	for _, k := range Kinds {
		fmt.Fprintf(&b, "\n%s:\n", k.Kind)
		for _, c := range k.Columns {
			fmt.Fprintf(&b, "  %-*s  %-*s  %-*s  %s\n", wName, c.Name, wType, c.TypeName(), wPresence, c.Presence(), c.Doc)
			if len(c.Values) > 0 {
				fmt.Fprintf(&b, "  %-*s  one of %s\n", wName, "", strings.Join(c.Values, ", "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// index is the position of the column called name, or -1.
func (k KindColumns) index(name string) int {
	for i, c := range k.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}
