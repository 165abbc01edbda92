package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
)

// runKind says what a measurement is for.
type runKind int

const (
	runExplore runKind = iota // the current design
	runGuide                  // one row of a guideline experiment
)

// runState tracks the measurement in flight and the latest result.
type runState struct {
	gen      int // bumped on every start and cancel; results of other generations are dropped
	active   bool
	kind     runKind
	guideRow int
	cancel   context.CancelFunc
	frac     float64
	req      RunRequest
	note     string // "cancelled", or why the last run failed

	last    *Measurement // latest result of an explore run
	lastKey string       // designKey of that result
	shares  *timeShares  // its time shares joined to the graph
	slowest []StepTime   // its slowest steps, slowest first (at most maxSlowest)
	stepSum int64        // total of its step times
}

// maxSlowest is how many slowest steps the explore screen can list.
const maxSlowest = 12

// runProgressMsg carries a progress fraction of run gen.
type runProgressMsg struct {
	gen  int
	frac float64
	ch   <-chan float64
}

// runDoneMsg carries the result of run gen.
type runDoneMsg struct {
	gen int
	res Measurement
	err error
}

// savedMsg reports a saved design file.
type savedMsg struct {
	path string
	err  error
}

// measure runs the measurement in the Cmd's goroutine. Progress goes to ch
// without blocking (a slow UI drops intermediate fractions, never slows
// the run); ch is closed when the run ends.
func measure(ctx context.Context, ms Measurer, req RunRequest, gen int, ch chan<- float64) tea.Cmd {
	return func() tea.Msg {
		defer close(ch)
		res, err := ms.Measure(ctx, req, func(f float64) {
			select {
			case ch <- f:
			default:
			}
		})
		return runDoneMsg{gen: gen, res: res, err: err}
	}
}

// waitForProgress returns the next progress fraction of run gen, or
// nothing once the run has ended.
func waitForProgress(ch <-chan float64, gen int) tea.Cmd {
	return func() tea.Msg {
		f, ok := <-ch
		if !ok {
			return nil
		}
		return runProgressMsg{gen: gen, frac: f, ch: ch}
	}
}

// startRun cancels any run in flight and starts measuring req.
func (m *Model) startRun(kind runKind, req RunRequest, row int) tea.Cmd {
	if m.deps.Measurer == nil {
		m.fail(errors.New("no measurer: runs are not available in this build"))
		return nil
	}
	m.stopRun("")
	m.run.gen++
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan float64, 1)
	r := &m.run
	r.active, r.kind, r.guideRow, r.cancel, r.frac, r.req, r.note = true, kind, row, cancel, 0, req, ""
	m.logf("run %d: %s %s/%s/%dt", r.gen, req.Spec.String(), req.Backend, req.Mode, req.Threads)
	return tea.Batch(measure(ctx, m.deps.Measurer, req, r.gen, ch), waitForProgress(ch, r.gen))
}

// stopRun cancels the run in flight, if any, and bumps the generation so
// its result is dropped when it arrives.
func (m *Model) stopRun(note string) {
	if !m.run.active {
		return
	}
	m.run.cancel()
	m.run.active = false
	m.run.gen++
	m.run.note = note
	m.guide.running = false
	if note != "" {
		m.logf("run %s", note)
	}
}

func (m *Model) runCurrent() tea.Cmd {
	return m.startRun(runExplore, m.d.request(), 0)
}

func (m *Model) handleProgress(msg runProgressMsg) tea.Cmd {
	if msg.gen != m.run.gen || !m.run.active {
		return nil // the channel closes when the stale run ends; stop listening
	}
	m.run.frac = msg.frac
	return waitForProgress(msg.ch, msg.gen)
}

func (m *Model) handleDone(msg runDoneMsg) tea.Cmd {
	if msg.gen != m.run.gen {
		m.logf("dropped the result of stale run %d", msg.gen)
		return nil
	}
	m.run.cancel()
	m.run.active = false
	req := m.run.req
	if msg.err != nil {
		m.guide.running = false
		if errors.Is(msg.err, context.Canceled) {
			m.run.note = "cancelled"
			return nil
		}
		m.run.note = "failed"
		m.fail(fmt.Errorf("run %s: %w", req.Spec.String(), msg.err))
		return nil
	}
	m.logf("run %d: median %v over %d iterations", msg.gen, msg.res.Median, msg.res.Iters)
	if msg.res.Warning != "" {
		m.fail(errors.New(msg.res.Warning))
	}
	m.addPoint(req, msg.res)
	if m.run.kind == runGuide {
		return m.guideDone(m.run.guideRow, msg.res)
	}
	res := msg.res
	m.run.last, m.run.lastKey = &res, designKey(req)
	m.run.shares = nil
	if m.run.lastKey == designKey(m.d.request()) {
		m.run.shares = shares(m.a.graph, res.Steps)
	}
	m.run.slowest, m.run.stepSum = slowest(res.Steps, maxSlowest)
	return nil
}

