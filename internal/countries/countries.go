// Package countries is the built-in ISO 3166-1 alpha-2 country table that
// Country nodes are created from: countries are not a seed-file kind
// (docs/model.md).
//
// The table (countries_table.go) is generated from Debian's iso-codes data by
// ./gen and committed; regenerate with `go generate ./internal/countries/`
// on a machine with the iso-codes package installed.
package countries

//go:generate go run ./gen -in /usr/share/iso-codes/json/iso_3166-1.json -out countries_table.go

// Region is a continent-level grouping of countries.
type Region string

// The regions of the GraphQL/Neo4j model.
const (
	Europe   Region = "EUROPE"
	Americas Region = "AMERICAS"
	Asia     Region = "ASIA"
	Africa   Region = "AFRICA"
	Oceania  Region = "OCEANIA"
)

// Regions lists every Region value.
func Regions() []Region { return []Region{Africa, Americas, Asia, Europe, Oceania} }

// Country is one ISO 3166-1 entry: its alpha-2 code, ISO English short name
// and region.
type Country struct {
	Code   string
	Name   string
	Region Region
}

var byCode = func() map[string]Country {
	m := make(map[string]Country, len(table))
	for _, c := range table {
		m[c.Code] = c
	}
	return m
}()

// Lookup returns the country with the given alpha-2 code. The match is exact:
// the code must be upper case ("CN", not "cn").
func Lookup(code string) (Country, bool) {
	c, ok := byCode[code]
	return c, ok
}

// All returns every country, sorted by code. The slice is a fresh copy that
// the caller may modify.
func All() []Country {
	out := make([]Country, len(table))
	copy(out, table[:])
	return out
}
