// Package graphiql serves a GraphiQL IDE that works fully offline.
//
// The JavaScript and CSS are built from web/ (npm run --prefix web build) into
// assets/ and embedded into the binary; the page loads nothing from any other
// host. Routes owned by Handler:
//
//	GET/HEAD /                       the HTML page
//	GET/HEAD /graphiql/graphiql.js   the bundled GraphiQL application
//	GET/HEAD /graphiql/graphiql.css  its stylesheet (fonts inlined as data: URIs)
//
// Everything else is answered with 404, so the handler can be mounted at "/"
// of a mux next to the GraphQL endpoint itself.
package graphiql

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/webasset"
)

//go:embed assets
var assetsFS embed.FS

// Paths of the embedded assets as served by Handler.
const (
	JSPath  = "/graphiql/graphiql.js"
	CSSPath = "/graphiql/graphiql.css"
)

// contentSecurityPolicy returns the policy sent with the HTML page.
// Everything is same-origin:
//   - script-src 'self': one external bundle, no inline script, no eval.
//   - style-src 'self' 'nonce-…': one external stylesheet; in addition the
//     Radix dialogs (settings, keyboard shortcuts) inject a <style> element
//     for their scroll lock (react-remove-scroll), which carries the
//     per-response nonce handed to the page in data-style-nonce. No
//     'unsafe-inline': React, CodeMirror and framer-motion set element styles
//     through the CSSOM (element.style), which CSP does not restrict.
//   - font-src/img-src data:: the stylesheet inlines its fonts and icons as
//     data: URIs.
//   - connect-src 'self' ws: wss:: HTTP queries go to the same origin,
//     subscriptions use graphql-ws over ws(s)://<same host><endpoint>.
func contentSecurityPolicy(nonce string) string {
	return "default-src 'none'; " +
		"script-src 'self'; " +
		"style-src 'self' 'nonce-" + nonce + "'; " +
		"img-src 'self' data:; " +
		"font-src 'self' data:; " +
		"connect-src 'self' ws: wss:; " +
		"base-uri 'none'; " +
		"form-action 'none'; " +
		"frame-ancestors 'none'"
}

var (
	jsAsset  = webasset.Must(assetsFS, "assets/graphiql.js", "text/javascript; charset=utf-8", build)
	cssAsset = webasset.Must(assetsFS, "assets/graphiql.css", "text/css; charset=utf-8", build)
	pageTmpl = template.Must(template.ParseFS(assetsFS, "assets/index.html"))
)

const build = "npm run --prefix web build"

type pageData struct {
	Title      string
	Endpoint   string
	JSPath     string
	CSSPath    string
	StyleNonce string
}

type handler struct {
	endpoint string
}

// Handler returns an http.Handler serving the GraphiQL page at "/" and its
// assets under "/graphiql/". endpoint is the same-origin path of the GraphQL
// endpoint (for example "/graphql"); the page derives the graphql-ws URL for
// subscriptions from it (ws(s)://<host><endpoint>). An empty endpoint means
// "/graphql". Handler panics if endpoint is not an absolute path, because the
// page's Content-Security-Policy only allows same-origin connections.
func Handler(endpoint string) http.Handler {
	if endpoint == "" {
		endpoint = "/graphql"
	}
	if !strings.HasPrefix(endpoint, "/") || strings.HasPrefix(endpoint, "//") || strings.ContainsAny(endpoint, "\\ \t\r\n") {
		panic(fmt.Sprintf("graphiql: endpoint must be a same-origin absolute path such as /graphql, got %q", endpoint))
	}
	h := &handler{endpoint: endpoint}
	if _, err := h.renderPage("test"); err != nil {
		panic(fmt.Sprintf("graphiql: rendering page: %v", err))
	}
	return h
}

func (h *handler) renderPage(nonce string) ([]byte, error) {
	var buf bytes.Buffer
	err := pageTmpl.Execute(&buf, pageData{
		Title:      "licencegraph · GraphiQL",
		Endpoint:   h.endpoint,
		JSPath:     jsAsset.URL(JSPath),
		CSSPath:    cssAsset.URL(CSSPath),
		StyleNonce: nonce,
	})
	return buf.Bytes(), err
}

func newNonce() string {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("graphiql: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a *webasset.Asset
	switch r.URL.Path {
	case "/":
	case JSPath:
		a = jsAsset
	case CSSPath:
		a = cssAsset
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if a == nil {
		nonce := newNonce()
		page, err := h.renderPage(nonce)
		if err != nil {
			http.Error(w, "graphiql: rendering page failed", http.StatusInternalServerError)
			return
		}
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		hdr.Set("Content-Security-Policy", contentSecurityPolicy(nonce))
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Referrer-Policy", "no-referrer")
		// Each response carries a fresh nonce: never reuse a stored copy.
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("Content-Length", strconv.Itoa(len(page)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(page)
		}
		return
	}
	a.ServeHTTP(w, r)
}

// offPage is what "/" shows when the server does not answer introspection:
// GraphiQL's editor and Docs pane would be broken without it.
var offPage = template.Must(template.New("off").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>licencegraph · GraphiQL is off</title>
<link rel="icon" href="data:,">
</head>
<body>
<h1>GraphiQL is off on this server</h1>
<p>This server does not answer introspection (the production profile,
<code>LICENCEGRAPH_PROFILE=production</code>, or <code>INTROSPECTION=false</code>),
which GraphiQL needs for its editor and its Docs pane.</p>
<p>Send GraphQL to <code>POST {{.}}</code> (a bearer token in the
<code>Authorization</code> header where one is needed). The schema is in the
project's <code>schema/*.graphqls</code>; a development server
(<code>make run</code>) serves GraphiQL with it.</p>
</body>
</html>
`))

// IntrospectionOff serves, at "/", a page saying that GraphiQL is off
// because the server does not answer introspection, and where to send
// queries instead; anything else is 404, the bundle included.
func IntrospectionOff(endpoint string) http.Handler {
	if endpoint == "" {
		endpoint = "/graphql"
	}
	var buf bytes.Buffer
	if err := offPage.Execute(&buf, endpoint); err != nil {
		panic(fmt.Sprintf("graphiql: rendering the page: %v", err))
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		if r.Method != http.MethodHead {
			_, _ = w.Write(page)
		}
	})
}
