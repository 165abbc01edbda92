package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner/guideline"
)

// TestStaleResultDropped: a result of a cancelled run must not show up.
func TestStaleResultDropped(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	if cmd == nil || !m.sess.job.running(scrExplore) {
		t.Fatal("run did not start")
	}
	oldGen := m.sess.job.gen
	send(t, m, "esc")
	if m.sess.job.active || m.sess.job.notes[scrExplore] != "cancelled" {
		t.Fatalf("after esc: active=%v note=%q", m.sess.job.active, m.sess.job.notes[scrExplore])
	}
	m.Update(jobDoneMsg{gen: oldGen, owner: scrExplore, payload: &runResult{}})
	if m.explore.last != nil {
		t.Error("stale result was accepted")
	}
	drain(t, m, cmd) // the fake returns once cancelled; its result is stale too
	if m.explore.last != nil {
		t.Error("result of the cancelled run was accepted")
	}
}

// TestDesignChangeCancelsRun: turning a knob during a run cancels it.
func TestDesignChangeCancelsRun(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	send(t, m, "down", "down", "down", "right") // width 1.0 -> 1.1
	if m.sess.job.active || !strings.Contains(m.sess.job.notes[scrExplore], "design changed") {
		t.Errorf("run active=%v note=%q after a knob change", m.sess.job.active, m.sess.job.notes[scrExplore])
	}
	drain(t, m, cmd)
	if m.explore.last != nil {
		t.Error("stale result accepted")
	}
	// A change of how it runs (mode) cancels it too, and says that, not
	// "design changed" (audit): backend, mode, threads and kernels are
	// not the design.
	m = newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd = m.Update(keyMsg("r"))
	atKnob(t, m, kMode)
	send(t, m, "right")
	if note := m.sess.job.notes[scrExplore]; m.sess.job.active || note != "cancelled: run settings changed" {
		t.Errorf("run active=%v note=%q after a mode change", m.sess.job.active, note)
	}
	drain(t, m, cmd)
}

type errMeasurer struct{}

func (errMeasurer) Measure(context.Context, RunRequest, func(float64)) (Measurement, error) {
	return Measurement{}, errors.New("out of memory")
}

// TestRunError: a failing measurement shows in the status line, and whole
// in the Run pane, wrapped (audit: the pane said only "failed", and the
// status line cut a memory refusal's advice at every width).
func TestRunError(t *testing.T) {
	m := newTestModel(t, errMeasurer{}, 120, 40)
	send(t, m, "r")
	if !strings.Contains(view(m), "error: run shufflenetv2 1x: out of memory") {
		t.Errorf("error not shown:\n%s", view(m))
	}
	long := longErrMeasurer{"design needs an estimated 123.04 GiB (activations 120.72 GiB, weights 20.5 MiB, workspace 2.3 GiB); limit is 17.66 GiB (the explorer's default: make the batch, input or width smaller)"}
	m = newTestModel(t, long, 80, 24)
	send(t, m, "r")
	pane := strings.Join(strings.Fields(ansi.Strip(strings.Join(m.explore.runLines(30), " "))), " ")
	if !strings.Contains(pane, "failed: run shufflenetv2 1x: "+long.err) {
		t.Errorf("the Run pane lacks the whole reason:\n%s", pane)
	}
}

// longErrMeasurer fails every measurement with err.
type longErrMeasurer struct{ err string }

func (l longErrMeasurer) Measure(context.Context, RunRequest, func(float64)) (Measurement, error) {
	return Measurement{}, errors.New(l.err)
}

// TestDeltasAgainstLoadedDesign: Δ compares with the design that was
// loaded, not with the previous keystroke.
func TestDeltasAgainstLoadedDesign(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	base := m.explore.base.written.Totals.MultAdds
	send(t, m, "down", "down", "down", "right", "right") // width 1.0 -> 1.2
	want := delta(m.explore.a.written.Totals.MultAdds, base, true)
	if want == "Δ =" || !strings.Contains(view(m), want) {
		t.Errorf("view lacks the MAdds delta against the loaded design %q:\n%s", want, view(m))
	}
	send(t, m, "left", "left") // back to 1.0: no change against the loaded design
	if !strings.Contains(view(m), "Δ =") {
		t.Error("back at the loaded design, the delta is not '='")
	}
}

