// Package chartdata turns the explorer's measured data (sweep rows and
// profiles, roofline calibrations, families) into the plain inputs of
// package plots, so `explorer plot` and the interactive explorer's export
// draw the same charts from the same conversions.
package chartdata

import (
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/plot"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/guideline"
	"github.com/shufflelab/explorer/runner/sweep"
)

// FamilyTitle is the legend name of a family, e.g. "ShuffleNet v2"; other
// names (the guideline micro-networks) are returned as they are.
func FamilyTitle(f string) string {
	switch arch.Family(f) {
	case arch.ShuffleNetV2:
		return "ShuffleNet v2"
	case arch.ShuffleNetV1:
		return "ShuffleNet v1"
	case arch.MobileNetV2:
		return "MobileNet v2"
	case arch.MobileNetV1:
		return "MobileNet v1"
	}
	return f
}

// Ceilings are the roofs of a calibrated ceiling: the FMA peak and the L2
// and DRAM copy bandwidths.
func Ceilings(c calib.Ceiling) plots.Ceilings {
	return plots.Ceilings{PeakGFLOPS: c.PeakGFLOPS,
		Bandwidths: []plots.Bandwidth{{Name: "L2", GBps: c.L2GBps}, {Name: "DRAM", GBps: c.DRAMGBps}}}
}

// RooflinePoints are the profiled ops a roofline chart can draw as
// roofline points, the labelled slowest of them named by their op ID. An
// op whose intensity or GFLOP/s a log axis cannot draw ([Drawable]: 0
// GFLOP/s in a hand-edited row failed the whole chart) is left out;
// [RooflineNote] says which.
func RooflinePoints(ops []sweep.OpPoint, labelled int) []plots.RooflinePoint {
	var keep []sweep.OpPoint
	for _, op := range ops {
		if rooflineDrawable(op) {
			keep = append(keep, op)
		}
	}
	top := slowestOps(keep, labelled)
	pts := make([]plots.RooflinePoint, 0, len(keep))
	for _, op := range keep {
		pt := plots.RooflinePoint{Category: op.Category, Intensity: op.Intensity, GFLOPS: op.GFLOPS}
		if top[op.ID] {
			pt.Label = op.ID
		}
		pts = append(pts, pt)
	}
	return pts
}

// rooflineDrawable reports whether a roofline chart can draw op: both its
// axes are log axes.
func rooflineDrawable(op sweep.OpPoint) bool { return Drawable(op.Intensity) && Drawable(op.GFLOPS) }

// RooflineNote says what the roofline chart name of ops leaves out
// ([RooflinePoints]), "" when nothing: `roofline-x leaves out 1 of 18
// op(s) whose intensity or GFLOP/s a log axis cannot draw (from 1e-100 to
// 1e+100): conv1.0 (8.39 FLOP/byte, 0 GFLOP/s)`, or "roofline-x not
// drawn: ..." when it leaves out every op (the chart has no point to
// draw). Up to three ops are named.
func RooflineNote(name string, ops []sweep.OpPoint) string {
	var bad []string
	n := 0
	for _, op := range ops {
		if rooflineDrawable(op) {
			continue
		}
		n++
		if len(bad) < 3 {
			bad = append(bad, fmt.Sprintf("%s (%.3g FLOP/byte, %.3g GFLOP/s)", op.ID, op.Intensity, op.GFLOPS))
		}
	}
	if n == 0 {
		return ""
	}
	list := strings.Join(bad, ", ")
	if n > len(bad) {
		list += fmt.Sprintf(" and %d more", n-len(bad))
	}
	if n == len(ops) {
		return fmt.Sprintf("%s not drawn: none of its %d op(s) has an intensity and GFLOP/s a log axis can draw (from %g to %g): %s",
			name, n, LogAxisMin, LogAxisMax, list)
	}
	return fmt.Sprintf("%s leaves out %d of %d op(s) whose intensity or GFLOP/s a log axis cannot draw (from %g to %g): %s",
		name, n, len(ops), LogAxisMin, LogAxisMax, list)
}

