package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/guideline"
)

// gateMeasurer is the fake measurer held at a gate: every measurement
// waits until gate is closed (or its context is cancelled).
type gateMeasurer struct {
	fakeMeasurer
	gate chan struct{}
}

func (g gateMeasurer) Measure(ctx context.Context, req RunRequest, progress func(float64)) (Measurement, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return Measurement{}, fmt.Errorf("gate: %w", ctx.Err())
	}
	return g.fakeMeasurer.Measure(ctx, req, progress)
}

// body is the frame without its status line and key help.
func body(m *Model) string {
	lines := strings.Split(view(m), "\n")
	return strings.Join(lines[:len(lines)-2], "\n")
}

// TestGuidelineSwitchKeepsRun: picking another table (←/→), scale (x) or
// platform (p) while a table is measured does not cancel it: the screen
// says which table runs, and the result lands in the table that ran, not
// the one on screen (switching cancelled the run silently, and the
// "cancelled" note showed under the table switched to, which never ran).
func TestGuidelineSwitchKeepsRun(t *testing.T) {
	for _, keys := range [][]string{{"right"}, {"x"}, {"p"}, {"left", "x", "p"}} {
		t.Run(strings.Join(keys, "+"), func(t *testing.T) {
			gate := make(chan struct{})
			m := newTestModel(t, gateMeasurer{gate: gate}, 120, 40)
			send(t, m, "3")
			ran := m.guide.key()
			_, cmd := m.Update(keyMsg("r"))
			send(t, m, keys...)
			if m.guide.key() == ran {
				t.Fatal("the keys did not pick another table")
			}
			if !m.sess.job.running(scrGuide) {
				t.Fatalf("%v cancelled the run of the other table", keys)
			}
			b := body(m)
			if strings.Contains(b, "cancelled") || !strings.Contains(b, "G1 x1 (ARM sizes) is running") {
				t.Errorf("the table switched to does not say which table runs:\n%s", b)
			}
			close(gate)
			drain(t, m, cmd)
			if !m.guide.measured[ran] || m.guide.tables[ran].RoundsDone != guideline.DefaultRounds {
				t.Errorf("the run's table %+v was not filled", ran)
			}
			if m.guide.measured[m.guide.key()] {
				t.Errorf("the table on screen %+v, which never ran, is marked measured", m.guide.key())
			}
			m.guide.sel, m.guide.scale, m.guide.platform = ran.exp, ran.scale, ran.platform
			if v := view(m); !strings.Contains(v, "here: ") {
				t.Errorf("back on the table that ran, no result:\n%s", v)
			}
		})
	}
}

// TestGuidelineCancelNoteStaysWithItsTable: esc while another table is on
// screen cancels the run; "cancelled" shows under the table that ran only,
// and the status line names it.
func TestGuidelineCancelNoteStaysWithItsTable(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	m := newTestModel(t, gateMeasurer{gate: gate}, 120, 40)
	send(t, m, "3")
	_, cmd := m.Update(keyMsg("r"))
	send(t, m, "right", "esc")
	drain(t, m, cmd)
	if m.sess.job.active {
		t.Fatal("esc did not cancel")
	}
	if b := body(m); strings.Contains(b, "cancelled") {
		t.Errorf("G2 never ran but shows a cancellation:\n%s", b)
	}
	if st := statusLine(m); !strings.Contains(st, "cancelled") || !strings.Contains(st, "G1 x1") {
		t.Errorf("status %q does not say which run was cancelled", st)
	}
	send(t, m, "left")
	if b := body(m); !strings.Contains(b, "cancelled") {
		t.Errorf("G1's cancellation is not under G1:\n%s", b)
	}
}

