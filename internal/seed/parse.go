package seed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// cell is one field of a raw record as written in the file: a scalar, or
// a list (a YAML sequence, or a CSV cell split on ';').
type cell struct {
	line   int
	scalar string
	list   []string
	seq    bool // written as a YAML sequence
}

// rawRecord is one record of a file before decoding, with line numbers.
type rawRecord struct {
	line   int
	fields map[string]cell
	order  []string // field names as they appear, for stable error order
	// explained are required columns the CSV header lacks, already
	// reported once on the header's line: rows do not repeat "is required".
	explained map[string]bool
}

// parseError is a problem found while reading a file's structure.
type parseError struct {
	line  int
	field string
	msg   string
}

// parseCSV reads a header row and streams records to emit (until it returns
// false), so a large file is never held whole. List cells split on ';'. Blank lines are skipped; a
// row with a different number of cells is an error. A header column that
// kind's table lacks is reported once, on the header's line, with the known
// column nearest to it, and its cells are skipped (the rows' other errors
// are still reported); so is a required column the header lacks.
func parseCSV(in io.Reader, kind domain.Kind, emit func(rawRecord) bool) []parseError {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1 // checked below, to report the line
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return []parseError{csvError(err)}
	}
	hline, _ := r.FieldPos(0) // 1, unless blank lines come first
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // spreadsheet BOM
	}
	var errs []parseError
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if h == "" {
			errs = append(errs, parseError{line: hline, msg: fmt.Sprintf("column %d has an empty name", i+1)})
		} else if seen[h] {
			errs = append(errs, parseError{line: hline, field: h, msg: "column appears twice"})
		}
		seen[h] = true
	}
	if len(errs) > 0 {
		return errs
	}
	cols := ColumnsOf(kind)
	known := make([]bool, len(header))
	order := make([]string, 0, len(header))
	var unknown []string
	for i, h := range header {
		if _, known[i] = cols.Lookup(h); known[i] {
			order = append(order, h)
		} else {
			unknown = append(unknown, h)
		}
	}
	// A misspelt column is one error, on the header, naming the known
	// column it is nearest to; a required column missing otherwise is one
	// error too. Neither is repeated on every row.
	missing := map[string]bool{} // required columns the header lacks
	for _, c := range cols.Columns {
		if c.Required && !slices.Contains(order, c.Name) {
			missing[c.Name] = true
		}
	}
	named := map[string]bool{}
	for _, h := range unknown {
		near := nearestColumn(cols, h, order)
		named[near] = true
		errs = append(errs, parseError{line: hline, field: h, msg: unknownColumnNear(cols, near)})
	}
	for _, c := range cols.Columns {
		if missing[c.Name] && !named[c.Name] {
			errs = append(errs, parseError{line: hline, field: c.Name, msg: "required column missing from the header"})
		}
	}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(err))
			break
		}
		line, _ := r.FieldPos(0)
		if len(row) != len(header) {
			errs = append(errs, parseError{line: line, msg: fmt.Sprintf("has %d cells, the header has %d", len(row), len(header))})
			continue
		}
		rec := rawRecord{line: line, fields: make(map[string]cell, len(row)), order: order, explained: missing}
		for i, v := range row {
			v = strings.TrimSpace(v)
			if v == "" || !known[i] {
				continue // empty: absent; unknown: reported on the header
			}
			cl, _ := r.FieldPos(i)
			rec.fields[header[i]] = cell{line: cl, scalar: v, list: splitList(v)}
		}
		if !emit(rec) {
			break
		}
	}
	return errs
}

func splitList(v string) []string {
	parts := strings.Split(v, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func csvError(err error) parseError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return parseError{line: pe.Line, msg: pe.Err.Error()}
	}
	return parseError{msg: err.Error()}
}

// parseYAML reads a YAML list of mappings and emits its records. Scalars
// keep their source text, so `Y` stays "Y" and dates stay strings; nested
// mappings are errors.
func parseYAML(data []byte, emit func(rawRecord) bool) []parseError {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return []parseError{yamlSyntaxError(err)}
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc.Body != nil {
			if body != nil {
				return []parseError{{line: line(doc.Body), msg: "a seed file holds one YAML document (a list of records)"}}
			}
			body = doc.Body
		}
	}
	if body == nil {
		return nil
	}
	seq, ok := unwrap(body).(*ast.SequenceNode)
	if !ok {
		return []parseError{{line: line(body), msg: "a seed file holds a list of records (each item starting with '- ')"}}
	}
	var errs []parseError
	for _, item := range seq.Values {
		m, ok := unwrap(item).(*ast.MappingNode)
		if !ok {
			if _, isNull := unwrap(item).(*ast.NullNode); isNull {
				errs = append(errs, parseError{line: line(item), msg: "empty record"})
				continue
			}
			errs = append(errs, parseError{line: line(item), msg: "a record must be a mapping of field: value"})
			continue
		}
		rec := rawRecord{line: line(m), fields: make(map[string]cell, len(m.Values))}
		for _, mv := range m.Values {
			key := strings.TrimSpace(scalarText(mv.Key))
			if _, dup := rec.fields[key]; dup {
				errs = append(errs, parseError{line: line(mv.Key), field: key, msg: "field appears twice"})
				continue
			}
			c, perr := yamlCell(mv.Value)
			if perr != "" {
				errs = append(errs, parseError{line: line(mv.Value), field: key, msg: perr})
				continue
			}
			rec.order = append(rec.order, key)
			if c == nil {
				continue // null or empty: absent
			}
			c.line = line(mv.Key)
			rec.fields[key] = *c
		}
		if !emit(rec) {
			break
		}
	}
	return errs
}

func yamlCell(n ast.Node) (*cell, string) {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return nil, ""
	case *ast.SequenceNode:
		c := &cell{seq: true, list: []string{}}
		for _, item := range v.Values {
			switch unwrap(item).(type) {
			case *ast.SequenceNode, *ast.MappingNode:
				return nil, "list items must be plain values"
			case *ast.NullNode:
				return nil, "list items must not be empty"
			}
			if s := strings.TrimSpace(scalarText(item)); s != "" {
				c.list = append(c.list, s)
			}
		}
		return c, ""
	case *ast.MappingNode, *ast.MappingValueNode:
		return nil, "must be a plain value or a list, not a mapping"
	default:
		s := strings.TrimSpace(scalarText(n))
		if s == "" {
			return nil, ""
		}
		return &cell{scalar: s, list: []string{s}}, ""
	}
}

// unwrap looks through tags and anchors to the value node.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			n = v.Value
		default:
			return n
		}
	}
}

func scalarText(n ast.Node) string {
	switch v := unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		return v.Value.Value
	case nil:
		return ""
	default:
		if tok := v.GetToken(); tok != nil {
			return tok.Value
		}
		return v.String()
	}
}

func line(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tok := n.GetToken(); tok != nil && tok.Position != nil {
		return tok.Position.Line
	}
	return 0
}

func yamlSyntaxError(err error) parseError {
	// goccy's errors carry "[line:col] message" and a source excerpt; keep
	// the first line of the message only.
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	pe := parseError{msg: "YAML syntax: " + msg}
	var l, c int
	if _, scanErr := fmt.Sscanf(msg, "[%d:%d]", &l, &c); scanErr == nil {
		pe.line = l
		if i := strings.Index(msg, "] "); i >= 0 {
			pe.msg = "YAML syntax: " + msg[i+2:]
		}
	}
	return pe
}
