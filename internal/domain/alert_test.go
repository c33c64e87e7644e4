package domain

import (
	"fmt"
	"testing"
)

func TestAlertQueryValidate(t *testing.T) {
	many := make([]string, MaxWatchedCompanies+1)
	for i := range many {
		many[i] = fmt.Sprint("c", i)
	}
	for _, tc := range []struct {
		name  string
		q     AlertQuery
		field string // "" when valid
	}{
		{"companies", AlertQuery{CompanyIDs: []string{"a"}, MaxDepth: 4}, ""},
		{"a sector", AlertQuery{Sector: "automotive", MaxDepth: 4}, ""},
		{"both", AlertQuery{CompanyIDs: []string{"a"}, Sector: "automotive", MaxDepth: 1}, ""},
		{"nothing to watch", AlertQuery{MaxDepth: 4}, "companyIds"},
		{"too many", AlertQuery{CompanyIDs: many, MaxDepth: 4}, "companyIds"},
		{"the most", AlertQuery{CompanyIDs: many[:MaxWatchedCompanies], MaxDepth: 4}, ""},
		{"an empty id", AlertQuery{CompanyIDs: []string{"a", " "}, MaxDepth: 4}, "companyIds[1]"},
		{"too deep", AlertQuery{CompanyIDs: []string{"a"}, MaxDepth: MaxExposureDepth + 1}, "maxDepth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.q.Validate()
			e, _ := err.(*Error)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && (e == nil || e.Code != CodeBadUserInput || e.Field != tc.field):
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
}

func TestAlertQueryKeyIgnoresOrderAndRepeats(t *testing.T) {
	a := AlertQuery{CompanyIDs: []string{"b", "a", "b"}, MaxDepth: 4}.Normalize()
	b := AlertQuery{CompanyIDs: []string{"a", "b"}, MaxDepth: 4}.Normalize()
	if a.Key() != b.Key() {
		t.Fatalf("keys %q and %q", a.Key(), b.Key())
	}
	if c := (AlertQuery{CompanyIDs: []string{"a", "b"}, MaxDepth: 3}); c.Key() == b.Key() {
		t.Fatal("another depth has the same key")
	}
}

func TestAlertCursor(t *testing.T) {
	c := AlertCursor{Epoch: "e1", Seq: 42, AsOf: MustDate("2030-07-01"), CompanyID: "us-w"}
	got, ok := ParseAlertCursor(c.String())
	if !ok || got != c {
		t.Fatalf("round trip of %s: %+v %v", c, got, ok)
	}
	for _, s := range []string{"", "e1~x~2030-07-01~a", "e1~1~2030-13-01~a", "e1~1~2030-07-01~", "e1~-1~2030-07-01~a"} {
		if _, ok := ParseAlertCursor(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
	later := []AlertCursor{
		{Epoch: "e1", Seq: 43, AsOf: MustDate("2030-06-30"), CompanyID: "a"},
		{Epoch: "e1", Seq: 42, AsOf: MustDate("2030-07-02"), CompanyID: "a"},
		{Epoch: "e1", Seq: 42, AsOf: MustDate("2030-07-01"), CompanyID: "z"},
	}
	for _, l := range later {
		if c.Compare(l) >= 0 || l.Compare(c) <= 0 {
			t.Errorf("%s not after %s", l, c)
		}
	}
	if c.Compare(c) != 0 {
		t.Error("a cursor is not equal to itself")
	}
}