// TestGuidelineRunOnAnotherTableSaysItCancels: r on another table while one
// runs cancels that run and says so.
func TestGuidelineRunOnAnotherTableSaysItCancels(t *testing.T) {
	gate := make(chan struct{})
	m := newTestModel(t, gateMeasurer{gate: gate}, 120, 40)
	send(t, m, "3")
	_, first := m.Update(keyMsg("r"))
	m.Update(keyMsg("right"))
	_, second := m.Update(keyMsg("r"))
	drain(t, m, first) // the cancelled run ends; its result is dropped
	cmds, ok := second().(tea.BatchMsg)
	if !ok || len(cmds) != 2 {
		t.Fatalf("r on another table during a run: %T, want a message and the run", second())
	}
	drain(t, m, cmds[0])
	if st := statusLine(m); !strings.Contains(st, "cancelled the run of G1 x1") {
		t.Errorf("status %q does not say that G1's run was cancelled", st)
	}
	close(gate)
	drain(t, m, cmds[1])
	if m.guide.measured[tableKey{0, guideline.ARM, 0}] || !m.guide.measured[m.guide.key()] {
		t.Errorf("measured %v, want G2 only", m.guide.measured)
	}
	// Back on G1, its table says what became of its run once the status
	// line has moved on (it said nothing: the note followed G2's run).
	m.Update(statusExpiredMsg{id: m.statusID})
	send(t, m, "left")
	if b := body(m); !strings.Contains(b, "cancelled: replaced by the run of G2 x1 (ARM sizes)") {
		t.Errorf("G1, replaced by G2's run, does not say so:\n%s", b)
	}
	// A new run of G1 clears the note.
	_, again := m.Update(keyMsg("r"))
	if b := body(m); strings.Contains(b, "replaced by") {
		t.Errorf("G1 runs again but still says it was replaced:\n%s", b)
	}
	drain(t, m, again)
}

// TestRunOnExploreSaysItCancels: r on the explore screen while a guideline
// table runs cancels that run and says so, as r on another table does (it
// cancelled it silently: only the log said "job 1 cancelled: measuring
// shufflenetv2-1.0 started"); r on the guidelines screen during an explore
// run says so too, and r during the explore screen's own run restarts
// nothing.
func TestRunOnExploreSaysItCancels(t *testing.T) {
	gate := make(chan struct{})
	log := &logBuf{}
	deps := testDeps(gateMeasurer{gate: gate})
	deps.Log = log
	m := newModel(t, deps, 120, 40)
	send(t, m, "3")
	_, first := m.Update(keyMsg("r"))
	send(t, m, "1")
	_, second := m.Update(keyMsg("r"))
	drain(t, m, first) // the cancelled run ends; its result is dropped
	cmds, ok := second().(tea.BatchMsg)
	if !ok || len(cmds) != 2 {
		t.Fatalf("r on explore during a guideline run: %T, want a message and the run", second())
	}
	drain(t, m, cmds[0])
	if st := statusLine(m); !strings.Contains(st, "cancelled the run of G1 x1 (ARM sizes) to run shufflenetv2-1.0") {
		t.Errorf("status %q does not say that G1's run was cancelled", st)
	}
	if !m.sess.job.running(scrExplore) {
		t.Fatal("the explore run did not start")
	}
	_, again := m.Update(keyMsg("r"))
	drain(t, m, again)
	if st := statusLine(m); !strings.Contains(st, "shufflenetv2-1.0 is already running (esc cancels it)") || strings.Contains(log.String(), "job 3 cancelled") {
		t.Errorf("r during its own run: status %q, log %q", st, log.String())
	}
	send(t, m, "3")
	_, third := m.Update(keyMsg("r"))
	drain(t, m, cmds[1]) // the explore run, cancelled
	cmds, ok = third().(tea.BatchMsg)
	if !ok || len(cmds) != 2 {
		t.Fatalf("r on guidelines during an explore run: %T, want a message and the run", third())
	}
	drain(t, m, cmds[0])
	if st := statusLine(m); !strings.Contains(st, "cancelled the run of shufflenetv2-1.0 to run G1 x1 (ARM sizes)") {
		t.Errorf("status %q", st)
	}
	close(gate)
	drain(t, m, cmds[1])
}

// roundsMeasurer is the fake measurer whose latency differs by round (x2,
// x1, x3 of the fake's), so that the best of three is not every round's;
// it records the requests, and, as a Recorder, what the UI records.
type roundsMeasurer struct {
	fakeMeasurer
	mu       sync.Mutex
	calls    map[string]int
	reqs     []RunRequest
	recorded []runner.Result
}

func (r *roundsMeasurer) Measure(ctx context.Context, req RunRequest, progress func(float64)) (Measurement, error) {
	m, err := r.fakeMeasurer.Measure(ctx, req, progress)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	k := req.Spec.Key() + string(req.Mode)
	f := []float64{2, 1, 3}[r.calls[k]%3]
	r.calls[k]++
	r.reqs = append(r.reqs, req)
	m.Result.LatencyMS.Median *= f
	return m, err
}

