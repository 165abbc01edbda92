package plots

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// placedLabels labels chart points without overlaps: each label goes in
// the first free spot around its marker (right, left, above, below, the
// diagonals), or, when the neighbourhood is crowded, farther out with a
// thin leader line to its point. Labels never cover another label or a
// marker and stay inside the data area. Placement happens at draw time,
// when the page size is known.
type placedLabels struct {
	xys    plotter.XYs
	labels []string
	style  text.Style
	// radius is the half-size of each marker to keep clear of.
	radius []vg.Length
	// colors, when set, colour each label (its series' colour).
	colors []color.Color
	// avoid are line segments (data coordinates) labels keep clear of.
	avoid [][2]plotter.XY
	// others are unlabelled points (data coordinates) labels keep clear
	// of, as markers of half-size otherRadius.
	others      plotter.XYs
	otherRadius vg.Length
	// placed records the last drawing's label boxes, for tests.
	placed []vg.Rectangle
}

// newPlacedLabels labels xys with labels in 8-point sans, keeping clear of
// markers of half-size radius[i] (one value for all when radius has one).
func newPlacedLabels(xys plotter.XYs, labels []string, radius ...vg.Length) *placedLabels {
	sty := text.Style{Color: color.Black, Font: font8(), Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YBottom}
	r := make([]vg.Length, len(xys))
	for i := range r {
		r[i] = radius[min(i, len(radius)-1)]
	}
	return &placedLabels{xys: xys, labels: labels, style: sty, radius: r}
}

// Plot implements plot.Plotter.
func (l *placedLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(l.xys))
	sizes := make([]vg.Point, len(l.xys))
	for i, xy := range l.xys {
		pts[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		sizes[i] = vg.Point{X: l.style.Width(l.labels[i]), Y: l.style.Height(l.labels[i])}
	}
	// A segment to avoid becomes a row of small markers along it.
	radius := slices.Clone(l.radius)
	for _, o := range l.others {
		pts = append(pts, vg.Point{X: trX(o.X), Y: trY(o.Y)})
		radius = append(radius, l.otherRadius)
	}
	for _, sg := range l.avoid {
		a := vg.Point{X: trX(sg[0].X), Y: trY(sg[0].Y)}
		b := vg.Point{X: trX(sg[1].X), Y: trY(sg[1].Y)}
		n := int(math.Hypot(float64(b.X-a.X), float64(b.Y-a.Y))/2) + 1
		for k := 1; k < n; k++ {
			f := vg.Length(k) / vg.Length(n)
			pts = append(pts, vg.Point{X: a.X + f*(b.X-a.X), Y: a.Y + f*(b.Y-a.Y)})
			radius = append(radius, vg.Points(1))
		}
	}
	boxes, far := placeLabels(pts[:len(l.xys)], sizes, radius, c.Rectangle, pts[len(l.xys):]...)
	l.placed = boxes
	leader := draw.LineStyle{Color: color.Gray{Y: 0x90}, Width: vg.Points(0.5)}
	for i, b := range boxes {
		if far[i] {
			c.StrokeLine2(leader, pts[i].X, pts[i].Y, clamp(pts[i].X, b.Min.X, b.Max.X), clamp(pts[i].Y, b.Min.Y, b.Max.Y))
		}
		sty := l.style
		if i < len(l.colors) && l.colors[i] != nil {
			sty.Color = l.colors[i]
		}
		c.FillText(sty, b.Min, l.labels[i])
	}
}

// font8 is the 8-point sans face of point labels.
func font8() font.Font {
	f := plotter.DefaultFont
	f.Variant = sans
	f.Size = vg.Points(8)
	return f
}

func clamp(v, lo, hi vg.Length) vg.Length { return max(lo, min(hi, v)) }

// placeLabels finds a box of size sizes[i] (width, height) for the label
// of every point pts[i], inside bounds, overlapping neither another label
// nor any marker (a square of half-size r[i] around point i). It tries the
// eight spots touching the marker, then rings of spots farther out (a
// label height apart); far[i] reports a label placed away from its marker,
// which needs a leader line. A label with no free spot at all (a page too
// small for its points) goes to the right of its marker. extra are more
// markers without labels (their half-sizes follow the points' in r).
func placeLabels(pts, sizes []vg.Point, r []vg.Length, bounds vg.Rectangle, extra ...vg.Point) (boxes []vg.Rectangle, far []bool) {
	gap := vg.Points(2)
	markers := make([]vg.Rectangle, 0, len(pts)+len(extra))
	for i, p := range append(slices.Clone(pts), extra...) {
		markers = append(markers, vg.Rectangle{Min: vg.Point{X: p.X - r[i], Y: p.Y - r[i]}, Max: vg.Point{X: p.X + r[i], Y: p.Y + r[i]}})
	}
	free := func(b vg.Rectangle, placed []vg.Rectangle) bool {
		if b.Min.X < bounds.Min.X || b.Min.Y < bounds.Min.Y || b.Max.X > bounds.Max.X || b.Max.Y > bounds.Max.Y {
			return false
		}
		for _, o := range placed {
			if overlaps(b, o) {
				return false
			}
		}
		for _, m := range markers {
			if overlaps(b, m) {
				return false
			}
		}
		return true
	}
	// Directions in order of preference: right, left, above, below, then
	// the diagonals; farther rings add the directions between them.
	near := []float64{0, 180, 90, 270, 45, 135, 315, 225}
	ring := make([]float64, 0, 16)
	for a := 0.0; a < 360; a += 22.5 {
		ring = append(ring, a)
	}
	boxes = make([]vg.Rectangle, len(pts))
	far = make([]bool, len(pts))
	var placed []vg.Rectangle
	for i, p := range pts {
		w, h := sizes[i].X, sizes[i].Y
		found := false
		for k := 0; k <= 12 && !found; k++ {
			dirs := near
			if k > 0 {
				dirs = ring
			}
			d := r[i] + gap + vg.Length(k)*(h+gap)
			for _, deg := range dirs {
				b := boxAt(p, d, deg, w, h)
				if free(b, placed) {
					boxes[i], far[i], found = b, k > 0, true
					break
				}
			}
		}
		if !found {
			boxes[i] = boxAt(p, r[i]+gap, 0, w, h)
		}
		placed = append(placed, boxes[i])
	}
	return boxes, far
}

// boxAt is a w x h box whose side nearest to p lies at distance d from p
// in direction deg (degrees, counter-clockwise from the right).
func boxAt(p vg.Point, d vg.Length, deg float64, w, h vg.Length) vg.Rectangle {
	rad := deg * math.Pi / 180
	cx, cy := math.Cos(rad), math.Sin(rad)
	x0 := boxStart(cx, p.X+d*vg.Length(cx), w)
	y0 := boxStart(cy, p.Y+d*vg.Length(cy), h)
	return vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + w, Y: y0 + h}}
}

// boxStart is where a box of length size starts along one axis so that it
// extends away from the anchor at in direction component c (-1..1): from
// the anchor when c points forward, up to it when backward, centred on it
// when c is near 0.
func boxStart(c float64, at, size vg.Length) vg.Length {
	switch {
	case c > 0.3:
		return at
	case c < -0.3:
		return at - size
	}
	return at - size/2
}

// overlaps reports whether two rectangles share an interior point.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}
