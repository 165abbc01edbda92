package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/filelock"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/registry"
	"github.com/shufflelab/explorer/runner/sweep"
	"github.com/shufflelab/explorer/runner/weights"
)

// measureFlags are the measurement flags shared by `sweep` and
// `guidelines`.
type measureFlags struct {
	backend, mode, kernels, calib string
	threads, warmup, minIters     int
	minTime, maxTime              time.Duration
	seed                          int64
	recalibrate                   bool
	cudaGraph                     bool
	memLimit                      string // --mem-limit as typed; "" = the default
	memLimitBytes                 int64  // parsed by check; 0 = runner's default
}

// addMeasureFlags registers the flags with per-command defaults for the
// measurement time; the roofline flags (--calib, --recalibrate) only for
// commands that compute a roofline estimate.
func addMeasureFlags(fs *flag.FlagSet, minTime, maxTime time.Duration, warmup, minIters int, roofline bool) *measureFlags {
	m := &measureFlags{}
	backendHelp := registry.BackendHelp()
	if roofline {
		backendHelp += "; the roofline estimate needs a CPU backend"
	}
	fs.StringVar(&m.backend, "backend", registry.DefaultBackend, backendHelp)
	fs.StringVar(&m.mode, "mode", string(registry.DefaultMode), registry.List(registry.ModeNames()))
	fs.IntVar(&m.threads, "threads", 1, "worker threads, "+intRange("threads"))
	fs.StringVar(&m.kernels, "kernels", registry.DefaultKernels, kernelsFlagUsage)
	fs.IntVar(&m.warmup, "warmup", warmup, "untimed runs per design, "+intRange("warmup"))
	fs.IntVar(&m.minIters, "min-iters", minIters, "least timed runs per design, "+intRange("min-iters"))
	fs.DurationVar(&m.minTime, "min-time", minTime, "least timed time per design")
	fs.DurationVar(&m.maxTime, "max-time", maxTime, "cap on the timed time per design (0 = none)")
	fs.Int64Var(&m.seed, "seed", 1, "seed of the random weights and input")
	fs.BoolVar(&m.cudaGraph, "cuda-graph", false, "cudnn: capture each design's forward pass once into a CUDA graph and replay it")
	fs.StringVar(&m.memLimit, "mem-limit", "", memLimitUsage)
	if roofline {
		fs.StringVar(&m.calib, "calib", "", "roofline calibration cache file of this host and kernel set (one of another host, kernel set or version is measured again and replaced; any other file is refused), or off (default "+defaultCalibText()+")")
		fs.BoolVar(&m.recalibrate, "recalibrate", false, "measure the roofline ceilings again even if cached")
	}
	return m
}

// The bounds of --warmup and --min-iters of run, sweep and guidelines.
const (
	maxWarmup   = 1000000
	maxMinIters = 10000000
)

// checkBudget validates the measurement budget flags of run, sweep and
// guidelines (usage errors naming the flag, the value and the range).
func checkBudget(warmup, minIters int, minTime, maxTime time.Duration) error {
	switch {
	case checkIntFlag("warmup", warmup) != nil:
		return checkIntFlag("warmup", warmup)
	case checkIntFlag("min-iters", minIters) != nil:
		return checkIntFlag("min-iters", minIters)
	case minTime < 0:
		return usagef("invalid --min-time %v (valid: >= 0)", minTime)
	case maxTime < 0:
		return usagef("invalid --max-time %v (valid: >= 0, 0 = no cap)", maxTime)
	}
	return nil
}

// check validates the flags (usage errors).
func (m *measureFlags) check() (runner.Mode, error) {
	switch {
	case !slices.Contains(registry.BackendNames(), m.backend):
		return "", usagef("invalid --backend %q (valid: %s)", m.backend, registry.List(registry.BackendNames()))
	case checkIntFlag("threads", m.threads) != nil:
		return "", checkIntFlag("threads", m.threads)
	}
	if err := checkBudget(m.warmup, m.minIters, m.minTime, m.maxTime); err != nil {
		return "", err
	}
	mode, err := parseModeFlag(m.mode)
	if err != nil {
		return "", err
	}
	if err := checkCUDAFlags(m.backend, map[string]bool{"cuda-graph": m.cudaGraph}); err != nil {
		return "", err
	}
	if _, err := lookupKernelsFlag(m.kernels); err != nil {
		return "", err
	}
	if m.memLimitBytes, err = parseMemLimit(m.memLimit); err != nil {
		return "", err
	}
	return mode, nil
}

// isOff reports whether a file flag's value is the word off, in any case
// (--history OFF wrote a history file named OFF); ./off names a file.
func isOff(v string) bool { return strings.EqualFold(v, "off") }

// memLimitRefusal is err as a usage error (exit 2) when a design was
// refused for --mem-limit (a [*runner.MemError]): the user fixes it by a
// flag, in every command (run, guidelines); nil for any other error.
func memLimitRefusal(err error) error {
	var me *runner.MemError
	if errors.As(err, &me) {
		return usageError{err}
	}
	return nil
}

