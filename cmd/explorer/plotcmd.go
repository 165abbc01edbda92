package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/chartdata"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner/sweep"
)

const plotSynopsis = "plot --in results.jsonl[,more.jsonl] [--out DIR] [--format png|svg|pdf] [--max-profiles N]"

// plotCmd is `explorer plot`: every chart from saved sweep results.
func plotCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot", plotSynopsis)
	fs.SetOutput(stderr)
	in := fs.String("in", "sweep.jsonl", "sweep results (JSONL), comma-separated; rows from several machines are drawn per host")
	out := fs.String("out", "plots", "output directory")
	format := fs.String("format", "png", "png|svg|pdf")
	maxProfiles := fs.Int("max-profiles", 3, "decomposition and roofline charts for at most this many profiled rows")
	profileOf := fs.String("profile-of", "", "draw decomposition and roofline charts of these designs (names or presets, comma-separated; default the first profiled rows)")
	if err := parseArgs(fs, args); err != nil {
		return ignoreHelp(err)
	}
	if *format != "png" && *format != "svg" && *format != "pdf" {
		return usagef("invalid --format %q (valid: png|svg|pdf)", *format)
	}
	if *maxProfiles < 0 {
		return usagef("invalid --max-profiles %d (valid: >= 0)", *maxProfiles)
	}
	var rows []sweep.Row
	for _, path := range strings.Split(*in, ",") {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			return usagef("plot: --in %s: %v", path, err)
		}
		rs, warns, err := sweep.Load(path)
		for _, w := range warns {
			fmt.Fprintf(stderr, "explorer: warning: %s\n", w)
		}
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	if len(rows) == 0 {
		return usagef("plot: no rows in %s", *in)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	var pick map[string]bool
	if *profileOf != "" {
		pick = map[string]bool{}
		for _, n := range strings.Split(*profileOf, ",") {
			pick[strings.TrimSpace(n)] = true
		}
	}
	files, err := renderPlots(rows, *out, *format, *maxProfiles, pick, stdout)
	for _, f := range files {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	return err
}

// renderPlots writes every chart and the CSV of the points; it returns the
// files written.
// pick, if not nil, names the designs (Name or Preset) whose profiles are
// drawn.
func renderPlots(rows []sweep.Row, dir, format string, maxProfiles int, pick map[string]bool, stdout io.Writer) ([]string, error) {
	groups := sweep.GroupByConfig(rows)
	var files []string
	out := func(name string) string { return filepath.Join(dir, name+"."+format) }

	// Gap scatters: one point per (config, design); series per host/config
	// when there are several.
	var all []sweep.Row
	for _, g := range groups {
		all = append(all, g.Rows...)
	}
	gap := func(metric plots.Metric, x func(sweep.Row) float64, name string) error {
		var pts []plots.GapPoint
		for _, g := range groups {
			for _, r := range g.Rows {
				if !(x(r) > 0) || !(r.LatencyMS.Median > 0) {
					return nil // the metric is missing in some rows: no chart
				}
				pt := plots.GapPoint{Label: chartdata.DesignLabel(r.Spec), Family: chartdata.FamilyTitle(r.Family), X: x(r), LatencyMS: r.LatencyMS.Median}
				if len(groups) > 1 {
					pt.Host = g.Label
				}
				pts = append(pts, pt)
			}
		}
		p, err := plots.Gap(pts, plots.GapOptions{Metric: metric, LogX: true, LogY: true})
		if err != nil {
			return err
		}
		if err := plots.Save(p, 9*72, 6*72, out(name)); err != nil {
			return err
		}
		files = append(files, out(name))
		return nil
	}
	if err := gap(plots.MetricMAdds, func(r sweep.Row) float64 { return float64(r.MAdds) }, "gap-madds"); err != nil {
		return files, fmt.Errorf("plot: %w", err)
	}
	if err := gap(plots.MetricMAC, func(r sweep.Row) float64 { return float64(r.MAC) }, "gap-mac"); err != nil {
		return files, fmt.Errorf("plot: %w", err)
	}
	if err := gap(plots.MetricRoofline, func(r sweep.Row) float64 { return r.RooflineMS }, "gap-roofline"); err != nil {
		return files, fmt.Errorf("plot: %w", err)
	}

	// Correlation chart and table per config.
	for i, g := range groups {
		cr := corrRows(sweep.Columns(g.Rows))
		if len(g.Rows) < 2 || len(cr) == 0 {
			continue
		}
		fmt.Fprintf(stdout, "%s (%d designs): rank correlation with median latency\n", g.Label, len(g.Rows))
		for _, c := range cr {
			fmt.Fprintf(stdout, "  %-18s Spearman %+.3f  Kendall tau-b %+.3f\n", c.Metric, c.Spearman, c.KendallTauB)
		}
		p, err := plots.Correlation(cr)
		if err != nil {
			return files, fmt.Errorf("plot: %w", err)
		}
		name := "correlation"
		if len(groups) > 1 {
			name = fmt.Sprintf("correlation-%d", i+1)
		}
		p.Title.Text += "\n" + g.Label
		if err := plots.Save(p, plots.DefaultWidth, plots.DefaultHeight, out(name)); err != nil {
			return files, fmt.Errorf("plot: %w", err)
		}
		files = append(files, out(name))
		if err := writePairs(stdout, g.Rows, 3, 0.10); err != nil {
			return files, err
		}
	}

	// Decomposition and roofline of profiled rows.
	n := 0
	for _, r := range all {
		if n >= maxProfiles || len(r.Categories) == 0 || pick != nil && !pick[r.Name] && !(r.Preset != "" && pick[r.Preset]) {
			continue
		}
		n++
		slug := plots.FileSlug(r.Name + "-" + r.Mode + "-" + strconv.Itoa(r.Threads) + "t")
		p, err := plots.Decomposition(chartdata.ShareRows(r.Categories))
		if err != nil {
			return files, fmt.Errorf("plot %s: %w", r.Name, err)
		}
		p.Title.Text += "\n" + r.Name + " (" + r.Mode + ", " + r.HostName + ")"
		if err := plots.Save(p, plots.DefaultWidth, plots.DefaultHeight, out("decomposition-"+slug)); err != nil {
			return files, err
		}
		files = append(files, out("decomposition-"+slug))
		if len(r.Ops) == 0 || !r.Ceiling.Valid() {
			continue
		}
		p, err = plots.Roofline(chartdata.RooflinePoints(r.Ops, 3), chartdata.Ceilings(r.Ceiling))
		if err != nil {
			return files, fmt.Errorf("plot %s: %w", r.Name, err)
		}
		p.Title.Text += "\n" + r.Name + " (" + r.Mode + ", " + r.HostName + ")"
		if err := plots.Save(p, plots.DefaultWidth, plots.DefaultHeight, out("roofline-"+slug)); err != nil {
			return files, err
		}
		files = append(files, out("roofline-"+slug))
	}

	path := filepath.Join(dir, "points.csv")
	if err := writePointsCSV(path, all); err != nil {
		return files, err
	}
	return append(files, path), nil
}

func writePointsCSV(path string, rows []sweep.Row) error {
	records := [][]string{{"name", "family", "host", "host_name", "backend", "mode", "threads", "madds", "flops", "mac", "mac_fused",
		"params", "roofline_ms", "median_ms", "p10_ms", "p90_ms", "images_per_s", "key"}}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, r := range rows {
		records = append(records, []string{r.Name, r.Family, r.Host, r.HostName, r.Backend, r.Mode, strconv.Itoa(r.Threads),
			strconv.FormatInt(r.MAdds, 10), strconv.FormatInt(r.FLOPs, 10), strconv.FormatInt(r.MAC, 10), strconv.FormatInt(r.MACFused, 10),
			strconv.FormatInt(r.Params, 10), g(r.RooflineMS), g(r.LatencyMS.Median), g(r.LatencyMS.P10), g(r.LatencyMS.P90),
			g(r.ThroughputIPS), r.Key})
	}
	return writeCSVFile(path, "plot CSV", records)
}

// writeCSVFile writes records as a CSV file at path, atomically (a
// temporary file, synced and renamed over any file there; mode 0644), and
// refuses a symbolic link there unless opts force it; what names the file
// in errors ("plot CSV").
func writeCSVFile(path, what string, records [][]string, opts ...safefile.Option) error {
	err := safefile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(records); err != nil {
			return err
		}
		return cw.Error()
	}, opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
