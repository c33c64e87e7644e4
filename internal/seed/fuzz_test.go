package seed

import (
	"bytes"
	"strings"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Fuzz targets for the seed-file parsers (docs/security.md): whatever the
// bytes, parsing and decoding end without a panic, every error points at
// a line of the file, and every record that decodes without error is
// valid. `make test` runs each for a few seconds, `make fuzz` longer;
// crashers land in testdata/fuzz/<target>/ and stay as regression cases.

func fuzzSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		for _, k := range domain.Kinds {
			f.Add(string(k), s)
		}
	}
}

// checkParsed decodes every record emitted and checks the invariants.
func checkParsed(t *testing.T, kind domain.Kind, data string, parse func(emit func(rawRecord) bool) []parseError) {
	// A bare CR is a line break too (YAML, and editors, count it).
	lines := strings.Count(strings.ReplaceAll(data, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(data, "\r\n", ""), "\r") + 1
	var records []rawRecord
	for _, e := range parse(func(r rawRecord) bool { records = append(records, r); return true }) {
		if e.line < 0 || e.line > lines || e.msg == "" {
			t.Fatalf("parse error %+v outside the file's %d lines", e, lines)
		}
	}
	for _, raw := range records {
		rec, errs := decode(kind, raw)
		for _, e := range errs {
			if e.line < 0 || e.line > lines || e.msg == "" {
				t.Fatalf("decode error %+v outside the file's %d lines", e, lines)
			}
		}
		if len(errs) > 0 {
			continue
		}
		if es := validate(rec.value); len(es) > 0 {
			t.Fatalf("record accepted by decode but invalid: %v", es)
		}
		if rec.key == "" {
			t.Fatalf("record without a key: %+v", rec)
		}
	}
}

func kindOf(k string) domain.Kind {
	for _, kind := range domain.Kinds {
		if string(kind) == k {
			return kind
		}
	}
	return domain.KindCompany
}

func FuzzParseCSV(f *testing.F) {
	fuzzSeeds(f,
		"id,name,country\nde-a,A,DE\n",
		"id,name,aliases,country,roles,sectors,lei,website\nx,\"X, Inc\",a;b,us,OEM;OTHER,automotive,,https://x.example\n",
		"supplier,customer,materials,since,until,confidence,sources\ncn-a,de-b,Dy;Tb,2025-01-01,,0.5,https://s.example\n",
		"id,type,status,holder,clients,valid_from,valid_until\nL1,GENERAL,ACTIVE,cn-a,de-b;fr-c,2025-12-01,2026-11-30\n",
		"id,name\n\"unterminated,x\n",
		"id,name\na,b,c\n\n\xff\xfe,\x00\n",
		"id,name,parent\nautomotive,Automotive,\nparts,Parts,automotive\n",
	)
	f.Fuzz(func(t *testing.T, kind, data string) {
		checkParsed(t, kindOf(kind), data, func(emit func(rawRecord) bool) []parseError {
			return parseCSV(bytes.NewReader([]byte(data)), kindOf(kind), emit)
		})
	})
}

func FuzzParseYAML(f *testing.F) {
	fuzzSeeds(f,
		"- id: de-a\n  name: A\n  country: DE\n",
		"- id: x\n  name: \"X: Inc\"\n  aliases: [a, b]\n  roles:\n    - OEM\n  country: us\n",
		"- supplier: cn-a\n  customer: de-b\n  materials: [Dy, Tb]\n  since: 2025-01-01\n  confidence: 0.5\n",
		"- id: L1\n  clients: de-b\n  valid_from: 2025-12-01\n  valid_until: 2026-11-30\n",
		"- &a {id: x, name: y}\n- *a\n- <<: *a\n",
		"[1, 2, {a: [b, {c: d}]}]\n",
		"- id: x\n  name: !!binary AAAA\n",
		"{}\n",
		"- id: \"\\u0000\"\n  name: '\t'\n",
	)
	f.Fuzz(func(t *testing.T, kind, data string) {
		checkParsed(t, kindOf(kind), data, func(emit func(rawRecord) bool) []parseError {
			return parseYAML([]byte(data), emit)
		})
	})
}
