package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
)

func costCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cost", "cost [--preset NAME|FILE] [knob flags] [--by op|stage|category] [--view as-written|fused] [--format table|json|csv]")
	fs.SetOutput(stderr)
	sf := addSpecFlags(fs)
	by := fs.String("by", "stage", "rows of the table and CSV: op|stage|category (--format json always has every op, stage and category)")
	view := fs.String("view", "as-written", "as-written (every op materialised) | fused (BN folded, ReLU fused, split/concat/shuffle zero-copy)")
	format := fs.String("format", "table", "table|json|csv")
	if err := parseArgs(fs, args); err != nil {
		return ignoreHelp(err)
	}
	rowsBy, err := costfmt.ParseBy(*by)
	if err != nil {
		return usageError{err}
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return usagef("invalid --format %q (valid: table|json|csv)", *format)
	}
	// JSON always holds every op, stage and category: a --by would be
	// silently ignored.
	if err := checkNeeds(fs, map[string]bool{"by": *format != "json"}, map[string]string{"by": "--format table or csv (--format json always has every op, stage and category)"}); err != nil {
		return err
	}
	spec, preset, err := sf.spec(fs)
	if err != nil {
		return err
	}
	g, err := arch.Build(spec)
	if err != nil {
		return usageError{err}
	}
	var plan *arch.Plan
	switch *view {
	case "as-written":
	case "fused":
		p := arch.FusedPlan(g)
		plan = &p
	default:
		return usagef("invalid --view %q (valid: as-written|fused)", *view)
	}
	rep := cost.Analyze(g, plan)
	switch *format {
	case "json":
		return costfmt.WriteJSON(stdout, spec, preset, rep)
	case "csv":
		return costfmt.WriteCSV(stdout, rowsBy, rep)
	}
	title := spec.String()
	if preset != "" {
		title = preset + ": " + title
	}
	fmt.Fprintf(stdout, "%s  [%s view]\n", title, rep.View)
	t := rep.Totals
	fmt.Fprintf(stdout, "MAdds %s (%d)  FLOPs %s  aux FLOPs %s  params %s (%d)  MAC %s elements = %s  AI %.1f FLOP/byte  launches %d\n",
		costfmt.Count(t.MultAdds), t.MultAdds, costfmt.Count(t.FLOPs), costfmt.Count(t.AuxFLOPs), costfmt.Count(t.Params), t.Params, costfmt.Count(t.MemAccess), costfmt.Bytes(t.Bytes), t.Intensity, t.Steps)
	// The channels the knobs produced, and where a rule rounded them (the
	// interactive explorer's cost pane shows the same notes).
	fmt.Fprintf(stdout, "%s\n\n", strings.Join(costfmt.ChannelNotes(g), "  "))
	switch *by {
	case "op":
		return writeOps(stdout, rep)
	case "category":
		return writeGroups(stdout, "category", rep.Categories)
	}
	return writeGroups(stdout, "stage", rep.Stages)
}

func writeGroups(w io.Writer, what string, groups []cost.Group) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tMAdds\tMAdds %%\tparams\tMAC (elements)\tMAC %%\tAI (FLOP/B)\tlaunches\t\n", what)
	for _, g := range groups {
		if g.MultAdds == 0 && g.MemAccess == 0 && g.Steps == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%.1f\t%.1f\t%d\t\n", g.Name, costfmt.Count(g.MultAdds), 100*g.MultAddsShare,
			costfmt.Count(g.Params), costfmt.Count(g.MemAccess), 100*g.MemAccessShare, g.Intensity, g.Steps)
	}
	return tw.Flush()
}

func writeOps(w io.Writer, rep cost.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// The G1 ratio is the conv's own (cost.G1); in the fused view a step's
	// MAC also counts the ops fused into it, so the header says whose.
	g1Header := "G1 MAC/bound"
	if rep.View == cost.Fused {
		g1Header = "G1 conv MAC/bound"
	}
	fmt.Fprintf(tw, "id\tkind\tcategory\tin -> out (NCHW)\tMAdds\tparams\tMAC (elements)\tAI\t%s\t\n", g1Header)
	for _, r := range rep.Rows {
		g1 := ""
		if r.G1 != nil {
			g1 = fmt.Sprintf("%.2f", r.G1.Ratio)
		}
		id := r.ID
		if len(r.Covers) > 1 {
			id += fmt.Sprintf(" (+%d fused)", len(r.Covers)-1)
		}
		if r.View {
			id += " (view)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s -> %s\t%d\t%d\t%d\t%.2f\t%s\t\n", id, r.Kind, r.Category, costfmt.ShapeList(r.In), costfmt.ShapeList(r.Out),
			r.MultAdds, r.Params, r.MemAccess, r.Intensity, g1)
	}
	return tw.Flush()
}
