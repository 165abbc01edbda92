package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/registry"
	"github.com/shufflelab/explorer/runner/weights"
)

var runSynopsis = "run [--preset NAME|FILE] [knob flags] [--backend " + registry.List(registry.BackendNames()) +
	"] [--mode " + registry.List(registry.ModeNames()) + "] [--threads N]\n" +
	"                    [--kernels SET] [--cuda-graph] [--tf32] [--warmup N] [--min-iters N] [--min-time D] [--max-time D]\n" +
	"                    [--profile [--profile-runs N] [--top N]] [--format table|json]\n" +
	"                    [--weights FILE] [--input FILE] [--save-io FILE [--force]] [--seed N] [--mem-limit SIZE] [--history FILE|off]"

// runCmd is `explorer run`: build the design, run it on this machine,
// measure its latency and (with --profile) where the time goes. Ctrl-C or
// SIGTERM cancels the measurement and prints the partial statistics (exit
// 130); see [signalContext].
func runCmd(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signalContext(stderr)
	defer stop()
	return runWith(ctx, args, stdout, stderr, defaultRunDeps())
}

// runConfig is the checked command line of `explorer run`.
type runConfig struct {
	spec        arch.Spec
	preset      string
	backend     string
	opts        runner.Options
	measure     runner.MeasureOptions
	profile     bool
	profileRuns int
	top         int
	format      string
	weights     string
	input       string
	saveIO      string
	force       bool // --save-io may replace a symbolic link
	seed        int64
	history     string // "" = default path, "off" = none
}

