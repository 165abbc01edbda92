package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner/registry"
)

// gapKeys are the gap chart's bindings.
type gapKeys struct {
	Axis, Up, Down, Sort                                        key.Binding
	Host, Backend, Mode, Threads, Family, Session, Scope, Reset key.Binding
}

func newGapKeys() gapKeys {
	return gapKeys{
		Axis:    bind("x", "FLOPs/MAC", "x"),
		Up:      bind("↑/k", "scroll", "up", "k"),
		Down:    bind("↓/j", "scroll", "down", "j"),
		Sort:    bind("o", "sort", "o"),
		Host:    bind("h", "host", "h"),
		Backend: bind("b", "backend", "b"),
		Mode:    bind("m", "mode", "m"),
		Threads: bind("t", "threads", "t"),
		Family:  bind("f", "family", "f"),
		Session: bind("s", "this session", "s"),
		Scope:   bind("n", "whole/micro nets", "n"),
		Reset:   bind("d", "default filter", "d"),
	}
}

// gapScreen is the gap chart: the measured designs of one host and run
// configuration (by default this host and the explorer's backend, mode and
// threads, whole networks), FLOPs or MAC against latency on log-log axes,
// beside a scrollable, sortable list with each design's rank error, the
// correlation said in words and the most misleading pair named. The
// selection, ranks, correlations and words are package chartdata's, as in
// the exported and plotted gap charts.
type gapScreen struct {
	sess *session
	keys gapKeys
	mac  bool // x is MAC instead of FLOPs
	sort chartdata.SortKey
	// custom is the filter once the user changed one; until then the
	// default follows the explorer's backend, mode and threads.
	custom *chartdata.Filter
	top    int // first list row shown
	w, h   int
}

func newGapScreen(sess *session) *gapScreen {
	return &gapScreen{sess: sess, keys: newGapKeys(), sort: chartdata.ByRankError}
}

func (g *gapScreen) SetSize(w, h int) { g.w, g.h = w, h }

func (g *gapScreen) Capturing() bool { return false }

// filter is the filter in force.
func (g *gapScreen) filter() chartdata.Filter {
	if g.custom != nil {
		return *g.custom
	}
	d := g.sess.design
	if d == nil {
		return chartdata.DefaultFilter(g.sess.deps.HostKey, "", "", "", 0)
	}
	// A kernel set the knob names (not auto) is the default's too: runs
	// of another set do not rank against the current design's.
	return chartdata.DefaultFilter(g.sess.deps.HostKey, d.backend, registry.ForcedKernels(d.backend, d.kernels), string(d.mode), d.threads)
}

func (g *gapScreen) metric() plots.Metric {
	if g.mac {
		return plots.MetricMAC
	}
	return plots.MetricFLOPs
}

// selected are the points the filter keeps (one per design, told apart by
// the full key, and configuration), the current design (its full key)
// marked. Each keeps chartdata's label (chartdata.PointLabel: its preset
// where the design is the preset's, else chartdata.DesignLabel, "1x
// cls256"), the one the export and `explorer plot` give it; the list's
// marker says the family, and the sentences name it (Point.Name).
func (g *gapScreen) selected() []chartdata.Point {
	pts := chartdata.Select(g.sess.points, g.filter())
	var s *arch.Spec
	if d := g.sess.design; d != nil {
		s = &d.spec
	}
	chartdata.MarkCurrent(pts, s)
	return pts
}