func (r *roundsMeasurer) Record(rs []runner.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recorded = append(r.recorded, rs...)
	return nil
}

// TestGuidelineHistoryRows: a guideline run's rounds are measured without
// a history row each (RunRequest.NoHistory); once the table is complete
// the measurer records one result per design and mode, with the latency
// the table shows (guideline.Row.BestMS, the best of 3 rounds), and the
// gap chart gets the same. A cancelled run records nothing.
func TestGuidelineHistoryRows(t *testing.T) {
	for _, exp := range []struct {
		keys  []string
		modes int
	}{{[]string{"3"}, 1}, {[]string{"3", "left"}, 2}} { // G1; G4 in eager and fused
		ms := &roundsMeasurer{}
		m := newTestModel(t, ms, 120, 40)
		send(t, m, exp.keys...)
		points := len(m.sess.points)
		send(t, m, "r")
		tb := m.guide.tables[m.guide.key()]
		if tb.RoundsDone != guideline.DefaultRounds || len(tb.Modes) != exp.modes {
			t.Fatalf("%s: %d rounds in %v", tb.ID, tb.RoundsDone, tb.Modes)
		}
		for _, req := range ms.reqs {
			if !req.NoHistory {
				t.Errorf("%s: a round of %s was measured with a history row", tb.ID, req.Spec)
			}
		}
		if want := len(tb.Rows) * exp.modes; len(ms.recorded) != want {
			t.Fatalf("%s: %d results recorded, want %d (one per design and mode)", tb.ID, len(ms.recorded), want)
		}
		i := 0
		for mi, mode := range tb.Modes {
			for _, row := range tb.Rows {
				r := ms.recorded[i]
				p := m.sess.points[points+i]
				i++
				best := row.BestMS(mi, 0)
				if r.Spec.Key() != row.Specs[0].Key() || r.Mode != mode || r.LatencyMS.Median != best || best == row.RoundsMS(mi, 0)[0] {
					t.Errorf("%s %s %s: recorded %s %s %.4f ms, table %.4f ms (rounds %v)", tb.ID, row.Label, mode, r.Spec, r.Mode, r.LatencyMS.Median, best, row.RoundsMS(mi, 0))
				}
				if p.LatencyMS != best {
					t.Errorf("%s %s %s: gap point %.4f ms, table %.4f ms", tb.ID, row.Label, mode, p.LatencyMS, best)
				}
			}
		}
	}

	gate := make(chan struct{})
	ms := &roundsMeasurer{}
	m := newTestModel(t, &gatedRecorder{roundsMeasurer: ms, gate: gate}, 120, 40)
	send(t, m, "3")
	_, cmd := m.Update(keyMsg("r"))
	send(t, m, "esc")
	close(gate)
	drain(t, m, cmd)
	if len(ms.recorded) != 0 {
		t.Errorf("a cancelled run recorded %d results", len(ms.recorded))
	}
}

// TestGuidelineLateCancelRecordsNothing: an esc (or another run) that
// lands after the table is measured but before the screen takes the
// result drops it as stale and shows "cancelled"; the history gets
// nothing of it either (the job recorded the rows itself, before the
// screen could drop them).
func TestGuidelineLateCancelRecordsNothing(t *testing.T) {
	for _, late := range [][]string{{"esc"}, {"right", "r"}} {
		t.Run(strings.Join(late, "+"), func(t *testing.T) {
			ms := &roundsMeasurer{}
			m := newTestModel(t, ms, 120, 40)
			send(t, m, "3")
			_, cmd := m.Update(keyMsg("r"))
			done, ok := jobDone(cmd)
			if !ok || done.err != nil {
				t.Fatalf("the run did not end with a result: %+v", done)
			}
			if late[0] == "esc" {
				send(t, m, late...)
			} else {
				m.Update(keyMsg(late[0]))
				m.Update(keyMsg(late[1])) // the second run is left unstarted
			}
			_, next := m.Update(done)
			drain(t, m, next)
			if m.guide.measured[tableKey{0, guideline.ARM, 0}] {
				t.Error("the dropped result was taken")
			}
			ms.mu.Lock()
			defer ms.mu.Unlock()
			if len(ms.recorded) != 0 {
				t.Errorf("a dropped result recorded %d history rows", len(ms.recorded))
			}
		})
	}
}

