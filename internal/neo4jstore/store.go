// Package neo4jstore implements licencegraph's domain services on Neo4j.
// Driver types never leave this package: callers see domain types and
// *domain.Error values.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	neo4jconfig "github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Options configure a Store.
type Options struct {
	URI            string
	User, Password string
	Database       string
	// MaxRetry bounds the driver's retries of transient failures.
	MaxRetry time.Duration
	// ConnectTimeout bounds dialling a connection, and acquiring one
	// when AcquireTimeout is zero.
	ConnectTimeout time.Duration
	// MaxPoolSize bounds the driver's connections (0: the driver's 100);
	// a statement that finds none free within AcquireTimeout fails with
	// UNAVAILABLE instead of queueing without end.
	MaxPoolSize    int
	AcquireTimeout time.Duration
	Logger         *slog.Logger
}

var _ domain.ReadService = (*Store)(nil)

// Store talks to one Neo4j database through one driver.
type Store struct {
	driver neo4j.DriverWithContext
	db     string
	log    *slog.Logger
	// queries counts the statements sent through read (see Queries).
	queries atomic.Int64
	// recorder, when set, sees every statement read sends (SetRecorder).
	recorder atomic.Pointer[recorder]
}

// Open creates the driver. It does not dial: the server starts (and stays
// up) while the database is down, and readiness is checked with Ping.
func Open(o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Database == "" {
		o.Database = "neo4j"
	}
	auth := neo4j.NoAuth()
	if o.User != "" {
		auth = neo4j.BasicAuth(o.User, o.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(o.URI, auth, func(c *neo4jconfig.Config) {
		if o.MaxRetry > 0 {
			c.MaxTransactionRetryTime = o.MaxRetry
		}
		if o.ConnectTimeout > 0 {
			c.SocketConnectTimeout = o.ConnectTimeout
			c.ConnectionAcquisitionTimeout = o.ConnectTimeout
		}
		if o.AcquireTimeout > 0 {
			c.ConnectionAcquisitionTimeout = o.AcquireTimeout
		}
		if o.MaxPoolSize > 0 {
			c.MaxConnectionPoolSize = o.MaxPoolSize
		}
		c.Log = driverLogger{log: o.Logger.With("component", "neo4j-driver")}
	})
	if err != nil {
		// The URI is configuration, not user input: its error text is safe.
		return nil, fmt.Errorf("neo4j driver for %s: %w", o.URI, err)
	}
	return &Store{driver: driver, db: o.Database, log: o.Logger}, nil
}

// Queries is the number of statements this store has sent to Neo4j through
// its read path: a cheap round-trip counter for tests and diagnostics.
func (s *Store) Queries() int64 { return s.queries.Load() }

// Close releases the driver's connections.
func (s *Store) Close(ctx context.Context) error { return s.driver.Close(ctx) }

// Ping runs a trivial read on the configured database, so it fails when the
// database (not only the server) is unavailable.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.read(ctx, "RETURN 1 AS ok", nil)
	return err
}

const statsCypher = `
CALL { MATCH (n:Company) RETURN count(n) AS companies }
CALL { MATCH (n:Sector) RETURN count(n) AS sectors }
CALL { MATCH (n:Material) RETURN count(n) AS materials }
CALL { MATCH (n:ExportControl) RETURN count(n) AS exportControls }
CALL { MATCH (n:Licence) RETURN count(n) AS licences }
CALL { MATCH ()-[r:SUPPLIES]->() RETURN count(r) AS supplyLinks }
RETURN companies, sectors, materials, exportControls, licences, supplyLinks`

// Stats counts nodes and links from Neo4j's count store (constant time).
func (s *Store) Stats(ctx context.Context) (domain.GraphStats, error) {
	res, err := s.read(ctx, statsCypher, nil)
	if err != nil {
		return domain.GraphStats{}, err
	}
	if len(res.Records) != 1 {
		return domain.GraphStats{}, domain.Wrap(domain.CodeInternal, fmt.Errorf("stats: %d records", len(res.Records)), "internal error")
	}
	r := res.Records[0]
	get := func(key string) int {
		v, _, _ := neo4j.GetRecordValue[int64](r, key)
		return int(v)
	}
	return domain.GraphStats{
		Companies:      get("companies"),
		Sectors:        get("sectors"),
		Materials:      get("materials"),
		ExportControls: get("exportControls"),
		Licences:       get("licences"),
		SupplyLinks:    get("supplyLinks"),
	}, nil
}

// read runs one statement in a managed read transaction routed to readers,
// with the context's remaining time as the server-side transaction timeout.
func (s *Store) read(ctx context.Context, cypher string, params map[string]any) (*neo4j.EagerResult, error) {
	s.queries.Add(1)
	if rec := s.recorder.Load(); rec != nil {
		defer rec.done(time.Now(), cypher, params)
	}
	sctx, obs := observe(ctx, s.db)
	res, err := neo4j.ExecuteQuery(sctx, s.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db),
		neo4j.ExecuteQueryWithReadersRouting(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
	if err != nil {
		obs.done(nil, err)
		return nil, s.convertErr(ctx, err)
	}
	obs.done(res.Summary, nil)
	return res, nil
}

func txTimeout(ctx context.Context) []func(*neo4j.TransactionConfig) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	remaining := time.Until(deadline)
	if remaining < time.Millisecond {
		remaining = time.Millisecond
	}
	return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(remaining)}
}

