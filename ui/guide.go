package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/guideline"
	"github.com/shufflelab/explorer/runner/registry"
)

// guideKeys are the guidelines screen's bindings.
type guideKeys struct {
	Prev, Next, Scale, Platform, Run key.Binding
}

func newGuideKeys() guideKeys {
	return guideKeys{
		Prev:     bind("←", "prev G", "left", "h"),
		Next:     bind("→", "next G", "right", "l"),
		Scale:    bind("x", "scale", "x"),
		Platform: bind("p", "ARM/GPU sizes", "p"),
		Run:      bind("r", "run experiment", "r"),
	}
}

// tableKey names one table: an experiment at one platform's sizes and one scale.
type tableKey struct {
	exp      int
	platform guideline.Platform
	scale    int // index into the experiment's Scales
}

// guideScreen reruns the paper's guideline experiments (Tables 1-4) on this
// machine. Tables, normalisation and verdicts are runner/guideline's, as in
// `explorer guidelines`.
type guideScreen struct {
	sess     *session
	keys     guideKeys
	exps     []presets.Experiment
	sel      int
	scale    int
	platform guideline.Platform
	tables   map[tableKey]guideline.Table
	measured map[tableKey]bool
	// ran is the table of the latest run this screen started, running or
	// not (the session's note of this screen, e.g. "cancelled", is its),
	// and ranLabel names it ("G1 x1 (ARM sizes)"); hasRun is false before
	// the first run.
	ran      tableKey
	ranLabel string
	hasRun   bool
	// replaced notes, per table, that its run was cancelled for another
	// table's (the session's note follows the latest run only, so the
	// replaced table showed nothing); cleared when the table runs again.
	replaced map[tableKey]string
	w, h     int
}

func newGuideScreen(sess *session) (*guideScreen, error) {
	all, err := presets.Experiments()
	if err != nil {
		return nil, err
	}
	g := &guideScreen{sess: sess, keys: newGuideKeys(), platform: guideline.ARM,
		tables: map[tableKey]guideline.Table{}, measured: map[tableKey]bool{}}
	for _, x := range all {
		if len(x.Rows) > 0 {
			g.exps = append(g.exps, x)
		}
	}
	if len(g.exps) == 0 {
		return nil, errors.New("no guideline experiments embedded")
	}
	for i := range g.exps {
		for _, p := range []guideline.Platform{guideline.ARM, guideline.GPU} {
			for si, k := range g.exps[i].Scales {
				t, err := guideline.FromExperiment(g.exps[i], p, []int{k})
				if err != nil {
					return nil, err
				}
				g.tables[tableKey{i, p, si}] = t
			}
		}
	}
	return g, nil
}

func (g *guideScreen) key() tableKey { return tableKey{g.sel, g.platform, g.scale} }

// table is the chosen table.
func (g *guideScreen) table() guideline.Table { return g.tables[g.key()] }

// planned is the chosen table as a run would measure it now: in the modes
// guideline.ModesFor picks for the explorer's mode (G4: eager and fused),
// with the explorer's backend, threads and forced kernel set. A measured
// table is returned
// as it was measured.
func (g *guideScreen) planned() guideline.Table {
	t := g.table()
	if d := g.sess.design; d != nil && !g.measured[g.key()] {
		t.Modes = guideline.ModesFor(t.ID, d.mode, false)
		t.Backend, t.Threads = d.backend, d.threads
		t.Kernels = registry.ForcedKernels(d.backend, d.kernels)
	}
	return t
}

func (g *guideScreen) SetSize(w, h int) { g.w, g.h = w, h }

func (g *guideScreen) Capturing() bool { return false }

func (g *guideScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return g.handleKey(msg)
	case jobDoneMsg:
		if msg.owner == scrGuide {
			return g.done(msg)
		}
	}
	return nil
}

// handleKey picks a table or runs the one on screen. Picking another table
// while one is measured leaves that run alone: its result goes to its own
// table (guideResult.key), and the screen says which table runs.
func (g *guideScreen) handleKey(k tea.KeyPressMsg) tea.Cmd {
	km := g.keys
	switch {
	case key.Matches(k, km.Prev), key.Matches(k, km.Next):
		dir := 1
		if key.Matches(k, km.Prev) {
			dir = -1
		}
		n := len(g.exps)
		g.sel = ((g.sel+dir)%n + n) % n
		g.scale = min(g.scale, len(g.exps[g.sel].Scales)-1)
	case key.Matches(k, km.Scale):
		g.scale = (g.scale + 1) % len(g.exps[g.sel].Scales)
	case key.Matches(k, km.Platform):
		g.platform = map[guideline.Platform]guideline.Platform{guideline.ARM: guideline.GPU, guideline.GPU: guideline.ARM}[g.platform]
	case key.Matches(k, km.Run):
		return g.run()
	}
	return nil
}

