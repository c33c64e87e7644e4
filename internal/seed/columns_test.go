package seed

import (
	"bufio"
	"bytes"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// The table of kinds and columns (Kinds) is the seed format: these tests
// hold the decoder, the domain's validation and defaults, the help text and
// docs/seed-format.md to it.

// csvRecord parses a one-row CSV file of kind with the given cells.
func csvRecord(t *testing.T, kind domain.Kind, cells map[string]string) rawRecord {
	t.Helper()
	rec, errs := csvRecordHeaderErrs(t, kind, cells)
	if len(errs) > 0 {
		t.Fatalf("parsing %v: errors %v", cells, errs)
	}
	return rec
}

// csvRecordHeaderErrs is csvRecord for a header that may lack required
// columns: it returns the errors parseCSV reports on the header.
func csvRecordHeaderErrs(t *testing.T, kind domain.Kind, cells map[string]string) (rawRecord, []parseError) {
	t.Helper()
	var header, row []string
	for _, c := range ColumnsOf(kind).Columns {
		if v, ok := cells[c.Name]; ok {
			header = append(header, c.Name)
			row = append(row, `"`+strings.ReplaceAll(v, `"`, `""`)+`"`)
		}
	}
	data := strings.Join(header, ",") + "\n" + strings.Join(row, ",") + "\n"
	var recs []rawRecord
	errs := parseCSV(strings.NewReader(data), kind, func(r rawRecord) bool { recs = append(recs, r); return true })
	if len(recs) != 1 || slices.ContainsFunc(errs, func(e parseError) bool { return e.line != 1 }) {
		t.Fatalf("parsing %q: %d records, errors %v", data, len(recs), errs)
	}
	return recs[0], errs
}

// examples are every column's Example; required only the required ones.
func examples(k KindColumns, required bool) map[string]string {
	m := map[string]string{}
	for _, c := range k.Columns {
		if c.Required || !required {
			m[c.Name] = c.Example
		}
	}
	return m
}

func TestTableIsWellFormed(t *testing.T) {
	if got, want := len(Kinds), len(domain.Kinds); got != want {
		t.Fatalf("%d kinds in the table, %d in domain.Kinds", got, want)
	}
	for i, k := range Kinds {
		if k.Kind != domain.Kinds[i] {
			t.Errorf("Kinds[%d] = %s, want %s (load order)", i, k.Kind, domain.Kinds[i])
		}
		seen := map[string]bool{}
		for _, c := range k.Columns {
			switch {
			case seen[c.Name]:
				t.Errorf("%s.%s: listed twice", k.Kind, c.Name)
			case c.Doc == "" || c.Example == "":
				t.Errorf("%s.%s: no Doc or no Example", k.Kind, c.Name)
			case (c.Type == TypeEnum) != (len(c.Values) > 0):
				t.Errorf("%s.%s: Values must be given exactly for enums", k.Kind, c.Name)
			case c.Refers != "" && c.Type != TypeID:
				t.Errorf("%s.%s: a reference must be of type id", k.Kind, c.Name)
			case c.Required && c.Default != "":
				t.Errorf("%s.%s: required with a default", k.Kind, c.Name)
			}
			seen[c.Name] = true
		}
		if len(k.Columns) > 64 {
			t.Errorf("%s: more columns than decoder.read has bits", k.Kind)
		}
	}
}

// Every column of the table is read by the decoder (and it reads no other:
// that panics).
func TestDecoderReadsEveryColumn(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k.Kind), func(t *testing.T) {
			_, d := decodeRecord(k.Kind, rawRecord{line: 1, fields: map[string]cell{}})
			for i, c := range k.Columns {
				if d.read&(1<<i) == 0 {
					t.Errorf("column %q is never read by the decoder", c.Name)
				}
			}
		})
	}
}

// Every column's example is valid, and a record of the examples decodes.
func TestExamplesDecode(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k.Kind), func(t *testing.T) {
			if _, errs := decode(k.Kind, csvRecord(t, k.Kind, examples(k, false))); len(errs) > 0 {
				t.Errorf("the examples do not decode: %+v", errs)
			}
		})
	}
}

