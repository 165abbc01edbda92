package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/presets"
)

// guideState is the guidelines screen: the four experiments of paper
// Tables 1-4, the chosen one and scale, and the local results.
type guideState struct {
	exps    []presets.Experiment
	sel     int
	scale   int // index into the experiment's Scales
	running bool
	local   map[[3]int]time.Duration // (experiment, scale, row) -> median latency
	totals  map[[3]int]cost.Totals   // analytic cost of each row's design
}

func newGuide() (guideState, error) {
	all, err := presets.Experiments()
	if err != nil {
		return guideState{}, err
	}
	gs := guideState{local: map[[3]int]time.Duration{}, totals: map[[3]int]cost.Totals{}}
	for _, x := range all {
		if len(x.Rows) > 0 && strings.HasPrefix(strings.ToUpper(x.ID), "G") {
			gs.exps = append(gs.exps, x)
		}
	}
	return gs, nil
}

func (m *Model) guideRequest(row int) RunRequest {
	x := m.guide.exps[m.guide.sel]
	s := presets.Scaled(x.Rows[row].GPUDesign, x.Scales[m.guide.scale])
	return RunRequest{Spec: s.Normalize(), Backend: m.d.backend, Mode: string(m.d.mode), Threads: m.d.threads}
}

func (m *Model) guideKey(k tea.KeyPressMsg) tea.Cmd {
	g := &m.guide
	if len(g.exps) == 0 {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Left), key.Matches(k, m.keys.Right):
		dir := 1
		if key.Matches(k, m.keys.Left) {
			dir = -1
		}
		if g.running {
			m.stopRun("cancelled")
		}
		n := len(g.exps)
		g.sel = ((g.sel+dir)%n + n) % n
		g.scale = min(g.scale, len(g.exps[g.sel].Scales)-1)
	case key.Matches(k, m.keys.Scale):
		if g.running {
			m.stopRun("cancelled")
		}
		g.scale = (g.scale + 1) % len(g.exps[g.sel].Scales)
	case key.Matches(k, m.keys.Run):
		cmd := m.startRun(runGuide, m.guideRequest(0), 0)
		g.running = cmd != nil
		return cmd
	}
	return nil
}

// guideDone stores a row's result and starts the next row.
func (m *Model) guideDone(row int, res Measurement) tea.Cmd {
	g := &m.guide
	g.local[[3]int{g.sel, g.scale, row}] = res.Median
	if !g.running || row+1 >= len(g.exps[g.sel].Rows) {
		g.running = false
		return nil
	}
	cmd := m.startRun(runGuide, m.guideRequest(row+1), row+1)
	g.running = true
	return cmd
}

// guideLines renders the chosen experiment: analytic cost, local speed and
// the paper's GPU and ARM speeds, each normalised to the first row.
func (m *Model) guideLines(w int) []string {
	g := &m.guide
	if len(g.exps) == 0 {
		return []string{"no guideline experiments found"}
	}
	x := g.exps[g.sel]
	var tabs strings.Builder
	for i, e := range g.exps {
		if i == g.sel {
			fmt.Fprintf(&tabs, "[%s]", e.ID)
		} else {
			fmt.Fprintf(&tabs, " %s ", e.ID)
		}
	}
	var sc strings.Builder
	for i, s := range x.Scales {
		if i == g.scale {
			fmt.Fprintf(&sc, "[x%d]", s)
		} else {
			fmt.Fprintf(&sc, " x%d ", s)
		}
	}
	lines := []string{
		m.st.title.Render("Guidelines " + tabs.String() + "  scale " + sc.String()),
		m.st.title.Render(x.ID + ": " + x.Title),
		m.st.dim.Render(x.Source),
		"",
	}
	wide := w >= 110
	head := fmt.Sprintf("%-6s %8s %8s %10s %5s %8s %5s %8s %5s", "row", "MAdds", "MAC", "local/s", "norm", "GPU/s", "norm", "ARM/s", "norm")
	if wide {
		head += "  design (GPU column, scaled)"
	}
	lines = append(lines, m.st.head.Render(head))
	var local, gpu, arm []float64
	for i, r := range x.Rows {
		k := [3]int{g.sel, g.scale, i}
		t, ok := g.totals[k]
		if !ok {
			if a, err := analyze(presets.Scaled(r.GPUDesign, x.Scales[g.scale])); err == nil {
				t = a.written.Totals
				g.totals[k] = t
			}
		}
		loc, measured := "-", false
		if d, ok := g.local[k]; ok && d > 0 {
			measured = true
			v := 1 / d.Seconds()
			local = append(local, v)
			loc = fmtRate(v)
		} else if m.run.active && m.run.kind == runGuide && m.run.guideRow == i {
			loc = fmt.Sprintf("%3.0f%%…", 100*m.run.frac)
		}
		gv, av := r.GPU[g.scale], r.ARM[g.scale]
		gpu, arm = append(gpu, gv), append(arm, av)
		l := fmt.Sprintf("%-6s %8s %8s %10s %5s %8s %5s %8s %5s", r.Label, costfmt.Count(t.MultAdds), costfmt.Count(t.MemAccess),
			loc, norm(local, len(local)-1, measured), fmtG(gv), norm(gpu, i, true), fmtG(av), norm(arm, i, true))
		if wide {
			l += "  " + presets.Scaled(r.GPUDesign, x.Scales[g.scale]).String()
		}
		lines = append(lines, l)
	}
	lines = append(lines, "")
	switch {
	case len(local) == len(x.Rows):
		lines = append(lines, fmt.Sprintf("ordering here vs paper: GPU %s · ARM %s", sameOrder(local, gpu), sameOrder(local, arm)))
	case g.running:
		lines = append(lines, "running the experiment… esc cancels")
	case m.deps.Measurer != nil:
		lines = append(lines, m.st.dim.Render("press r to run these networks here (batch 1, current backend/mode/threads)"))
	}
	lines = append(lines, m.st.dim.Render("norm = speed / speed of the first row; same ordering = the guideline holds here"))
	for _, r := range x.Rows {
		if r.Note != "" {
			lines = append(lines, m.st.dim.Render(r.Label+": "+r.Note))
		}
	}
	return lines
}

// norm formats v[i] / v[0].
func norm(v []float64, i int, ok bool) string {
	if !ok || i < 0 || i >= len(v) || v[0] == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v[i]/v[0])
}

// sameOrder says whether a and b rank their rows the same way.
func sameOrder(a, b []float64) string {
	rank := func(v []float64) []int {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return v[idx[i]] > v[idx[j]] })
		return idx
	}
	ra, rb := rank(a), rank(b)
	for i := range ra {
		if ra[i] != rb[i] {
			return "differs"
		}
	}
	return "same"
}

// fmtRate formats a speed with one decimal, or three significant digits
// below 10/s.
func fmtRate(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
