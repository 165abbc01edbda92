package guideline

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
)

func experiment(t *testing.T, id string) presets.Experiment {
	t.Helper()
	x, err := presets.ExperimentByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestFromExperimentG1(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G1"), ARM, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 4 || len(tab.Scales) != 3 || tab.Whole {
		t.Fatalf("table %+v", tab)
	}
	// Paper Table 1, ARM: 1:1 is (c1,c2) = (32,32) at x1, 76.2 / 21.7 / 5.3 images/s;
	// GPU 1480 / 723 / 232 batches/s.
	r := tab.Rows[0]
	if r.Label != "1:1" || r.Specs[0].C1 != 32 || r.Specs[1].C1 != 64 || r.Specs[2].C1 != 128 {
		t.Errorf("row 0 specs %+v", r.Specs)
	}
	if r.PaperARM[0] != 76.2 || r.PaperARM[2] != 5.3 || r.PaperGPU[1] != 723 {
		t.Errorf("row 0 paper speeds GPU %v ARM %v", r.PaperGPU, r.PaperARM)
	}
	// reference/paper.md section 1: B = h w c1 c2 per conv; 10 blocks of
	// two convs at 56x56 with c1 = c2 = 32: 20 * 3,211,264 MAdds.
	if r.MAdds[0] != 20*3211264 {
		t.Errorf("MAdds %d, want %d", r.MAdds[0], 20*3211264)
	}
	gpu, err := FromExperiment(experiment(t, "G1"), GPU, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	// GPU x2: c1 = 2 x 128; paper 723 batches/s.
	if len(gpu.Scales) != 1 || gpu.Rows[0].Specs[0].C1 != 256 || gpu.Rows[0].PaperGPU[0] != 723 {
		t.Errorf("gpu x2 %+v", gpu.Rows[0])
	}
	var ke *arch.KnobError
	if _, err := FromExperiment(experiment(t, "G1"), ARM, []int{3}); !errors.As(err, &ke) || ke.Knob != "scales" {
		t.Errorf("scale 3: %v", err)
	}
}

func TestFromExperimentT8(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "T8"), ARM, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Whole || len(tab.Scales) != 1 || len(tab.Rows) != 5 {
		t.Fatalf("table %+v", tab)
	}
	// Paper Table 8: ShuffleNet v2 1x 341 batches/s GPU, 24.4 images/s ARM;
	// 0.5 MobileNet v1 382 / 16.5.
	first, last := tab.Rows[0], tab.Rows[4]
	if first.Preset != "shufflenetv2-1.0" || first.PaperGPU[0] != 341 || first.PaperARM[0] != 24.4 {
		t.Errorf("first row %+v", first)
	}
	if last.Preset != "mobilenetv1-0.5" || last.PaperGPU[0] != 382 || last.PaperARM[0] != 16.5 {
		t.Errorf("last row %+v", last)
	}
	// reference/paper.md section 12: torchvision ShuffleNetV2 1.0x, 144,907,992 MAdds.
	if first.MAdds[0] != 144907992 {
		t.Errorf("MAdds %d", first.MAdds[0])
	}
}

func TestMeasureFillsSpeeds(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G2"), ARM, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
	calls := 0
	var order []string
	err = tab.Measure(context.Background(), func(_ context.Context, s arch.Spec, mode runner.Mode) (float64, error) {
		calls++
		order = append(order, s.String()+" "+string(mode))
		// ms; images/s = 1000 / ms at batch 1; eager twice the fused time.
		// The second round is slower (a disturbed round): the first
		// round's value must be shown.
		ms := float64(s.C) / 10
		if mode == runner.Eager {
			ms *= 2
		}
		if calls > 8 && calls <= 16 || calls > 24 {
			ms *= 1.5
		}
		return ms, nil
	}, 2, nil)
	// 4 rows x 2 scales x 2 modes x 2 rounds, round-robin over the rows
	// and modes of a scale.
	if err != nil || calls != 32 || tab.Measurements(2) != 32 || tab.RoundsDone != 2 {
		t.Fatalf("calls %d err %v", calls, err)
	}
	if order[0] != order[8] || order[0] == order[1] || order[0] == order[4] {
		t.Errorf("order %v", order)
	}
	// G2 ARM x2: g = 4 has c = 2 x 128 = 256 (paper Table 2) -> 25.6 ms
	// fused, 51.2 eager; the first mode (eager) fills Local.
	r := tab.Rows[2]
	if r.LocalMS[1] != 51.2 || math.Abs(r.Local[1]-1000.0/51.2) > 1e-9 || r.BestMS(1, 1) != 25.6 {
		t.Errorf("row %q local %v ms %v fused %v", r.Label, r.Local, r.LocalMS, r.BestMS(1, 1))
	}
	if got := r.RoundsMS(1, 1); len(got) != 2 || got[0] != 25.6 || math.Abs(got[1]-38.4) > 1e-9 {
		t.Errorf("rounds %v", got)
	}
	bad := func(context.Context, arch.Spec, runner.Mode) (float64, error) { return math.NaN(), nil }
	if err := tab.Measure(context.Background(), bad, 1, nil); err == nil {
		t.Error("NaN latency accepted")
	}
}