// TestSaveAndLoad saves the design through the prompt and reads it back;
// a built-in preset's name is refused.
func TestSaveAndLoad(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	send(t, m, "down", "down", "down", "right") // width 1.1
	if filepath.Base(m.explore.saveName(fileExists)) == "shufflenetv2-1.0.toml" {
		t.Errorf("default save name %q shadows the preset", m.explore.saveName(fileExists))
	}
	dir := t.TempDir()
	send(t, m, "s", "ctrl+u", filepath.Join(dir, "shufflenetv2-1.0.toml"), "enter")
	if st := statusLine(m); !strings.Contains(st, "built-in preset") {
		t.Errorf("saving under a preset's name: status %q", st)
	}
	// Without the extension: a preset's name is still refused (it was saved
	// as a file "shufflenetv2-1.0" named "shufflenetv2-1"), and a name is
	// saved as NAME.toml.
	send(t, m, "s", "ctrl+u", filepath.Join(dir, "shufflenetv2-1.0"), "enter")
	if st := statusLine(m); !strings.Contains(st, "built-in preset") {
		t.Errorf("saving under a preset's name without .toml: status %q", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "shufflenetv2-1.0")); err == nil {
		t.Error("saved a file named like the preset")
	}
	send(t, m, "s", "ctrl+u", filepath.Join(dir, "wide.1.1"), "enter")
	if p, err := presets.Load(filepath.Join(dir, "wide.1.1.toml")); err != nil || p.Name != "wide.1.1" {
		t.Errorf("a name without .toml: %+v, %v", p, err)
	}
	path := filepath.Join(dir, "mine.toml")
	send(t, m, "s", "ctrl+u", path, "enter")
	p, err := presets.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Design.Normalize().Key() != m.explore.d.spec.Key() {
		t.Errorf("saved %s, current %s", p.Design, m.explore.d.spec)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
	last := m.presets.choices[len(m.presets.choices)-1]
	if !last.fromFile || last.p.File != path {
		t.Errorf("saved file not offered by the picker: %+v", last.p)
	}
}

// TestHelpOnlyLiveKeys: the footer lists run only with a measurer and
// cancel only during a run; ? help and q quit always, even at 80x24.
func TestHelpOnlyLiveKeys(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	if v := view(m); strings.Contains(v, "r run") || strings.Contains(v, "esc cancel") {
		t.Error("help lists run or cancel without a measurer")
	}
	m = newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	if v := view(m); !strings.Contains(v, "r run") || strings.Contains(v, "esc cancel run") {
		t.Errorf("help before a run is wrong:\n%s", v)
	}
	_, cmd := m.Update(keyMsg("r"))
	if !strings.Contains(view(m), "esc cancel run") {
		t.Error("help lacks cancel during a run")
	}
	send(t, m, "esc")
	drain(t, m, cmd)
	for _, k := range []string{"1", "2", "3", "4", "?"} {
		m := newTestModel(t, fakeMeasurer{}, 80, 24)
		send(t, m, k)
		lines := strings.Split(view(m), "\n")
		if foot := lines[len(lines)-1]; !strings.Contains(foot, "q quit") || !strings.Contains(foot, "help") {
			t.Errorf("screen %s at 80x24: footer %q lacks help or quit", k, foot)
		}
	}
}

// TestTinySizes renders every screen at sizes down to 1x1 without panics,
// never wider than the terminal.
func TestTinySizes(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {10, 5}, {79, 24}, {80, 23}, {80, 24}, {200, 60}, {300, 100}} {
		for _, k := range []string{"1", "2", "3", "4", "?"} {
			m := newTestModel(t, fakeMeasurer{}, sz[0], sz[1])
			send(t, m, "r", k)
			v := view(m)
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

// TestWideUsesWidth: at 200x60 the explore screen fills its columns (the
// third shows the lenses and where the time goes); no column is left empty.
func TestWideUsesWidth(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 200, 60)
	send(t, m, "r")
	lines := strings.Split(view(m), "\n")
	used := 0
	for _, l := range lines[1 : len(lines)-2] {
		used = max(used, ansi.StringWidth(strings.TrimRight(l, " ")))
	}
	if used < 160 { // at most 40 of 200 columns empty
		t.Errorf("explore at 200x60 uses %d columns:\n%s", used, strings.Join(lines, "\n"))
	}
	if v := view(m); !strings.Contains(v, "Where the time goes") || !strings.Contains(v, "lens [G1]") {
		t.Errorf("third column lacks the lens or the profile:\n%s", v)
	}
}

// TestPresetLoad picks the third preset and loads it into the knobs.
func TestPresetLoad(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	send(t, m, "4", "down", "down", "enter")
	want := m.presets.choices[2].p
	d := m.explore.d
	if m.focus != scrExplore || d.preset != want.Name || d.edited {
		t.Fatalf("screen %v, design %q edited=%v; want explore with %q", m.focus, d.preset, d.edited, want.Name)
	}
	if d.spec.Key() != want.Design.Normalize().Key() || m.explore.base.graph.Spec.Key() != d.spec.Key() {
		t.Errorf("loaded %s, preset is %s (base %s)", d.spec, want.Design, m.explore.base.graph.Spec)
	}
}

// TestGuidelineCancelAndSwitch: esc cancels the experiment; arrows pick
// another experiment, x cycles the scale, p the platform.
func TestGuidelineCancelAndSwitch(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	send(t, m, "3")
	_, cmd := m.Update(keyMsg("r"))
	if !m.sess.job.running(scrGuide) {
		t.Fatal("experiment did not start")
	}
	send(t, m, "esc")
	drain(t, m, cmd)
	if m.sess.job.active || len(m.guide.measured) != 0 {
		t.Errorf("after esc: active=%v measured=%d", m.sess.job.active, len(m.guide.measured))
	}
	send(t, m, "right", "x", "p")
	if m.guide.sel != 1 || m.guide.scale != 1 || m.guide.platform != "gpu" {
		t.Errorf("sel %d scale %d platform %s, want 1, 1, gpu", m.guide.sel, m.guide.scale, m.guide.platform)
	}
	if v := view(m); !strings.Contains(v, "["+m.guide.exps[1].ID+"]") || !strings.Contains(v, "GPU sizes") {
		t.Errorf("the chosen experiment or platform is not marked:\n%s", v)
	}
}

// TestQuitAsksDuringRun: q and ctrl+c during a run ask first; any other
// key stays, y quits.
func TestQuitAsksDuringRun(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{block: true}, 120, 40)
	_, cmd := m.Update(keyMsg("r"))
	for _, k := range []string{"q", "ctrl+c"} {
		_, c := m.Update(keyMsg(k))
		if c != nil || !strings.Contains(statusLine(m), "quit anyway?") {
			t.Fatalf("%s during a run: cmd %v, status %q", k, c, statusLine(m))
		}
		send(t, m, "n")
		if !m.sess.job.active {
			t.Fatal("answering n stopped the run")
		}
	}
	m.Update(keyMsg("q"))
	_, quit := m.Update(keyMsg("y"))
	if quit == nil || m.sess.job.active {
		t.Fatal("y did not quit and cancel the run")
	}
	if _, ok := quit().(tea.QuitMsg); !ok {
		t.Error("y did not quit")
	}
	drain(t, m, cmd)
}

// TestStatusClearsOnScreenChange: a message belongs to its screen, and a
// long one never spills over the width.
func TestStatusClearsOnScreenChange(t *testing.T) {
	m := newTestModel(t, errMeasurer{}, 80, 24)
	send(t, m, "r")
	if !strings.Contains(statusLine(m), "out of memory") {
		t.Fatalf("status %q", statusLine(m))
	}
	m.Update(statusMsg{text: strings.Repeat("very long message ", 20), isErr: true})
	for _, l := range strings.Split(view(m), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("a line is %d wide", ansi.StringWidth(l))
		}
	}
	send(t, m, "2")
	if st := statusLine(m); strings.Contains(st, "error") {
		t.Errorf("status %q followed to the gap chart", st)
	}
}

