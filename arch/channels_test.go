package arch

import (
	"math"
	"testing"
)

// rnd is a Rounding for the tables below.
func rnd(exact float64, multiple, channels int) *Rounding {
	return &Rounding{Exact: exact, Multiple: multiple, Channels: channels}
}

// TestStageChannels: every stage's channels, the width rule's rounding and
// the split, derived by hand from the rules (ShuffleNetV2Channels: stage 2
// interpolated through paper Table 5's 48/116/176/244 at 0.5/1.0/1.5/2.0x,
// rounded to the nearest multiple of 2g, 4 in the megvii layout; conv5
// 1024 up to 1.5x, then 1024 + (w-1.5)/0.5·1024 to a multiple of 8;
// ShuffleNetV1Channels: v1 Table 1 x w to a multiple of 4g, stem up to a
// multiple of g; branchWidth: c' = r·c to the nearest multiple of g;
// MobileNets: torchvision's _make_divisible(c·w, 8); G3FragmentWidth:
// c/sqrt(k) to the nearest channel).
func TestStageChannels(t *testing.T) {
	type sc = StageChannels
	v2 := ShuffleNetV2
	for _, tc := range []struct {
		name string
		spec Spec
		want []sc
	}{
		{"shufflenetv2 1.0x", Spec{Family: v2}, []sc{
			{Stage: "stem", Channels: 24},
			// Table 5 column: 116 exactly, a multiple of 2g = 2; split 0.5·116 = 58.
			{Stage: "stage2", Channels: 116, Width: rnd(116, 2, 116), Split: rnd(58, 1, 58)},
			// Stages 3 and 4 double stage 2: 232 and 464, split 116 and 232.
			{Stage: "stage3", Channels: 232, Split: rnd(116, 1, 116)},
			{Stage: "stage4", Channels: 464, Split: rnd(232, 1, 232)},
			{Stage: "head", Channels: 1024}, // conv5 fixed up to 1.5x
		}},
		{"shufflenetv2 0.8x", Spec{Family: v2, Width: 0.8}, []sc{
			{Stage: "stem", Channels: 24},
			// 48 + (0.8-0.5)/0.5·(116-48) = 48 + 40.8 = 88.8 (nearest 89) -> 88, the nearest multiple of 2.
			{Stage: "stage2", Channels: 88, Width: rnd(88.8, 2, 88), Split: rnd(44, 1, 44)},
			{Stage: "stage3", Channels: 176, Split: rnd(88, 1, 88)},
			{Stage: "stage4", Channels: 352, Split: rnd(176, 1, 176)},
			{Stage: "head", Channels: 1024},
		}},
		{"shufflenetv2 1.7x", Spec{Family: v2, Width: 1.7}, []sc{
			{Stage: "stem", Channels: 24},
			// 176 + 0.2/0.5·68 = 203.2 -> 204 (101.6 twos round to 102).
			{Stage: "stage2", Channels: 204, Width: rnd(203.2, 2, 204), Split: rnd(102, 1, 102)},
			{Stage: "stage3", Channels: 408, Split: rnd(204, 1, 204)},
			{Stage: "stage4", Channels: 816, Split: rnd(408, 1, 408)},
			// conv5: 1024 + 0.2/0.5·1024 = 1433.6 -> 1432 (179.2 eights round to 179).
			{Stage: "head", Channels: 1432, Width: rnd(1433.6, 8, 1432)},
		}},
		{"shufflenetv2 1.2x g=3", Spec{Family: v2, Width: 1.2, Groups: 3}, []sc{
			{Stage: "stem", Channels: 24},
			// 116 + 0.2/0.5·60 = 140 -> 138 (23.33 sixes round to 23); split 0.5·138 = 69 = 23·3.
			{Stage: "stage2", Channels: 138, Width: rnd(140, 6, 138), Split: rnd(69, 3, 69)},
			{Stage: "stage3", Channels: 276, Split: rnd(138, 3, 138)},
			{Stage: "stage4", Channels: 552, Split: rnd(276, 3, 276)},
			{Stage: "head", Channels: 1024},
		}},
		{"shufflenetv2 split 0.3", Spec{Family: v2, Split: 0.3}, []sc{
			{Stage: "stem", Channels: 24},
			// r·c = 0.3·116 = 34.8 -> 35; 0.3·232 = 69.6 -> 70; 0.3·464 = 139.2 -> 139.
			{Stage: "stage2", Channels: 116, Width: rnd(116, 2, 116), Split: rnd(34.8, 1, 35)},
			{Stage: "stage3", Channels: 232, Split: rnd(69.6, 1, 70)},
			{Stage: "stage4", Channels: 464, Split: rnd(139.2, 1, 139)},
			{Stage: "head", Channels: 1024},
		}},
		{"shufflenetv2 g=4 split 0.4 depths 1,2,1", Spec{Family: v2, Groups: 4, Split: 0.4, Depths: []int{1, 2, 1}}, []sc{
			{Stage: "stem", Channels: 24},
			// 116 -> 120, the nearest multiple of 2g = 8 (14.5 rounds up); one unit: no split op.
			{Stage: "stage2", Channels: 120, Width: rnd(116, 8, 120)},
			// 0.4·240 = 96 = 24·4.
			{Stage: "stage3", Channels: 240, Split: rnd(96, 4, 96)},
			{Stage: "stage4", Channels: 480},
			{Stage: "head", Channels: 1024},
		}},
		{"shufflenetv2 explicit channels", Spec{Family: v2, Channels: []int{24, 100, 200, 400, 1024}, Split: 0.37}, []sc{
			{Stage: "stem", Channels: 24},
			// No width rule; 0.37·100 = 37.
			{Stage: "stage2", Channels: 100, Split: rnd(37, 1, 37)},
			{Stage: "stage3", Channels: 200, Split: rnd(74, 1, 74)},
			{Stage: "stage4", Channels: 400, Split: rnd(148, 1, 148)},
			{Stage: "head", Channels: 1024},
		}},
		{"shufflenetv2 megvii 0.9x", Spec{Family: v2, Layout: LayoutMegvii, Width: 0.9}, []sc{
			{Stage: "stem", Channels: 24},
			// 48 + 0.4/0.5·68 = 102.4 -> 104, the nearest multiple of 4 (25.6 fours);
			// the shuffle-split halves it: 52.
			{Stage: "stage2", Channels: 104, Width: rnd(102.4, 4, 104), Split: rnd(52, 1, 52)},
			{Stage: "stage3", Channels: 208, Split: rnd(104, 1, 104)},
			{Stage: "stage4", Channels: 416, Split: rnd(208, 1, 208)},
			{Stage: "head", Channels: 1024},
		}},
		{"shufflenetv1 1.0x g=3", Spec{Family: ShuffleNetV1, Groups: 3}, []sc{
			// Stem 24, a multiple of 3; v1 Table 1: 240 at g=3, a multiple of 4g = 12.
			{Stage: "stem", Channels: 24, Width: rnd(24, 3, 24)},
			{Stage: "stage2", Channels: 240, Width: rnd(240, 12, 240)},
			{Stage: "stage3", Channels: 480},
			{Stage: "stage4", Channels: 960}, // the head (pool, FC) is left out
		}},
		{"shufflenetv1 0.6x g=8", Spec{Family: ShuffleNetV1, Groups: 8, Width: 0.6}, []sc{
			// Stem 12 below 0.75x, up to 16; 384·0.6 = 230.4 -> 224 (7.2 thirty-twos round to 7).
			{Stage: "stem", Channels: 16, Width: rnd(12, 8, 16)},
			{Stage: "stage2", Channels: 224, Width: rnd(230.4, 32, 224)},
			{Stage: "stage3", Channels: 448},
			{Stage: "stage4", Channels: 896},
		}},
		{"mobilenetv2 0.35x", Spec{Family: MobileNetV2, Width: 0.35}, []sc{
			// _make_divisible: 32·0.35 = 11.2 -> 8, below 0.9·11.2 = 10.08, so 16.
			{Stage: "stem", Channels: 16, Width: rnd(11.2, 8, 16)},
			{Stage: "stage1", Channels: 8, Width: rnd(5.6, 8, 8)},      // 16·0.35, at least 8
			{Stage: "stage2", Channels: 8, Width: rnd(8.4, 8, 8)},      // 24·0.35
			{Stage: "stage3", Channels: 16, Width: rnd(11.2, 8, 16)},   // 32·0.35, as the stem
			{Stage: "stage4", Channels: 24, Width: rnd(22.4, 8, 24)},   // 64·0.35
			{Stage: "stage5", Channels: 32, Width: rnd(33.6, 8, 32)},   // 96·0.35, 32 >= 30.24
			{Stage: "stage6", Channels: 56, Width: rnd(56, 8, 56)},     // 160·0.35
			{Stage: "stage7", Channels: 112, Width: rnd(112, 8, 112)},  // 320·0.35
			{Stage: "head", Channels: 1280, Width: rnd(1280, 8, 1280)}, // 1280·max(1, 0.35)
		}},
		{"mobilenetv1 0.75x", Spec{Family: MobileNetV1, Width: 0.75}, []sc{
			// Stages by resolution, each its last layer's c·0.75.
			{Stage: "stem", Channels: 24, Width: rnd(24, 8, 24)},
			{Stage: "stage1", Channels: 48, Width: rnd(48, 8, 48)},
			{Stage: "stage2", Channels: 96, Width: rnd(96, 8, 96)},
			{Stage: "stage3", Channels: 192, Width: rnd(192, 8, 192)},
			{Stage: "stage4", Channels: 384, Width: rnd(384, 8, 384)},
			{Stage: "stage5", Channels: 768, Width: rnd(768, 8, 768)},
		}},
		{"g3 2 fragments", Spec{Family: GuideG3, Fragments: 2}, []sc{
			// 128/sqrt(2) = 90.51 -> 91.
			{Stage: "blocks", Channels: 91, Width: rnd(128/math.Sqrt2, 1, 91)},
		}},
		{"g1", Spec{Family: GuideG1}, []sc{{Stage: "blocks", Channels: 128}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Build(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			got := g.StageChannels()
			if len(got) != len(tc.want) {
				t.Fatalf("%d stages %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				s := got[i]
				if s.Stage != w.Stage || s.Channels != w.Channels {
					t.Errorf("stage %d: %s %d, want %s %d", i, s.Stage, s.Channels, w.Stage, w.Channels)
				}
				checkRounding(t, s.Stage+" width", s.Width, w.Width)
				checkRounding(t, s.Stage+" split", s.Split, w.Split)
			}
		})
	}
}

func checkRounding(t *testing.T, what string, got, want *Rounding) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s: %+v, want %+v", what, got, want)
	case math.Abs(got.Exact-want.Exact) > 1e-9 || got.Multiple != want.Multiple || got.Channels != want.Channels:
		t.Errorf("%s: %+v, want %+v", what, *got, *want)
	}
}