func TestModesFor(t *testing.T) {
	for _, tc := range []struct {
		id       string
		chosen   runner.Mode
		explicit bool
		want     string
	}{
		{"G4", runner.Fused, false, "eager,fused"},
		{"g4", runner.Fused, false, "eager,fused"},
		{"G4", runner.Fused, true, "fused"},
		{"G4", runner.Eager, true, "eager"},
		{"G1", runner.Eager, false, "eager"},
		{"T8", "", false, "fused"},
	} {
		var got []string
		for _, m := range ModesFor(tc.id, tc.chosen, tc.explicit) {
			got = append(got, string(m))
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("ModesFor(%s, %s, %v) = %v, want %s", tc.id, tc.chosen, tc.explicit, got, tc.want)
		}
	}
}

// withRounds sets the rounds of mode m at scale column 0: ms[i] are row
// i's round latencies.
func withRounds(tab *Table, m int, ms [][]float64) {
	for i := range tab.Rows {
		r := &tab.Rows[i]
		for len(r.Rounds) <= m {
			r.Rounds = append(r.Rounds, make([][]float64, len(tab.Scales)))
		}
		r.Rounds[m][0] = ms[i]
		if m == 0 {
			r.LocalMS[0], r.Local[0] = r.BestMS(0, 0), r.Speed(0, 0)
		}
	}
}

func TestVerdict(t *testing.T) {
	// Paper Table 2, CPU x1: g=1 40.0 images/s is the fastest, g=8 27.8
	// the slowest; the claim is g=1 faster than g=8 (paper ratio 40/27.8).
	tests := []struct {
		name    string
		ms      [][]float64 // per row, per round
		want    Outcome
		ratio   float64
		lo, hi  float64
		margin  float64
		contain string
	}{
		{"clear", [][]float64{{10, 10.1}, {11, 11}, {12, 12}, {15, 15.2}}, Holds, 1.5, 1.5, 15.2 / 10.1, 0.03,
			`holds: "g=1" runs 1.50x the speed of "g=8" (rounds 1.50-1.50x, noise margin 3%); paper ARM 1.44x, GPU 3.87x.`},
		// Ranks agree (tau-b 1) but the extremes differ by 1%: weak, said
		// as within the noise, never "weak (tau-b +1.00)".
		{"flat", [][]float64{{10, 10}, {10.02, 10.02}, {10.05, 10.05}, {10.1, 10.1}}, Weak, 1.01, 1.01, 1.01, 0.03, "within the noise"},
		// A noisy round widens the margin: 8% ratio, but g=8's rounds vary by 10%.
		{"noisy", [][]float64{{10, 10}, {10.2, 10.2}, {10.4, 10.4}, {10.8, 11.88}}, Weak, 1.08, 1.08, 1.188, 0.1, "noise margin 10%"},
		// One round reversed: the rounds disagree.
		{"disagree", [][]float64{{10, 12}, {11, 11}, {11, 11}, {11, 11}}, Weak, 1.1, 11.0 / 12, 1.1, 0.2, "g=1"},
		{"reversed", [][]float64{{15, 15}, {12, 12}, {11, 11}, {10, 10}}, NotHeld, 10.0 / 15, 10.0 / 15, 10.0 / 15, 0.03,
			`does not hold: "g=8" runs 1.50x the speed of "g=1" (rounds 1.50-1.50x, noise margin 3%), the reverse of the paper`},
	}
	for _, tc := range tests {
		tab, err := FromExperiment(experiment(t, "G2"), ARM, []int{1})
		if err != nil {
			t.Fatal(err)
		}
		withRounds(&tab, 0, tc.ms)
		v := tab.Verdict(0)
		e := v.Effects[0]
		if v.Outcome != tc.want || e.Outcome != tc.want || math.Abs(e.Ratio-tc.ratio) > 1e-9 || math.Abs(e.Lo-tc.lo) > 1e-9 ||
			math.Abs(e.Hi-tc.hi) > 1e-9 || math.Abs(e.Margin-tc.margin) > 1e-9 {
			t.Errorf("%s: %+v, want %s ratio %v rounds %v-%v margin %v", tc.name, e, tc.want, tc.ratio, tc.lo, tc.hi, tc.margin)
		}
		if v.Fast != "g=1" || v.Slow != "g=8" || v.Against != PaperARM || math.Abs(v.PaperRatio-40/27.8) > 1e-9 {
			t.Errorf("%s: claim %q vs %q against %s %v", tc.name, v.Fast, v.Slow, v.Against, v.PaperRatio)
		}
		if s := v.String(); !strings.Contains(s, tc.contain) || !strings.HasPrefix(s, "x1 "+string(tc.want)) {
			t.Errorf("%s: %q lacks %q", tc.name, s, tc.contain)
		}
	}
}

