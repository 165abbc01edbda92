package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/runner"
)

// analysis is everything the cost pane shows about one design, computed
// once per knob change.
type analysis struct {
	graph    *arch.Graph
	written  cost.Report // every op materialised
	fused    cost.Report // the fused plan
	lenses   cost.Lenses // the guideline lenses of both reports
	channels []string    // notes on channel rounding
}

// analyze builds the design's graph and both cost reports.
func analyze(s arch.Spec) (analysis, error) {
	g, err := arch.Build(s)
	if err != nil {
		return analysis{}, err
	}
	return analyzeGraph(g), nil
}

// analyzeGraph computes both cost reports of a built graph.
func analyzeGraph(g *arch.Graph) analysis {
	plan := arch.FusedPlan(g)
	a := analysis{graph: g, written: cost.Analyze(g, nil), fused: cost.Analyze(g, &plan)}
	a.lenses = cost.LensesOf(g, &a.written, &a.fused)
	a.channels = costfmt.ChannelNotes(g)
	return a
}

// report returns the as-written or the fused report.
func (a *analysis) report(fused bool) *cost.Report {
	if fused {
		return &a.fused
	}
	return &a.written
}

// noteLines are the channel notes in lines of at most w cells: the stage
// channels wrap between two numbers, never inside one, the next lines
// under the first number; the other notes wrap between words.
func noteLines(notes []string, w int) []string {
	var out []string
	for _, n := range notes {
		if lipgloss.Width(n) <= w {
			out = append(out, n)
			continue
		}
		list, ok := strings.CutPrefix(n, costfmt.ChannelsPrefix)
		if !ok {
			out = append(out, wrap(n, w)...)
			continue
		}
		indent := strings.Repeat(" ", len(costfmt.ChannelsPrefix))
		for i, l := range pack(strings.Split(list, costfmt.ChannelSep), costfmt.ChannelSep, max(1, w-len(indent))) {
			if i == 0 {
				l = costfmt.ChannelsPrefix + l
			} else {
				l = indent + l
			}
			out = append(out, l)
		}
	}
	return out
}

// delta formats the relative change from old to now ("" without a loaded design).
func delta(now, old int64, have bool) string {
	if !have {
		return ""
	}
	if now == old {
		return "Δ ="
	}
	pct, ok := cost.ChangePercent(now, old)
	if !ok {
		return "Δ new"
	}
	return fmt.Sprintf("Δ %+.1f%%", pct)
}

// lens names a guideline lens of the cost pane.
type lens int

const (
	lensG1 lens = iota
	lensG2
	lensG3
	lensG4
	numLenses
)

// costOpts are the cost pane's toggles.
type costOpts struct {
	fused      bool // show the fused plan instead of the graph as written
	byCategory bool // table by category instead of by stage
	lens       lens
}

// timeShares are a profile's time shares by stage and by category, as
// runner.ProfileOf computes them for `explorer run --profile` (extra steps
// that cover no graph op count as data movement there and here).
type timeShares struct {
	stage, category map[string]float64
}

// sharesOf reads the shares of a profile; nil without one.
func sharesOf(p *runner.Profile) *timeShares {
	if p == nil || p.TotalNanos <= 0 {
		return nil
	}
	ts := &timeShares{stage: map[string]float64{}, category: map[string]float64{}}
	for _, g := range p.Stages {
		ts.stage[g.Name] = g.TimeShare
	}
	for _, g := range p.Categories {
		ts.category[g.Name] = g.TimeShare
	}
	return ts
}

// bar draws a share as a bar of n cells.
func bar(f float64, n int) string {
	k := int(math.Round(clampF(f, 0, 1) * float64(n)))
	return strings.Repeat("█", k) + strings.Repeat("·", n-k)
}