// TestStatusExpires: an expiry of the shown message clears it; a stale
// expiry does not clear a newer one.
func TestStatusExpires(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	m.Update(statusMsg{text: "first"})
	first := m.statusID
	m.Update(statusMsg{text: "second"})
	m.Update(statusExpiredMsg{id: first})
	if !strings.Contains(statusLine(m), "second") {
		t.Error("a stale expiry cleared the newer message")
	}
	m.Update(statusExpiredMsg{id: m.statusID})
	if strings.Contains(statusLine(m), "second") {
		t.Error("the message did not expire")
	}
	if d := statusTTL(false); d <= 0 || statusTTL(true) < d {
		t.Errorf("ttl info %v, errors %v", d, statusTTL(true))
	}
}

// TestKnobStopsSaysWhy: where a knob stops the status line says why: at
// the end of its range, and where the design cannot be built (the megvii
// layout below width 0.271: stage 2 must be wider than the stem of 24).
func TestKnobStopsSaysWhy(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	send(t, m, "down", "down", "down", "down", "down", "down", "left") // groups 1 -> stays 1
	if st := statusLine(m); !strings.Contains(st, "groups stops at 1 (valid: 1..") {
		t.Errorf("status %q", st)
	}
	m = newTestModel(t, nil, 120, 40)
	send(t, m, "enter", "ctrl+u", "shufflenetv2-0.5-megvii", "enter", "down", "down", "down")
	for i := 0; i < 20 && !strings.Contains(statusLine(m), "stops"); i++ {
		send(t, m, "left")
	}
	if st := statusLine(m); !strings.Contains(st, "width stops at 0.3: invalid width 0.2") || !strings.Contains(strings.Join(strings.Fields(view(m)), " "), "(valid: 0.271..16 in layout") {
		t.Errorf("no reason where width stops for megvii: %q\n%s", st, view(m))
	}
}

