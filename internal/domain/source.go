package domain

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Source is where a fact is reported (docs/model.md): a web page, or a
// citation of an outlet's report on a day when no URL is known. Ref is
// its key, the normalised form of what was written: the URL as given, or
// "Outlet, YYYY-MM-DD" with ", title" when there is one.
type Source struct {
	Ref         string
	URL         string // a web page: http(s)
	Publisher   string // a citation's outlet, e.g. "Reuters via Kitco"
	PublishedOn Date   // a citation's date
	Title       string // a citation's title, if given
}

// Citation bounds, in bytes.
const (
	maxOutletLength = 200
	maxTitleLength  = 500
	maxURLLength    = 2000
)

// schemePrefix tells a URL from a citation: a citation's outlet never
// starts with "scheme://".
var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// ParseSource reads a source as seed files and mutations write it: an
// absolute http(s) URL, or a citation `Outlet, YYYY-MM-DD[, title]`
// (the outlet holds no comma; the title may). Spaces around the parts
// and runs of spaces inside the outlet and title do not count.
func ParseSource(s string) (Source, error) {
	s = strings.TrimSpace(s)
	if schemePrefix.MatchString(s) {
		u, err := url.Parse(s)
		switch {
		case len(s) > maxURLLength:
			return Source{}, fmt.Errorf("%.60q… is longer than %d characters", s, maxURLLength)
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return Source{}, fmt.Errorf("%q is not an http(s) URL", s)
		}
		return Source{Ref: s, URL: s}, nil
	}
	parts := strings.SplitN(s, ",", 3)
	if len(parts) < 2 {
		return Source{}, fmt.Errorf("%q is neither an http(s) URL nor a citation \"Outlet, YYYY-MM-DD[, title]\"", s)
	}
	src := Source{Publisher: squeeze(parts[0])}
	date := strings.TrimSpace(parts[1])
	if len(parts) == 3 {
		src.Title = squeeze(parts[2])
	}
	switch {
	case src.Publisher == "":
		return Source{}, fmt.Errorf("citation %q has no outlet before its date", s)
	case len(src.Publisher) > maxOutletLength:
		return Source{}, fmt.Errorf("citation %q: the outlet is longer than %d characters", s, maxOutletLength)
	case len(src.Title) > maxTitleLength:
		return Source{}, fmt.Errorf("citation %q: the title is longer than %d characters", s, maxTitleLength)
	}
	d, err := ParseDate(date)
	if err != nil {
		return Source{}, fmt.Errorf("citation %q: %v", s, err)
	}
	src.PublishedOn = d
	src.Ref = src.Publisher + ", " + d.String()
	if src.Title != "" {
		src.Ref += ", " + src.Title
	}
	return src, nil
}

// SourceOf is the source a stored ref names; a ref the parser refuses
// (none is written so) comes back as its bare Ref.
func SourceOf(ref string) Source {
	s, err := ParseSource(ref)
	if err != nil {
		return Source{Ref: ref}
	}
	return s
}

// NormaliseSources returns the refs of sources, without repeats, in
// order; a source that does not parse is kept as written (Validate
// reports it).
func NormaliseSources(sources []string) []string {
	if sources == nil {
		return nil
	}
	out := make([]string, 0, len(sources))
	for _, s := range sources {
		if src, err := ParseSource(s); err == nil {
			s = src.Ref
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// squeeze trims s and turns each run of white space inside it into one
// space.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

func checkSources(es *FieldErrors, field string, sources []string) {
	for _, s := range sources {
		if _, err := ParseSource(s); err != nil {
			es.add(field, "%v", err)
		}
	}
}