// totalsLines are the totals of the design with deltas against the
// loaded design (base), in w cells. No figure is cut: where the rows are
// too wide, the exact counts' and the deltas' columns narrow to their
// widest entries, then the words "2×MAdds" go, then the exact counts; on the last line aux FLOPs
// and launches give way (the G4 and G3 lenses show them too).
func totalsLines(a, base *analysis, fused bool, w int, st styles) []string {
	rep := a.report(fused)
	t := rep.Totals
	var pt cost.Totals
	haveBase := base != nil && base.graph != nil
	if haveBase {
		pt = base.report(fused).Totals
	}
	type total struct {
		name     string
		v, old   int64
		extra    string
		optional bool // words, not a figure
	}
	totals := []total{
		{"MAdds", t.MultAdds, pt.MultAdds, "", false},
		{"FLOPs", t.FLOPs, pt.FLOPs, "2×MAdds", true},
		{"params", t.Params, pt.Params, "", false},
		{"MAC", t.MemAccess, pt.MemAccess, "= " + costfmt.Bytes(t.Bytes), false},
	}
	exactW, deltaW, countW := 0, 0, 8
	for _, r := range totals {
		exactW = max(exactW, len(strconv.FormatInt(r.v, 10)))
		deltaW = max(deltaW, lipgloss.Width(delta(r.v, r.old, haveBase)))
		countW = max(countW, len(costfmt.Count(r.v)))
	}
	layouts := []struct {
		words bool
		exact int // width of the exact column, 0 = none
		delta int
	}{{true, 11, 9}, {true, exactW, 9}, {true, exactW, deltaW}, {false, exactW, deltaW}, {false, 0, deltaW}}
	var rows []string
	for _, lay := range layouts {
		rows = rows[:0]
		fits := true
		for _, r := range totals {
			l := fmt.Sprintf("%-6s %*s", r.name, countW, costfmt.Count(r.v))
			if lay.exact > 0 {
				l += fmt.Sprintf(" %*d", max(lay.exact, exactW), r.v)
			}
			l += fmt.Sprintf(" %-*s", lay.delta, delta(r.v, r.old, haveBase))
			if r.extra != "" && (lay.words || !r.optional) {
				l += " " + r.extra
			}
			l = strings.TrimRight(l, " ")
			fits = fits && lipgloss.Width(l) <= w
			rows = append(rows, l)
		}
		if fits {
			break
		}
	}
	lines := append([]string{st.title.Render(fmt.Sprintf("Cost  [%s view]", rep.View))}, rows...)
	return append(lines, fitParts([]string{fmt.Sprintf("AI %.1f FLOP/byte", t.Intensity), "aux FLOPs " + costfmt.Count(t.AuxFLOPs), fmt.Sprintf("launches %d", t.Steps)}, " · ", w))
}

