package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/guideline"
	"github.com/shufflelab/explorer/runner/registry"
)

const guidelinesSynopsis = "guidelines [--exp G1|G2|G3|G4|T8|all] [--platform arm|gpu] [--scales 1,2,4] [--out DIR [--force]] [--format png|svg|pdf]\n" +
	"                           [--mode eager|fused] [--threads N] [--batch N] [--cuda-graph] [--min-time D] [--max-time D] ..."

// guidelinesDeps are what `explorer guidelines` takes from the machine.
type guidelinesDeps struct {
	measure func(m *measureFlags) (guideline.MeasureFunc, error)
}

func defaultGuidelinesDeps() guidelinesDeps {
	return guidelinesDeps{measure: func(m *measureFlags) (guideline.MeasureFunc, error) {
		bms := map[runner.Mode]*backendMeasurer{}
		for _, mode := range []runner.Mode{runner.Eager, runner.Fused} {
			bm, err := newBackendMeasurer(m, mode)
			if err != nil {
				return nil, err
			}
			bms[mode] = bm
		}
		return func(ctx context.Context, s arch.Spec, mode runner.Mode) (float64, error) {
			bm, ok := bms[mode]
			if !ok {
				return 0, fmt.Errorf("no measurer for mode %q", mode)
			}
			return bm.medianMS(ctx, s)
		}, nil
	}}
}

// guidelinesCmd is `explorer guidelines`. Ctrl-C or SIGTERM stops it
// (exit 130) after the files of the experiments already measured.
func guidelinesCmd(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signalContext(stderr)
	defer stop()
	// A closed standard output (`explorer guidelines | head -1`) is a
	// write error, not a SIGPIPE that kills the process: the experiments
	// still run and their files are still written (guidelinesWith).
	signal.Ignore(syscall.SIGPIPE)
	return guidelinesWith(ctx, args, stdout, stderr, defaultGuidelinesDeps())
}

type guidelinesConfig struct {
	tables []guideline.Table
	out    string
	force  bool // replace symbolic links at the output files
	format string
	mode   runner.Mode
	mf     *measureFlags
	rounds int
}