func (g *gapScreen) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	km := g.keys
	f := g.filter()
	choices := chartdata.ChoicesOf(g.sess.points)
	changed, msg := true, ""
	switch {
	case key.Matches(k, km.Axis):
		g.mac, changed = !g.mac, false
	case key.Matches(k, km.Sort):
		keys := chartdata.SortKeys()
		g.sort, changed = keys[(slices.Index(keys, g.sort)+1)%len(keys)], false
	case key.Matches(k, km.Up):
		g.top, changed = max(0, g.top-1), false
	case key.Matches(k, km.Down):
		g.top, changed = min(g.top+1, max(0, len(g.selected())-g.listRows())), false
	case key.Matches(k, km.Host):
		var keys []string
		for _, h := range choices.Hosts {
			keys = append(keys, h.Key)
		}
		f.Host = next(withThis(keys, g.sess.deps.HostKey), f.Host)
	case key.Matches(k, km.Backend):
		// Each backend, and each of its kernel sets where it has several
		// (points of two sets do not rank against each other).
		f.Backend, f.Kernels = chartdata.ParseBackendRun(next(choices.BackendRuns(), chartdata.BackendRun(f.Backend, f.Kernels)))
	case key.Matches(k, km.Mode):
		f.Mode = next(choices.Modes, f.Mode)
	case key.Matches(k, km.Threads):
		var ts []string
		for _, n := range choices.Threads {
			ts = append(ts, strconv.Itoa(n))
		}
		cur := "" // any
		if f.Threads > 0 {
			cur = strconv.Itoa(f.Threads)
		}
		n, _ := strconv.Atoi(next(ts, cur))
		f.Threads = n
	case key.Matches(k, km.Family):
		// Only the families the kind filter (n) lets through: a family it
		// keeps out would show nothing, and the filter line, which names
		// the family in place of the kind, would hide why.
		var fs []string
		for _, fam := range choices.Families {
			if kindMatches(f.Scope, fam) {
				fs = append(fs, string(fam))
			}
		}
		f.Family = arch.Family(next(fs, string(f.Family)))
	case key.Matches(k, km.Session):
		f.SessionOnly = !f.SessionOnly
	case key.Matches(k, km.Scope):
		f.Scope = (f.Scope + 1) % (chartdata.AllNetworks + 1)
		if f.Family != "" && !kindMatches(f.Scope, f.Family) {
			msg = fmt.Sprintf("the family filter went: %s is not among %s", f.Family, f.Scope)
			f.Family = ""
		}
	case key.Matches(k, km.Reset):
		g.custom, g.top, changed = nil, 0, false
	default:
		changed = false
	}
	if changed { // the filter line under the title says what is shown now
		g.custom, g.top = &f, 0
	}
	if msg != "" {
		return info("%s", msg)
	}
	return nil
}

// kindMatches reports whether a network of family fam can pass a filter
// of scope (whole networks, micro-networks, all), by chartdata's rule.
func kindMatches(scope chartdata.Scope, fam arch.Family) bool {
	return chartdata.Filter{Scope: scope}.Match(chartdata.Point{Family: fam})
}

// next cycles a filter value: "" (any) first, then each value present.
func next(values []string, cur string) string {
	all := append([]string{""}, values...)
	all = slices.Compact(all)
	i := slices.Index(all, cur)
	return all[(i+1)%len(all)]
}

// withThis puts this host first among the host keys.
func withThis(keys []string, this string) []string {
	out := []string{this}
	for _, k := range keys {
		if k != this {
			out = append(out, k)
		}
	}
	return out
}

// hostName is the readable name of a host key.
func (g *gapScreen) hostName(key string) string {
	if key == g.sess.deps.HostKey {
		return g.sess.deps.HostName
	}
	for _, h := range chartdata.ChoicesOf(g.sess.points).Hosts {
		if h.Key == key {
			return h.Name
		}
	}
	return ""
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
	if w >= 110 {
		return "● shufflenetv2  ▲ shufflenetv1  ■ mobilenetv2  ◆ mobilenetv1  + micro-net  ◉ current design  ⇄ misleading pair"
	}
	return "● snv2 ▲ snv1 ■ mnv2 ◆ mnv1 + micro ◉ current ⇄ misleading pair"
}

// Layout of the gap screen: the list's least width, and the lines above
// the chart and below it.
const (
	gapListWidth  = 52
	gapChartWidth = 24 // the chart's least width while the list needs more than gapListWidth
	gapHeadLines  = 3
)

