// Package synth generates deterministic synthetic worlds — sectors,
// materials, export controls, companies, supply links and licences — as
// CSV seed files in the format of docs/seed-format.md, for benchmarks and
// load tests of the loader, the exposure queries and the API.
//
// The world is shaped like the rare-earth supply chain: Chinese refiners and
// magnet makers (the exporters that hold licences) supply foreign and
// Chinese magnet makers and tier-2 suppliers, who supply tier-1 suppliers,
// who supply OEMs, with a few back-links and cycles. The same Options always
// give byte-identical files.
package synth

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MinCompanies is the least number of companies a world can have: enough for
// at least one company in every tier.
const MinCompanies = 30

// Defaults of Options.
const DefaultLinksPerCompany = 6.0

// DefaultAsOf is the default reference date (2026-06-01): the date relative
// to which links have ended or not started and licences have expired or are
// not yet valid.
var DefaultAsOf = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// Options says what world to generate.
type Options struct {
	// Companies is the number of companies (at least MinCompanies).
	Companies int
	// Seed selects the world; the same Options give the same files.
	Seed int64
	// LinksPerCompany is the average number of supply links per company
	// (0 means DefaultLinksPerCompany).
	LinksPerCompany float64
	// AsOf is the reference date (zero means DefaultAsOf); only its
	// calendar date (in its own location) is used.
	AsOf time.Time
}

// Summary says what Generate wrote.
type Summary struct {
	Companies, SupplyLinks, Licences, Sectors, Materials, Controls int
	// Files are the paths of the files written, in loading order.
	Files []string
}

// File names, in dependency (loading) order.
const (
	SectorsFile   = "sectors.csv"
	MaterialsFile = "materials.csv"
	ControlsFile  = "controls.csv"
	CompaniesFile = "companies.csv"
	SupplyFile    = "supply.csv"
	LicencesFile  = "licences.csv"
)

// maxLinksPerCompany bounds LinksPerCompany; denser worlds would mostly
// retry duplicate pairs.
const maxLinksPerCompany = 100

// Generate writes a synthetic world into outDir (created if missing;
// generated files already there are overwritten) and says what it wrote.
func Generate(ctx context.Context, o Options, outDir string) (Summary, error) {
	if o.Companies < MinCompanies {
		return Summary{}, fmt.Errorf("synth: at least %d companies are needed (got %d)", MinCompanies, o.Companies)
	}
	if o.LinksPerCompany == 0 {
		o.LinksPerCompany = DefaultLinksPerCompany
	}
	if math.IsNaN(o.LinksPerCompany) || o.LinksPerCompany < 0 || o.LinksPerCompany > maxLinksPerCompany {
		return Summary{}, fmt.Errorf("synth: links per company must be between 0 and %d (got %v)", maxLinksPerCompany, o.LinksPerCompany)
	}
	if o.AsOf.IsZero() {
		o.AsOf = DefaultAsOf
	}
	if outDir == "" {
		return Summary{}, errors.New("synth: no output directory")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("synth: %w", err)
	}
	g := &gen{
		ctx:  ctx,
		o:    o,
		dir:  outDir,
		asOf: dayOf(o.AsOf),

		matLists: map[uint32]string{},
		dates:    map[day]string{},
	}
	steps := []struct {
		file string
		fn   func(*csvFile) error
		cols []string
	}{
		{SectorsFile, g.writeSectors, sectorColumns},
		{MaterialsFile, g.writeMaterials, materialColumns},
		{ControlsFile, g.writeControls, controlColumns},
		{CompaniesFile, g.writeCompanies, companyColumns},
		{SupplyFile, g.writeSupply, supplyColumns},
		{LicencesFile, g.writeLicences, licenceColumns},
	}
	var sum Summary
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		path := filepath.Join(outDir, s.file)
		f, err := createCSV(path, s.cols)
		if err != nil {
			return sum, err
		}
		err = s.fn(f)
		if cerr := f.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return sum, fmt.Errorf("synth: writing %s: %w", path, err)
		}
		sum.Files = append(sum.Files, path)
	}
	sum.Sectors = len(sectors)
	sum.Materials = len(materials)
	sum.Controls = len(controls)
	sum.Companies = o.Companies
	sum.SupplyLinks = g.links
	sum.Licences = g.licences
	return sum, nil
}

