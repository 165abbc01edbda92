package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
)

// pollutedDeps has a history of this host's native/fused/1t whole
// networks beside another host's, an eager run, a 2-thread run, a cudnn
// run and guideline micro-networks.
func pollutedDeps() Deps {
	deps := testDeps(fakeMeasurer{})
	other := func(p chartdata.Point) chartdata.Point {
		p.Host, p.HostName = "otherhost", "Other CPU (8 cores)"
		return p
	}
	with := func(p chartdata.Point, f func(*chartdata.Point)) chartdata.Point { f(&p); return p }
	base := histPoint("mnv2 fast other", arch.MobileNetV2, 300e6, 26e6, 3)
	deps.History = append(deps.History,
		other(base),
		other(histPoint("snv1 other", arch.ShuffleNetV1, 137e6, 15e6, 2)),
		with(histPoint("snv2 eager", arch.ShuffleNetV2, 146e6, 18e6, 40), func(p *chartdata.Point) { p.Mode = "eager" }),
		with(histPoint("snv2 2t", arch.ShuffleNetV2, 146e6, 18e6, 6), func(p *chartdata.Point) { p.Threads = 2 }),
		with(histPoint("snv2 gpu", arch.ShuffleNetV2, 146e6, 18e6, 0.8), func(p *chartdata.Point) { p.Backend = "cudnn" }),
		histPoint("g1 c1=32 c2=32", arch.GuideG1, 64e6, 4e6, 80),
		histPoint("g1 c1=9 c2=108", arch.GuideG1, 61e6, 7e6, 90),
	)
	return deps
}

// shown are the labels of the gap list.
func shown(m *Model) []string {
	var out []string
	for _, p := range m.gap.selected() {
		out = append(out, p.Label)
	}
	return out
}

// TestGapFilters: by default the chart keeps this host, the explorer's
// backend/mode/threads and whole networks (chartdata.DefaultFilter); each
// filter key changes what is shown as chartdata.Filter says.
func TestGapFilters(t *testing.T) {
	m := newModel(t, pollutedDeps(), 120, 40)
	send(t, m, "2")
	if got := shown(m); len(got) != 2 || got[0] != "mobilenetv2-1.0" || got[1] != "shufflenetv1-1.0-g3" {
		t.Fatalf("default filter shows %v, want this host's two native/fused/1t whole networks", got)
	}
	if v := view(m); !strings.Contains(v, "default: Test CPU (2 cores) · native/fused/1t · whole networks") {
		t.Errorf("the default filter is not described:\n%s", v)
	}
	cases := []struct {
		key   string
		check func(f chartdata.Filter) bool
	}{
		{"n", func(f chartdata.Filter) bool { return f.Scope == chartdata.MicroNetworks }},
		{"n", func(f chartdata.Filter) bool { return f.Scope == chartdata.AllNetworks }},
		{"m", func(f chartdata.Filter) bool { return f.Mode == "" }},
		{"t", func(f chartdata.Filter) bool { return f.Threads == 2 }},
		{"t", func(f chartdata.Filter) bool { return f.Threads == 0 }},
		{"t", func(f chartdata.Filter) bool { return f.Threads == 1 }}, // from "any threads" back to the first (it stuck at any)
		{"b", func(f chartdata.Filter) bool { return f.Backend == "" }},
		{"h", func(f chartdata.Filter) bool { return f.Host == "otherhost" }},
		{"f", func(f chartdata.Filter) bool { return f.Family != "" }},
		{"s", func(f chartdata.Filter) bool { return f.SessionOnly }},
	}
	for _, c := range cases {
		send(t, m, c.key)
		f := m.gap.filter()
		if !c.check(f) {
			t.Errorf("after %s: filter %+v", c.key, f)
		}
		want := chartdata.Select(m.sess.points, f)
		if len(shown(m)) != len(want) {
			t.Errorf("after %s: %d points shown, chartdata.Select gives %d", c.key, len(shown(m)), len(want))
		}
		if !strings.Contains(view(m), "filter: "+f.Describe(m.gap.hostName(f.Host))) {
			t.Errorf("after %s: the filter is not described", c.key)
		}
	}
	send(t, m, "d")
	if m.gap.custom != nil || len(shown(m)) != 2 {
		t.Errorf("d did not restore the default filter: %v", shown(m))
	}
}

