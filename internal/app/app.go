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

	"github.com/licencegraph/licencegraph/graph"
	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/events"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/graphiql"
	"github.com/licencegraph/licencegraph/internal/licencecache"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/server"
)

// App is a configured licencegraph server.
type App struct {
	Config  config.Config
	Store   *neo4jstore.Store
	Handler http.Handler
	// Licences caches licence lists per graph version (Purge empties it).
	Licences *licencecache.Reads
	log      *slog.Logger
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
	licences := licencecache.New(store, store.Version, cfg.LicenceCacheEntries)
	resolver := &graph.Resolver{
		StatsService: store, Reads: licences, Exposure: exposure.New(store), Writes: store, Audit: store,
		Events: &events.Feed{Source: store, PollInterval: cfg.EventsPollInterval, Logger: log},
	}
	gql := graph.NewHandler(resolver, graph.HandlerOptions{
		RequestTimeout: cfg.RequestTimeout, MaxComplexity: cfg.MaxQueryComplexity, MaxDepth: cfg.MaxQueryDepth,
		AllowAnonymousRead: cfg.AllowAnonymousRead, WebsocketAuth: authn.WithAuthorization, Logger: log,
		MaxAliases: cfg.MaxQueryAliases, MaxTokens: cfg.MaxQueryTokens, DisableIntrospection: !cfg.Introspection,
	})
	h := server.Handler(server.Options{
		GraphQL:     authn.Middleware(gql),
		UI:          graphiql.Handler("/graphql"),
		DB:          store,
		CORSOrigins: cfg.CORSOrigins,
		Logger:      log,

		MaxRequestBytes:       cfg.MaxRequestBytes,
		MaxConcurrentRequests: cfg.MaxConcurrentRequests,
		QueueTimeout:          cfg.RequestTimeout,
	})
	return &App{Config: cfg, Store: store, Handler: h, Licences: licences, log: log}, nil
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

// Close releases the database driver.
func (a *App) Close(ctx context.Context) error { return a.Store.Close(ctx) }