func parseGuidelinesFlags(args []string, stderr io.Writer) (*guidelinesConfig, error) {
	fs := newFlagSet("guidelines", guidelinesSynopsis)
	fs.SetOutput(stderr)
	exp := fs.String("exp", "all", "experiment: G1|G2|G3|G4|T8|all (comma-separated list allowed)")
	platform := fs.String("platform", "arm", "arm | gpu: which of the paper's channel sizes G1-G4 build (arm: the smaller ones of its mobile CPU) and which of its speed columns every verdict compares with (T8 included)")
	scales := fs.String("scales", "", "channel scales of G1-G4 (the paper's Tables 1-4), a subset of 1,2,4 (default all; refused when only T8 is selected)")
	out := fs.String("out", "guidelines", "directory for the charts and CSV files ('' = none)")
	format := addChartFormatFlag(fs)
	force := fs.Bool("force", false, "replace symbolic links at the output files (the links, not their targets); without it they are refused")
	rounds := fs.Int("rounds", guideline.DefaultRounds, "measure the rows of a table round-robin this many times, "+intRange("rounds")+"; each design keeps its fastest round's median")
	batch := fs.String("batch", "1", fmt.Sprintf("batch size of every design, 1..%d (the paper's GPU speeds are at batch 8)", arch.MaxBatch))
	b := guideline.DefaultBudget()
	mf := addMeasureFlags(fs, b.MinTime, b.MaxTime, b.Warmup, b.MinIters, false)
	// guideline.ModesFor: G4 runs both modes unless --mode is given.
	fs.Lookup("mode").Usage = registry.List(registry.ModeNames()) + "; G4 measures eager and fused unless --mode is given, the other experiments the mode given"
	// --out '' is documented: no files. Any other empty value was refused
	// by parseArgs (--kernels= ran auto, --mem-limit= the default limit).
	if err := parseArgs(fs, args, "out"); err != nil {
		return nil, err
	}
	explicitMode := flagSet(fs, "mode")
	if *out == "" {
		// No files: a flag about the files would be ignored.
		if err := checkNeeds(fs, map[string]bool{"force": false, "format": false},
			map[string]string{"force": "--out DIR (--out '' writes no files)", "format": "--out DIR (--out '' writes no files)"}); err != nil {
			return nil, err
		}
	}
	// mf.check refuses a bad --mode (quoting it) and --cuda-graph without cudnn.
	mode, err := mf.check()
	if err != nil {
		return nil, err
	}
	if err := checkChartFormat(*format); err != nil {
		return nil, err
	}
	p, err := guideline.ParsePlatform(*platform)
	if err != nil {
		return nil, usagef("invalid --platform %q (valid: %s)", *platform, platformList)
	}
	var sc []int
	if *scales != "" {
		entries, err := listEntries("scales", *scales, ",", "a subset of 1,2,4")
		if err != nil {
			return nil, err
		}
		for _, s := range entries {
			k, err := strconv.Atoi(s)
			if err != nil {
				return nil, usagef("invalid --scales %q (valid: a subset of 1,2,4)", *scales)
			}
			// A repeated scale is measured once (--scales 1,1 printed
			// every table twice).
			if !slices.Contains(sc, k) {
				sc = append(sc, k)
			}
		}
	}
	xs, err := selectExperiments(*exp)
	if err != nil {
		return nil, err
	}
	if err := checkIntFlag("rounds", *rounds); err != nil {
		return nil, err
	}
	// One rule for --batch in every command (cost, run and sweep check it
	// as a knob): `invalid batch "0" (valid: 1..4096)`.
	batchSpec, err := checkKnob("batch", *batch)
	if err != nil {
		return nil, err
	}
	if *out != "" {
		// Before any measurement: a bad --out failed only after the
		// first experiment was measured.
		if err := checkOutDir(*out, true); err != nil {
			return nil, err
		}
	}
	c := &guidelinesConfig{out: *out, force: *force, format: *format, mode: mode, mf: mf, rounds: *rounds}
	for _, x := range xs {
		t, err := guideline.FromExperiment(x, p, sc)
		if err != nil {
			return nil, usageError{err}
		}
		for i := range t.Rows {
			for j := range t.Rows[i].Specs {
				t.Rows[i].Specs[j].Batch = batchSpec.Batch
			}
		}
		t.Modes = guideline.ModesFor(t.ID, mode, explicitMode)
		t.Backend, t.Threads = mf.backend, mf.threads
		t.Kernels = registry.ForcedKernels(mf.backend, mf.kernels) // --kernels was checked above
		c.tables = append(c.tables, t)
	}
	if *scales != "" {
		if err := checkScalesApply(xs, *scales); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkScalesApply refuses --scales when none of the selected experiments
// has channel-scale columns (the whole-network comparison T8 has one
// column): the flag would change nothing.
func checkScalesApply(xs []presets.Experiment, scales string) error {
	var ids []string
	for _, x := range xs {
		if len(x.Presets) == 0 {
			return nil
		}
		ids = append(ids, x.ID)
	}
	all, err := presets.Experiments()
	if err != nil {
		return err
	}
	var scaled []string
	for _, x := range all {
		if len(x.Presets) == 0 {
			scaled = append(scaled, x.ID)
		}
	}
	return usagef("invalid --scales %q: %s compares whole networks and has no channel scales (--scales applies to %s)",
		scales, strings.Join(ids, ","), strings.Join(scaled, "|"))
}

// The valid values of --exp (besides all) and --platform, for messages.
const (
	experimentList = "G1|G2|G3|G4|T8"
	platformList   = "arm|gpu"
)

// selectExperiments resolves --exp; an experiment named twice is measured
// once, at its first place.
func selectExperiments(list string) ([]presets.Experiment, error) {
	all, err := presets.Experiments()
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		return all, nil
	}
	ids, err := listEntries("exp", list, ",", experimentList+"|all, comma-separated")
	if err != nil {
		return nil, err
	}
	var out []presets.Experiment
	for _, id := range ids {
		x, err := presets.ExperimentByID(id)
		if err != nil {
			return nil, usageError{err}
		}
		if !slices.ContainsFunc(out, func(y presets.Experiment) bool { return y.ID == x.ID }) {
			out = append(out, x)
		}
	}
	return out, nil
}

// checkOutDir checks an output directory --out before anything is
// measured or drawn (guidelines, plot): dir must be a directory, or not
// exist below a directory, and that directory must take new files (a file
// is created there and removed). Errors are usage errors naming the flag
// (exit 2); emptyOK says that the command takes an empty --out as no files.
func checkOutDir(dir string, emptyOK bool) error {
	valid := "a directory, made if missing"
	if emptyOK {
		valid += ", or '' for no files"
	}
	st, err := os.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return usagef("invalid --out %s: not a directory (valid: %s)", quotePath(dir), valid)
		}
		return probeWritable(dir, dir)
	}
	// The nearest existing ancestor must be a directory that MkdirAll can
	// create dir in.
	p := dir
	for errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p = parent
		st, err = os.Stat(p)
	}
	switch {
	case err != nil:
		return usagef("invalid --out %s: %v", quotePath(dir), err)
	case !st.IsDir():
		return usagef("invalid --out %s: %s is not a directory (valid: %s)", quotePath(dir), p, valid)
	}
	return probeWritable(dir, p)
}

