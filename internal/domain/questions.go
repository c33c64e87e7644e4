package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/licencegraph/licencegraph/internal/countries"
)

// Questions: what a client may ask of the read and exposure services.
// Each checks itself here, once, and names the field at fault by its
// domain name (Error.Field: "maxDepth", "first", "country", …); the
// transport maps those names to its own argument paths. Services and the
// store trust a question that passed Validate.

// Bounds of questions (the paging bounds are in read.go).
const (
	// DefaultPaths and MaxPaths bound the paths one question lists.
	DefaultPaths = 10
	MaxPaths     = 100
	// MaxSearchText bounds search texts and name filters: Lucene refuses
	// prefix terms over 1,000 characters, and no name is this long.
	MaxSearchText = 200
)

func badInput(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

func checkRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return badInput(field, "%s must be between %d and %d", field, lo, hi)
	}
	return nil
}

// Validate checks the page size (0..MaxPageSize).
func (p Page) Validate() error { return checkRange("first", p.First, 0, MaxPageSize) }

// Validate checks the country code and the length of the name text.
func (f CompanyFilter) Validate() error {
	if f.Country != "" {
		if _, ok := countries.Lookup(f.Country); !ok {
			return badInput("country", "%q is not an ISO 3166-1 alpha-2 country code", f.Country)
		}
	}
	if utf8.RuneCountInString(f.NameContains) > MaxSearchText {
		return badInput("nameContains", "nameContains is longer than %d characters", MaxSearchText)
	}
	return nil
}

// SearchQuery asks for the companies whose names or aliases match Text,
// at most First.
type SearchQuery struct {
	Text  string
	First int
}

// Validate checks the text (not blank, at most MaxSearchText characters)
// and the page size.
func (q SearchQuery) Validate() error {
	if utf8.RuneCountInString(q.Text) > MaxSearchText {
		return badInput("text", "the search text is longer than %d characters", MaxSearchText)
	}
	if strings.TrimSpace(q.Text) == "" {
		return badInput("text", "the search text is empty")
	}
	return checkRange("first", q.First, 0, MaxPageSize)
}

// SupplyChainQuery asks for the part of the supply graph reachable from a
// company within MaxDepth links, one way.
type SupplyChainQuery struct {
	CompanyID string
	Direction Direction
	MaxDepth  int
}

// Validate checks the direction and maxDepth (1..MaxSupplyChainDepth).
func (q SupplyChainQuery) Validate() error {
	if q.Direction != Upstream && q.Direction != Downstream {
		return badInput("direction", "%q is not a direction", q.Direction)
	}
	return checkRange("maxDepth", q.MaxDepth, 1, MaxSupplyChainDepth)
}

// Validate checks maxDepth (1..MaxExposureDepth) and minConfidence (when
// set, 0 < t <= 1). A zero AsOf is today.
func (q ExposureQuery) Validate() error {
	if err := checkRange("maxDepth", q.MaxDepth, 1, MaxExposureDepth); err != nil {
		return err
	}
	if t := q.MinConfidence; t != nil && !(*t > 0 && *t <= 1) { // also refuses NaN
		return badInput("minConfidence", "minConfidence must be greater than 0 and at most 1")
	}
	return nil
}

// PathsQuery asks for up to First exposure paths ending at a company.
type PathsQuery struct {
	CompanyID string
	ExposureQuery
	First int
}

// Validate checks the exposure question and First (1..MaxPaths).
func (q PathsQuery) Validate() error {
	if err := q.ExposureQuery.Validate(); err != nil {
		return err
	}
	return checkRange("first", q.First, 1, MaxPaths)
}

// ChangesQuery asks who becomes and who stops being exposed between
// ExposureQuery.AsOf (from) and To.
type ChangesQuery struct {
	ExposureQuery
	To Date
}

// Validate checks both dates (required, from not after to) and the
// exposure question.
func (q ChangesQuery) Validate() error {
	if err := validSpan(q.AsOf, q.To); err != nil {
		return err
	}
	return q.ExposureQuery.Validate()
}

// DatesQuery asks for the days from From to To (both included) on which
// an exposure answer may change.
type DatesQuery struct {
	From, To Date
}

// Validate checks both dates: required, from not after to.
func (q DatesQuery) Validate() error { return validSpan(q.From, q.To) }

// validSpan checks the from and to of a question over a span of dates:
// both required, from not after to.
func validSpan(from, to Date) error {
	if from.IsZero() {
		return badInput("from", "from is required")
	}
	if to.IsZero() {
		return badInput("to", "to is required")
	}
	if to.Before(from) {
		return badInput("to", "to must not be before from")
	}
	return nil
}

// Validate checks the company id, both dates (required, from not after
// to, at most MaxTimelineDays days from and to included) and the exposure
// question.
func (q TimelineQuery) Validate() error {
	if q.CompanyID == "" {
		return badInput("companyId", "companyId is required")
	}
	if err := validSpan(q.AsOf, q.To); err != nil {
		return err
	}
	if q.AsOf.AddDays(MaxTimelineDays - 1).Before(q.To) {
		return badInput("to", "a timeline spans at most %d days (from and to included)", MaxTimelineDays)
	}
	return q.ExposureQuery.Validate()
}
