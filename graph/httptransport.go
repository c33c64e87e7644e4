package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// The media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// excerptBytes bounds how much of a malformed body an error quotes: a
// broken 1 MB body must not come back whole.
const excerptBytes = 40

// httpTransport serves queries and mutations over HTTP as the GraphQL over
// HTTP specification asks (graphql-http's server audits hold it to it, in
// internal/app): GET for queries only (a mutation is 405 with Allow: POST),
// POST with an application/json body, anything else 405 or 415 in GraphQL's
// error shape. It answers application/graphql-response+json when the client
// accepts it first, else application/json, and a request that fails before
// execution (unparseable JSON or document, invalid parameters or variables,
// a query over the limits) carries no data entry: with
// application/graphql-response+json it is a 400; with application/json
// only what is not GraphQL at all is a 400, the rest 200, as the legacy
// media type expects. A refused token is 401 with WWW-Authenticate, a
// missing role 403. It supports every request that reaches it: it comes
// after the websocket and OPTIONS transports.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(*http.Request) bool { return true }

func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMedia(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	var (
		params *graphql.RawParams
		msg    string
	)
	switch r.Method {
	case http.MethodGet:
		params, msg = getParams(r.URL.RawQuery)
	case http.MethodPost:
		if !isJSONBody(r.Header.Get("Content-Type")) {
			w.Header().Set("Accept-Post", mediaJSON)
			writeRequestErrors(w, http.StatusUnsupportedMediaType, exec, r,
				gqlerror.List{badRequest("send the operation as a JSON body with Content-Type: application/json")})
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeRequestErrors(w, http.StatusBadRequest, exec, r, gqlerror.List{badRequest("the request body could not be read")})
			return
		}
		params, msg = postParams(body)
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeRequestErrors(w, http.StatusMethodNotAllowed, exec, r,
			gqlerror.List{badRequest(fmt.Sprintf("%s is not supported: send queries with GET or POST, mutations with POST", r.Method))})
		return
	}
	if msg != "" {
		writeRequestErrors(w, http.StatusBadRequest, exec, r, gqlerror.List{badRequest(msg)})
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		if oc != nil && oc.Doc != nil && oc.Operation == nil {
			errs = gqlerror.List{operationNotFound(oc.Doc, params.OperationName)}
		}
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeRequestErrors(w, status, exec, r.WithContext(graphql.WithOperationContext(ctx, oc)), errs)
		return
	}
	if oc.Operation.Operation == ast.Subscription {
		writeRequestErrors(w, http.StatusBadRequest, exec, r,
			gqlerror.List{badRequest("subscriptions are served over a websocket on this path (graphql-transport-ws), not over GET or POST")})
		return
	}
	if r.Method == http.MethodGet && oc.Operation.Operation != ast.Query {
		// A link or a prefetch must never write.
		w.Header().Set("Allow", "POST")
		writeRequestErrors(w, http.StatusMethodNotAllowed, exec, r,
			gqlerror.List{badRequest(fmt.Sprintf("a %s cannot be sent with GET: use POST", oc.Operation.Operation))})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if status := refusedStatus(resp); status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", wwwAuthenticate(r))
		}
		w.WriteHeader(status)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}],"data":null}`)
	}
	_, _ = w.Write(b)
}

// responseMedia picks the response's media type from Accept: the first
// of the two JSON types listed, application/json for */*, application/*,
// nothing or anything else (the specification lets a server answer its
// default rather than 406).
func responseMedia(accept string) string {
	best, bestQ := "", -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, p, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := p["q"]; ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		var m string
		switch mt {
		case mediaGraphQLResponse:
			m = mediaGraphQLResponse
		case mediaJSON, "*/*", "application/*":
			m = mediaJSON
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = m, q
		}
	}
	if best == "" {
		return mediaJSON
	}
	return best
}

// isJSONBody accepts application/json, in UTF-8 when a charset is named.
func isJSONBody(contentType string) bool {
	mt, p, err := mime.ParseMediaType(contentType)
	if err != nil || mt != mediaJSON {
		return false
	}
	cs, ok := p["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// wireParams is a request's body before its parameters are checked.
type wireParams struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func postParams(body []byte) (*graphql.RawParams, string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "the request body is empty: send {\"query\": \"...\"}"
	}
	var wire wireParams
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, jsonProblem(err, body)
	}
	if string(wire.Query) == "null" {
		wire.Query = nil
	}
	p := &graphql.RawParams{}
	if len(wire.Query) == 0 || json.Unmarshal(wire.Query, &p.Query) != nil {
		return nil, "query: a string holding the GraphQL document is required"
	}
	if !isNull(wire.OperationName) && json.Unmarshal(wire.OperationName, &p.OperationName) != nil {
		return nil, "operationName: must be a string or null"
	}
	if msg := decodeMap(wire.Variables, &p.Variables, "variables"); msg != "" {
		return nil, msg
	}
	if msg := decodeMap(wire.Extensions, &p.Extensions, "extensions"); msg != "" {
		return nil, msg
	}
	return p, ""
}

func getParams(rawQuery string) (*graphql.RawParams, string) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, "the URL's query string is malformed"
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if p.Query == "" {
		return nil, "query: a string holding the GraphQL document is required"
	}
	if v := q.Get("variables"); v != "" {
		if msg := decodeMap(json.RawMessage(v), &p.Variables, "variables"); msg != "" {
			return nil, msg
		}
	}
	if v := q.Get("extensions"); v != "" {
		if msg := decodeMap(json.RawMessage(v), &p.Extensions, "extensions"); msg != "" {
			return nil, msg
		}
	}
	return p, ""
}

// decodeMap reads an optional JSON object, numbers kept as json.Number
// (as gqlgen's transports do, so Int variables stay exact).
func decodeMap(raw json.RawMessage, into *map[string]any, name string) string {
	if isNull(raw) {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil || *into == nil {
		return name + ": must be a JSON object or null"
	}
	return ""
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// jsonProblem says what is wrong with a body that is not a JSON object,
// quoting at most a short excerpt of it.
func jsonProblem(err error, body []byte) string {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("the request body is not JSON: %s at byte %d, after: %s", syntax.Error(), syntax.Offset, excerpt(body, syntax.Offset))
	default:
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field == "" {
			return "the request body must be a JSON object, not " + typ.Value
		}
		return "the request body must be a JSON object with a string query"
	}
}

// excerpt quotes up to excerptBytes of body before offset, marking what
// it left out, as valid UTF-8.
func excerpt(body []byte, offset int64) string {
	end := min(int(offset), len(body))
	start := max(0, end-excerptBytes)
	for start > 0 && start < end && !utf8.RuneStart(body[start]) {
		start++
	}
	s := strings.ToValidUTF8(string(body[start:end]), "\uFFFD")
	if start > 0 {
		s = "…" + s
	}
	return s
}

// operationNotFound replaces gqlgen's "operation  not found" (sic, for a
// missing name) by what the client should do.
func operationNotFound(doc *ast.QueryDocument, name string) *gqlerror.Error {
	var names []string
	for _, op := range doc.Operations {
		if op.Name == "" {
			names = append(names, "an anonymous one")
		} else {
			names = append(names, op.Name)
		}
	}
	msg := fmt.Sprintf("the document has no operation named %q; it has %s", name, strings.Join(names, ", "))
	if name == "" {
		msg = fmt.Sprintf("the document has %d operations (%s): name the one to run in operationName", len(names), strings.Join(names, ", "))
	}
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}
}

func badRequest(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(domain.CodeBadUserInput)}}
}

// writeRequestErrors answers a request that did not execute: errors only,
// no data entry (the specification's request error).
func writeRequestErrors(w http.ResponseWriter, status int, exec graphql.GraphExecutor, r *http.Request, errs gqlerror.List) {
	resp := exec.DispatchError(r.Context(), errs)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate(r))
	}
	w.WriteHeader(status)
	b, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	_, _ = w.Write(b)
}

// refusedStatus is 401 or 403 when the whole operation was refused for
// its token (no data, every error UNAUTHENTICATED or FORBIDDEN), else 0.
func refusedStatus(resp *graphql.Response) int {
	if resp == nil || len(resp.Errors) == 0 || !isNull(resp.Data) {
		return 0
	}
	status := 0
	for _, e := range resp.Errors {
		switch e.Extensions["code"] {
		case string(domain.CodeUnauthenticated):
			status = http.StatusUnauthorized
		case string(domain.CodeForbidden):
			if status == 0 {
				status = http.StatusForbidden
			}
		default:
			return 0
		}
	}
	return status
}

// wwwAuthenticate is the Bearer challenge (RFC 6750): invalid_token when a
// token was sent and refused.
func wwwAuthenticate(r *http.Request) string {
	if _, err := auth.FromContext(r.Context()); err != nil {
		return `Bearer realm="licencegraph", error="invalid_token"`
	}
	return `Bearer realm="licencegraph"`
}
