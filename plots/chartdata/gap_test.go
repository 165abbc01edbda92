package chartdata

import (
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// pt is a whole-network point on host "h1", native/fused/1t.
func pt(label string, madds, mac int64, ms float64) Point {
	return Point{Label: label, Design: "shufflenetv2 " + label, Family: arch.ShuffleNetV2, Host: "h1", HostName: "CPU one",
		Backend: "native", Mode: "fused", Threads: 1, MAdds: madds, MAC: mac, LatencyMS: ms}
}

func TestFilterAndSelect(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a := pt("1.0x", 146e6, 5e6, 10)
	a.Time = t0
	aLater := a
	aLater.LatencyMS, aLater.Time = 9, t0.Add(time.Hour)
	eager := a
	eager.Mode, eager.LatencyMS = "eager", 14
	other := pt("0.5x", 41e6, 2e6, 4)
	other.Host, other.HostName = "h2", "CPU two"
	micro := pt("g1", 64e6, 6e6, 1.4)
	micro.Family, micro.Design = arch.GuideG1, "g1 c1=32 c2=32"
	v1 := pt("1x g3", 140e6, 6e6, 12)
	v1.Family, v1.Design, v1.Session = arch.ShuffleNetV1, "shufflenetv1 1x g=3", true
	unmeasured := pt("2.0x", 591e6, 9e6, 0)
	all := []Point{a, eager, other, micro, v1, aLater, unmeasured}

	labels := func(ps []Point) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.Label+"@"+p.Mode)
		}
		return strings.Join(s, ",")
	}
	def := DefaultFilter("h1", "native", "", "fused", 1)
	for _, tc := range []struct {
		name string
		f    Filter
		want string
	}{
		// This host and configuration, whole networks; the later measurement of 1.0x replaces the first.
		{"default", def, "1.0x@fused,1x g3@fused"},
		{"micro", Filter{Host: "h1", Scope: MicroNetworks}, "g1@fused"},
		{"any mode", Filter{Host: "h1"}, "1.0x@fused,1.0x@eager,1x g3@fused"},
		{"any host", Filter{Mode: "fused"}, "1.0x@fused,0.5x@fused,1x g3@fused"},
		{"family", Filter{Family: arch.ShuffleNetV1}, "1x g3@fused"},
		{"session", Filter{SessionOnly: true}, "1x g3@fused"},
		{"everything", Filter{Scope: AllNetworks}, "1.0x@fused,1.0x@eager,0.5x@fused,g1@fused,1x g3@fused"},
	} {
		got := Select(all, tc.f)
		if labels(got) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, labels(got), tc.want)
		}
	}
	if got := Select(all, def); got[0].LatencyMS != 9 {
		t.Errorf("the latest measurement should win: %v ms", got[0].LatencyMS)
	}
	if d := def.Describe("CPU one"); d != "CPU one · native/fused/1t · whole networks" {
		t.Errorf("Describe = %q", d)
	}
	if d := (Filter{SessionOnly: true, Family: arch.MobileNetV2}).Describe(""); d != "all hosts · any backend/any mode/any threads · MobileNet v2 · this session" {
		t.Errorf("Describe = %q", d)
	}
	c := ChoicesOf(all)
	if len(c.Hosts) != 2 || c.Hosts[1] != (HostChoice{"h2", "CPU two"}) || strings.Join(c.Modes, ",") != "eager,fused" ||
		len(c.Threads) != 1 || len(c.Families) != 3 {
		t.Errorf("choices %+v", c)
	}
}

// gapSet: paper MAdds of ShuffleNet v2 0.5x/1.0x/1.5x/2.0x (Table 5:
// 41/146/299/591M) and ShuffleNet v1 g=3 and g=8 at 140M (Table 8), with
// made-up latencies and MAC: g=8 is slow for its FLOPs.
func gapSet() []Point {
	return []Point{
		pt("0.5x", 41e6, 2e6, 2),
		pt("1.0x", 146e6, 5e6, 5),
		pt("1.5x", 299e6, 8e6, 9),
		pt("2.0x", 591e6, 12e6, 15),
		func() Point { p := pt("1x g3", 140e6, 6e6, 4.5); p.Family = arch.ShuffleNetV1; return p }(),
		func() Point { p := pt("1x g8", 143e6, 11e6, 8); p.Family = arch.ShuffleNetV1; return p }(),
	}
}

