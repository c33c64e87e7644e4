// Package app assembles licencegraph from its configuration: the store, the
// GraphQL handler and the HTTP surface. The binary and the end-to-end tests
// build the server the same way through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/licencegraph/licencegraph/graph"
	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/events"
	"github.com/licencegraph/licencegraph/internal/explorer"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/exposurecsv"
	"github.com/licencegraph/licencegraph/internal/graphiql"
	"github.com/licencegraph/licencegraph/internal/metrics"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/projection"
	"github.com/licencegraph/licencegraph/internal/server"
	"github.com/licencegraph/licencegraph/internal/telemetry"
)

// App is a configured licencegraph server.
type App struct {
	Config  config.Config
	Store   *neo4jstore.Store
	Handler http.Handler
	// Projection is the in-memory graph that answers exposure questions
	// and licence lists, kept in step with every committed write.
	Projection *projection.Projection
	// Metrics serves the Prometheus metrics: at /metrics of Handler
	// unless METRICS_ADDR names a listener of its own, which `serve`
	// then runs with this handler.
	Metrics http.Handler
	// Alerts serves exposureAlerts (tests set its clock before the first
	// subscription).
	Alerts        *events.Alerts
	log           *slog.Logger
	stopTelemetry func(context.Context) error
}

// New builds the application. It does not need the database to be up.
func New(cfg config.Config, log *slog.Logger) (*App, error) {
	store, err := OpenStore(cfg, log)
	if err != nil {
		return nil, err
	}
	authn, err := Authenticator(cfg)
	if err != nil {
		return nil, errors.Join(err, store.Close(context.Background()))
	}
	if !authn.Enabled() {
		log.Warn("no authentication configured: mutations are refused (set AUTH_JWT_* or AUTH_API_KEYS_FILE)")
	}
	if cfg.DebugEndpoints {
		log.Warn("debug endpoints on: " + server.DebugRuntimePath + " answers without authentication (DEBUG_ENDPOINTS)")
	}
	if cfg.LoadtestLeakBytesPerRequest > 0 {
		log.Warn("deliberate memory leak on, for testing the load test only (LOADTEST_LEAK_BYTES_PER_REQUEST)",
			"bytes_per_request", cfg.LoadtestLeakBytesPerRequest)
	}
	stopTelemetry := func(context.Context) error { return nil }
	if cfg.Tracing {
		if stopTelemetry, err = telemetry.Start(context.Background()); err != nil {
			return nil, errors.Join(err, store.Close(context.Background()))
		}
		log.Info("tracing on (OpenTelemetry)")
	}
	proj := projection.New(store, log)
	proj.AfterLoad = func() { fitMemoryLimit(log) }
	engine := exposure.New(exposure.Views(proj.Acquire)).WithScenarios(exposure.WhatIfOn((*projection.View).WhatIf), store)
	alerts := &events.Alerts{Source: store, Judge: engine, PollInterval: cfg.EventsPollInterval, Logger: log}
	resolver := &graph.Resolver{
		StatsService: store, Reads: projection.Reads{ReadService: store, P: proj},
		Exposure: engine, Writes: store, Audit: store,
		Events: &events.Feed{Source: store, PollInterval: cfg.EventsPollInterval, Logger: log},
		Alerts: alerts,
		Subscriptions: graph.NewSubscriptions(graph.SubscriptionLimits{PerConnection: cfg.MaxSubscriptionsPerConnection,
			PerSubject: cfg.MaxSubscriptionsPerSubject, Total: cfg.MaxSubscriptions}),
	}
	gql := graph.NewHandler(resolver, graph.HandlerOptions{
		RequestTimeout: cfg.RequestTimeout, MaxComplexity: cfg.MaxQueryComplexity, MaxDepth: cfg.MaxQueryDepth,
		AllowAnonymousRead: cfg.AllowAnonymousRead, WebsocketAuth: authn.WithAuthorization, Logger: log,
		WebsocketOriginAllowed: server.OriginAllowed(cfg.CORSOrigins),
		MaxAliases:             cfg.MaxQueryAliases, MaxTokens: cfg.MaxQueryTokens, DisableIntrospection: !cfg.Introspection,
		MaxOperationNames: cfg.MetricsMaxOperationNames,
	})
	var metricsHere http.Handler
	if cfg.MetricsAddr == "" {
		metricsHere = metrics.Handler()
	}
	h := server.Handler(server.Options{
		GraphQL: authn.Middleware(gql),
		UI:      ui(cfg),
		Exports: authn.Middleware(exposurecsv.Handler(exposurecsv.Options{
			Reporter: engine, Companies: store, AllowAnonymousRead: cfg.AllowAnonymousRead, Logger: log,
		})),
		Explorer:    explorer.Handler("/graphql"),
		DB:          readiness{store, proj},
		CORSOrigins: cfg.CORSOrigins,
		Logger:      log,

		MaxRequestBytes:       cfg.MaxRequestBytes,
		MaxConcurrentRequests: cfg.MaxConcurrentRequests,
		QueueTimeout:          cfg.RequestTimeout,
		Debug:                 cfg.DebugEndpoints,
		LeakBytesPerRequest:   cfg.LoadtestLeakBytesPerRequest,
		Metrics:               metricsHere,
		Tracing:               cfg.Tracing,
	})
	return &App{Config: cfg, Store: store, Handler: h, Projection: proj, Metrics: metrics.Handler(), Alerts: alerts,
		log: log, stopTelemetry: stopTelemetry}, nil
}

