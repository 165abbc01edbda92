package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/registry"
	"github.com/shufflelab/explorer/ui"
)

// smallSpec is the quick design of the command tests (see small in run_test.go).
var smallSpec = arch.Spec{Width: 0.5, Res: 32, Depths: []int{1, 1, 1}}

func newTestMeasurer(f *fakeDeps, hist string) *uiMeasurer {
	return newUIMeasurer(f.deps(), hist)
}

// TestUIMeasurer measures with the fake backend: statistics, one step per
// op from the profile, progress ending at 1, the result in the history
// with the request's preset, and the history read back as a gap-chart
// point.
func TestUIMeasurer(t *testing.T) {
	f := newFakeDeps()
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	u := newTestMeasurer(f, hist)
	u.budget.MinTime = 0 // the fake runs instantly; MinIters alone ends the timing
	var last float64
	g, err := arch.Build(smallSpec)
	if err != nil {
		t.Fatal(err)
	}
	m, err := u.Measure(context.Background(), ui.RunRequest{Spec: g.Spec, Preset: "small", Backend: "native", Mode: "fused", Threads: 1, Profile: true},
		func(f float64) { last = f })
	if err != nil {
		t.Fatal(err)
	}
	if r := m.Result; r.Iters < uiBudget.MinIters || r.LatencyMS.Median < 0 || r.Fingerprint.Kernels != "generic" || m.Warning != "" || r.Profile == nil {
		t.Errorf("measurement %+v", m)
	}
	if len(m.Steps) != len(g.Ops) { // the fake profiles one step per op
		t.Errorf("%d steps, want %d", len(m.Steps), len(g.Ops))
	}
	if last != 1 {
		t.Errorf("last progress %g, want 1", last)
	}
	if !f.be.prog.closed {
		t.Error("program not closed")
	}
	rs, _, err := history.Load(hist)
	if err != nil || len(rs) != 1 {
		t.Fatalf("history: %d results, err %v", len(rs), err)
	}
	if rs[0].Preset != "small" || m.Result.Preset != "small" {
		t.Errorf("history row preset %q, result %q; want the request's (as explorer run records --preset)", rs[0].Preset, m.Result.Preset)
	}
	pts, note := historyPoints(hist, io.Discard)
	if note != "" {
		t.Errorf("history note %q for a one-run history", note)
	}
	if len(pts) != 1 || pts[0].Session || pts[0].Design != g.Spec.String() || pts[0].Key != g.Spec.Key() || pts[0].MAdds <= 0 || pts[0].Mode != "fused" {
		t.Errorf("history points %+v", pts)
	}
}

// TestUIMeasurerCancel: a cancelled measurement returns an error that
// wraps context.Canceled (the UI shows "cancelled") and saves nothing.
func TestUIMeasurerCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFakeDeps()
	f.be.prog.cancelAt, f.be.prog.cancel = 3, cancel
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	u := newTestMeasurer(f, hist)
	u.budget.MaxTime = time.Minute
	_, err := u.Measure(ctx, ui.RunRequest{Spec: smallSpec, Backend: "native", Mode: "eager", Threads: 1}, func(float64) {})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if rs, _, _ := history.Load(hist); len(rs) != 0 {
		t.Errorf("cancelled run saved: %d results", len(rs))
	}
}

