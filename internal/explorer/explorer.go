// Package explorer serves the exposure explorer, a page that asks the
// GraphQL API who is exposed, through whom and why, and draws the answer.
// It works fully offline: the JavaScript and CSS are built from web/
// (npm run --prefix web build) into assets/ and embedded into the binary.
// Routes owned by Handler:
//
//	GET/HEAD /explore                     the HTML page
//	GET/HEAD /explore/explorer.js         the bundled application
//	GET/HEAD /explore/explorer.css        its stylesheet
//
// Everything else under /explore/ is answered with 404.
package explorer

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/webasset"
)

//go:embed assets
var assetsFS embed.FS

// Paths served by Handler.
const (
	PagePath = "/explore"
	JSPath   = "/explore/explorer.js"
	CSSPath  = "/explore/explorer.css"
)

const build = "npm run --prefix web build"

var (
	jsAsset  = webasset.Must(assetsFS, "assets/explorer.js", "text/javascript; charset=utf-8", build)
	cssAsset = webasset.Must(assetsFS, "assets/explorer.css", "text/css; charset=utf-8", build)
	pageTmpl = template.Must(template.ParseFS(assetsFS, "assets/index.html"))
)

// contentSecurityPolicy is sent with the page. Everything is
// same-origin, with no inline script or style and no eval: one script,
// one stylesheet, queries to the GraphQL endpoint. Cytoscape draws on a
// canvas and sets element styles through the CSSOM, which CSP does not
// restrict; the CSV download is a blob: link the page clicks, a download
// rather than a fetch.
const contentSecurityPolicy = "default-src 'none'; " +
	"script-src 'self'; " +
	"style-src 'self'; " +
	"img-src 'self' data:; " +
	"font-src 'self' data:; " +
	"connect-src 'self'; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

type pageData struct {
	Endpoint, JSPath, CSSPath string
}

type handler struct{ page []byte }

// Handler returns the explorer's http.Handler, to be mounted at PagePath
// and PagePath+"/". endpoint is the same-origin path of the GraphQL
// endpoint ("" means "/graphql"); Handler panics if it is not an absolute
// path, because the page's Content-Security-Policy only allows
// same-origin connections.
func Handler(endpoint string) http.Handler {
	if endpoint == "" {
		endpoint = "/graphql"
	}
	if !strings.HasPrefix(endpoint, "/") || strings.HasPrefix(endpoint, "//") || strings.ContainsAny(endpoint, "\\ \t\r\n") {
		panic(fmt.Sprintf("explorer: endpoint must be a same-origin absolute path such as /graphql, got %q", endpoint))
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, pageData{Endpoint: endpoint, JSPath: jsAsset.URL(JSPath), CSSPath: cssAsset.URL(CSSPath)}); err != nil {
		panic(fmt.Sprintf("explorer: rendering the page: %v", err))
	}
	return &handler{page: buf.Bytes()}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a *webasset.Asset
	switch r.URL.Path {
	case PagePath:
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
	if a != nil {
		a.ServeHTTP(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Length", strconv.Itoa(len(h.page)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(h.page)
	}
}