// parseRunFlags reads and checks the flags; every error is a usage error.
func parseRunFlags(args []string, stderr io.Writer) (*runConfig, error) {
	fs := newFlagSet("run", runSynopsis)
	fs.SetOutput(stderr)
	sf := addSpecFlags(fs)
	backend := fs.String("backend", registry.DefaultBackend, registry.BackendHelp())
	mode := fs.String("mode", string(registry.DefaultMode), "eager (every op its own kernel) | fused (BN folded, ReLU fused, split/concat/shuffle zero-copy)")
	threads := fs.Int("threads", 1, "worker threads, "+intRange("threads"))
	kernels := fs.String("kernels", registry.DefaultKernels, kernelsFlagUsage)
	cudaGraph := fs.Bool("cuda-graph", false, "cudnn: capture the forward pass once into a CUDA graph and replay it")
	tf32 := fs.Bool("tf32", false, "cudnn: allow TF32 tensor-core math (default: fp32 FMA math)")
	warmup := fs.Int("warmup", 10, "untimed runs before timing, "+intRange("warmup"))
	minIters := fs.Int("min-iters", 30, "least number of timed runs, "+intRange("min-iters"))
	minTime := fs.Duration("min-time", time.Second, "least total time of the timed runs")
	maxTime := fs.Duration("max-time", time.Minute, "cap on the timed phase (0 = none)")
	profile := fs.Bool("profile", false, "also time every step and show time share beside MAdds and MAC share per category")
	profileRuns := fs.Int("profile-runs", 10, "with --profile: profiled runs (per-step median), "+intRange("profile-runs"))
	top := fs.Int("top", 10, "with --profile: ops in the top-time table, "+intRange("top")+" (0 = no table)")
	format := fs.String("format", "table", "table|json")
	wpath := fs.String("weights", "", "safetensors file with a torchvision state_dict (default: seeded random weights)")
	input := fs.String("input", "", `safetensors file whose tensor "input" (NCHW float32) is the input batch (default: seeded random)`)
	saveIO := fs.String("save-io", "", `write the weights (torchvision names), "input" and "output" to this safetensors file (atomically; a symbolic link there is refused)`)
	force := fs.Bool("force", false, "let --save-io replace a symbolic link at its path (the link, not its target)")
	seed := fs.Int64("seed", 1, "seed of the random weights and input")
	memLimit := fs.String("mem-limit", "", memLimitUsage)
	hist := fs.String("history", "", "append the result to this JSONL file, or off (default "+defaultHistoryText()+
		"); when saving fails the result is still printed: exit status 1 for a file named here, only a warning for the default")
	if err := parseArgs(fs, args); err != nil {
		return nil, err
	}
	c := &runConfig{backend: *backend, profile: *profile, profileRuns: *profileRuns, top: *top, format: *format,
		weights: *wpath, input: *input, saveIO: *saveIO, force: *force, seed: *seed, history: *hist}
	switch {
	case !slices.Contains(registry.BackendNames(), *backend):
		return nil, usagef("invalid --backend %q (valid: %s)", *backend, registry.List(registry.BackendNames()))
	case checkIntFlag("threads", *threads) != nil:
		return nil, checkIntFlag("threads", *threads)
	case checkBudget(*warmup, *minIters, *minTime, *maxTime) != nil:
		return nil, checkBudget(*warmup, *minIters, *minTime, *maxTime)
	case checkIntFlag("profile-runs", *profileRuns) != nil:
		return nil, checkIntFlag("profile-runs", *profileRuns)
	case checkIntFlag("top", *top) != nil:
		return nil, checkIntFlag("top", *top)
	case *format != "table" && *format != "json":
		return nil, usagef("invalid --format %q (valid: table|json)", *format)
	}
	if err := checkCUDAFlags(*backend, map[string]bool{"cuda-graph": *cudaGraph, "tf32": *tf32}); err != nil {
		return nil, err
	}
	if err := checkNeeds(fs, map[string]bool{"top": *profile, "profile-runs": *profile, "force": *saveIO != ""},
		map[string]string{"top": "--profile", "profile-runs": "--profile", "force": "--save-io"}); err != nil {
		return nil, err
	}
	m, err := parseModeFlag(*mode)
	if err != nil {
		return nil, err
	}
	if _, err := lookupKernelsFlag(*kernels); err != nil {
		return nil, err
	}
	limit, err := parseMemLimit(*memLimit)
	if err != nil {
		return nil, err
	}
	c.opts = runner.Options{Mode: m, Threads: *threads, Kernels: *kernels, MemLimit: limit, CUDAGraph: *cudaGraph, TF32: *tf32}
	c.measure = runner.MeasureOptions{Warmup: *warmup, MinIters: *minIters, MinTime: *minTime, MaxTime: *maxTime}
	if c.spec, c.preset, err = sf.spec(fs); err != nil {
		return nil, err
	}
	c.measure.Spec = c.spec
	return c, nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// checkNeeds refuses a flag given on the command line that has no effect
// without another: ok maps such a flag's name to whether the flag it needs
// is there, needs to that flag as the user types it ("--profile"). The
// usage error names both ("invalid --top 5: --top needs --profile",
// "invalid --force: --force needs --save-io")
// instead of silently ignoring the flag. A boolean flag set to false is
// no request and passes.
func checkNeeds(fs *flag.FlagSet, ok map[string]bool, needs map[string]string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		present, known := ok[f.Name]
		if err != nil || !known || present {
			return
		}
		given := " " + f.Value.String()
		if g, ok := f.Value.(flag.Getter); ok {
			if v, isBool := g.Get().(bool); isBool {
				if !v {
					return
				}
				given = ""
			}
		}
		err = usagef("invalid --%s%s: --%s needs %s", f.Name, given, f.Name, needs[f.Name])
	})
	return err
}

// cudnnBackend is the backend that --cuda-graph and --tf32 apply to.
const cudnnBackend = "cudnn"

// checkCUDAFlags refuses a cudnn-only flag that is on (set maps its name
// to its value) with another backend: a usage error naming the flag,
// instead of silently ignoring it.
func checkCUDAFlags(backend string, set map[string]bool) error {
	if backend == cudnnBackend {
		return nil
	}
	for _, name := range []string{"cuda-graph", "tf32"} {
		if set[name] {
			return usagef("invalid --%s with --backend %s (it needs --backend %s)", name, backend, cudnnBackend)
		}
	}
	return nil
}

// parseModeFlag checks --mode; the error quotes the value (an empty one
// too) and names the valid modes.
func parseModeFlag(v string) (runner.Mode, error) {
	m, err := runner.ParseMode(v)
	if err != nil {
		return "", usagef("invalid --mode %q (valid: %s)", v, registry.List(registry.ModeNames()))
	}
	return m, nil
}

