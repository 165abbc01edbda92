package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// TestTorchvisionCounts: params and MAdds of torchvision's ShuffleNetV2 and
// MobileNet v2 (reference/paper.md §8 and §12: torchvision num_params and
// _ops; MobileNet v2 3,504,872 params and 300,774,272 MAdds), and the Megvii
// layout's MAdds, which round up to the paper's 41/146/299/591M (Table 5).
func TestTorchvisionCounts(t *testing.T) {
	tests := []struct {
		name   string
		spec   arch.Spec
		madds  int64
		params int64
	}{
		{"snv2-0.5", arch.Spec{Width: 0.5}, 40_476_448, 1_366_792},
		{"snv2-1.0", arch.Spec{Width: 1.0}, 144_907_992, 2_278_604},
		{"snv2-1.5", arch.Spec{Width: 1.5}, 295_759_392, 3_503_624},
		{"snv2-2.0", arch.Spec{Width: 2.0}, 583_253_464, 7_393_996},
		{"snv2-0.5-megvii", arch.Spec{Width: 0.5, Layout: arch.LayoutMegvii}, 40_476_448, 1_365_792},
		{"snv2-1.0-megvii", arch.Spec{Width: 1.0, Layout: arch.LayoutMegvii}, 145_814_296, 2_278_760},
		{"snv2-1.5-megvii", arch.Spec{Width: 1.5, Layout: arch.LayoutMegvii}, 298_970_656, 3_506_720},
		{"snv2-2.0-megvii", arch.Spec{Width: 2.0, Layout: arch.LayoutMegvii}, 590_783_000, 7_402_600},
		{"mnv2-1.0", arch.Spec{Family: arch.MobileNetV2}, 300_774_272, 3_504_872},
		// Explicit channels equal to torchvision x1_0 give the same network.
		{"snv2-channels", arch.Spec{Channels: []int{24, 116, 232, 464, 1024}}, 144_907_992, 2_278_604},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := arch.Build(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			rep := Analyze(g, nil)
			if rep.Totals.MultAdds != tt.madds {
				t.Errorf("MAdds = %d, want %d", rep.Totals.MultAdds, tt.madds)
			}
			if rep.Totals.Params != tt.params {
				t.Errorf("params = %d, want %d", rep.Totals.Params, tt.params)
			}
			if rep.Totals.FLOPs != 2*tt.madds {
				t.Errorf("FLOPs = %d, want 2 x MAdds", rep.Totals.FLOPs)
			}
			fused := arch.FusedPlan(g)
			fr := Analyze(g, &fused)
			if fr.Totals.MultAdds != tt.madds || fr.Totals.Params != tt.params {
				t.Errorf("fused view changed MAdds/params: %d/%d", fr.Totals.MultAdds, fr.Totals.Params)
			}
			if fr.Totals.MemAccess >= rep.Totals.MemAccess {
				t.Errorf("fused MAC %d not below as-written %d", fr.Totals.MemAccess, rep.Totals.MemAccess)
			}
		})
	}
}

// TestPaperRoundedMAdds: the paper's Table 5 FLOPs (41/146/299/591M) are the
// Megvii-layout MAdds rounded up to the next million (paper.md §9.1).
func TestPaperRoundedMAdds(t *testing.T) {
	for w, paper := range map[float64]float64{0.5: 41, 1.0: 146, 1.5: 299, 2.0: 591} {
		g, _ := arch.Build(arch.Spec{Width: w, Layout: arch.LayoutMegvii})
		if got := math.Ceil(float64(Analyze(g, nil).Totals.MultAdds) / 1e6); got != paper {
			t.Errorf("%gx: ceil(MAdds/1e6) = %g, paper %g", w, got, paper)
		}
	}
}

// TestShuffleNetV1WithinTwoPercent: ShuffleNet v1 1x MAdds against the v1
// paper's Table 1 complexities 143/140/137/133/137M for g = 1/2/3/4/8.
func TestShuffleNetV1WithinTwoPercent(t *testing.T) {
	for g, paper := range map[int]float64{1: 143, 2: 140, 3: 137, 4: 133, 8: 137} {
		gr, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV1, Groups: g})
		if err != nil {
			t.Fatal(err)
		}
		got := float64(Analyze(gr, nil).Totals.MultAdds) / 1e6
		if rel := math.Abs(got-paper) / paper; rel > 0.02 {
			t.Errorf("g=%d: %.2fM MAdds, paper %gM (%.1f%% off)", g, got, paper, 100*rel)
		}
	}
}

