package seed

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Print writes the errors of failed files and a per-kind table of what the
// load created, updated and left unchanged.
func (s Summary) Print(w io.Writer) {
	for _, f := range s.Files {
		for _, e := range f.Errors {
			fmt.Fprintln(w, "error:", e.Error())
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	verb := "loaded"
	if s.DryRun {
		verb = "validated (dry run, nothing written)"
	}
	fmt.Fprintf(w, "seed: %d files %s in %s\n", len(s.Files)-s.Failed(), verb, s.Elapsed.Round(time.Millisecond))
	for _, f := range s.Files {
		if len(f.Errors) > 0 || f.Records == 0 {
			continue
		}
		rate := float64(f.Records) / max(f.Duration.Seconds(), 1e-9)
		fmt.Fprintf(w, "  %s: %d records in %s (%.0f records/s)", f.File.Path, f.Records, f.Duration.Round(time.Millisecond), rate)
		if f.Counts.FirstLoad {
			// The faster path keeps every check: only the lookup of existing
			// links is skipped, as there are none.
			fmt.Fprint(w, ", first load: the graph had no supply links, so each was created without looking for one to replace")
		}
		fmt.Fprintln(w)
	}
	if !s.DryRun {
		fmt.Fprintln(tw, "kind\tcreated\tupdated\tunchanged\t")
		for _, k := range domain.Kinds {
			c, ok := s.ByKind[k]
			if !ok {
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", k, c.Created, c.Updated, c.Unchanged)
		}
		tw.Flush()
	}
	if n := s.Failed(); n > 0 {
		fmt.Fprintf(w, "seed: %d files FAILED (nothing of them was written):", n)
		for _, f := range s.Files {
			if len(f.Errors) > 0 {
				fmt.Fprintf(w, " %s", f.File.Path)
			}
		}
		fmt.Fprintln(w)
	}
}