// memLimitUsage is the help text of --mem-limit (run, sweep, guidelines).
const memLimitUsage = "refuse designs whose estimated memory exceeds this, e.g. 8GiB (default: " + runner.DefaultMemLimit + ")"

// parseMemLimit reads --mem-limit: "" (the flag left out; parseArgs
// refuses --mem-limit=) is 0, runner's default of 75% of physical memory;
// anything else must be a positive size.
func parseMemLimit(text string) (int64, error) {
	if text == "" {
		return 0, nil
	}
	const valid = "valid: a positive size such as 8GiB or 512MiB"
	limit, err := runner.ParseBytes(text)
	if err != nil {
		// The parser's reason (an unknown unit, too large), without its
		// own `invalid size "1PiB"` that the flag's name replaces.
		why := strings.TrimPrefix(err.Error(), fmt.Sprintf("invalid size %q", text))
		why = strings.TrimSpace(strings.TrimPrefix(why, ":"))
		switch {
		case strings.HasPrefix(why, "("):
			// No reason beyond what the size should look like.
			return 0, usagef("invalid --mem-limit %q (%s)", text, valid)
		case strings.Contains(why, "(want"):
			// It says what it wants: the units it knows.
			return 0, usagef("invalid --mem-limit %q: %s", text, why)
		}
		return 0, usagef("invalid --mem-limit %q: %s (%s)", text, why, valid)
	}
	if limit <= 0 {
		return 0, usagef("invalid --mem-limit %q (%s)", text, valid)
	}
	return limit, nil
}

// defaultHistoryText names the default history file in help texts: the
// path this OS and environment give (history.DefaultPath).
func defaultHistoryText() string {
	if p, err := history.DefaultPath(); err == nil {
		return p
	}
	return "history.jsonl in the per-user state directory"
}

// defaultCalibText names the default calibration cache in help texts.
func defaultCalibText() string {
	if p, err := calib.CachePath("HOST", "KERNELS"); err == nil {
		return p
	}
	return "calib-HOST-KERNELS.json in the per-user cache directory"
}

// kernelsFlagUsage is the help text of --kernels.
var kernelsFlagUsage = "native kernel set: " + registry.List(registry.KernelSets()) +
	" (auto: the best this CPU supports; the JSON fingerprint names the set used)"

// lookupKernelsFlag resolves --kernels; a usage error names the value, the
// valid values and why a known set cannot run here (e.g. "neon needs
// arm64"). An empty value is refused as parseArgs refuses --kernels=,
// though kernels.Lookup takes "" for auto: a caller that did not parse
// the flag with parseArgs (measureFlags built in code) must not run auto.
func lookupKernelsFlag(v string) (*kernels.Set, error) {
	if strings.TrimSpace(v) == "" {
		return nil, emptyFlagError("kernels", v, kernelsFlagUsage)
	}
	var ke *arch.KnobError
	if err := registry.CheckKernels(v); errors.As(err, &ke) {
		return nil, usagef("invalid --kernels %q (valid: %s): %s", v, ke.Valid, ke.Why)
	}
	return kernels.Lookup(v)
}

// backendMeasurer measures designs on a runner backend with seeded random
// weights and input. It implements sweep.Measurer.
type backendMeasurer struct {
	be          runner.Backend
	opts        runner.Options
	mo          runner.MeasureOptions
	seed        int64
	profileRuns int
}

func newBackendMeasurer(m *measureFlags, mode runner.Mode) (*backendMeasurer, error) {
	be, err := defaultRunDeps().backend(m.backend)
	if err != nil {
		return nil, err
	}
	if err := be.Available(); err != nil {
		return nil, fmt.Errorf("backend %s is not available here: %w", be.Name(), err)
	}
	return &backendMeasurer{be: be, opts: runner.Options{Mode: mode, Threads: m.threads, Kernels: m.kernels, CUDAGraph: m.cudaGraph, MemLimit: m.memLimitBytes},
		mo:   runner.MeasureOptions{Warmup: m.warmup, MinIters: m.minIters, MinTime: m.minTime, MaxTime: m.maxTime},
		seed: m.seed, profileRuns: 5}, nil
}

// Measure compiles g and measures it (and profiles it when asked); it
// returns ctx's error (wrapped) as soon as ctx ends, while the weights are
// drawn or the design compiled too.
func (bm *backendMeasurer) Measure(ctx context.Context, g *arch.Graph, d sweep.Design, profile bool, progress func(float64)) (runner.Result, error) {
	if err := runner.CheckMemory(g, bm.opts); err != nil {
		return runner.Result{}, err
	}
	w, err := weights.RandomContext(ctx, g, bm.seed)
	if err != nil {
		return runner.Result{}, fmt.Errorf("weights: %w", err)
	}
	prog, err := compileContext(ctx, bm.be, g, w, bm.opts)
	if err != nil {
		return runner.Result{}, fmt.Errorf("compile: %w", err)
	}
	defer prog.Close()
	in := randomInput(int(g.Tensors[g.Input].Shape.Elems()), bm.seed)
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	mo := bm.mo
	mo.Spec = d.Spec
	if progress != nil {
		mo.Progress = func(p runner.Progress) { progress(p.Fraction) }
	}
	res, err := runner.Measure(ctx, prog, in, out, mo)
	res.Preset = d.Preset
	if err != nil {
		return res, err
	}
	if profile {
		steps, err := runner.ProfileSteps(ctx, prog, in, out, bm.profileRuns)
		if err != nil {
			return res, err
		}
		pr := runner.ProfileOf(g, bm.opts.Mode, steps)
		res.Profile = &pr
	}
	return res, nil
}

