package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/chartdata"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/guideline"
)

const guidelinesSynopsis = "guidelines [--exp G1|G2|G3|G4|T8|all] [--platform arm|gpu] [--scales 1,2,4] [--out DIR] [--format png|svg|pdf]\n" +
	"                           [--mode eager|fused] [--threads N] [--min-time D] [--max-time D] ..."

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

// guidelinesCmd is `explorer guidelines`.
func guidelinesCmd(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return guidelinesWith(ctx, args, stdout, stderr, defaultGuidelinesDeps())
}

type guidelinesConfig struct {
	tables []guideline.Table
	out    string
	format string
	mode   runner.Mode
	mf     *measureFlags
	rounds int
}

func parseGuidelinesFlags(args []string, stderr io.Writer) (*guidelinesConfig, error) {
	fs := newFlagSet("guidelines", guidelinesSynopsis)
	fs.SetOutput(stderr)
	exp := fs.String("exp", "all", "experiment: G1|G2|G3|G4|T8|all (comma-separated list allowed)")
	platform := fs.String("platform", "arm", "which of the paper's channel sizes to build: arm (smaller, the paper's mobile CPU) | gpu")
	scales := fs.String("scales", "", "channel scales of Tables 1-4, a subset of 1,2,4 (default all)")
	out := fs.String("out", "guidelines", "directory for the charts and CSV files ('' = none)")
	format := fs.String("format", "png", "chart format: png|svg|pdf")
	rounds := fs.Int("rounds", 3, "measure the rows of a table round-robin this many times; each design keeps its fastest round's median")
	mf := addMeasureFlags(fs, 120*time.Millisecond, time.Second, 2, 3, false)
	if err := parseArgs(fs, args); err != nil {
		return nil, err
	}
	explicitMode := false
	fs.Visit(func(f *flag.Flag) { explicitMode = explicitMode || f.Name == "mode" })
	mode, err := mf.check()
	if err != nil {
		return nil, err
	}
	if *format != "png" && *format != "svg" && *format != "pdf" {
		return nil, usagef("invalid --format %q (valid: png|svg|pdf)", *format)
	}
	p, err := guideline.ParsePlatform(*platform)
	if err != nil {
		return nil, usageError{err}
	}
	var sc []int
	if *scales != "" {
		for _, s := range strings.Split(*scales, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return nil, usagef("invalid --scales %q (valid: a subset of 1,2,4)", *scales)
			}
			sc = append(sc, k)
		}
	}
	xs, err := selectExperiments(*exp)
	if err != nil {
		return nil, err
	}
	if *rounds < 1 || *rounds > 100 {
		return nil, usagef("invalid --rounds %d (valid: 1..100)", *rounds)
	}
	c := &guidelinesConfig{out: *out, format: *format, mode: mode, mf: mf, rounds: *rounds}
	for _, x := range xs {
		t, err := guideline.FromExperiment(x, p, sc)
		if err != nil {
			return nil, usageError{err}
		}
		t.Modes = guideline.ModesFor(t.ID, mode, explicitMode)
		t.Backend, t.Threads = mf.backend, mf.threads
		c.tables = append(c.tables, t)
	}
	return c, nil
}

// selectExperiments resolves --exp.
func selectExperiments(list string) ([]presets.Experiment, error) {
	all, err := presets.Experiments()
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		return all, nil
	}
	var out []presets.Experiment
	for _, id := range strings.Split(list, ",") {
		x, err := presets.ExperimentByID(strings.TrimSpace(id))
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, x)
	}
	return out, nil
}

func guidelinesWith(ctx context.Context, args []string, stdout, stderr io.Writer, d guidelinesDeps) error {
	c, err := parseGuidelinesFlags(args, stderr)
	if err != nil {
		return ignoreHelp(err)
	}
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
			return fmt.Errorf("guidelines: %w", err)
		}
		doneBefore += t.Measurements(c.rounds)
		if err := writeGuidelineTable(stdout, *t, c); err != nil {
			return err
		}
		if c.out != "" {
			files, err := saveGuidelineOutputs(*t, c.out, c.format)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s\n\n", strings.Join(files, ", "))
		} else {
			fmt.Fprintln(stdout)
		}
	}
	fmt.Fprintf(stdout, "%d designs measured (%d rounds each) in %.1fs (%s/%s, %d thread(s))\n", total, c.rounds, time.Since(start).Seconds(), c.mf.backend, c.mode, c.mf.threads)
	return nil
}