// TestGapFamilyWithinKind: f offers only the families the kind filter (n)
// lets through, and n drops a family filter the new kind keeps out, saying
// so, so the filter line, which names the family in place of the kind,
// never hides a filter that empties the chart. It offered g1 over whole
// networks: "native/fused/1t · g1" and "No measured designs pass this
// filter" while the history held g1 runs.
func TestGapFamilyWithinKind(t *testing.T) {
	m := newModel(t, pollutedDeps(), 120, 40)
	send(t, m, "2")
	seen := map[arch.Family]bool{}
	for range 6 {
		send(t, m, "f")
		f := m.gap.filter()
		seen[f.Family] = true
		if f.Family.IsGuideline() {
			t.Fatalf("f offered %s over whole networks; line %q", f.Family, strings.Split(view(m), "\n")[2])
		}
	}
	if !seen[arch.MobileNetV2] || !seen[arch.ShuffleNetV1] {
		t.Errorf("f offered %v, want the whole networks' families", seen)
	}
	send(t, m, "d", "n") // micro-networks
	send(t, m, "f")
	if f := m.gap.filter(); f.Family != arch.GuideG1 || len(m.gap.selected()) != 2 {
		t.Fatalf("over micro-networks f gave %q showing %v", f.Family, shown(m))
	}
	send(t, m, "n") // all networks: g1 stays
	if f := m.gap.filter(); f.Family != arch.GuideG1 || f.Scope != chartdata.AllNetworks {
		t.Fatalf("all networks: filter %+v", f)
	}
	send(t, m, "n") // whole networks: g1 goes
	f := m.gap.filter()
	if f.Family != "" || f.Scope != chartdata.WholeNetworks {
		t.Fatalf("whole networks kept family %q", f.Family)
	}
	if st := statusLine(m); !strings.Contains(st, "the family filter went: g1 is not among whole networks") {
		t.Errorf("status %q", st)
	}
	if line := strings.Split(view(m), "\n")[2]; !strings.Contains(line, "whole networks") {
		t.Errorf("filter line %q", line)
	}
}

// TestGapFollowsExplorer: the default filter follows the explorer's mode;
// a run this session is marked as such and passes "this session".
func TestGapFollowsExplorer(t *testing.T) {
	m := newModel(t, pollutedDeps(), 120, 40)
	send(t, m, "down", "down", "down", "down", "down", "down", "down", "down", "down", "down", "down", "down", "down", "down") // mode
	send(t, m, "right")                                                                                                        // eager
	if m.explore.d.mode != "eager" {
		t.Fatalf("mode %s", m.explore.d.mode)
	}
	send(t, m, "r", "2")
	got := shown(m)
	if len(got) != 2 || !strings.Contains(strings.Join(got, ","), "snv2 eager") {
		t.Errorf("eager default shows %v, want the eager history run and this run", got)
	}
	send(t, m, "s")
	if got := shown(m); len(got) != 1 || !m.gap.selected()[0].Session {
		t.Errorf("this session shows %v", got)
	}
}