// layout is the screen's frame for the points pts: their analysis, the
// lines under the chart and the chart's height (the list's too).
func (g *gapScreen) layout(pts []chartdata.Point) (gap chartdata.Gap, words []string, chh int) {
	gap = chartdata.AnalyzeGap(pts, g.metric())
	words = g.wordLines(gap)
	return gap, words, g.h - g.headLines() - len(words)
}

// listRows is the number of points the list shows at once: the chart's
// height less the list's header and footer, with the words under the
// chart as many lines as they really take (the same figure View draws
// with, so scrolling reaches the last point).
func (g *gapScreen) listRows() int {
	_, _, chh := g.layout(g.selected())
	return max(1, chh-2)
}

// headLines is the number of lines above the chart: gapHeadLines, and
// the history note's (Deps.HistoryNote) where there is one.
func (g *gapScreen) headLines() int { return gapHeadLines + len(g.noteLines()) }

// noteLines are the history note in at most two lines of the screen's
// width (the log has it whole).
func (g *gapScreen) noteLines() []string {
	if g.sess.deps.HistoryNote == "" {
		return nil
	}
	return bounded(g.sess.deps.HistoryNote, g.w, 2)
}

// scrolls reports whether the list holds more points than it shows, so
// the help offers scrolling.
func (g *gapScreen) scrolls() bool { return len(g.selected()) > g.listRows() }

func (g *gapScreen) View() string {
	st := g.sess.st
	f := g.filter()
	xName := "MFLOPs (2×MAdds)"
	if g.mac {
		xName = "MAC (M elements)"
	}
	which := "default"
	if g.custom != nil {
		which = "filter"
	}
	lines := []string{
		st.title.Render(fmt.Sprintf("Gap chart  x: %s  y: latency ms  (log-log)", xName)),
		fit(st.accent.Render(which+": ")+f.Describe(g.hostName(f.Host)), g.w),
		legend(g.w),
	}
	for _, l := range g.noteLines() {
		lines = append(lines, fit(st.dim.Render(l), g.w))
	}
	pts := g.selected()
	if len(pts) == 0 {
		msg := "No measured designs pass this filter: press r on the explore screen, or change the filter (h b m t f s n; d resets it)."
		if len(g.sess.points) == 0 {
			msg = "No measured designs yet: press r on the explore screen, or load a history file."
		}
		lines = append(lines, "")
		lines = append(lines, wrap(msg, g.w)...)
		return strings.Join(block(lines, g.w, g.h), "\n")
	}
	gap, words, chh := g.layout(pts)
	// The list takes what its longest line needs, between its least width
	// and what leaves the chart gapChartWidth cells (the chart gets the
	// rest).
	tw := min(gapListWidth+40, max(gapListWidth, g.w-1-gapChartWidth), max(gapListWidth, listNeed(gap)))
	cw := g.w - tw - 1
	var sp []scatterPoint
	for _, p := range pts {
		sp = append(sp, scatterPoint{X: p.Value(g.metric()) / 1e6, Y: p.LatencyMS, Marker: familyMarker(p.Family)})
	}
	for _, p := range pts {
		if p.Current {
			sp = append(sp, scatterPoint{X: p.Value(g.metric()) / 1e6, Y: p.LatencyMS, Marker: currentMarker, Hi: true})
		}
	}
	chart := scatter(sp, cw, chh, st.hi)
	lines = append(lines, columns(block(chart, cw, chh), block(g.listLines(gap, tw, chh), tw, chh))...)
	lines = append(lines, words...)
	return strings.Join(block(lines, g.w, g.h), "\n")
}

// Lines under the gap chart: at least gapWordsMin for the words, more
// while the chart keeps gapChartMin lines.
const (
	gapWordsMin = 4
	gapChartMin = 10
)