// running reports whether a run of this screen is in flight, and
// runningHere whether it is the table on screen.
func (g *guideScreen) running() bool     { return g.sess.job.running(scrGuide) }
func (g *guideScreen) runningHere() bool { return g.running() && g.ran == g.key() }

// guideResult is a measured table.
type guideResult struct {
	key   tableKey
	table guideline.Table
	d     design // how it ran
	// best are the results of the rounds the table shows, per mode (in
	// table.Modes order) and row: each design's fastest round
	// (guideline.Row.BestRound), which the history gets once the screen
	// has taken the table ([guideScreen.record]).
	best [][]runner.Result
}

// run measures the chosen table as `explorer guidelines` does
// (guideline.Table.Measure with its default rounds and budget, the modes
// guideline.ModesFor picks: G4 eager and fused), with the explorer's
// backend, threads and kernels.
func (g *guideScreen) run() tea.Cmd {
	ms := g.sess.deps.Measurer
	if ms == nil {
		return failure(errors.New("no measurer: runs are not available in this build"))
	}
	d := *g.sess.design
	if why := g.sess.unavailable(d.backend); why != "" {
		return unavailableErr(d.backend, why)
	}
	k, t := g.key(), g.planned()
	t.Rows = cloneRows(t.Rows)
	label := tableLabel(t)
	if g.runningHere() {
		return info("%s is already running (esc cancels it)", label)
	}
	// The session cancels a run in flight (another table's, or the
	// explore screen's) to start this one, and says so; a replaced table
	// of this screen keeps the note under it.
	if g.running() && g.ran != k {
		if g.replaced == nil {
			g.replaced = map[tableKey]string{}
		}
		g.replaced[g.ran] = fmt.Sprintf("cancelled: replaced by the run of %s", label)
	}
	delete(g.replaced, k)
	g.ran, g.ranLabel, g.hasRun = k, label, true
	return g.sess.start(scrGuide, label, func(ctx context.Context, progress func(float64)) (any, error) {
		// Every round's result, by design and mode, to record the ones the
		// table shows once it is complete.
		var mu sync.Mutex
		rounds := map[string][]runner.Result{}
		measure := func(ctx context.Context, s arch.Spec, mode runner.Mode) (float64, error) {
			req := RunRequest{Spec: s, Backend: d.backend, Mode: mode, Threads: d.threads, Kernels: d.kernels,
				Budget: guideline.DefaultBudget(), NoHistory: true}
			m, err := ms.Measure(ctx, req, func(float64) {})
			if err == nil {
				res := completeResult(m.Result, req)
				mu.Lock()
				rounds[roundKey(s, mode)] = append(rounds[roundKey(s, mode)], res)
				mu.Unlock()
			}
			return m.Result.LatencyMS.Median, err
		}
		err := t.Measure(ctx, measure, guideline.DefaultRounds, func(n, total int) { progress(float64(n) / float64(total)) })
		if err == nil {
			err = ctx.Err() // a measurer that ignored the cancellation
		}
		if err != nil {
			return &guideResult{key: k}, err
		}
		// Nothing goes to the history here: an esc or another run may
		// still land before the screen takes the table (done).
		return &guideResult{key: k, table: t, d: d, best: bestRounds(t, rounds)}, nil
	})
}

// record gives the history, when the measurer keeps one (Recorder), the
// results of a table the screen has taken: one per design and mode, the
// round the table shows. It runs in a Cmd (file I/O stays off Update) that
// done returns once the result is accepted, so a cancelled or stale run
// records nothing; a failure is a status-line error.
func (g *guideScreen) record(r *guideResult) tea.Cmd {
	rec, ok := g.sess.deps.Measurer.(Recorder)
	if !ok {
		return nil
	}
	var all []runner.Result
	for _, rs := range r.best {
		all = append(all, rs...)
	}
	label := tableLabel(r.table)
	return func() tea.Msg {
		if err := rec.Record(all); err != nil {
			return statusMsg{text: fmt.Sprintf("%s: results not saved to the history: %v", label, err), isErr: true}
		}
		return nil
	}
}

// tableLabel names a table for messages: "G1 x1 (ARM sizes)".
func tableLabel(t guideline.Table) string {
	return fmt.Sprintf("%s x%d (%s)", t.ID, t.Scales[0], t.Platform.Sizes())
}

