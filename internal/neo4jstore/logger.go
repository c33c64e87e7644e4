package neo4jstore

import (
	"fmt"
	"log/slog"
)

// driverLogger adapts the driver's logging interface to slog. The driver's
// errors are often transient (it retries), so they log as warnings.
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Error(name, id string, err error) {
	l.log.Warn("driver error", "name", name, "id", id, "err", err)
}

func (l driverLogger) Warnf(name, id, msg string, args ...any) {
	l.log.Warn(fmt.Sprintf(msg, args...), "name", name, "id", id)
}

func (l driverLogger) Infof(name, id, msg string, args ...any) {
	l.log.Debug(fmt.Sprintf(msg, args...), "name", name, "id", id)
}

func (l driverLogger) Debugf(name, id, msg string, args ...any) {
	l.log.Debug(fmt.Sprintf(msg, args...), "name", name, "id", id)
}