// TestShuffleNetV1MegviiWidths: conv + FC MAdds of Megvii's ShuffleNet v1
// models, computed in paper.md 11.1 from the [MG] widths (g=3: 37.6/137.5/
// 292.4/524.0M; g=8: 40.5/138.4/290.2/521.9M at 0.5/1.0/1.5/2.0x), to the
// 0.1M they are given to.
func TestShuffleNetV1MegviiWidths(t *testing.T) {
	for _, tc := range []struct {
		g     int
		w     float64
		madds float64
	}{
		{3, 0.5, 37.6}, {3, 1, 137.5}, {3, 1.5, 292.4}, {3, 2, 524.0},
		{8, 0.5, 40.5}, {8, 1, 138.4}, {8, 1.5, 290.2}, {8, 2, 521.9},
	} {
		gr, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV1, Groups: tc.g, Width: tc.w})
		if err != nil {
			t.Errorf("g=%d %gx: %v", tc.g, tc.w, err)
			continue
		}
		var convFC int64
		for i := range gr.Ops {
			if op := &gr.Ops[i]; op.Kind == arch.OpConv || op.Kind == arch.OpFC {
				convFC += MultAdds(gr, op)
			}
		}
		if got := math.Round(float64(convFC)/1e5) / 10; got != tc.madds {
			t.Errorf("g=%d %gx: conv+FC %.1fM MAdds, paper.md %.1fM", tc.g, tc.w, got, tc.madds)
		}
	}
}

// TestGuidelineConvNumbers: per-conv B and MAC of the G1 and G2 benchmarks
// at 56x56 (paper.md §1 and §2, computed from Eq. 1 and Eq. 2).
func TestGuidelineConvNumbers(t *testing.T) {
	tests := []struct {
		name  string
		spec  arch.Spec
		op    string
		madds int64
		mac   int64
	}{
		{"G1 128:128", arch.Spec{Family: arch.GuideG1, C1: 128, C2: 128}, "block0.conv1", 51_380_224, 819_200},
		{"G1 90:180", arch.Spec{Family: arch.GuideG1, C1: 90, C2: 180}, "block0.conv1", 50_803_200, 862_920},
		{"G1 52:312", arch.Spec{Family: arch.GuideG1, C1: 52, C2: 312}, "block0.conv1", 50_878_464, 1_157_728},
		{"G1 36:432", arch.Spec{Family: arch.GuideG1, C1: 36, C2: 432}, "block0.conv1", 48_771_072, 1_483_200},
		{"G1 ARM 13:78", arch.Spec{Family: arch.GuideG1, C1: 13, C2: 78}, "block0.conv1", 3_179_904, 286_390},
		{"G2 g=1 c=128", arch.Spec{Family: arch.GuideG2, C: 128, Groups: 1}, "block0.conv", 51_380_224, 819_200},
		{"G2 g=2 c=180", arch.Spec{Family: arch.GuideG2, C: 180, Groups: 2}, "block0.conv", 50_803_200, 1_145_160},
		{"G2 g=4 c=256", arch.Spec{Family: arch.GuideG2, C: 256, Groups: 4}, "block0.conv", 51_380_224, 1_622_016},
		{"G2 g=8 c=360", arch.Spec{Family: arch.GuideG2, C: 360, Groups: 8}, "block0.conv", 50_803_200, 2_274_120},
		{"G2 CPU g=4 c=128", arch.Spec{Family: arch.GuideG2, C: 128, Groups: 4}, "block0.conv", 12_845_056, 806_912},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := arch.Build(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			op := g.OpByID(tt.op)
			if op == nil {
				t.Fatalf("no op %s", tt.op)
			}
			if got := MultAdds(g, op); got != tt.madds {
				t.Errorf("B = %d, want %d", got, tt.madds)
			}
			if got := MemAccess(g, op); got != tt.mac {
				t.Errorf("MAC = %d, want %d", got, tt.mac)
			}
			b := G1(g, op)
			if b == nil {
				t.Fatal("no G1 bound for a 1x1 conv")
			}
			// The bound is tight exactly when c1 == c2 (paper Eq. 1; with g groups
			// the bound 2*sqrt(g*P*B) + B/P is also reached at c1 == c2).
			if tight := b.C1 == b.C2; tight != (math.Abs(b.Ratio-1) < 1e-9) {
				t.Errorf("ratio %.6f for c1=%d c2=%d g=%d", b.Ratio, b.C1, b.C2, b.Groups)
			}
			if b.Ratio < 1-1e-9 {
				t.Errorf("MAC below its lower bound: ratio %.6f", b.Ratio)
			}
		})
	}
}

