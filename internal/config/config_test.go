package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr []string
	}{
		{
			name: "defaults",
			env:  nil,
			check: func(t *testing.T, c Config) {
				if c.Neo4jURI != "bolt://127.0.0.1:7687" || c.Neo4jDatabase != "neo4j" || c.ListenAddr != ":8080" {
					t.Errorf("unexpected defaults: %+v", c)
				}
				if len(c.CORSOrigins) != 1 || c.CORSOrigins[0] != "*" {
					t.Errorf("CORSOrigins = %v", c.CORSOrigins)
				}
				if c.RequestTimeout != 15*time.Second || c.LogLevel != slog.LevelInfo || c.LogFormat != "text" {
					t.Errorf("unexpected defaults: %+v", c)
				}
			},
		},
		{
			name: "overrides",
			env: map[string]string{
				"NEO4J_URI": "neo4j://db:7687", "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "s3cret",
				"CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example", "REQUEST_TIMEOUT": "2s",
				"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON", "MAX_QUERY_COMPLEXITY": "1000", "MAX_QUERY_DEPTH": "8",
			},
			check: func(t *testing.T, c Config) {
				if c.Neo4jURI != "neo4j://db:7687" || c.Neo4jPassword != "s3cret" {
					t.Errorf("got %+v", c)
				}
				if strings.Join(c.CORSOrigins, "|") != "https://a.example|https://b.example" {
					t.Errorf("CORSOrigins = %v", c.CORSOrigins)
				}
				if c.MaxQueryComplexity != 1000 || c.MaxQueryDepth != 8 {
					t.Errorf("limits: %+v", c)
				}
				if c.RequestTimeout != 2*time.Second || c.LogLevel != slog.LevelDebug || c.LogFormat != "json" {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "NEO4J_URI derived from NEO4J_BOLT_PORT when unset",
			env:  map[string]string{"NEO4J_BOLT_PORT": "7811"},
			check: func(t *testing.T, c Config) {
				if c.Neo4jURI != "bolt://127.0.0.1:7811" {
					t.Errorf("Neo4jURI = %q, want bolt://127.0.0.1:7811", c.Neo4jURI)
				}
			},
		},
		{
			name: "NEO4J_URI wins over NEO4J_BOLT_PORT",
			env:  map[string]string{"NEO4J_BOLT_PORT": "nonsense", "NEO4J_URI": "neo4j://db:7687"},
			check: func(t *testing.T, c Config) {
				if c.Neo4jURI != "neo4j://db:7687" {
					t.Errorf("Neo4jURI = %q", c.Neo4jURI)
				}
			},
		},
		{
			name: "subscription limits",
			env:  map[string]string{"MAX_SUBSCRIPTIONS_PER_CONNECTION": "3", "MAX_SUBSCRIPTIONS": "50"},
			check: func(t *testing.T, c Config) {
				if c.MaxSubscriptionsPerConnection != 3 || c.MaxSubscriptionsPerSubject != 20 || c.MaxSubscriptions != 50 {
					t.Errorf("limits %d %d %d, want 3 20 50", c.MaxSubscriptionsPerConnection, c.MaxSubscriptionsPerSubject, c.MaxSubscriptions)
				}
			},
		},
		{
			name:    "subscription limits not positive",
			env:     map[string]string{"MAX_SUBSCRIPTIONS_PER_SUBJECT": "0", "MAX_SUBSCRIPTIONS": "many"},
			wantErr: []string{"MAX_SUBSCRIPTIONS_PER_SUBJECT", "MAX_SUBSCRIPTIONS"},
		},
		{
			name:    "NEO4J_BOLT_PORT not a port",
			env:     map[string]string{"NEO4J_BOLT_PORT": "70000"},
			wantErr: []string{"NEO4J_BOLT_PORT"},
		},
		{
			name:    "all invalid values reported",
			env:     map[string]string{"REQUEST_TIMEOUT": "soon", "LOG_LEVEL": "loud", "LOG_FORMAT": "xml", "NEO4J_USER": "neo4j", "MAX_QUERY_DEPTH": "-1"},
			wantErr: []string{"REQUEST_TIMEOUT", "LOG_LEVEL", "LOG_FORMAT", "NEO4J_PASSWORD", "MAX_QUERY_DEPTH"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(func(k string) string { return tt.env[k] })
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatal("FromEnv: want error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

func TestLogValueMasksPassword(t *testing.T) {
	c := Config{Neo4jPassword: "hunter2"}
	if s := c.LogValue().String(); strings.Contains(s, "hunter2") {
		t.Fatalf("password leaked: %s", s)
	}
}

// The hardening settings (docs/security.md): defaults, the production
// profile, and an explicit INTROSPECTION winning over the profile.
func TestHardeningSettings(t *testing.T) {
	tests := []struct {
		name          string
		env           map[string]string
		introspection bool
		check         func(t *testing.T, c Config)
	}{
		{"defaults", nil, true, func(t *testing.T, c Config) {
			if c.Profile != ProfileDevelopment || c.MaxQueryAliases != 30 || c.MaxQueryTokens != 5000 || c.MaxRequestBytes != 1<<20 {
				t.Errorf("limits: %+v", c)
			}
			if c.Neo4jMaxPoolSize != 100 || c.Neo4jAcquireTimeout != c.Neo4jConnectTimeout {
				t.Errorf("pool: size %d, acquisition timeout %s", c.Neo4jMaxPoolSize, c.Neo4jAcquireTimeout)
			}
		}},
		{"production profile", map[string]string{"LICENCEGRAPH_PROFILE": "Production"}, false, nil},
		{"production profile, introspection asked for", map[string]string{"LICENCEGRAPH_PROFILE": "production", "INTROSPECTION": "true"}, true, nil},
		{"introspection off", map[string]string{"INTROSPECTION": "false"}, false, nil},
		{"overrides", map[string]string{
			"MAX_QUERY_ALIASES": "5", "MAX_QUERY_TOKENS": "100", "MAX_REQUEST_BYTES": "2048",
			"NEO4J_MAX_CONNECTION_POOL_SIZE": "4", "NEO4J_CONNECT_TIMEOUT": "2s", "NEO4J_CONNECTION_ACQUISITION_TIMEOUT": "250ms",
		}, true, func(t *testing.T, c Config) {
			if c.MaxQueryAliases != 5 || c.MaxQueryTokens != 100 || c.MaxRequestBytes != 2048 {
				t.Errorf("limits: %+v", c)
			}
			if c.Neo4jMaxPoolSize != 4 || c.Neo4jAcquireTimeout != 250*time.Millisecond || c.Neo4jConnectTimeout != 2*time.Second {
				t.Errorf("pool: %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if c.Introspection != tt.introspection {
				t.Errorf("Introspection = %v, want %v", c.Introspection, tt.introspection)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
	_, err := FromEnv(func(k string) string {
		return map[string]string{"LICENCEGRAPH_PROFILE": "staging", "MAX_REQUEST_BYTES": "0", "INTROSPECTION": "maybe", "NEO4J_CONNECTION_ACQUISITION_TIMEOUT": "never"}[k]
	})
	for _, w := range []string{"LICENCEGRAPH_PROFILE", "MAX_REQUEST_BYTES", "INTROSPECTION", "NEO4J_CONNECTION_ACQUISITION_TIMEOUT"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %s", err, w)
		}
	}
}

// The debug endpoints are off unless asked for, and the deliberate leak
// of the load test is refused without them (a stray variable must not
// make a server leak).
func TestDebugSettings(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantDebug bool
		wantLeak  int
		wantErr   string
	}{
		{name: "defaults", env: nil},
		{name: "debug on", env: map[string]string{"DEBUG_ENDPOINTS": "true"}, wantDebug: true},
		{name: "leak with debug", env: map[string]string{"DEBUG_ENDPOINTS": "true", "LOADTEST_LEAK_BYTES_PER_REQUEST": "4096"}, wantDebug: true, wantLeak: 4096},
		{name: "leak 0 without debug", env: map[string]string{"LOADTEST_LEAK_BYTES_PER_REQUEST": "0"}},
		{name: "leak without debug", env: map[string]string{"LOADTEST_LEAK_BYTES_PER_REQUEST": "4096"}, wantErr: "needs DEBUG_ENDPOINTS=true"},
		{name: "leak not a number", env: map[string]string{"DEBUG_ENDPOINTS": "true", "LOADTEST_LEAK_BYTES_PER_REQUEST": "4k"}, wantErr: "LOADTEST_LEAK_BYTES_PER_REQUEST"},
		{name: "leak too large", env: map[string]string{"DEBUG_ENDPOINTS": "true", "LOADTEST_LEAK_BYTES_PER_REQUEST": "2000000"}, wantErr: "LOADTEST_LEAK_BYTES_PER_REQUEST"},
		{name: "debug not a bool", env: map[string]string{"DEBUG_ENDPOINTS": "yes please"}, wantErr: "DEBUG_ENDPOINTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DebugEndpoints != tt.wantDebug || c.LoadtestLeakBytesPerRequest != tt.wantLeak {
				t.Errorf("debug %v, leak %d; want %v, %d", c.DebugEndpoints, c.LoadtestLeakBytesPerRequest, tt.wantDebug, tt.wantLeak)
			}
		})
	}
}