// probeWritable creates and removes a file in the existing directory at to
// learn whether files can be written there; dir is the --out value.
func probeWritable(dir, at string) error {
	f, err := os.CreateTemp(at, ".explorer-write-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the probe's random name says nothing
		}
		return usagef("invalid --out %s: cannot write in %s: %v", quotePath(dir), at, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

func guidelinesWith(ctx context.Context, args []string, stdout, stderr io.Writer, d guidelinesDeps) error {
	c, err := parseGuidelinesFlags(args, stderr)
	if err != nil {
		return ignoreHelp(err)
	}
	noteOversubscribed(stderr, c.mf.backend, c.mf.threads)
	measure, err := d.measure(c.mf)
	if err != nil {
		return fmt.Errorf("guidelines: %w", err)
	}
	total, runs := 0, 0
	for _, t := range c.tables {
		total += len(t.Rows) * len(t.Scales) * len(t.Modes)
		runs += t.Measurements(c.rounds)
	}
	line := newProgressLine(stderr)
	start := time.Now()
	doneBefore := 0
	out := &stickyWriter{w: stdout}
	var unwritten []string // experiments whose files were not all written
	for i := range c.tables {
		t := &c.tables[i]
		err := t.Measure(ctx, measure, c.rounds, func(n, _ int) {
			line.show(float64(doneBefore+n)/float64(runs), fmt.Sprintf("%s: %d/%d measurements, %.0fs", t.ID, doneBefore+n, runs, time.Since(start).Seconds()), true)
		})
		line.clear()
		if err != nil {
			if runner.IsCancelled(err) {
				return exitError{code: 130, err: errors.New("cancelled")}
			}
			// A design over --mem-limit is refused as by run: exit 2.
			err = fmt.Errorf("guidelines: %w", err)
			if ue := memLimitRefusal(err); ue != nil {
				return ue
			}
			return err
		}
		doneBefore += t.Measurements(c.rounds)
		// The files first, then the table: a closed standard output lost
		// every measurement (`--out gp | head -1` exited 141 and never
		// made gp/).
		var files []string
		if c.out != "" {
			// A file that cannot be written is reported and the other
			// experiments still run (it used to abort them).
			var err error
			files, err = saveGuidelineOutputs(*t, c.out, c.format, stderr, safefile.Force(c.force))
			if err != nil {
				for _, e := range splitJoined(err) {
					fmt.Fprintf(stderr, "explorer: %v\n", e)
				}
				unwritten = append(unwritten, t.ID)
			}
		}
		writeGuidelineTable(out, *t) // a write error is kept in out
		if len(files) > 0 {
			fmt.Fprintln(out, wrap("wrote "+strings.Join(files, ", "), guidelineWidth, ""))
		}
		fmt.Fprintln(out)
	}
	rounds := "rounds"
	if c.rounds == 1 {
		rounds = "round"
	}
	fmt.Fprintf(out, "%d measurements (%d designs and modes, %d %s each) in %.1fs\n", runs, total, c.rounds, rounds, time.Since(start).Seconds())
	var errs []error
	if out.err != nil {
		saved := ""
		if c.out != "" {
			saved = fmt.Sprintf("; every experiment was measured and its files written to %s", c.out)
		}
		errs = append(errs, fmt.Errorf("guidelines: tables not printed: %w%s", out.err, saved))
	}
	if len(unwritten) > 0 {
		errs = append(errs, fmt.Errorf("guidelines: files of %s not written to %s (the errors above)", strings.Join(unwritten, ", "), c.out))
	}
	return errors.Join(errs...)
}

// stickyWriter writes to w until a write fails; it then keeps that error
// and discards the rest, so a closed standard output stops the printing,
// not the work.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return len(p), nil
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
		return len(p), nil
	}
	return n, nil
}

// splitJoined returns the errors joined in err (errors.Join), or err.
func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// guidelineWidth is the width the guideline tables and verdicts fit in.
const guidelineWidth = 100