// TestG3EqualFLOPs: every G3 structure keeps the 1-fragment block's MAdds
// within 2% (paper Table 3 caption; rule arch.G3FragmentWidth).
func TestG3EqualFLOPs(t *testing.T) {
	for _, c := range []int{64, 128, 256, 512} {
		base, _ := arch.Build(arch.Spec{Family: arch.GuideG3, C: c, Fragments: 1})
		want := float64(Analyze(base, nil).Totals.MultAdds)
		for _, k := range []int{2, 4} {
			for _, par := range []bool{false, true} {
				g, err := arch.Build(arch.Spec{Family: arch.GuideG3, C: c, Fragments: k, Parallel: par})
				if err != nil {
					t.Fatal(err)
				}
				got := float64(Analyze(g, nil).Totals.MultAdds)
				if math.Abs(got-want)/want > 0.02 {
					t.Errorf("c=%d k=%d parallel=%v: %g MAdds vs %g", c, k, par, got, want)
				}
			}
		}
	}
}

// TestFusedViewRemovesElementwise: the fused plan of ShuffleNetV2 1.0x
// leaves no batch-norm or ReLU launches (design.md §5); the only data
// movement left is the passthrough half of every stride-1 unit, copied
// into the unit's concat buffer (runner/native's TestFusedCopiesMatchCostView
// checks the engine runs exactly these copies). Paper Table 5: 3, 7 and 3
// stride-1 units with 58, 116 and 232 passthrough channels at 28x28,
// 14x14 and 7x7; each element read and written once.
func TestFusedViewRemovesElementwise(t *testing.T) {
	g, _ := arch.Build(arch.Spec{})
	p := arch.FusedPlan(g)
	rep := Analyze(g, &p)
	copied := int64(3*58*28*28 + 7*116*14*14 + 3*232*7*7)
	for _, c := range rep.Categories {
		switch Category(c.Name) {
		case CatElementwise:
			if c.MemAccess != 0 || c.Steps != 0 {
				t.Errorf("%s: MAC %d launches %d in the fused view", c.Name, c.MemAccess, c.Steps)
			}
		case CatDataMovement:
			if c.MemAccess != 2*copied || c.Steps != 3+7+3 {
				t.Errorf("%s: MAC %d launches %d in the fused view, want %d in 13", c.Name, c.MemAccess, c.Steps, 2*copied)
			}
		}
	}
	for _, r := range rep.Rows {
		if r.Category == CatDataMovement && r.Kind == arch.OpConcat && r.Unit != "" && !strings.HasSuffix(r.Unit, ".0") && r.View {
			t.Errorf("%s: the stride-1 concat is a view", r.ID)
		}
	}
	// Every op is covered exactly once.
	seen := make([]int, len(g.Ops))
	for _, r := range rep.Rows {
		for _, i := range r.OpIndex {
			seen[i]++
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("op %s covered %d times", g.Ops[i].ID, n)
		}
	}
}

// TestFusedStepWritesItsOutput: a fused step that ends in a folded batch
// norm (the depthwise convs of ShuffleNetV2, no ReLU after them) still
// writes its output; its MAC is input + output + weights + folded bias.
// Shapes from torchvision's shufflenet_v2_x1_0 at 224 (paper Table 5):
// stage 2 has 116 channels, its branch is 58 wide at 28x28 (56x56 into the
// stride-2 first unit); a 3x3 depthwise conv has 9 weights per channel.
func TestFusedStepWritesItsOutput(t *testing.T) {
	g, _ := arch.Build(arch.Spec{})
	p := arch.FusedPlan(g)
	rep := Analyze(g, &p)
	want := map[string]int64{
		"stage2.1.branch2.3": 58*28*28 + 58*28*28 + 58*9 + 58, // stride 1
		"stage2.0.branch2.3": 58*56*56 + 58*28*28 + 58*9 + 58, // stride 2
	}
	for _, r := range rep.Rows {
		w, ok := want[r.ID]
		if !ok {
			continue
		}
		delete(want, r.ID)
		if r.MemAccess != w {
			t.Errorf("%s (covers %v): MAC %d, want %d", r.ID, r.Covers, r.MemAccess, w)
		}
	}
	for id := range want {
		t.Errorf("no fused row %s", id)
	}
}

