package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chart is a plot under construction that remembers what was added to it.
// gonum's Plot keeps its plotters and legend entries private; the record
// lets tests check a chart's structure without reflection.
type chart struct {
	plot     *plot.Plot
	plotters []plot.Plotter
	legend   []string
}

// newChart starts a plot in the package's house style: Liberation Sans
// (gonum's default is the serif face), numeric axes with [niceTicks], and the
// legend outside the data area, at the top right.
func newChart(title string) *chart {
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = vg.Points(6)
	p.Title.TextStyle.Font.Variant = sans
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Variant = sans
		a.Tick.Label.Font.Variant = sans
		a.Tick.Marker = niceTicks{}
	}
	p.Legend.TextStyle.Font.Variant = sans
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Padding = vg.Points(2)
	p.Legend.Top, p.Legend.Left = true, false
	// Off the canvas edge: a thumbnail flush with it loses its right
	// border to the image's edge.
	p.Legend.XOffs = -legendMargin
	c := &chart{plot: p}
	// Reserve the legend's column; it is the first plotter so tests can
	// skip it by position.
	c.add(legendSpace{c: c})
	return c
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// sans is the Liberation variant used for all text.
const sans = "Sans"

// newPointLabels labels chart points in 8-point sans text, dx to the right
// of and 3 points below each point.
func newPointLabels(xy plotter.XYLabels, dx vg.Length) (*plotter.Labels, error) {
	lp, err := plotter.NewLabels(xy)
	if err != nil {
		return nil, err
	}
	lp.Offset = vg.Point{X: dx, Y: vg.Points(-3)}
	for i := range lp.TextStyle {
		lp.TextStyle[i].Font.Size = vg.Points(8)
		lp.TextStyle[i].Font.Variant = sans
	}
	return lp, nil
}

// add adds plotters in drawing order.
func (c *chart) add(ps ...plot.Plotter) {
	c.plot.Add(ps...)
	c.plotters = append(c.plotters, ps...)
}

// addLegend adds a legend entry; an entry without thumbnails is a text line.
func (c *chart) addLegend(name string, thumbs ...plot.Thumbnailer) {
	c.plot.Legend.Add(name, thumbs...)
	c.legend = append(c.legend, name)
}

