package ui

import (
	"context"
	"io"
	"time"

	"github.com/shufflelab/explorer/arch"
)

// RunRequest says what to measure: a design and how to execute it.
type RunRequest struct {
	Spec    arch.Spec // the normalised design
	Backend string    // backend name, e.g. "native"
	Mode    string    // "eager" or "fused"
	Threads int       // worker threads (>= 1)
}

// StepTime is the measured time of one executed step, joined to graph op IDs.
type StepTime struct {
	Name  string   // the step's name: its anchor op ID, or a kernel name for extra work
	Ops   []string // graph op IDs the step covers (empty for extra work)
	Nanos int64
}

// Measurement is the result of one measured design.
type Measurement struct {
	Median, Min, P10, P90, IQR time.Duration // latency per batch
	Iters                      int           // timed iterations
	Steps                      []StepTime    // optional per-step profile (for time shares)
	Kernels                    string        // kernel variant used, if known
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

// Point is one measured design on the gap chart.
type Point struct {
	Label     string        // short design label
	Family    arch.Family   // decides the marker
	Design    string        // arch.Spec.String() of the design (matches the current design)
	MultAdds  int64         // analytic MAdds (as written)
	MemAccess int64         // analytic MAC in elements (as written)
	Latency   time.Duration // measured median latency per batch
	Run       string        // backend/mode/threads, e.g. "native/fused/1t"
	History   bool          // loaded from the history file rather than measured now
}

// Deps are the UI's connections to the rest of the program. Every field is
// optional.
type Deps struct {
	// Measurer runs designs; nil disables the run keys (the help says so).
	Measurer Measurer
	// Backends are the selectable backend names, the first being the
	// default; empty means {"native"}.
	Backends []string
	// MaxThreads bounds the threads knob; 0 means 1.
	MaxThreads int
	// Host is the host fingerprint shown in the status line.
	Host string
	// History holds previously measured designs for the gap chart.
	History []Point
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
	// Log receives one line per notable event (runs, errors); nil discards them.
	Log io.Writer
}
