package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/registry"
	"github.com/shufflelab/explorer/ui"
)

// uiBudget is the interactive explorer's measurement budget: shorter than
// `explorer run`'s defaults (10 warm-up runs, 30 runs, 1 s, 1 min cap) so a
// run answers in about a second on ShuffleNetV2 1.0x.
var uiBudget = runner.MeasureOptions{Warmup: 5, MinIters: 20, MinTime: 500 * time.Millisecond, MaxTime: 10 * time.Second}

// uiMemHint says, in a memory refusal of the interactive explorer, where
// its limit comes from and what to do: it has no --mem-limit flag (the
// limit is runner's default, runner.DefaultMemLimit).
const uiMemHint = "the explorer's default: make the batch, input or width smaller, or use explorer run --mem-limit"

// uiProfileRuns is the number of profiled runs whose per-step medians give
// the time shares per category and stage.
const uiProfileRuns = 3

// uiMeasurer measures designs for the interactive explorer with the same
// backends, weights and memory check as `explorer run`, and appends every
// complete result to the history file, except the rounds of a guideline
// run (RunRequest.NoHistory), whose best rounds the UI records once the
// table is complete (Record).
type uiMeasurer struct {
	deps    runDeps
	budget  runner.MeasureOptions
	history string // JSONL history file; "" keeps no history
	seed    int64
	// kernels is the native backend's kernel set (--kernels), then the set
	// last measured on it, which the roofline calibrates. Set it before
	// the measurer is shared; after that only kernelSet and setKernels
	// touch it, under kmu: Cached reads it from the export's goroutine
	// while a run may change it (mu is held for a whole run).
	kernels *kernels.Set
	kmu     sync.Mutex
	// mu serialises measurements (a new run waits until a cancelled one
	// has stopped, so two programs never compete for the cores) and guards
	// backends.
	mu sync.Mutex
	// backends caches each backend once created: a GPU backend opens its
	// device once, not once per run.
	backends map[string]runner.Backend
}

var (
	_ ui.Measurer   = (*uiMeasurer)(nil)
	_ ui.Recorder   = (*uiMeasurer)(nil)
	_ ui.Calibrator = (*uiMeasurer)(nil)
)

func newUIMeasurer(d runDeps, history string) *uiMeasurer {
	return &uiMeasurer{deps: d, budget: uiBudget, history: history, seed: 1, kernels: kernels.Best(), backends: map[string]runner.Backend{}}
}

// kernelSet is the kernel set a run without one measures with and the
// roofline calibrates.
func (u *uiMeasurer) kernelSet() *kernels.Set {
	u.kmu.Lock()
	defer u.kmu.Unlock()
	return u.kernels
}

func (u *uiMeasurer) setKernels(ks *kernels.Set) {
	u.kmu.Lock()
	defer u.kmu.Unlock()
	u.kernels = ks
}

// backend returns the named backend, created once; u.mu must be held.
func (u *uiMeasurer) backend(name string) (runner.Backend, error) {
	if be, ok := u.backends[name]; ok {
		return be, nil
	}
	be, err := u.deps.backend(name)
	if err != nil {
		return nil, err
	}
	u.backends[name] = be
	return be, nil
}

// available lists every backend of the registry, the default first, each
// with why it cannot run here ("" = it can). Nothing is logged: the
// explorer logs the reason when the user picks that backend.
func (u *uiMeasurer) available() []ui.Backend {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []ui.Backend
	for _, name := range registry.BackendNames() {
		be, err := u.backend(name)
		if err == nil {
			err = be.Available()
		}
		b := ui.Backend{Name: name}
		if err != nil {
			b.Unavailable = err.Error()
		}
		out = append(out, b)
	}
	return out
}

