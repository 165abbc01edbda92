package plots

import (
	"errors"
	"fmt"
	"image/color"
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
	// Pair marks the two designs of the most misleading pair (nearly equal
	// metric, most different latency); a dashed line joins them.
	Pair bool
}

// GapOptions configures a [Gap] chart. The zero value plots MAdds on linear
// axes with a default title.
type GapOptions struct {
	// Metric is the quantity on the x axis.
	Metric Metric
	// LogX and LogY make the axes logarithmic; every value must then be > 0.
	LogX, LogY bool
	// Title replaces the default title "<metric> vs measured latency".
	Title string
	// Subtitle, when set, is the line under the title, e.g. which host,
	// configuration and networks the points are.
	Subtitle string
	// Caption, when set, replaces the rank correlations under the title:
	// the correlation said in words (chartdata.Gap.Words), wrapped.
	// Without it the chart gives Spearman's rho and Kendall's tau-b per
	// host.
	Caption string
}

// Gap builds the gap scatter: each design at (indirect metric, measured
// latency), one marker shape and colour per family, every point labelled
// without overlaps (crowded labels move out with a leader line), the
// current design ringed, the most misleading pair joined by a dashed line,
// and under the title either the caption or Spearman's rho and Kendall's
// tau-b of the metric against latency (one line per host when points come
// from several hosts). Log axes get plain tick labels (1, 2, 5 x 10^k).
// Designs with equal MAdds and different latencies are the gap the
// ShuffleNet V2 paper is about.
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
	if opts.Subtitle != "" {
		lines = append(lines, opts.Subtitle)
	}
	if opts.Caption != "" {
		lines = append(lines, wrapText(opts.Caption, captionWidth)...)
	}
	for _, h := range hostList {
		if opts.Caption != "" {
			break
		}
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

	xys := make(plotter.XYs, len(points))
	names := make([]string, len(points))
	radii := make([]vg.Length, len(points))
	colors := make([]color.Color, len(points))
	var current, pair plotter.XYs
	for i, pt := range points {
		xys[i] = plotter.XY{X: pt.X / div, Y: pt.LatencyMS}
		names[i] = pt.Label
		radii[i] = vg.Points(4)
		ci := families[familyName(pt)]
		if multiHost {
			ci = hosts[pt.Host]
		}
		colors[i] = seriesColor(ci)
		if pt.Current {
			current = append(current, xys[i])
			radii[i] = vg.Points(8)
		}
		if pt.Pair {
			pair = append(pair, xys[i])
		}
	}
	if len(pair) == 2 {
		l, err := plotter.NewLine(pair)
		if err != nil {
			return nil, fmt.Errorf("gap chart: pair: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: seriesColor(1), Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}
		c.add(l)
		c.addLegend("most misleading pair", l)
	}
	labels := newPlacedLabels(xys, names, radii...)
	labels.colors = colors
	if len(pair) == 2 {
		labels.avoid = [][2]plotter.XY{{pair[0], pair[1]}}
	}
	c.add(labels)

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
	pairs := 0
	for _, pt := range points {
		if pt.Pair {
			pairs++
		}
	}
	if pairs != 0 && pairs != 2 {
		return fmt.Errorf("%d points marked as the pair, want 0 or 2", pairs)
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