// TestGapWords: the list shows each design's rank error and the screen the
// correlation and the misleading pair in chartdata's words.
func TestGapWords(t *testing.T) {
	m := newModel(t, pollutedDeps(), 200, 60)
	send(t, m, "r", "2") // this run (ShuffleNetV2 1.0x) and ShuffleNet v1 1.0x g3: within 10% FLOPs
	gap := chartdata.AnalyzeGap(m.gap.selected(), plots.MetricFLOPs)
	flat := strings.Join(strings.Fields(view(m)), " ")
	if !strings.Contains(flat, strings.Join(strings.Fields(gap.Words()), " ")) {
		t.Errorf("the view lacks %q", gap.Words())
	}
	if gap.Pair == nil || !strings.Contains(flat, strings.Join(strings.Fields(gap.Pair.Words()), " ")) {
		t.Errorf("the view lacks the pair %v", gap.Pair)
	}
	for _, r := range gap.Points {
		if !strings.Contains(view(m), r.Label) {
			t.Errorf("list lacks %s", r.Label)
		}
	}
	if !strings.Contains(view(m), "rkErr") {
		t.Error("no rank error column")
	}
	// A filter that mixes run configurations: no correlation and no pair
	// across them, and the words say why.
	send(t, m, "n", "n", "m", "t", "t") // all networks, any mode and threads
	gap = chartdata.AnalyzeGap(m.gap.selected(), plots.MetricFLOPs)
	flat = strings.Join(strings.Fields(view(m)), " ")
	if gap.Configs < 2 || gap.Pair != nil || !strings.Contains(flat, "do not rank against each other") || strings.Count(view(m), "⇄") != 1 { // the legend's only
		t.Errorf("mixed configurations (%d): pair %v, view:\n%s", gap.Configs, gap.Pair, view(m))
	}
}

// TestGapHistoryNote: where the history file held more runs than the
// chart loaded, the gap screen says so under the filter, and at 80x24 the
// screen still fits with its help and quit keys. A note on a damaged history (cmd/explorer's historyPoints) takes up to
// two lines, whole at 80x24.
func TestGapHistoryNote(t *testing.T) {
	for _, note := range []string{
		"history: the latest 500 of 1234 runs",
		"history: 1 line skipped (line 4: not a JSON result: invalid character 'g' looking for beginning of value)",
	} {
		deps := pollutedDeps()
		deps.HistoryNote = note
		m := newModel(t, deps, 80, 24)
		send(t, m, "2")
		v := view(m)
		if !strings.Contains(strings.Join(strings.Fields(v), " "), note) {
			t.Errorf("the gap screen lacks the history note:\n%s", v)
		}
		lines := strings.Split(v, "\n")
		if len(lines) > 24 || !strings.Contains(v, "? help") || !strings.Contains(v, "q quit") || !strings.Contains(v, " of ") {
			t.Errorf("%d lines at 80x24, or the footer or the list is gone:\n%s", len(lines), v)
		}
	}
	m := newModel(t, pollutedDeps(), 80, 24)
	send(t, m, "2")
	if strings.Contains(view(m), "history:") {
		t.Error("a note without HistoryNote")
	}
}

// classesHistory is the history of the audit: ShuffleNetV2 1x at classes
// 1000 twice and at classes 256 once (arch.Spec.String names all three
// "shufflenetv2 1x"), read as cmd/explorer reads it ([chartdata.PointFromResult]).
func classesHistory(t *testing.T) []chartdata.Point { return classesHistoryOf(t, "") }

// classesHistoryOf is classesHistory with every run recorded as of preset.
func classesHistoryOf(t *testing.T, preset string) []chartdata.Point {
	t.Helper()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var pts []chartdata.Point
	for i, c := range []struct {
		classes int
		ms      float64
	}{{1000, 3.6}, {1000, 3.4}, {256, 3.523}} {
		res := runner.Result{Spec: arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Classes: c.classes}.Normalize(),
			Preset: preset, Backend: "native", Mode: runner.Fused, Time: at.Add(time.Duration(i) * time.Minute)}
		res.LatencyMS.Median = c.ms
		res.Fingerprint.Kernels = "fake" // the fake measurer's set: the same configuration as its runs
		p, err := chartdata.PointFromResult(res)
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, p)
	}
	return pts
}

