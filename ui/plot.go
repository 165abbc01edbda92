package ui

import (
	"math"
	"strconv"
	"strings"
)

// scatterPoint is one marker of a terminal scatter chart.
type scatterPoint struct {
	X, Y   float64
	Marker rune
	// Hi draws the marker in the highlight style (the current design).
	Hi bool
}

// logAxis maps positive values to cells on a base-10 logarithmic scale.
type logAxis struct{ lo, hi float64 } // log10 of the range ends

// newLogAxis spans the values with a little room on both sides; a single
// value gets a decade around it.
func newLogAxis(vals []float64) logAxis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if v > 0 && !math.IsInf(v, 0) {
			l := math.Log10(v)
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
	}
	if math.IsInf(lo, 0) {
		return logAxis{0, 1}
	}
	pad := math.Max(0.05*(hi-lo), 0.05)
	if hi-lo < 0.2 {
		pad = 0.1
	}
	return logAxis{lo - pad, hi + pad}
}

// cell maps v to a cell in [0, n).
func (a logAxis) cell(v float64, n int) int {
	if n <= 1 || !(v > 0) {
		return 0
	}
	f := (math.Log10(v) - a.lo) / (a.hi - a.lo)
	return max(0, min(n-1, int(math.Round(f*float64(n-1)))))
}

// ticks returns tick values inside the axis: 1-2-5 steps per decade when
// the axis spans at most two decades, finer steps when that gives fewer
// than three ticks, decades only beyond two decades.
func (a logAxis) ticks() []float64 {
	out := a.ticksAt([]float64{1, 2, 5})
	switch {
	case a.hi-a.lo > 2:
		out = a.ticksAt([]float64{1})
	case len(out) < 3:
		out = a.ticksAt([]float64{1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9})
	}
	return out
}

// ticksAt returns the values s x 10^d inside the axis, for each step s.
func (a logAxis) ticksAt(steps []float64) []float64 {
	var out []float64
	for d := math.Floor(a.lo); d <= math.Ceil(a.hi); d++ {
		for _, s := range steps {
			v := s * math.Pow(10, d)
			if l := math.Log10(v); l >= a.lo && l <= a.hi {
				out = append(out, v)
			}
		}
	}
	return out
}

// tickLabel writes a tick value plainly, to the two significant digits a
// tick has ("0.5", "1.5", "20", "150", "1000", "2000").
func tickLabel(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 2, 64), 64)
	if err != nil {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// scatter draws points on log-log axes in a w x h block of plain text:
// y tick labels on the left, x tick labels on the bottom row. Markers that
// fall on one cell keep the highlighted one, else the last drawn.
func scatter(pts []scatterPoint, w, h int, hi func(string) string) []string {
	if w < 12 || h < 4 {
		return nil
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.X, p.Y
	}
	ax, ay := newLogAxis(xs), newLogAxis(ys)
	yt := ay.ticks()
	lw := 1
	for _, t := range yt {
		lw = max(lw, len(tickLabel(t)))
	}
	gw, gh := w-lw-1, h-2 // plot cells; one row for the x axis, one for its labels
	if gw < 4 || gh < 2 {
		return nil
	}
	grid := make([][]rune, gh)
	hot := make([][]bool, gh)
	for r := range grid {
		grid[r] = []rune(strings.Repeat(" ", gw))
		hot[r] = make([]bool, gw)
	}
	for _, p := range pts {
		if !(p.X > 0) || !(p.Y > 0) {
			continue
		}
		c, r := ax.cell(p.X, gw), gh-1-ay.cell(p.Y, gh)
		if hot[r][c] && !p.Hi {
			continue
		}
		grid[r][c], hot[r][c] = p.Marker, p.Hi
	}
	labels := make([]string, gh)
	for _, t := range yt {
		labels[gh-1-ay.cell(t, gh)] = tickLabel(t)
	}
	out := make([]string, 0, h)
	for r := range grid {
		var b strings.Builder
		b.WriteString(strings.Repeat(" ", lw-len(labels[r])) + labels[r] + "┤")
		for c, ch := range grid[r] {
			if hot[r][c] && hi != nil {
				b.WriteString(hi(string(ch)))
			} else {
				b.WriteRune(ch)
			}
		}
		out = append(out, b.String())
	}
	axis := []rune(strings.Repeat("─", gw))
	lab := []rune(strings.Repeat(" ", gw))
	next := 0 // first free column for a label
	for _, t := range ax.ticks() {
		c := ax.cell(t, gw)
		axis[c] = '┬'
		s := []rune(tickLabel(t))
		start := max(c-len(s)/2, 0)
		if start < next || start+len(s) > gw {
			continue
		}
		copy(lab[start:], s)
		next = start + len(s) + 1
	}
	out = append(out, strings.Repeat(" ", lw)+"└"+string(axis), strings.Repeat(" ", lw+1)+string(lab))
	return out
}
