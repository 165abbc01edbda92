package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bars is one series of a grouped bar chart. Unlike plotter.BarChart, whose
// bar width and offset are lengths on the page, bars measures them in
// category units, so a chart keeps its proportions at any saved size.
// Category i sits at position i; a bar spans [i+offset-width/2,
// i+offset+width/2] along the category axis and [0, value] along the value
// axis.
type bars struct {
	values     []float64
	width      float64
	offset     float64
	horizontal bool // categories on the y axis, values along x
	color      color.Color
	outline    draw.LineStyle
}

var (
	_ plot.Plotter     = (*bars)(nil)
	_ plot.DataRanger  = (*bars)(nil)
	_ plot.Thumbnailer = (*bars)(nil)
)

// groupSeries returns series k of n bar series sharing each category slot,
// laid out side by side in 80% of the slot, series 0 first (leftmost, or
// topmost on a horizontal chart, whose category axis is inverted by
// [nominal]).
func groupSeries(values []float64, k, n int, horizontal bool, clr color.Color) *bars {
	w := 0.8 / float64(n)
	off := -0.4 + w/2 + float64(k)*w
	return &bars{
		values:     values,
		width:      w,
		offset:     off,
		horizontal: horizontal,
		color:      clr,
		outline:    draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)},
	}
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, v := range b.values {
		c0 := float64(i) + b.offset - b.width/2
		c1 := c0 + b.width
		var pts []vg.Point
		if b.horizontal {
			x0, x1, y0, y1 := trX(0), trX(v), trY(c0), trY(c1)
			pts = []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
		} else {
			x0, x1, y0, y1 := trX(c0), trX(c1), trY(0), trY(v)
			pts = []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
		}
		c.FillPolygon(b.color, c.ClipPolygonXY(pts))
		c.StrokeLines(b.outline, c.ClipLinesXY(append(pts, pts[0]))...)
	}
}

// DataRange implements plot.DataRanger; the value range always includes 0.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	cmin := b.offset - b.width/2
	cmax := float64(len(b.values)-1) + b.offset + b.width/2
	vmin, vmax := 0.0, 0.0
	for _, v := range b.values {
		vmin, vmax = math.Min(vmin, v), math.Max(vmax, v)
	}
	if b.horizontal {
		return vmin, vmax, cmin, cmax
	}
	return cmin, cmax, vmin, vmax
}

// Thumbnail implements plot.Thumbnailer.
func (b *bars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
	}
	c.FillPolygon(b.color, pts)
	c.StrokeLines(b.outline, append(pts, pts[0]))
}

// refLine is a dashed reference line across the whole data area: vertical at
// x = at when vertical is set, else horizontal at y = at.
type refLine struct {
	at       float64
	vertical bool
	style    draw.LineStyle
}

func newRefLine(at float64, vertical bool) *refLine {
	return &refLine{at: at, vertical: vertical, style: draw.LineStyle{
		Color:  gray,
		Width:  vg.Points(1),
		Dashes: []vg.Length{vg.Points(4), vg.Points(3)},
	}}
}

// Plot implements plot.Plotter.
func (r *refLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if r.vertical {
		x := trX(r.at)
		c.StrokeLines(r.style, c.ClipLinesXY([]vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})...)
		return
	}
	y := trY(r.at)
	c.StrokeLines(r.style, c.ClipLinesXY([]vg.Point{{X: c.Min.X, Y: y}, {X: c.Max.X, Y: y}})...)
}

// DataRange implements plot.DataRanger: the line's own coordinate joins the
// range, the other dimension is left alone (+Inf/-Inf are neutral there).
func (r *refLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	if r.vertical {
		return r.at, r.at, math.Inf(1), math.Inf(-1)
	}
	return math.Inf(1), math.Inf(-1), r.at, r.at
}

// Thumbnail implements plot.Thumbnailer.
func (r *refLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.style, c.Min.X, y, c.Max.X, y)
}

// nominal puts names on the category axis (x, or y when horizontal), with
// the first name at the top for horizontal charts, and pads the axis by half
// a slot on each side.
func nominal(p *plot.Plot, names []string, horizontal bool) {
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	a := &p.X
	if horizontal {
		a = &p.Y
		a.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	}
	a.Tick.Marker = plot.ConstantTicks(ticks)
	a.Tick.Length = 0
	a.Min, a.Max = -0.5, float64(len(names))-0.5
}

// xyOf is a helper that turns parallel slices into plotter.XYs.
func xyOf(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i].X, out[i].Y = xs[i], ys[i]
	}
	return out
}

// rangeMarks draws, on a horizontal bar series, a whisker per category from
// lo[i] to hi[i] along the value axis at the bar's centre, with end caps a
// third of the bar's width.
type rangeMarks struct {
	lo, hi        []float64
	offset, width float64
}

// Plot implements plot.Plotter.
func (r *rangeMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	for i := range r.lo {
		y := trY(float64(i) + r.offset)
		end := trY(float64(i)+r.offset+r.width/3) - y
		x0, x1 := trX(r.lo[i]), trX(r.hi[i])
		c.StrokeLines(sty, c.ClipLinesXY([]vg.Point{{X: x0, Y: y}, {X: x1, Y: y}})...)
		for _, x := range []vg.Length{x0, x1} {
			c.StrokeLines(sty, c.ClipLinesXY([]vg.Point{{X: x, Y: y - end}, {X: x, Y: y + end}})...)
		}
	}
}

// DataRange implements plot.DataRanger: the whiskers' values join the
// value axis.
func (r *rangeMarks) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for i := range r.lo {
		xmin, xmax = math.Min(xmin, r.lo[i]), math.Max(xmax, r.hi[i])
	}
	return xmin, xmax, math.Inf(1), math.Inf(-1)
}
