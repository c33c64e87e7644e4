package events

import (
	"context"
	"log/slog"
	"time"
)

// pollEvery calls poll every interval until ctx ends: the one loop of
// both live feeds (licence events' poll of the audit trail, exposure
// alerts' poll of the graph's version). A failure is logged once, and
// the recovery once: the database may be restarting, and polling goes on.
func pollEvery(ctx context.Context, interval time.Duration, log *slog.Logger, what string, poll func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := poll(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing:
			log.WarnContext(ctx, what+" failed", "err", err)
			failing = true
		case err == nil && failing:
			log.InfoContext(ctx, what+" again")
			failing = false
		}
	}
}

// orDefault is a setting of Feed or Alerts: v when set (positive), else
// def.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// clockNow is the time on now, the clock tests set, or time.Now.
func clockNow(now func() time.Time) time.Time {
	if now != nil {
		return now()
	}
	return time.Now()
}
