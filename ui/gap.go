package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost/costfmt"
)

// gapKeys are the gap chart's bindings.
type gapKeys struct {
	Axis, Up, Down, Sort key.Binding
}

func newGapKeys() gapKeys {
	return gapKeys{
		Axis: bind("x", "FLOPs/MAC", "x"),
		Up:   bind("↑/k", "scroll", "up", "k"),
		Down: bind("↓/j", "scroll", "down", "j"),
		Sort: bind("o", "sort", "o"),
	}
}

// gapSort orders the point list.
type gapSort int

const (
	sortX gapSort = iota // by FLOPs (or MAC)
	sortLatency
	sortName
	numSorts
)

var sortNames = [numSorts]string{"x", "latency", "name"}

// gapScreen is the gap chart: every measured design, FLOPs or MAC against
// latency on log-log axes, beside a scrollable list of the points.
type gapScreen struct {
	sess   *session
	keys   gapKeys
	mac    bool // x is MAC instead of FLOPs
	sortBy gapSort
	top    int // first list row shown
	w, h   int
}

func newGapScreen(sess *session) *gapScreen { return &gapScreen{sess: sess, keys: newGapKeys()} }

func (g *gapScreen) SetSize(w, h int) { g.w, g.h = w, h }

func (g *gapScreen) Capturing() bool { return false }

func (g *gapScreen) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, g.keys.Axis):
		g.mac = !g.mac
	case key.Matches(k, g.keys.Sort):
		g.sortBy = (g.sortBy + 1) % numSorts
	case key.Matches(k, g.keys.Up):
		g.top = max(0, g.top-1)
	case key.Matches(k, g.keys.Down):
		g.top = min(g.top+1, max(0, len(g.sess.points)-g.listRows()))
	}
	return nil
}

// Markers: one shape per family, and one for the current design.
const currentMarker = '◉'

func familyMarker(f arch.Family) rune {
	switch f {
	case arch.ShuffleNetV2:
		return '●'
	case arch.ShuffleNetV1:
		return '▲'
	case arch.MobileNetV2:
		return '■'
	case arch.MobileNetV1:
		return '◆'
	}
	return '+'
}

// legend names the markers, shorter on narrow terminals.
func legend(w int) string {
	if w >= 100 {
		return "● shufflenetv2  ▲ shufflenetv1  ■ mobilenetv2  ◆ mobilenetv1  + micro-net  ◉ current design  (h: from history)"
	}
	return "● snv2 ▲ snv1 ■ mnv2 ◆ mnv1 + micro ◉ current (h: history)"
}

// x is the point's x value in millions: FLOPs (2 x MAdds) or MAC.
func (g *gapScreen) x(p Point) float64 {
	if g.mac {
		return float64(p.MemAccess) / 1e6
	}
	return 2 * float64(p.MultAdds) / 1e6
}

func (g *gapScreen) isCurrent(p Point) bool {
	return g.sess.design != nil && p.Design == g.sess.design.spec.String()
}

// sorted returns the points in list order.
func (g *gapScreen) sorted() []Point {
	pts := slices.Clone(g.sess.points)
	slices.SortStableFunc(pts, func(a, b Point) int {
		switch g.sortBy {
		case sortLatency:
			return cmp.Compare(a.Latency, b.Latency)
		case sortName:
			return cmp.Compare(a.Label, b.Label)
		}
		return cmp.Compare(g.x(a), g.x(b))
	})
	return pts
}

// Layout of the gap screen: the list's width and the lines above the chart.
const (
	gapListWidth = 52
	gapHeadLines = 2
)

func (g *gapScreen) listRows() int { return max(1, g.h-gapHeadLines-2) }

func (g *gapScreen) View() string {
	st := g.sess.st
	xName := "MFLOPs (2×MAdds)"
	if g.mac {
		xName = "MAC (M elements)"
	}
	lines := []string{
		st.title.Render(fmt.Sprintf("Gap chart  x: %s  y: latency ms  (log-log)", xName)),
		legend(g.w),
	}
	pts := g.sorted()
	if len(pts) == 0 {
		lines = append(lines, "", st.dim.Render("No measured designs yet: press r on the explore screen, or load a history file."))
		return strings.Join(block(lines, g.w, g.h), "\n")
	}
	tw := min(gapListWidth+40, max(gapListWidth, g.w/2))
	cw, chh := g.w-tw-1, g.h-gapHeadLines
	var sp []scatterPoint
	for _, p := range pts {
		sp = append(sp, scatterPoint{X: g.x(p), Y: float64(p.Latency) / 1e6, Marker: familyMarker(p.Family)})
	}
	for _, p := range pts {
		if g.isCurrent(p) {
			sp = append(sp, scatterPoint{X: g.x(p), Y: float64(p.Latency) / 1e6, Marker: currentMarker, Hi: true})
		}
	}
	chart := scatter(sp, cw, chh, st.hi)
	lines = append(lines, columns(block(chart, cw, chh), block(g.listLines(pts, tw, chh), tw, chh))...)
	return strings.Join(lines, "\n")
}

// listLines are the points, scrolled, with the sort order named.
func (g *gapScreen) listLines(pts []Point, w, h int) []string {
	st := g.sess.st
	xh := "MFLOPs"
	if g.mac {
		xh = "MMAC"
	}
	runW := 3
	for _, p := range pts {
		runW = max(runW, len(p.Run)+2)
	}
	runW = min(runW, 18)
	lw := max(8, w-2-1-8-1-8-1-runW)
	lines := []string{st.head.Render(fit(fmt.Sprintf("  %-*s %8s %8s %s", lw, "design", xh, "ms", "run"), w))}
	rows := h - 2
	top := min(g.top, max(0, len(pts)-rows))
	for _, p := range pts[top:min(len(pts), top+rows)] {
		mk := familyMarker(p.Family)
		if g.isCurrent(p) {
			mk = currentMarker
		}
		run := p.Run
		if p.History {
			run += " h"
		}
		lines = append(lines, fmt.Sprintf("%c %-*s %8.1f %8s %s", mk, lw, trunc(p.Label, lw), g.x(p), costfmt.Millis(float64(p.Latency)/1e6), run))
	}
	lines = append(lines, st.dim.Render(fmt.Sprintf("%d-%d of %d · sorted by %s", top+1, min(len(pts), top+rows), len(pts), sortNames[g.sortBy])))
	return lines
}

func (g *gapScreen) ShortHelp() []key.Binding {
	km := g.keys
	n := len(g.sess.points)
	return []key.Binding{km.Axis, enabled(km.Up, n > 0), enabled(km.Down, n > 0), enabled(km.Sort, n > 0)}
}

func (g *gapScreen) FullHelp() [][]key.Binding { return [][]key.Binding{g.ShortHelp()} }