// TestGapKeepsDesignsApartByClasses: designs that differ only in classes
// are two points, and only the explorer's design (the full spec, classes
// 1000) is the current one, on the chart and in the export (the three runs
// were one row "◉ shufflenetv2 1x 3.523", the classes-256 run, and the
// export marked all three current). The explorer tells designs apart by
// their full key (arch.Spec.Key), not by the title Point.Design: with the
// titles arch.Spec.String gave before it named classes (all three
// "shufflenetv2 1x") the points stay apart and the right one is current.
func TestGapKeepsDesignsApartByClasses(t *testing.T) {
	for _, sameTitle := range []bool{false, true} {
		t.Run(map[bool]string{false: "titles", true: "same-title"}[sameTitle], func(t *testing.T) {
			testGapKeepsDesignsApart(t, sameTitle)
		})
	}
}

func testGapKeepsDesignsApart(t *testing.T, sameTitle bool) {
	deps := testDeps(nil)
	deps.History = classesHistory(t)
	if sameTitle {
		for i := range deps.History {
			deps.History[i].Design, deps.History[i].Label = "shufflenetv2 1x", "1x"
		}
	}
	m := newModel(t, deps, 120, 40)
	send(t, m, "2")
	pts := m.gap.selected()
	if len(pts) != 2 {
		t.Fatalf("%d points, want 2 (classes 1000, its latest run; classes 256): %+v", len(pts), pts)
	}
	for _, p := range pts {
		want256 := p.LatencyMS == 3.523
		if p.Current == want256 || !sameTitle && strings.Contains(p.Label, "cls256") != want256 || !want256 && p.LatencyMS != 3.4 {
			t.Errorf("point %q %.3f ms current=%v", p.Label, p.LatencyMS, p.Current)
		}
	}
	var cur []string
	for _, l := range strings.Split(view(m), "\n") {
		if strings.Contains(l, "◉") && !strings.Contains(l, "current design") && strings.Contains(l, " 1x") {
			cur = append(cur, l)
		}
	}
	if len(cur) != 1 || !strings.Contains(cur[0], "3.400") {
		t.Errorf("rows marked current: %q", cur)
	}
	for _, p := range exportSession(m.sess, m.explore, m.guide).Points {
		if p.Current != (p.LatencyMS != 3.523) {
			t.Errorf("export: %s classes key %s %.3f ms current=%v", p.Design, p.Key, p.LatencyMS, p.Current)
		}
	}
}

// TestGapPairShownWhereMarked: wherever the list marks the misleading pair
// (⇄), the sentence naming it is under the chart, whole, at 80x24 too (it
// was cut after its first line, or dropped, by the correlation's words).
func TestGapPairShownWhereMarked(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, note := range []string{"", "history: the latest 500 of 1234 runs"} {
			deps := pollutedDeps()
			deps.HistoryNote = note
			m := newModel(t, deps, sz[0], sz[1])
			send(t, m, "r", "2")
			gap := chartdata.AnalyzeGap(m.gap.selected(), plots.MetricFLOPs)
			v := view(m)
			if gap.Pair == nil || strings.Count(v, "⇄") < 3 {
				t.Fatalf("%dx%d: no pair marked:\n%s", sz[0], sz[1], v)
			}
			flat := strings.Join(strings.Fields(v), " ")
			if !strings.Contains(flat, "Most misleading pair: "+strings.Join(strings.Fields(gap.Pair.Words()), " ")) {
				t.Errorf("%dx%d note %q: the pair is marked but its sentence is not whole:\n%s", sz[0], sz[1], note, v)
			}
			if lines := strings.Split(v, "\n"); len(lines) != sz[1] || !strings.Contains(lines[len(lines)-1], "q quit") {
				t.Errorf("%dx%d: %d lines, footer %q", sz[0], sz[1], len(lines), lines[len(lines)-1])
			}
		}
	}
}

