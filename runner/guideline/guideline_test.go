package guideline

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
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
	calls := 0
	var order []string
	err = tab.Measure(context.Background(), func(_ context.Context, s arch.Spec) (float64, error) {
		calls++
		order = append(order, s.String())
		// ms; images/s = 1000 / ms at batch 1. The second round is slower
		// (a disturbed round): the first round's value must be kept.
		ms := float64(s.C) / 10
		if calls > 4 && calls <= 8 || calls > 12 {
			ms *= 2
		}
		return ms, nil
	}, 2, nil)
	// 4 rows x 2 scales x 2 rounds, round-robin over the rows of a scale.
	if err != nil || calls != 16 || order[0] != order[4] || order[0] == order[1] {
		t.Fatalf("calls %d order %v err %v", calls, order, err)
	}
	// G2 ARM x2: g = 4 has c = 2 x 128 = 256 (paper Table 2) -> 25.6 ms -> 39.06 images/s.
	r := tab.Rows[2]
	if r.LocalMS[1] != 25.6 || math.Abs(r.Local[1]-1000.0/25.6) > 1e-9 {
		t.Errorf("row %q local %v ms %v", r.Label, r.Local, r.LocalMS)
	}
	bad := func(context.Context, arch.Spec) (float64, error) { return math.NaN(), nil }
	if err := tab.Measure(context.Background(), bad, 1, nil); err == nil {
		t.Error("NaN latency accepted")
	}
}

func TestJudge(t *testing.T) {
	labels := []string{"a", "b", "c", "d"}
	paper := []float64{40, 35, 33, 28} // paper Table 2 CPU x1 shape: strictly decreasing
	tests := []struct {
		name  string
		local []float64
		want  Outcome
		tau   float64
		ratio float64
	}{
		{"same order", []float64{100, 90, 80, 50}, Holds, 1, 2},
		{"reversed", []float64{50, 80, 90, 100}, NotHeld, -1, 0.5},
		// Extremes within the 3% margin but ranks agree.
		{"flat but agreeing", []float64{101, 100.8, 100.5, 100}, Weak, 1, 1.01},
		// Extremes ordered (10%), middle swapped: tau-b = (5-1)/6.
		{"mostly", []float64{110, 100, 105, 100.0 - 0.1}, Holds, 4.0 / 6, 110 / 99.9},
	}
	for _, tc := range tests {
		v := Judge(tc.local, paper, labels)
		if v.Outcome != tc.want || math.Abs(v.Tau-tc.tau) > 1e-9 || math.Abs(v.Ratio-tc.ratio) > 1e-9 {
			t.Errorf("%s: %+v; want %s tau %v ratio %v", tc.name, v, tc.want, tc.tau, tc.ratio)
		}
		if v.PaperFastest != "a" || v.PaperSlowest != "d" {
			t.Errorf("%s: paper extremes %s %s", tc.name, v.PaperFastest, v.PaperSlowest)
		}
	}
	if v := Judge([]float64{1, 0}, paper[:2], labels); v.Outcome != Unknown {
		t.Errorf("unmeasured: %v", v.Outcome)
	}
	if v := Judge([]float64{1, 2}, []float64{0, 0}, labels); v.Outcome != noSeries {
		t.Errorf("no paper data: %v", v.Outcome)
	}
	// G4 shape: the paper's fastest is the last row (no ReLU, no shortcut).
	v := Judge([]float64{10, 11, 10.5, 12}, []float64{56.7, 61.9, 57.3, 66.3}, labels)
	if v.PaperFastest != "d" || v.PaperSlowest != "a" || v.Outcome != Holds || math.Abs(v.Ratio-1.2) > 1e-9 {
		t.Errorf("G4 shape: %+v", v)
	}
	if v.LocalWorst != "a" || v.LocalFirstVsWorst != 1 {
		t.Errorf("local worst %q %v", v.LocalWorst, v.LocalFirstVsWorst)
	}
}

func TestVerdictsOrder(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G3"), GPU, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range tab.Rows {
		tab.Rows[i].Local[0] = float64(10 - i)
	}
	vs := tab.Verdicts()
	if len(vs) != 2 || vs[0].Against != PaperGPU || vs[1].Against != PaperARM {
		t.Fatalf("verdicts %+v", vs)
	}
	// Paper Table 3 GPU c=128: 1-fragment 2446 is the fastest, 4-fragment-parallel 691 the slowest.
	if vs[0].PaperFastest != "1-fragment" || vs[0].PaperSlowest != "4-fragment-parallel" || vs[0].Outcome != Holds {
		t.Errorf("GPU verdict %+v", vs[0])
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
