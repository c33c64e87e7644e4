// Package config reads licencegraph's configuration from the environment.
// Every variable has a documented default (README.md, "Configuration").
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is the whole runtime configuration of the binary.
type Config struct {
	Neo4jURI      string
	Neo4jUser     string
	Neo4jPassword string
	Neo4jDatabase string
	// Neo4jMaxRetry bounds how long the driver retries a transaction whose
	// failure is transient (e.g. the database restarting).
	Neo4jMaxRetry time.Duration
	// Neo4jConnectTimeout bounds acquiring a connection, so requests fail
	// fast with UNAVAILABLE when the database is down.
	Neo4jConnectTimeout time.Duration
	// Neo4jMaxPoolSize bounds the driver's connections; a request that
	// finds none free within Neo4jAcquireTimeout fails with UNAVAILABLE.
	Neo4jMaxPoolSize    int
	Neo4jAcquireTimeout time.Duration

	// MaxQueryComplexity and MaxQueryDepth bound one GraphQL operation.
	MaxQueryComplexity int
	MaxQueryDepth      int
	// MaxQueryAliases bounds the aliased fields of one operation,
	// MaxQueryTokens the lexical tokens of one query document, and
	// MaxRequestBytes the body of one HTTP request (more is a 413).
	MaxQueryAliases int
	MaxQueryTokens  int
	MaxRequestBytes int
	// MaxConcurrentRequests bounds the GraphQL requests running at once;
	// the others wait (up to RequestTimeout) for a slot.
	MaxConcurrentRequests int
	// Profile is "development" (the default) or "production", which
	// changes the defaults of the settings below.
	Profile string
	// Introspection answers __schema and __type queries: on by default
	// for analysts, off by default in the production profile.
	Introspection bool

	ListenAddr      string
	CORSOrigins     []string
	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration

	LogLevel  slog.Level
	LogFormat string // "text" or "json"

	// Access control (internal/auth). Bearer tokens are JWTs signed with
	// the HS256 secret or the RS256 public key, and/or API keys listed
	// (hashed) in the API-key file. None set: every token is rejected.
	AuthJWTHS256Secret        string
	AuthJWTRS256PublicKeyFile string
	AuthJWTIssuer             string
	AuthJWTAudience           string
	AuthJWTRolesClaim         string
	AuthAPIKeysFile           string
	// AllowAnonymousRead lets requests without a token run queries;
	// mutations always need a token with role editor.
	AllowAnonymousRead bool

	// EventsPollInterval is how often the audit trail is polled for
	// licenceEvents (one poll for every subscription).
	EventsPollInterval time.Duration

	// DebugEndpoints serves /debug/runtime (the runtime's heap, collector
	// and goroutine figures), unauthenticated: off by default, on for the
	// load test.
	DebugEndpoints bool
	// LoadtestLeakBytesPerRequest is a deliberate leak (bytes retained per
	// GraphQL request) that proves the load test catches one; accepted
	// only with DebugEndpoints on.
	LoadtestLeakBytesPerRequest int
	// MaxSubscriptions* bound licenceEvents subscriptions: on one
	// websocket connection, of one token subject, and in all.
	MaxSubscriptionsPerConnection int
	MaxSubscriptionsPerSubject    int
	MaxSubscriptions              int

	// MetricsAddr is where /metrics is served: "" on ListenAddr beside
	// the API, an address (":9090") on a listener of its own, so that it
	// need not be public, "off" nowhere.
	MetricsAddr string
	// MetricsMaxOperationNames bounds the GraphQL operation names the
	// metrics keep apart; later names count as "other".
	MetricsMaxOperationNames int
	// Tracing is on when the OpenTelemetry SDK's own variables ask for an
	// exporter (OTEL_EXPORTER_OTLP_ENDPOINT,
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_TRACES_EXPORTER other
	// than "none") and OTEL_SDK_DISABLED is not true; the SDK reads the
	// rest of them itself.
	Tracing bool
}

// MetricsOff is the METRICS_ADDR that serves no /metrics.
const MetricsOff = "off"

// maxLeakBytesPerRequest bounds the deliberate leak: enough to be seen in
// seconds, not enough to take a machine down by a typo.
const maxLeakBytesPerRequest = 1 << 20

// The profiles of LICENCEGRAPH_PROFILE.
const (
	ProfileDevelopment = "development"
	ProfileProduction  = "production"
)

// Getenv is os.Getenv's shape, so tests can pass a map.
type Getenv func(string) string