// TestGapPresetLabelOnlyForThePreset: a run recorded with a preset's name
// whose design is not the preset's (explorer run --preset shufflenetv2-1.0
// --classes 256, before the command line dropped the name) is labelled by
// chartdata's label of its design ("1x cls256"), not the preset's name
// (both rows read "shufflenetv2-1.0"), as chartdata makes the point
// (chartdata.PresetOf, PointLabel), so the export's points and `explorer
// plot` say the same: the list showed the whole design string
// ("shufflenetv2 1x classes=256") where they said "1x cls256". A run of
// the explorer is labelled by its preset too (it read "shufflenetv2 1x"
// here and "shufflenetv2-1.0" in the export), and its history row names
// it.
func TestGapPresetLabelOnlyForThePreset(t *testing.T) {
	deps := testDeps(fakeMeasurer{})
	deps.History = classesHistoryOf(t, "shufflenetv2-1.0")
	m := newModel(t, deps, 120, 40)
	send(t, m, "2")
	var got []string
	for _, p := range m.gap.selected() {
		got = append(got, p.Label)
	}
	if len(got) != 2 || got[0] != "shufflenetv2-1.0" || got[1] != "1x cls256" {
		t.Errorf("labels %q, want the preset's name for its design and chartdata's label of the other", got)
	}
	if v := view(m); !strings.Contains(v, " 1x cls256 ") || strings.Contains(v, "classes=256") {
		t.Errorf("the list does not show chartdata's label:\n%s", v)
	}
	for _, p := range exportSession(m.sess, m.explore, m.guide).Points {
		if want := p.Key == deps.History[0].Key; (p.Preset == "shufflenetv2-1.0") != want || (p.Label == "shufflenetv2-1.0") != want {
			t.Errorf("export: %s preset %q label %q", p.Design, p.Preset, p.Label)
		}
	}

	// A run of a loaded preset, and of the same preset changed.
	m = newModel(t, testDeps(fakeMeasurer{}), 120, 40)
	send(t, m, "r")
	typeKnob(t, m, kClasses, "10")
	send(t, m, "r")
	pts := m.sess.points[len(m.sess.points)-2:]
	if pts[0].Preset != "shufflenetv2-1.0" || pts[0].Label != "shufflenetv2-1.0" || pts[1].Preset != "" || pts[1].Label != "1x cls10" {
		t.Errorf("the runs' points: %q %q, %q %q", pts[0].Preset, pts[0].Label, pts[1].Preset, pts[1].Label)
	}
	send(t, m, "2")
	var cur []string
	for _, p := range m.gap.selected() {
		if p.Family == arch.ShuffleNetV2 {
			cur = append(cur, p.Label)
		}
	}
	if len(cur) != 2 || cur[0] != "shufflenetv2-1.0" || cur[1] != "1x cls10" {
		t.Errorf("the runs on the chart: %q", cur)
	}

	// A guideline table's points: chartdata's label too (a micro-network
	// is its design, "g1 c1=... c2=..."), in the list and the export; they
	// were "G1 <row> x1" here and in the export, and their design in
	// explorer plot.
	send(t, m, "3", "r", "2", "n")
	labels := map[string]string{}
	for _, p := range exportSession(m.sess, m.explore, m.guide).Points {
		labels[p.Key] = p.Label
	}
	micro := 0
	for _, p := range m.gap.selected() {
		if !p.Micro() {
			continue
		}
		micro++
		var s arch.Spec
		if err := json.Unmarshal([]byte(p.Key), &s); err != nil {
			t.Fatal(err)
		}
		if want := chartdata.PointLabel(p.Preset, s); p.Label != want || labels[p.Key] != want || !strings.Contains(view(m), want) {
			t.Errorf("guideline point %q (export %q), want %q", p.Label, labels[p.Key], want)
		}
	}
	if micro == 0 {
		t.Error("no guideline points on the micro-networks' chart")
	}
}