// addPoint puts a measured design on the gap chart.
func (m *Model) addPoint(req RunRequest, res Measurement) {
	a, err := analyze(req.Spec)
	if err != nil {
		m.fail(err)
		return
	}
	label := req.Spec.String()
	if req.Spec.Family == m.d.spec.Family && specKey(req.Spec) == specKey(m.d.spec) && m.d.preset != "" && !m.d.edited {
		label = m.d.preset
	}
	m.points = append(m.points, Point{
		Label: label, Family: req.Spec.Family, Design: req.Spec.String(),
		MultAdds: a.written.Totals.MultAdds, MemAccess: a.written.Totals.MemAccess,
		Latency: res.Median, Run: fmt.Sprintf("%s/%s/%dt", req.Backend, req.Mode, req.Threads),
	})
	m.gap.dirty = true
}

// fmtMs formats a duration in milliseconds with three significant digits.
func fmtMs(d time.Duration) string {
	ms := float64(d) / 1e6
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	case ms >= 1:
		return fmt.Sprintf("%.2f", ms)
	}
	return fmt.Sprintf("%.3f", ms)
}

// runLines renders the measurement part of the explore screen.
func (m *Model) runLines(w int) []string {
	r := &m.run
	lines := []string{m.st.title.Render("Run  " + m.d.runLabel())}
	if m.deps.Measurer == nil {
		return append(lines, m.st.dim.Render("runs unavailable (no measurer)"))
	}
	if r.active && r.kind == runExplore {
		m.bar.SetWidth(max(4, w-6))
		return append(lines, fmt.Sprintf("%s %3.0f%%", m.bar.ViewAs(r.frac), 100*r.frac), "measuring… esc cancels")
	}
	if r.active {
		lines = append(lines, m.st.dim.Render("guideline experiment running"))
	}
	if r.note != "" {
		lines = append(lines, m.st.err.Render(r.note))
	}
	if r.last == nil {
		return append(lines, m.st.dim.Render("r measures this design"))
	}
	res := r.last
	if r.lastKey != designKey(m.d.request()) {
		return append(lines, m.st.dim.Render(fmt.Sprintf("last: %s ms (another design)", fmtMs(res.Median))))
	}
	batch := float64(m.d.spec.Batch)
	thr := 0.0
	if res.Median > 0 {
		thr = batch / res.Median.Seconds()
	}
	lines = append(lines,
		m.st.ok.Render(fmt.Sprintf("latency %s ms · %.1f img/s", fmtMs(res.Median), thr)),
		fmt.Sprintf("p10 %s · p90 %s · min %s", fmtMs(res.P10), fmtMs(res.P90), fmtMs(res.Min)),
	)
	extra := fmt.Sprintf("IQR %s ms · %d iters", fmtMs(res.IQR), res.Iters)
	if res.Kernels != "" && len(extra)+3+len(res.Kernels) <= w {
		extra += " · " + res.Kernels
	}
	return append(lines, extra)
}

// slowest returns the n slowest steps (slowest first) and the total time.
func slowest(steps []StepTime, n int) ([]StepTime, int64) {
	var sum int64
	for _, s := range steps {
		sum += s.Nanos
	}
	out := slices.Clone(steps)
	slices.SortStableFunc(out, func(a, b StepTime) int { return cmp.Compare(b.Nanos, a.Nanos) })
	return out[:min(n, len(out))], sum
}

// slowestLines lists the slowest steps of the latest result of the current
// design in at most h lines.
func (m *Model) slowestLines(w, h int) []string {
	r := &m.run
	if h < 3 || len(r.slowest) == 0 || r.stepSum == 0 || r.lastKey != designKey(m.d.request()) {
		return nil
	}
	lines := []string{m.st.title.Render("Slowest steps  (ms, share)")}
	for _, s := range r.slowest[:min(len(r.slowest), h-1)] {
		name := "extra: " + s.Name
		if len(s.Ops) > 0 {
			name = s.Ops[0]
			if len(s.Ops) > 1 {
				name += fmt.Sprintf("+%d", len(s.Ops)-1)
			}
		}
		tail := fmt.Sprintf(" %6s %5.1f%%", fmtMs(time.Duration(s.Nanos)), 100*float64(s.Nanos)/float64(r.stepSum))
		lines = append(lines, fit(name, max(1, w-len(tail)))+tail)
	}
	return lines
}
