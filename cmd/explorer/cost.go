package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

func costCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cost", "cost [--preset NAME|FILE] [knob flags] [--by op|stage|category] [--view as-written|fused] [--format table|json|csv]")
	fs.SetOutput(stderr)
	sf := addSpecFlags(fs)
	by := fs.String("by", "stage", "rows: op|stage|category")
	view := fs.String("view", "as-written", "as-written (every op materialised) | fused (BN folded, ReLU fused, split/concat/shuffle zero-copy)")
	format := fs.String("format", "table", "table|json|csv")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("cost: unexpected argument %q", fs.Arg(0))
	}
	switch *by {
	case "op", "stage", "category":
	default:
		return usagef("invalid --by %q (valid: op|stage|category)", *by)
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return usagef("invalid --format %q (valid: table|json|csv)", *format)
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
		return writeCostJSON(stdout, spec, preset, rep)
	case "csv":
		return writeCostCSV(stdout, *by, rep)
	}
	title := spec.String()
	if preset != "" {
		title = preset + ": " + title
	}
	fmt.Fprintf(stdout, "%s  [%s view]\n", title, rep.View)
	t := rep.Totals
	fmt.Fprintf(stdout, "MAdds %s (%d)  FLOPs %s  aux FLOPs %s  params %s (%d)  MAC %s elements = %s  AI %.1f FLOP/byte  launches %d\n\n",
		human(t.MultAdds), t.MultAdds, human(t.FLOPs), human(t.AuxFLOPs), human(t.Params), t.Params, human(t.MemAccess), humanBytes(t.Bytes), t.Intensity, t.Steps)
	switch *by {
	case "op":
		return writeOps(stdout, rep)
	case "category":
		return writeGroups(stdout, "category", rep.Categories)
	}
	return writeGroups(stdout, "stage", rep.Stages)
}

// human formats a count with an SI suffix (M = 1e6).
func human(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return strconv.FormatFloat(f/1e9, 'f', 2, 64) + "G"
	case f >= 1e6:
		return strconv.FormatFloat(f/1e6, 'f', 2, 64) + "M"
	case f >= 1e3:
		return strconv.FormatFloat(f/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case f >= 1<<30:
		return fmt.Sprintf("%.2f GiB", f/(1<<30))
	case f >= 1<<20:
		return fmt.Sprintf("%.2f MiB", f/(1<<20))
	case f >= 1<<10:
		return fmt.Sprintf("%.1f KiB", f/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func writeGroups(w io.Writer, what string, groups []cost.Group) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tMAdds\tMAdds %%\tparams\tMAC (elements)\tMAC %%\tAI (FLOP/B)\tlaunches\t\n", what)
	for _, g := range groups {
		if g.MultAdds == 0 && g.MemAccess == 0 && g.Steps == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%.1f\t%.1f\t%d\t\n", g.Name, human(g.MultAdds), 100*g.MultAddsShare,
			human(g.Params), human(g.MemAccess), 100*g.MemAccessShare, g.Intensity, g.Steps)
	}
	return tw.Flush()
}

func shapeList(ss []arch.Shape) string {
	s := ""
	for i, x := range ss {
		if i > 0 {
			s += "+"
		}
		s += x.String()
	}
	return s
}

func writeOps(w io.Writer, rep cost.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "id\tkind\tcategory\tin -> out (NCHW)\tMAdds\tparams\tMAC (elements)\tAI\tG1 MAC/bound\t\n")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s -> %s\t%d\t%d\t%d\t%.2f\t%s\t\n", id, r.Kind, r.Category, shapeList(r.In), shapeList(r.Out),
			r.MultAdds, r.Params, r.MemAccess, r.Intensity, g1)
	}
	return tw.Flush()
}

