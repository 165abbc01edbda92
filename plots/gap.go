package plots

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/shufflelab/explorer/runner/stats"
)

// Metric is an indirect cost measure plotted against latency.
type Metric int

// The indirect metrics. Counts ([MetricMAdds], [MetricFLOPs], [MetricMAC],
// [MetricParams]) are given as plain numbers (146e6 for 146M MAdds) and
// shown with an SI prefix chosen from the data; [MetricRoofline] is already
// a time in milliseconds.
const (
	// MetricMAdds is multiply-accumulates, the paper's and torchvision's "FLOPs".
	MetricMAdds Metric = iota
	// MetricFLOPs is floating-point operations, 2 x MAdds (+ auxiliary ops).
	MetricFLOPs
	// MetricMAC is the memory access cost in elements (the paper's MAC).
	MetricMAC
	// MetricParams is the number of parameters.
	MetricParams
	// MetricRoofline is a roofline estimate of the latency, in ms.
	MetricRoofline
)

// String returns the metric's short name as used in axis labels, e.g. "MAdds".
func (m Metric) String() string {
	switch m {
	case MetricMAdds:
		return "MAdds"
	case MetricFLOPs:
		return "FLOPs"
	case MetricMAC:
		return "MAC"
	case MetricParams:
		return "params"
	case MetricRoofline:
		return "roofline estimate"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// axisLabel returns the metric's axis label for values divided by the SI
// prefix's divisor, e.g. "MAdds (M)" or "MAC (M elements)".
func (m Metric) axisLabel(prefix string) string {
	unit := prefix
	switch m {
	case MetricMAC:
		unit = strings.TrimSpace(prefix + " elements")
	case MetricRoofline:
		unit = "ms"
	}
	if unit == "" {
		return m.String()
	}
	return fmt.Sprintf("%s (%s)", m, unit)
}

// GapPoint is one measured design on a [Gap] chart.
type GapPoint struct {
	// Label names the design beside its marker, e.g. "1.0x g=2"; required.
	Label string
	// Family groups designs under one marker shape and legend entry, e.g.
	// "ShuffleNet v2" or "MobileNet v2". Empty means "designs".
	Family string
	// Host names the machine that measured the point. When points carry
	// more than one host, each (family, host) pair becomes its own series,
	// coloured by host, and correlations are reported per host.
	Host string
	// X is the metric's value: a plain count (146e6 for 146M MAdds), or ms
	// for MetricRoofline.
	X float64
	// LatencyMS is the measured latency in milliseconds; must be > 0.
	LatencyMS float64
	// Current marks the design now selected in the explorer; it is ringed.
	Current bool
}

// GapOptions configures a [Gap] chart. The zero value plots MAdds on linear
// axes with a default title.
type GapOptions struct {
	// Metric is the quantity on the x axis.
	Metric Metric
	// LogX and LogY make the axes logarithmic; every value must then be > 0.
	LogX, LogY bool
	// Title replaces the default title "<metric> vs measured latency". The
	// rank correlations are always added below it.
	Title string
}

// Gap builds the gap scatter: each design at (indirect metric, measured
// latency), one marker shape and colour per family, every point labelled,
// the current design ringed, and Spearman's rho and Kendall's tau-b of the
// metric against latency in the title (one line per host when points come
// from several hosts). Designs with equal MAdds and different latencies are
// the gap the ShuffleNet V2 paper is about.
func Gap(points []GapPoint, opts GapOptions) (*plot.Plot, error) {
	c, err := gapChart(points, opts)
	if err != nil {
		return nil, err
	}
	return c.plot, nil
}

// gapSeries is the points of one (family, host) pair.
type gapSeries struct {
	family, host string
	xys          plotter.XYs
}

func gapChart(points []GapPoint, opts GapOptions) (*chart, error) {
	if err := checkGap(points, opts); err != nil {
		return nil, fmt.Errorf("gap chart: %w", err)
	}
	m := opts.Metric
	div, prefix := 1.0, ""
	if m != MetricRoofline {
		_, hi := minMax(gapXs(points))
		div, prefix = siPrefix(hi)
	}

	// Series in order of first appearance; families fix shapes, hosts
	// (when several) fix colours.
	var (
		series   []*gapSeries
		byKey    = map[[2]string]*gapSeries{}
		families = map[string]int{}
		hosts    = map[string]int{}
		hostList []string
	)
	for _, pt := range points {
		fam := familyName(pt)
		if _, ok := families[fam]; !ok {
			families[fam] = len(families)
		}
		if _, ok := hosts[pt.Host]; !ok {
			hosts[pt.Host] = len(hosts)
			hostList = append(hostList, pt.Host)
		}
		key := [2]string{fam, pt.Host}
		s, ok := byKey[key]
		if !ok {
			s = &gapSeries{family: fam, host: pt.Host}
			byKey[key] = s
			series = append(series, s)
		}
		s.xys = append(s.xys, plotter.XY{X: pt.X / div, Y: pt.LatencyMS})
	}
	multiHost := len(hosts) > 1

	title := opts.Title
	if title == "" {
		title = fmt.Sprintf("%s vs measured latency", m)
	}
	var lines []string
	for _, h := range hostList {
		var xs, ys []float64
		for _, pt := range points {
			if pt.Host == h {
				xs, ys = append(xs, pt.X), append(ys, pt.LatencyMS)
			}
		}
		line := correlationLine(xs, ys)
		if multiHost {
			line = hostName(h) + ": " + line
		}
		lines = append(lines, line)
	}
	c := newChart(title + "\n" + strings.Join(lines, "\n"))
	c.plot.X.Label.Text = m.axisLabel(prefix)
	c.plot.Y.Label.Text = "latency (ms)"
	c.add(plotter.NewGrid())

	for _, s := range series {
		sc, err := plotter.NewScatter(s.xys)
		if err != nil {
			return nil, fmt.Errorf("gap chart: series %q: %w", s.family, err)
		}
		ci := families[s.family]
		if multiHost {
			ci = hosts[s.host]
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(ci), Shape: seriesShape(families[s.family]), Radius: vg.Points(3.5)}
		c.add(sc)
		name := s.family
		if multiHost {
			name += " @ " + hostName(s.host)
		}
		c.addLegend(name, sc)
	}

	labels := plotter.XYLabels{XYs: make(plotter.XYs, len(points)), Labels: make([]string, len(points))}
	var current plotter.XYs
	for i, pt := range points {
		labels.XYs[i] = plotter.XY{X: pt.X / div, Y: pt.LatencyMS}
		labels.Labels[i] = pt.Label
		if pt.Current {
			current = append(current, labels.XYs[i])
		}
	}
	lp, err := newPointLabels(labels, vg.Points(6))
	if err != nil {
		return nil, fmt.Errorf("gap chart: labels: %w", err)
	}
	c.add(lp)

	if len(current) > 0 {
		ring, err := plotter.NewScatter(current)
		if err != nil {
			return nil, fmt.Errorf("gap chart: current design: %w", err)
		}
		ring.GlyphStyle = draw.GlyphStyle{Color: seriesColor(1), Shape: thickRing{}, Radius: vg.Points(7)}
		c.add(ring)
		c.addLegend("current design", ring)
	}

	xlo, xhi := minMax(gapXs(points))
	ylo, yhi := minMax(gapLatencies(points))
	if opts.LogX {
		setLog(&c.plot.X, xlo/div, xhi/div)
	} else {
		c.plot.X.Min = 0
	}
	if opts.LogY {
		setLog(&c.plot.Y, ylo, yhi)
	} else {
		c.plot.Y.Min = 0
	}
	return c, nil
}

// correlationLine formats rho and tau-b of x against latency for a title.
func correlationLine(x, latency []float64) string {
	n := len(x)
	rho, err := stats.Spearman(x, latency)
	if err != nil {
		return fmt.Sprintf("rank correlation n/a (n=%d: %s)", n, reason(err))
	}
	tau, err := stats.KendallTauB(x, latency)
	if err != nil {
		return fmt.Sprintf("rank correlation n/a (n=%d: %s)", n, reason(err))
	}
	return fmt.Sprintf("Spearman %.2f, Kendall tau-b %.2f (n=%d)", rho, tau, n)
}

// reason is a short explanation of a correlation error for a chart title.
func reason(err error) string {
	switch {
	case errors.Is(err, stats.ErrTooFewPoints):
		return "too few points"
	case errors.Is(err, stats.ErrConstant):
		return "all values equal"
	}
	return err.Error()
}

func checkGap(points []GapPoint, opts GapOptions) error {
	if len(points) == 0 {
		return errors.New("no points")
	}
	if opts.Metric < MetricMAdds || opts.Metric > MetricRoofline {
		return fmt.Errorf("unknown metric %d", int(opts.Metric))
	}
	for i, pt := range points {
		if pt.Label == "" {
			return fmt.Errorf("point %d has no label", i)
		}
		what := fmt.Sprintf("point %d (%q)", i, pt.Label)
		if err := checkValue(what+" "+opts.Metric.String(), pt.X, opts.LogX); err != nil {
			if opts.LogX && finite(pt.X) {
				return fmt.Errorf("%w (log x axis)", err)
			}
			return err
		}
		if err := checkValue(what+" latency (ms)", pt.LatencyMS, true); err != nil {
			return err
		}
	}
	return nil
}

func familyName(pt GapPoint) string {
	if pt.Family == "" {
		return "designs"
	}
	return pt.Family
}

func hostName(h string) string {
	if h == "" {
		return "unknown host"
	}
	return h
}

func gapXs(points []GapPoint) []float64 {
	out := make([]float64, len(points))
	for i, pt := range points {
		out[i] = pt.X
	}
	return out
}

func gapLatencies(points []GapPoint) []float64 {
	out := make([]float64, len(points))
	for i, pt := range points {
		out[i] = pt.LatencyMS
	}
	return out
}

// thickRing is a ring glyph drawn with a 1.5 pt line, to highlight a point
// without hiding its own marker.
type thickRing struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (thickRing) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.5)})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}
