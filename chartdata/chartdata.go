// Package chartdata turns the explorer's measured data (sweep rows and
// profiles, roofline calibrations, families) into the plain inputs of
// package plots, so `explorer plot` and the interactive explorer's export
// draw the same charts from the same conversions.
package chartdata

import (
	"fmt"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots"
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

// RooflinePoints are the profiled ops as roofline points, the labelled
// slowest ones named by their op ID.
func RooflinePoints(ops []sweep.OpPoint, labelled int) []plots.RooflinePoint {
	top := slowestOps(ops, labelled)
	pts := make([]plots.RooflinePoint, 0, len(ops))
	for _, op := range ops {
		pt := plots.RooflinePoint{Category: op.Category, Intensity: op.Intensity, GFLOPS: op.GFLOPS}
		if top[op.ID] {
			pt.Label = op.ID
		}
		pts = append(pts, pt)
	}
	return pts
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
// local speeds beside the paper's, each paper series drawn only when the
// paper gives every row. The name says the experiment, the scale and the
// platform whose channel sizes were built ("G1 x1, ARM sizes"), so charts
// of the same experiment at other sizes never share a title.
func Guideline(t guideline.Table, j int) plots.GuidelineData {
	d := plots.GuidelineData{Name: t.ID, Title: t.Title, LocalName: "this machine"}
	if !t.Whole {
		d.Name = fmt.Sprintf("%s x%d, %s", t.ID, t.Scales[j], t.Platform.Sizes())
	}
	gpu, arm := t.Speeds(guideline.PaperGPU, j), t.Speeds(guideline.PaperARM, j)
	for i, r := range t.Rows {
		row := plots.GuidelineRow{Label: r.Label, Local: r.Local[j]}
		if allPositive(gpu) {
			row.PaperGPU = gpu[i]
		}
		if allPositive(arm) {
			row.PaperARM = arm[i]
		}
		d.Rows = append(d.Rows, row)
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