// roundKey identifies the rounds of one design in one mode.
func roundKey(s arch.Spec, mode runner.Mode) string {
	return s.Key() + "|" + string(mode)
}

// bestRounds picks, per mode and row of a measured table, the result of
// the round the table shows (guideline.Row.BestRound). A design's results
// are in the order of its rounds: Table.Measure measures each row once per
// round and mode, and no two rows of a table are the same design.
func bestRounds(t guideline.Table, rounds map[string][]runner.Result) [][]runner.Result {
	out := make([][]runner.Result, len(t.Modes))
	for mi, mode := range t.Modes {
		for _, row := range t.Rows {
			rs := rounds[roundKey(row.Specs[0], mode)]
			if i := row.BestRound(mi, 0); i >= 0 && i < len(rs) {
				out[mi] = append(out[mi], rs[i])
			}
		}
	}
	return out
}

// cloneRows copies rows deeply enough for a measurement to fill them.
func cloneRows(rows []guideline.Row) []guideline.Row {
	out := make([]guideline.Row, len(rows))
	for i, r := range rows {
		r.Local = append([]float64(nil), r.Local...)
		r.LocalMS = append([]float64(nil), r.LocalMS...)
		r.Rounds = nil
		out[i] = r
	}
	return out
}

func (g *guideScreen) done(msg jobDoneMsg) tea.Cmd {
	if msg.err != nil {
		return g.sess.failed(msg)
	}
	r := msg.payload.(*guideResult)
	g.tables[r.key], g.measured[r.key] = r.table, true
	// The gap chart gets what the history got: each design's best round,
	// labelled as the export and `explorer plot` label it (a
	// micro-network by its design, chartdata.DesignLabel).
	for mi := range r.table.Modes {
		for _, res := range r.best[mi] {
			g.sess.addPoint(res)
		}
	}
	return tea.Batch(info("%s measured: %s", tableLabel(r.table), strings.Join(verdictWords(r.table), "; ")), g.record(r))
}

// verdictWords are the verdicts' headlines, e.g. "x1 holds".
func verdictWords(t guideline.Table) []string {
	var out []string
	for _, v := range t.Verdicts() {
		out = append(out, v.Column()+" "+v.Headline())
	}
	return out
}

// measuredTables are the tables measured in this session (for the export).
func (g *guideScreen) measuredTables() []guideline.Table {
	var out []guideline.Table
	for i := range g.exps {
		for _, p := range []guideline.Platform{guideline.ARM, guideline.GPU} {
			for si := range g.exps[i].Scales {
				if k := (tableKey{i, p, si}); g.measured[k] {
					out = append(out, g.tables[k])
				}
			}
		}
	}
	return out
}

func (g *guideScreen) View() string {
	st := g.sess.st
	x := g.exps[g.sel]
	t := g.planned()
	var ids, scales []string
	for _, e := range g.exps {
		ids = append(ids, e.ID)
	}
	for _, k := range x.Scales {
		scales = append(scales, fmt.Sprintf("x%d", k))
	}
	// para is text of several words in lines of the screen's width, each
	// rendered in style (a sentence is wrapped, never cut).
	para := func(style lipgloss.Style, text string) []string {
		var out []string
		for _, l := range wrap(text, g.w) {
			out = append(out, style.Render(l))
		}
		return out
	}
	lines := []string{
		st.title.Render("Guidelines " + tabs(ids, g.sel) + "  scale " + tabs(scales, g.scale) + "  " + t.Platform.Sizes()),
		st.title.Render(x.ID + ": " + x.Title),
	}
	lines = append(lines, para(st.dim, x.Source)...)
	lines = append(lines, "")
	lines = append(lines, g.tableLines(t)...)
	lines = append(lines, "")
	note := g.replaced[g.key()] // this table's run gave way to another's
	if g.hasRun && g.ran == g.key() && !g.running() {
		note = g.sess.job.notes[scrGuide] // what became of this table's run
	}
	switch {
	case g.runningHere():
		lines = append(lines, fmt.Sprintf("running the experiment… %3.0f%% · esc cancels", 100*g.sess.job.frac))
	case g.running():
		lines = append(lines, para(st.accent, fmt.Sprintf("%s is running (%.0f%%): its result goes to its table; esc cancels it, r here replaces it",
			g.ranLabel, 100*g.sess.job.frac))...)
	}
	switch {
	case g.measured[g.key()]:
		lines = append(lines, para(st.dim, "here: "+t.Conditions())...)
		for _, v := range t.Verdicts() {
			lines = append(lines, wrap(v.String(), g.w)...)
		}
	case g.runningHere():
	case note != "":
		lines = append(lines, para(st.err, note)...)
	case g.sess.deps.Measurer != nil && g.sess.unavailable(g.sess.design.backend) != "":
		lines = append(lines, para(st.err, fmt.Sprintf("r: backend %s is unavailable here (the explore screen's backend knob)", g.sess.design.backend))...)
	case g.sess.deps.Measurer != nil:
		lines = append(lines, wrap(fmt.Sprintf("r runs these networks here (%s, best of %d rounds, as explorer guidelines does)", t.Conditions(), guideline.DefaultRounds), g.w)...)
	}
	lines = append(lines, para(st.dim, "rel, GPU, ARM = speed relative to the first row, here and in the paper; ±rnd = spread over rounds")...)
	for _, r := range t.Rows {
		if r.Note != "" {
			lines = append(lines, para(st.dim, r.Label+": "+r.Note)...)
		}
	}
	return strings.Join(block(lines, g.w, g.h), "\n")
}