// failingRecorder is a roundsMeasurer whose history cannot take results.
type failingRecorder struct{ *roundsMeasurer }

func (failingRecorder) Record([]runner.Result) error { return errors.New("disk full") }

// TestGuidelineRecordFailureShown: a history that cannot take the table's
// rows leaves the table measured and says so on the status line.
func TestGuidelineRecordFailureShown(t *testing.T) {
	m := newTestModel(t, failingRecorder{&roundsMeasurer{}}, 200, 40)
	send(t, m, "3", "r")
	if !m.guide.measured[m.guide.key()] {
		t.Fatal("the table was not taken")
	}
	if st := statusLine(m); !strings.Contains(st, "G1 x1 (ARM sizes): results not saved to the history: disk full") {
		t.Errorf("status %q", st)
	}
}

// jobDone runs the Cmds of a job start (nested batches included) in order
// and returns the job's jobDoneMsg without handing it to the model.
func jobDone(cmd tea.Cmd) (jobDoneMsg, bool) {
	if cmd == nil {
		return jobDoneMsg{}, false
	}
	switch msg := cmd().(type) {
	case jobDoneMsg:
		return msg, true
	case tea.BatchMsg:
		for _, c := range msg {
			if d, ok := jobDone(c); ok {
				return d, true
			}
		}
	}
	return jobDoneMsg{}, false
}

// gatedRecorder is a roundsMeasurer held at a gate.
type gatedRecorder struct {
	*roundsMeasurer
	gate chan struct{}
}

func (g *gatedRecorder) Measure(ctx context.Context, req RunRequest, progress func(float64)) (Measurement, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return Measurement{}, fmt.Errorf("gate: %w", ctx.Err())
	}
	return g.roundsMeasurer.Measure(ctx, req, progress)
}

// TestGuidelineNotesWhole: the lines under a guideline table (the
// conditions, the legend of the columns, the rows' notes) wrap; they were
// cut with "…" at 80x24 and 120x40 with blank lines below them (G2's
// note on c=180: "x1 builds…").
func TestGuidelineNotesWhole(t *testing.T) {
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for exp := range 4 {
			for _, run := range []bool{false, true} {
				m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
				send(t, m, "3")
				for range exp {
					send(t, m, "right")
				}
				if run {
					send(t, m, "r")
				}
				tb := m.guide.planned()
				want := []string{"rel, GPU, ARM = speed relative to the first row, here and in the paper; ±rnd = spread over rounds"}
				if run {
					want = append(want, "here: "+tb.Conditions())
				}
				for _, r := range tb.Rows {
					if r.Note != "" {
						want = append(want, r.Label+": "+r.Note)
					}
				}
				got := flat(body(m))
				for _, w := range want {
					if !strings.Contains(got, flat(w)) {
						t.Errorf("%dx%d %s run=%v: %q is not whole:\n%s", sz[0], sz[1], tb.ID, run, w, body(m))
					}
				}
			}
		}
	}
}

// TestGuidelineConditionsNameForcedKernels: with the kernels knob on a set
// (not auto), the guideline screen's conditions name it before and after
// the run (a generic run read like an avx512 one, as in the CLI before
// 6b3dc93); with auto they name none.
func TestGuidelineConditionsNameForcedKernels(t *testing.T) {
	deps := testDeps(fakeMeasurer{})
	deps.Kernels = "generic"
	m := newModel(t, deps, 120, 40)
	send(t, m, "3")
	if v := view(m); !strings.Contains(v, "native, kernels generic, 1 thread") {
		t.Errorf("planned conditions do not name the set:\n%s", v)
	}
	_, cmd := m.Update(keyMsg("r"))
	drain(t, m, cmd)
	if c := m.guide.tables[m.guide.key()].Conditions(); !strings.Contains(c, "kernels generic") {
		t.Errorf("measured table's conditions %q", c)
	}
	auto := newModel(t, testDeps(fakeMeasurer{}), 120, 40)
	send(t, auto, "3")
	if v := view(auto); strings.Contains(v, "native, kernels") {
		t.Errorf("auto names a kernel set:\n%s", v)
	}
}
