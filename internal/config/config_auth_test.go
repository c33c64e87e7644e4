package config

import (
	"strings"
	"testing"
)

func TestFromEnvAuth(t *testing.T) {
	c, err := FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if !c.AllowAnonymousRead || c.AuthJWTRolesClaim != "roles" || c.AuthJWTHS256Secret != "" || c.AuthAPIKeysFile != "" {
		t.Fatalf("auth defaults: %+v", c)
	}
	env := map[string]string{
		"AUTH_JWT_HS256_SECRET": "0123456789abcdef0123456789abcdef", "AUTH_JWT_RS256_PUBLIC_KEY_FILE": "/k.pem",
		"AUTH_JWT_ISSUER": "https://iss", "AUTH_JWT_AUDIENCE": "lg", "AUTH_JWT_ROLES_CLAIM": "realm_access.roles",
		"AUTH_API_KEYS_FILE": "/keys", "ALLOW_ANONYMOUS_READ": "false",
	}
	c, err = FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.AllowAnonymousRead || c.AuthJWTRS256PublicKeyFile != "/k.pem" || c.AuthJWTIssuer != "https://iss" ||
		c.AuthJWTAudience != "lg" || c.AuthJWTRolesClaim != "realm_access.roles" || c.AuthAPIKeysFile != "/keys" {
		t.Fatalf("auth overrides: %+v", c)
	}
	if s := c.LogValue().String(); strings.Contains(s, env["AUTH_JWT_HS256_SECRET"]) {
		t.Fatalf("secret logged: %s", s)
	}
	_, err = FromEnv(func(k string) string {
		return map[string]string{"ALLOW_ANONYMOUS_READ": "sometimes", "AUTH_JWT_HS256_SECRET": "short"}[k]
	})
	for _, w := range []string{"ALLOW_ANONYMOUS_READ", "AUTH_JWT_HS256_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %s", err, w)
		}
	}
}