// TestGapListCutsLabelsBetweenWords: at 80x24 a long label is cut between
// words, never inside one ("1.5x s.3 d2,4,2 224x192 …", not "... c…").
func TestGapListCutsLabelsBetweenWords(t *testing.T) {
	deps := testDeps(nil)
	res := runner.Result{Spec: arch.Spec{Family: arch.ShuffleNetV2, Width: 1.5, Split: 0.3, Depths: []int{2, 4, 2},
		Res: 224, ResW: 192, Classes: 10, Batch: 8}.Normalize(), Backend: "native", Mode: runner.Fused}
	res.LatencyMS.Median = 3
	res.Fingerprint.Kernels = "fake"
	p, err := chartdata.PointFromResult(res)
	if err != nil {
		t.Fatal(err)
	}
	deps.History = append(classesHistory(t), p)
	m := newModel(t, deps, 80, 24)
	send(t, m, "2")
	v := view(m)
	if strings.Contains(v, "c…") || !strings.Contains(v, "1.5x s.3 d2,4,2 224x192 …") {
		t.Errorf("label %q cut inside a word:\n%s", p.Label, v)
	}
}

// TestGapRunBeatsOlderHistory: a run of the explorer replaces an older
// history run of its design on the gap chart (the chart keeps the latest
// run). The explore screen completed its results by a copy of the
// guidelines screen's completeResult that left the time out, so a
// measurer that gave none (the fake) put a point of time zero on the
// chart, which every history run of the design beat.
func TestGapRunBeatsOlderHistory(t *testing.T) {
	deps := testDeps(fakeMeasurer{})
	deps.History = classesHistory(t)[:1] // shufflenetv2 1x, 3.6 ms, in 2026
	deps.History[0].Time = time.Now().Add(-time.Hour)
	m := newModel(t, deps, 120, 40)
	send(t, m, "r")
	if m.explore.last == nil {
		t.Fatalf("no run: status %q", statusLine(m))
	}
	ran := m.sess.points[len(m.sess.points)-1]
	if ran.Time.IsZero() {
		t.Error("the run's point has no time")
	}
	send(t, m, "2")
	for _, p := range m.gap.selected() {
		if p.Current && p.LatencyMS != ran.LatencyMS {
			t.Errorf("the chart shows the design at %.3f ms (history), not the run's %.3f ms", p.LatencyMS, ran.LatencyMS)
		}
	}
}

// TestGapWordsSayWhyNoPair: where the closest pair within the FLOPs
// tolerance is not misleading (latencies within sweep.MisleadingRatio),
// the screen says so in the chart caption's sentence (Gap.PairWords); it
// used to say nothing.
func TestGapWordsSayWhyNoPair(t *testing.T) {
	m := newModel(t, pollutedDeps(), 120, 40)
	send(t, m, "2")
	gap := chartdata.AnalyzeGap(m.gap.selected(), plots.MetricFLOPs)
	gap.Near, gap.Pair = &chartdata.Pair{Ratio: 1.02}, nil
	want := gap.PairWords()
	flat := strings.Join(strings.Fields(strings.Join(m.gap.wordLines(gap), " ")), " ")
	if !strings.HasPrefix(want, "No pair within") || !strings.Contains(flat, strings.Join(strings.Fields(want), " ")) {
		t.Errorf("words %q lack %q", flat, want)
	}
}

// TestGapScrollsToTheLastPoint: the list scrolls until its last point
// shows, however many lines the words under the chart take (scrolling
// stopped at h-head-4 rows while the list showed fewer where the words
// took more than two lines: at 80x24 "3-15 of 16" after five downs, the
// 16th point never reachable).
func TestGapScrollsToTheLastPoint(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		deps := testDeps(nil)
		deps.History = nil
		const n = 60
		for i := range n {
			deps.History = append(deps.History, histPoint(fmt.Sprintf("design-%02d", i), arch.ShuffleNetV2, int64(100+i)*1e6, 10e6, float64(n+3*(i%7)-i)))
		}
		m := newModel(t, deps, sz[0], sz[1])
		send(t, m, "2")
		for range n {
			send(t, m, "down")
		}
		want := fmt.Sprintf("of %d", n)
		v := view(m)
		last := ""
		for _, l := range strings.Split(v, "\n") {
			if i := strings.Index(l, want); i >= 0 {
				last = l
			}
		}
		if !strings.Contains(last, fmt.Sprintf("-%d of %d", n, n)) {
			t.Errorf("%dx%d: after %d downs the list reads %q:\n%s", sz[0], sz[1], n, strings.TrimSpace(last), v)
		}
		// And back up to the first.
		for range n {
			send(t, m, "up")
		}
		if !strings.Contains(view(m), fmt.Sprintf(" 1-")) {
			t.Errorf("%dx%d: up does not go back to the first point", sz[0], sz[1])
		}
	}
}