// slowestOps marks the IDs of the n ops with the most time (the first of
// equal times).
func slowestOps(ops []sweep.OpPoint, n int) map[string]bool {
	out := map[string]bool{}
	for range n {
		best := -1
		for i, op := range ops {
			if !out[op.ID] && (best < 0 || op.TimeMS > ops[best].TimeMS) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out[ops[best].ID] = true
	}
	return out
}

// ShareRows are the category shares as decomposition rows (MAdds, MAC and
// measured time per category).
func ShareRows(cats []sweep.CategoryShare) []plots.ShareRow {
	rows := make([]plots.ShareRow, 0, len(cats))
	for _, c := range cats {
		rows = append(rows, plots.ShareRow{Category: c.Name, MAdds: float64(c.MAdds), MAC: float64(c.MAC), TimeMS: c.TimeMS})
	}
	return rows
}

// Guideline is the chart data of scale column j of a guideline table: the
// local speeds of every measured mode with their spread over rounds, beside
// the paper's (each paper series drawn only when the paper gives every
// row), the MAC of each row (the graph as written: the paper's MAC), the
// channel sizes, the verdict sentence and the measurement conditions. The
// name says the experiment, the scale and the platform whose channel sizes
// were built ("G1 x1, ARM sizes"), so charts of the same experiment at
// other sizes never share a title. Before measuring, the local series are
// left out.
func Guideline(t guideline.Table, j int) plots.GuidelineData {
	d := plots.GuidelineData{Name: t.ID, Title: t.Title, LocalName: "this machine", Conditions: t.Conditions()}
	if !t.Whole {
		d.Name = fmt.Sprintf("%s x%d, %s", t.ID, t.Scales[j], t.Platform.Sizes())
	}
	gpu, arm := t.Speeds(guideline.PaperGPU, j), t.Speeds(guideline.PaperARM, j)
	for _, r := range t.Rows {
		row := plots.GuidelineRow{Label: r.Label}
		if j < len(r.Specs) {
			row.Design = r.Channels(j)
		}
		if j < len(r.MAC) {
			row.MAC = float64(r.MAC[j])
		}
		// The fused plan's MAC beside it where a fused run was measured:
		// the traffic that run moved (G4's shortcut-only row moves as
		// much as "neither" once the add is in the epilogue).
		if j < len(r.MACFused) && slices.Contains(t.Modes, runner.Fused) {
			row.MACFused = float64(r.MACFused[j])
		}
		d.Rows = append(d.Rows, row)
	}
	for i := range d.Rows {
		if allPositive(gpu) {
			d.Rows[i].PaperGPU = gpu[i]
		}
		if allPositive(arm) {
			d.Rows[i].PaperARM = arm[i]
		}
	}
	measured := false
	for m, mode := range t.Modes {
		sp := t.ModeSpeeds(m, j)
		if !allPositive(sp) {
			continue
		}
		measured = true
		ls := plots.GuidelineSeries{Name: "this machine, " + string(mode), Speeds: sp,
			Lo: make([]float64, len(sp)), Hi: make([]float64, len(sp))}
		for i, r := range t.Rows {
			rounds := r.RoundsMS(m, j)
			b := float64(max(r.Specs[j].Batch, 1)) * 1000
			ls.Lo[i], ls.Hi[i] = b/slices.Max(rounds), b/slices.Min(rounds)
		}
		d.Local = append(d.Local, ls)
	}
	if measured {
		d.Verdict = t.Verdict(j).Sentence()
	}
	return d
}

func allPositive(v []float64) bool {
	for _, x := range v {
		if !(x > 0) {
			return false
		}
	}
	return true
}

// ElementwiseShares are the element-wise and data-movement categories'
// shares of a profile's MAC and time (0..1), the work guideline G4 says is
// not free although it has no MAdds; time is 0 when nothing was timed.
func ElementwiseShares(cats []sweep.CategoryShare) (mac, time float64) {
	var m, mt, t, tt float64
	for _, c := range cats {
		mt += float64(c.MAC)
		tt += c.TimeMS
		if c.Name == string(cost.CatElementwise) || c.Name == string(cost.CatDataMovement) {
			m += float64(c.MAC)
			t += c.TimeMS
		}
	}
	if mt > 0 {
		mac = m / mt
	}
	if tt > 0 {
		time = t / tt
	}
	return mac, time
}

// FusionWords says in one sentence what each execution mode spends on
// element-wise and data-movement work, e.g. "element-wise + data movement:
// 63% of MAC and 41% of time in eager execution; fusion leaves 10% of MAC
// and 7% of time." Either mode may be nil (not profiled).
func FusionWords(eager, fused []sweep.CategoryShare) string {
	part := func(cats []sweep.CategoryShare) string {
		mac, t := ElementwiseShares(cats)
		s := fmt.Sprintf("%.0f%% of MAC", 100*mac)
		if t > 0 {
			s += fmt.Sprintf(" and %.0f%% of time", 100*t)
		}
		return s
	}
	switch {
	case eager != nil && fused != nil:
		return "element-wise + data movement: " + part(eager) + " in eager execution; fusion leaves " + part(fused) + "."
	case eager != nil:
		return "element-wise + data movement: " + part(eager) + " in eager execution."
	case fused != nil:
		return "element-wise + data movement: " + part(fused) + " in fused execution."
	}
	return ""
}

// Decomposition is the chart of a design's category shares in each
// profiled mode, eager beside fused when both are given (nil: not
// profiled), with [FusionWords] as its caption.
func Decomposition(eager, fused []sweep.CategoryShare) (*plot.Plot, error) {
	var views []plots.DecompositionView
	if eager != nil {
		views = append(views, plots.DecompositionView{Name: "eager: every op its own kernel", Rows: ShareRows(eager)})
	}
	if fused != nil {
		views = append(views, plots.DecompositionView{Name: "fused: BN folded, ReLU and adds in epilogues", Rows: ShareRows(fused)})
	}
	return plots.DecompositionModes(views, FusionWords(eager, fused))
}