// TestStageChannelsMatchGraph: over a sweep of designs, a stage's width
// rounding gives the stage's channels and its split gives the conv branch
// of every split op in it, whose input is the stage's channels: the
// figures are the builder's own.
func TestStageChannelsMatchGraph(t *testing.T) {
	var specs []Spec
	for _, w := range []float64{0.3, 0.5, 0.77, 1, 1.23, 1.5, 1.9, 2, 2.6} {
		for _, r := range []float64{0.25, 0.5, 0.61} {
			for _, gr := range []int{1, 2, 3} {
				specs = append(specs, Spec{Family: ShuffleNetV2, Width: w, Split: r, Groups: gr, Res: 64})
			}
		}
		specs = append(specs, Spec{Family: ShuffleNetV2, Layout: LayoutMegvii, Width: w, Res: 64},
			Spec{Family: MobileNetV1, Width: w, Res: 64}, Spec{Family: MobileNetV2, Width: w, Res: 64})
		for _, gr := range []int{1, 2, 3, 4, 8} {
			specs = append(specs, Spec{Family: ShuffleNetV1, Width: w, Groups: gr, Res: 64})
		}
	}
	built := 0
	for _, s := range specs {
		g, err := Build(s)
		if err != nil {
			continue // a width too narrow for the family's rule
		}
		built++
		byStage := map[string]StageChannels{}
		for _, st := range g.StageChannels() {
			byStage[st.Stage] = st
			if st.Width != nil && st.Width.Channels != st.Channels {
				t.Errorf("%+v %s: width rule %d, graph %d", s, st.Stage, st.Width.Channels, st.Channels)
			}
		}
		for i := range g.Ops {
			op := &g.Ops[i]
			if op.Kind != OpSplit {
				continue
			}
			st := byStage[op.Stage]
			if st.Split == nil || st.Split.Channels != g.Out(op, 1).C || g.In(op, 0).C != st.Channels {
				t.Errorf("%+v %s: split %+v of %d, graph %d of %d", s, op.ID, st.Split, st.Channels, g.Out(op, 1).C, g.In(op, 0).C)
			}
		}
	}
	if built < len(specs)*3/4 {
		t.Errorf("only %d of %d designs built", built, len(specs))
	}
}