// FromEnv reads the configuration; it reports every invalid variable.
func FromEnv(getenv Getenv) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := parser{getenv: getenv}
	c := Config{
		Neo4jURI:            p.neo4jURI(),
		Neo4jUser:           p.str("NEO4J_USER", ""),
		Neo4jPassword:       p.str("NEO4J_PASSWORD", ""),
		Neo4jDatabase:       p.str("NEO4J_DATABASE", "neo4j"),
		Neo4jMaxRetry:       p.duration("NEO4J_MAX_RETRY_TIME", 5*time.Second),
		Neo4jConnectTimeout: p.duration("NEO4J_CONNECT_TIMEOUT", 3*time.Second),
		Neo4jMaxPoolSize:    p.positiveInt("NEO4J_MAX_CONNECTION_POOL_SIZE", 100),
		ListenAddr:          p.str("LISTEN_ADDR", ":8080"),
		CORSOrigins:         p.list("CORS_ALLOWED_ORIGINS", []string{"*"}),
		RequestTimeout:      p.duration("REQUEST_TIMEOUT", 15*time.Second),
		ShutdownTimeout:     p.duration("SHUTDOWN_TIMEOUT", 15*time.Second),
		MaxQueryComplexity:  p.positiveInt("MAX_QUERY_COMPLEXITY", 250000),
		MaxQueryDepth:       p.positiveInt("MAX_QUERY_DEPTH", 15),
		MaxQueryAliases:     p.positiveInt("MAX_QUERY_ALIASES", 30),
		MaxQueryTokens:      p.positiveInt("MAX_QUERY_TOKENS", 5000),
		MaxRequestBytes:     p.positiveInt("MAX_REQUEST_BYTES", 1<<20),
		// Four per core: enough to keep the cores and Neo4j busy while
		// some requests wait on the database.
		MaxConcurrentRequests: p.positiveInt("MAX_CONCURRENT_REQUESTS", max(4, 4*runtime.GOMAXPROCS(0))),
		Profile:               p.oneOf("LICENCEGRAPH_PROFILE", ProfileDevelopment, ProfileDevelopment, ProfileProduction),
		LogLevel:              p.level("LOG_LEVEL", slog.LevelInfo),
		LogFormat:             p.oneOf("LOG_FORMAT", "text", "text", "json"),

		AuthJWTHS256Secret:        p.getenv("AUTH_JWT_HS256_SECRET"), // not trimmed: a secret is bytes
		AuthJWTRS256PublicKeyFile: p.str("AUTH_JWT_RS256_PUBLIC_KEY_FILE", ""),
		AuthJWTIssuer:             p.str("AUTH_JWT_ISSUER", ""),
		AuthJWTAudience:           p.str("AUTH_JWT_AUDIENCE", ""),
		AuthJWTRolesClaim:         p.str("AUTH_JWT_ROLES_CLAIM", "roles"),
		AuthAPIKeysFile:           p.str("AUTH_API_KEYS_FILE", ""),
		AllowAnonymousRead:        p.boolean("ALLOW_ANONYMOUS_READ", true),
		EventsPollInterval:        p.duration("EVENTS_POLL_INTERVAL", 200*time.Millisecond),
		DebugEndpoints:            p.boolean("DEBUG_ENDPOINTS", false),

		MaxSubscriptionsPerConnection: p.positiveInt("MAX_SUBSCRIPTIONS_PER_CONNECTION", 10),
		MaxSubscriptionsPerSubject:    p.positiveInt("MAX_SUBSCRIPTIONS_PER_SUBJECT", 20),
		MaxSubscriptions:              p.positiveInt("MAX_SUBSCRIPTIONS", 1000),
	}
	// The acquisition timeout defaults to the connect timeout, as before
	// it had a variable of its own.
	c.Neo4jAcquireTimeout = p.duration("NEO4J_CONNECTION_ACQUISITION_TIMEOUT", c.Neo4jConnectTimeout)
	c.Introspection = p.boolean("INTROSPECTION", c.Profile != ProfileProduction)
	if s := c.AuthJWTHS256Secret; s != "" && len(s) < 32 {
		p.errs = append(p.errs, errors.New("AUTH_JWT_HS256_SECRET: shorter than 32 bytes"))
	}
	if v := strings.TrimSpace(getenv("LOADTEST_LEAK_BYTES_PER_REQUEST")); v != "" && v != "0" {
		// Read only with the debug endpoints on, so that a stray variable
		// cannot make a production server leak.
		n, err := strconv.Atoi(v)
		switch {
		case !c.DebugEndpoints:
			p.errs = append(p.errs, errors.New("LOADTEST_LEAK_BYTES_PER_REQUEST: a deliberate leak for testing the load test; it needs DEBUG_ENDPOINTS=true"))
		case err != nil || n < 0 || n > maxLeakBytesPerRequest:
			p.errs = append(p.errs, fmt.Errorf("LOADTEST_LEAK_BYTES_PER_REQUEST: %q is not a byte count of 0 to %d", v, maxLeakBytesPerRequest))
		default:
			c.LoadtestLeakBytesPerRequest = n
		}
	}
	c.MetricsAddr = p.str("METRICS_ADDR", "")
	c.MetricsMaxOperationNames = p.positiveInt("METRICS_MAX_OPERATION_NAMES", 100)
	c.Tracing = tracingOn(getenv)
	if c.Neo4jUser != "" && c.Neo4jPassword == "" {
		p.errs = append(p.errs, errors.New("NEO4J_PASSWORD: required when NEO4J_USER is set"))
	}
	return c, errors.Join(p.errs...)
}

