package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/shufflelab/explorer/arch"
)

// Flow tests drive a real tea.Program with in-memory input and output
// (teatest v2), as a user would, and check what appears on the screen.

const flowWait = 10 * time.Second

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
	t   *testing.T
	rec recorder
}

func startFlow(t *testing.T, ms Measurer) flow {
	t.Helper()
	m, err := New(testDeps(ms))
	if err != nil {
		t.Fatal(err)
	}
	rec := recorder{Model: m, mu: &sync.Mutex{}, frame: new(string)}
	return flow{teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(120, 40)), t, rec}
}

// waitFor waits until every text is on the screen at once.
func (f flow) waitFor(texts ...string) {
	f.t.Helper()
	deadline := time.Now().Add(flowWait)
	for {
		frame, all := f.rec.last(), true
		for _, s := range texts {
			all = all && strings.Contains(frame, s)
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%q not on screen after %v; last frame:\n%s", texts, flowWait, frame)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f flow) press(keys ...string) {
	for _, k := range keys {
		f.Send(keyMsg(k))
	}
}

// TestFlow is a user's session: change the family and the layout, type a
// width, run two designs, open the gap chart and each guideline (running
// G1), start G4 and quit through the confirmation.
func TestFlow(t *testing.T) {
	f := startFlow(t, fakeMeasurer{blockFamily: arch.GuideG4})
	f.waitFor("Knobs", "? help", "q quit")
	// Rows: design, family, layout, width.
	f.press("down", "right")
	f.waitFor("family   shufflenetv1", "design   (knobs)")
	f.press("left", "down", "right")
	f.waitFor("family   shufflenetv2", "layout   megvii")
	f.press("down", "enter", "ctrl+u")
	f.Type("1.5")
	f.press("enter")
	f.waitFor("width    1.5")
	f.press("r")
	f.waitFor("latency ")
	f.press("right", "r") // width 1.6, a second design
	f.waitFor("width    1.6", "latency ")
	f.press("2")
	f.waitFor("Gap chart", "1-4 of 4", "1.6x megvii")
	f.press("3", "r")
	f.waitFor("[G1]", "x1 holds")
	for _, id := range []string{"G2", "G3", "G4"} {
		f.press("right")
		f.waitFor("[" + id + "]")
	}
	f.press("r")
	f.waitFor("running the experiment")
	f.press("q")
	f.waitFor("quit anyway?")
	f.press("y")
	f.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	m := f.FinalModel(t).(recorder).Model
	if m.sess.job.active {
		t.Error("the experiment still runs after quitting")
	}
	if got := len(m.sess.points); got != len(testDeps(nil).History)+2+len(m.guide.exps[0].Rows) {
		t.Errorf("%d points on the gap chart, want history + 2 designs + G1's rows", got)
	}
	if d := m.explore.d.spec; d.Width != 1.6 || d.Layout != arch.LayoutMegvii {
		t.Errorf("final design %s", d)
	}
}

// TestFlowTooSmall resizes below 80x24 and back.
func TestFlowTooSmall(t *testing.T) {
	f := startFlow(t, fakeMeasurer{})
	f.waitFor("Knobs") // the program's own first size has arrived
	f.Send(tea.WindowSizeMsg{Width: 60, Height: 20})
	f.waitFor("terminal too small")
	f.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	f.waitFor("Knobs")
	if err := f.Quit(); err != nil {
		t.Fatal(err)
	}
	f.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
}
