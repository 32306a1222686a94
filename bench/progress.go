package bench

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress is told how a run's phases advance. Run calls it from one
// goroutine: Start at the beginning of each phase, Set every 100 ms,
// Finish at its end.
type Progress interface {
	// Start begins a phase named label with total operations, or total
	// milliseconds when byTime.
	Start(label string, total int64, byTime bool)
	// Set reports the operations (or milliseconds) done so far.
	Set(done int64)
	// Finish ends the phase.
	Finish()
}

// NewTerminalProgress returns a progress bar drawn on f when f is a
// terminal, and nil otherwise (so that redirected output stays clean).
func NewTerminalProgress(f *os.File) Progress {
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &barProgress{w: f}
}

// barProgress draws with github.com/schollz/progressbar.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *barProgress) Start(label string, total int64, byTime bool) {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	}
	if !byTime {
		opts = append(opts, progressbar.OptionShowCount())
	}
	p.bar = progressbar.NewOptions64(total, opts...)
}

func (p *barProgress) Set(done int64) {
	if p.bar != nil {
		_ = p.bar.Set64(min(done, p.bar.GetMax64()))
	}
}

func (p *barProgress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
		p.bar = nil
	}
}
