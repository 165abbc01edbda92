package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Page size of a roofline chart for [Save]: the legend explains the roofs
// and the points, and the data area stays wide.
const (
	RooflineWidth  = 9 * vg.Inch
	RooflineHeight = 5.5 * vg.Inch
)

// RooflinePoint is one operation on a [Roofline] chart.
type RooflinePoint struct {
	// Label annotates the point when non-empty (e.g. "stage3.0.conv1");
	// label only the few ops worth naming, a whole network is unreadable.
	Label string
	// Category groups points into one coloured series and legend entry,
	// e.g. "conv1x1" or "depthwise". Empty means "ops".
	Category string
	// Intensity is the arithmetic intensity in FLOPs per byte; must be > 0.
	Intensity float64
	// GFLOPS is the achieved rate in GFLOP/s (FLOPs / measured time); must
	// be > 0.
	GFLOPS float64
}

// Bandwidth is one memory-bandwidth ceiling of a roofline.
type Bandwidth struct {
	// Name is the memory level, e.g. "L2" or "DRAM".
	Name string
	// GBps is the bandwidth in GB/s (1e9 bytes per second); must be > 0.
	GBps float64
}

// Ceilings are a machine's roofs: peak compute and one or more bandwidths,
// ideally measured on the same machine as the points.
type Ceilings struct {
	// PeakGFLOPS is the peak compute rate in GFLOP/s; must be > 0.
	PeakGFLOPS float64
	// Bandwidths lists the memory ceilings; at least one is required.
	Bandwidths []Bandwidth
}

// Roofline builds a roofline chart: every op at (arithmetic intensity,
// achieved GFLOP/s) on log-log axes, one colour and marker per category,
// under the horizontal peak-compute line ("measured GEMM peak") and one
// diagonal line per bandwidth (GFLOP/s = GB/s x FLOPs/byte), each drawn up
// to its ridge point where it meets the peak. The legend says what a point
// is. A measured peak is not a law of nature: when an op runs faster than
// it (a calibration taken in a noisy moment), a dotted line marks the
// fastest op and the legend says the roof was measured below it.
func Roofline(points []RooflinePoint, ceilings Ceilings) (*plot.Plot, error) {
	c, err := rooflineChart(points, ceilings)
	if err != nil {
		return nil, err
	}
	return c.plot, nil
}

