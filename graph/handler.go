package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/licencegraph/licencegraph/graph/generated"
	"github.com/licencegraph/licencegraph/graph/loader"
	"github.com/licencegraph/licencegraph/graph/scalar"
	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/requestid"
)

// HandlerOptions configure the GraphQL handler.
type HandlerOptions struct {
	// RequestTimeout bounds each query and mutation (not subscriptions).
	RequestTimeout time.Duration
	// MaxComplexity and MaxDepth bound one operation (0: no limit).
	MaxComplexity, MaxDepth int
	// MaxAliases bounds the aliased fields of one operation, MaxTokens
	// the lexical tokens of one query document (0: no limit).
	MaxAliases, MaxTokens int
	// DisableIntrospection refuses __schema and __type (the production
	// profile); __typename keeps working.
	DisableIntrospection bool
	// AllowAnonymousRead lets operations without a bearer token run
	// queries; mutations always need role EDITOR (@hasRole).
	AllowAnonymousRead bool
	// WebsocketAuth authenticates the Authorization value a websocket
	// client sends in its connection_init payload (browsers cannot set
	// headers on websockets); nil: only the upgrade request's header counts.
	WebsocketAuth func(ctx context.Context, authorization string) context.Context
	// WebsocketOriginAllowed decides which origins may open a websocket:
	// the server's CORS policy (server.OriginAllowed), so one policy holds
	// for both; nil: any.
	WebsocketOriginAllowed func(*http.Request) bool
	// MaxOperationNames bounds the operation names the metrics keep
	// apart; the others count as "other" (0: metrics.DefaultMaxOperationNames).
	MaxOperationNames int
	// LoaderQuiet is how long a dataloader batch waits for more keys
	// (0: the loader's default); tests lengthen it.
	LoaderQuiet time.Duration
	Logger      *slog.Logger
}

// NewHandler builds the GraphQL HTTP handler: explicit transports, a query
// cache, automatic persisted queries, and errors mapped to their extensions.code (domain.Code).
func NewHandler(r *Resolver, o HandlerOptions) *handler.Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = slog.New(requestid.LogHandler(o.Logger.Handler()))
	srv := handler.New(generated.NewExecutableSchema(generated.Config{
		Resolvers:  r,
		Complexity: complexityRoot(),
		Directives: generated.DirectiveRoot{HasRole: hasRole},
	}))

	srv.AddTransport(transport.Websocket{
		Implementation:        originChecked{allowed: o.WebsocketOriginAllowed},
		KeepAlivePingInterval: 10 * time.Second,
		InitTimeout:           10 * time.Second,
		InitFunc:              websocketInit(o.WebsocketAuth),
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(httpTransport{}) // GET and POST; last: it takes every other request

	// First: its span is the parent of everything an operation does.
	srv.Use(newObserver(o.MaxOperationNames, o.MaxTokens))
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(o.MaxTokens)
	srv.SetDisableSuggestion(true)
	srv.SetValidationRulesFn(rulesWithoutSuggestions)
	if !o.DisableIntrospection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(&queryLimits{maxComplexity: o.MaxComplexity, maxDepth: o.MaxDepth,
		maxAliases: o.MaxAliases, noIntrospection: o.DisableIntrospection})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})

	present := errorPresenter(o.Logger)
	srv.AroundOperations(authenticateOperation(o.AllowAnonymousRead, present))
	if r.Reads != nil {
		srv.AroundOperations(loader.Middleware(r.Reads, loader.Options{Quiet: o.LoaderQuiet,
			OnPages: func(ctx context.Context, upstream bool, pages map[domain.LinkPageKey]domain.SupplyLinkPage) {
				defer recoverPrefetch(ctx, o.Logger)
				prefetchAfterPages(ctx, upstream, pages)
			},
			OnLicences: func(ctx context.Context, lists [][]domain.Licence) {
				defer recoverPrefetch(ctx, o.Logger)
				prefetchAfterLicences(ctx, lists)
			}}))
	}
	if o.RequestTimeout > 0 {
		srv.AroundOperations(operationTimeout(o.RequestTimeout))
	}
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Logger.ErrorContext(ctx, "panic in resolver", "panic", p, "stack", string(debug.Stack()))
		return domain.Errorf(domain.CodeInternal, "internal error")
	})
	return srv
}

