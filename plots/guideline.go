package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// GuidelineRow is one configuration of a guideline experiment with its
// speeds (higher is faster; e.g. images/s = 1000 / latency in ms). Speeds of
// one series may be in any unit since each series is normalised to its first
// row.
type GuidelineRow struct {
	// Label names the configuration, e.g. "1:2", "g=8" or
	// "4-fragment-parallel"; required.
	Label string
	// Local is the speed measured on this machine.
	Local float64
	// PaperGPU is the paper's GPU speed (GTX 1080Ti, batches/s).
	PaperGPU float64
	// PaperARM is the paper's ARM speed (Snapdragon 810, images/s).
	PaperARM float64
}

// GuidelineData is one guideline experiment (G1..G4 of the ShuffleNet V2
// paper, Tables 1-4). Each of the three speed series (local, paper GPU,
// paper ARM) is drawn when it is > 0 in every row and left out when it is 0
// in every row (not measured, or not published); anything else is an error.
type GuidelineData struct {
	// Name is the guideline, e.g. "G1".
	Name string
	// Title states the guideline, e.g. "equal channel width minimises MAC".
	Title string
	// LocalName labels the local series; empty means "local".
	LocalName string
	// Rows are the configurations, the reference (speed 1) first; at least one.
	Rows []GuidelineRow
}

// Guideline builds a guideline chart: per configuration, grouped horizontal
// bars of local, paper-GPU and paper-ARM speed, each divided by its own first
// row, so the shapes compare across machines whose absolute speeds differ by
// orders of magnitude. A dashed line marks 1 (as fast as the first row).
func Guideline(exp GuidelineData) (*plot.Plot, error) {
	c, err := guidelineChart(exp)
	if err != nil {
		return nil, err
	}
	return c.plot, nil
}

func guidelineChart(exp GuidelineData) (*chart, error) {
	name := exp.Name
	if name == "" {
		name = "guideline"
	}
	if len(exp.Rows) == 0 {
		return nil, fmt.Errorf("%s chart: no rows", name)
	}
	local := exp.LocalName
	if local == "" {
		local = "local"
	}
	columns := []struct {
		name string
		get  func(GuidelineRow) float64
	}{
		{local, func(r GuidelineRow) float64 { return r.Local }},
		{"paper GPU (GTX 1080Ti)", func(r GuidelineRow) float64 { return r.PaperGPU }},
		{"paper ARM (Snapdragon 810)", func(r GuidelineRow) float64 { return r.PaperARM }},
	}
	labels := make([]string, len(exp.Rows))
	for i, r := range exp.Rows {
		if r.Label == "" {
			return nil, fmt.Errorf("%s chart: row %d has no label", name, i)
		}
		labels[i] = r.Label
	}

	type series struct {
		name string
		rel  []float64
	}
	var drawn []series
	for _, col := range columns {
		zeros := 0
		for i, r := range exp.Rows {
			v := col.get(r)
			if err := checkValue(fmt.Sprintf("row %d (%q) %s speed", i, r.Label, col.name), v, false); err != nil {
				return nil, fmt.Errorf("%s chart: %w", name, err)
			}
			if v == 0 {
				zeros++
			}
		}
		switch zeros {
		case len(exp.Rows):
			continue
		case 0:
		default:
			return nil, fmt.Errorf("%s chart: %s speed is 0 in %d of %d rows, want all > 0 (or all 0 to leave it out)",
				name, col.name, zeros, len(exp.Rows))
		}
		first := col.get(exp.Rows[0])
		rel := make([]float64, len(exp.Rows))
		for i, r := range exp.Rows {
			rel[i] = col.get(r) / first
		}
		drawn = append(drawn, series{col.name, rel})
	}
	if len(drawn) == 0 {
		return nil, fmt.Errorf("%s chart: every speed series is 0 in every row, nothing to plot", name)
	}

	title := name
	if exp.Title != "" {
		title += ": " + exp.Title
	}
	c := newChart(title)
	nominal(c.plot, labels, true)
	c.plot.X.Label.Text = fmt.Sprintf("speed relative to %q (higher is faster)", labels[0])
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	c.add(grid)
	c.add(newRefLine(1, true))
	for k, s := range drawn {
		b := groupSeries(s.rel, k, len(drawn), true, seriesColor(k))
		c.add(b)
		c.addLegend(s.name, b)
	}
	// A little room beyond the longest bar, so a bar at exactly 1 does not
	// touch the frame.
	c.plot.X.Min, c.plot.X.Max = 0, c.plot.X.Max*1.05
	return c, nil
}