// TestTotalsAddUp: stage and category totals each sum to the network total.
func TestTotalsAddUp(t *testing.T) {
	for _, s := range []arch.Spec{{}, {Family: arch.MobileNetV2}, {Family: arch.ShuffleNetV1, Groups: 8}, {Family: arch.GuideG4, C: 64}} {
		g, _ := arch.Build(s)
		for _, fused := range []bool{false, true} {
			var p *arch.Plan
			if fused {
				fp := arch.FusedPlan(g)
				p = &fp
			}
			rep := Analyze(g, p)
			for _, groups := range [][]Group{rep.Stages, rep.Categories} {
				var m, mac, par int64
				for _, gr := range groups {
					m += gr.MultAdds
					mac += gr.MemAccess
					par += gr.Params
				}
				if m != rep.Totals.MultAdds || mac != rep.Totals.MemAccess || par != rep.Totals.Params {
					t.Errorf("%s fused=%v: groups sum %d/%d/%d, totals %d/%d/%d", s, fused, m, mac, par, rep.Totals.MultAdds, rep.Totals.MemAccess, rep.Totals.Params)
				}
			}
		}
	}
}

// BenchmarkAnalyze: build + analyze ShuffleNetV2 1.0x (the work behind every
// knob change in the UI and every `explorer cost`).
func BenchmarkAnalyze(b *testing.B) {
	for i := 0; i < b.N; i++ {
		g, err := arch.Build(arch.Spec{})
		if err != nil {
			b.Fatal(err)
		}
		_ = Analyze(g, nil)
	}
}

// TestCountsAtRangeExtremes is issue 15's property test for cost: at the
// ends of every documented knob range (arch.ExtremeSpecs), every design
// that builds has, in both views, non-negative rows, totals equal to the
// sums of the rows, FLOPs = 2 x MAdds, bytes = 4 x MAC, positive MAdds and
// MAC and a finite intensity: no count wraps, turns 0, negative or Inf
// (reproduction 4 printed MAdds 0, a negative byte count and +Inf).
func TestCountsAtRangeExtremes(t *testing.T) {
	for _, s := range arch.ExtremeSpecs() {
		g, err := arch.Build(s)
		if err != nil {
			continue
		}
		fp := arch.FusedPlan(g)
		for _, rep := range []Report{Analyze(g, nil), Analyze(g, &fp)} {
			var sum Totals
			for _, r := range rep.Rows {
				if r.MultAdds < 0 || r.AuxFLOPs < 0 || r.Params < 0 || r.MemAccess < 0 || r.Bytes != 4*r.MemAccess ||
					math.IsInf(r.Intensity, 0) || math.IsNaN(r.Intensity) || r.Intensity < 0 {
					t.Fatalf("%s %s: row %s %+v", s, rep.View, r.ID, r)
				}
				sum.add(r)
			}
			tt := rep.Totals
			if tt.MultAdds != sum.MultAdds || tt.MemAccess != sum.MemAccess || tt.Params != sum.Params || tt.AuxFLOPs != sum.AuxFLOPs {
				t.Fatalf("%s %s: totals %+v, rows sum to %+v", s, rep.View, tt, sum)
			}
			if tt.MultAdds <= 0 || tt.MemAccess <= 0 || tt.FLOPs != 2*tt.MultAdds || tt.Bytes != 4*tt.MemAccess ||
				!(tt.Intensity > 0) || math.IsInf(tt.Intensity, 0) {
				t.Fatalf("%s %s: totals %+v", s, rep.View, tt)
			}
			if tt.FLOPs+tt.AuxFLOPs < tt.FLOPs {
				t.Fatalf("%s %s: FLOPs + aux FLOPs wrap", s, rep.View)
			}
		}
	}
}