// TestColours: NO_COLOR gives no colour escape at all; a light background
// switches the styles.
func TestColours(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 120, 40)
	send(t, m, "r")
	if raw := m.View().Content; strings.Contains(raw, "\x1b[3") || strings.Contains(raw, "\x1b[9") || strings.Contains(raw, "38;") {
		t.Errorf("NoColor frame has colour escapes: %q", raw[:min(len(raw), 400)])
	}
	deps := testDeps(fakeMeasurer{})
	deps.NoColor = false
	m = newModel(t, deps, 120, 40)
	dark := m.sess.st.tabOn.Render("x")
	m.Update(tea.BackgroundColorMsg{Color: lightGrey{}})
	if m.isDark || m.sess.st.tabOn.Render("x") == dark {
		t.Error("a light background did not change the styles")
	}
	if m.Init() == nil {
		t.Error("Init does not ask for the background colour")
	}
}

// lightGrey is a light terminal background.
type lightGrey struct{}

func (lightGrey) RGBA() (r, g, b, a uint32) { return 0xeeee, 0xeeee, 0xeeee, 0xffff }

// TestGapScroll: the point list scrolls and sorts by chartdata's keys.
func TestGapScroll(t *testing.T) {
	deps := testDeps(nil)
	for i := 0; i < 40; i++ {
		p := histPoint(fmt.Sprintf("design-%02d", i), arch.ShuffleNetV2, int64(100+i)*1e6, 10e6, float64(40-i))
		deps.History = append(deps.History, p)
	}
	m := newModel(t, deps, 120, 40)
	send(t, m, "2")
	first := view(m)
	send(t, m, "down", "down", "down")
	if view(m) == first || m.gap.top != 3 {
		t.Errorf("list did not scroll (top %d)", m.gap.top)
	}
	for m.gap.sort != chartdata.ByLatency {
		send(t, m, "o")
	}
	if !strings.Contains(view(m), "sorted by latency") {
		t.Error("sort order not named")
	}
}

// statusLine is the frame's status line (the one above the key help).
func statusLine(m *Model) string {
	lines := strings.Split(view(m), "\n")
	return strings.TrimSpace(lines[len(lines)-2])
}

// TestGuidelineVerdictsAreTheCLIs: after a run the screen shows
// runner/guideline's normalised speeds and verdict sentences, the ones
// `explorer guidelines` prints, for the table FromExperiment builds at the
// chosen platform and scale.
func TestGuidelineVerdictsAreTheCLIs(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 200, 60)
	send(t, m, "3", "p", "x", "r") // GPU sizes, scale x2
	k := tableKey{0, guideline.GPU, 1}
	got := m.guide.tables[k]
	x := m.guide.exps[0]
	want, err := guideline.FromExperiment(x, guideline.GPU, []int{x.Scales[1]})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range want.Rows {
		if r.Specs[0].Key() != got.Rows[i].Specs[0].Key() {
			t.Errorf("row %s: TUI design %s, CLI design %s", r.Label, got.Rows[i].Specs[0], r.Specs[0])
		}
	}
	v := view(m)
	for _, vd := range got.Verdicts() {
		for _, line := range wrap(vd.String(), 200) {
			if !strings.Contains(v, line) {
				t.Errorf("view lacks the verdict line %q:\n%s", line, v)
			}
		}
	}
	n := guideline.Normalised(got.ModeSpeeds(0, 0))
	if n == nil || !strings.Contains(v, fmt.Sprintf(" %.2f ", n[len(n)-1])) {
		t.Errorf("view lacks the normalised speed %v", n)
	}
}

