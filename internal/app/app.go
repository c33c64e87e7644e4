// Package app assembles licencegraph from its configuration: the store, the
// GraphQL handler and the HTTP surface. The binary and the end-to-end tests
// build the server the same way through it.
package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/licencegraph/licencegraph/graph"
	"github.com/licencegraph/licencegraph/internal/config"
	"github.com/licencegraph/licencegraph/internal/exposure"
	"github.com/licencegraph/licencegraph/internal/graphiql"
	"github.com/licencegraph/licencegraph/internal/neo4jstore"
	"github.com/licencegraph/licencegraph/internal/server"
)

// App is a configured licencegraph server.
type App struct {
	Config  config.Config
	Store   *neo4jstore.Store
	Handler http.Handler
	log     *slog.Logger
}

// New builds the application. It does not need the database to be up.
func New(cfg config.Config, log *slog.Logger) (*App, error) {
	store, err := OpenStore(cfg, log)
	if err != nil {
		return nil, err
	}
	resolver := &graph.Resolver{StatsService: store, Reads: store, Exposure: exposure.New(store)}
	gql := graph.NewHandler(resolver, graph.HandlerOptions{
		RequestTimeout: cfg.RequestTimeout, MaxComplexity: cfg.MaxQueryComplexity, MaxDepth: cfg.MaxQueryDepth, Logger: log,
	})
	h := server.Handler(server.Options{
		GraphQL:     gql,
		UI:          graphiql.Handler("/graphql"),
		DB:          store,
		CORSOrigins: cfg.CORSOrigins,
		Logger:      log,
	})
	return &App{Config: cfg, Store: store, Handler: h, log: log}, nil
}

// OpenStore opens the Neo4j store the configuration names, for commands
// that need the database but not the server.
func OpenStore(cfg config.Config, log *slog.Logger) (*neo4jstore.Store, error) {
	return neo4jstore.Open(neo4jstore.Options{
		URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword,
		Database: cfg.Neo4jDatabase, MaxRetry: cfg.Neo4jMaxRetry,
		ConnectTimeout: cfg.Neo4jConnectTimeout, Logger: log,
	})
}

// Close releases the database driver.
func (a *App) Close(ctx context.Context) error { return a.Store.Close(ctx) }