// wordLines are the correlation's words and the misleading pair's
// sentence under the chart. The pair, which the list marks ⇄, is never
// left out: where the lines are too few, the correlation's words are cut
// ("…") first.
func (g *gapScreen) wordLines(gap chartdata.Gap) []string {
	words := wrap(gap.Words(), g.w)
	pairText := gap.PairWords() // the chart caption's sentence: the pair, or the closest one and why it is none
	var pair []string
	if pairText != "" {
		pair = wrap(pairText, g.w)
	}
	room := min(len(words)+len(pair), max(gapWordsMin, g.h-g.headLines()-gapChartMin))
	if len(words)+len(pair) <= room {
		return append(words, pair...)
	}
	np := min(len(pair), max(1, room-1))
	out := bounded(gap.Words(), g.w, room-np)
	if pairText != "" {
		out = append(out, bounded(pairText, g.w, np)...)
	}
	return out
}

// listLines are the ranked points, scrolled, in the chosen order, with
// each design's rank error (rank by the metric minus rank by latency).
func (g *gapScreen) listLines(gap chartdata.Gap, w, h int) []string {
	st := g.sess.st
	xh := "MFLOPs"
	if g.mac {
		xh = "MMAC"
	}
	runOf, runW := runColumn(gap)
	lw := max(8, w-listFixed-runW)
	head := fmt.Sprintf("   %-*s %8s %8s %5s", lw, "design", xh, "ms", "rkErr")
	if runW > 0 {
		head += " run"
	}
	lines := []string{st.head.Render(fit(head, w))}
	rows := h - 2
	sorted := gap.Sorted(g.sort)
	var labels []string
	for _, r := range sorted {
		labels = append(labels, r.Label)
	}
	cut := cutLabels(labels, lw)
	top := min(g.top, max(0, len(sorted)-rows))
	for _, r := range sorted[top:min(len(sorted), top+rows)] {
		mk := familyMarker(r.Family)
		if r.Current {
			mk = currentMarker
		}
		pair := ' '
		if r.InPair {
			pair = '⇄'
		}
		l := fmt.Sprintf("%c%c %-*s %8.1f %8s %+5.1f", mk, pair, lw, cut[r.Label], r.X/1e6, costfmt.Millis(r.LatencyMS), r.RankError)
		if runW > 0 {
			l += " " + runOf(r.Point)
		}
		lines = append(lines, l)
	}
	lines = append(lines, st.dim.Render(fmt.Sprintf("%d-%d of %d · sorted by %s (o)", top+1, min(len(sorted), top+rows), len(sorted), g.sort)))
	return lines
}

// cutLabels cuts each label to n cells as truncWords does, except where
// two different labels would read the same ("shufflenetv1-1.…" for -g3 and
// -g8): those are cut in the middle, keeping the shortest end that tells
// them apart ("shufflenetv1…-g3"), from a separator ('-', ' ', '=', '.')
// where one does.
func cutLabels(labels []string, n int) map[string]string {
	out := map[string]string{}
	same := map[string][]string{} // the labels of each cut
	for _, l := range labels {
		if _, ok := out[l]; ok {
			continue
		}
		c := truncWords(l, n)
		out[l] = c
		same[c] = append(same[c], l)
	}
	for _, group := range same {
		if len(group) < 2 {
			continue
		}
		for _, tail := range tailLens(group) {
			cuts := map[string]bool{}
			for _, l := range group {
				cuts[midCut(l, n, tail(l))] = true
			}
			if len(cuts) == len(group) {
				for _, l := range group {
					out[l] = midCut(l, n, tail(l))
				}
				break
			}
		}
	}
	return out
}

// tailLens are the candidate ends of labels to keep, shortest first: from
// the k-th separator from the end (k = 1, 2, ...), then k runes.
func tailLens(labels []string) []func(string) int {
	longest := 0
	for _, l := range labels {
		longest = max(longest, len([]rune(l)))
	}
	var out []func(string) int
	for k := 1; k <= longest; k++ {
		out = append(out, func(l string) int { // runes from the k-th separator from the end
			rs, seen := []rune(l), 0
			for i := len(rs) - 1; i > 0; i-- {
				if strings.ContainsRune("- =.", rs[i]) {
					if seen++; seen == k {
						return len(rs) - i
					}
				}
			}
			return len(rs)
		})
	}
	for k := 1; k <= longest; k++ {
		out = append(out, func(string) int { return k })
	}
	return out
}