// listRowsShown are the gap list's rows on screen: the text from the
// list's column (its markers), between its header and its footer.
func listRowsShown(m *Model) []string {
	var out []string
	col := -1
	for _, l := range strings.Split(view(m), "\n") {
		r := []rune(l)
		switch {
		case col < 0 && strings.Contains(l, "rkErr"):
			col = len([]rune(l[:strings.Index(l, "design")])) - 3
		case col >= 0 && strings.Contains(l, "sorted by"):
			return out
		case col >= 0:
			out = append(out, string(r[col:]))
		}
	}
	return out
}

// TestGapLabelsTellDesignsApart: two designs never get the same label in
// the list. At 80x24 with mixed configurations the label column was 16
// cells and shufflenetv1-1.0-g3 and -g8 both read "shufflenetv1-1.…";
// a cut label now keeps the end that tells it apart.
func TestGapLabelsTellDesignsApart(t *testing.T) {
	deps := pollutedDeps()
	g8 := histPoint("shufflenetv1-1.0-g8", arch.ShuffleNetV1, 140e6, 16e6, 15)
	g8.Mode = "eager"
	deps.History = append(deps.History, g8)
	for _, w := range []int{80, 100, 120} {
		m := newModel(t, deps, w, 24)
		send(t, m, "2", "m", "t", "t") // every mode and thread count: the list names the configuration
		rows := listRowsShown(m)
		// A row's label is the text between its markers and its MFLOPs.
		label := func(mflops string) string {
			for _, r := range rows {
				if i := strings.Index(r, " "+mflops+" "); i > 3 {
					return strings.TrimSpace(string([]rune(r[:i])[3:]))
				}
			}
			t.Fatalf("%dx24: no row with %s MFLOPs:\n%s", w, mflops, strings.Join(rows, "\n"))
			return ""
		}
		if g3, g8 := label("274.0"), label("280.0"); g3 == g8 || !strings.HasSuffix(g3, "g3") || !strings.HasSuffix(g8, "g8") {
			t.Errorf("%dx24: g3 reads %q, g8 %q:\n%s", w, g3, g8, strings.Join(rows, "\n"))
		}
	}
}

// TestCutLabels: labels cut alike are cut in the middle, keeping the end
// that tells them apart; others are cut as truncWords cuts them.
func TestCutLabels(t *testing.T) {
	for _, tc := range []struct {
		labels []string
		n      int
		want   []string
	}{
		{[]string{"shufflenetv1-1.0-g3", "shufflenetv1-1.0-g8"}, 16, []string{"shufflenetv1…-g3", "shufflenetv1…-g8"}},
		{[]string{"shufflenetv1-1.0-g3", "shufflenetv1-2.0-g3"}, 16, []string{"shufflenetv1-1.…", "shufflenetv1-2.…"}},
		{[]string{"shufflenetv1-1.0-g3", "mobilenetv2-1.0"}, 16, []string{"shufflenetv1-1.…", "mobilenetv2-1.0"}},
		{[]string{"snv2 eager", "snv2 2t", "snv2 eager"}, 16, []string{"snv2 eager", "snv2 2t", "snv2 eager"}},
		{[]string{"1x cls256 d3,7,3", "1x cls256 d4,8,4"}, 12, []string{"1x c… d3,7,3", "1x c… d4,8,4"}},
		{[]string{"設計甲 1x", "設計甲 2x"}, 6, []string{"設… 1x", "設… 2x"}},
	} {
		cut := cutLabels(tc.labels, tc.n)
		for i, l := range tc.labels {
			if got := cut[l]; got != tc.want[i] || lipgloss.Width(got) > tc.n {
				t.Errorf("cutLabels(%q, %d)[%q] = %q, want %q", tc.labels, tc.n, l, got, tc.want[i])
			}
		}
	}
}