// Measure builds, compiles and measures req, then (when asked) profiles
// its steps. Progress covers the timed measurement (90% with a profile)
// and the profile.
func (u *uiMeasurer) Measure(ctx context.Context, req ui.RunRequest, progress func(float64)) (ui.Measurement, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return ui.Measurement{}, err
	}
	g, err := arch.Build(req.Spec)
	if err != nil {
		return ui.Measurement{}, err
	}
	if _, err := runner.ParseMode(string(req.Mode)); err != nil {
		return ui.Measurement{}, err
	}
	if err := registry.CheckThreads(req.Threads); err != nil {
		return ui.Measurement{}, err
	}
	ks := u.kernelSet()
	if req.Kernels != "" {
		if err := registry.CheckKernels(req.Kernels); err != nil {
			return ui.Measurement{}, err
		}
		if ks, err = kernels.Lookup(req.Kernels); err != nil {
			return ui.Measurement{}, err
		}
	}
	opts := runner.Options{Mode: req.Mode, Threads: req.Threads, Kernels: ks.Name()}
	be, err := u.backend(req.Backend)
	if err != nil {
		return ui.Measurement{}, err
	}
	if err := be.Available(); err != nil {
		return ui.Measurement{}, fmt.Errorf("backend %s is not available here: %w", be.Name(), err)
	}
	if err := u.deps.checkMemory(g, opts); err != nil {
		var me *runner.MemError
		if errors.As(err, &me) {
			me.Hint = uiMemHint // explorer ui has no --mem-limit
		}
		return ui.Measurement{}, err
	}
	w, err := u.deps.randomWeights(ctx, g, u.seed)
	if err != nil {
		return ui.Measurement{}, err
	}
	prog, err := be.Compile(g, w, opts)
	if err != nil {
		return ui.Measurement{}, fmt.Errorf("compile for %s: %w", be.Name(), err)
	}
	defer prog.Close()
	in := randomInput(int(g.Tensors[g.Input].Shape.Elems()), u.seed)
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())

	mo := u.budget
	if b := req.Budget; b.MinIters > 0 || b.MinTime > 0 || b.MaxTime > 0 || b.Warmup > 0 {
		mo = b
	}
	share := 1.0
	if req.Profile {
		share = 0.9
	}
	mo.Spec = req.Spec
	mo.Progress = func(p runner.Progress) { progress(share * p.Fraction) }
	res, err := runner.Measure(ctx, prog, in, out, mo)
	if err != nil {
		return ui.Measurement{}, err
	}
	res.Preset = req.Preset // as explorer run records it: only while the design is the preset's
	m := ui.Measurement{Result: res}
	if req.Profile {
		if m.Steps, err = runner.ProfileSteps(ctx, prog, in, out, uiProfileRuns); err != nil {
			return ui.Measurement{}, err
		}
		pr := runner.ProfileOf(g, req.Mode, m.Steps)
		m.Result.Profile = &pr
	}
	progress(1)
	if be.Name() == registry.DefaultBackend {
		u.setKernels(ks) // the roofline calibrates the set last measured
	}
	if u.history != "" && !req.NoHistory {
		if err := history.Append(u.history, m.Result); err != nil {
			m.Warning = fmt.Sprintf("result not saved to the history: %v", err)
		}
	}
	return m, nil
}

