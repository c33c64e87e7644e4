package seed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// File is a seed file to load.
type File struct {
	Path string
	Kind domain.Kind
	// csv or yaml
	Format string
}

// KindOf tells a file's kind and format from its name: the last dotted
// part before the extension, so `2025-12-grants.licences.csv` is a CSV
// licences file.
func KindOf(path string) (domain.Kind, string, error) {
	base := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(base))
	var format string
	switch ext {
	case ".csv":
		format = "csv"
	case ".yaml", ".yml":
		format = "yaml"
	default:
		return "", "", fmt.Errorf("%s: not a seed file (want .yaml, .yml or .csv)", path)
	}
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if i := strings.LastIndexByte(stem, '.'); i >= 0 {
		stem = stem[i+1:]
	}
	kind := domain.Kind(strings.ToLower(stem))
	if !slices.Contains(domain.Kinds, kind) {
		names := make([]string, len(domain.Kinds))
		for i, k := range domain.Kinds {
			names[i] = string(k)
		}
		return "", "", fmt.Errorf("%s: cannot tell the kind from the name: it must be <kind>%s or <prefix>.<kind>%s, kind one of %s",
			path, ext, ext, strings.Join(names, ", "))
	}
	return kind, format, nil
}

// Discover expands paths (files or directories, searched recursively) into
// seed files in dependency order: by kind (sectors, materials, controls,
// companies, supply, licences), then by path. In directories, files that
// are not .yaml/.yml/.csv are ignored; a named file must be a seed file.
func Discover(paths []string) ([]File, error) {
	var files []File
	var errs []error
	seen := map[string]bool{}
	add := func(path string) {
		clean := filepath.Clean(path)
		if seen[clean] {
			return
		}
		seen[clean] = true
		kind, format, err := KindOf(clean)
		if err != nil {
			errs = append(errs, err)
			return
		}
		files = append(files, File{Path: clean, Kind: kind, Format: format})
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			switch strings.ToLower(filepath.Ext(name)) {
			case ".csv", ".yaml", ".yml":
				if !strings.HasPrefix(name, ".") {
					add(path)
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no seed files (.yaml, .yml, .csv) in %s", strings.Join(paths, ", "))
	}
	order := func(k domain.Kind) int { return slices.Index(domain.Kinds, k) }
	slices.SortStableFunc(files, func(a, b File) int {
		if d := order(a.Kind) - order(b.Kind); d != 0 {
			return d
		}
		return strings.Compare(a.Path, b.Path)
	})
	return files, nil
}