// TestAuxFLOPsOfPoolsAndReLU6: the non-MAdd FLOPs of the ops no lens test
// covers, each the first op of its kind in a whole network, counted by
// hand from the shapes the papers and torchvision give:
//   - ShuffleNetV2 1.0x stem max pool, 3x3 stride 2 (paper Table 5, torchvision
//     MaxPool2d(3, 2, 1)): output 24x56x56, 8 comparisons per output;
//   - its global average pool over conv5's 1024x7x7: one add per input
//     element (the mean's division folded into them, as cost.go counts it);
//   - MobileNet v2 1.0 stem ReLU6 (torchvision Conv2dNormActivation(3, 32,
//     stride 2, ReLU6)): output 32x112x112, a min and a max per element;
//   - ShuffleNet v1 1x g=3 first stride-2 unit's shortcut, 3x3 average
//     pool stride 2 (Zhang et al. 2018, Fig. 2c) on the 24x56x56 max pool
//     output: output 24x28x28, 9 FLOPs per output (8 adds and the divide).
func TestAuxFLOPsOfPoolsAndReLU6(t *testing.T) {
	for _, tc := range []struct {
		spec arch.Spec
		kind arch.OpKind
		want int64
	}{
		{arch.Spec{Family: arch.ShuffleNetV2, Width: 1}, arch.OpMaxPool, 8 * 24 * 56 * 56},
		{arch.Spec{Family: arch.ShuffleNetV2, Width: 1}, arch.OpGlobalAvgPool, 1024 * 7 * 7},
		{arch.Spec{Family: arch.MobileNetV2, Width: 1}, arch.OpReLU6, 2 * 32 * 112 * 112},
		{arch.Spec{Family: arch.ShuffleNetV1, Width: 1, Groups: 3}, arch.OpAvgPool, 9 * 24 * 28 * 28},
	} {
		g, err := arch.Build(tc.spec.Normalize())
		if err != nil {
			t.Fatal(err)
		}
		rep := Analyze(g, nil)
		found := false
		for _, r := range rep.Rows {
			if r.Kind == tc.kind {
				if r.AuxFLOPs != tc.want {
					t.Errorf("%s %s %s: aux FLOPs %d, want %d", tc.spec.Family, r.ID, tc.kind, r.AuxFLOPs, tc.want)
				}
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no %s op", tc.spec.Family, tc.kind)
		}
	}
}

// TestMobileNetV1Counts: MobileNet v1 at 224x224 against Howard et al.
// 2017, Table 6 (width 1.0/0.75/0.5/0.25: 569/325/149/41 million
// mult-adds and 4.2/2.6/1.3/0.5 million parameters), each within the
// paper's rounding: half a million MAdds, 0.05 million parameters.
func TestMobileNetV1Counts(t *testing.T) {
	for _, tc := range []struct {
		width          float64
		madds, paramsM float64
	}{{1.0, 569, 4.2}, {0.75, 325, 2.6}, {0.5, 149, 1.3}, {0.25, 41, 0.5}} {
		g, err := arch.Build(arch.Spec{Family: arch.MobileNetV1, Width: tc.width}.Normalize())
		if err != nil {
			t.Fatal(err)
		}
		tot := Analyze(g, nil).Totals
		if m := float64(tot.MultAdds) / 1e6; math.Abs(m-tc.madds) > 0.5 {
			t.Errorf("MobileNet v1 %g: %.2fM MAdds, paper %gM", tc.width, m, tc.madds)
		}
		if p := float64(tot.Params) / 1e6; math.Abs(p-tc.paramsM) > 0.05 {
			t.Errorf("MobileNet v1 %g: %.3fM params, paper %gM", tc.width, p, tc.paramsM)
		}
		// Exactly, at width 1.0: Keras applications MobileNet(alpha=1.0)
		// reports 4,231,976 trainable parameters (convs, BN scale and
		// shift, the classifier's weights and bias; the BN running
		// statistics are its non-trainable 21,888).
		if tc.width == 1.0 && tot.Params != 4231976 {
			t.Errorf("MobileNet v1 1.0: %d params, Keras counts 4231976", tot.Params)
		}
	}
}