// TestUIMeasurerHistoryOfGuidelines: a round measured with NoHistory (a
// guideline run's) leaves no history row; Record appends the results the
// UI records once a table is complete, one row each, read back as gap
// points with their latencies (a cancelled G4 run left 21 single rounds in
// the history, and later sessions charted a noisy round instead of the
// table's best of 3).
func TestUIMeasurerHistoryOfGuidelines(t *testing.T) {
	f := newFakeDeps()
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	u := newTestMeasurer(f, hist)
	u.budget = runner.MeasureOptions{MinIters: 1}
	var _ ui.Recorder = u
	var rounds []runner.Result
	for range 3 {
		m, err := u.Measure(context.Background(), ui.RunRequest{Spec: smallSpec, Backend: "native", Mode: "fused", Threads: 1, NoHistory: true}, func(float64) {})
		if err != nil || m.Warning != "" {
			t.Fatal(err, m.Warning)
		}
		rounds = append(rounds, m.Result)
	}
	if rs, _, _ := history.Load(hist); len(rs) != 0 {
		t.Fatalf("rounds measured with NoHistory left %d history rows", len(rs))
	}
	best := rounds[1]
	best.LatencyMS.Median = 1.25
	other := rounds[2]
	other.Mode, other.LatencyMS.Median = runner.Eager, 2.5
	if err := u.Record([]runner.Result{best, other}); err != nil {
		t.Fatal(err)
	}
	rs, _, err := history.Load(hist)
	if err != nil || len(rs) != 2 || rs[0].LatencyMS.Median != 1.25 || rs[1].LatencyMS.Median != 2.5 || rs[1].Mode != runner.Eager {
		t.Fatalf("history after Record: %+v, %v", rs, err)
	}
	if pts, _ := historyPoints(hist, io.Discard); len(pts) != 2 || pts[0].LatencyMS != 1.25 {
		t.Errorf("history points %+v", pts)
	}
	if err := newTestMeasurer(f, filepath.Join(hist, "not-a-dir", "h.jsonl")).Record([]runner.Result{best}); err == nil {
		t.Error("Record into an impossible path: no error")
	}
	if err := newTestMeasurer(f, "").Record([]runner.Result{best}); err != nil {
		t.Errorf("Record without a history: %v", err)
	}
}

// TestUIMeasurerRefusals: unknown backends and memory refusals are errors.
func TestUIMeasurerRefusals(t *testing.T) {
	f := newFakeDeps()
	u := newTestMeasurer(f, "")
	if _, err := u.Measure(context.Background(), ui.RunRequest{Spec: smallSpec, Backend: "tpu", Mode: "fused", Threads: 1}, func(float64) {}); err == nil {
		t.Error("unknown backend accepted")
	}
	f.memErr = errors.New("needs 9 GiB, limit 8 GiB")
	if _, err := u.Measure(context.Background(), ui.RunRequest{Spec: smallSpec, Backend: "native", Mode: "fused", Threads: 1}, func(float64) {}); err == nil || err.Error() != f.memErr.Error() {
		t.Errorf("memory refusal: %v", err)
	}
	if f.be.compiled != 0 {
		t.Error("compiled despite the refusal")
	}
}

// TestUIMeasurerReusesBackend: one backend instance serves every run.
func TestUIMeasurerReusesBackend(t *testing.T) {
	f := newFakeDeps()
	created := 0
	d := f.deps()
	mk := d.backend
	d.backend = func(name string) (runner.Backend, error) { created++; return mk(name) }
	u := newUIMeasurer(d, "")
	u.budget = runner.MeasureOptions{MinIters: 1}
	for i := 0; i < 3; i++ {
		if _, err := u.Measure(context.Background(), ui.RunRequest{Spec: smallSpec, Backend: "native", Mode: "fused", Threads: 1}, func(float64) {}); err != nil {
			t.Fatal(err)
		}
	}
	if created != 1 {
		t.Errorf("backend created %d times for 3 runs, want 1", created)
	}
}

// TestAvailableBackends: every backend of the registry is offered, the
// ones that cannot run here with the reason (shown by the backend knob,
// and logged by the explorer when the user picks it: not at every start,
// as it was).
func TestAvailableBackends(t *testing.T) {
	got := newTestMeasurer(newFakeDeps(), "").available()
	if len(got) != 2 || got[0] != (ui.Backend{Name: "native"}) || got[1].Name != "cudnn" || !strings.Contains(got[1].Unavailable, "no such backend here") {
		t.Errorf("backends %+v, want native and cudnn with the reason", got)
	}
}

