package domain

import (
	"cmp"
	"math"
)

// LicenceStanding is where a licence stands on a date: its recorded
// status and its dates judged together. The recorded status stays as
// recorded (an ACTIVE licence past its validUntil is still stored ACTIVE);
// the standing is what it means on the day.
type LicenceStanding string

const (
	StandingValid       LicenceStanding = "VALID"
	StandingPending     LicenceStanding = "PENDING"
	StandingDenied      LicenceStanding = "DENIED"
	StandingRevoked     LicenceStanding = "REVOKED"
	StandingNotYetValid LicenceStanding = "NOT_YET_VALID"
	StandingExpired     LicenceStanding = "EXPIRED"
)

// LicenceStandings lists the standings in the order of exposure rule 4's
// tests, VALID (passing them all) first.
var LicenceStandings = []LicenceStanding{StandingValid, StandingPending, StandingDenied, StandingRevoked,
	StandingNotYetValid, StandingExpired}

// StandingOf is the status and date tests of exposure rule 3, in rule 4's
// order (docs/exposure.md): the status first (PENDING, DENIED, REVOKED; an
// ACTIVE licence whose revokedOn is on or before d is REVOKED), then
// NOT_YET_VALID (d before validFrom), then EXPIRED (d after validUntil,
// which is inclusive). Bounds are day numbers of any ordered type, absent
// ones given as the type's extremes (revokedOn and validUntil the largest,
// validFrom the smallest): the exposure engine calls it on its own day
// numbers, Licence.Standing on dates, so both judge by this one rule.
func StandingOf[D cmp.Ordered](status LicenceStatus, revokedOn, validFrom, validUntil, d D) LicenceStanding {
	if status != StatusActive {
		switch status {
		case StatusPending:
			return StandingPending
		case StatusDenied:
			return StandingDenied
		}
		return StandingRevoked
	}
	switch {
	case revokedOn <= d:
		return StandingRevoked
	case d < validFrom:
		return StandingNotYetValid
	case validUntil < d:
		return StandingExpired
	}
	return StandingValid
}

// Standing is the licence's standing on d (StandingOf).
func (l Licence) Standing(d Date) LicenceStanding {
	return StandingOf(l.Status, l.RevokedOn.dayNumber(math.MaxInt64), l.ValidFrom.dayNumber(math.MinInt64),
		l.ValidUntil.dayNumber(math.MaxInt64), d.dayNumber(0))
}

// dayNumber is the date as days since 1970-01-01, or absent for the zero
// Date.
func (d Date) dayNumber(absent int64) int64 {
	if d.IsZero() {
		return absent
	}
	return d.t.Unix() / 86400
}