// runWith is runCmd with its context and dependencies given.
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, d runDeps) error {
	c, err := parseRunFlags(args, stderr)
	if err != nil {
		return ignoreHelp(err)
	}
	noteOversubscribed(stderr, c.backend, c.opts.Threads)
	g, err := arch.Build(c.spec)
	if err != nil {
		return usageError{err}
	}
	be, err := d.backend(c.backend)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if err := be.Available(); err != nil {
		return fmt.Errorf("run: %w", err) // e.g. "cudnn backend unavailable: <what, where it looked>"
	}
	// Refuse an oversized design before anything is allocated.
	if err := d.checkMemory(g, c.opts); err != nil {
		return usageError{err}
	}
	w, err := loadWeights(ctx, c, g, d)
	if err != nil {
		if ctx.Err() != nil {
			return cancelledExit()
		}
		return err
	}
	in, err := loadInput(c, g, d)
	if err != nil {
		return err
	}
	if c.weights != "" {
		for _, a := range w.Anomalies() {
			fmt.Fprintf(stderr, "explorer: warning: --weights %s: %s\n", c.weights, a)
		}
	}
	if c.input != "" {
		if a := weights.ValueAnomaly("input", in, false); a != "" {
			fmt.Fprintf(stderr, "explorer: warning: --input %s: %s\n", c.input, a)
		}
	}
	prog, err := compileContext(ctx, be, g, w, c.opts)
	if err != nil {
		if ctx.Err() != nil {
			return cancelledExit()
		}
		if ue := memLimitRefusal(err); ue != nil {
			return ue
		}
		return fmt.Errorf("run: compile %s for %s: %w", c.spec, be.Name(), err)
	}
	defer prog.Close()
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())

	if c.saveIO != "" {
		if err := prog.Run(ctx, in, out); err != nil {
			return cancelledOr(ctx, err, "run: compute the output for --save-io")
		}
		// Say where the file went, and that an existing one was replaced
		// (on stderr: stdout may be the JSON result).
		_, statErr := os.Lstat(c.saveIO)
		if err := saveIO(c, g, w, in, out, be.Name(), d); err != nil {
			return err
		}
		replaced := ""
		if statErr == nil {
			replaced = "; replaced the file that was there"
		}
		fmt.Fprintf(stderr, "wrote %s (%d weight tensors, \"input\" and \"output\"%s)\n", c.saveIO, len(w), replaced)
	}

	mo := c.measure
	line := newProgressLine(stderr)
	if c.format == "table" {
		mo.Progress = func(p runner.Progress) {
			if p.Phase == runner.PhaseDone {
				line.clear()
				return
			}
			line.show(p.Fraction, fmt.Sprintf("%s  %d runs  %.1fs", p.Phase, p.Warmup+p.Done, p.Elapsed.Seconds()), false)
		}
	}
	res, err := runner.Measure(ctx, prog, in, out, mo)
	line.clear()
	res.Preset = c.preset
	if err != nil && !res.Cancelled {
		return fmt.Errorf("run: %w", err)
	}
	if res.Cancelled {
		if werr := printResult(stdout, c, res, nil); werr != nil {
			return werr
		}
		return exitError{code: 130, err: errors.New("cancelled")}
	}

	if c.profile {
		steps, err := runner.ProfileSteps(ctx, prog, in, out, c.profileRuns)
		if err != nil {
			if runner.IsCancelled(err) {
				res.Cancelled = true
				if werr := printResult(stdout, c, res, nil); werr != nil {
					return werr
				}
				return exitError{code: 130, err: errors.New("cancelled")}
			}
			return fmt.Errorf("run: %w", err)
		}
		pr := runner.ProfileOf(g, c.opts.Mode, steps)
		res.Profile = &pr
	}

	histNote, histErr := saveHistory(c.history, res, stderr)
	if err := printResult(stdout, c, res, res.Profile); err != nil {
		return err
	}
	if c.format == "table" && histNote != "" {
		fmt.Fprintf(stdout, "\nresult appended to %s\n", histNote)
	}
	return histErr
}