// gen is the state of one generation run.
type gen struct {
	ctx  context.Context
	o    Options
	dir  string
	asOf day

	ids     []string // company ids, by index
	tier    []tier   // company tiers, by index
	cn      []bool   // registered in CN
	sect    []uint32 // sector masks
	byTier  [numTiers][]int32
	magnets []int32 // all magnet makers (CN and not), by id

	// foreign customers of each Chinese exporter (refiners and magnet
	// makers), recorded while writing supply links
	expPos  []int32 // company index -> index in expCust, or -1
	expCust [][]custLink

	links, licences int

	matLists map[uint32]string // cache of matList
	dates    map[day]string    // cache of date
}

type custLink struct {
	cust int32
	mats uint32
}

// rng returns the random source of one phase: phases draw from separate
// streams so that changing one leaves the others' output alone.
func (g *gen) rng(phase uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.o.Seed), phase*0x9e3779b97f4a7c15+1))
}

func (g *gen) writeSectors(f *csvFile) error {
	for _, s := range sectors {
		if err := f.write(s.id, s.name, s.parent); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) writeMaterials(f *csvFile) error {
	for _, m := range materials {
		if err := f.write(m.id, m.name, m.kind); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) writeControls(f *csvFile) error {
	for _, c := range controls {
		if err := f.write(c.id, c.title, c.authority, c.announced, c.effective, c.suspFrom, c.suspTil, c.lifted, g.matList(c.mats), c.sources); err != nil {
			return err
		}
	}
	return nil
}

// matList returns the ";"-separated ids of a material mask, in table order.
func (g *gen) matList(m uint32) string {
	if s, ok := g.matLists[m]; ok {
		return s
	}
	var b strings.Builder
	for i := range materials {
		if m&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(materials[i].id)
		}
	}
	s := b.String()
	g.matLists[m] = s
	return s
}

func sectorList(m uint32) string {
	var b strings.Builder
	for i := range sectors {
		if m&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(';')
			}
			b.WriteString(sectors[i].id)
		}
	}
	return b.String()
}

// csvFile is one output file: CSV through a buffered writer.
type csvFile struct {
	f   *os.File
	bw  *bufio.Writer
	w   *csv.Writer
	rec []string
}

func createCSV(path string, header []string) (*csvFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	c := &csvFile{f: f, bw: bw, w: csv.NewWriter(bw)}
	if err := c.w.Write(header); err != nil {
		f.Close()
		return nil, fmt.Errorf("synth: %w", err)
	}
	return c, nil
}

func (c *csvFile) write(fields ...string) error {
	return c.w.Write(fields)
}

func (c *csvFile) close() error {
	c.w.Flush()
	err := c.w.Error()
	if ferr := c.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// day is a calendar date as days since 1970-01-01.
type day int32

func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func mkDay(y int, m time.Month, d int) day {
	return dayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// noDay marks an absent date.
const noDay day = math.MinInt32

// date formats d as YYYY-MM-DD ("" for noDay).
func (g *gen) date(d day) string {
	if d == noDay {
		return ""
	}
	if s, ok := g.dates[d]; ok {
		return s
	}
	s := time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
	g.dates[d] = s
	return s
}

// between returns a uniform day in [lo, hi] (lo if hi < lo).
func between(r *rand.Rand, lo, hi day) day {
	if hi <= lo {
		return lo
	}
	return lo + day(r.IntN(int(hi-lo)+1))
}

// pickSkewed picks from ids with a power-law-ish preference for the first
// ones: alpha 1 is uniform, larger alphas concentrate on the head.
func pickSkewed(r *rand.Rand, ids []int32, alpha float64) int32 {
	n := len(ids)
	u := r.Float64()
	if alpha != 1 {
		u = math.Pow(u, alpha)
	}
	i := int(u * float64(n))
	if i >= n {
		i = n - 1
	}
	return ids[i]
}

func itoa(i int) string { return strconv.Itoa(i) }