func TestAnalyzeGap(t *testing.T) {
	pts := gapSet()
	g := AnalyzeGap(pts, plots.MetricFLOPs)
	// Fastest first.
	if g.Points[0].Label != "0.5x" || g.Points[5].Label != "2.0x" || g.Points[3].Label != "1x g8" {
		t.Errorf("order %v", g.Points)
	}
	// Ranks by FLOPs: 0.5x 1, 1x g3 2, 1x g8 3, 1.0x 4, 1.5x 5, 2.0x 6;
	// by latency: 0.5x 1, 1x g3 2, 1.0x 3, 1x g8 4, 1.5x 5, 2.0x 6.
	want := map[string]float64{"0.5x": 0, "1x g3": 0, "1.0x": 1, "1x g8": -1, "1.5x": 0, "2.0x": 0}
	for _, r := range g.Points {
		if r.RankError != want[r.Label] || r.X != float64(r.FLOPs()) {
			t.Errorf("%s: rank error %v (x %v), want %v", r.Label, r.RankError, r.X, want[r.Label])
		}
	}
	// One of 15 pairs misordered (1.0x vs 1x g8).
	rho, _ := stats.Spearman(values(pts, plots.MetricFLOPs), values(pts, -1))
	if g.FLOPs.Misordered != 1 || g.FLOPs.Pairs != 15 || g.FLOPs.Spearman != rho || g.FLOPs.Err != nil {
		t.Errorf("FLOPs correlation %+v", g.FLOPs)
	}
	// Most misleading pair: 1.0x (146M) and 1x g8 (143M) are within 10% in
	// FLOPs and 1.6x apart in latency; 1x g3 vs 1x g8 (2% FLOPs, 1.78x) wins.
	if g.Pair == nil || g.Pair.Slow.Label != "1x g8" || g.Pair.Fast.Label != "1x g3" || math.Abs(g.Pair.Ratio-8/4.5) > 1e-12 {
		t.Fatalf("pair %+v", g.Pair)
	}
	// The ranked points flag the pair, by index (the TUI's list reads the
	// flag; it matched design and configuration keys itself).
	var flagged []string
	for _, r := range g.Points {
		if r.InPair {
			flagged = append(flagged, r.Label)
		}
	}
	if strings.Join(flagged, ",") != "1x g3,1x g8" {
		t.Errorf("points in the pair: %v, want 1x g3 and 1x g8", flagged)
	}
	if w := g.Pair.Words(); w != `"ShuffleNet v1 1x g8" and "ShuffleNet v1 1x g3" differ by 2.1% in FLOPs, but "ShuffleNet v1 1x g8" takes 1.78x as long.` {
		t.Errorf("pair words %q", w)
	}
	words := g.Words()
	macRho, _ := stats.Spearman(values(pts, plots.MetricMAC), values(pts, -1))
	if g.MAC.Spearman != macRho || !(macRho < rho-0.05) {
		t.Fatalf("MAC rho %v (FLOPs %v): the data should make MAC the worse metric", g.MAC.Spearman, rho)
	}
	for _, s := range []string{fmt.Sprintf("Among 6 designs FLOPs orders latency with Spearman %.2f, MAC %.2f", rho, macRho), "well",
		"7% of pairs (1 of 15) run in the opposite order to their FLOPs", "MAC alone orders them worse", "guide to speed, not a measure"} {
		if !strings.Contains(words, s) {
			t.Errorf("words %q lack %q", words, s)
		}
	}
	byErr := g.Sorted(ByRankError)
	if byErr[0].Label != "1.0x" || byErr[1].Label != "1x g8" {
		t.Errorf("by rank error %v", byErr[:2])
	}
	if s := g.Sorted(ByMetric); s[0].Label != "0.5x" || s[1].Label != "1x g3" {
		t.Errorf("by metric %v", s[:2])
	}
	if s := g.Sorted(ByLabel); s[0].Label != "0.5x" || s[5].Label != "2.0x" {
		t.Errorf("by label %v", s)
	}
}

