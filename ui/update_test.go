package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/shufflelab/explorer/presets"
)

// TestStaleResultDropped: a result of a cancelled run must not show up.
func TestStaleResultDropped(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	if cmd == nil || !m.run.active {
		t.Fatal("run did not start")
	}
	oldGen := m.run.gen
	m.Update(keyMsg("esc"))
	if m.run.active || m.run.note != "cancelled" {
		t.Fatalf("after esc: active=%v note=%q", m.run.active, m.run.note)
	}
	m.Update(runDoneMsg{gen: oldGen, res: Measurement{Median: time.Millisecond}})
	if m.run.last != nil {
		t.Error("stale result was accepted")
	}
	drain(t, m, cmd) // the fake returns once cancelled; its result is stale too
	if m.run.last != nil {
		t.Error("result of the cancelled run was accepted")
	}
}

// TestDesignChangeCancelsRun: turning a knob during a run cancels it.
func TestDesignChangeCancelsRun(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	send(t, m, "down", "right")
	if m.run.active || !strings.Contains(m.run.note, "design changed") {
		t.Errorf("run active=%v note=%q after a knob change", m.run.active, m.run.note)
	}
	drain(t, m, cmd)
	if m.run.last != nil {
		t.Error("stale result accepted")
	}
}

// TestRunError: a failing measurement shows in the status line.
func TestRunError(t *testing.T) {
	m := newTestModel(t, errMeasurer{}, 120, 40)
	send(t, m, "r")
	if !strings.Contains(ansi.Strip(m.View().Content), "error: run shufflenetv2 1x: out of memory") {
		t.Errorf("error not shown:\n%s", ansi.Strip(m.View().Content))
	}
}

type errMeasurer struct{}

func (errMeasurer) Measure(context.Context, RunRequest, func(float64)) (Measurement, error) {
	return Measurement{}, errors.New("out of memory")
}

// TestDeltas: after a change the totals show the relative change.
func TestDeltas(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	send(t, m, "down", "right")
	want := delta(m.a.written.Totals.MultAdds, m.prev.written.Totals.MultAdds, true)
	if want == "Δ =" || !strings.Contains(m.View().Content, want) {
		t.Errorf("view lacks MAdds delta %q", want)
	}
}

// TestGuidelineRun runs G1 with the fake and checks every row got a speed.
func TestGuidelineRun(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 120, 40)
	send(t, m, "3", "r")
	rows := len(m.guide.exps[0].Rows)
	for i := 0; i < rows; i++ {
		if _, ok := m.guide.local[[3]int{0, 0, i}]; !ok {
			t.Errorf("row %d has no local result", i)
		}
	}
	if !strings.Contains(m.View().Content, "ordering here vs paper") {
		t.Errorf("no ordering verdict:\n%s", ansi.Strip(m.View().Content))
	}
}

