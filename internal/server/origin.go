package server

import (
	"net/http"

	"github.com/rs/cors"

	"github.com/licencegraph/licencegraph/internal/requestid"
)

// corsOptions is the one origin policy of the HTTP surface: CORS for
// requests from browsers, and which origins may open a websocket
// (OriginAllowed).
func corsOptions(origins []string) cors.Options {
	return cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", requestid.Header},
		ExposedHeaders: []string{requestid.Header},
		MaxAge:         600,
	}
}

// OriginAllowed reports whether a request's Origin may use the API under
// the CORS policy of origins ("*": any): a request without an Origin (not
// from a browser) or from the server's own origin always may. The GraphQL
// handler applies it to websocket upgrades, which CORS does not cover and
// whose library would otherwise refuse every other origin.
func OriginAllowed(origins []string) func(*http.Request) bool {
	c := cors.New(corsOptions(origins))
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		return origin == "" || sameOrigin(r, origin) || c.OriginAllowed(r)
	}
}

// sameOrigin reports whether origin names the host the request was sent to.
func sameOrigin(r *http.Request, origin string) bool {
	for _, scheme := range []string{"http://", "https://"} {
		if origin == scheme+r.Host {
			return true
		}
	}
	return false
}
