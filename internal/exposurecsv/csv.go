// Package exposurecsv writes the answer of an exposedCompanies question
// as CSV, one row per exposed company with its figures and the first hops
// of its paths, and serves it at GET /export/exposed.csv (handler.go).
// The answer comes from the exposure engine (internal/exposure), the
// same code the GraphQL exposedCompanies field uses, so both agree.
package exposurecsv

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Reporter answers the question whole, handing the rows over a chunk at a
// time, all of one graph version (exposure.Engine implements it).
type Reporter interface {
	ExposedReport(ctx context.Context, q domain.ExposureQuery, withSince bool, emit func([]domain.ExposedReportRow) error) error
}

// Companies reads companies' names and countries.
type Companies interface {
	CompaniesByIDs(ctx context.Context, ids []string) (map[string]domain.Company, error)
}

// Header is the CSV's first row. Lists are ';'-separated; a first hop is
// "SUPPLIER>CUSTOMER:REASON" (REASON an ExposureReason of
// docs/exposure.md, e.g. NO_LICENCE).
var Header = []string{
	"company_id", "name", "country", "min_depth", "path_count", "confidence", "since",
	"uncovered_suppliers", "first_hops",
}

// Question is an exposure question with what the CSV should hold.
type Question struct {
	domain.ExposureQuery
	// Since fills the since column (first day of the current exposure,
	// docs/exposure.md); it costs about as much as the path counts.
	Since bool
}

// ParseQuestion reads a question from URL query parameters (sector,
// asOf, maxDepth, minConfidence, since), with the API's defaults (today,
// depth 4) and its validation; every error is BAD_USER_INPUT naming the
// parameter. An unknown parameter is an error too, so a misspelt one is
// not silently ignored.
func ParseQuestion(v url.Values, today domain.Date) (Question, error) {
	q := Question{ExposureQuery: domain.ExposureQuery{AsOf: today, MaxDepth: 4}}
	for name, vs := range v {
		if len(vs) != 1 {
			return q, bad(name, "%s is given %d times", name, len(vs))
		}
		s := vs[0]
		switch name {
		case "sector":
			q.Sector = s
		case "asOf":
			if s == "" {
				continue
			}
			d, err := domain.ParseDate(s)
			if err != nil {
				return q, bad(name, "asOf: %v", err)
			}
			q.AsOf = d
		case "maxDepth":
			if s == "" {
				continue
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return q, bad(name, "maxDepth: %q is not an integer", s)
			}
			q.MaxDepth = n
		case "minConfidence":
			if s == "" {
				continue
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return q, bad(name, "minConfidence: %q is not a number", s)
			}
			q.MinConfidence = &f
		case "since":
			b, err := strconv.ParseBool(cmpOr(s, "true"))
			if err != nil {
				return q, bad(name, "since: %q is not true or false", s)
			}
			q.Since = b
		default:
			return q, bad(name, "unknown parameter %q (known: sector, asOf, maxDepth, minConfidence, since)", name)
		}
	}
	return q, q.Validate()
}

func bad(field, format string, args ...any) error {
	return &domain.Error{Code: domain.CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Write asks q and writes the answer to w as CSV: the header, then a row
// per exposed company by id. The rows come a chunk at a time; names and
// countries are read for each chunk, and each chunk is flushed to w
// (flush, if set, is called after it: an HTTP response's Flush), so rows
// reach the reader as they are made and memory holds one chunk. Nothing
// reaches w before the first chunk is ready, so a question that fails at
// once writes nothing; a failure later leaves the CSV cut short. It
// returns the number of rows written.
func Write(ctx context.Context, rep Reporter, companies Companies, q Question, w io.Writer, flush func()) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	n := 0
	put := func(rows []domain.ExposedReportRow) error {
		if n == 0 {
			if err := cw.Write(Header); err != nil {
				return err
			}
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.CompanyID
		}
		cs, err := companies.CompaniesByIDs(ctx, ids)
		if err != nil {
			return fmt.Errorf("reading company names: %w", err)
		}
		for _, r := range rows {
			if err := cw.Write(Row(r, cs[r.CompanyID])); err != nil {
				return err
			}
		}
		n += len(rows)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if flush != nil {
			flush()
		}
		return nil
	}
	err := rep.ExposedReport(ctx, q.ExposureQuery, q.Since, func(rows []domain.ExposedReportRow) error {
		if n == 0 && len(rows) == 0 {
			return nil // the header comes with the first rows, or at the end
		}
		return put(rows)
	})
	if err == nil && n == 0 {
		err = put(nil)
	}
	return n, err
}

// Row is the CSV row of r; c is its company (name and country).
func Row(r domain.ExposedReportRow, c domain.Company) []string {
	conf := ""
	if r.Confidence != nil {
		conf = strconv.FormatFloat(*r.Confidence, 'f', -1, 64)
	}
	hops := make([]string, len(r.FirstHops))
	for i, h := range r.FirstHops {
		hops[i] = h.Supplier + ">" + h.Customer + ":" + string(h.Reason)
	}
	return []string{
		r.CompanyID, c.Name, c.Country, strconv.Itoa(r.MinDepth), strconv.Itoa(r.PathCount), conf,
		r.Since.String(), strings.Join(r.UncoveredSuppliers, ";"), strings.Join(hops, ";"),
	}
}
