package neo4jstore

import (
	"testing"
)

func TestFulltextQueryEscapesLuceneSyntax(t *testing.T) {
	tests := []struct{ text, want string }{
		{"JL Mag", `"JL Mag" OR (jl* AND mag*)`},
		{"  金力永磁 ", `"金力永磁" OR (金力永磁*)`},
		{`a:b (c)`, `"a\:b \(c\)" OR (a\:b* AND \(c\)*)`},
		{`x" OR *`, `"x\" OR \*" OR (x\"* AND or* AND \**)`},
		{`\ / ~ ^ [ ] { } ! ? + - && ||`, `"\\ \/ \~ \^ \[ \] \{ \} \! \? \+ \- \&\& \|\|" OR (\\* AND \/* AND \~* AND \^* AND \[* AND \]* AND \{* AND \}* AND \!* AND \?* AND \+* AND \-* AND \&\&* AND \|\|*)`},
		{"   ", ""},
	}
	for _, tc := range tests {
		if got := fulltextQuery(tc.text); got != tc.want {
			t.Errorf("fulltextQuery(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}