// groupLines renders the per-stage or per-category table with MAdds, MAC
// and (when a result of this design exists) time shares; otherView stars
// the time column when the run executed the other cost view.
func groupLines(rep *cost.Report, byCat bool, ts *timeShares, otherView bool, w int, st styles) []string {
	groups, shareOf := rep.Stages, map[string]float64(nil)
	label := "stage"
	if byCat {
		groups, label = rep.Categories, "category"
	}
	if ts != nil {
		shareOf = ts.stage
		if byCat {
			shareOf = ts.category
		}
	}
	shown := func(gr cost.Group) bool { return gr.MemAccess != 0 || gr.MultAdds != 0 || shareOf[gr.Name] != 0 }
	// The counts' columns are as wide as their widest value (7 cells up to
	// 999.99G; a large design has 20018.41G), right-aligned.
	maddsW, macW := 7, 7
	for _, gr := range groups {
		if shown(gr) {
			maddsW = max(maddsW, len(costfmt.Count(gr.MultAdds)))
			macW = max(macW, len(costfmt.Count(gr.MemAccess)))
		}
	}
	wide := w >= 70
	// A narrow column with time shares keeps the shares only.
	counts := wide || shareOf == nil || w >= 62
	rowW := func(wide, counts bool) int {
		pw := 6
		if wide {
			pw = 13
		}
		n := 13 + 2*(1+pw)
		if counts {
			n += 2 + maddsW + macW
		}
		if shareOf != nil {
			n += 1 + pw
		}
		return n
	}
	// Wider counts may not fit where 7 cells did: the bars go first, then
	// the counts.
	if wide && rowW(true, counts) > w {
		wide = false
	}
	if counts && rowW(wide, true) > w {
		counts = false
	}
	pct := func(f float64) string {
		if wide {
			return bar(f, 6) + fmt.Sprintf(" %5.1f%%", 100*f)
		}
		return fmt.Sprintf("%5.1f%%", 100*f)
	}
	pw := 6
	if wide {
		pw = 13
	}
	var head string
	if counts {
		head = fmt.Sprintf("%-13s %*s %*s %*s %*s", label, maddsW, "MAdds", pw, "MAdds%", macW, "MAC", pw, "MAC%")
	} else {
		head = fmt.Sprintf("%-13s %*s %*s", label, pw, "MAdds%", pw, "MAC%")
	}
	if shareOf != nil {
		th := "time%"
		if otherView {
			th += "*"
		}
		head += fmt.Sprintf(" %*s", pw, th)
	}
	lines := []string{st.head.Render(head)}
	for _, gr := range groups {
		if !shown(gr) {
			continue
		}
		var l string
		if counts {
			l = fmt.Sprintf("%-13s %*s %s %*s %s", gr.Name, maddsW, costfmt.Count(gr.MultAdds), pct(gr.MultAddsShare), macW, costfmt.Count(gr.MemAccess), pct(gr.MemAccessShare))
		} else {
			l = fmt.Sprintf("%-13s %s %s", gr.Name, pct(gr.MultAddsShare), pct(gr.MemAccessShare))
		}
		if shareOf != nil {
			l += " " + pct(shareOf[gr.Name])
		}
		lines = append(lines, l)
	}
	return lines
}

// lensLines renders one guideline lens of the paper (section 3) in w
// cells; lines of several figures wrap between them, never inside one.
// The figures are cost.LensesOf's (analysis.lenses).
func lensLines(a *analysis, o costOpts, w int, st styles) []string {
	view := a.report(o.fused).View
	tabs := "lens " + lensTabs(o.lens)
	switch o.lens {
	case lensG1:
		l := a.lenses.G1.In(view)
		if l.Convs == 0 {
			return []string{st.title.Render(tabs), "G1: no stride-1 1x1 convs in this design"}
		}
		lines := []string{st.title.Render(tabs), "G1 equal channel widths minimise MAC (paper Eq. 1)"}
		lines = append(lines, pack([]string{fmt.Sprintf("1x1 convs %d", l.Convs), fmt.Sprintf("c1:c2 from 1:%s to 1:%s", fmtG(roundTo(l.MinChannelRatio, 2)), fmtG(roundTo(l.MaxChannelRatio, 2)))}, " · ", w)...)
		lines = append(lines, fmt.Sprintf("their MAC is %+.1f%% above the bound", 100*l.AboveBound))
		// The figures before the op's name, which may be cut.
		return append(lines, fmt.Sprintf("worst %.2f× (%d:%d) at %s", l.Worst.Ratio, l.Worst.C1, l.Worst.C2, l.WorstID))
	case lensG2:
		l := a.lenses.G2.In(view)
		perMAdd := func(v float64) string {
			if math.IsNaN(v) {
				return "-"
			}
			return fmt.Sprintf("%.3f", v)
		}
		return []string{
			st.title.Render(tabs),
			fmt.Sprintf("G2 group convs raise MAC (groups g=%d)", l.Groups),
			fmt.Sprintf("group convs: %.1f%% of MAdds, %.1f%% of MAC", 100*l.MAddsShare, 100*l.MACShare),
			fmt.Sprintf("MAC per MAdd: group %s · dense 1x1 %s", perMAdd(l.GroupMACPerMAdd), perMAdd(l.DenseMACPerMAdd)),
		}
	case lensG3:
		l := a.lenses.G3
		perUnit := func(v float64) string {
			if l.Units == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f", v)
		}
		lines := []string{st.title.Render(tabs), "G3 fragmentation reduces parallelism"}
		lines = append(lines, pack([]string{fmt.Sprintf("units %d", l.Units), "conv branches/unit " + perUnit(l.BranchesPerUnit), "convs/unit " + perUnit(l.ConvsPerUnit)}, " · ", w)...)
		return append(lines, fmt.Sprintf("launches per pass: %d as written, %d fused", l.LaunchesWritten, l.LaunchesFused))
	default:
		l := a.lenses.G4
		return []string{
			st.title.Render(tabs),
			"G4 element-wise ops are not free",
			fmt.Sprintf("element-wise + data movement: %.1f%% of MAdds,", 100*l.MAddsShare),
			fmt.Sprintf("%.1f%% of MAC as written, %.1f%% fused", 100*l.MACShareWritten, 100*l.MACShareFused),
			fmt.Sprintf("aux FLOPs %s (BN, ReLU, add, pooling)", costfmt.Count(l.AuxFLOPs)),
		}
	}
}