// Required columns are exactly those without which a record is invalid.
func TestRequiredColumns(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k.Kind), func(t *testing.T) {
			minimal := examples(k, true)
			if _, errs := decode(k.Kind, csvRecord(t, k.Kind, minimal)); len(errs) > 0 {
				t.Fatalf("a record of the required columns only does not decode: %+v", errs)
			}
			for name := range minimal {
				cells := examples(k, true)
				delete(cells, name)
				if len(cells) == 0 { // a CSV row needs a cell
					cells[firstOther(k, name)] = ""
				}
				raw, headerErrs := csvRecordHeaderErrs(t, k.Kind, cells)
				_, errs := decode(k.Kind, raw)
				if !slices.ContainsFunc(errs, func(e parseError) bool { return e.field == name && e.msg == "is required" }) {
					t.Errorf("without %s: errors %+v, want %q: is required", name, errs, name)
				}
				// A CSV header without it says so once (the loader drops
				// the rows' "is required" for it).
				if len(headerErrs) != 1 || headerErrs[0].field != name || !raw.explained[name] {
					t.Errorf("without %s: header errors %+v, want one naming it", name, headerErrs)
				}
			}
		})
	}
}

// firstOther is a column other than name, so a row is never empty.
func firstOther(k KindColumns, name string) string {
	for _, c := range k.Columns {
		if c.Name != name {
			return c.Name
		}
	}
	return name
}

// A column with a default decodes, when absent, as if the default were
// written; the others decode, when absent, as the zero value.
func TestDefaults(t *testing.T) {
	for _, k := range Kinds {
		for _, c := range k.Columns {
			if c.Default == "" {
				continue
			}
			t.Run(string(k.Kind)+"."+c.Name, func(t *testing.T) {
				absent, errs := decode(k.Kind, csvRecord(t, k.Kind, examples(k, true)))
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				cells := examples(k, true)
				cells[c.Name] = c.Default
				given, errs := decode(k.Kind, csvRecord(t, k.Kind, cells))
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				if !reflect.DeepEqual(absent.value, given.value) {
					t.Errorf("absent: %+v\nwritten as %q: %+v", absent.value, c.Default, given.value)
				}
			})
		}
	}
}

// Enums take exactly their values, in any case.
func TestEnumValues(t *testing.T) {
	for _, k := range Kinds {
		for _, c := range k.Columns {
			if c.Type != TypeEnum {
				continue
			}
			t.Run(string(k.Kind)+"."+c.Name, func(t *testing.T) {
				for _, v := range append(slices.Clone(c.Values), strings.ToLower(c.Values[0]), "NOT_A_VALUE") {
					cells := examples(k, true)
					cells[c.Name] = v
					_, errs := decode(k.Kind, csvRecord(t, k.Kind, cells))
					if ok := len(errs) == 0; ok != (v != "NOT_A_VALUE") {
						t.Errorf("%s = %q: errors %+v", c.Name, v, errs)
					}
				}
			})
		}
	}
}

// A column's Refers is the kind the domain checks its ids against.
func TestReferences(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k.Kind), func(t *testing.T) {
			rec, errs := decode(k.Kind, csvRecord(t, k.Kind, examples(k, false)))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := map[string]domain.Kind{}
			for _, r := range refsOf(rec.value) {
				got[r.Field] = r.Kind
			}
			want := map[string]domain.Kind{}
			for _, c := range k.Columns {
				if c.Refers != "" {
					want[c.Name] = c.Refers
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("references checked by the domain: %v; the table says %v", got, want)
			}
		})
	}
}

// A column the table lacks is an error: once on the header line in CSV,
// on the record's line in YAML.
func TestUnknownColumns(t *testing.T) {
	tests := []struct {
		name, format, data string
		wantLines          []int
	}{
		{"csv header", "csv", "id,name,colour\nTb,Terbium,grey\nDy,Dysprosium,\n", []int{1}},
		{"yaml record", "yaml", "- id: Tb\n  colour: grey\n- id: Dy\n  colour: green\n", []int{2, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errs []parseError
			emit := func(r rawRecord) bool {
				_, e := decode(domain.KindMaterial, r)
				errs = append(errs, e...)
				return true
			}
			if tc.format == "csv" {
				errs = append(errs, parseCSV(strings.NewReader(tc.data), domain.KindMaterial, emit)...)
			} else {
				errs = append(errs, parseYAML([]byte(tc.data), emit)...)
			}
			var lines []int
			for _, e := range errs {
				if e.field != "colour" || e.msg != "unknown column (materials has: id, name, kind)" {
					t.Errorf("unexpected error %+v", e)
				}
				lines = append(lines, e.line)
			}
			if !slices.Equal(lines, tc.wantLines) {
				t.Errorf("errors on lines %v, want %v", lines, tc.wantLines)
			}
		})
	}
}

