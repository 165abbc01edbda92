package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shufflelab/explorer/runner/calib"
)

// fakeCalibrator hands out made-up ceilings (any positive numbers do: only
// the files' existence is checked) and counts its calls.
type fakeCalibrator struct {
	mu        sync.Mutex
	cached    bool  // Cached finds a ceiling
	fail      error // Calibrate returns this error
	block     bool  // Calibrate waits for cancellation
	calibrate int   // calls of Calibrate
}

var fakeCeiling = calib.Ceiling{Threads: 1, PeakGFLOPS: 50, L2GBps: 80, DRAMGBps: 20}

func (f *fakeCalibrator) Cached(threads int) (calib.Ceiling, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCeiling, f.cached
}

func (f *fakeCalibrator) Calibrate(ctx context.Context, threads int) (calib.Ceiling, error) {
	f.mu.Lock()
	f.calibrate++
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		return calib.Ceiling{}, fmt.Errorf("fake calibration: %w", ctx.Err())
	}
	if f.fail != nil {
		return calib.Ceiling{}, f.fail
	}
	return fakeCeiling, nil
}

func newExportModel(t *testing.T, cal Calibrator) *Model {
	t.Helper()
	deps := testDeps(fakeMeasurer{})
	deps.Calibrator = cal
	deps.Now = func() time.Time { return time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) }
	return newModel(t, deps, 200, 40)
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || info.Size() == 0 {
			t.Errorf("%s is empty (%v)", e.Name(), err)
		}
		names = append(names, e.Name())
	}
	return names
}

// TestExport measures the current design and a guideline experiment with
// the fake measurer, exports, and checks the folder and the status line.
func TestExport(t *testing.T) {
	gaps := []string{"gap-flops.png", "gap-flops.svg", "gap-mac.png", "gap-mac.svg"}
	data := []string{"cost.csv", "cost.json", "points.csv", "points.json"}
	tests := []struct {
		name       string
		cal        *fakeCalibrator
		keys       []string // before the export
		want       []string // files
		calibrates bool     // the status says it calibrates
		note       string   // in the final status line
	}{
		{"measured, cached calibration", &fakeCalibrator{cached: true}, []string{"r"},
			append(append(slices.Clone(gaps), "decomposition.png", "roofline.png"), data...), false, ""},
		{"measured, calibrates", &fakeCalibrator{}, []string{"r"},
			append(append(slices.Clone(gaps), "decomposition.png", "roofline.png"), data...), true, ""},
		{"calibration fails", &fakeCalibrator{fail: fmt.Errorf("no cores today")}, []string{"r"},
			append(append(slices.Clone(gaps), "decomposition.png"), data...), true, "calibration failed: no cores today"},
		{"history only", &fakeCalibrator{}, nil,
			append(append(slices.Clone(gaps), "decomposition.png"), data...), false, "not measured"},
		// The guideline's micro-networks get their own gap charts.
		{"guideline run", &fakeCalibrator{cached: true}, []string{"3", "r", "1"},
			append(append(slices.Clone(gaps), "gap-micro-flops.png", "gap-micro-flops.svg", "gap-micro-mac.png", "gap-micro-mac.svg",
				"decomposition.png", "guideline-g1-x1-arm-sizes.png"), data...), false, "not measured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newExportModel(t, tc.cal)
			send(t, m, tc.keys...)
			dir := filepath.Join(t.TempDir(), "my export")
			send(t, m, "e")
			if !strings.Contains(statusLine(m), "export plots and data to folder: explorer-export-20261126-233000") {
				t.Fatalf("prompt: %q", statusLine(m))
			}
			send(t, m, "ctrl+u", dir)
			_, cmd := m.Update(keyMsg("enter")) // the status at once, then the export
			if !strings.Contains(statusLine(m), "exporting to "+dir) {
				t.Errorf("status while exporting: %q", statusLine(m))
			}
			if m.canExport() {
				t.Error("export key enabled during an export")
			}
			msg := cmd()
			if _, ok := msg.(exportCalibMsg); ok != tc.calibrates {
				t.Fatalf("first message %T, calibration expected: %v", msg, tc.calibrates)
			}
			_, next := m.Update(msg)
			if tc.calibrates && !strings.Contains(statusLine(m), "calibrating the roofline") {
				t.Errorf("status during calibration: %q", statusLine(m))
			}
			drain(t, m, next)

			got := listDir(t, dir)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
			st := statusLine(m)
			if !strings.Contains(st, fmt.Sprintf("exported %d files to %s", len(want), dir)) || !strings.Contains(st, tc.note) {
				t.Errorf("status %q, want it to name %d files, %s and %q", st, len(want), dir, tc.note)
			}
			if (tc.cal.calibrate > 0) != tc.calibrates {
				t.Errorf("%d calibrations", tc.cal.calibrate)
			}
			if !m.canExport() {
				t.Error("export key not enabled again after the export")
			}
		})
	}
}

