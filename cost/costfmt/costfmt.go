// Package costfmt writes a cost report in the stable JSON and CSV formats of
// `explorer cost --format json|csv` (documented in the README), so every
// program that saves a cost report (the command, the interactive explorer's
// export) writes the same files. It also formats counts and byte sizes for
// people (Count, Bytes), so the command's tables and the interactive
// explorer print the same numbers the same way.
package costfmt

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

// Version is the version of the JSON format.
const Version = 1

// Document is the JSON format of a cost report.
type Document struct {
	Version    int          `json:"version"`
	Preset     string       `json:"preset,omitempty"`
	Spec       arch.Spec    `json:"spec"`
	View       cost.View    `json:"view"`
	Totals     cost.Totals  `json:"totals"`
	Stages     []cost.Group `json:"stages"`
	Categories []cost.Group `json:"categories"`
	Ops        []Op         `json:"ops"`
}

// Op is one row of the report (an op, or a step of the fused plan) in a
// [Document].
type Op struct {
	ID        string        `json:"id"`
	Kind      arch.OpKind   `json:"kind"`
	Stage     string        `json:"stage"`
	Unit      string        `json:"unit,omitempty"`
	Category  cost.Category `json:"category"`
	Covers    []string      `json:"covers,omitempty"`    // fused view: the graph ops the step runs
	ZeroCopy  bool          `json:"zero_copy,omitempty"` // fused view: a view, no launch (split, concat, shuffle folded away)
	In        [][4]int      `json:"in"`
	Out       [][4]int      `json:"out"`
	MultAdds  int64         `json:"madds"`
	AuxFLOPs  int64         `json:"aux_flops"`
	Params    int64         `json:"params"`
	MemAccess int64         `json:"mem_access"`
	Bytes     int64         `json:"bytes"`
	// G1Ratio is the 1x1 conv's own MAC over its G1 lower bound
	// ([cost.G1]); in the fused view, of the step's conv without the ops
	// fused into the step, whose MAC MemAccess includes.
	G1Ratio float64 `json:"g1_ratio,omitempty"`
}

// By names the rows of the CSV format.
type By string

// The CSV row kinds of `explorer cost --by`.
const (
	ByOp       By = "op"
	ByStage    By = "stage"
	ByCategory By = "category"
)

// ParseBy checks a --by value.
func ParseBy(s string) (By, error) {
	switch b := By(s); b {
	case ByOp, ByStage, ByCategory:
		return b, nil
	}
	return "", fmt.Errorf("invalid --by %q (valid: op|stage|category)", s)
}

func nchw(ss []arch.Shape) [][4]int {
	out := make([][4]int, len(ss))
	for i, s := range ss {
		out[i] = [4]int{s.N, s.C, s.H, s.W}
	}
	return out
}

// NewDocument converts a report of spec (loaded from preset, if any) into
// its JSON document.
func NewDocument(spec arch.Spec, preset string, rep cost.Report) Document {
	out := Document{Version: Version, Preset: preset, Spec: spec, View: rep.View, Totals: rep.Totals, Stages: rep.Stages, Categories: rep.Categories}
	for _, r := range rep.Rows {
		o := Op{ID: r.ID, Kind: r.Kind, Stage: r.Stage, Unit: r.Unit, Category: r.Category, In: nchw(r.In), Out: nchw(r.Out),
			MultAdds: r.MultAdds, AuxFLOPs: r.AuxFLOPs, Params: r.Params, MemAccess: r.MemAccess, Bytes: r.Bytes}
		if rep.View == cost.Fused {
			o.Covers, o.ZeroCopy = r.Covers, r.View
		}
		if r.G1 != nil {
			o.G1Ratio = r.G1.Ratio
		}
		out.Ops = append(out.Ops, o)
	}
	return out
}

// WriteJSON writes the report as an indented JSON [Document].
func WriteJSON(w io.Writer, spec arch.Spec, preset string, rep cost.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewDocument(spec, preset, rep)); err != nil {
		return fmt.Errorf("cost JSON: %w", err)
	}
	return nil
}

// ShapeList formats shapes as "NxCxHxW+NxCxHxW".
func ShapeList(ss []arch.Shape) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return strings.Join(parts, "+")
}

// WriteCSV writes the report as CSV: one line per row of the report (ByOp),
// or one per stage or category followed by a "total" line.
func WriteCSV(w io.Writer, by By, rep cost.Report) error {
	cw := csv.NewWriter(w)
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch by {
	case ByOp:
		// zero_copy (added last, columns are only ever added): true on a
		// fused view's zero-copy step, which launches nothing.
		cw.Write([]string{"id", "kind", "stage", "category", "in", "out", "madds", "aux_flops", "params", "mem_access", "bytes", "g1_ratio", "zero_copy"})
		for _, r := range rep.Rows {
			g1 := ""
			if r.G1 != nil {
				g1 = strconv.FormatFloat(r.G1.Ratio, 'f', 4, 64)
			}
			cw.Write([]string{r.ID, string(r.Kind), r.Stage, string(r.Category), ShapeList(r.In), ShapeList(r.Out),
				i64(r.MultAdds), i64(r.AuxFLOPs), i64(r.Params), i64(r.MemAccess), i64(r.Bytes), g1, strconv.FormatBool(r.View)})
		}
	case ByStage, ByCategory:
		groups := rep.Stages
		if by == ByCategory {
			groups = rep.Categories
		}
		cw.Write([]string{string(by), "madds", "madds_share", "aux_flops", "params", "mem_access", "mem_access_share", "bytes", "launches"})
		for _, g := range groups {
			cw.Write([]string{g.Name, i64(g.MultAdds), strconv.FormatFloat(g.MultAddsShare, 'f', 6, 64), i64(g.AuxFLOPs), i64(g.Params),
				i64(g.MemAccess), strconv.FormatFloat(g.MemAccessShare, 'f', 6, 64), i64(g.Bytes), strconv.Itoa(g.Steps)})
		}
		cw.Write([]string{"total", i64(rep.Totals.MultAdds), "1", i64(rep.Totals.AuxFLOPs), i64(rep.Totals.Params), i64(rep.Totals.MemAccess), "1", i64(rep.Totals.Bytes), strconv.Itoa(rep.Totals.Steps)})
	default:
		return fmt.Errorf("cost CSV: unknown row kind %q (valid: op|stage|category)", by)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("cost CSV: %w", err)
	}
	return nil
}
