package seed

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows a bar for one file's write, in bytes of the file written,
// but only once the write has taken over a second: short loads stay quiet.
type progress struct {
	w     io.Writer
	label string
	total int64
	start time.Time
	bar   *progressbar.ProgressBar
}

const progressDelay = time.Second

func newProgress(w io.Writer, label string, total int64) *progress {
	return &progress{w: w, label: label, total: total, start: time.Now()}
}

func (p *progress) set(done int64) {
	if p == nil || p.w == nil {
		return
	}
	if p.bar == nil {
		if time.Since(p.start) < progressDelay {
			return
		}
		p.bar = progressbar.NewOptions64(p.total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.label),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionFullWidth(),
		)
	}
	_ = p.bar.Set64(done)
}

func (p *progress) finish(ok bool) {
	if p == nil || p.bar == nil {
		return
	}
	if ok {
		_ = p.bar.Finish()
	}
	_, _ = io.WriteString(p.w, "\n")
}