// TestExportKeyNeedsPoints: without measured designs the key is off and
// help does not list it; the first measurement turns it on.
func TestExportKeyNeedsPoints(t *testing.T) {
	deps := testDeps(fakeMeasurer{})
	deps.History = nil
	m := newModel(t, deps, 200, 40)
	if strings.Contains(view(m), "e export") {
		t.Error("help lists export with nothing to export")
	}
	send(t, m, "e")
	if m.exp.input.open {
		t.Error("e opened the export prompt with nothing to export")
	}
	send(t, m, "r")
	if !strings.Contains(view(m), "e export") {
		t.Error("help does not list export after a measurement")
	}
}

// TestExportErrors: a folder that cannot be created and an empty name are
// errors in the status line, never panics.
func TestExportErrors(t *testing.T) {
	m := newExportModel(t, &fakeCalibrator{cached: true})
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	send(t, m, "e", "ctrl+u", filepath.Join(file, "sub"), "enter")
	if st := statusLine(m); !strings.Contains(st, "error: export") || !strings.Contains(st, file) {
		t.Errorf("status %q, want an export error naming %s", st, file)
	}
	send(t, m, "e", "ctrl+u", "enter")
	if st := statusLine(m); !strings.Contains(st, "error: export: empty folder name") {
		t.Errorf("status %q", st)
	}
	if m.exp.active {
		t.Error("export still active after errors")
	}
}

// TestExportFailureShown: an export that fails at once shows its error on
// the status line whatever order its messages arrive in, and the error
// stays (no expiry) until the next key. The "exporting to" message was a
// Cmd batched with the export: when the failure landed first, it replaced
// the error, then expired, and the error reached only the log.
func TestExportFailureShown(t *testing.T) {
	m := newExportModel(t, &fakeCalibrator{cached: true})
	m.ttl = statusTTL // expiries are scheduled as in the program
	file := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	send(t, m, "e", "ctrl+u", filepath.Join(file, "x"))
	_, cmd := m.Update(keyMsg("enter"))
	var msgs []tea.Msg
	var collect func(tea.Cmd)
	collect = func(c tea.Cmd) { // every message, the timers' unfired
		if c == nil {
			return
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		select {
		case msg := <-done:
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range slices.Backward(b) {
					collect(c)
				}
				return
			}
			msgs = append(msgs, msg)
		case <-time.After(100 * time.Millisecond): // a status expiry timer
		}
	}
	collect(cmd)
	for _, msg := range msgs {
		_, next := m.Update(msg)
		collect(next)
	}
	want := "error: export to " + filepath.Join(file, "x") + ": 0 files written, then:"
	if st := statusLine(m); !strings.Contains(st, want) || !strings.Contains(st, "not a directory") {
		t.Fatalf("status %q, want %q... not a directory", st, want)
	}
	m.Update(statusExpiredMsg{id: m.statusID})
	if st := statusLine(m); !strings.Contains(st, want) {
		t.Errorf("the error expired: status %q", st)
	}
	send(t, m, "down")
	if st := statusLine(m); strings.Contains(st, "error") {
		t.Errorf("the error outlived the next key: %q", st)
	}
}

