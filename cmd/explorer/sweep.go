package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/internal/filelock"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/jsonl"
	"github.com/shufflelab/explorer/runner/registry"
	"github.com/shufflelab/explorer/runner/sweep"
)

const sweepSynopsis = "sweep [--width LIST|A:B:STEP] [--split LIST] [--groups LIST] [--depths \"4,8,4;2,4,2\"] [--res LIST] [--batch LIST]\n" +
	"                      [--family F] [--layout L] [--presets a,b,c] [--shard i/n] [--out results.jsonl] [--profile] [--list]\n" +
	"                      [--backend native] [--mode eager|fused] [--threads N] [--min-time D] ..."

// sweepDeps are what `explorer sweep` takes from the machine; tests fake them.
type sweepDeps struct {
	measurer    func(m *measureFlags, mode runner.Mode) (sweep.Measurer, error)
	fingerprint func() host.Fingerprint
	calibration func(ctx context.Context, m *measureFlags, fp host.Fingerprint, stderr io.Writer) (calib.Calibration, error)
}

func defaultSweepDeps() sweepDeps {
	return sweepDeps{
		measurer: func(m *measureFlags, mode runner.Mode) (sweep.Measurer, error) {
			return newBackendMeasurer(m, mode)
		},
		fingerprint: host.Detect,
		calibration: func(ctx context.Context, m *measureFlags, fp host.Fingerprint, stderr io.Writer) (calib.Calibration, error) {
			return m.calibration(ctx, fp, stderr)
		},
	}
}

// sweepCmd is `explorer sweep`. Ctrl-C or SIGTERM stops it after the
// rows already written (exit 130; the same command resumes).
func sweepCmd(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signalContext(stderr)
	defer stop()
	return sweepWith(ctx, args, stdout, stderr, defaultSweepDeps())
}

// sweepConfig is the checked command line of `explorer sweep`.
type sweepConfig struct {
	designs  []sweep.Design
	skipped  []sweep.Skipped
	shard    string
	out      string
	profile  bool
	list     bool
	pairs    int
	tol      float64
	mode     runner.Mode
	measure  *measureFlags
	allCount int
}