// TestUICalibrator: the export's ceilings come from the calibration cache
// that `explorer run` and `explorer sweep` share; a missing thread
// count must be calibrated, and a cancelled calibration says so. (No real
// calibration runs: the context is cancelled before the first timed slice.)
func TestUICalibrator(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	u := newTestMeasurer(newFakeDeps(), "")
	if _, ok := u.Cached(1); ok {
		t.Fatal("a ceiling in an empty cache")
	}
	fp := host.Detect()
	path := u.calibPath(fp, u.kernelSet())
	if path == "" || !strings.HasPrefix(path, os.Getenv("XDG_CACHE_HOME")) {
		t.Fatalf("cache path %q is not under $XDG_CACHE_HOME", path)
	}
	want := calib.Ceiling{Threads: 1, PeakGFLOPS: 10, L2GBps: 20, DRAMGBps: 5} // arbitrary positive ceilings
	if err := calib.Save(path, calib.Calibration{Version: calib.Version, Host: calib.HostKey(fp), Kernels: u.kernelSet().Name(), Ceilings: []calib.Ceiling{want}}); err != nil {
		t.Fatal(err)
	}
	if got, ok := u.Cached(1); !ok || got != want {
		t.Errorf("Cached(1) = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := u.Cached(2); ok {
		t.Error("Cached(2) found a ceiling only 1 thread was measured for")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := u.Calibrate(ctx, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled calibration: %v, want context.Canceled", err)
	}
}

// TestUIMeasurerKernelsWhileExporting: the export asks for the cached
// ceiling (Cached, from its own goroutine) while a run measures and sets
// the kernel set the roofline calibrates; under -race this was a data race
// on the kernel set (Measure wrote it under the run lock, Cached read it
// without). Each answer names a set that was the measurer's.
func TestUIMeasurerKernelsWhileExporting(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	d := newFakeDeps().deps()
	mk := d.backend
	d.backend = func(name string) (runner.Backend, error) { // the fake, as the native backend
		be, err := mk(name)
		return nativeNamed{be}, err
	}
	u := newUIMeasurer(d, "")
	u.budget = runner.MeasureOptions{MinIters: 1}
	done := make(chan error)
	go func() {
		var err error
		for range 20 {
			if _, err = u.Measure(context.Background(), ui.RunRequest{Spec: smallSpec, Backend: "native", Mode: "fused", Threads: 1, Kernels: "generic"}, func(float64) {}); err != nil {
				break
			}
		}
		done <- err
	}()
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
			u.Cached(1)
		}
	}
	if ks := u.kernelSet(); ks == nil || ks.Name() != "generic" {
		t.Errorf("kernel set after generic runs: %v", ks)
	}
}

// nativeNamed is a backend that calls itself the native backend (the one
// whose kernel set the roofline calibrates).
type nativeNamed struct{ runner.Backend }

func (nativeNamed) Name() string { return registry.DefaultBackend }

// TestHistoryPointsLatest: a history longer than maxHistoryPoints gives
// the chart its latest runs and a note that says how many it left out.
func TestHistoryPointsLatest(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	g, err := arch.Build(smallSpec)
	if err != nil {
		t.Fatal(err)
	}
	n := maxHistoryPoints + 3
	for i := range n {
		r := runner.Result{Version: runner.ResultVersion, Spec: g.Spec, Backend: "native", Mode: runner.Fused, Iters: 1}
		r.LatencyMS.Median = float64(i + 1) // the run's place in the file
		if err := history.Append(hist, r); err != nil {
			t.Fatal(err)
		}
	}
	pts, note := historyPoints(hist, io.Discard)
	if want := fmt.Sprintf("history: the latest %d of %d runs", maxHistoryPoints, n); note != want {
		t.Errorf("note %q, want %q", note, want)
	}
	if len(pts) != maxHistoryPoints || pts[0].LatencyMS != 4 || pts[len(pts)-1].LatencyMS != float64(n) {
		t.Errorf("%d points from %g to %g ms, want the latest %d (4..%d)", len(pts), pts[0].LatencyMS, pts[len(pts)-1].LatencyMS, maxHistoryPoints, n)
	}
}