// LogValue masks secrets so the configuration can be logged whole.
func (c Config) LogValue() slog.Value {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	password := mask(c.Neo4jPassword)
	return slog.GroupValue(
		slog.String("neo4j_uri", c.Neo4jURI),
		slog.String("neo4j_user", c.Neo4jUser),
		slog.String("neo4j_password", password),
		slog.String("neo4j_database", c.Neo4jDatabase),
		slog.String("listen_addr", c.ListenAddr),
		slog.Any("cors_allowed_origins", c.CORSOrigins),
		slog.Duration("request_timeout", c.RequestTimeout),
		slog.Int("max_concurrent_requests", c.MaxConcurrentRequests),
		slog.String("profile", c.Profile),
		slog.Bool("introspection", c.Introspection),
		slog.String("auth_jwt_hs256_secret", mask(c.AuthJWTHS256Secret)),
		slog.String("auth_jwt_rs256_public_key_file", c.AuthJWTRS256PublicKeyFile),
		slog.String("auth_jwt_issuer", c.AuthJWTIssuer),
		slog.String("auth_jwt_audience", c.AuthJWTAudience),
		slog.String("auth_jwt_roles_claim", c.AuthJWTRolesClaim),
		slog.String("auth_api_keys_file", c.AuthAPIKeysFile),
		slog.Bool("allow_anonymous_read", c.AllowAnonymousRead),
		slog.Bool("debug_endpoints", c.DebugEndpoints),
		slog.Int("loadtest_leak_bytes_per_request", c.LoadtestLeakBytesPerRequest),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.Bool("tracing", c.Tracing),
	)
}

// tracingOn reads the OpenTelemetry variables that decide whether spans
// are exported at all.
func tracingOn(getenv Getenv) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	if e := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))); e != "" {
		return e != "none"
	}
	return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != "" ||
		strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) != ""
}

// neo4jURI is NEO4J_URI or, unset, the local Neo4j of tools/neo4j-local
// on NEO4J_BOLT_PORT (7687): a port chosen for the launcher is the one
// every command uses, never a database that happens to answer on 7687.
func (p *parser) neo4jURI() string {
	if uri := p.str("NEO4J_URI", ""); uri != "" {
		return uri
	}
	port := strings.TrimSpace(p.getenv("NEO4J_BOLT_PORT"))
	if port == "" {
		return "bolt://127.0.0.1:7687"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		p.errs = append(p.errs, fmt.Errorf("NEO4J_BOLT_PORT: %q is not a TCP port number", port))
		return "bolt://127.0.0.1:7687"
	}
	return "bolt://127.0.0.1:" + port
}

type parser struct {
	getenv Getenv
	errs   []error
}

func (p *parser) str(key, def string) string {
	if v := strings.TrimSpace(p.getenv(key)); v != "" {
		return v
	}
	return def
}

func (p *parser) duration(key string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not a positive duration such as 10s or 500ms", key, v))
		return def
	}
	return d
}

func (p *parser) positiveInt(key string, def int) int {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not a positive integer", key, v))
		return def
	}
	return n
}

func (p *parser) list(key string, def []string) []string {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (p *parser) boolean(key string, def bool) bool {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not true or false", key, v))
		return def
	}
	return b
}

func (p *parser) level(key string, def slog.Level) slog.Level {
	v := strings.TrimSpace(p.getenv(key))
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not one of debug, info, warn, error", key, v))
		return def
	}
	return l
}

func (p *parser) oneOf(key, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(p.getenv(key)))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.errs = append(p.errs, fmt.Errorf("%s: %q is not one of %s", key, v, strings.Join(allowed, ", ")))
	return def
}