// TestGuidelineTableIsTheCLIs: the guidelines screen prints the cells of
// guideline.Table.Columns, the table of `explorer guidelines`, whole where
// the terminal has room (G4's "ReLU+shortcut" was cut to "ReLU+sh…" at 120
// columns), and the table never runs past a narrow terminal.
func TestGuidelineTableIsTheCLIs(t *testing.T) {
	for _, w := range []int{80, 120} {
		m := newTestModel(t, fakeMeasurer{}, w, 40)
		send(t, m, "3", "left", "r") // G4, eager and fused
		got := m.guide.tables[m.guide.key()]
		if got.ID != "G4" || len(got.Modes) != 2 {
			t.Fatalf("measured %s in %v, want G4 in eager and fused", got.ID, got.Modes)
		}
		v := view(m)
		if !strings.Contains(v, "in every row: channels c=32, MAdds 34.12M") {
			t.Errorf("%d columns: the columns equal in every row are not said once:\n%s", w, v)
		}
		cols, _ := guideline.FactorSame(got.Columns(0))
		var head string
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(l, "row ") {
				head = strings.TrimRight(l, " ")
			}
		}
		if !strings.HasSuffix(head, "ARM") || !strings.Contains(head, "GPU") || len([]rune(head)) > w {
			t.Errorf("%d columns: table header cut or too wide: %q", w, head)
		}
		if w < 120 {
			continue
		}
		for i, r := range got.Rows {
			var line string
			for _, l := range strings.Split(v, "\n") {
				if strings.HasPrefix(l, r.Label+" ") {
					line = l
				}
			}
			fields := strings.Join(strings.Fields(line), " ")
			for _, c := range cols[1:] { // every cell but the label
				if !strings.Contains(fields, c.Cells[i]) {
					t.Errorf("%d columns: row %q lacks %s %q: %q", w, r.Label, c.Head, c.Cells[i], line)
				}
			}
		}
	}
}

// TestHelpFitsWidth: the full help of every screen at 80x24 shows every
// key's words whole (the last column read "next …" and "scree…"), its
// columns wrapped below one another where the width ends.
func TestHelpFitsWidth(t *testing.T) {
	for _, scr := range []string{"1", "2", "3", "4"} {
		m := newTestModel(t, fakeMeasurer{}, 80, 24)
		send(t, m, "r", scr, "?")
		v := view(m)
		for _, want := range []string{"next screen", "prev screen", "1-4", "q quit"} {
			if !strings.Contains(v, want) {
				t.Errorf("screen %s: help lacks %q:\n%s", scr, want, v)
			}
		}
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "…") && !strings.Contains(l, "(") {
				t.Errorf("screen %s: a help line is cut: %q", scr, l)
			}
		}
	}
}

// TestSavePath: a typed name gets the .toml extension the picker looks for,
// and a bare name goes into the design folder (--designs).
func TestSavePath(t *testing.T) {
	m := newTestModel(t, nil, 120, 40)
	m.sess.deps.SaveDir = filepath.Join("designs")
	for typed, want := range map[string]string{
		"mine":                               filepath.Join("designs", "mine.toml"),
		" mine.toml ":                        filepath.Join("designs", "mine.toml"),
		"v2-1.5":                             filepath.Join("designs", "v2-1.5.toml"),
		filepath.Join("elsewhere", "x"):      filepath.Join("elsewhere", "x.toml"),
		filepath.Join("elsewhere", "x.TOML"): filepath.Join("elsewhere", "x.TOML"),
	} {
		if got := m.explore.savePath(typed); got != want {
			t.Errorf("savePath(%q) = %q, want %q", typed, got, want)
		}
	}
}

// TestGuidelineRunKeyShows: at 80x24 the guidelines screen's key help keeps
// "r run experiment" (it was the screen's last key and gave way first).
func TestGuidelineRunKeyShows(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 80, 24)
	send(t, m, "r", "3") // something measured: e export takes room too
	lines := strings.Split(view(m), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "r run experiment") || !strings.Contains(footer, "q quit") {
		t.Errorf("footer %q", footer)
	}
}

// TestTimeSharesSayTheirView: a fused run's time shares beside the
// as-written view's MAdds and MAC shares are starred and the view they
// belong to is named; in the fused view they stand plain, as in `explorer
// run --profile`.
func TestTimeSharesSayTheirView(t *testing.T) {
	m := newTestModel(t, fakeMeasurer{}, 120, 40)
	send(t, m, "r")
	v := view(m)
	if !strings.Contains(v, "time%*") || !strings.Contains(v, "time%* of the fused run: v shows its fused view") {
		t.Errorf("as-written view after a fused run:\n%s", v)
	}
	send(t, m, "v")
	v = view(m)
	if strings.Contains(v, "time%*") || !strings.Contains(v, "time%") {
		t.Errorf("fused view after a fused run:\n%s", v)
	}
}
