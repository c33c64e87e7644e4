package export

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
)

// kindWriter writes the records of one kind as seed files in a
// directory: CSV, in files of at most maxRows records (<kind>.csv, or
// <kind>-001.<kind>.csv, <kind>-002.<kind>.csv, … when there are more), and the few records CSV cannot
// carry exactly (csvSafe) in <kind>-exact.<kind>.yaml. Every column of
// the kind's table is in each CSV header, in the table's order.
type kindWriter struct {
	dir     string
	cols    seed.KindColumns
	maxRows int

	csvFile *os.File
	buf     *bufio.Writer
	csv     *csv.Writer
	rows    int // in the current CSV file
	parts   int

	yamlFile *os.File
	yaml     *bufio.Writer

	files   []string
	records int
	row     []string
}

func newKindWriter(dir string, kind domain.Kind, maxRows int) *kindWriter {
	return &kindWriter{dir: dir, cols: seed.ColumnsOf(kind), maxRows: maxRows}
}

// write adds one record (its values by column).
func (w *kindWriter) write(vals map[string][]string) error {
	w.records++
	if !csvSafe(vals, w.cols) {
		return w.writeYAML(vals)
	}
	if w.csv == nil || (w.maxRows > 0 && w.rows == w.maxRows) {
		if err := w.nextCSV(); err != nil {
			return err
		}
	}
	w.row = w.row[:0]
	for _, c := range w.cols.Columns {
		w.row = append(w.row, strings.Join(vals[c.Name], ";"))
	}
	w.rows++
	return w.csv.Write(w.row)
}

func (w *kindWriter) nextCSV() error {
	if err := w.closeCSV(); err != nil {
		return err
	}
	w.parts++
	f, err := w.create(fmt.Sprintf("%s-%03d.%s.csv", w.cols.Kind, w.parts, w.cols.Kind))
	if err != nil {
		return err
	}
	w.csvFile, w.buf, w.rows = f, bufio.NewWriterSize(f, 1<<16), 0
	w.csv = csv.NewWriter(w.buf)
	return w.csv.Write(w.cols.Names())
}

// writeYAML appends the record as one item of the YAML list, every
// scalar double-quoted (Go's quoting of valid UTF-8 is a YAML
// double-quoted scalar), so the loader reads each value as written.
func (w *kindWriter) writeYAML(vals map[string][]string) error {
	if w.yaml == nil {
		f, err := w.create(string(w.cols.Kind) + "-exact." + string(w.cols.Kind) + ".yaml")
		if err != nil {
			return err
		}
		w.yamlFile, w.yaml = f, bufio.NewWriter(f)
	}
	lead := "- "
	for _, c := range w.cols.Columns {
		vs, ok := vals[c.Name]
		if !ok {
			continue
		}
		if c.List {
			fmt.Fprintf(w.yaml, "%s%s:\n", lead, c.Name)
			for _, v := range vs {
				fmt.Fprintf(w.yaml, "    - %s\n", strconv.Quote(v))
			}
		} else {
			fmt.Fprintf(w.yaml, "%s%s: %s\n", lead, c.Name, strconv.Quote(vs[0]))
		}
		lead = "  "
	}
	return nil
}

func (w *kindWriter) create(name string) (*os.File, error) {
	path := filepath.Join(w.dir, name)
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	w.files = append(w.files, path)
	return f, nil
}

func (w *kindWriter) closeCSV() error {
	if w.csv == nil {
		return nil
	}
	w.csv.Flush()
	err := errors.Join(w.csv.Error(), w.buf.Flush(), w.csvFile.Close())
	w.csv, w.buf, w.csvFile = nil, nil, nil
	if err != nil {
		return fmt.Errorf("export: writing %s: %w", w.cols.Kind, err)
	}
	return nil
}

// close finishes the files; a kind without records still gets its CSV
// file, header only, so a backup names every kind.
func (w *kindWriter) close() error {
	if w.csv == nil && w.parts == 0 {
		if err := w.nextCSV(); err != nil {
			return err
		}
	}
	err := w.closeCSV()
	if w.yaml != nil {
		err = errors.Join(err, w.yaml.Flush(), w.yamlFile.Close())
	}
	if err != nil {
		return err
	}
	if w.parts == 1 { // one CSV file: no number
		k := string(w.cols.Kind)
		numbered, one := filepath.Join(w.dir, k+"-001."+k+".csv"), filepath.Join(w.dir, k+".csv")
		if err := os.Rename(numbered, one); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for i := range w.files {
			if w.files[i] == numbered {
				w.files[i] = one
			}
		}
	}
	return nil
}

// abort closes whatever is open, ignoring errors: the export failed.
func (w *kindWriter) abort() {
	if w.csvFile != nil {
		w.csvFile.Close()
	}
	if w.yamlFile != nil {
		w.yamlFile.Close()
	}
}