// Record appends results the UI measured with RunRequest.NoHistory (a
// complete guideline table: each design's best round) to the history,
// one row each.
func (u *uiMeasurer) Record(results []runner.Result) error {
	if u.history == "" {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, r := range results {
		if err := history.Append(u.history, r); err != nil {
			return err
		}
	}
	return nil
}

// calibPath is the calibration cache of this host and kernel set ks (""
// when there is no cache directory: calibrations are then kept for
// nothing).
func (u *uiMeasurer) calibPath(fp host.Fingerprint, ks *kernels.Set) string {
	path, err := calib.CachePath(calib.HostKey(fp), ks.Name())
	if err != nil {
		return ""
	}
	return path
}

// Cached returns the cached roofline ceiling of this machine for threads,
// as `explorer run` and `explorer sweep` cache it.
func (u *uiMeasurer) Cached(threads int) (calib.Ceiling, bool) {
	fp, ks := host.Detect(), u.kernelSet()
	path := u.calibPath(fp, ks)
	if path == "" {
		return calib.Ceiling{}, false
	}
	c, ok, err := calib.Load(path, calib.HostKey(fp), ks.Name())
	if err != nil || !ok || !c.Has(threads) {
		return calib.Ceiling{}, false
	}
	ce, err := c.At(threads)
	return ce, err == nil
}

// Calibrate measures the roofline ceiling for threads and caches it. It
// holds the measurement lock: a run waits for it and it waits for a run,
// so the two never compete for the cores.
func (u *uiMeasurer) Calibrate(ctx context.Context, threads int) (calib.Ceiling, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	fp, ks := host.Detect(), u.kernelSet()
	// The cache is explorer's own file: a damaged one is measured again.
	c, measured, err := calib.Ensure(ctx, u.calibPath(fp, ks), fp, ks.Name(), []int{threads}, calib.Options{Kernels: ks, ReplaceUnreadable: true})
	if err != nil && !measured { // measured but not saved is still usable
		return calib.Ceiling{}, fmt.Errorf("roofline calibration: %w", err)
	}
	return c.At(threads)
}

// maxHistoryPoints bounds the history the gap chart loads: the latest runs.
const maxHistoryPoints = 500

// historyPoints loads the measured designs of the history file for the gap
// chart (the latest maxHistoryPoints), as chartdata's points, and a note
// for the chart that says what of the file it does not show: older runs
// left out, lines skipped, runs it could not chart, or a file it could
// not read ("history: 1 line skipped (line 4: not a JSON result: ...)").
// Problems are logged whole, never fatal.
func historyPoints(path string, log io.Writer) (pts []chartdata.Point, note string) {
	if path == "" {
		return nil, ""
	}
	var notes []string
	rs, warns, err := history.Load(path)
	for _, w := range warns {
		fmt.Fprintln(log, "history:", w)
	}
	if len(warns) > 0 {
		notes = append(notes, skippedNote(warns))
	}
	if err != nil {
		fmt.Fprintln(log, "history:", err)
		return nil, uiHistoryNote(append(notes, "not read: "+strings.TrimPrefix(err.Error(), "history: ")))
	}
	if len(rs) > maxHistoryPoints {
		notes = append([]string{fmt.Sprintf("the latest %d of %d runs", maxHistoryPoints, len(rs))}, notes...)
		rs = rs[len(rs)-maxHistoryPoints:]
	}
	var bad []string
	for _, r := range rs {
		if !chartdata.Chartable(r) {
			continue
		}
		p, err := chartdata.PointFromResult(r)
		if err != nil {
			fmt.Fprintln(log, "history:", err)
			bad = append(bad, err.Error())
			continue
		}
		pts = append(pts, p)
	}
	if len(bad) > 0 {
		notes = append(notes, fmt.Sprintf("%s not charted (%s)", plural(len(bad), "run", "runs"), bad[0]))
	}
	return pts, uiHistoryNote(notes)
}

// uiHistoryNote joins the notes on the history ("" without any).
func uiHistoryNote(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return "history: " + strings.Join(notes, " · ")
}

// skippedNote says which lines of the history were skipped and why the
// first was: "1 line skipped (line 4: ...)", "3 lines skipped (lines 2, 5,
// 8; line 2: ...)" (at most 5 line numbers, then "...").
func skippedNote(warns []history.Warning) string {
	first := fmt.Sprintf("line %d: %s", warns[0].Line, warns[0].Reason)
	if len(warns) == 1 {
		return "1 line skipped (" + first + ")"
	}
	var nums []string
	for i, w := range warns {
		if i == 5 {
			nums = append(nums, "...")
			break
		}
		nums = append(nums, strconv.Itoa(w.Line))
	}
	return fmt.Sprintf("%d lines skipped (lines %s; %s)", len(warns), strings.Join(nums, ", "), first)
}

// plural is n with the word for one or many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// hostLine is the status line's host fingerprint f: CPU model, the SIMD
// features the kernels use, logical cores and the Go version.
func hostLine(f host.Fingerprint) string {
	return fmt.Sprintf("%s · %s · %d threads · %s", f.Name(), f.FeatureSummary(), f.LogicalCores, f.GoVersion)
}
