package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shufflelab/explorer/arch"
)

// gapCache keeps the rendered gap chart until the points, the axis, the
// current design or the size change.
type gapCache struct {
	dirty bool
	w, h  int
	lines []string
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

// gapX is the point's x value in millions: FLOPs (2 x MAdds) or MAC.
func (m *Model) gapX(p Point) float64 {
	if m.gapMAC {
		return float64(p.MemAccess) / 1e6
	}
	return 2 * float64(p.MultAdds) / 1e6
}

func (m *Model) isCurrent(p Point) bool { return p.Design == m.d.spec.String() }

// gapLines renders the gap screen: chart on the left, the points on the right.
func (m *Model) gapLines(w, h int) []string {
	if !m.gap.dirty && m.gap.w == w && m.gap.h == h && m.gap.lines != nil {
		return m.gap.lines
	}
	m.gap.dirty, m.gap.w, m.gap.h = false, w, h
	xName := "MFLOPs (2×MAdds)"
	if m.gapMAC {
		xName = "MAC (M elements)"
	}
	lines := []string{
		m.st.title.Render(fmt.Sprintf("Gap chart  x: %s  y: latency ms", xName)),
		legend(w),
	}
	if len(m.points) == 0 {
		m.gap.lines = append(lines, "", m.st.dim.Render("No measured designs yet: press r on the explore screen, or load a history file."))
		return m.gap.lines
	}
	pts := append([]Point(nil), m.points...)
	sort.SliceStable(pts, func(i, j int) bool { return m.gapX(pts[i]) < m.gapX(pts[j]) })

	tw := min(52, max(46, w/2))
	cw, chh := w-tw-1, max(4, h-len(lines))
	var sp []scatterPoint
	for _, p := range pts {
		sp = append(sp, scatterPoint{X: m.gapX(p), Y: float64(p.Latency) / 1e6, Marker: familyMarker(p.Family)})
	}
	for _, p := range pts {
		if m.isCurrent(p) {
			sp = append(sp, scatterPoint{X: m.gapX(p), Y: float64(p.Latency) / 1e6, Marker: currentMarker, Hi: true})
		}
	}
	chart := scatter(sp, cw, chh, func(s string) string { return m.st.tabOn.Render(s) })

	xh := "MFLOPs"
	if m.gapMAC {
		xh = "MMAC"
	}
	lw := max(8, tw-31)
	table := []string{m.st.head.Render(fmt.Sprintf("  %-*s %8s %7s %s", lw, "design", xh, "ms", "run"))}
	for _, p := range pts {
		mk := familyMarker(p.Family)
		if m.isCurrent(p) {
			mk = currentMarker
		}
		run := strings.TrimPrefix(p.Run, "native/")
		if p.History {
			run += " h"
		}
		table = append(table, fmt.Sprintf("%c %-*s %8.1f %7s %s", mk, lw, trunc(p.Label, lw), m.gapX(p), fmtMs(p.Latency), run))
	}
	for i := 0; i < chh; i++ {
		left, right := "", ""
		if i < len(chart) {
			left = chart[i]
		}
		if i < len(table) {
			right = table[i]
		}
		lines = append(lines, fit(left, cw)+" "+right)
	}
	if len(table) > chh {
		lines[len(lines)-1] = fit(last(chart), cw) + " " + m.st.dim.Render(fmt.Sprintf("… %d more points", len(table)-chh+1))
	}
	m.gap.lines = lines
	return lines
}

func last(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}
