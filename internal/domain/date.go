package domain

import (
	"fmt"
	"time"
)

// Date is a calendar date without time or zone (the GraphQL `Date`
// scalar and the seed files' dates, YYYY-MM-DD; stored as a Neo4j DATE).
// The zero Date means "absent".
type Date struct {
	t time.Time // midnight UTC; zero when absent
}

// ParseDate parses YYYY-MM-DD strictly.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return Date{t: t}, nil
}

// MustDate parses s or panics; for constants in tests and fixtures.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Today is the current date in UTC.
func Today() Date { return DateOf(time.Now().UTC()) }

func (d Date) IsZero() bool { return d.t.IsZero() }

// Time is the date at midnight UTC.
func (d Date) Time() time.Time { return d.t }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool  { return d.t.Equal(o.t) }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return Date{t: d.t.AddDate(0, 0, n)} }
