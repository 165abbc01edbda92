package ui

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// logBuf is a Deps.Log that tests read.
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestQuitLogsWhatItCancelled: quitting mid-run logs which job it
// cancelled and why (it logged a line "job " with nothing after it); so
// does esc, a design change and a new run.
func TestQuitLogsWhatItCancelled(t *testing.T) {
	for _, keys := range [][]string{{"q", "y"}, {"ctrl+c", "ctrl+c"}} {
		log := &logBuf{}
		deps := testDeps(fakeMeasurer{block: true})
		deps.Log = log
		m := newModel(t, deps, 120, 40)
		_, cmd := m.Update(keyMsg("r"))
		for _, k := range keys {
			m.Update(keyMsg(k))
		}
		drain(t, m, cmd)
		if !strings.Contains(log.String(), "job 1 cancelled: quit\n") {
			t.Errorf("%v: log %q", keys, log.String())
		}
		for _, l := range strings.Split(log.String(), "\n") {
			if strings.TrimSpace(l) == "job" {
				t.Errorf("%v: an empty job line in %q", keys, log.String())
			}
		}
	}
	log := &logBuf{}
	deps := testDeps(fakeMeasurer{block: true})
	deps.Log = log
	m := newModel(t, deps, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	send(t, m, "esc")
	drain(t, m, cmd)
	_, cmd = m.Update(keyMsg("r"))
	atKnob(t, m, kWidth)
	send(t, m, "l")
	drain(t, m, cmd)
	for _, want := range []string{"job 1 cancelled\n", "job 3 cancelled: design changed\n"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q: %q", want, log.String())
		}
	}
}

// TestHelpNamesEveryStepKey: the help names h and l beside the arrows
// (they step the knobs too).
func TestHelpNamesEveryStepKey(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := newTestModel(t, nil, sz[0], sz[1])
		send(t, m, "?")
		v := view(m)
		if !strings.Contains(v, "←/h/-") || !strings.Contains(v, "→/l/+") {
			t.Errorf("%dx%d: the help does not name h and l:\n%s", sz[0], sz[1], v)
		}
	}
}

// TestStatusClearsWhenItsKnobIsValid: a knob's message in the status line
// goes when that knob changes to a valid value ("classes stops at 100000"
// stayed after stepping down; the cudnn error after stepping back to
// native); another knob's change leaves it. The Run pane's "cancelled:
// design changed" goes with the next change, and "last" names its design.
func TestStatusClearsWhenItsKnobIsValid(t *testing.T) {
	tests := []struct {
		k          knobID
		set        string // typed first ("" = none)
		keys       []string
		msg, clear string
	}{
		{kClasses, "100000", []string{"l"}, "classes stops at 100000", "h"},
		{kBackend, "", []string{"l"}, "backend cudnn is unavailable", "h"},
		{kGroups, "", []string{"h"}, "groups stops at 1", "l"},
		{kSplit, "0.04", []string{"h"}, "split stops at 0.04", "l"},
	}
	for _, tc := range tests {
		m := newTestModel(t, nil, 120, 40)
		if tc.set != "" {
			typeKnob(t, m, tc.k, tc.set)
		}
		atKnob(t, m, tc.k)
		send(t, m, tc.keys...)
		if st := statusLine(m); !strings.Contains(st, tc.msg) {
			t.Fatalf("%s: status %q, want %q", knobLabels[tc.k], st, tc.msg)
		}
		// Another knob's change leaves the message.
		send(t, m, "up", "up", "v") // another knob selected, the view toggled
		if st := statusLine(m); !strings.Contains(st, tc.msg) {
			t.Errorf("%s: the message went on an unrelated key: %q", knobLabels[tc.k], st)
		}
		atKnob(t, m, tc.k)
		send(t, m, tc.clear)
		if st := statusLine(m); strings.Contains(st, tc.msg) {
			t.Errorf("%s: after a valid change the status still says %q", knobLabels[tc.k], st)
		}
	}

	m := newTestModel(t, fakeMeasurer{}, 120, 40)
	send(t, m, "r")
	m2 := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m2.Update(keyMsg("r"))
	atKnob(t, m2, kWidth)
	send(t, m2, "l")
	drain(t, m2, cmd)
	if !strings.Contains(view(m2), "cancelled: design changed") {
		t.Fatalf("no cancellation note:\n%s", view(m2))
	}
	send(t, m2, "l")
	if strings.Contains(view(m2), "cancelled: design changed") {
		t.Errorf("the cancellation note stays after the next change:\n%s", view(m2))
	}
	atKnob(t, m, kWidth)
	send(t, m, "l")
	if v := view(m); !strings.Contains(v, "last ") || !strings.Contains(v, "shufflenetv2-1.0") || strings.Contains(v, "another design") {
		t.Errorf("the last result does not name its design:\n%s", v)
	}
}

// TestStatusNeverContradicts: r's "backend cudnn is unavailable here" is
// about the backend knob and goes when it steps back to native (it stayed
// about 18 s); a typed value the knob rejects leaves no older "loaded
// ..." on the status line (it read "loaded shufflenetv2-1.0-megvii" beside
// the rejection of /tmp/nope.toml under the knob).
func TestStatusNeverContradicts(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 120, 40)
	atKnob(t, m, kBackend)
	send(t, m, "l", "r")
	if st := statusLine(m); !strings.Contains(st, "error: backend cudnn is unavailable here") {
		t.Fatalf("r on cudnn: status %q", st)
	}
	send(t, m, "h")
	if st := statusLine(m); strings.Contains(st, "unavailable") {
		t.Errorf("back on native the status still says %q", st)
	}

	typeKnob(t, m, kDesign, "shufflenetv2-1.0-megvii")
	if st := statusLine(m); !strings.Contains(st, "loaded shufflenetv2-1.0-megvii") {
		t.Fatalf("status %q", st)
	}
	typeKnob(t, m, kDesign, filepath.Join(t.TempDir(), "nope.toml"))
	if m.explore.knobErr == "" || m.explore.d.preset != "shufflenetv2-1.0-megvii" {
		t.Fatalf("the missing file was not refused: %q, %s", m.explore.knobErr, m.explore.d.preset)
	}
	if st := statusLine(m); strings.Contains(st, "loaded") {
		t.Errorf("beside the refused file the status says %q", st)
	}
}