// TestExportSkipCalibration: esc during the calibration exports without
// the roofline.
func TestExportSkipCalibration(t *testing.T) {
	cal := &fakeCalibrator{block: true}
	m := newExportModel(t, cal)
	send(t, m, "r")
	dir := filepath.Join(t.TempDir(), "out")
	send(t, m, "e", "ctrl+u", dir)
	_, cmd := m.Update(keyMsg("enter")) // the status is set at once; the export
	_, next := m.Update(cmd())          // the calibration is needed
	if !strings.Contains(statusLine(m), "calibrating the roofline") {
		t.Errorf("status while calibrating: %q", statusLine(m))
	}
	if !strings.Contains(view(m), "esc skip roofline") {
		t.Error("help does not offer esc during the calibration")
	}
	// The calibration blocks until cancelled; esc cancels it.
	res := make(chan tea.Msg, 1)
	go func() { res <- next() }()
	send(t, m, "esc")
	if !strings.Contains(statusLine(m), "calibration cancelled") {
		t.Errorf("status after esc: %q", statusLine(m))
	}
	var msg tea.Msg
	select {
	case msg = <-res:
	case <-time.After(5 * time.Second):
		t.Fatal("the calibration did not stop within 5s of esc")
	}
	_, last := m.Update(msg)
	drain(t, m, last)
	if slices.Contains(listDir(t, dir), "roofline.png") {
		t.Error("roofline written after the calibration was cancelled")
	}
	if st := statusLine(m); !strings.Contains(st, "calibration cancelled") {
		t.Errorf("status %q", st)
	}
}

// TestExportPromptKeys: while the folder is typed the key help lists only
// the prompt's keys (e, ? and q are letters of the name), and ctrl+c quits
// as it does in every other prompt.
func TestExportPromptKeys(t *testing.T) {
	m := newExportModel(t, &fakeCalibrator{cached: true})
	send(t, m, "r", "e")
	if !m.exp.input.open {
		t.Fatal("e did not open the export prompt")
	}
	lines := strings.Split(view(m), "\n")
	footer := lines[len(lines)-1]
	for _, k := range []string{"q quit", "e export", "? help"} {
		if strings.Contains(footer, k) {
			t.Errorf("key help lists %q while a folder is typed: %q", k, footer)
		}
	}
	if !strings.Contains(footer, "enter apply") || !strings.Contains(footer, "esc discard") {
		t.Errorf("key help lacks the prompt's keys: %q", footer)
	}
	send(t, m, "q?e")
	if got := m.exp.input.value(); !strings.HasSuffix(got, "q?e") {
		t.Errorf("typed q?e, the folder reads %q", got)
	}
	_, cmd := m.Update(keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c in the export prompt did nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("ctrl+c in the export prompt did not quit")
	}
}

// TestExportAsksBeforeOverwriting: an export to a folder that holds files
// asks first, as a save does (it rewrote them without a word, and files of
// a larger export stayed mixed in): y writes, and the status line names
// the files there that are not from this export; esc keeps the folder as
// it is; any other key goes back to the name.
func TestExportAsksBeforeOverwriting(t *testing.T) {
	m := newExportModel(t, &fakeCalibrator{cached: true})
	send(t, m, "r")
	dir := filepath.Join(t.TempDir(), "out")
	send(t, m, "e", "ctrl+u", dir, "enter")
	if st := statusLine(m); !strings.Contains(st, "exported ") {
		t.Fatalf("first export into a new folder: %q", st)
	}
	if err := os.Remove(filepath.Join(dir, "points.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "old-chart.png"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	written := func() bool {
		_, err := os.Stat(filepath.Join(dir, "points.json"))
		return err == nil
	}
	ask := func() {
		t.Helper()
		send(t, m, "e", "ctrl+u", dir, "enter")
		if st := statusLine(m); !strings.Contains(st, dir+" holds") || !strings.Contains(st, "export into it anyway? y replaces files of the same names") {
			t.Fatalf("export into a folder with files: status %q", st)
		}
		if lines := strings.Split(view(m), "\n"); !strings.Contains(lines[len(lines)-1], "y export into it") || strings.Contains(lines[len(lines)-1], "q quit") {
			t.Errorf("key help during the question: %q", lines[len(lines)-1])
		}
		if written() {
			t.Fatal("files written before the answer")
		}
	}
	ask()
	send(t, m, "n")
	if st := statusLine(m); !strings.Contains(st, "export plots and data to folder: "+dir) {
		t.Errorf("another key: status %q, want the folder field with the name", st)
	}
	send(t, m, "esc")
	ask()
	send(t, m, "esc")
	if st := statusLine(m); !strings.Contains(st, "not exported: "+dir+" holds files") || written() {
		t.Errorf("esc: status %q, written %v", st, written())
	}
	ask()
	send(t, m, "y")
	if st := statusLine(m); !strings.Contains(st, "exported ") || !strings.Contains(st, "1 file there is not from this export: old-chart.png") || !written() {
		t.Errorf("y: status %q, written %v", st, written())
	}
}
