package gqlclient

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"data", `{"data":{"a":[1,2,{"b":"c"}]}}`, ""},
		{"error with code", `{"data":null,"errors":[{"message":"no","extensions":{"code":"TIMEOUT"}}]}`, "TIMEOUT: no"},
		{"not JSON", `<html>`, "status 502: not JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.body), 502)
			if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check(%s) = %v, want %q", tc.body, err, tc.want)
			}
		})
	}
}
