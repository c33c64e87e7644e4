package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Date is a calendar date without time or zone (the GraphQL `Date`
// scalar and the seed files' dates, YYYY-MM-DD; stored as a Neo4j DATE).
// The zero Date means "absent".
type Date struct {
	t time.Time // midnight UTC; zero when absent
}

// datePattern is the form of a date; ParseDate says which part is wrong
// when the form is right and the day does not exist.
var datePattern = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)

// ParseDate parses YYYY-MM-DD strictly.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err == nil {
		return Date{t: t}, nil
	}
	m := datePattern.FindStringSubmatch(s)
	if m == nil {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	if month < 1 || month > 12 {
		return Date{}, fmt.Errorf("%q is not a date: there is no month %d", s, month)
	}
	// The last day of the month: day 0 of the next one.
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > last {
		return Date{}, fmt.Errorf("%q is not a date: %s %d has no day %d (it has %d days)", s, time.Month(month), year, day, last)
	}
	return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
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
