package graph

import (
	"strings"
	"testing"
)

func TestSanitizeDocument(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"strings and numbers", `query Q { company(id: "cn-mag") { suppliers(first: 10) { totalCount } } }`,
			`query Q { company(id: ?) { suppliers(first: ?) { totalCount } } }`},
		{"block string and float", `{ exposedCompanies(minConfidence: 0.5, sector: """secret""") { totalCount } }`,
			`{ exposedCompanies(minConfidence: ? sector: ?) { totalCount } }`},
		{"variables, enums and booleans stay", `query($id: ID!, $d: Direction = UPSTREAM) { supplyChain(id: $id, direction: $d) { id } }`,
			`query($id: ID! $d: Direction = UPSTREAM) { supplyChain(id: $id direction: $d) { id } }`},
		{"comments dropped", "# my customer acme\n{ stats { companies } }", `{ stats { companies } }`},
		{"lists and objects", `{ companies(filter: {country: "CN", sectors: ["a", "b"]}) { totalCount } }`,
			`{ companies(filter: { country: ? sectors: [? ?] }) { totalCount } }`},
		{"stops at a lexing error", `{ company(id: "unterminated`, `{ company(id:`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SanitizeDocument(tc.in); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if got := SanitizeDocument("{ " + strings.Repeat("a ", 5000) + "}"); len(got) > maxDocument {
		t.Errorf("%d bytes, more than %d", len(got), maxDocument)
	}
}
