package domain

import "testing"

// Licence.Standing on dates, bound by bound (the exposure engine's use of
// StandingOf on day numbers is held to the rules by internal/exposure's
// rule and property tests).
func TestLicenceStanding(t *testing.T) {
	d := MustDate
	base := Licence{ID: "L", Status: StatusActive, ValidFrom: d("2025-06-09"), ValidUntil: d("2025-12-08")}
	revoked := base
	revoked.RevokedOn = d("2025-09-01")
	open := Licence{ID: "open", Status: StatusActive}
	with := func(s LicenceStatus) Licence { l := base; l.Status = s; return l }
	tests := []struct {
		name string
		l    Licence
		on   string
		want LicenceStanding
	}{
		{"before validFrom", base, "2025-06-08", StandingNotYetValid},
		{"validFrom is valid", base, "2025-06-09", StandingValid},
		{"validUntil is valid (inclusive)", base, "2025-12-08", StandingValid},
		{"after validUntil", base, "2025-12-09", StandingExpired},
		{"before revokedOn", revoked, "2025-08-31", StandingValid},
		{"on revokedOn", revoked, "2025-09-01", StandingRevoked},
		{"revoked beats expired", revoked, "2026-01-01", StandingRevoked},
		{"open bounds", open, "1900-01-01", StandingValid},
		{"open bounds, late", open, "2999-12-31", StandingValid},
		{"pending, whatever the dates", with(StatusPending), "2030-01-01", StandingPending},
		{"denied", with(StatusDenied), "2025-07-01", StandingDenied},
		{"recorded revoked", with(StatusRevoked), "2025-07-01", StandingRevoked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.Standing(d(tc.on)); got != tc.want {
				t.Fatalf("standing on %s = %s, want %s", tc.on, got, tc.want)
			}
		})
	}
}