// writeGuidelineTable prints one experiment in at most guidelineWidth
// columns: one table per scale (per row the channel sizes, MAdds, MAC, the
// local latency of each mode with its spread over rounds, and the speeds
// relative to the first row, local and paper), then the scale's verdict.
// A column equal in every row is said once above the table. The wide
// table of every number is the CSV.
func writeGuidelineTable(w io.Writer, t guideline.Table) error {
	fmt.Fprintf(w, "%s  %s\n", t.ID, t.Title)
	fmt.Fprintf(w, "source: %s\n", t.Source)
	fmt.Fprintln(w, wrap("here: "+t.Conditions(), guidelineWidth, ""))
	fmt.Fprintln(w, "rel = speed here relative to the first row; GPU, ARM = the paper's, relative to its first row")
	fmt.Fprintln(w, "±rnd = spread of a design's latency over the rounds ((slowest - fastest) / fastest)")
	// Where a row departs from the paper (its note), say so here as the
	// interactive explorer does beside the row.
	for _, r := range t.Rows {
		if r.Note != "" {
			fmt.Fprintln(w, wrap("note, "+r.Label+": "+r.Note, guidelineWidth, "  "))
		}
	}
	verdicts := t.Verdicts()
	for j, k := range t.Scales {
		fmt.Fprintln(w)
		switch {
		case t.Whole:
		case k == 1:
			fmt.Fprintln(w, "x1: the paper's channel counts")
		default:
			fmt.Fprintf(w, "x%d: the paper's x%d column, every channel count times %d\n", k, k, k)
		}
		kept, same := guideline.FactorSame(t.Columns(j))
		if len(same) > 0 {
			fmt.Fprintf(w, "in every row: %s\n", strings.Join(same, ", "))
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		line := ""
		for _, c := range kept {
			line += c.Head + "\t"
		}
		fmt.Fprintln(tw, line)
		for i := range t.Rows {
			line = ""
			for _, c := range kept {
				line += c.Cells[i] + "\t"
			}
			fmt.Fprintln(tw, line)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, wrap(verdicts[j].Sentence(), guidelineWidth, "  "))
	}
	return nil
}

// wrap breaks s into lines of at most width columns at spaces, every line
// starting with indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(s) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent + "  "
		}
		if len(line) > len(indent) && !strings.HasSuffix(line, "  ") {
			line += " "
		}
		line += word
	}
	b.WriteString(line)
	return b.String()
}

// saveGuidelineOutputs writes a table's charts (one per scale) and its CSV
// into dir, atomically; opts may allow replacing symbolic links there. A
// file that cannot be written does not stop the others: it returns the
// files written and the failures (errors.Join), each naming its file. A
// chart text the file cannot show as written is said on warn.
func saveGuidelineOutputs(t guideline.Table, dir, format string, warn io.Writer, opts ...safefile.Option) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("guidelines %s: %w", t.ID, err)
	}
	var files []string
	var errs []error
	fonts, _ := plots.NewFallback("") // the system's fonts, read only if a text needs one
	for j, k := range t.Scales {
		data := chartdata.Guideline(t, j)
		p, err := plots.Guideline(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("guidelines %s x%d chart: %w", t.ID, k, err))
			continue
		}
		name := fmt.Sprintf("%s-x%d.%s", strings.ToLower(t.ID), k, format)
		if t.Whole {
			name = fmt.Sprintf("%s.%s", strings.ToLower(t.ID), format)
		}
		path := filepath.Join(dir, name)
		saved, err := plots.Save(p, plots.GuidelineWidth, plots.GuidelineHeight, path, fonts, opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("guidelines %s x%d chart: %w", t.ID, k, forceHint(err)))
			continue
		}
		if note := saved.Note(path, fonts); note != "" {
			fmt.Fprintf(warn, "explorer: guidelines: %s\n", note)
		}
		files = append(files, path)
	}
	path := filepath.Join(dir, strings.ToLower(t.ID)+".csv")
	if err := writeGuidelineCSV(path, t, opts...); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", t.ID, forceHint(err)))
	} else {
		files = append(files, path)
	}
	return files, errors.Join(errs...)
}

// writeGuidelineCSV writes every number of a table: one record per row,
// scale and mode, with every round's median latency.
func writeGuidelineCSV(path string, t guideline.Table, opts ...safefile.Option) error {
	records := [][]string{{"experiment", "row", "scale", "mode", "design", "madds", "mac", "mac_fused", "local_ms", "rounds_ms",
		"local_images_per_s", "paper_gpu_batches_per_s", "paper_arm_images_per_s"}}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, r := range t.Rows {
		for j, k := range t.Scales {
			for m, mode := range t.Modes {
				var rounds []string
				for _, ms := range r.RoundsMS(m, j) {
					rounds = append(rounds, g(ms))
				}
				records = append(records, []string{t.ID, r.Label, strconv.Itoa(k), string(mode), r.Specs[j].String(),
					strconv.FormatInt(r.MAdds[j], 10), strconv.FormatInt(r.MAC[j], 10), strconv.FormatInt(r.MACFused[j], 10),
					g(r.BestMS(m, j)), strings.Join(rounds, " "), g(r.Speed(m, j)), g(r.PaperGPU[j]), g(r.PaperARM[j])})
			}
		}
	}
	return writeCSVFile(path, "guidelines CSV", records, opts...)
}
