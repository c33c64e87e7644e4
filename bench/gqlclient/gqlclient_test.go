package gqlclient

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"data", `{"data":{"a":[1,2,{"b":"c"}]}}`, 200, ""},
		{"error with code", `{"data":null,"errors":[{"message":"no","extensions":{"code":"TIMEOUT"}}]}`, 504, "TIMEOUT: no"},
		{"error with code, status 200", `{"data":null,"errors":[{"message":"no","extensions":{"code":"TIMEOUT"}}]}`, 200, "TIMEOUT: no"},
		{"not JSON", `<html>`, 502, "status 502: not JSON"},
		{"another status without an error", `{"data":{"a":1}}`, 502, "status 502 without a GraphQL error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.body), tc.status)
			if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check(%s) = %v, want %q", tc.body, err, tc.want)
			}
		})
	}
}