// saveHistory appends res to the history named by --history (hist: "" the
// default path, "off" none) and returns the path it was saved to. Saving
// to the default path is a convenience: a failure there is a warning on
// stderr. A file the user named must take the result: a failure there is
// returned (exit status 1, after the result is printed).
func saveHistory(hist string, res runner.Result, stderr io.Writer) (string, error) {
	if isOff(hist) {
		return "", nil
	}
	path := hist
	if path == "" {
		var err error
		if path, err = history.DefaultPath(); err != nil {
			fmt.Fprintf(stderr, "explorer: warning: result not saved: %v\n", err)
			return "", nil
		}
	}
	warn := func(s string) { fmt.Fprintf(stderr, "explorer: warning: %s\n", s) }
	if err := history.AppendWarn(path, res, warn); err != nil {
		if hist != "" {
			return "", fmt.Errorf("run: result not saved to --history %s: %w", hist, err)
		}
		fmt.Fprintf(stderr, "explorer: warning: result not saved: %v\n", err)
		return "", nil
	}
	return path, nil
}

// cancelledOr turns a cancellation into the exit-130 error and wraps
// anything else.
func cancelledOr(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		return exitError{code: 130, err: errors.New("cancelled")}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && ansiConsole(f)
}

// loadWeights reads --weights (tensors "input" and "output" are ignored, so
// a --save-io file works) and checks it against the graph, or makes the
// seeded random set (stopping when ctx ends, with its error).
func loadWeights(ctx context.Context, c *runConfig, g *arch.Graph, d runDeps) (weights.Set, error) {
	if c.weights == "" {
		return d.randomWeights(ctx, g, c.seed)
	}
	ts, _, err := d.readTensors(c.weights, weights.MaxFileBytes(g))
	if err != nil {
		return nil, usagef("--weights: %v", err)
	}
	// A --save-io file holds "input" and "output" beside the weights.
	w := weights.Set(ts).Without("input", "output")
	if err := d.checkWeights(w, g); err != nil {
		return nil, usagef("--weights %s does not fit %s: %v", c.weights, c.spec, err)
	}
	return w, nil
}

// loadInput reads the "input" tensor of --input (it must have the graph's
// input shape), or makes a seeded random batch.
func loadInput(c *runConfig, g *arch.Graph, d runDeps) ([]float32, error) {
	s := g.Tensors[g.Input].Shape
	want := []int{s.N, s.C, s.H, s.W}
	if c.input == "" {
		return randomInput(int(s.Elems()), c.seed), nil
	}
	ts, _, err := d.readTensors(c.input, weights.MaxFileBytes(g))
	if err != nil {
		return nil, usagef("--input: %v", err)
	}
	t, ok := ts["input"]
	if !ok {
		return nil, usagef("--input %s has no tensor \"input\" (want float32 %v, NCHW)", c.input, want)
	}
	if !slices.Equal(t.Shape, want) || len(t.Data) != int(s.Elems()) {
		return nil, usagef("--input %s: tensor \"input\" has shape %v, the design needs %v (NCHW)", c.input, t.Shape, want)
	}
	return t.Data, nil
}

