// Package webasset serves the embedded, built files of the offline pages
// (GraphiQL, the exposure explorer): versioned by a hash of their
// content, cached for good under a URL naming that version, gzipped when
// the browser accepts it.
package webasset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Asset is one embedded file.
type Asset struct {
	contentType string
	body        []byte
	hash        string // hex sha256 prefix, used as ETag and cache-busting version

	gzOnce sync.Once
	gzBody []byte
}

// Must reads name from fsys, or panics naming the build that makes it.
func Must(fsys fs.FS, name, contentType, build string) *Asset {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic(fmt.Sprintf("webasset: embedded asset %s missing (run `%s`): %v", name, build, err))
	}
	sum := sha256.Sum256(b)
	return &Asset{contentType: contentType, body: b, hash: hex.EncodeToString(sum[:8])}
}

// Body is the file's content.
func (a *Asset) Body() []byte { return a.body }

// Hash names the content: the ETag, and the ?v= of a URL that may be
// cached for good.
func (a *Asset) Hash() string { return a.hash }

// URL is path with the content's version.
func (a *Asset) URL(path string) string { return path + "?v=" + a.hash }

func (a *Asset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		a.gzBody = buf.Bytes()
	})
	return a.gzBody
}

// ServeHTTP answers a GET or HEAD with the file: immutable when ?v= names
// this content, revalidated otherwise; gzipped when accepted.
func (a *Asset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == a.hash {
		// The URL names this exact content: cache it for good.
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	body := a.body
	etag := `"` + a.hash + `"`
	if AcceptsGzip(r) {
		body = a.gzipped()
		etag = `"` + a.hash + `-gz"`
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip
// (a "gzip;q=0" entry counts as a refusal).
func AcceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		params = strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}