// helpColumn is a column line of PrintFormat: two spaces, then name, type,
// presence and meaning separated by two spaces or more.
var helpColumn = regexp.MustCompile(`^  (\S+) +(\S+(?: \S+)*)  +(\S+(?: \S+)?)  +(\S.*)$`)

// parseHelp reads PrintFormat's (or `seed --help`'s) kinds and columns:
// kind → lines "name|type|presence|meaning", and enum values as
// "name|one of …".
func parseHelp(t *testing.T, text string) map[domain.Kind][]string {
	t.Helper()
	out := map[domain.Kind][]string{}
	var kind domain.Kind
	var last string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " ") && !strings.Contains(line, " "):
			kind = domain.Kind(strings.TrimSuffix(line, ":"))
		case kind == "" || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "   "):
			out[kind] = append(out[kind], last+"|"+strings.TrimSpace(line))
		default:
			m := helpColumn.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("help line %q is not a column", line)
			}
			last = m[1]
			out[kind] = append(out[kind], strings.Join(m[1:], "|"))
		}
	}
	return out
}

// helpFromTable is what PrintFormat must show for the table: one line per
// column, one more per enum.
func helpFromTable() map[domain.Kind][]string {
	out := map[domain.Kind][]string{}
	for _, k := range Kinds {
		for _, c := range k.Columns {
			out[k.Kind] = append(out[k.Kind], strings.Join([]string{c.Name, c.TypeName(), c.Presence(), c.Doc}, "|"))
			if len(c.Values) > 0 {
				out[k.Kind] = append(out[k.Kind], c.Name+"|one of "+strings.Join(c.Values, ", "))
			}
		}
	}
	return out
}

func TestPrintFormatShowsTheTable(t *testing.T) {
	var b bytes.Buffer
	if err := PrintFormat(&b); err != nil {
		t.Fatal(err)
	}
	if got, want := parseHelp(t, b.String()), helpFromTable(); !reflect.DeepEqual(got, want) {
		t.Errorf("help shows\n%v\nthe table says\n%v", got, want)
	}
}

// docs/seed-format.md has a section per kind ("### `licences`") with a
// table whose rows start | `column` | type | presence | … | `example` |;
// it lists exactly the table's columns, in order, with their type,
// presence and example.
func TestSeedFormatDocMatchesTable(t *testing.T) {
	data, err := os.ReadFile("../../docs/seed-format.md")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile("^### `([a-z]+)`")
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\| ([^|]+) \\| ([^|]+) \\|.*\\| `([^`]+)` \\|$")
	got := map[domain.Kind][]string{}
	var kind domain.Kind
	for i, line := range strings.Split(string(data), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			kind = domain.Kind(m[1])
			if _, dup := got[kind]; dup {
				t.Errorf("line %d: a second section for %s", i+1, kind)
			}
			got[kind] = []string{}
			continue
		}
		if strings.HasPrefix(line, "## ") {
			kind = ""
		}
		if m := row.FindStringSubmatch(line); m != nil && kind != "" {
			got[kind] = append(got[kind], strings.Join([]string{m[1], strings.TrimSpace(m[2]), strings.TrimSpace(m[3]), m[4]}, "|"))
		}
	}
	want := map[domain.Kind][]string{}
	for _, k := range Kinds {
		want[k.Kind] = []string{}
		for _, c := range k.Columns {
			want[k.Kind] = append(want[k.Kind], strings.Join([]string{c.Name, c.TypeName(), c.Presence(), c.Example}, "|"))
		}
	}
	for _, k := range Kinds {
		if !slices.Equal(got[k.Kind], want[k.Kind]) {
			t.Errorf("docs/seed-format.md, %s:\n  %s\nthe table (name|type|presence|example):\n  %s",
				k.Kind, strings.Join(got[k.Kind], "\n  "), strings.Join(want[k.Kind], "\n  "))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("docs/seed-format.md has a section for %s, which is not a kind", k)
		}
	}
}