// TestSaveAndLoad saves the design through the prompt and reads it back.
func TestSaveAndLoad(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	send(t, m, "down", "right") // width 1.1
	path := filepath.Join(t.TempDir(), "mine.toml")
	send(t, m, "s", "ctrl+u")
	for _, r := range path {
		send(t, m, string(r))
	}
	send(t, m, "enter")
	if m.lastErr != "" {
		t.Fatal(m.lastErr)
	}
	p, err := presets.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if specKey(p.Design.Normalize()) != specKey(m.d.spec) {
		t.Errorf("saved %s, current %s", p.Design, m.d.spec)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
	last := m.choices[len(m.choices)-1]
	if !last.fromFile || last.p.File != path {
		t.Errorf("saved file not offered by the picker: %+v", last.p)
	}
}

// TestHelpOnlyLiveKeys: the footer lists run only with a measurer and
// cancel only during a run.
func TestHelpOnlyLiveKeys(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	if strings.Contains(ansi.Strip(m.View().Content), "r run") || strings.Contains(ansi.Strip(m.View().Content), "esc cancel") {
		t.Error("help lists run or cancel without a measurer")
	}
	m = newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	if !strings.Contains(ansi.Strip(m.View().Content), "r run") || strings.Contains(ansi.Strip(m.View().Content), "esc cancel run") {
		t.Error("help before a run is wrong")
	}
	_, cmd := m.Update(keyMsg("r"))
	if !strings.Contains(ansi.Strip(m.View().Content), "esc cancel run") {
		t.Error("help lacks cancel during a run")
	}
	m.Update(keyMsg("esc"))
	drain(t, m, cmd)
}

// TestTinySizes renders every screen at sizes down to 1x1 without panics.
func TestTinySizes(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {10, 5}, {79, 24}, {80, 23}, {80, 24}, {300, 100}} {
		for _, k := range []string{"1", "2", "3", "4", "?"} {
			m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
			send(t, m, "r", k)
			v := m.View().Content
			small := sz[0] < MinWidth || sz[1] < MinHeight
			// The message needs 18 cells; narrower terminals get it truncated.
			if sz[0] >= 18 && small != strings.Contains(v, "terminal too small") {
				t.Errorf("%dx%d screen %s: too-small message shown=%v", sz[0], sz[1], k, !small)
			}
			lines := strings.Split(v, "\n")
			if !small && len(lines) != sz[1] {
				t.Errorf("%dx%d screen %s: %d lines", sz[0], sz[1], k, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%dx%d screen %s: line %d is %d wide", sz[0], sz[1], k, i, w)
				}
			}
		}
	}
}

// TestKnobChurnLatency drives 1,000 knob changes through Update and View
// and logs the per-iteration latency percentiles. It asserts nothing about
// time (a loaded machine must not fail CI); the numbers go to docs/tui.md.
func TestKnobChurnLatency(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	keys := []string{"right", "left", "down", "right", "up", "left", "down", "down", "right", "right", "left"}
	d := make([]time.Duration, 0, 1000)
	for i := 0; i < 1000; i++ {
		start := time.Now()
		m.Update(keyMsg(keys[i%len(keys)]))
		_ = m.View().Content
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	p := func(q float64) time.Duration { return d[int(q*float64(len(d)-1))] }
	t.Logf("1000 knob changes, Update+View per change: p50 %v p90 %v p99 %v max %v", p(0.5), p(0.9), p(0.99), d[len(d)-1])
	if m.frame == "" {
		t.Fatal(fmt.Sprint("no frame rendered"))
	}
}

// TestPresetLoad picks the third preset and loads it into the knobs.
func TestPresetLoad(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	send(t, m, "4", "down", "down", "enter")
	want := m.choices[2].p
	if m.scr != scrExplore || m.d.preset != want.Name || m.d.edited {
		t.Fatalf("screen %v, design %q edited=%v; want explore with %q", m.scr, m.d.preset, m.d.edited, want.Name)
	}
	if specKey(m.d.spec) != specKey(want.Design.Normalize()) {
		t.Errorf("loaded %s, preset is %s", m.d.spec, want.Design)
	}
	if m.prev.graph == nil {
		t.Error("no previous design for the deltas")
	}
}

// TestGuidelineCancelAndSwitch: esc cancels the experiment; arrows pick
// another experiment and x cycles the scale.
func TestGuidelineCancelAndSwitch(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("3"))
	drain(t, m, cmd)
	_, cmd = m.Update(keyMsg("r"))
	if !m.guide.running || !m.run.active {
		t.Fatal("experiment did not start")
	}
	m.Update(keyMsg("esc"))
	drain(t, m, cmd)
	if m.guide.running || m.run.active || len(m.guide.local) != 0 {
		t.Errorf("after esc: running=%v active=%v results=%d", m.guide.running, m.run.active, len(m.guide.local))
	}
	send(t, m, "right", "x")
	if m.guide.sel != 1 || m.guide.scale != 1 {
		t.Errorf("sel %d scale %d, want 1 and 1", m.guide.sel, m.guide.scale)
	}
	if !strings.Contains(m.View().Content, "["+m.guide.exps[1].ID+"]") {
		t.Error("the chosen experiment is not marked")
	}
}