func (g *guideScreen) ShortHelp() []key.Binding {
	km := g.keys
	// The run first: where the line is narrow the last keys give way.
	run := g.sess.deps.Measurer != nil && g.sess.unavailable(g.sess.design.backend) == ""
	return []key.Binding{enabled(km.Run, run), km.Prev, km.Next, km.Scale, km.Platform}
}

func (g *guideScreen) FullHelp() [][]key.Binding { return [][]key.Binding{g.ShortHelp()} }

// tableLines are the rows of table t in the columns of `explorer
// guidelines` (guideline.Table.Columns: channels, MAdds, MAC and the fused
// plan's, per measured mode the best latency, its spread over rounds and
// the relative speed, then the paper's relative speeds), each column as
// wide as its widest cell. Before a run one "local ms" column stands for
// the measurements (the run's progress while it runs). On a narrow
// terminal the row labels and channels give way first.
func (g *guideScreen) tableLines(t guideline.Table) []string {
	st := g.sess.st
	cols, same := guideline.FactorSame(t.Columns(0))
	if !g.measured[g.key()] {
		cell := "-"
		if g.runningHere() {
			cell = fmt.Sprintf("%3.0f%%…", 100*g.sess.job.frac)
		}
		local := guideline.Column{Head: "local ms", Cells: make([]string, len(t.Rows))}
		for i := range local.Cells {
			local.Cells[i] = cell
		}
		var kept []guideline.Column
		for _, c := range cols {
			if c.Mode == "" {
				kept = append(kept, c)
			}
		}
		// The paper's GPU and ARM columns stay last.
		cols = append(kept[:len(kept)-2:len(kept)-2], local, kept[len(kept)-2], kept[len(kept)-1])
	}
	widths := make([]int, len(cols))
	total := 0
	for i, c := range cols {
		widths[i] = lipgloss.Width(c.Head)
		for _, cell := range c.Cells {
			widths[i] = max(widths[i], lipgloss.Width(cell))
		}
		total += widths[i]
	}
	// Two spaces between columns as in the CLI's table, one where that is
	// too wide; then the text columns (the row label, and the channels
	// where they differ by row) give way, down to 6 cells.
	gap := 2
	if total+gap*(len(cols)-1) > g.w {
		gap = 1
	}
	total += gap * (len(cols) - 1)
	text := 1
	if cols[1].Design && cols[1].Head == "channels" {
		text = 2
	}
	for total > g.w {
		i := 0
		for k := 1; k < text; k++ {
			if widths[k] > widths[i] {
				i = k
			}
		}
		if widths[i] <= 6 {
			break
		}
		widths[i]--
		total--
	}
	line := func(cell func(c guideline.Column) string) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			s := trunc(cell(c), widths[i])
			pad := strings.Repeat(" ", widths[i]-lipgloss.Width(s))
			if i < text { // text columns left-aligned, numbers right-aligned
				parts[i] = s + pad
			} else {
				parts[i] = pad + s
			}
		}
		return strings.Join(parts, strings.Repeat(" ", gap))
	}
	var lines []string
	if len(same) > 0 {
		lines = append(lines, "in every row: "+strings.Join(same, ", "))
	}
	lines = append(lines, st.head.Render(line(func(c guideline.Column) string { return c.Head })))
	for r := range t.Rows {
		lines = append(lines, line(func(c guideline.Column) string { return c.Cells[r] }))
	}
	return lines
}
