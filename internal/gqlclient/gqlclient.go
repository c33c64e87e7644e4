// Package gqlclient sends GraphQL requests over HTTP for the benchmark and
// load-test commands. It does not import the application, so the suite's
// in-process load test can use it too.
package gqlclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Post sends one GraphQL request (a JSON body) and returns its decoded
// data; a GraphQL error is an error (its extensions.code first).
func Post(ctx context.Context, client *http.Client, url string, body []byte) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data   any
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d: not JSON", resp.StatusCode)
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("%v: %s", out.Errors[0].Extensions["code"], out.Errors[0].Message)
	}
	return out.Data, nil
}
