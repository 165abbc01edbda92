package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/sweep"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

const plotSynopsis = "plot --in results.jsonl[,more.jsonl] [--out DIR] [--format png|svg|pdf] [--font FILE] [--max-profiles N] [--profile-of NAMES] [--force]"

// plotCmd is `explorer plot`: every chart from saved sweep results.
// Ctrl-C or SIGTERM stops it between two files (exit 130): the files
// written are complete and named, no half-written file is left.
func plotCmd(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signalContext(stderr)
	defer stop()
	return plotWith(ctx, args, stdout, stderr)
}

// plotWith is plotCmd with its context given.
func plotWith(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot", plotSynopsis)
	fs.SetOutput(stderr)
	in := fs.String("in", "sweep.jsonl", "sweep results (JSONL), comma-separated; rows from several machines are drawn per host")
	out := fs.String("out", "plots", "output directory")
	format := addChartFormatFlag(fs)
	fontFile := addChartFontFlag(fs)
	maxProfiles := fs.Int("max-profiles", 3, "decomposition and roofline charts for at most this many profiled designs, "+intRange("max-profiles")+" (eager and fused of one design share a decomposition; a design profiled on several kernel sets counts once per set)")
	profileOf := fs.String("profile-of", "", "draw decomposition and roofline charts of these designs (names or presets, comma-separated; a name may contain commas, e.g. \"shufflenetv2 1x depths=1,1,1 32px\"; default the first profiled rows)")
	force := fs.Bool("force", false, "replace symbolic links at the output files (the links, not their targets); without it they are refused")
	if err := parseArgs(fs, args); err != nil {
		return ignoreHelp(err)
	}
	if err := checkChartFormat(*format); err != nil {
		return err
	}
	if err := checkIntFlag("max-profiles", *maxProfiles); err != nil {
		return err
	}
	fb, err := chartFallback(*fontFile)
	if err != nil {
		return err
	}
	// Before the rows are read: a regular file at --out failed only at
	// mkdir (exit 1); the check is guidelines' (exit 2).
	if err := checkOutDir(*out, false); err != nil {
		return err
	}
	rows, err := loadPlotRows(*in, stderr)
	if err != nil {
		return err
	}
	var pick map[string]bool
	if *profileOf != "" {
		if pick, err = pickProfiles(*profileOf, rows); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	files, err := renderPlots(ctx, rows, *out, *format, *maxProfiles, pick, fb, stdout, stderr, safefile.Force(*force))
	for _, f := range files {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	return err
}

// loadPlotRows reads the rows of the comma-separated results files in
// list, in order. It says on stderr which rows it leaves out and why: lines
// that are not rows, rows that cannot be drawn (sweep.Row.Unusable: no
// latency, no metrics) and a design measured under the same configuration
// (backend, kernel set, mode, threads, host) in an earlier row (shard files
// merged twice); a later row with a profile, where the earlier has none
// (a --profile sweep of the same file), is drawn instead of it. One odd
// row never changes what the others draw.
func loadPlotRows(list string, stderr io.Writer) ([]sweep.Row, error) {
	if strings.Trim(list, ", ") == "" {
		return nil, usagef(`invalid --in %s (valid: results files, comma-separated)`, quotePath(list))
	}
	var rows []sweep.Row
	type read struct {
		at string // where the row was read
		i  int    // its index in rows
	}
	first := map[string]read{} // run key -> the row kept
	var histNotes []string     // history files given as --in: path and historyNote
	files := 0
	paths, err := listEntries("in", list, ",", "results files, comma-separated")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{} // files read, by their cleaned path
	for _, path := range paths {
		if seen[filepath.Clean(path)] {
			// Read once: its every row was "the same design and
			// configuration as" itself.
			fmt.Fprintf(stderr, "explorer: warning: --in names %s more than once; it is read once\n", path)
			continue
		}
		seen[filepath.Clean(path)] = true
		files++
		if _, err := os.Stat(path); err != nil {
			return nil, usagef("plot: --in %s: %v", path, err)
		}
		ls, warns, err := sweep.LoadLines(path)
		// Results of `explorer run` (a history file given as --in) are
		// said once per file, not once per line.
		hist := 0
		var histLines []string // the first few, for the message
		for _, w := range warns {
			if w.Reason == sweep.ReasonRunResult {
				hist++
				if len(histLines) < 5 {
					histLines = append(histLines, strconv.Itoa(w.Line))
				}
			}
		}
		if hist > len(histLines) {
			histLines = append(histLines, "...")
		}
		if hist > 0 && hist == len(warns) && len(ls) == 0 {
			histNotes = append(histNotes, path, historyNote(path, hist))
		} else {
			for _, w := range warns {
				if w.Reason != sweep.ReasonRunResult {
					fmt.Fprintf(stderr, "explorer: warning: %s\n", w)
				}
			}
			if hist > 0 {
				fmt.Fprintf(stderr, "explorer: warning: %s: %d line(s) skipped (line %s): results of `explorer run` (history lines), not sweep rows\n", path, hist, strings.Join(histLines, ", "))
			}
		}
		if err != nil {
			if errors.Is(err, safefile.ErrNotRegular) {
				return nil, usageError{fmt.Errorf("plot: --in: %w", err)}
			}
			return nil, err
		}
		for _, l := range ls {
			at := fmt.Sprintf("%s line %d", path, l.Line)
			if why := l.Row.Unusable(); why != "" {
				fmt.Fprintf(stderr, "explorer: plot: skipped %s (%s): %s\n", at, l.Row.Name, why)
				continue
			}
			if prev, dup := first[l.Row.RunKey()]; dup {
				// A --profile sweep appends a profiled row for a design
				// whose row had none: that one is drawn.
				if l.Row.Profiled() && !rows[prev.i].Profiled() {
					fmt.Fprintf(stderr, "explorer: plot: %s (%s) is drawn instead of %s: the same design and configuration, with a profile\n", at, l.Row.Name, prev.at)
					rows[prev.i] = l.Row
					first[l.Row.RunKey()] = read{at, prev.i}
					continue
				}
				fmt.Fprintf(stderr, "explorer: plot: skipped %s (%s): the same design and configuration as %s\n", at, l.Row.Name, prev.at)
				continue
			}
			first[l.Row.RunKey()] = read{at, len(rows)}
			rows = append(rows, l.Row)
		}
	}
	if len(histNotes) > 0 && len(histNotes) == 2*files {
		var says []string
		for i := 0; i < len(histNotes); i += 2 {
			says = append(says, histNotes[i]+" is "+histNotes[i+1])
		}
		return nil, usagef("plot: %s", strings.Join(says, "; "))
	}
	for i := 0; i < len(histNotes); i += 2 {
		fmt.Fprintf(stderr, "explorer: plot: skipped %s, which is %s\n", histNotes[i], histNotes[i+1])
	}
	if len(rows) == 0 {
		return nil, usagef("plot: no usable rows in %s", list)
	}
	return rows, nil
}

// historyNote says that path is a history file of n results ("a history
// file ..." to follow "PATH is "), what plot reads instead, and where a
// history is drawn.
func historyNote(path string, n int) string {
	return fmt.Sprintf("a history file (%d result(s) of `explorer run`), not sweep results: plot draws the results files "+
		"that `explorer sweep --out FILE` writes; the interactive explorer draws a history's results on its gap chart: explorer ui --history %s",
		n, shellWord(path))
}

// shellWord quotes s for the user's shell when it needs it: POSIX single
// quotes, or on Windows double quotes (cmd.exe and PowerShell read no
// single quotes; a path's backslashes and drive colon need none).
func shellWord(s string) string {
	safe := "-_./,:+=@%"
	if runtime.GOOS == "windows" {
		safe += `\`
	}
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(safe, r))
	}) {
		return s
	}
	if runtime.GOOS == "windows" {
		return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// splitNames splits list at the commas that separate names, where a name
// may itself contain commas (a grid design's "depths=1,1,1"): known
// reports the names of the rows. The whole list, when known, is one name;
// otherwise, from the left, the longest run of comma-separated pieces that
// is known is taken as one name, and an unknown name runs up to the next
// known one. Names are trimmed of spaces (unknown ones of commas too);
// empty ones are dropped.
func splitNames(list string, known func(string) bool) []string {
	if n := strings.TrimSpace(list); known(n) {
		return []string{n}
	}
	pieces := strings.Split(list, ",")
	// longest returns the end of the longest known name starting at
	// piece i, or 0 when none is.
	longest := func(i int) int {
		for j := len(pieces); j > i; j-- {
			if known(strings.TrimSpace(strings.Join(pieces[i:j], ","))) {
				return j
			}
		}
		return 0
	}
	var out []string
	for i := 0; i < len(pieces); {
		n, j := "", longest(i)
		if j > 0 {
			n = strings.TrimSpace(strings.Join(pieces[i:j], ","))
		} else { // unknown: up to the next piece that starts a known name
			for j = i + 1; j < len(pieces) && longest(j) == 0; j++ {
			}
			n = strings.Trim(strings.Join(pieces[i:j], ","), ", ")
		}
		if n != "" {
			out = append(out, n)
		}
		i = j
	}
	return out
}

// pickProfiles reads --profile-of: every name must be the Name or Preset of
// a profiled row. Names may contain commas (see [splitNames]).
func pickProfiles(list string, rows []sweep.Row) (map[string]bool, error) {
	pick := map[string]bool{}
	known := func(n string) bool {
		return n != "" && slices.ContainsFunc(rows, func(r sweep.Row) bool { return r.Name == n || r.Preset != "" && r.Preset == n })
	}
	for _, n := range splitNames(list, known) {
		found, profiled := false, false
		for _, r := range rows {
			if r.Name == n || r.Preset != "" && r.Preset == n {
				found = true
				profiled = profiled || len(r.Categories) > 0
			}
		}
		switch {
		case !found:
			var names []string
			for _, r := range rows {
				if len(r.Categories) > 0 && !slices.Contains(names, r.Name) {
					names = append(names, r.Name)
				}
			}
			known := "none of the rows is profiled (sweep with --profile)"
			if len(names) > 0 {
				if len(names) > 8 {
					names = append(names[:8], "...")
				}
				known = "profiled designs: " + strings.Join(names, ", ")
			}
			return nil, usagef("invalid --profile-of %q: no row of that name or preset (%s)", n, known)
		case !profiled:
			return nil, usagef("invalid --profile-of %q: its rows have no profile (sweep it with --profile)", n)
		}
		pick[n] = true
	}
	if len(pick) == 0 {
		return nil, usagef(`invalid --profile-of %q (valid: design names or presets, comma-separated)`, list)
	}
	return pick, nil
}

// renderPlots writes every chart and the CSV of the points; it returns the
// files written; when ctx ends it stops before the next file and returns
// the files written and the exit-130 error. pick, if not nil, names the designs (Name or Preset)
// whose profiles are drawn. A chart leaves out the rows that lack its
// metric and says so on stderr; opts apply to every file written. A chart
// that fails is said on stderr and the others are still drawn, the CSV
// still written; the error then names every chart not drawn. No file is
// written twice: a name already written in this run gets "-2", "-3", ...
func renderPlots(ctx context.Context, rows []sweep.Row, dir, format string, maxProfiles int, pick map[string]bool, fb *plots.Fallback, stdout, stderr io.Writer, opts ...safefile.Option) ([]string, error) {
	groups := sweep.GroupByConfig(rows)
	var files, failed []string
	taken := map[string]bool{}
	// claim returns the path of the chart called name, unique in this run.
	claim := func(name string) string {
		n := name
		for k := 2; taken[n]; k++ {
			n = fmt.Sprintf("%s-%d", name, k)
		}
		taken[n] = true
		if n != name {
			fmt.Fprintf(stderr, "explorer: plot: %s.%s is already written in this run (two designs' names make the same file name); this one is %s.%s\n", name, format, n, format)
		}
		return filepath.Join(dir, n+"."+format)
	}
	fail := func(name string, err error) {
		fmt.Fprintf(stderr, "explorer: plot: %s not drawn: %v\n", name, forceHint(err))
		failed = append(failed, name)
	}
	// save draws p, built by a chart function that returned err, as name;
	// after ctx has ended it writes nothing.
	save := func(name string, p *plot.Plot, err error, width, height vg.Length) {
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			path := claim(name)
			var saved plots.Saved
			if saved, err = plots.Save(p, width, height, path, fb, opts...); err == nil {
				files = append(files, path)
				if note := saved.Note(path, fb); note != "" {
					fmt.Fprintf(stderr, "explorer: plot: %s\n", note)
				}
				return
			}
		}
		fail(name, err)
	}
	// Each configuration's charts are named by what sets it apart
	// ("gap-flops-eager", "correlation-cpu-two").
	suffixes := chartdata.ConfigSuffixes(groups)
	suffix := func(i int) string { return suffixes[i] }

	var all []sweep.Row
	for _, g := range groups {
		all = append(all, g.Rows...)
	}
	// Gap scatters per configuration (host, backend, kernel set, mode, threads), whole
	// networks apart from the guideline micro-networks: latencies of other
	// machines or configurations do not rank against each other, and the
	// micro-networks' GFLOPs would squeeze the whole networks into a corner.
	for i, g := range groups {
		if ctx.Err() != nil {
			return files, cancelledExit()
		}
		pts := make([]chartdata.Point, len(g.Rows))
		for k, r := range g.Rows {
			pts[k] = chartdata.PointFromRow(r)
		}
		for _, set := range chartdata.GapSets(pts, g.Label, suffix(i), plots.MetricFLOPs, plots.MetricMAC, plots.MetricRoofline) {
			fmt.Fprintf(stdout, "%s, %s: %s\n", g.Label, set.Scope, set.Words)
			for _, c := range set.Charts {
				if note := c.Note(); note != "" {
					fmt.Fprintf(stderr, "explorer: plot: %s\n", note)
				}
				if c.Points == nil {
					continue
				}
				p, err := plots.Gap(c.Points, c.Options)
				save(c.Name, p, err, 9*vg.Inch, 6*vg.Inch)
			}
		}
	}

	// Correlation chart and table and the equal-MAdds pairs per config and
	// scope, by the gap charts' rule: a micro-network's latency does not
	// rank against a whole network's. Every metric left out is named with
	// the reason, and a scope that cannot be ranked says why.
	for i, g := range groups {
		for _, sc := range chartdata.ByScope(g.Rows) {
			if ctx.Err() != nil {
				return files, cancelledExit()
			}
			title := g.Label + ", " + sc.Scope.String()
			name := "correlation" + suffix(i)
			if sc.Scope == chartdata.MicroNetworks {
				name = "correlation-micro" + suffix(i)
			}
			fmt.Fprintf(stdout, "%s (%s): rank correlation with median latency\n", title, designs(len(sc.Rows)))
			if why := sweep.Unranked(sc.Rows); why != "" {
				fmt.Fprintf(stdout, "  none: %s\n", why)
				fmt.Fprintf(stderr, "explorer: plot: %s not drawn: %s\n", name, why)
			} else {
				cr, left := chartdata.SweepCorrelations(sc.Rows)
				for _, c := range cr {
					fmt.Fprintf(stdout, "  %-18s Spearman %+.3f  Kendall tau-b %+.3f\n", c.Metric, c.Spearman, c.KendallTauB)
				}
				if err := writeLeftOut(stdout, "  ", left); err != nil {
					return files, err
				}
				for _, l := range left {
					fmt.Fprintf(stderr, "explorer: plot: %s leaves out %s: %s\n", name, l.Metric, l.Reason)
				}
				if len(cr) == 0 {
					fmt.Fprintf(stderr, "explorer: plot: %s not drawn: no metric ranks the designs\n", name)
				} else {
					p, err := plots.Correlation(cr)
					if err == nil {
						p.Title.Text += "\n" + title
					}
					save(name, p, err, plots.DefaultWidth, plots.DefaultHeight)
				}
			}
			if err := writePairs(stdout, title, sc.Rows, 3, sweep.DefaultPairTolerance); err != nil {
				return files, err
			}
		}
	}

	// Decomposition of each profiled design (eager beside fused when both
	// modes were profiled) and the roofline of each profiled row.
	// A design profiled on several kernel sets gets a chart per set, with
	// the set in its title and file name.
	type profiled struct{ eager, fused *sweep.Row }
	var order []string
	byDesign := map[string]*profiled{}
	wanted := func(r *sweep.Row) bool {
		return len(r.Categories) > 0 && (pick == nil || pick[r.Name] || r.Preset != "" && pick[r.Preset])
	}
	base := func(r sweep.Row) string { return fmt.Sprintf("%s|%s|%s|%d", r.Key, r.Host, r.Backend, r.Threads) }
	// A row's set as the gap charts group it (sweep.KernelSets: a row that
	// names none joins its configuration's set) or, where its
	// configuration names none (its mode's only row), the set of the
	// design's other rows.
	cfgSets := sweep.KernelSets(all)
	var profiledRows []sweep.Row
	for i := range all {
		if wanted(&all[i]) {
			profiledRows = append(profiledRows, all[i])
		}
	}
	designSets := runner.NewKernelSets(profiledRows, base, func(r sweep.Row) string { s, _ := cfgSets.Of(r); return s })
	setOf := func(r *sweep.Row) string { s, _ := designSets.Of(*r); return s }
	// kernels is the " generic"-style part of a title, and the
	// "-generic"-style part of a file name, for a design on several sets.
	kernels := func(r *sweep.Row) (title, file string) {
		if !designSets.Named(*r) {
			return "", ""
		}
		ks := setOf(r)
		if ks == "" {
			ks = "kernels unknown"
		}
		return ", " + ks, "-" + plots.FileSlug(ks)
	}
	for i := range all {
		r := &all[i]
		if !wanted(r) {
			continue
		}
		k := base(*r) + "|" + setOf(r)
		pr, ok := byDesign[k]
		if !ok {
			if len(order) >= maxProfiles {
				continue
			}
			pr = &profiled{}
			byDesign[k] = pr
			order = append(order, k)
		}
		if r.Mode == string(runner.Eager) {
			pr.eager = r
		} else {
			pr.fused = r
		}
	}
	// Profiled rows of several hosts: each per-design file names its host
	// (one design on two hosts got "-1t" and "-1t-2", blamed on the names).
	hostPart := func(*sweep.Row) string { return "" }
	hosts := map[string]bool{}
	for _, pr := range byDesign {
		for _, r := range []*sweep.Row{pr.eager, pr.fused} {
			if r != nil {
				hosts[chartdata.HostSlug(r.HostName, r.Host)] = true
			}
		}
	}
	if len(hosts) > 1 {
		hostPart = func(r *sweep.Row) string { return "-" + chartdata.HostSlug(r.HostName, r.Host) }
	}
	for _, k := range order {
		if ctx.Err() != nil {
			return files, cancelledExit()
		}
		pr := byDesign[k]
		var eager, fused []sweep.CategoryShare
		rows := []*sweep.Row{}
		if pr.eager != nil {
			eager = pr.eager.Categories
			rows = append(rows, pr.eager)
		}
		if pr.fused != nil {
			fused = pr.fused.Categories
			rows = append(rows, pr.fused)
		}
		r := rows[0]
		modes := plots.FileSlug(r.Mode) + "-"
		if len(rows) == 2 {
			modes = ""
		}
		// The name is slugged apart from the mode and threads, so that a
		// name with no ASCII letters gets FileSlug's stable stand-in.
		ktitle, kfile := kernels(r)
		p, err := chartdata.Decomposition(eager, fused)
		if err == nil {
			p.Title.Text += "\n" + r.Name + " (" + r.HostName + ktitle + ", " + strconv.Itoa(r.Threads) + "t)"
		}
		save("decomposition-"+plots.FileSlug(r.Name)+kfile+hostPart(r)+"-"+modes+strconv.Itoa(r.Threads)+"t", p, err, 10*vg.Inch, 5*vg.Inch)
		for _, r := range rows {
			name := "roofline-" + plots.FileSlug(r.Name) + kfile + hostPart(r) + "-" + plots.FileSlug(r.Mode) + "-" + strconv.Itoa(r.Threads) + "t"
			// Say why a profiled row has no roofline chart, as for
			// gap-roofline (it used to be left out silently).
			switch {
			case len(r.Ops) == 0:
				fmt.Fprintf(stderr, "explorer: plot: %s not drawn: its row has no per-op times (sweep it again with --profile)\n", name)
				continue
			case !r.Ceiling.Valid():
				fmt.Fprintf(stderr, "explorer: plot: %s not drawn: its row has no roofline calibration (swept with --calib off or a non-CPU backend)\n", name)
				continue
			}
			// Ops a log axis cannot draw (a hand-edited row) are left out
			// and named; a row with none left has no chart.
			pts := chartdata.RooflinePoints(r.Ops, 3)
			if note := chartdata.RooflineNote(name, r.Ops); note != "" {
				fmt.Fprintf(stderr, "explorer: plot: %s\n", note)
			}
			if len(pts) == 0 {
				continue
			}
			p, err := plots.Roofline(pts, chartdata.Ceilings(r.Ceiling))
			if err == nil {
				p.Title.Text += "\n" + r.Name + " (" + r.Mode + ", " + r.HostName + ktitle + ", " + strconv.Itoa(r.Threads) + "t)"
			}
			save(name, p, err, plots.RooflineWidth, plots.RooflineHeight)
		}
	}

	if ctx.Err() != nil {
		return files, cancelledExit()
	}
	path := filepath.Join(dir, "points.csv")
	if err := writePointsCSV(path, all, opts...); err != nil {
		fail("points.csv", err)
	} else {
		files = append(files, path)
	}
	if len(failed) > 0 {
		return files, fmt.Errorf("plot: %d output(s) not written: %s (why above)", len(failed), strings.Join(failed, ", "))
	}
	return files, nil
}

// writePointsCSV writes the rows' points in the one points CSV format
// (chartdata.WritePointsCSV, the export's too), atomically.
func writePointsCSV(path string, rows []sweep.Row, opts ...safefile.Option) error {
	pts := make([]chartdata.Point, len(rows))
	for i, r := range rows {
		pts[i] = chartdata.PointFromRow(r)
	}
	if err := safefile.Write(path, func(w io.Writer) error { return chartdata.WritePointsCSV(w, pts) }, opts...); err != nil {
		return fmt.Errorf("plot CSV: %w", err)
	}
	return nil
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