// midCut is label l in at most n cells keeping its last tail runes, the
// rest cut with "…" before them; a label that fits stays whole.
func midCut(l string, n, tail int) string {
	if lipgloss.Width(l) <= n {
		return l
	}
	rs := []rune(l)
	tail = min(tail, len(rs))
	end := string(rs[len(rs)-tail:])
	head := n - lipgloss.Width(end) - 1
	if head < 1 {
		return trunc(l, n)
	}
	return ansi.Truncate(string(rs[:len(rs)-tail]), head, "") + "…" + end
}

// listFixed is the width of the list's columns other than the design and
// run columns (markers, MFLOPs, ms, rank error and their spaces).
const listFixed = 27

// runColumn says, for a filter that mixes configurations, which parts of a
// point's configuration differ (host, backend, kernel set, mode, threads), and the
// width of that column (0 when every point shares one configuration).
func runColumn(gap chartdata.Gap) (func(chartdata.Point) string, int) {
	runOf := varyingConfig(gap.Points)
	runW := 0
	for _, r := range gap.Points {
		if n := len([]rune(runOf(r.Point))); n > 0 {
			runW = max(runW, n+1)
		}
	}
	return runOf, runW
}

// listNeed is the width the list needs to show every label whole.
func listNeed(gap chartdata.Gap) int {
	lw := 8
	for _, r := range gap.Points {
		lw = max(lw, len([]rune(r.Label)))
	}
	_, runW := runColumn(gap)
	return lw + listFixed + runW
}

func (g *gapScreen) ShortHelp() []key.Binding {
	km := g.keys
	n := len(g.sess.points) > 0
	return []key.Binding{km.Axis, enabled(km.Host, n), enabled(km.Backend, n), enabled(km.Mode, n), enabled(km.Threads, n),
		enabled(km.Family, n), enabled(km.Session, n), enabled(km.Scope, n), enabled(km.Reset, g.custom != nil), enabled(km.Down, n && g.scrolls()), enabled(km.Sort, n)}
}

func (g *gapScreen) FullHelp() [][]key.Binding {
	km := g.keys
	return [][]key.Binding{{km.Axis, km.Up, km.Down, km.Sort}, {km.Host, km.Backend, km.Mode, km.Threads}, {km.Family, km.Session, km.Scope, km.Reset}}
}

// varyingConfig returns the words of a point's run configuration that
// differ among points (host, backend, kernel set, mode, threads); "" for
// all when they share one configuration.
func varyingConfig(points []chartdata.Ranked) func(chartdata.Point) string {
	// The kernel set is shown, after the backend ("native[generic]"), only
	// where points of one host and configuration differ in it.
	pts := make([]chartdata.Point, len(points))
	for i, r := range points {
		pts[i] = r.Point
	}
	named := chartdata.KernelsNamed(pts)
	parts := func(p chartdata.Point) []string { // compared by host key, shown by name
		backend := p.Backend
		if named(p) {
			backend = chartdata.BackendRun(p.Backend, p.Kernels)
		}
		return []string{p.Host, backend, p.Mode, strconv.Itoa(p.Threads) + "t"}
	}
	vary := make([]bool, 4)
	for _, r := range points {
		for i, v := range parts(r.Point) {
			vary[i] = vary[i] || v != parts(points[0].Point)[i]
		}
	}
	return func(p chartdata.Point) string {
		var out []string
		for i, v := range parts(p) {
			if i == 0 {
				v = p.HostName
			}
			if vary[i] {
				out = append(out, v)
			}
		}
		return strings.Join(out, "/")
	}
}
