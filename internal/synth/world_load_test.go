package synth

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Reading a generated world back for the checks of world_check_test.go.

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readCSV reads a generated file, checks its header against the seed
// table and returns its rows as maps.
func readCSV(t *testing.T, dir, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll() // also checks equal field counts
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", name)
	}
	if got, want := strings.Join(recs[0], ","), header(name); got != want {
		t.Fatalf("%s header = %q, want %q", name, got, want)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[recs[0][i]] = v
		}
		rows = append(rows, m)
	}
	return rows
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

func loadWorld(t *testing.T, dir string) *world {
	t.Helper()
	w := &world{
		sectors:   map[string]string{},
		materials: map[string]string{},
		controls:  map[string][]string{},
		companies: map[string]company{},
		sizes:     map[string]int64{},
	}
	for _, name := range fileNames {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w.sizes[name] = fi.Size()
	}
	for _, r := range readCSV(t, dir, "sectors.csv") {
		if _, dup := w.sectors[r["id"]]; dup {
			t.Errorf("sector %s defined twice", r["id"])
		}
		w.sectors[r["id"]] = r["parent"]
	}
	for _, r := range readCSV(t, dir, "materials.csv") {
		w.materials[r["id"]] = r["kind"]
	}
	for _, r := range readCSV(t, dir, "controls.csv") {
		w.controls[r["id"]] = list(r["materials"])
		if e := r["effective_from"]; e != "" && e < r["announced_on"] {
			t.Errorf("control %s: effective before announced", r["id"])
		}
		if r["suspended_until"] != "" && !(r["suspended_from"] != "" && r["suspended_from"] < r["suspended_until"]) {
			t.Errorf("control %s: bad suspension window", r["id"])
		}
		for _, k := range []string{"announced_on", "effective_from", "suspended_from", "suspended_until", "lifted_on"} {
			checkDate(t, "control "+r["id"]+" "+k, r[k])
		}
	}
	for _, r := range readCSV(t, dir, "companies.csv") {
		id := r["id"]
		if _, dup := w.companies[id]; dup {
			t.Errorf("company %s defined twice", id)
		}
		if r["name"] == "" || r["country"] == "" {
			t.Errorf("company %s: name or country missing", id)
		}
		if lei := r["lei"]; lei != "" && !validLEI(lei) {
			t.Errorf("company %s: LEI %q has wrong check digits", id, lei)
		}
		w.companies[id] = company{country: r["country"], roles: list(r["roles"]), sectors: list(r["sectors"])}
		w.order = append(w.order, id)
	}
	for _, r := range readCSV(t, dir, "supply.csv") {
		l := link{s: r["supplier"], c: r["customer"], mats: list(r["materials"]), since: r["since"], until: r["until"]}
		checkDate(t, "link since", l.since)
		checkDate(t, "link until", l.until)
		if l.since != "" && l.until != "" && l.until <= l.since {
			t.Errorf("link %s→%s: until %s not after since %s", l.s, l.c, l.until, l.since)
		}
		if r["confidence"] == "" {
			w.noConfidence++
		} else if c, err := strconv.ParseFloat(r["confidence"], 64); err != nil || c < 0.3 || c > 1 || len(r["confidence"]) != 4 {
			t.Errorf("link %s→%s: confidence %q", l.s, l.c, r["confidence"])
		}
		for _, s := range list(r["sources"]) {
			if !strings.HasPrefix(s, "https://") {
				t.Errorf("link %s→%s: source %q", l.s, l.c, s)
			}
		}
		w.links = append(w.links, l)
	}
	for _, r := range readCSV(t, dir, "licences.csv") {
		l := licence{
			id: r["id"], typ: r["type"], status: r["status"], holder: r["holder"],
			clients: list(r["clients"]), mats: list(r["materials"]), excluded: list(r["excluded_sectors"]),
			ctrls: list(r["controls"]), issued: r["issued_on"], from: r["valid_from"],
			until: r["valid_until"], revoked: r["revoked_on"], reference: r["reference"],
		}
		for _, d := range []string{l.issued, l.from, l.until, l.revoked} {
			checkDate(t, "licence "+l.id, d)
		}
		w.licences = append(w.licences, l)
	}
	return w
}