// randomInput is a seeded standard-normal batch (the stream differs from
// the weights' so input and weights are independent).
func randomInput(n int, seed int64) []float32 {
	r := rand.New(rand.NewPCG(uint64(seed), 0x1f0a_c0de_5eed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// saveIO writes weights, input and output for checking against PyTorch.
func saveIO(c *runConfig, g *arch.Graph, w weights.Set, in, out []float32, backend string, d runDeps) error {
	ts := make(map[string]weights.Tensor, len(w)+2)
	for k, v := range w {
		ts[k] = v
	}
	is := g.Tensors[g.Input].Shape
	ts["input"] = weights.Tensor{Shape: []int{is.N, is.C, is.H, is.W}, Data: in}
	osh := g.Tensors[g.Output].Shape
	oshape := []int{osh.N, osh.C, osh.H, osh.W}
	if last := g.Ops[len(g.Ops)-1]; last.Kind == arch.OpFC && osh.H == 1 && osh.W == 1 {
		oshape = []int{osh.N, osh.C} // logits, as torchvision returns them
	}
	ts["output"] = weights.Tensor{Shape: oshape, Data: out}
	spec, err := json.Marshal(c.spec)
	if err != nil {
		return fmt.Errorf("--save-io: encode spec: %w", err)
	}
	meta := map[string]string{"explorer_spec": string(spec), "mode": string(c.opts.Mode), "backend": backend,
		"seed": strconv.FormatInt(c.seed, 10), "format": "pt", "generator": "explorer run --save-io"}
	if ts, ok := torchSpec(g); ok {
		b, err := json.Marshal(ts)
		if err != nil {
			return fmt.Errorf("--save-io: encode torch spec: %w", err)
		}
		meta["spec"] = string(b)
	}
	if c.preset != "" {
		meta["preset"] = c.preset
	}
	if err := d.writeTensors(c.saveIO, ts, meta, c.force); err != nil {
		return fmt.Errorf("--save-io: %w", forceHint(err))
	}
	return nil
}

// torchSpec describes g as the PyTorch model that scripts/check_torch.py
// builds from a file's "spec" metadata (torchvision ShuffleNetV2 or
// MobileNet v2 constructor arguments, as scripts/fixtures writes them), or
// reports false for designs torchvision cannot express (other families,
// the megvii layout, split ratio != 0.5, grouped 1x1 convs).
func torchSpec(g *arch.Graph) (map[string]any, bool) {
	s := g.Spec.Normalize()
	in := g.Tensors[g.Input].Shape
	classes := g.Tensors[g.Output].Shape.C
	base := map[string]any{"input": []int{in.N, in.C, in.H, in.W}, "num_classes": classes, "layout": "torchvision"}
	switch {
	case s.Family == arch.MobileNetV2:
		base["family"] = "mobilenet_v2"
		base["width_mult"] = s.Width
		return base, true
	case s.Family != arch.ShuffleNetV2 || s.Layout != arch.LayoutTorchvision || s.Split != 0.5 || s.Groups != 1:
		return nil, false
	}
	// Channels from the graph: stem conv, the last op of each stage, conv5.
	last := map[string]int{}
	for i := range g.Ops {
		last[g.Ops[i].Stage] = g.Out(&g.Ops[i], 0).C
	}
	stem, conv5 := g.OpByID("conv1.0"), g.OpByID("conv5.0")
	if stem == nil || conv5 == nil || len(s.Depths) != 3 {
		return nil, false
	}
	chans := []int{g.Out(stem, 0).C, last["stage2"], last["stage3"], last["stage4"], g.Out(conv5, 0).C}
	base["family"] = "shufflenet_v2"
	base["stages_repeats"] = slices.Clone(s.Depths)
	base["stages_out_channels"] = chans
	return base, true
}

// printResult writes the result as JSON or as tables.
func printResult(w io.Writer, c *runConfig, res runner.Result, prof *runner.Profile) error {
	if c.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return writeRunTable(w, c.top, res, prof)
}

// writeRunTable prints latency statistics, the host and, with a profile,
// the per-category shares and the top ops.
func writeRunTable(w io.Writer, top int, res runner.Result, prof *runner.Profile) error {
	title := res.Spec.String()
	if res.Preset != "" {
		title = res.Preset + ": " + title
	}
	fp := res.Fingerprint
	// The design's name says a batch other than 1 ("batch=4"); batch 1
	// is said here, once.
	batch := ""
	if max(res.Spec.Batch, 1) == 1 {
		batch = "  batch 1"
	}
	fmt.Fprintf(w, "%s%s  [%s, %s, %d thread(s), kernels %s]\n", title, batch, res.Backend, res.Mode, fp.Threads, fp.Kernels)
	if res.Cancelled {
		fmt.Fprintf(w, "cancelled: partial statistics over %d timed runs (after %d warm-up runs)\n", res.Iters, res.Warmup)
	}
	l := res.LatencyMS
	if res.Iters > 0 {
		clock := ""
		if res.Timer == runner.TimerDevice {
			clock = ", GPU time from device events"
		}
		fmt.Fprintf(w, "latency (ms%s): median %s  min %s  p10 %s  p90 %s  max %s  IQR %s  mean %s ± %s   (%d runs after %d warm-up)\n",
			clock, ms3(l.Median), ms3(l.Min), ms3(l.P10), ms3(l.P90), ms3(l.Max), ms3(l.IQR), ms3(l.Mean), ms3(l.Stddev), res.Iters, res.Warmup)
		if wl := res.WallMS; wl != nil {
			fmt.Fprintf(w, "wall (ms, host clock: launch, input/output copies, sync): median %s  p10 %s  p90 %s\n",
				ms3(wl.Median), ms3(wl.P10), ms3(wl.P90))
		}
		fmt.Fprintf(w, "throughput: %.1f images/s at the median\n", res.ThroughputIPS)
	}
	if res.TimeCapped {
		fmt.Fprintln(w, "note: stopped by --max-time before --min-iters/--min-time were reached")
	}
	host := fp.Name() + " (" + fp.FeatureSummary() + ")"
	fmt.Fprintf(w, "host: %s, %d logical cores, L2 %s, L3 %s; %s %s/%s GOMAXPROCS %d\n", host, fp.LogicalCores,
		cacheSize(fp.L2Bytes), cacheSize(fp.L3Bytes), fp.GoVersion, fp.GOOS, fp.GOARCH, fp.GOMAXPROCS)
	if fp.Device != "" {
		fmt.Fprintf(w, "device: %s\n", fp.Device)
	}
	if prof == nil {
		return nil
	}
	fmt.Fprintf(w, "\nwhere the time goes (%s plan, per-step medians, total %s ms; MAdds and MAC from the %s cost view):\n",
		res.Mode, ms3(float64(prof.TotalNanos)/1e6), prof.View)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "category\ttime (ms)\ttime %%\tMAdds %%\tMAC %%\tGFLOP/s\t\n")
	for _, g := range prof.Categories {
		if g.Nanos == 0 && g.MultAdds == 0 && g.MemAccess == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.1f\t%s\t\n", g.Name, ms3(float64(g.Nanos)/1e6), 100*g.TimeShare,
			100*g.MultAddsShare, 100*g.MemAccessShare, gflopsText(g.GFLOPS))
	}
	fmt.Fprintf(tw, "total\t%s\t100.0\t100.0\t100.0\t%s\t\n", ms3(float64(prof.TotalNanos)/1e6), gflopsText(prof.GFLOPS))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "stage\ttime (ms)\ttime %%\tMAdds %%\tMAC %%\t\n")
	for _, g := range prof.Stages {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.1f\t\n", g.Name, ms3(float64(g.Nanos)/1e6), 100*g.TimeShare, 100*g.MultAddsShare, 100*g.MemAccessShare)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if top > 0 {
		fmt.Fprintf(w, "\ntop %d ops by time:\n", top)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		rows := prof.Top(top)
		// A kernel column where the backend names what ran each step
		// (cudnn: the implementation Compile chose).
		kernelCol := slices.ContainsFunc(rows, func(r runner.ProfileRow) bool { return r.Kernel != "" })
		hdr := "id\tkind\tcategory\ttime (ms)\ttime %\tMAdds\tMAC (elements)\tGFLOP/s\tGB/s\tcovers\t"
		if kernelCol {
			hdr += "kernel\t"
		}
		fmt.Fprintln(tw, hdr)
		for _, r := range rows {
			covers := ""
			if len(r.Covers) > 1 {
				covers = strings.Join(r.Covers[1:], " ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%.1f\t%s\t", r.ID, r.Kind, r.Category, ms3(float64(r.Nanos)/1e6),
				100*r.TimeShare, costfmt.Count(r.MultAdds), costfmt.Count(r.MemAccess), gflopsText(r.GFLOPS), r.GBPerS, covers)
			if kernelCol {
				fmt.Fprintf(tw, "%s\t", r.Kernel)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(prof.Extra) > 0 {
		fmt.Fprintf(w, "\nextra steps, no graph op (counted as data movement, in the stage they run in): %d, %s ms\n", len(prof.Extra), ms3(float64(prof.ExtraNanos())/1e6))
		const show = 6
		for _, e := range prof.TopExtra(show) {
			fmt.Fprintf(w, "  %s  %s ms  %s  (%s)\n", e.Name, ms3(float64(e.Nanos)/1e6), e.Stage, e.Reason)
		}
		if len(prof.Extra) > show {
			fmt.Fprintf(w, "  ... and %d more\n", len(prof.Extra)-show)
		}
	}
	return nil
}

// ms3 is the explorer's millisecond format (costfmt.Millis).
func ms3(v float64) string { return costfmt.Millis(v) }

// gflopsText formats an achieved rate (runner.Profile's GFLOPS fields),
// "-" where it is 0 (no time or no MAdds).
func gflopsText(v float64) string {
	if v <= 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// cacheSize formats a cache size, "?" when cpuid could not tell.
func cacheSize(b int64) string {
	if b <= 0 {
		return "?"
	}
	return costfmt.Bytes(b)
}