func parseSweepFlags(args []string, stderr io.Writer) (*sweepConfig, error) {
	fs := newFlagSet("sweep", sweepSynopsis)
	fs.SetOutput(stderr)
	// The same help as cost's and run's knob flags: it lists the families.
	family := fs.String("family", "", knobUsage("family"))
	layout := fs.String("layout", "", knobUsage("layout"))
	width := fs.String("width", "", "width multipliers: a list 0.5,1,1.5 or a range 0.5:2.0:0.25")
	split := fs.String("split", "", "ShuffleNetV2 split ratios, e.g. 0.3,0.5,0.7")
	groups := fs.String("groups", "", "groups of the 1x1 convs, e.g. 1,2,4")
	depths := fs.String("depths", "", `stage depths, triples separated by ';', e.g. "4,8,4;2,4,2"`)
	res := fs.String("res", "", "input sizes, e.g. 160,224")
	batch := fs.String("batch", "", "batch sizes, e.g. 1,8")
	presetList := fs.String("presets", "", "also sweep these presets (names or .toml files), comma-separated; 'T8' adds the paper's Table 8 comparison")
	shard := fs.String("shard", "", "measure only shard i of n (1 <= i <= n) of the design list, e.g. 2/3")
	out := fs.String("out", "sweep.jsonl", "JSONL results file; rows are appended, designs already in it are skipped")
	profile := fs.Bool("profile", false, "also profile every design: per-category time shares and per-op roofline points in the row")
	list := fs.Bool("list", false, "print the design list (after sharding) and exit")
	pairs := fs.Int("pairs", 5, "equal-MAdds pairs to print, "+intRange("pairs"))
	tol := fs.Float64("tol", sweep.DefaultPairTolerance, "relative MAdds difference of an equal-MAdds pair")
	mf := addMeasureFlags(fs, 500*time.Millisecond, 5*time.Second, 3, 5, true)
	if err := parseArgs(fs, args); err != nil {
		return nil, err
	}
	mode, err := mf.check()
	if err != nil {
		return nil, err
	}
	if err := checkNeeds(fs, map[string]bool{"recalibrate": !isOff(mf.calib)},
		map[string]string{"recalibrate": "the roofline calibration (not --calib off)"}); err != nil {
		return nil, err
	}
	switch {
	case checkIntFlag("pairs", *pairs) != nil:
		return nil, checkIntFlag("pairs", *pairs)
	case !(*tol >= 0) || math.IsInf(*tol, 1):
		return nil, usagef("invalid --tol %v (valid: a relative difference >= 0, e.g. 0.1)", *tol)
	}
	c := &sweepConfig{shard: *shard, out: *out, profile: *profile, list: *list, pairs: *pairs, tol: *tol, mode: mode, measure: mf}
	// An empty grid flag was refused by parseArgs (issue 15).
	gridSet := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "family", "layout", "width", "split", "groups", "depths", "res", "batch":
			gridSet = true
		}
	})
	if gridSet || *presetList == "" {
		g := sweep.Grid{Base: arch.Spec{Family: arch.Family(*family), Layout: arch.Layout(*layout)}}
		// An unknown family or layout is a bad flag, not a grid point to skip.
		if err := g.Base.Normalize().Validate(); err != nil {
			return nil, usageError{err}
		}
		// An empty entry of a list is refused as in every list flag.
		for _, l := range []struct{ name, value, seps, valid string }{
			{"width", *width, ",", sweep.ListValidFor("width")},
			{"split", *split, ",", sweep.ListValidFor("split")},
			{"groups", *groups, ",", sweep.ListValidFor("groups")},
			{"res", *res, ",", sweep.ListValidFor("res")},
			{"batch", *batch, ",", sweep.ListValidFor("batch")},
			{"depths", *depths, ";,", sweep.DepthsValid()},
		} {
			if !flagSet(fs, l.name) {
				continue
			}
			if _, err := listEntries(l.name, l.value, l.seps, l.valid); err != nil {
				return nil, err
			}
		}
		if g.Widths, err = sweep.ParseFloats("width", *width); err != nil {
			return nil, usageError{err}
		}
		if g.Splits, err = sweep.ParseFloats("split", *split); err != nil {
			return nil, usageError{err}
		}
		if g.Groups, err = sweep.ParseInts("groups", *groups); err != nil {
			return nil, usageError{err}
		}
		if g.Depths, err = sweep.ParseDepthsList(*depths); err != nil {
			return nil, usageError{err}
		}
		if g.Res, err = sweep.ParseInts("res", *res); err != nil {
			return nil, usageError{err}
		}
		if g.Batch, err = sweep.ParseInts("batch", *batch); err != nil {
			return nil, usageError{err}
		}
		if c.designs, c.skipped, err = g.Expand(); err != nil {
			return nil, usageError{err}
		}
	}
	if *presetList != "" {
		ds, err := presetDesigns(*presetList)
		if err != nil {
			return nil, err
		}
		c.designs = sweep.Dedupe(append(c.designs, ds...))
	}
	c.allCount = len(c.designs)
	i, n, err := sweep.ParseShard(*shard)
	if err != nil {
		return nil, usageError{err}
	}
	if c.designs, err = sweep.Shard(c.designs, i, n); err != nil {
		return nil, usageError{err}
	}
	// --list too: an empty list exited 0 where the same grid to measure
	// was refused.
	if len(c.designs) == 0 {
		// Say why each point was invalid, as when some point is valid.
		reportSkipped(stderr, c.skipped)
		switch {
		case c.allCount == 0 && len(c.skipped) > 0:
			return nil, usagef("sweep: no design to measure: every grid point was invalid (%d skipped, see above)", len(c.skipped))
		case c.allCount == 0:
			return nil, usagef("sweep: no design to measure")
		}
		return nil, usagef("sweep: no design to measure: shard %s of %d design(s) is empty", *shard, c.allCount)
	}
	return c, nil
}

