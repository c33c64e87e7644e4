package domain

import "context"

// GraphStats counts what the graph holds; a cheap read that proves the
// database answers.
type GraphStats struct {
	Companies      int
	Sectors        int
	Materials      int
	ExportControls int
	Licences       int
	SupplyLinks    int
}

// StatsService returns graph-wide counts. Errors: UNAVAILABLE, TIMEOUT.
type StatsService interface {
	Stats(ctx context.Context) (GraphStats, error)
}

// Pinger reports whether the database answers. Errors: UNAVAILABLE.
type Pinger interface {
	Ping(ctx context.Context) error
}