func rooflineChart(points []RooflinePoint, ceil Ceilings) (*chart, error) {
	if err := checkRoofline(points, ceil); err != nil {
		return nil, fmt.Errorf("roofline chart: %w", err)
	}
	peak := ceil.PeakGFLOPS

	// x range: every point and every ridge point, with a factor 2 margin.
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := peak, peak
	for _, pt := range points {
		xlo, xhi = math.Min(xlo, pt.Intensity), math.Max(xhi, pt.Intensity)
		ylo, yhi = math.Min(ylo, pt.GFLOPS), math.Max(yhi, pt.GFLOPS)
	}
	for _, b := range ceil.Bandwidths {
		ridge := peak / b.GBps
		xlo, xhi = math.Min(xlo, ridge), math.Max(xhi, ridge)
	}
	xlo, xhi = xlo/2, xhi*2
	for _, b := range ceil.Bandwidths {
		ylo = math.Min(ylo, b.GBps*xlo)
	}

	c := newChart("Roofline: achieved rate per op")
	c.plot.X.Label.Text = "arithmetic intensity (FLOPs/byte)"
	c.plot.Y.Label.Text = "achieved GFLOP/s"
	c.add(plotter.NewGrid())

	peakLine, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: peak}, {X: xhi, Y: peak}})
	if err != nil {
		return nil, fmt.Errorf("roofline chart: peak line: %w", err)
	}
	peakLine.LineStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}
	c.add(peakLine)
	c.addLegend(fmt.Sprintf("GEMM peak %s GFLOP/s (measured)", fmtNum(peak)), peakLine)

	dashes := [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}}
	for i, b := range ceil.Bandwidths {
		ridge := peak / b.GBps
		l, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: b.GBps * xlo}, {X: ridge, Y: peak}})
		if err != nil {
			return nil, fmt.Errorf("roofline chart: %s line: %w", b.Name, err)
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x40}, Width: vg.Points(1.2), Dashes: dashes[i%len(dashes)]}
		c.add(l)
		c.addLegend(fmt.Sprintf("%s %s GB/s", b.Name, fmtNum(b.GBps)), l)
	}

	// One series per category, in order of first appearance.
	var order []string
	byCat := map[string]plotter.XYs{}
	var labels plotter.XYLabels
	for _, pt := range points {
		cat := pt.Category
		if cat == "" {
			cat = "ops"
		}
		if _, ok := byCat[cat]; !ok {
			order = append(order, cat)
		}
		xy := plotter.XY{X: pt.Intensity, Y: pt.GFLOPS}
		byCat[cat] = append(byCat[cat], xy)
		if pt.Label != "" {
			labels.XYs = append(labels.XYs, xy)
			labels.Labels = append(labels.Labels, pt.Label)
		}
	}
	// The point series' heading, above them: at the end of the legend it
	// read as the wrapped tail of the entry before it.
	c.addLegend("one point per op of the plan:")
	for i, cat := range order {
		sc, err := plotter.NewScatter(byCat[cat])
		if err != nil {
			return nil, fmt.Errorf("roofline chart: category %q: %w", cat, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(i), Shape: seriesShape(i), Radius: vg.Points(3)}
		c.add(sc)
		c.addLegend(cat, sc)
	}
	if fastest := fastestPoint(points); fastest.GFLOPS > peak {
		l, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: fastest.GFLOPS}, {X: xhi, Y: fastest.GFLOPS}})
		if err != nil {
			return nil, fmt.Errorf("roofline chart: fastest op line: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: seriesColor(1), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}
		c.add(l)
		c.addLegend(fmt.Sprintf("fastest op %s GFLOP/s,", fmtNum(fastest.GFLOPS)), l)
		c.addLegend("above the measured peak")
	}
	if len(labels.Labels) > 0 {
		lp := newPlacedLabels(labels.XYs, labels.Labels, vg.Points(3))
		for _, pt := range points {
			lp.others = append(lp.others, plotter.XY{X: pt.Intensity, Y: pt.GFLOPS})
		}
		lp.otherRadius = vg.Points(3)
		// Keep labels off the roofs too.
		lp.avoid = append(lp.avoid, [2]plotter.XY{{X: xlo, Y: peak}, {X: xhi, Y: peak}})
		if f := fastestPoint(points).GFLOPS; f > peak {
			lp.avoid = append(lp.avoid, [2]plotter.XY{{X: xlo, Y: f}, {X: xhi, Y: f}})
		}
		for _, b := range ceil.Bandwidths {
			lp.avoid = append(lp.avoid, [2]plotter.XY{{X: xlo, Y: b.GBps * xlo}, {X: peak / b.GBps, Y: peak}})
		}
		c.add(lp)
	}

	yhi = math.Max(yhi, fastestPoint(points).GFLOPS)
	setLog(&c.plot.X, xlo, xhi)
	setLog(&c.plot.Y, ylo, yhi)
	// The lines span exactly [xlo, xhi]; no extra margin on x.
	c.plot.X.Min, c.plot.X.Max = xlo, xhi
	return c, nil
}

func checkRoofline(points []RooflinePoint, ceil Ceilings) error {
	if len(points) == 0 {
		return errors.New("no points")
	}
	if err := checkValue("peak GFLOP/s", ceil.PeakGFLOPS, true); err != nil {
		return err
	}
	if len(ceil.Bandwidths) == 0 {
		return errors.New("no bandwidth ceiling")
	}
	for i, b := range ceil.Bandwidths {
		if b.Name == "" {
			return fmt.Errorf("bandwidth %d has no name", i)
		}
		if err := checkValue(fmt.Sprintf("bandwidth %d (%q) GB/s", i, b.Name), b.GBps, true); err != nil {
			return err
		}
	}
	for i, pt := range points {
		what := fmt.Sprintf("point %d", i)
		if pt.Label != "" {
			what = fmt.Sprintf("point %d (%q)", i, pt.Label)
		}
		if err := checkValue(what+" intensity (FLOPs/byte, log axis)", pt.Intensity, true); err != nil {
			return err
		}
		if err := checkValue(what+" GFLOP/s (log axis)", pt.GFLOPS, true); err != nil {
			return err
		}
	}
	return nil
}

// fmtNum formats a ceiling for a legend: 3 significant digits below 1000
// ("116", "27.5", "0.5"), whole numbers from 1000 on ("1979", never "2e+03").
func fmtNum(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// fastestPoint is the point with the highest GFLOP/s (points is non-empty).
func fastestPoint(points []RooflinePoint) RooflinePoint {
	best := points[0]
	for _, p := range points[1:] {
		if p.GFLOPS > best.GFLOPS {
			best = p
		}
	}
	return best
}
