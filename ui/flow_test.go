package ui

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

// Flow tests drive a real tea.Program with in-memory input and output
// (teatest), as a user would, and check what appears on the screen.

const flowWait = 5 * time.Second

// recorder wraps the model and keeps the last rendered frame: Bubble Tea
// v2 writes only the cells that changed, so the output stream does not
// hold whole lines to search.
type recorder struct {
	*Model
	mu    *sync.Mutex
	frame *string
}

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.Model.Update(msg)
	return r, cmd
}

func (r recorder) View() tea.View {
	v := r.Model.View()
	r.mu.Lock()
	*r.frame = ansi.Strip(v.Content)
	r.mu.Unlock()
	return v
}

func (r recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return *r.frame
}

type flow struct {
	*teatest.TestModel
	rec recorder
}

func startFlow(t *testing.T, ms Measurer) flow {
	t.Helper()
	m, err := New(testDeps(ms))
	if err != nil {
		t.Fatal(err)
	}
	rec := recorder{Model: m, mu: &sync.Mutex{}, frame: new(string)}
	return flow{teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(120, 40)), rec}
}

func waitFor(t *testing.T, tm flow, what string) {
	t.Helper()
	deadline := time.Now().Add(flowWait)
	for !strings.Contains(tm.rec.last(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("%q not on screen after %v; last frame:\n%s", what, flowWait, tm.rec.last())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func press(tm flow, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

func finalModel(t *testing.T, tm flow) *Model {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(flowWait)).(recorder).Model
}

// TestFlowKnobsMatchCost turns width and the three depths and checks that
// the cost pane shows what cost.Analyze (the numbers `explorer cost`
// prints) gives for the same design built independently.
func TestFlowKnobsMatchCost(t *testing.T) {
	tm := startFlow(t, fakeMeasurer{})
	// Rows: design, width, split, groups, depth s2, depth s3, depth s4.
	press(tm, "down", "right", "right") // width 1.0 -> 1.2 (step 0.1)
	press(tm, "down", "down", "down", "right", "down", "right", "down", "left")
	want := arch.Spec{Family: arch.ShuffleNetV2, Width: 1.2, Depths: []int{5, 9, 3}}
	g, err := arch.Build(want)
	if err != nil {
		t.Fatal(err)
	}
	tot := cost.Analyze(g, nil).Totals
	waitFor(t, tm, strconv.FormatInt(tot.MultAdds, 10))
	m := finalModel(t, tm)
	got := m.a.written.Totals
	if got.MultAdds != tot.MultAdds || got.Params != tot.Params || got.MemAccess != tot.MemAccess || got.Steps != tot.Steps {
		t.Errorf("UI totals %+v, cost.Analyze gives %+v", got, tot)
	}
	view := m.View().Content
	for _, n := range []int64{tot.MultAdds, tot.FLOPs, tot.Params, tot.MemAccess} {
		if !strings.Contains(view, strconv.FormatInt(n, 10)) {
			t.Errorf("view lacks %d:\n%s", n, view)
		}
	}
	if m.d.spec.Width != 1.2 || m.d.spec.Depths[0] != 5 || m.d.spec.Depths[1] != 9 || m.d.spec.Depths[2] != 3 {
		t.Errorf("design %s, want width 1.2 depths 5,9,3", m.d.spec)
	}
}

// TestFlowRun measures the design with the fake and waits for the latency.
func TestFlowRun(t *testing.T) {
	tm := startFlow(t, fakeMeasurer{})
	press(tm, "r")
	waitFor(t, tm, "latency ")
	m := finalModel(t, tm)
	if m.run.last == nil || m.run.last.Median <= 0 {
		t.Fatalf("no result recorded: %+v", m.run)
	}
	if n := len(m.points); n != len(testDeps(nil).History)+1 {
		t.Errorf("gap chart has %d points, want history + 1", n)
	}
}

// TestFlowCancel starts a run that only ends when cancelled, cancels it
// with esc and checks that the UI still reacts to knobs.
func TestFlowCancel(t *testing.T) {
	tm := startFlow(t, fakeMeasurer{block: true})
	press(tm, "r")
	waitFor(t, tm, "esc cancels")
	press(tm, "esc")
	waitFor(t, tm, "cancelled")
	press(tm, "down", "right")
	waitFor(t, tm, "width    1.1")
	m := finalModel(t, tm)
	if m.run.active || m.run.last != nil {
		t.Errorf("after cancel: active=%v last=%v", m.run.active, m.run.last)
	}
}

// TestFlowInvalidValue types an out-of-range width: the message appears
// under the knob and the design stays as it was.
func TestFlowInvalidValue(t *testing.T) {
	tm := startFlow(t, fakeMeasurer{})
	press(tm, "down", "enter", "ctrl+u")
	tm.Type("0.01")
	press(tm, "enter")
	waitFor(t, tm, "invalid width 0.01")
	m := finalModel(t, tm)
	if m.d.spec.Width != 1.0 {
		t.Errorf("width %g after an invalid value, want the previous 1", m.d.spec.Width)
	}
	if m.a.written.Totals.MultAdds == 0 {
		t.Error("cost of the kept design lost")
	}
}

// TestFlowTooSmall resizes below 80x24.
func TestFlowTooSmall(t *testing.T) {
	tm := startFlow(t, fakeMeasurer{})
	tm.Send(tea.WindowSizeMsg{Width: 60, Height: 20})
	waitFor(t, tm, "terminal too small")
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	waitFor(t, tm, "Knobs")
	finalModel(t, tm)
}

// TestFlowQuit quits with q: the program ends and shows the cursor again.
func TestFlowQuit(t *testing.T) {
	tm := startFlow(t, fakeMeasurer{block: true})
	press(tm, "r")
	waitFor(t, tm, "esc cancels")
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	out, err := io.ReadAll(tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("\x1b[?25h")) {
		t.Errorf("final output does not show the cursor again: %q", out[max(0, len(out)-80):])
	}
	m := tm.FinalModel(t).(recorder).Model
	if m.run.active {
		t.Error("run still active after quit")
	}
}
