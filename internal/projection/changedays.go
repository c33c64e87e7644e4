package projection

import (
	"context"
	"slices"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// ChangeDays returns the days from from to to (both included), in order,
// on which some record's standing differs from the day before, so that
// an exposure answer may: a licence's validity starts (validFrom), ends
// (the day after validUntil) or it is revoked (revokedOn); an export
// control comes into force, is suspended, resumes or is lifted; a supply
// link starts (since) or ends (until, exclusive). The answer of an
// exposure question is the same on every day from one of them to the
// day before the next. Recorded statuses (PENDING, DENIED) carry no date
// and add none.
func (v *View) ChangeDays(ctx context.Context, from, to domain.Date) ([]domain.Date, error) {
	g := v.g
	lo, hi := dayOf(from, openStart), dayOf(to, openEnd)
	seen := map[day]bool{}
	add := func(ds ...day) {
		for _, d := range ds {
			if d != openStart && d != openEnd && lo <= d && d <= hi {
				seen[d] = true
			}
		}
	}
	for _, l := range g.licences {
		ds := l.changeDays()
		add(ds[:]...)
	}
	for _, x := range g.controls {
		ds := x.changeDays()
		add(ds[:]...)
	}
	for c, links := range g.out {
		if c%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, l := range links {
			add(l.since, l.until)
		}
	}
	days := make([]day, 0, len(seen))
	for d := range seen {
		days = append(days, d)
	}
	slices.Sort(days)
	out := make([]domain.Date, len(days))
	for i, d := range days {
		out[i] = dateOfDay(d)
	}
	return out, nil
}