// medianMS measures a spec and returns its median latency (for the
// guideline tables).
func (bm *backendMeasurer) medianMS(ctx context.Context, s arch.Spec) (float64, error) {
	g, err := arch.Build(s)
	if err != nil {
		return 0, err
	}
	res, err := bm.Measure(ctx, g, sweep.Design{Name: s.String(), Spec: s}, false, nil)
	if err != nil {
		return 0, err
	}
	return res.LatencyMS.Median, nil
}

// calibration loads or measures the roofline ceilings for threads; with
// --calib off it returns the zero calibration. Notes go to stderr.
func (m *measureFlags) calibration(ctx context.Context, fp host.Fingerprint, stderr io.Writer) (calib.Calibration, error) {
	if isOff(m.calib) {
		return calib.Calibration{}, nil
	}
	if b, err := registry.LookupBackend(m.backend); err != nil || !b.CPU {
		fmt.Fprintf(stderr, "explorer: note: no roofline estimate for backend %s (the calibration measures this CPU)\n", m.backend)
		return calib.Calibration{}, nil
	}
	// The peak is that of the kernel set the designs will run.
	ks, err := lookupKernelsFlag(m.kernels)
	if err != nil {
		return calib.Calibration{}, err
	}
	path := m.calib
	if path == "" {
		if path, err = calib.CachePath(calib.HostKey(fp), ks.Name()); err != nil {
			fmt.Fprintf(stderr, "explorer: warning: calibration not cached: %v\n", err)
		}
	}
	o := calib.Options{Kernels: ks}
	if m.recalibrate {
		o.Remeasure = []int{m.threads}
	}
	if m.calib == "" {
		// explorer's own cache file: a damaged one is measured again and
		// replaced, a file the user named (--calib FILE) never is.
		o.ReplaceUnreadable = true
		o.OnReplace = func(reason error) {
			fmt.Fprintf(stderr, "explorer: warning: calibration cache %s was unreadable (%v); measuring again\n", path, reason)
		}
	}
	t0 := time.Now()
	c, measured, err := calib.Ensure(ctx, path, fp, ks.Name(), []int{m.threads}, o)
	if errors.Is(err, calib.ErrNotCalibration) {
		return calib.Calibration{}, usagef("invalid --calib %s: %v (valid: a calibration file, a new path, or off; the file was left untouched)", quotePath(path), err)
	}
	if err != nil && !measured && m.calib == "" && ctx.Err() == nil && !errors.Is(err, calib.ErrStale) && !errors.Is(err, filelock.ErrHeld) {
		// explorer's own cache cannot be read or locked where it is (its
		// folder is a file, the path a directory): a convenience lost, not
		// a reason to stop. Measure without it, as with an unwritable one.
		fmt.Fprintf(stderr, "explorer: warning: calibration cache %s unusable (%v); measuring without it\n", path, err)
		path = ""
		c, measured, err = calib.Ensure(ctx, path, fp, ks.Name(), []int{m.threads}, calib.Options{Kernels: ks})
	}
	cached := path != ""
	if err != nil && !errors.Is(err, calib.ErrStale) {
		if measured { // measured but not saved: still usable
			fmt.Fprintf(stderr, "explorer: warning: calibration not cached: %v\n", err)
			err, cached = nil, false
		} else {
			return calib.Calibration{}, fmt.Errorf("roofline calibration: %w", err)
		}
	}
	ce, _ := c.At(m.threads)
	how := "cached in " + path
	switch {
	case measured && cached:
		how = fmt.Sprintf("measured in %.1fs, cached in %s", time.Since(t0).Seconds(), path)
	case measured:
		how = fmt.Sprintf("measured in %.1fs, not cached", time.Since(t0).Seconds())
	}
	fmt.Fprintf(stderr, "roofline ceilings (%d thread(s), kernels %s): peak %.1f GFLOP/s, L2 %.1f GB/s, DRAM %.1f GB/s (%s)\n",
		m.threads, c.Kernels, ce.PeakGFLOPS, ce.L2GBps, ce.DRAMGBps, how)
	return c, nil
}

// noteOversubscribed tells a user who asked the native backend for more
// worker threads than the process has logical cores that the timings will
// include the threads' contention for the cores (the measurement still
// runs: such a run may be what the user wants to see).
func noteOversubscribed(w io.Writer, backend string, threads int) {
	if n := runtime.NumCPU(); backend != cudnnBackend && threads > n {
		fmt.Fprintf(w, "note: --threads %d on %d logical cores: the threads take turns on the cores, and the timings include that\n", threads, n)
	}
}