// costJSON is the stable JSON format of `explorer cost` (documented in the README).
type costJSON struct {
	Version    int          `json:"version"`
	Preset     string       `json:"preset,omitempty"`
	Spec       arch.Spec    `json:"spec"`
	View       cost.View    `json:"view"`
	Totals     cost.Totals  `json:"totals"`
	Stages     []cost.Group `json:"stages"`
	Categories []cost.Group `json:"categories"`
	Ops        []opJSON     `json:"ops"`
}

type opJSON struct {
	ID        string        `json:"id"`
	Kind      arch.OpKind   `json:"kind"`
	Stage     string        `json:"stage"`
	Unit      string        `json:"unit,omitempty"`
	Category  cost.Category `json:"category"`
	Covers    []string      `json:"covers,omitempty"`
	In        [][4]int      `json:"in"`
	Out       [][4]int      `json:"out"`
	MultAdds  int64         `json:"madds"`
	AuxFLOPs  int64         `json:"aux_flops"`
	Params    int64         `json:"params"`
	MemAccess int64         `json:"mem_access"`
	Bytes     int64         `json:"bytes"`
	G1Ratio   float64       `json:"g1_ratio,omitempty"`
}

func nchw(ss []arch.Shape) [][4]int {
	out := make([][4]int, len(ss))
	for i, s := range ss {
		out[i] = [4]int{s.N, s.C, s.H, s.W}
	}
	return out
}

func writeCostJSON(w io.Writer, spec arch.Spec, preset string, rep cost.Report) error {
	out := costJSON{Version: 1, Preset: preset, Spec: spec, View: rep.View, Totals: rep.Totals, Stages: rep.Stages, Categories: rep.Categories}
	for _, r := range rep.Rows {
		o := opJSON{ID: r.ID, Kind: r.Kind, Stage: r.Stage, Unit: r.Unit, Category: r.Category, In: nchw(r.In), Out: nchw(r.Out),
			MultAdds: r.MultAdds, AuxFLOPs: r.AuxFLOPs, Params: r.Params, MemAccess: r.MemAccess, Bytes: r.Bytes}
		if len(r.Covers) > 1 {
			o.Covers = r.Covers
		}
		if r.G1 != nil {
			o.G1Ratio = r.G1.Ratio
		}
		out.Ops = append(out.Ops, o)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeCostCSV(w io.Writer, by string, rep cost.Report) error {
	cw := csv.NewWriter(w)
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	if by == "op" {
		cw.Write([]string{"id", "kind", "stage", "category", "in", "out", "madds", "aux_flops", "params", "mem_access", "bytes", "g1_ratio"})
		for _, r := range rep.Rows {
			g1 := ""
			if r.G1 != nil {
				g1 = strconv.FormatFloat(r.G1.Ratio, 'f', 4, 64)
			}
			cw.Write([]string{r.ID, string(r.Kind), r.Stage, string(r.Category), shapeList(r.In), shapeList(r.Out),
				i64(r.MultAdds), i64(r.AuxFLOPs), i64(r.Params), i64(r.MemAccess), i64(r.Bytes), g1})
		}
	} else {
		groups := rep.Stages
		if by == "category" {
			groups = rep.Categories
		}
		cw.Write([]string{by, "madds", "madds_share", "aux_flops", "params", "mem_access", "mem_access_share", "bytes", "launches"})
		for _, g := range groups {
			cw.Write([]string{g.Name, i64(g.MultAdds), strconv.FormatFloat(g.MultAddsShare, 'f', 6, 64), i64(g.AuxFLOPs), i64(g.Params),
				i64(g.MemAccess), strconv.FormatFloat(g.MemAccessShare, 'f', 6, 64), i64(g.Bytes), strconv.Itoa(g.Steps)})
		}
		cw.Write([]string{"total", i64(rep.Totals.MultAdds), "1", i64(rep.Totals.AuxFLOPs), i64(rep.Totals.Params), i64(rep.Totals.MemAccess), "1", i64(rep.Totals.Bytes), strconv.Itoa(rep.Totals.Steps)})
	}
	cw.Flush()
	return cw.Error()
}