// TestVerdictNeverSelf: the paper's extremes are two different rows even
// when the local first row is the slowest (G4, paper Table 4: "neither" is
// the fastest, "ReLU+shortcut" the first row and the slowest).
func TestVerdictNeverSelf(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	withRounds(&tab, 0, [][]float64{{12}, {11}, {11.5}, {10}})
	v := tab.Verdict(0)
	if v.Fast != "neither" || v.Slow != "ReLU+shortcut" || v.Outcome != Holds || v.Effects[0].Rounds != 1 {
		t.Fatalf("%+v", v)
	}
	if s := v.Sentence(); strings.Count(s, `"ReLU+shortcut"`) != 1 || !strings.Contains(s, "1 round") {
		t.Errorf("sentence %q", s)
	}
	// All paper speeds equal: nothing to compare.
	for i := range tab.Rows {
		tab.Rows[i].PaperARM[0], tab.Rows[i].PaperGPU[0] = 5, 5
	}
	if v := tab.Verdict(0); v.Outcome != NoPaper || strings.Contains(v.Sentence(), `"`) {
		t.Errorf("equal paper speeds: %+v %q", v, v.Sentence())
	}
}

// TestVerdictFusion: G4 measured eager and fused; the eager effect (20%)
// shrinks to 5% fused, so fusion removes 75% of it.
func TestVerdictFusion(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
	withRounds(&tab, 0, [][]float64{{12, 12}, {11, 11}, {11.5, 11.5}, {10, 10}})
	withRounds(&tab, 1, [][]float64{{10.5, 10.5}, {10.2, 10.2}, {10.3, 10.3}, {10, 10}})
	v := tab.Verdict(0)
	if v.Outcome != Holds || len(v.Effects) != 2 || v.Effects[1].Mode != runner.Fused || math.Abs(v.Effects[1].Ratio-1.05) > 1e-9 {
		t.Fatalf("%+v", v)
	}
	if math.Abs(v.FusionRemoves-0.75) > 1e-9 {
		t.Errorf("fusion removes %v, want 0.75", v.FusionRemoves)
	}
	want := `x1 holds in eager execution by 20%; fusion removes 75% of it: "neither" runs 1.20x the speed of "ReLU+shortcut" eager`
	if s := v.String(); !strings.HasPrefix(s, want) || !strings.Contains(s, "; fused 1.05x (rounds 1.05-1.05x, noise margin 3%)") {
		t.Errorf("got  %q\nwant %q...", s, want)
	}
	// Not measured fused yet.
	tab.Rows[0].Rounds[1][0] = nil
	if v := tab.Verdict(0); !math.IsNaN(v.FusionRemoves) || !strings.Contains(v.Sentence(), "fused not measured") {
		t.Errorf("unmeasured fused: %q", v.Sentence())
	}
}

func TestVerdictsPerScale(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G3"), GPU, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	vs := tab.Verdicts()
	if len(vs) != 2 || vs[0].Against != PaperGPU || vs[0].Outcome != Unknown || vs[1].Scale != 2 {
		t.Fatalf("verdicts %+v", vs)
	}
	// Paper Table 3 GPU c=128: 1-fragment 2446 is the fastest, 4-fragment-parallel 691 the slowest.
	if vs[0].Fast != "1-fragment" || vs[0].Slow != "4-fragment-parallel" {
		t.Errorf("GPU claim %q vs %q", vs[0].Fast, vs[0].Slow)
	}
	if !strings.Contains(vs[0].String(), "not measured") {
		t.Errorf("%q", vs[0].String())
	}
}

