// Package export writes the whole graph out: as seed files that
// `licencegraph seed` loads into an empty database to the same graph (a
// logical backup, docs/seed-format.md "Backups"), and as FollowTheMoney
// entities (docs/ftm.md). It reads the graph in pages of keys through
// its Source and writes each page before reading the next, so its memory
// does not grow with the graph.
package export

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/licencegraph/licencegraph/internal/domain"
	"github.com/licencegraph/licencegraph/internal/seed"
)

// Source is what an export reads (internal/neo4jstore implements it).
type Source interface {
	// ExportPage returns the records of kind after the key after, in key
	// order, and the key to continue after ("" at the end).
	ExportPage(ctx context.Context, kind domain.Kind, after string, limit int) ([]any, string, error)
	// GraphVersion names the graph's state; every write changes it.
	GraphVersion(ctx context.Context) (domain.GraphVersion, error)
	// UncitedSources counts the Source nodes no record cites.
	UncitedSources(ctx context.Context) (int, error)
}

// PageSize is how many records one read returns.
const PageSize = 2000

// DefaultMaxRows is the default largest number of records per CSV file:
// the loader writes each file in one transaction and holds it until the
// commit, so a backup of a large graph is split into files it loads
// comfortably.
const DefaultMaxRows = 20_000

// SeedOptions configure a seed-file export.
type SeedOptions struct {
	// MaxRows is the most records per CSV file (0: DefaultMaxRows; a kind
	// with more is split into <kind>-001.<kind>.csv, …).
	MaxRows int
}

// KindCount is what an export wrote of one kind.
type KindCount struct {
	Kind    domain.Kind
	Records int
	Files   []string
}

// SeedSummary is what a seed-file export wrote.
type SeedSummary struct {
	Kinds   []KindCount
	Version domain.GraphVersion
	// UncitedSources are Source nodes that no record cites: the export
	// cannot carry them (they hold nothing but their ref).
	UncitedSources int
}

// ErrGraphChanged: a write was committed while the export read the
// graph, so its pages may mix two states; export again.
var ErrGraphChanged = errors.New("the graph changed while it was exported (a write was committed): export again")

// Seed writes the whole graph into dir (created if missing; it must hold
// no seed files of an earlier export, which a restore would load too) as
// seed files, one kind after the other in load order. The export is
// consistent when no write is committed while it runs: it compares the
// graph's version before and after, and fails with ErrGraphChanged
// otherwise.
func Seed(ctx context.Context, src Source, dir string, o SeedOptions) (SeedSummary, error) {
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if err := emptyDir(dir); err != nil {
		return SeedSummary{}, err
	}
	var sum SeedSummary
	var err error
	sum.Version, err = atOneVersion(ctx, src, func() error {
		for _, k := range seed.Kinds {
			kc, err := seedKind(ctx, src, dir, k.Kind, o.MaxRows)
			if err != nil {
				return err
			}
			sum.Kinds = append(sum.Kinds, kc)
		}
		var err error
		if sum.UncitedSources, err = src.UncitedSources(ctx); err != nil {
			return fmt.Errorf("export: counting uncited sources: %w", err)
		}
		return nil
	})
	return sum, err
}

// atOneVersion runs read between two readings of the graph's version and
// fails with ErrGraphChanged when they differ: the pages an export reads
// are of one state only when no write was committed meanwhile. It
// returns the version read first.
func atOneVersion(ctx context.Context, src Source, read func() error) (domain.GraphVersion, error) {
	before, err := src.GraphVersion(ctx)
	if err != nil {
		return before, fmt.Errorf("export: reading the graph's version: %w", err)
	}
	if err := read(); err != nil {
		return before, err
	}
	after, err := src.GraphVersion(ctx)
	if err != nil {
		return before, fmt.Errorf("export: reading the graph's version: %w", err)
	}
	if after != before {
		return before, ErrGraphChanged
	}
	return before, nil
}

// seedKind writes the records of one kind.
func seedKind(ctx context.Context, src Source, dir string, kind domain.Kind, maxRows int) (KindCount, error) {
	var w *kindWriter
	after := ""
	for {
		page, next, err := src.ExportPage(ctx, kind, after, PageSize)
		if err != nil {
			if w != nil {
				w.abort()
			}
			return KindCount{}, fmt.Errorf("export: reading %s: %w", kind, err)
		}
		if w == nil {
			w = newKindWriter(dir, kind, maxRows)
		}
		for _, r := range page {
			_, vals := values(r)
			if err := representable(string(kind)+" "+exportKey(r), vals); err != nil {
				w.abort()
				return KindCount{}, fmt.Errorf("export: %w", err)
			}
			if err := w.write(vals); err != nil {
				w.abort()
				return KindCount{}, err
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	if err := w.close(); err != nil {
		return KindCount{}, err
	}
	return KindCount{Kind: kind, Records: w.records, Files: w.files}, nil
}

// exportKey is a record's key, for errors.
func exportKey(r any) string {
	switch v := r.(type) {
	case domain.SupplyLink:
		return v.Supplier + "->" + v.Customer
	}
	_, vals := values(r)
	if id := vals["id"]; len(id) > 0 {
		return id[0]
	}
	return "?"
}

// emptyDir creates dir, or checks that it holds nothing: files left from
// an earlier export would be restored with this one.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("export: %s is not empty: a restore loads every seed file of the directory, so export into a new or empty one", dir)
	}
	return nil
}