// TestGapBackendFilterSeparatesKernelSets: runs of one design on two
// kernel sets are two configurations, which do not rank against each
// other; the backend filter (b) offers each set of a backend that has
// several, so the chart can show one set's runs and rank them (there was
// no way to separate them: the chart said "filter one configuration" and
// no key could).
func TestGapBackendFilterSeparatesKernelSets(t *testing.T) {
	deps := testDeps(nil)
	hist := classesHistory(t)
	for _, p := range classesHistory(t) {
		p.Kernels = "generic"
		p.LatencyMS *= 7
		hist = append(hist, p)
	}
	deps.History = hist
	m := newModel(t, deps, 120, 40)
	send(t, m, "2")
	if got := len(m.gap.selected()); got != 4 {
		t.Fatalf("default filter: %d points, want the 2 designs on both sets", got)
	}
	// From the default (native, the explorer's backend): each set, then any.
	want := []string{"native[fake]", "native[generic]", ""}
	var seen []string
	for range want {
		send(t, m, "b")
		f := m.gap.filter()
		seen = append(seen, chartdata.BackendRun(f.Backend, f.Kernels))
		if f.Kernels != "" {
			for _, p := range m.gap.selected() {
				if p.Kernels != f.Kernels {
					t.Errorf("filter %s shows a point of %s", f.Kernels, p.Kernels)
				}
			}
			if !strings.Contains(view(m), "native["+f.Kernels+"]/fused/1t") {
				t.Errorf("filter line does not name the set:\n%s", view(m))
			}
		}
	}
	if !slices.Equal(seen, want) {
		t.Errorf("b cycles %q, want %q", seen, want)
	}
	// With the kernels knob on a set (not auto), the default shows that
	// set's runs, ranked among themselves.
	deps.Kernels = "generic"
	m = newModel(t, deps, 120, 40)
	send(t, m, "2")
	sel := m.gap.selected()
	if len(sel) != 2 || sel[0].Kernels != "generic" || !strings.Contains(view(m), "native[generic]/fused/1t") {
		t.Errorf("knob generic: default shows %d points (%+v)\n%s", len(sel), sel, view(m))
	}
}

// TestGapRunColumnNamesSetsOnlyWhereTheyDiffer: with native and cudnn runs
// under "any backend", the run column says native and cudnn as before;
// the kernel set appears only where runs of one configuration differ in
// it (it showed native/fake and cudnn/cudnn+cuda-graph).
func TestGapRunColumnNamesSetsOnlyWhereTheyDiffer(t *testing.T) {
	mk := func(label, backend, kernels string, ms float64) chartdata.Ranked {
		p := histPoint(label, arch.ShuffleNetV2, 146e6, 7e6, ms)
		p.Backend, p.Kernels = backend, kernels
		return chartdata.Ranked{Point: p}
	}
	pts := []chartdata.Ranked{mk("a", "native", "fake", 3), mk("b", "cudnn", "cudnn+cuda-graph", 0.4)}
	runOf := varyingConfig(pts)
	if got := runOf(pts[0].Point) + " " + runOf(pts[1].Point); got != "native cudnn" {
		t.Errorf("run column %q, want %q", got, "native cudnn")
	}
	pts = append(pts, mk("c", "native", "generic", 30))
	runOf = varyingConfig(pts)
	if got := runOf(pts[0].Point) + " " + runOf(pts[1].Point) + " " + runOf(pts[2].Point); got != "native[fake] cudnn native[generic]" {
		t.Errorf("run column %q", got)
	}
}