// convertErr turns a driver error into a *domain.Error. The driver's text
// (which may quote Cypher) is kept only as the wrapped cause, for logs.
func (s *Store) convertErr(ctx context.Context, err error) error {
	var derr *domain.Error
	switch {
	case errors.As(err, &derr):
		return err
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded), deadlinePassed(ctx):
		// The driver puts the context's deadline on the socket: a read cut
		// by it can surface (during the Bolt handshake) as an unrelated
		// error a moment before the context reports DeadlineExceeded.
		return domain.Wrap(domain.CodeTimeout, err, "the request took too long")
	case ctx.Err() != nil:
		return domain.Wrap(domain.CodeTimeout, err, "the request was cancelled")
	case isUnavailable(err):
		return domain.Wrap(domain.CodeUnavailable, err, "the database is unavailable; try again shortly")
	}
	var n4 *neo4j.Neo4jError
	if errors.As(lastAttempt(err), &n4) {
		if n4.Code == memoryLimitCode {
			return domain.Wrap(domain.CodeTooComplex, err, "the operation needs more memory than the database allows one transaction")
		}
		switch n4.Code {
		case "Neo.ClientError.Transaction.TransactionTimedOut",
			"Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
			return domain.Wrap(domain.CodeTimeout, err, "the request took too long")
		case "Neo.ClientError.Schema.ConstraintValidationFailed":
			return domain.Wrap(domain.CodeConflict, err, "the write conflicts with existing data")
		case "Neo.ClientError.Security.Unauthorized", "Neo.ClientError.Security.AuthenticationRateLimit":
			// The server's own credentials are wrong: an operator problem.
			return domain.Wrap(domain.CodeUnavailable, err, "the database is unavailable; try again shortly")
		}
	}
	return domain.Wrap(domain.CodeInternal, err, "internal error")
}

func deadlinePassed(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// memoryLimitCode is Neo4j's error when a transaction exceeds
// db.memory.transaction.max. It is "transient", but retrying cannot help.
const memoryLimitCode = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"

// isUnavailable reports whether err means "the database cannot be reached
// or is not serving", as opposed to a bad statement.
func isUnavailable(err error) bool {
	var conn *neo4j.ConnectivityError
	if errors.As(err, &conn) {
		return true
	}
	if isMemoryLimit(err) {
		return false
	}
	var limit *neo4j.TransactionExecutionLimit
	if errors.As(err, &limit) {
		// Retries ran out: unavailable if the last attempt failed that way.
		if n := len(limit.Errors); n > 0 {
			return isUnavailable(limit.Errors[n-1]) || neo4j.IsRetryable(limit.Errors[n-1])
		}
		return true
	}
	var n4 *neo4j.Neo4jError
	if errors.As(err, &n4) {
		switch n4.Code {
		case "Neo.TransientError.General.DatabaseUnavailable",
			"Neo.ClientError.Database.DatabaseNotFound",
			"Neo.ClientError.Cluster.NotALeader",
			"Neo.ClientError.General.ForbiddenOnReadOnlyDatabase":
			return true
		}
	}
	// Pool exhaustion and dial failures are not exported types; the driver
	// marks them retryable.
	return neo4j.IsRetryable(err)
}

func isMemoryLimit(err error) bool {
	var n4 *neo4j.Neo4jError
	return errors.As(lastAttempt(err), &n4) && n4.Code == memoryLimitCode
}

// lastAttempt looks through the driver's retry wrapper (which does not
// implement Unwrap) to the error of the last attempt.
func lastAttempt(err error) error {
	var perm permanentError
	if errors.As(err, &perm) {
		return perm.err
	}
	var limit *neo4j.TransactionExecutionLimit
	if errors.As(err, &limit) && len(limit.Errors) > 0 {
		return limit.Errors[len(limit.Errors)-1]
	}
	return err
}