// TestMinorKeysAndLines: the quit question's key help names its keys (it
// was blank); with an unavailable backend r is not offered and the Run
// pane says why (it read "r measures this design"), on the guidelines
// screen too; a result of another mode says how it ran ("last 3.340 ms:
// shufflenetv2-1.0" after only the mode changed); behind "terminal too
// small" only q and ctrl+c act (1-4 switched screens there); a stopped
// step is logged once (it was logged as "knob ... rejected" and as the
// error), and picking cudnn logs why it is unavailable.
func TestMinorKeysAndLines(t *testing.T) {
	left := func(m *Model) string { // the knobs column, its lines joined
		var out []string
		for _, l := range strings.Split(view(m), "\n") {
			if r := []rune(l); len(r) > m.explore.leftWidth() {
				l = string(r[:m.explore.leftWidth()])
			}
			out = append(out, strings.TrimSpace(l))
		}
		return strings.Join(out, " ")
	}
	footer := func(m *Model) string {
		lines := strings.Split(view(m), "\n")
		return lines[len(lines)-1]
	}
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	send(t, m, "q")
	if f := footer(m); !strings.Contains(f, "y/ctrl+c quit anyway") || !strings.Contains(f, "any other key stay") {
		t.Errorf("quit question: key help %q", f)
	}
	send(t, m, "esc", "esc") // stays, then cancels the run
	drain(t, m, cmd)

	log := &logBuf{}
	deps := testDeps(fakeMeasurer{})
	deps.Log = log
	m = newModel(t, deps, 120, 40)
	if strings.Contains(log.String(), "unavailable") {
		t.Errorf("logged at start: %q", log.String())
	}
	send(t, m, "r")
	atKnob(t, m, kMode)
	send(t, m, "l") // eager
	if v := left(m); !strings.Contains(v, " ms (fused): shufflenetv2-1.0") {
		t.Errorf("the last result does not say it ran fused:\n%s", view(m))
	}
	send(t, m, "h") // fused again: the result is this design's
	atKnob(t, m, kBackend)
	send(t, m, "l") // cudnn
	if n := strings.Count(log.String(), "backend cudnn is unavailable"); n != 1 {
		t.Errorf("picking cudnn logged %d lines about it: %q", n, log.String())
	}
	v := left(m)
	if !strings.Contains(v, "r: cudnn is unavailable here") || strings.Contains(v, "r measures") || strings.Contains(footer(m), "r run") {
		t.Errorf("cudnn: the Run pane or the help offers r:\n%s", v)
	}
	send(t, m, "3")
	if v := strings.Join(strings.Fields(view(m)), " "); !strings.Contains(v, "r: backend cudnn is unavailable here") || strings.Contains(v, "r runs these") || strings.Contains(footer(m), "r run") {
		t.Errorf("guidelines on cudnn offer r:\n%s", v)
	}
	send(t, m, "r")
	if st := statusLine(m); !strings.Contains(st, "backend cudnn is unavailable here") || m.sess.job.active {
		t.Errorf("r on guidelines with cudnn: status %q, running %v", st, m.sess.job.active)
	}
	send(t, m, "1")
	atKnob(t, m, kBackend)
	send(t, m, "h")

	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	send(t, m, "2", "?", "tab", "e")
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if m.focus != scrExplore || m.showHelp || m.exp.input.open {
		t.Errorf("keys acted behind terminal too small: focus %d, help %v, export %v", m.focus, m.showHelp, m.exp.input.open)
	}

	log = &logBuf{}
	deps.Log = log
	m = newModel(t, deps, 120, 40)
	typeKnob(t, m, kDesign, "shufflenetv2-0.5-megvii")
	atKnob(t, m, kWidth)
	for range 3 { // 0.5, 0.4, 0.3, then it stops (0.2 is too narrow for the megvii layout)
		send(t, m, "h")
	}
	if n := strings.Count(log.String(), "width stops"); n != 1 || !strings.Contains(statusLine(m), "width stops at 0.3") {
		t.Errorf("a stopped step logged %d times (status %q): %q", n, statusLine(m), log.String())
	}
}

// TestHeaderKeepsProgress: the header's job shows its percentage first
// and cuts only its label where the line is narrow (at 80 columns it read
// "⏵ measuring G1 x…", the percentage cut off).
func TestHeaderKeepsProgress(t *testing.T) {
	for _, tc := range []struct {
		w     int
		whole bool // the label fits whole
	}{{80, false}, {120, true}} {
		m := newTestModel(t, fakeMeasurer{block: true}, tc.w, 24)
		send(t, m, "3")
		_, cmd := m.Update(keyMsg("r"))
		m.Update(jobProgressMsg{gen: m.sess.job.gen, frac: 0.42})
		head := strings.Split(view(m), "\n")[0]
		if !strings.Contains(head, "⏵ 42%") {
			t.Errorf("%d columns: the header lacks the percentage: %q", tc.w, head)
		}
		if got := strings.Contains(head, m.sess.job.label); got != tc.whole {
			t.Errorf("%d columns: label %q whole=%v in %q", tc.w, m.sess.job.label, got, head)
		}
		m.sess.stop("cancelled")
		drain(t, m, cmd)
	}
}