// TestHistoryPointsSaysWhatItSkipped: a history the explorer cannot read
// whole says so in the gap chart's note (it only went to the log, which
// is discarded without --log: a garbage line gave 6 of 7 runs and a
// directory "No measured designs yet", without a word on screen).
func TestHistoryPointsSaysWhatItSkipped(t *testing.T) {
	g, err := arch.Build(smallSpec)
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, garbage map[int]string) string {
		hist := filepath.Join(t.TempDir(), "h.jsonl")
		for i := range 7 {
			r := runner.Result{Version: runner.ResultVersion, Spec: g.Spec, Backend: "native", Mode: runner.Fused, Iters: 1}
			r.LatencyMS.Median = float64(i + 1)
			if err := history.Append(hist, r); err != nil {
				t.Fatal(err)
			}
		}
		if len(garbage) > 0 {
			b, err := os.ReadFile(hist)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(b), "\n")
			var out []string
			for i, l := range lines {
				if g, ok := garbage[i+1]; ok {
					out = append(out, g+"\n")
				}
				out = append(out, l)
			}
			if err := os.WriteFile(hist, []byte(strings.Join(out, "")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return hist
	}
	for _, tc := range []struct {
		name   string
		path   func(t *testing.T) string
		points int
		note   []string // what the note says ("" parts: no note)
	}{
		{"whole", func(t *testing.T) string { return write(t, nil) }, 7, nil},
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "none.jsonl") }, 0, nil},
		{"one garbage line", func(t *testing.T) string { return write(t, map[int]string{4: "garbage"}) }, 7,
			[]string{"history: 1 line skipped (line 4: not a JSON result"}},
		{"three garbage lines", func(t *testing.T) string { return write(t, map[int]string{2: "x", 4: "y", 6: "z"}) }, 7,
			[]string{"history: 3 lines skipped (lines 2, 5, 8; line 2: not a JSON result"}},
		{"a directory", func(t *testing.T) string { return t.TempDir() }, 0,
			[]string{"history: not read: ", "is a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log strings.Builder
			pts, note := historyPoints(tc.path(t), &log)
			if len(pts) != tc.points {
				t.Errorf("%d points, want %d", len(pts), tc.points)
			}
			if len(tc.note) == 0 && note != "" {
				t.Errorf("note %q, want none", note)
			}
			for _, w := range tc.note {
				if !strings.Contains(note, w) {
					t.Errorf("note %q lacks %q", note, w)
				}
			}
			if len(tc.note) > 0 && !strings.Contains(log.String(), "history") {
				t.Errorf("the log has nothing: %q", log.String())
			}
		})
	}
}

// TestUIMeasurerMemRefusalHint: the explorer's memory refusal says what
// applies there; it named --mem-limit, a flag `explorer ui` does not
// have. The command line's refusal still names the flag.
func TestUIMeasurerMemRefusalHint(t *testing.T) {
	f := newFakeDeps()
	u := newTestMeasurer(f, "")
	f.memErr = runner.FormatMemError(10<<30, 8<<30, map[string]int64{"activations": 10 << 30})
	_, err := u.Measure(context.Background(), ui.RunRequest{Spec: smallSpec, Backend: "native", Mode: "fused", Threads: 1}, func(float64) {})
	var me *runner.MemError
	if !errors.As(err, &me) {
		t.Fatalf("memory refusal: %v, want a *runner.MemError", err)
	}
	if msg := err.Error(); strings.Contains(msg, "(--mem-limit)") || !strings.Contains(msg, "limit is 8 GiB (") || !strings.Contains(msg, uiMemHint) {
		t.Errorf("the explorer's refusal: %q", msg)
	}
	if f.be.compiled != 0 {
		t.Error("compiled despite the refusal")
	}
}