// reportSkipped says on w why each skipped grid point was invalid.
func reportSkipped(w io.Writer, skipped []sweep.Skipped) {
	for _, s := range skipped {
		fmt.Fprintf(w, "explorer: grid point skipped: %s: %v\n", s.Spec, s.Err)
	}
}

// presetDesigns resolves --presets; "T8" expands to the Table 8 experiment.
func presetDesigns(list string) ([]sweep.Design, error) {
	var out []sweep.Design
	entries, err := listEntries("presets", list, ",", "presets (names or .toml files) or T8, comma-separated")
	if err != nil {
		return nil, err
	}
	for _, name := range entries {
		names := []string{name}
		if strings.EqualFold(name, "t8") {
			x, err := presets.ExperimentByID("T8")
			if err != nil {
				return nil, err
			}
			names = x.Presets
		}
		for _, n := range names {
			p, err := presets.Load(n)
			if err != nil {
				return nil, usageError{err}
			}
			out = append(out, sweep.Design{Name: p.Name, Preset: p.Name, Spec: p.Design.Normalize()})
		}
	}
	return out, nil
}

func sweepWith(ctx context.Context, args []string, stdout, stderr io.Writer, d sweepDeps) error {
	c, err := parseSweepFlags(args, stderr)
	if err != nil {
		return ignoreHelp(err)
	}
	reportSkipped(stderr, c.skipped)
	if !c.list {
		noteOversubscribed(stderr, c.measure.backend, c.measure.threads)
	}
	if c.list {
		for _, ds := range c.designs {
			fmt.Fprintf(stdout, "%s\t%s\n", ds.Name, ds.Key())
		}
		return nil
	}
	// The results file is checked (a bad --out or a second sweep on the
	// same file is refused at once), then the backend and the calibration,
	// and only then is the file opened (created, locked, its end
	// repaired): a sweep refused before measuring leaves no new file.
	holder := filelock.Holder(holderCommand("sweep", args))
	if err := sweep.Check(c.out, holder); err != nil {
		return outError(err)
	}
	m, err := d.measurer(c.measure, c.mode)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	fp := d.fingerprint()
	cal, err := d.calibration(ctx, c.measure, fp, stderr)
	if err != nil {
		// Ctrl-C during the calibration is a cancel like any other (it
		// was exit 1, "roofline calibration: calibrate: context canceled").
		if ctx.Err() != nil {
			return cancelledExit()
		}
		return err
	}
	f, err := sweep.Open(c.out, holder)
	if err != nil {
		return outError(err)
	}
	// Close removes a file it created when no row was written.
	defer f.Close()
	// The kernel set is part of every run key: rows measured on another
	// set are not this sweep's (a generic-kernel sweep took avx512 rows).
	ks, err := registry.KernelSet(c.measure.backend, c.measure.kernels, c.measure.cudaGraph, false) // sweeps never use TF32
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	cfg := sweep.Config{Backend: c.measure.backend, Mode: c.mode, Threads: c.measure.threads, Fingerprint: fp, Calibration: cal, Kernels: ks}
	shard := ""
	if c.shard != "" {
		shard = fmt.Sprintf(" (shard %s of %d designs)", c.shard, c.allCount)
	}
	fmt.Fprintf(stderr, "sweep: %s%s, %s/%s, kernels %s, %d thread(s), host %s [%s] -> %s\n", designs(len(c.designs)), shard,
		cfg.Backend, cfg.Mode, cfg.Kernels, cfg.Threads, calib.HostName(fp), cfg.HostKey(), c.out)
	bar := newProgressBar(stderr)
	warn := func(s string) { fmt.Fprintf(stderr, "explorer: warning: %s\n", s) }
	sum, err := sweep.Run(ctx, c.designs, m, sweep.Options{File: f, Config: cfg, Profile: c.profile, Progress: bar.event, Warn: warn})
	bar.finish()
	for _, f := range sum.Failed {
		fmt.Fprintf(stderr, "explorer: design failed: %s: %v\n", f.Design.Name, f.Err)
	}
	fmt.Fprintf(stderr, "sweep: %d measured, %d already in %s, %d failed\n", sum.Measured, sum.Resumed, c.out, len(sum.Failed))
	if err != nil {
		if runner.IsCancelled(err) {
			return exitError{code: 130, err: fmt.Errorf("%w; rerun the same command to resume", err)}
		}
		return err
	}
	if err := writeSweepReport(stdout, sum.Rows, c.pairs, c.tol); err != nil {
		return err
	}
	if len(sum.Failed) > 0 {
		return fmt.Errorf("sweep: %d design(s) failed", len(sum.Failed))
	}
	return nil
}