// seriesColor returns the i-th colour of the Okabe-Ito palette (Okabe and
// Ito, "Color Universal Design", 2008), which stays distinguishable under the
// common colour-vision deficiencies. Yellow is left out: it is unreadable on
// white. Colours repeat after seven series.
func seriesColor(i int) color.Color {
	palette := [...]color.RGBA{
		{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
		{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
		{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
		{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
		{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
		{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
		{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
	}
	return palette[i%len(palette)]
}

// seriesShape returns the i-th marker shape, filled shapes first. Shapes
// repeat after eight series.
func seriesShape(i int) draw.GlyphDrawer {
	shapes := [...]draw.GlyphDrawer{
		draw.CircleGlyph{},
		draw.BoxGlyph{},
		draw.PyramidGlyph{},
		draw.RingGlyph{},
		draw.SquareGlyph{},
		draw.TriangleGlyph{},
		draw.CrossGlyph{},
		draw.PlusGlyph{},
	}
	return shapes[i%len(shapes)]
}

// gray is used for reference lines (the y = 1 baseline, the zero line).
var gray = color.Gray{Y: 0x80}

// logTicks labels a log axis with plain numbers ("0.2", "5", "100", never
// "1e+02"). Unlike plot.LogTicks it also labels 2 and 5 (or every integer
// multiple) of a power of ten when the axis spans too little for three
// powers of ten to fall inside it, so a range such as 3..8 ms
// still gets labelled ticks, and it handles ranges below 1.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	first, last := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	inRange := func(mults []int) int {
		n := 0
		for e := first; e <= last; e++ {
			for _, m := range mults {
				if v := float64(m) * math.Pow10(e); v >= lo && v <= hi {
					n++
				}
			}
		}
		return n
	}
	// The first candidate with 3 to 7 labels; else the first with at
	// least 2; else every multiple.
	var labelled, fallback []int
	for _, cand := range [][]int{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}} {
		n := inRange(cand)
		if n >= 3 && n <= 7 {
			labelled = cand
			break
		}
		if n >= 2 && fallback == nil {
			fallback = cand
		}
	}
	switch {
	case labelled != nil:
	case fallback != nil:
		labelled = fallback
	default:
		labelled = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	}
	isLabelled := func(m int) bool {
		for _, l := range labelled {
			if l == m {
				return true
			}
		}
		return false
	}
	var ticks []plot.Tick
	labels := 0
	for e := first; e <= last; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if isLabelled(m) {
				t.Label = fmt.Sprintf("%.6g", v)
				labels++
			}
			ticks = append(ticks, t)
		}
	}
	if labels < 2 {
		// A span too narrow for two multiples of a power of ten (one
		// design's latency, 0.22..0.29 ms, had no label at all): the
		// linear axis's ticks, which a log scale within a factor of
		// about 2 bends too little to matter.
		return niceTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// niceTicks labels a linear axis at multiples of 1, 2 or 5 times a power of
// ten, about five labels per axis, with as many decimals as the step needs (gonum's
// default prints "250.00" where "250" is meant). Minor ticks divide each step
// into 5 (or 4 for a step of 2).
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	// The step of 1, 2 or 5 times a power of ten closest (in ratio) to a
	// fifth of the span.
	raw := (hi - lo) / 5
	mag := math.Pow10(int(math.Floor(math.Log10(raw))))
	step, minor := mag, 5
	best := math.Inf(1)
	for _, m := range []struct {
		mult  float64
		minor int
	}{{1, 5}, {2, 4}, {5, 5}, {10, 5}} {
		if d := math.Abs(math.Log(m.mult * mag / raw)); d < best {
			best, step, minor = d, m.mult*mag, m.minor
		}
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	sub := step / float64(minor)
	var ticks []plot.Tick
	for k := math.Ceil(lo / sub); k*sub <= hi*(1+1e-12)+1e-300; k++ {
		v := k * sub
		t := plot.Tick{Value: v}
		if int64(math.Round(k))%int64(minor) == 0 {
			if math.Abs(v) < sub*1e-6 {
				v = 0 // no "-0"
			}
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// legendMargin keeps the legend off the right edge of the canvas.
const legendMargin = vg.Length(6)

// legendSpace reserves a column at the right of the plot for the legend,
// which gonum otherwise draws over the data. It draws nothing. Its glyph
// boxes make gonum pad the data area: one at the right edge as wide as the
// legend, and one beyond each glyph (point label, marker) of the right half
// of the plot, so labels near the edge do not run into the legend either.
type legendSpace struct{ c *chart }

// Plot implements plot.Plotter; the legend itself is drawn by the plot.
func (legendSpace) Plot(draw.Canvas, *plot.Plot) {}

// GlyphBoxes implements plot.GlyphBoxer.
func (s legendSpace) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	r := p.Legend.Rectangle(draw.Canvas{})
	w := r.Max.X - r.Min.X
	if w <= 0 {
		return nil
	}
	w += vg.Points(12) + legendMargin // gap between data and legend, and the legend's own margin
	boxes := []plot.GlyphBox{{X: 1, Rectangle: vg.Rectangle{Max: vg.Point{X: w}}}}
	for _, pl := range s.c.plotters {
		gb, ok := pl.(plot.GlyphBoxer)
		if _, self := pl.(legendSpace); !ok || self {
			continue
		}
		for _, b := range gb.GlyphBoxes(p) {
			// Boxes in the left half cannot reach the legend; skipping them
			// also keeps gonum's padding solve away from a zero divisor.
			if b.X >= 0.5 && b.X <= 1 && b.Max.X > 0 {
				boxes = append(boxes, plot.GlyphBox{X: b.X, Rectangle: vg.Rectangle{
					Min: vg.Point{X: b.Max.X},
					Max: vg.Point{X: b.Max.X + w},
				}})
			}
		}
	}
	return boxes
}

// logScaleNote ends the label of a log axis: a reader must not take equal
// distances for equal differences.
const logScaleNote = ", log scale"

// setLog makes a a log axis spanning [lo, hi] with a margin of a few percent
// of the span on each side (at least a factor 1.15, so a single value still
// gets a visible range). lo and hi must be positive.
func setLog(a *plot.Axis, lo, hi float64) {
	if a.Label.Text != "" && !strings.HasSuffix(a.Label.Text, logScaleNote) {
		a.Label.Text += logScaleNote
	}
	f := math.Max(1.15, math.Pow(hi/lo, 0.06))
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
	a.Min, a.Max = lo/f, hi*f
}

// minMax returns the smallest and largest of vs, which must be non-empty.
func minMax(vs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// checkValue reports why v cannot be plotted, or nil. what names the value
// in the message (e.g. `point 3 ("1.0x") latency`).
func checkValue(what string, v float64, positive bool) error {
	switch {
	case !finite(v):
		return fmt.Errorf("%s is %v, want a finite number", what, v)
	case positive && v <= 0:
		return fmt.Errorf("%s is %v, want > 0", what, v)
	case v < 0:
		return fmt.Errorf("%s is %v, want >= 0", what, v)
	}
	return nil
}

// siPrefix picks a divisor and prefix so that max/div is between 1 and 1000
// (k, M or G; none below 1000).
func siPrefix(maxAbs float64) (div float64, prefix string) {
	switch {
	case maxAbs >= 1e9:
		return 1e9, "G"
	case maxAbs >= 1e6:
		return 1e6, "M"
	case maxAbs >= 1e3:
		return 1e3, "k"
	}
	return 1, ""
}

// barWidth is the width of one bar of a group of n bars sharing one category
// slot, given the length of one category step along the axis.
func barWidth(step vg.Length, n int) vg.Length {
	return step * 0.8 / vg.Length(n)
}

// captionWidth is the width in characters of the wrapped lines under a
// chart's title.
const captionWidth = 105

// wrapText breaks s into lines of at most width characters at spaces (a
// longer word keeps its own line).
func wrapText(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