// readiness is ready when the database answers and the projection is
// loaded (the first question would otherwise wait for the load).
type readiness struct {
	db   domain.Pinger
	proj *projection.Projection
}

func (r readiness) Ping(ctx context.Context) error {
	if err := r.db.Ping(ctx); err != nil {
		return err
	}
	if err := r.proj.WaitReady(ctx); err != nil {
		return domain.Wrap(domain.CodeUnavailable, err, "the exposure projection is loading")
	}
	return nil
}

// LoadProjection loads the projection, retrying until it succeeds or ctx
// ends: `serve` starts it once migrations are applied.
func (a *App) LoadProjection(ctx context.Context) {
	delay := time.Second
	for {
		err := a.Projection.WaitReady(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		a.log.Warn("projection not loaded yet; retrying", "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// Authenticator builds the bearer-token checker the configuration
// describes, reading the RS256 public key and the API-key file.
func Authenticator(cfg config.Config) (*auth.Authenticator, error) {
	o := auth.Options{
		Issuer: cfg.AuthJWTIssuer, Audience: cfg.AuthJWTAudience, RolesClaim: cfg.AuthJWTRolesClaim,
	}
	if cfg.AuthJWTHS256Secret != "" {
		o.HS256Secret = []byte(cfg.AuthJWTHS256Secret)
	}
	if cfg.AuthJWTRS256PublicKeyFile != "" {
		key, err := auth.LoadRSAPublicKey(cfg.AuthJWTRS256PublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWT_RS256_PUBLIC_KEY_FILE: %w", err)
		}
		o.RS256PublicKey = key
	}
	if cfg.AuthAPIKeysFile != "" {
		keys, err := auth.LoadAPIKeys(cfg.AuthAPIKeysFile)
		if err != nil {
			return nil, fmt.Errorf("AUTH_API_KEYS_FILE: %w", err)
		}
		o.APIKeys = keys
	}
	a, err := auth.New(o)
	if err != nil {
		return nil, fmt.Errorf("AUTH_JWT_HS256_SECRET: %w", err)
	}
	return a, nil
}

// OpenStore opens the Neo4j store the configuration names, for commands
// that need the database but not the server.
func OpenStore(cfg config.Config, log *slog.Logger) (*neo4jstore.Store, error) {
	return neo4jstore.Open(neo4jstore.Options{
		URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword,
		Database: cfg.Neo4jDatabase, MaxRetry: cfg.Neo4jMaxRetry,
		ConnectTimeout: cfg.Neo4jConnectTimeout, Logger: log,
		MaxPoolSize: cfg.Neo4jMaxPoolSize, AcquireTimeout: cfg.Neo4jAcquireTimeout,
	})
}

// Close stops the exposure alerts' watchers, flushes the spans not yet
// exported and releases the database driver.
func (a *App) Close(ctx context.Context) error {
	a.Alerts.Close()
	return errors.Join(a.stopTelemetry(ctx), a.Store.Close(ctx))
}

// ui is GraphiQL, or where introspection is off (the production profile),
// a page that says GraphiQL is off and why, rather than a broken editor.
func ui(cfg config.Config) http.Handler {
	if !cfg.Introspection {
		return graphiql.IntrospectionOff("/graphql")
	}
	return graphiql.Handler("/graphql")
}