func TestGapWordsEdgeCases(t *testing.T) {
	if w := AnalyzeGap(gapSet()[:1], plots.MetricFLOPs).Words(); w != "1 design: no correlation (it needs at least 3 designs)." { // sweep.MinRankDesigns
		t.Errorf("one point: %q", w)
	}
	// In order: no misordered pair, MAC reversed.
	ordered := []Point{pt("a", 1e6, 3e6, 1), pt("b", 2e6, 2e6, 2), pt("c", 3e6, 1e6, 3)}
	w := AnalyzeGap(ordered, plots.MetricFLOPs).Words()
	// A label that is a preset name already says the family.
	if n := (Point{Label: "shufflenetv2-1.0", Family: arch.ShuffleNetV2}).Name(); n != "shufflenetv2-1.0" {
		t.Errorf("Name of a preset label = %q", n)
	}
	// Spearman exactly 1: "perfectly" (it said "almost perfectly").
	if !strings.Contains(w, "FLOPs orders them perfectly;") || !strings.Contains(w, "worse than FLOPs") || !strings.HasSuffix(w, "Here fewer FLOPs always meant faster.") {
		t.Errorf("ordered: %q", w)
	}
	// Reversed: every pair against its FLOPs, said with "and", not "yet"
	// (a reversed order is no promise the pairs break).
	reversed := []Point{pt("a", 1e6, 1e6, 3), pt("b", 2e6, 2e6, 2), pt("c", 3e6, 3e6, 1)}
	if w := AnalyzeGap(reversed, plots.MetricFLOPs).Words(); !strings.Contains(w, "Spearman -1.00") ||
		!strings.Contains(w, "FLOPs orders them exactly in reverse, and 100% of pairs (3 of 3) run in the opposite order") {
		t.Errorf("reversed: %q", w)
	}
	// A strong but imperfect order keeps "almost perfectly" and "yet":
	// 20 designs in FLOPs order but for one swapped neighbour pair,
	// Spearman 1 - 6*2/(20*399) = 0.9985.
	var near []Point
	for i := range 20 {
		lat := float64(i + 1)
		switch i {
		case 9:
			lat = 11
		case 10:
			lat = 10
		}
		near = append(near, pt(fmt.Sprint(i), int64(i+1)*1e6, int64(i+1)*1e6, lat))
	}
	if w := AnalyzeGap(near, plots.MetricFLOPs).Words(); !strings.Contains(w, "orders them almost perfectly, yet 1% of pairs (1 of 190)") {
		t.Errorf("near order: %q", w)
	}
	// The same design in two modes is not a misleading pair.
	e := pt("a", 1e6, 1e6, 5)
	e.Mode = "eager"
	if g := AnalyzeGap([]Point{pt("a", 1e6, 1e6, 1), e}, plots.MetricFLOPs); g.Pair != nil {
		t.Errorf("same design paired: %+v", g.Pair)
	}
	// Two designs within 10% FLOPs measured in two modes: the gap between
	// them is the mode's as much as the design's; no pair, no correlation.
	b := pt("b", 1.05e6, 1e6, 3)
	b.Mode = "eager"
	g := AnalyzeGap([]Point{pt("a", 1e6, 1e6, 1), b, pt("c", 2e6, 2e6, 2)}, plots.MetricFLOPs)
	if g.Configs != 2 || g.Pair != nil || !strings.Contains(g.Words(), "3 points come from 2 run configurations") {
		t.Errorf("mixed modes: configs %d, pair %+v, words %q", g.Configs, g.Pair, g.Words())
	}
	if _, o := GapChart([]Point{pt("a", 1e6, 1e6, 1), b}, plots.MetricFLOPs, ""); o.Caption != "" {
		t.Errorf("a chart of mixed configurations has the caption %q (package plots gives each its correlation)", o.Caption)
	}
}

