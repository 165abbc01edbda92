package ui

import (
	"context"
	"io"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
)

// RunRequest says what to measure: a design and how to execute it.
type RunRequest struct {
	Spec arch.Spec // the normalised design
	// Preset names the preset the design is ("" where it was changed
	// since loaded, or none): the result and its history row carry it.
	Preset  string
	Backend string      // backend name (runner/registry)
	Mode    runner.Mode // eager or fused
	Threads int         // worker threads
	Kernels string      // native kernel set (runner/registry), "auto" by default
	// Profile asks for the per-step profile after the timed runs.
	Profile bool
	// Budget overrides the measurer's default measurement budget when not
	// zero (the guideline experiments use the command line's budget).
	Budget runner.MeasureOptions
	// NoHistory asks the measurer not to keep this result in its history:
	// a guideline run measures single rounds and records, once its table
	// is complete, one result per design and mode through [Recorder].
	NoHistory bool
}

// Measurement is the result of one measured design.
type Measurement struct {
	// Result holds the latency statistics and the fingerprint, as
	// `explorer run` reports them.
	Result runner.Result
	// Steps are the per-step median times of the profile (nil without one).
	Steps []runner.StepTime
	// Warning is a problem that did not spoil the measurement (e.g. the
	// result could not be saved); the status line shows it.
	Warning string
}

// Measurer runs a design for real. Implementations must honour ctx
// (returning an error that wraps context.Canceled when it is cancelled),
// call progress with a fraction in [0,1] from any goroutine, and never
// write to stdout or stderr.
type Measurer interface {
	Measure(ctx context.Context, req RunRequest, progress func(frac float64)) (Measurement, error)
}

// Recorder is implemented by a Measurer that keeps a history of results
// (the history file `explorer run` appends to). A guideline run measures
// its rounds with RunRequest.NoHistory and, once the whole table is
// measured, records one result per design and mode: the round whose median
// is the latency the table shows (guideline.Row.BestRound). The screen
// records only once it has taken the table: a cancelled or failed run,
// and one whose result it dropped (an esc or another run that landed
// after the last round), record nothing. Record is called off the UI
// goroutine.
type Recorder interface {
	Record(results []runner.Result) error
}

// Calibrator gives the roofline ceilings of this machine for the exported
// roofline chart. Implementations must never write to stdout or stderr.
type Calibrator interface {
	// Cached returns the cached ceiling for threads; ok is false when it
	// has to be measured first.
	Cached(threads int) (c calib.Ceiling, ok bool)
	// Calibrate measures the ceiling for threads (about a second per
	// thread count), caches it and returns it; it honours ctx, returning
	// an error that wraps context.Canceled when cancelled.
	Calibrate(ctx context.Context, threads int) (calib.Ceiling, error)
}

// Backend is a backend the backend knob offers.
type Backend struct {
	Name string
	// Unavailable says why it cannot run here ("" = it can).
	Unavailable string
}

// Deps are the UI's connections to the rest of the program. Every field is
// optional.
type Deps struct {
	// Measurer runs designs; nil disables the run keys (the help says so).
	Measurer Measurer
	// Backends are the backends of the backend knob, the default first,
	// each with why it cannot run here; empty means every backend of
	// runner/registry, none marked unavailable.
	Backends []Backend
	// MaxThreads bounds the threads knob; 0 means 1.
	MaxThreads int
	// Kernels is the kernel set the knob starts on ("" = auto).
	Kernels string
	// Host is the host fingerprint shown in the status line.
	Host string
	// History holds previously measured designs for the gap chart
	// ([chartdata.PointFromResult] of the history file's results: with the full
	// design key, which tells designs and the current one apart).
	History []chartdata.Point
	// HistoryNote, when set, is shown under the gap chart's filter (in at
	// most two lines): what of the history file History holds where it is
	// not all of it, and why (e.g. "history: the latest 500 of 1234 runs",
	// "history: 1 line skipped (line 4: ...)", "history: not read: ...").
	HistoryNote string
	// HostKey and HostName name this machine (calib.HostKey and
	// calib.HostName of its fingerprint): the gap chart shows this host's
	// points by default.
	HostKey, HostName string
	// DesignFiles are extra design files (TOML) offered by the presets picker.
	DesignFiles []string
	// SaveDir is where the save prompt proposes to write design files ("" = current directory).
	SaveDir string
	// Calibrator gives the roofline ceilings for the exported roofline
	// chart; nil leaves that chart out.
	Calibrator Calibrator
	// ExportDir is where the export prompt proposes a new folder ("" =
	// current directory).
	ExportDir string
	// Now is the clock of the export folder's default name; nil means
	// time.Now.
	Now func() time.Time
	// NoColor draws without colours (the NO_COLOR convention); bold,
	// faint and reverse video still mark headings and the cursor.
	NoColor bool
	// Log receives one line per notable event (runs, errors); nil discards them.
	Log io.Writer
}
