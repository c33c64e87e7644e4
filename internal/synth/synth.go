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
	// MaxRows splits a kind with more records than this into several
	// files of at most MaxRows records each, named <kind>-001.<kind>.csv,
	// <kind>-002.<kind>.csv, … (the seed loader tells the kind from the
	// last dotted part of the name, and loads each file in one
	// transaction). 0: one file per kind, however large. A kind with at
	// most MaxRows records keeps its plain name (supply.csv).
	MaxRows int
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
	if o.MaxRows < 0 {
		return Summary{}, fmt.Errorf("synth: max rows must not be negative (got %d)", o.MaxRows)
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
		// Files of this kind left by an earlier run with another MaxRows
		// would be loaded next to the new ones: remove them first.
		if err := removeGenerated(outDir, s.file); err != nil {
			return sum, err
		}
		f, err := createCSV(outDir, s.file, s.cols, o.MaxRows)
		if err != nil {
			return sum, err
		}
		err = s.fn(f)
		paths, cerr := f.close()
		if err == nil {
			err = cerr
		}
		if err != nil {
			return sum, fmt.Errorf("synth: writing %s: %w", filepath.Join(outDir, s.file), err)
		}
		sum.Files = append(sum.Files, paths...)
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
		if err := f.write(c.id, c.title, c.authority, c.announced, c.effective, c.suspFrom, c.suspTil, c.lifted, g.matList(c.mats), c.sources, ""); err != nil {
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

// csvFile is the output of one kind: CSV through a buffered writer, in
// one file, or in parts of at most maxRows records once it has more.
type csvFile struct {
	dir, name string // directory and plain file name (supply.csv)
	header    []string
	maxRows   int // 0: no limit

	f     *os.File
	bw    *bufio.Writer
	w     *csv.Writer
	rows  int      // records in the current file
	part  int      // number of the current part (1 until split)
	paths []string // files written, the current one last
}

func createCSV(dir, name string, header []string, maxRows int) (*csvFile, error) {
	c := &csvFile{dir: dir, name: name, header: header, maxRows: maxRows, part: 1}
	if err := c.open(filepath.Join(dir, name)); err != nil {
		return nil, err
	}
	return c, nil
}

// partName is the name of part n (from 1) of a kind's file:
// supply.csv → supply-001.supply.csv.
func partName(name string, n int) string {
	kind := strings.TrimSuffix(name, ".csv")
	return fmt.Sprintf("%s-%03d.%s.csv", kind, n, kind)
}

func (c *csvFile) open(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	c.f, c.bw, c.rows = f, bufio.NewWriterSize(f, 256<<10), 0
	c.w = csv.NewWriter(c.bw)
	c.paths = append(c.paths, path)
	if err := c.w.Write(c.header); err != nil {
		f.Close()
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// maxParts bounds the parts of one kind's file (their names have three
// digits).
const maxParts = 999

func (c *csvFile) write(fields ...string) error {
	if c.maxRows > 0 && c.rows == c.maxRows {
		if err := c.next(); err != nil {
			return err
		}
	}
	c.rows++
	return c.w.Write(fields)
}

// next closes the current file and opens the next part; the first time,
// the plain file becomes part 1.
func (c *csvFile) next() error {
	if err := c.closeCurrent(); err != nil {
		return err
	}
	if c.part == maxParts {
		return fmt.Errorf("more than %d files of at most %d records: raise the maximum", maxParts, c.maxRows)
	}
	if c.part == 1 {
		first := filepath.Join(c.dir, partName(c.name, 1))
		if err := os.Rename(c.paths[0], first); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		c.paths[0] = first
	}
	c.part++
	return c.open(filepath.Join(c.dir, partName(c.name, c.part)))
}

func (c *csvFile) closeCurrent() error {
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

// close closes the last file and returns the paths of every file written.
func (c *csvFile) close() ([]string, error) {
	return c.paths, c.closeCurrent()
}

// removeGenerated removes the files Generate may have written for one
// kind's file name in dir: the plain file and its numbered parts.
func removeGenerated(dir, name string) error {
	kind := strings.TrimSuffix(name, ".csv")
	parts, err := filepath.Glob(filepath.Join(dir, kind+"-[0-9][0-9][0-9]."+kind+".csv"))
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	for _, p := range append(parts, filepath.Join(dir, name)) {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return nil
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