// g1Worst lists the 1x1 convs farthest above the G1 bound in at most h
// lines of w cells. The "/bound" ratio is never cut: where the rows are
// too wide the op's name narrows (down to g1IDMin cells), then the MAC
// column goes, then the name narrows further.
func g1Worst(rep *cost.Report, w, h int, st styles) []string {
	rows := cost.G1Farthest(rep)
	if len(rows) == 0 {
		return nil
	}
	rows = rows[:min(len(rows), h-1)]
	const title, short = "1x1 conv (farthest first)", "1x1 conv"
	ccW, macW, idW := 5, 3, len(short) // as wide as the widest value shown
	for _, r := range rows {
		ccW = max(ccW, len(fmt.Sprintf("%d:%d", r.G1.C1, r.G1.C2)))
		macW = max(macW, len(costfmt.Count(r.G1.MAC)))
		idW = max(idW, lipgloss.Width(r.ID))
	}
	idW = min(max(idW, len(title)), g1IDMax)
	const ratioW = 6 // " 1.10×" less its space
	need := func(id int, mac bool) int {
		n := id + 1 + ccW + 1 + ratioW
		if mac {
			n += 1 + macW
		}
		return n
	}
	mac := true
	switch {
	case need(idW, true) <= w:
	case need(g1IDMin, true) <= w:
		idW = w - need(0, true)
	default:
		mac = false
		idW = max(1, min(idW, w-need(0, false)))
	}
	head := title
	if len(title) > idW {
		head = short
	}
	row := func(id, cc, macs, ratio string) string {
		l := fmt.Sprintf("%-*s %*s", idW, trunc(id, idW), ccW, cc)
		if mac {
			l += fmt.Sprintf(" %*s", macW, macs)
		}
		return l + fmt.Sprintf(" %*s", ratioW, ratio)
	}
	lines := []string{st.head.Render(row(head, "c1:c2", "MAC", "/bound"))}
	for _, r := range rows {
		lines = append(lines, row(r.ID, fmt.Sprintf("%d:%d", r.G1.C1, r.G1.C2), costfmt.Count(r.G1.MAC), fmt.Sprintf("%.2f×", r.G1.Ratio)))
	}
	return lines
}

// The G1 list's op-name column: at most g1IDMax cells, and at least
// g1IDMin while the MAC column shows.
const (
	g1IDMax = 25
	g1IDMin = 12
)

func lensTabs(l lens) string {
	var b strings.Builder
	for i := lensG1; i < numLenses; i++ {
		name := "G" + strconv.Itoa(int(i)+1)
		if i == l {
			name = "[" + name + "]"
		} else {
			name = " " + name + " "
		}
		b.WriteString(name)
	}
	return b.String()
}