// writeGuidelineTable prints one experiment: per row and scale the local
// images/s and the paper's GPU and ARM speeds, each with its value
// normalised to the first row in parentheses; then the verdicts.
func writeGuidelineTable(w io.Writer, t guideline.Table, c *guidelinesConfig) error {
	fmt.Fprintf(w, "%s  %s\n", t.ID, t.Title)
	sizes := string(t.Platform) + " channel sizes"
	if t.Whole {
		sizes = "whole networks, batch 1 locally; paper GPU speeds are at batch 8"
	}
	fmt.Fprintf(w, "source: %s; local: %s/%s, %d thread(s), %s, best of %d rounds; speeds with (normalised to the first row)\n",
		t.Source, c.mf.backend, c.mode, c.mf.threads, sizes, c.rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	hdr := "row\tdesign\t"
	for _, k := range t.Scales {
		x := fmt.Sprintf("x%d ", k)
		if t.Whole {
			x = ""
		}
		hdr += fmt.Sprintf("%sMAdds\t%slocal ms\t%slocal img/s\t%spaper GPU\t%spaper ARM\t", x, x, x, x, x)
	}
	fmt.Fprintln(tw, hdr)
	norm := func(v []float64, i int) string {
		n := guideline.Normalised(v)
		if v[i] <= 0 || n == nil {
			return "-"
		}
		return fmt.Sprintf("%s (%.2f)", costfmt.Speed(v[i]), n[i])
	}
	for i, r := range t.Rows {
		line := r.Label + "\t" + r.Specs[0].String() + "\t"
		for j := range t.Scales {
			line += fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", costfmt.Count(r.MAdds[j]), ms3(r.LocalMS[j]), norm(t.Speeds(guideline.Local, j), i),
				norm(t.Speeds(guideline.PaperGPU, j), i), norm(t.Speeds(guideline.PaperARM, j), i))
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range t.Verdicts() {
		fmt.Fprintf(w, "  %s\n", v)
	}
	return nil
}

// saveGuidelineOutputs writes one chart per scale and a CSV of the table.
func saveGuidelineOutputs(t guideline.Table, dir, format string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("guidelines: %w", err)
	}
	var files []string
	for j, k := range t.Scales {
		data := chartdata.Guideline(t, j)
		p, err := plots.Guideline(data)
		if err != nil {
			return files, fmt.Errorf("guidelines %s x%d chart: %w", t.ID, k, err)
		}
		name := fmt.Sprintf("%s-x%d.%s", strings.ToLower(t.ID), k, format)
		if t.Whole {
			name = fmt.Sprintf("%s.%s", strings.ToLower(t.ID), format)
		}
		path := filepath.Join(dir, name)
		if err := plots.Save(p, plots.DefaultWidth, plots.DefaultHeight, path); err != nil {
			return files, err
		}
		files = append(files, path)
	}
	path := filepath.Join(dir, strings.ToLower(t.ID)+".csv")
	if err := writeGuidelineCSV(path, t); err != nil {
		return files, err
	}
	return append(files, path), nil
}

func writeGuidelineCSV(path string, t guideline.Table) error {
	records := [][]string{{"experiment", "row", "scale", "design", "madds", "local_ms", "local_images_per_s", "paper_gpu_batches_per_s", "paper_arm_images_per_s"}}
	for _, r := range t.Rows {
		for j, k := range t.Scales {
			records = append(records, []string{t.ID, r.Label, strconv.Itoa(k), r.Specs[j].String(), strconv.FormatInt(r.MAdds[j], 10),
				strconv.FormatFloat(r.LocalMS[j], 'g', 6, 64), strconv.FormatFloat(r.Local[j], 'g', 6, 64),
				strconv.FormatFloat(r.PaperGPU[j], 'g', 6, 64), strconv.FormatFloat(r.PaperARM[j], 'g', 6, 64)})
		}
	}
	return writeCSVFile(path, "guidelines CSV", records)
}