// outError is the error of a results file refused by sweep.Check or
// sweep.Open: a usage error (exit 2) for a path that is not a regular file
// or some other file's content; a file held by another sweep exits 1.
func outError(err error) error {
	var held *jsonl.HeldError
	if !errors.As(err, &held) && (errors.Is(err, safefile.ErrNotRegular) || errors.Is(err, jsonl.ErrNotThisKind)) {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	return err
}

// holderCommand describes this command for a lock file: "explorer sweep"
// and its arguments, shortened to 200 bytes.
func holderCommand(name string, args []string) string {
	s := "explorer " + name
	if len(args) > 0 {
		s += " " + strings.Join(args, " ")
	}
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

// rooflineMS is a row's roofline estimate, or "-" when it has none (swept
// with --calib off or a non-CPU backend; 0 read as a real estimate).
func rooflineMS(v float64) string {
	if v <= 0 {
		return "-"
	}
	return ms3(v)
}

// writeSweepReport prints the rows, then per scope (whole networks, the
// guideline micro-networks: their latencies do not rank against each
// other) the correlation table and the equal-MAdds pairs.
func writeSweepReport(w io.Writer, rows []sweep.Row, npairs int, tol float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "design\tMAdds\tMAC (elements)\tMAC fused\tparams\troofline (ms)\tmedian (ms)\tp10..p90 (ms)\timages/s\t\n")
	for _, r := range rows {
		l := r.LatencyMS
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s..%s\t%.1f\t\n", r.Name, costfmt.Count(r.MAdds), costfmt.Count(r.MAC), costfmt.Count(r.MACFused),
			costfmt.Count(r.Params), rooflineMS(r.RooflineMS), ms3(l.Median), ms3(l.P10), ms3(l.P90), r.ThroughputIPS)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, sc := range chartdata.ByScope(rows) {
		if err := writeCorrelations(w, sc.Scope.String(), sc.Rows); err != nil {
			return err
		}
		if err := writePairs(w, sc.Scope.String(), sc.Rows, npairs, tol); err != nil {
			return err
		}
	}
	return nil
}

// designs is "1 design" or "N designs".
func designs(n int) string {
	if n == 1 {
		return "1 design"
	}
	return fmt.Sprintf("%d designs", n)
}

// writeCorrelations prints Spearman and Kendall of each indirect metric
// against the median latency of rows (all of scope, "whole networks"),
// each metric left out with the reason, or why there is no table.
func writeCorrelations(w io.Writer, scope string, rows []sweep.Row) error {
	if why := sweep.Unranked(rows); why != "" {
		_, err := fmt.Fprintf(w, "\nno rank correlation of the %s with latency: %s\n", scope, why)
		return err
	}
	cr, left := chartdata.SweepCorrelations(rows)
	fmt.Fprintf(w, "\nhow well each indirect metric ranks the measured median latency of the %s (%s; 1 = perfect):\n", scope, designs(len(rows)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\tSpearman rho\tKendall tau-b\t\n")
	for _, c := range cr {
		fmt.Fprintf(tw, "%s\t%+.3f\t%+.3f\t\n", c.Metric, c.Spearman, c.KendallTauB)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeLeftOut(w, "", left)
}

// writeLeftOut prints one line per metric left out of a correlation
// table, indented by indent: "roofline estimate: left out, 1 of 8 rows has
// none".
func writeLeftOut(w io.Writer, indent string, left []sweep.LeftOut) error {
	for _, l := range left {
		if _, err := fmt.Fprintf(w, "%s%s: left out, %s\n", indent, l.Metric, l.Reason); err != nil {
			return err
		}
	}
	return nil
}

// writePairs prints the equal-MAdds pairs of rows with the most different
// latency, headed by title ("whole networks") when it is not "".
func writePairs(w io.Writer, title string, rows []sweep.Row, n int, tol float64) error {
	if n == 0 {
		return nil
	}
	if title != "" {
		title += ": "
	}
	// Only the n printed pairs are kept: a 3000-row file has about half
	// a million, which listed and sorted took 3 GB.
	ps, count := sweep.EqualMAddsTop(rows, tol, n)
	if len(ps) == 0 {
		fmt.Fprintf(w, "\n%sequal MAdds (within %.0f%%), different latency: no two designs within %.0f%% in MAdds\n", title, 100*tol, 100*tol)
		return nil
	}
	pairs := "pairs"
	if count == 1 {
		pairs = "pair"
	}
	fmt.Fprintf(w, "\n%sequal MAdds (within %.0f%%), different latency: %d %s, most different first\n", title, 100*tol, count, pairs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "faster\tMAdds\tms\tslower\tMAdds\tms\tMAdds diff\tlatency ratio\t\n")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.1f%%\t%.2fx\t\n", p.Fast.Name, costfmt.Count(p.Fast.MAdds), ms3(p.Fast.LatencyMS.Median),
			p.Slow.Name, costfmt.Count(p.Slow.MAdds), ms3(p.Slow.LatencyMS.Median), 100*p.MAddsDiff, p.Ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "=> %s\n", sweep.PairsVerdict(ps[0], tol))
	return nil
}

// progressBar draws the sweep's progress on a terminal, or prints one line
// per finished design elsewhere.
type progressBar struct {
	w    io.Writer
	line *progressLine
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w, line: newProgressLine(w)} }

func (b *progressBar) event(e sweep.Event) {
	frac := float64(e.Finished) / float64(max(e.Total, 1))
	if e.Kind == sweep.EventProgress || e.Kind == sweep.EventStart {
		frac = (float64(e.Finished) + e.Fraction) / float64(max(e.Total, 1))
	}
	eta := "ETA ?"
	if e.ETA > 0 || e.Finished == e.Total {
		eta = "ETA " + e.ETA.Round(time.Second).String()
	}
	if !b.line.on {
		switch e.Kind {
		case sweep.EventDone:
			fmt.Fprintf(b.w, "[%d/%d] %s  %s ms  %s\n", e.Finished, e.Total, e.Design.Name, ms3(e.Row.LatencyMS.Median), eta)
		case sweep.EventFailed:
			fmt.Fprintf(b.w, "[%d/%d] %s  FAILED: %v\n", e.Finished, e.Total, e.Design.Name, e.Err)
		}
		return
	}
	name := e.Design.Name
	if len(name) > 40 {
		name = name[:39] + "…"
	}
	b.line.show(frac, fmt.Sprintf("%d/%d %s  %s", e.Finished, e.Total, eta, name), e.Kind != sweep.EventProgress)
}

func (b *progressBar) finish() { b.line.clear() }
