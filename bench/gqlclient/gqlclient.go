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
	raw, status, err := Send(ctx, client, url, body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data   any
		Errors graphqlErrors
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d: not JSON", status)
	}
	return out.Data, out.Errors.err()
}

// Send sends one GraphQL request and returns the whole response body and
// its HTTP status.
func Send(ctx context.Context, client *http.Client, url string, body []byte) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return raw, resp.StatusCode, err
}

// Check reports the first GraphQL error of a response body, decoding only
// the errors (a quarter of the time of decoding the data too).
func Check(raw []byte, status int) error {
	var out struct{ Errors graphqlErrors }
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("status %d: not JSON", status)
	}
	if err := out.Errors.err(); err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("status %d without a GraphQL error", status)
	}
	return nil
}

type graphqlErrors []struct {
	Message    string
	Extensions map[string]any
}

func (e graphqlErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return fmt.Errorf("%v: %s", e[0].Extensions["code"], e[0].Message)
}