func TestPointConversions(t *testing.T) {
	s := arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Groups: 2}.Normalize()
	row := sweep.Row{Spec: s, Preset: "shufflenetv2-1.0", Host: "h", HostName: "CPU", Backend: "native", Mode: "eager", Threads: 2,
		MAdds: 10, MAC: 20, LatencyMS: stats.Summary{Median: 3}}
	p := PointFromRow(row)
	if p.Label != "1x g2" || p.Preset != "" || p.Design != s.String() || p.Config() != "native/eager/2t" || p.FLOPs() != 20 || p.LatencyMS != 3 || p.Micro() {
		t.Errorf("from row: %+v", p)
	}
	res := runner.Result{Backend: "native", Mode: runner.Fused, Spec: arch.Spec{Family: arch.GuideG1, C1: 32, C2: 32},
		LatencyMS: stats.Summary{Median: 1.5}, Fingerprint: host.Fingerprint{CPU: "X", LogicalCores: 2, Threads: 2}}
	q, err := PointFromResult(res)
	// paper.md section 1: 10 blocks of two 1x1 convs at 56x56, c1 = c2 = 32: 20 x 3,211,264 MAdds.
	if err != nil || q.MAdds != 20*3211264 || !q.Micro() || q.Threads != 2 || q.HostName != "X (2 cores)" || q.Label != "g1 c1=32 c2=32" {
		t.Errorf("from result: %+v %v", q, err)
	}
	if _, err := PointFromResult(runner.Result{Spec: arch.Spec{Family: "nope"}}); err == nil {
		t.Error("bad spec accepted")
	}
	for _, tc := range []struct {
		s    arch.Spec
		want string
	}{
		{arch.Spec{Family: arch.ShuffleNetV2, Width: 1.25, Split: 0.3, Depths: []int{2, 4, 2}}, "1.25x s.3 d2,4,2"},
		{arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Layout: arch.LayoutMegvii, Res: 160, Batch: 8}, "1x megvii 160px b8"},
		{arch.Spec{Family: arch.ShuffleNetV1, Width: 1, Groups: 3}, "1x g3"},
		// classes and a non-square input used to be left out: a 256-class
		// run and the 1000-class 1x shared the label "1x" (TUI audit).
		{arch.Spec{Family: arch.ShuffleNetV2, Classes: 256}, "1x cls256"},
		{arch.Spec{Family: arch.MobileNetV2, Width: 0.5, Res: 224, ResW: 192}, "0.5x 224x192"},
		{arch.Spec{Family: arch.GuideG4, C: 64, Blocks: 3}, "g4 c=64 relu=true shortcut=true blocks=3"},
	} {
		if got := DesignLabel(tc.s); got != tc.want {
			t.Errorf("DesignLabel(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestDesignKey: a result's point carries the full design key, and
// Select, the misleading pair and MarkCurrent tell designs apart by it, also
// where two designs share a title (files written before arch.Spec.String
// named classes: the 256-class run and the 1000-class 1x were both
// "shufflenetv2 1x" and Select kept only the latest of them).
func TestDesignKey(t *testing.T) {
	a := arch.Spec{Family: arch.ShuffleNetV2, Classes: 1000}
	b := arch.Spec{Family: arch.ShuffleNetV2, Classes: 256}
	var pts []Point
	for i, s := range []arch.Spec{a, b} {
		res := runner.Result{Spec: s, Backend: "native", Mode: runner.Fused, LatencyMS: stats.Summary{Median: float64(3 + i)},
			Time: time.Date(2026, 1, 2, 3, 4, i, 0, time.UTC)}
		p, err := PointFromResult(res)
		if err != nil {
			t.Fatal(err)
		}
		if p.Key != s.Key() || p.DesignKey() != p.Key {
			t.Fatalf("key %q, want %q", p.Key, s.Key())
		}
		p.Design = "shufflenetv2 1x" // the old shared title
		pts = append(pts, p)
	}
	if got := Select(pts, Filter{}); len(got) != 2 {
		t.Errorf("Select kept %d of two designs sharing a title", len(got))
	}
	MarkCurrent(pts, &a)
	if !pts[0].Current || pts[1].Current {
		t.Error("MarkCurrent does not go by the key")
	}
	MarkCurrent(pts, &b)
	if pts[0].Current || !pts[1].Current {
		t.Error("MarkCurrent does not go by the key")
	}
	MarkCurrent(pts, nil)
	if pts[0].Current || pts[1].Current {
		t.Error("MarkCurrent(nil) marked a point")
	}
	// Without keys (a foreign file) the title decides.
	old := Point{Design: a.String()}
	olds := []Point{old}
	MarkCurrent(olds, &a)
	if old.DesignKey() != a.String() || !olds[0].Current {
		t.Error("a point without a key is not matched by its title")
	}
}

// TestPresetOnlyForItsDesign: a point keeps the preset name of its source
// (a history result, a sweep row) and is labelled by it only where its
// design is that preset's; a built-in preset's name on another design
// (run --preset shufflenetv2-1.0 --classes 256, recorded with the name
// before the command line dropped it) goes, and the point is labelled by
// its design; a design file's name (no built-in preset's) stays. The
// interactive explorer's gap chart kept this rule for itself, so its
// export and `explorer plot` named such a point otherwise.
func TestPresetOnlyForItsDesign(t *testing.T) {
	snv2 := arch.Spec{Family: arch.ShuffleNetV2, Width: 1}.Normalize()
	cls256 := snv2
	cls256.Classes = 256
	for _, tc := range []struct {
		preset      string
		s           arch.Spec
		want, label string
	}{
		{"shufflenetv2-1.0", snv2, "shufflenetv2-1.0", "shufflenetv2-1.0"},
		{"shufflenetv2-1.0", cls256, "", "1x cls256"},
		{"mine", cls256, "mine", "mine"}, // a design file's name
		{"", snv2, "", "1x"},
	} {
		if got := PresetOf(tc.preset, tc.s); got != tc.want {
			t.Errorf("PresetOf(%q, %s) = %q, want %q", tc.preset, tc.s, got, tc.want)
		}
		res := runner.Result{Preset: tc.preset, Spec: tc.s, Backend: "native", Mode: runner.Fused, LatencyMS: stats.Summary{Median: 3}}
		p, err := PointFromResult(res)
		if err != nil {
			t.Fatal(err)
		}
		q := PointFromRow(sweep.Row{Preset: tc.preset, Spec: tc.s, Backend: "native", Mode: "fused", LatencyMS: stats.Summary{Median: 3}})
		for _, pt := range []Point{p, q} {
			if pt.Preset != tc.want || pt.Label != tc.label {
				t.Errorf("%q on %s: point preset %q label %q, want %q %q", tc.preset, tc.s, pt.Preset, pt.Label, tc.want, tc.label)
			}
		}
	}
}

// TestGapWordsNoNegativeZero: a coefficient that rounds to zero reads
// "0.00", never "-0.00" (40 designs with Spearman -0.002 read "Spearman
// -0.00, MAC -0.00"); a negative one keeps its sign.
func TestGapWordsNoNegativeZero(t *testing.T) {
	for _, tc := range []struct {
		name string
		// lat is each design's latency (ms); design i has (i+1)M MAdds and MAC.
		lat  []float64
		want string
	}{
		// A permutation of 1..20 whose squared rank differences sum to
		// 1332: Spearman 1 - 6*1332/(20*399) = -0.0015.
		{"rho -0.0015", []float64{4, 18, 1, 20, 12, 9, 14, 10, 16, 11, 3, 5, 19, 2, 8, 13, 7, 17, 6, 15}, "Spearman 0.00, MAC 0.00:"},
		{"rho -1", []float64{3, 2, 1}, "Spearman -1.00, MAC -1.00:"},
	} {
		var pts []Point
		for i, ms := range tc.lat {
			pts = append(pts, pt(fmt.Sprint(i), int64(i+1)*1e6, int64(i+1)*1e6, ms))
		}
		if w := AnalyzeGap(pts, plots.MetricFLOPs).Words(); !strings.Contains(w, tc.want) {
			t.Errorf("%s: %q lacks %q", tc.name, w, tc.want)
		}
	}
}

// TestGapWordsDegenerate: the words on points that cannot carry a rank
// correlation say what the points are and which values are all equal.
// Two designs got a verdict ("Spearman -1.00 ... FLOPs orders them in
// reverse, yet 100% of pairs (1 of 1)") for latencies 0.3% apart: two
// points are in order or in reverse, so their rank correlation is +1 or -1
// whatever they measured. Equal latencies and equal FLOPs both read "FLOPs
// cannot order latency: all values are equal", and with equal FLOPs the
// MAC, which ranked the latencies at 0.98, went unsaid.
func TestGapWordsDegenerate(t *testing.T) {
	const needs = "; a rank correlation needs at least 3 designs to mean anything."
	// eight: MAdds 1..8M, MAC 2..9M; latencies in MAC order, 1..8 ms.
	eight := func(madds func(i int) int64, mac func(i int) int64, ms func(i int) float64) []Point {
		var pts []Point
		for i := range 8 {
			pts = append(pts, pt(fmt.Sprint(i), madds(i), mac(i), ms(i)))
		}
		return pts
	}
	same := func(v int64) func(int) int64 { return func(int) int64 { return v } }
	rising := func(i int) int64 { return int64(i+1) * 1e6 }
	msRising := func(i int) float64 { return float64(i + 1) }
	for _, tc := range []struct {
		name   string
		points []Point
		want   string // the whole words, or with prefix "~" a part of them
	}{
		{"two, more FLOPs faster", []Point{pt("a", 1.56e6, 1.36e6, 0.0661), pt("b", 1.51e6, 1.35e6, 0.0663)},
			"Among 2 designs, the one with more FLOPs (3.12M against 3.02M) runs faster (0.0661 against 0.0663 ms)" + needs},
		{"two, more FLOPs slower", []Point{pt("a", 2e6, 1e6, 3), pt("b", 1e6, 1e6, 2)},
			"Among 2 designs, the one with more FLOPs (4.00M against 2.00M) runs slower (3.000 against 2.000 ms)" + needs},
		{"two, same FLOPs", []Point{pt("a", 1e6, 1e6, 1), pt("b", 1e6, 1e6, 2)},
			"Among 2 designs with the same FLOPs (2.00M), one takes 1.000 ms, the other 2.000 ms" + needs},
		{"two, same time", []Point{pt("a", 1e6, 1e6, 1), pt("b", 2e6, 1e6, 1)},
			"Among 2 designs with 2.00M and 4.00M FLOPs, both take 1.000 ms" + needs},
		{"two, same FLOPs and time", []Point{pt("a", 1e6, 1e6, 1), pt("b", 1e6, 2e6, 1)},
			"Among 2 designs with the same FLOPs (2.00M), both take 1.000 ms" + needs},
		{"latencies all equal", eight(rising, rising, func(int) float64 { return 0.1 }),
			"Among 8 designs neither FLOPs nor MAC can order latency: all of them take the same time (0.1000 ms)."},
		{"FLOPs all equal, MAC orders", eight(same(1e6), rising, msRising),
			"Among 8 designs FLOPs cannot order latency, as all have the same FLOPs (2.00M), but MAC orders it with Spearman 1.00: " +
				"MAC, the memory traffic, orders them perfectly. Equal FLOPs do not mean equal speed: measure."},
		{"FLOPs and MAC all equal", eight(same(1e6), same(5e5), msRising),
			"Among 8 designs neither FLOPs nor MAC can order latency: all have the same FLOPs (2.00M) and MAC (500.0k), " +
				"yet they take 1.000 to 8.000 ms. Equal FLOPs do not mean equal speed: measure."},
		{"MAC all equal", eight(rising, same(5e5), msRising),
			"~Among 8 designs FLOPs orders latency with Spearman 1.00: FLOPs orders them perfectly; MAC cannot order them: all have the same MAC (500.0k). "},
		{"three designs get a verdict", []Point{pt("a", 1e6, 1e6, 1), pt("b", 2e6, 2e6, 2), pt("c", 3e6, 3e6, 3)},
			"~Among 3 designs FLOPs orders latency with Spearman 1.00, MAC 1.00: FLOPs orders them perfectly;"},
	} {
		w := AnalyzeGap(tc.points, plots.MetricFLOPs).Words()
		if part, ok := strings.CutPrefix(tc.want, "~"); ok && !strings.Contains(w, part) || !ok && w != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, w, tc.want)
		}
	}
}

// TestGapMisleadingPair: a pair within PairTolerance in FLOPs is named
// misleading, and joined by the chart's dashed line, only where its
// latencies differ by more than sweep.MisleadingRatio (1.25, the command
// line's equal-MAdds summary's threshold); two designs 0.3% apart were
// "Most misleading pair: ... takes 1.00x as long".
func TestGapMisleadingPair(t *testing.T) {
	const noPair = "No pair within 10% in FLOPs differs by over 25% in latency; the closest is "
	for _, tc := range []struct {
		name   string
		points []Point
		pair   bool   // a misleading pair: Gap.Pair set, two chart points marked
		want   string // the caption after the words ("" for none)
	}{
		{"1.003x apart", []Point{pt("a", 1.56e6, 1e6, 0.0661), pt("b", 1.51e6, 2e6, 0.0663), pt("c", 9e6, 3e6, 1)}, false, noPair + "1.00x."},
		{"equal latencies", []Point{pt("a", 1.56e6, 1e6, 0.1), pt("b", 1.51e6, 2e6, 0.1), pt("c", 9e6, 3e6, 0.1)}, false, noPair + "1.00x."},
		{"exactly 1.25x", []Point{pt("a", 1e6, 1e6, 4), pt("b", 1.05e6, 2e6, 5), pt("c", 9e6, 3e6, 9)}, false, noPair + "1.25x."},
		{"1.26x", []Point{pt("a", 1e6, 1e6, 4), pt("b", 1.05e6, 2e6, 5.04), pt("c", 9e6, 3e6, 9)}, true,
			`Most misleading pair: "ShuffleNet v2 b" and "ShuffleNet v2 a" differ by 5.0% in FLOPs, but "ShuffleNet v2 b" takes 1.26x as long.`},
		{"no near pair", []Point{pt("a", 1e6, 1e6, 4), pt("b", 2e6, 2e6, 5), pt("c", 9e6, 3e6, 9)}, false, ""},
	} {
		g := AnalyzeGap(tc.points, plots.MetricFLOPs)
		if (g.Pair != nil) != tc.pair {
			t.Errorf("%s: pair %+v, want one: %v", tc.name, g.Pair, tc.pair)
		}
		pts, o := GapChart(tc.points, plots.MetricFLOPs, "")
		marked := 0
		for _, p := range pts {
			if p.Pair {
				marked++
			}
		}
		if tc.pair != (marked == 2) || !tc.pair && marked != 0 {
			t.Errorf("%s: %d points marked as the pair", tc.name, marked)
		}
		want := g.Words()
		if tc.want != "" {
			want += " " + tc.want
		}
		if o.Caption != want {
			t.Errorf("%s: caption\n got %q\nwant %q", tc.name, o.Caption, want)
		}
	}
}

// TestSelectLatencyBounds: Select keeps the latencies a usable sweep row
// may have (sweep.MinMedianMS to sweep.MaxMedianMS), so a hand-edited
// history row of 1e-300 ms (below the clock's 1 ns) breaks no log chart.
func TestSelectLatencyBounds(t *testing.T) {
	for _, tc := range []struct {
		ms   float64
		keep bool
	}{
		{1e-300, false}, {1e-7, false}, {0, false}, {-1, false}, {math.NaN(), false}, {2e9, false},
		{1e-6, true}, {0.0661, true}, {1e9, true},
	} {
		if got := len(Select([]Point{pt("a", 1e6, 1e6, tc.ms)}, Filter{})) == 1; got != tc.keep {
			t.Errorf("latency %v ms: kept %v, want %v", tc.ms, got, tc.keep)
		}
	}
}

// TestKernelSetsAreConfigurations: the same design measured on the
// generic kernels and on avx512 is two points (Select kept only the
// later, so a generic run replaced the avx512 one on the chart), of two
// configurations whose series are named with their sets, and the CSV
// says which set each row is.
func TestKernelSetsAreConfigurations(t *testing.T) {
	a := pt("1x", 146e6, 7e6, 3.6)
	a.Host, a.HostName, a.Kernels = "h", "Test CPU", "avx512"
	g := a
	g.Kernels, g.LatencyMS = "generic", 38.5
	b := pt("0.5x", 41e6, 3e6, 1.5)
	b.Host, b.HostName, b.Kernels = "h", "Test CPU", "avx512"
	sel := Select([]Point{a, b, g}, Filter{})
	if len(sel) != 3 {
		t.Fatalf("Select kept %d of 3 points: %+v", len(sel), sel)
	}
	if got := AnalyzeGap(sel, plots.MetricFLOPs).Configs; got != 2 {
		t.Errorf("configurations %d, want 2", got)
	}
	gps, _ := GapChart(sel, plots.MetricFLOPs, "")
	for i, want := range []string{"Test CPU native[avx512]/fused/1t", "Test CPU native[avx512]/fused/1t", "Test CPU native[generic]/fused/1t"} {
		if gps[i].Host != want {
			t.Errorf("series of point %d %q, want %q", i, gps[i].Host, want)
		}
	}
	var buf strings.Builder
	if err := WritePointsCSV(&buf, sel); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	k := slices.Index(recs[0], "kernels")
	if k < 0 || recs[1][k] != "avx512" || recs[3][k] != "generic" {
		t.Errorf("points.csv:\n%s", buf.String())
	}
	// Rows and history results give their set, without cudnn's per-layer
	// choices.
	r := sweep.Row{Spec: arch.Spec{Width: 1}.Normalize(), Backend: "cudnn", Mode: "fused", Threads: 1}
	r.Fingerprint.Kernels = "cudnn+cuda-graph; dw own 12/13"
	res := runner.Result{Spec: arch.Spec{Width: 1}.Normalize(), Backend: "cudnn", Mode: runner.Fused}
	res.Fingerprint.Kernels = r.Fingerprint.Kernels
	pr, err := PointFromResult(res)
	if k := PointFromRow(r).Kernels; k != "cudnn+cuda-graph" || err != nil || pr.Kernels != k {
		t.Errorf("kernels from a row %q, from a result %q (%v); want cudnn+cuda-graph", k, pr.Kernels, err)
	}
	// A third configuration on another backend keeps its plain name: only
	// series that differ from another in the set alone name it.
	c := b
	c.Backend, c.Kernels = "cudnn", "cudnn+cuda-graph"
	gps, _ = GapChart(Select([]Point{a, g, c}, Filter{}), plots.MetricFLOPs, "")
	if gps[2].Host != "Test CPU cudnn/fused/1t" || gps[1].Host != "Test CPU native[generic]/fused/1t" {
		t.Errorf("series %q and %q", gps[1].Host, gps[2].Host)
	}
	// A point that names no set (hand-made) is of the only set of its
	// configuration: one configuration, ranked together.
	u := b
	u.Kernels = ""
	if sel := Select([]Point{a, u}, Filter{Kernels: "avx512"}); len(sel) != 2 || AnalyzeGap(sel, plots.MetricFLOPs).Configs != 1 {
		t.Errorf("a point of no set beside avx512 ones: %+v", sel)
	}
	// One set: the series keep their plain names.
	a.Threads, b.Threads = 2, 1
	gps, _ = GapChart(Select([]Point{a, b}, Filter{}), plots.MetricFLOPs, "")
	if gps[0].Host != "Test CPU native/fused/2t" {
		t.Errorf("series %q, want the set left out where it does not tell configurations apart", gps[0].Host)
	}
}

// TestLabelKey: a gap chart explains the label abbreviations its whole
// networks use (DesignLabel), and only those; presets and micro-networks
// use none.
func TestLabelKey(t *testing.T) {
	mk := func(s arch.Spec) Point { return Point{Label: DesignLabel(s), Family: s.Family} }
	for _, tc := range []struct {
		points []Point
		want   string
	}{
		{[]Point{mk(arch.Spec{Family: arch.ShuffleNetV2, Width: 1.75, Split: 0.3, Depths: []int{1, 1, 1}, Res: 32})},
			"Labels: s split ratio, d stage depths."},
		{[]Point{mk(arch.Spec{Family: arch.ShuffleNetV1, Width: 1, Groups: 8}), mk(arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Batch: 8})},
			"Labels: g groups, b batch."},
		{[]Point{{Label: "shufflenetv1-1.0-g3", Preset: "shufflenetv1-1.0-g3", Family: arch.ShuffleNetV1}, mk(arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5})}, ""},
		{[]Point{mk(arch.Spec{Family: arch.GuideG1, C1: 32, C2: 32})}, ""},
	} {
		if got := LabelKey(tc.points); got != tc.want {
			t.Errorf("LabelKey(%v) = %q, want %q", tc.points, got, tc.want)
		}
	}
}

// TestMisorderedPairsSkipTies: a pair equal in FLOPs or in latency is in
// neither order and counts in neither Pairs nor Misordered. Four designs
// (MAdds M, ms): a (1, 1), b (2, 3), c (2, 2), d (3, 2). Of the 6 pairs,
// b-c tie in MAdds and c-d in latency; of the other 4, only b-d runs
// against its MAdds (b fewer MAdds, slower): 1 misordered of 4.
func TestMisorderedPairsSkipTies(t *testing.T) {
	ps := []Point{pt("a", 1e6, 1e6, 1), pt("b", 2e6, 2e6, 3), pt("c", 2e6, 3e6, 2), pt("d", 3e6, 4e6, 2)}
	if f := AnalyzeGap(ps, plots.MetricFLOPs).FLOPs; f.Pairs != 4 || f.Misordered != 1 {
		t.Errorf("pairs %d, misordered %d; want 4 and 1", f.Pairs, f.Misordered)
	}
}