// websocketInit takes the caller from the connection_init payload's
// Authorization entry, when there is one; it replaces whatever the upgrade
// request's header said. An invalid token closes the socket with 4403
// Forbidden, as the graphql-ws protocol asks, instead of acknowledging it
// (also one that came in the upgrade request's header). A connection
// without a token is acknowledged: what it may do is decided per
// operation (anonymous reads).
func websocketInit(authenticate func(context.Context, string) context.Context) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if authenticate != nil {
			if value := payload.Authorization(); value != "" {
				ctx = authenticate(ctx, value)
			}
		}
		if _, err := auth.FromContext(ctx); err != nil {
			ctx = transport.WithWebsocketCloseCode(ctx, 4403)
			ctx = transport.AppendCloseReason(ctx, "Forbidden")
			return ctx, nil, err
		}
		return withConnection(ctx), nil, nil
	}
}

// originChecked accepts websocket upgrades from the origins allowed
// (all when nil) and refuses the others with 403; the websocket library's
// own check, same origin only, is off.
type originChecked struct{ allowed func(*http.Request) bool }

func (o originChecked) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	if o.allowed != nil && !o.allowed(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		transport.SendErrorf(w, http.StatusForbidden, "websocket connections from origin %q are not allowed (CORS_ALLOWED_ORIGINS)", r.Header.Get("Origin"))
		return nil, errOriginRefused
	}
	return transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}.Accept(w, r, opts)
}

var errOriginRefused = errors.New("websocket origin not allowed")

// operationTimeout gives each query and mutation a deadline, which the
// store also sends to Neo4j as the transaction timeout. Subscriptions are
// long-lived by design and keep the connection's context.
func operationTimeout(d time.Duration) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			return next(ctx)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		respond := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			resp := respond(ctx)
			if resp == nil {
				cancel()
			}
			return resp
		}
	}
}

// errorPresenter shows clients a safe message and an extensions.code. Known
// domain errors keep their message; errors gqlgen and gqlparser raise about
// the request itself keep theirs; anything else becomes INTERNAL, logged in
// full here and never sent (it may quote Cypher or driver internals).
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var derr *domain.Error
		switch {
		case errors.As(err, &derr):
			code := derr.Code
			if code == domain.CodeInternal {
				log.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
			} else if code == domain.CodeUnavailable || code == domain.CodeTimeout {
				log.WarnContext(ctx, "request failed", "code", code, "path", gqlErr.Path.String(), "err", err)
			}
			gqlErr.Message = derr.Message
			setCode(gqlErr, code)
			field := derr.Field
			if field == "" && errors.Is(err, scalar.ErrInvalid) {
				// A scalar argument or input field: its path follows the
				// field's path.
				field = argumentPath(ctx, gqlErr.Path)
				if field != "" {
					gqlErr.Message = field + ": " + gqlErr.Message
				}
			}
			if field != "" {
				gqlErr.Extensions["field"] = field
			}
			var invalid domain.InvalidInput
			if errors.As(err, &invalid) {
				gqlErr.Extensions["invalid"] = invalidExtension(invalid)
			}
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the request took too long"
			setCode(gqlErr, domain.CodeTimeout)
		case gqlErr.Err == nil:
			// Raised by gqlgen/gqlparser about the request (parse, validation,
			// argument coercion): the message is about the query, safe to show.
			if _, ok := gqlErr.Extensions["code"]; !ok {
				setCode(gqlErr, domain.CodeBadUserInput)
			}
		default:
			log.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "internal error"
			gqlErr.Err = nil
			setCode(gqlErr, domain.CodeInternal)
		}
		if gqlErr.Extensions["code"] == string(domain.CodeInternal) {
			// What the user can quote to the operator: the log lines of
			// this failure carry the same request_id.
			if id := requestid.FromContext(ctx); id != "" {
				gqlErr.Extensions["requestId"] = id
			}
		}
		return gqlErr
	}
}

// argumentPath names the argument (or input field, as "filter.validOn") an
// error's path points at, below the path of the field being resolved.
func argumentPath(ctx context.Context, path ast.Path) string {
	skip := 1 // a root field's arguments are parsed before its field context exists
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		skip = len(fc.Path())
	}
	var names []string
	for i, el := range path {
		if name, ok := el.(ast.PathName); ok && i >= skip {
			names = append(names, string(name))
		}
	}
	return strings.Join(names, ".")
}

func setCode(e *gqlerror.Error, code domain.Code) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = string(code)
}

// Compile-time checks that the resolvers implement the generated interfaces.
var _ generated.ResolverRoot = (*Resolver)(nil)

// invalidExtension is extensions.invalid: every problem of a write's
// input, as {index, field, message} (index only for list items).
func invalidExtension(in domain.InvalidInput) []map[string]any {
	out := make([]map[string]any, len(in))
	for i, f := range in {
		m := map[string]any{"field": f.Field, "message": f.Message}
		if f.Index >= 0 {
			m["index"] = f.Index
		}
		out[i] = m
	}
	return out
}