func TestNormalisedAndParsePlatform(t *testing.T) {
	if n := Normalised([]float64{2, 1, 4}); n[0] != 1 || n[1] != 0.5 || n[2] != 2 {
		t.Errorf("Normalised = %v", n)
	}
	if Normalised([]float64{0, 1}) != nil {
		t.Error("zero first row normalised")
	}
	if p, err := ParsePlatform("GPU"); err != nil || p != GPU {
		t.Errorf("ParsePlatform = %v %v", p, err)
	}
	if _, err := ParsePlatform("tpu"); err == nil {
		t.Error("tpu accepted")
	}
}

func TestConditions(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	tab.Backend, tab.Threads, tab.Modes = "native", 1, ModesFor("G4", runner.Fused, false)
	if got := tab.Conditions(); got != "native, 1 thread, batch 1, ARM sizes, eager and fused" {
		t.Errorf("before measuring: %q", got)
	}
	tab.Threads, tab.RoundsDone = 2, 3
	if got := tab.Conditions(); got != "native, 2 threads, batch 1, ARM sizes, eager and fused, best of 3 rounds" {
		t.Errorf("measured: %q", got)
	}
	// A kernel set forced by --kernels is named (a generic run read like
	// an avx512 one); the backend's own choice is not.
	tab.Kernels = "generic"
	if got := tab.Conditions(); got != "native, kernels generic, 2 threads, batch 1, ARM sizes, eager and fused, best of 3 rounds" {
		t.Errorf("--kernels generic: %q", got)
	}
	t8, err := FromExperiment(experiment(t, "T8"), GPU, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := t8.Conditions(); got != "batch 1, fused; the paper's GPU speeds are at batch 8" {
		t.Errorf("T8: %q", got)
	}
}

func TestChannels(t *testing.T) {
	for _, tc := range []struct {
		id     string
		row, j int // j: scale column (x1, x2, x4)
		want   string
	}{
		{"G1", 1, 0, "c1=22 c2=44"}, // paper Table 1, ARM 1:2
		{"G2", 3, 0, "c=184 g=8"},   // g2.toml: 184 for the paper's 180 (8 groups)
		{"G2", 3, 1, "c=360 g=8"},   // paper Table 2, ARM x2: 2 x 180, which 8 divides
		{"G2", 3, 2, "c=720 g=8"},   // paper Table 2, ARM x4
		{"G3", 4, 0, "c=64"},        // paper Table 3, CPU c=64
		{"G4", 0, 0, "c=32"},        // paper Table 4, CPU c=32
		{"T8", 1, 0, "1x g=3"},      // shufflenetv1-1.0-g3
	} {
		tab, err := FromExperiment(experiment(t, tc.id), ARM, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.j >= len(tab.Scales) {
			t.Fatalf("%s: scales %v", tc.id, tab.Scales)
		}
		if got := tab.Rows[tc.row].Channels(tc.j); got != tc.want {
			t.Errorf("%s row %d x%d: %q, want %q", tc.id, tc.row, tab.Scales[tc.j], got, tc.want)
		}
	}
}

// TestVerdictFusionWidens: the fused effect larger than the eager one is
// said as widening, never as a negative removal.
func TestVerdictFusionWidens(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
	withRounds(&tab, 0, [][]float64{{11}, {11}, {11}, {10}})
	withRounds(&tab, 1, [][]float64{{12}, {11}, {11}, {10}})
	if h := tab.Verdict(0).Headline(); h != "holds in eager execution by 10%; fusion widens it by 100%" {
		t.Errorf("headline %q", h)
	}
}

// TestVerdictFusionWeak: an eager effect within the noise gives no
// "fusion removes" figure, and each mode's outcome is said.
func TestVerdictFusionWeak(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
	withRounds(&tab, 0, [][]float64{{10.1}, {10}, {10}, {10}})
	withRounds(&tab, 1, [][]float64{{12}, {11}, {11}, {10}})
	v := tab.Verdict(0)
	if h := v.Headline(); h != "weak in eager execution, holds fused" || !math.IsNaN(v.FusionRemoves) {
		t.Errorf("headline %q, fusion removes %v", h, v.FusionRemoves)
	}
}

// TestBestRound: the round the table shows is the fastest, the first of
// equal medians, per mode and scale; BestMS is its median; -1 and 0 where
// nothing was measured. A user interface records this round's result (it
// matched float medians to find it).
func TestBestRound(t *testing.T) {
	r := Row{Rounds: [][][]float64{
		{{3, 1, 2}, {5, 4, 4}}, // mode 0: scale 0 round 1; scale 1 the first of the equal 4s
		{{7}, nil},             // mode 1: one round at scale 0, none at scale 1
	}}
	for _, tc := range []struct{ m, j, round int }{{0, 0, 1}, {0, 1, 1}, {1, 0, 0}, {1, 1, -1}, {2, 0, -1}, {0, 2, -1}, {-1, 0, -1}} {
		got := r.BestRound(tc.m, tc.j)
		want := 0.0
		if tc.round >= 0 {
			want = r.Rounds[tc.m][tc.j][tc.round]
		}
		if got != tc.round || r.BestMS(tc.m, tc.j) != want {
			t.Errorf("mode %d scale %d: best round %d (%g ms), want %d (%g ms)", tc.m, tc.j, got, r.BestMS(tc.m, tc.j), tc.round, want)
		}
	}
}

// TestVerdictFusionReversesOrder: fused, "neither" slower than
// "ReLU+shortcut" (0.91x) after a 20% eager effect: fusion removes 145% of
// it by the formula, which the headline said as "removes 100%", hiding
// the reversal (audit). It now says so; a fused ratio below 1 within the
// noise removes "all of it".
func TestVerdictFusionReversesOrder(t *testing.T) {
	for _, tc := range []struct {
		fusedNeither float64
		want         string
	}{
		{11, "holds in eager execution by 20%; fusion removes all of it and reverses the order"},
		{10.1, "holds in eager execution by 20%; fusion removes all of it"},
	} {
		tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
		if err != nil {
			t.Fatal(err)
		}
		tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
		withRounds(&tab, 0, [][]float64{{12}, {11}, {11}, {10}})
		withRounds(&tab, 1, [][]float64{{10}, {10}, {10}, {tc.fusedNeither}})
		if h := tab.Verdict(0).Headline(); h != tc.want {
			t.Errorf("fused neither %v ms: headline %q, want %q", tc.fusedNeither, h, tc.want)
		}
	}
}

// TestVerdictReversedKeepsDirection: when the first effect is worded the
// reverse of the paper ("ReLU+shortcut" faster than "neither"), the
// fused numbers that follow are in that direction too; they were printed
// the paper's way round, so "fused 1.05x" read as "ReLU+shortcut" faster
// fused when "neither" was.
func TestVerdictReversedKeepsDirection(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
	withRounds(&tab, 0, [][]float64{{8}, {9}, {9}, {10}})
	withRounds(&tab, 1, [][]float64{{10.5}, {10.2}, {10.2}, {10}})
	s := tab.Verdict(0).Sentence()
	want := `does not hold in eager execution, holds fused: "ReLU+shortcut" runs 1.25x the speed of "neither" eager (1 round, noise margin 3%), the reverse of the paper; fused 0.95x (1 round, noise margin 3%)`
	if !strings.HasPrefix(s, want) {
		t.Errorf("got  %q\nwant %q...", s, want)
	}
}

// TestVerdictBoundaryInclusive: docs/guidelines.md's rule is "does not
// hold" at ratio <= 1 - margin; 100 against 97 ms is 0.97000000000000008 in
// floating point and was called weak.
func TestVerdictBoundaryInclusive(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G2"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	withRounds(&tab, 0, [][]float64{{100}, {99}, {98}, {97}})
	if v := tab.Verdict(0); v.Outcome != NotHeld {
		t.Errorf("g=1 100 ms, g=8 97 ms: %s (ratio %.17g)", v.Outcome, v.Effects[0].Ratio)
	}
	withRounds(&tab, 0, [][]float64{{10}, {10.1}, {10.2}, {10.3}})
	if v := tab.Verdict(0); v.Outcome != Holds {
		t.Errorf("g=1 10 ms, g=8 10.3 ms: %s (ratio %.17g)", v.Outcome, v.Effects[0].Ratio)
	}
}
