package plots

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Page size of a guideline chart for [Save]: its title carries the
// verdict and the conditions, and every row four or five bars.
const (
	GuidelineWidth  = 9 * vg.Inch
	GuidelineHeight = 6 * vg.Inch
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
	// Design, when set, gives the row's channel sizes beside its label,
	// e.g. "c1=32 c2=32".
	Design string
	// MAC, when > 0 in every row, is the row's memory access cost as
	// written (the paper's definition; any unit); it is drawn relative to
	// the first row beside the speeds.
	MAC float64
	// MACFused, when > 0 in every row, is the row's memory access cost in
	// the fused plan (BN folded, ReLU and residual adds in the conv
	// epilogues, zero-copy split/concat/shuffle: what a fused run moves);
	// it is drawn beside MAC.
	MACFused float64
}

// GuidelineSeries is one local speed series of a guideline chart with its
// spread over measurement rounds.
type GuidelineSeries struct {
	// Name labels the series, e.g. "this CPU, eager".
	Name string
	// Speeds are per row, higher is faster (the shown value, e.g. the
	// fastest round's); all > 0.
	Speeds []float64
	// Lo and Hi, when set, are per row the slowest and fastest round's
	// speed, drawn as a whisker.
	Lo, Hi []float64
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
	// Verdict, when set, is the verdict sentence, wrapped under the title.
	Verdict string
	// Conditions, when set, say how the local speeds were measured
	// (threads, batch, mode, rounds), under the verdict.
	Conditions string
	// Local, when set, replaces the rows' Local speeds with these series
	// (e.g. eager and fused, each with its spread over rounds).
	Local []GuidelineSeries
}

// Guideline builds a guideline chart: per configuration, grouped horizontal
// bars of the local speed (each local series, with whiskers from the
// slowest to the fastest round), the paper's GPU and ARM speeds, and the
// MAC, each divided by its own first row, so the shapes compare across
// machines whose absolute speeds differ by orders of magnitude (MAC is
// what the guideline is about: lower is less memory traffic). A dashed
// line marks 1 (as fast, or as much MAC, as the first row). The title
// carries the verdict and the measurement conditions.
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
	type column struct {
		name   string
		get    func(i int, r GuidelineRow) float64
		lo, hi []float64
		mac    bool
	}
	var columns []column
	if len(exp.Local) == 0 {
		columns = append(columns, column{name: local, get: func(_ int, r GuidelineRow) float64 { return r.Local }})
	}
	for _, ls := range exp.Local {
		if len(ls.Speeds) != len(exp.Rows) || ls.Lo != nil && len(ls.Lo) != len(exp.Rows) || ls.Hi != nil && len(ls.Hi) != len(exp.Rows) {
			return nil, fmt.Errorf("%s chart: series %q has %d speeds (%d lo, %d hi) for %d rows", name, ls.Name, len(ls.Speeds), len(ls.Lo), len(ls.Hi), len(exp.Rows))
		}
		columns = append(columns, column{name: ls.Name, get: func(i int, _ GuidelineRow) float64 { return ls.Speeds[i] }, lo: ls.Lo, hi: ls.Hi})
	}
	columns = append(columns,
		column{name: "paper GPU (GTX 1080Ti)", get: func(_ int, r GuidelineRow) float64 { return r.PaperGPU }},
		column{name: "paper ARM (Snapdragon 810)", get: func(_ int, r GuidelineRow) float64 { return r.PaperARM }},
		column{name: "MAC as written (lower: less memory traffic)", get: func(_ int, r GuidelineRow) float64 { return r.MAC }, mac: true},
		column{name: "MAC fused (lower: less memory traffic)", get: func(_ int, r GuidelineRow) float64 { return r.MACFused }, mac: true})
	labels := make([]string, len(exp.Rows))
	for i, r := range exp.Rows {
		if r.Label == "" {
			return nil, fmt.Errorf("%s chart: row %d has no label", name, i)
		}
		// A leading space keeps the widest label's first glyph off the
		// page edge (gonum sizes the axis by advance widths).
		labels[i] = " " + r.Label
		if r.Design != "" {
			labels[i] += " (" + r.Design + ")"
		}
	}

	type series struct {
		name   string
		rel    []float64
		lo, hi []float64
		mac    bool
	}
	var drawn []series
	for _, col := range columns {
		zeros := 0
		for i, r := range exp.Rows {
			v := col.get(i, r)
			if err := checkValue(fmt.Sprintf("row %d (%q) %s", i, r.Label, strings.TrimSuffix(col.name+" speed", " (lower: less memory traffic) speed")), v, false); err != nil {
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
			if col.mac {
				continue // MAC is optional: drawn only when every row has it
			}
			return nil, fmt.Errorf("%s chart: %s speed is 0 in %d of %d rows, want all > 0 (or all 0 to leave it out)",
				name, col.name, zeros, len(exp.Rows))
		}
		first := col.get(0, exp.Rows[0])
		sr := series{name: col.name, mac: col.mac, rel: make([]float64, len(exp.Rows))}
		for i, r := range exp.Rows {
			sr.rel[i] = col.get(i, r) / first
		}
		if col.lo != nil && col.hi != nil {
			sr.lo, sr.hi = make([]float64, len(exp.Rows)), make([]float64, len(exp.Rows))
			for i := range exp.Rows {
				sr.lo[i], sr.hi[i] = col.lo[i]/first, col.hi[i]/first
			}
		}
		drawn = append(drawn, sr)
	}
	if len(drawn) == 0 {
		return nil, fmt.Errorf("%s chart: every speed series is 0 in every row, nothing to plot", name)
	}

	title := name
	if exp.Title != "" {
		title += ": " + exp.Title
	}
	for _, extra := range []string{exp.Verdict, exp.Conditions} {
		if extra != "" {
			title += "\n" + strings.Join(wrapText(extra, captionWidth), "\n")
		}
	}
	c := newChart(title)
	c.plot.Title.TextStyle.Font.Size = vg.Points(10)
	nominal(c.plot, labels, true)
	c.plot.X.Label.Text = fmt.Sprintf("speed relative to %q (higher is faster)", exp.Rows[0].Label)
	if drawn[len(drawn)-1].mac {
		c.plot.X.Label.Text = fmt.Sprintf("speed and MAC relative to %q", exp.Rows[0].Label)
	}
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	c.add(grid)
	c.add(newRefLine(1, true))
	var whiskers bool
	macs := 0
	for k, s := range drawn {
		clr := seriesColor(k)
		if s.mac {
			// Grey for memory traffic, darker for the fused plan's.
			clr = color.Gray{Y: uint8(0xB0 - 0x40*macs)}
			macs++
		}
		b := groupSeries(s.rel, k, len(drawn), true, clr)
		c.add(b)
		c.addLegend(s.name, b)
		if s.lo != nil {
			c.add(&rangeMarks{lo: s.lo, hi: s.hi, offset: b.offset, width: b.width})
			// One round has no spread: no whisker to explain.
			for i := range s.lo {
				if s.lo[i] != s.hi[i] {
					whiskers = true
				}
			}
		}
	}
	if whiskers {
		c.addLegend("whisker: slowest to fastest round")
	}
	// A little room beyond the longest bar, so a bar at exactly 1 does not
	// touch the frame.
	c.plot.X.Min, c.plot.X.Max = 0, c.plot.X.Max*1.05
	return c, nil
}
