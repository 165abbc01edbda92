package arch

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestShuffleNetV2Channels: paper Table 5 columns at the four published
// widths, and a monotone rule in between.
func TestShuffleNetV2Channels(t *testing.T) {
	for w, want := range map[float64][5]int{
		0.5: {24, 48, 96, 192, 1024},
		1.0: {24, 116, 232, 464, 1024},
		1.5: {24, 176, 352, 704, 1024},
		2.0: {24, 244, 488, 976, 2048},
	} {
		if got := ShuffleNetV2Channels(w, 2); got != want {
			t.Errorf("width %g: %v, want %v (paper Table 5)", w, got, want)
		}
	}
	prev := ShuffleNetV2Channels(MinWidth, 2)
	for w := MinWidth; w <= MaxWidth; w += 0.01 {
		got := ShuffleNetV2Channels(w, 2)
		for i := range got {
			if got[i] < prev[i] {
				t.Fatalf("not monotone at width %.2f: %v after %v", w, got, prev)
			}
		}
		prev = got
	}
}

// TestShuffleNetV1Channels: Megvii's ShuffleNet v1 widths (stem, stages
// 2-4) for g=3 and g=8 at 0.5/1.0/1.5/2.0x (paper.md 11.1, [MG] V1 code).
// Every width in MinWidth..MaxWidth at g=4 and g=8 builds: the stem is a
// multiple of g, so stage 2 widens it by a multiple of g (g=8 below 0.75x
// was refused for every width with a stem of 12).
func TestShuffleNetV1Channels(t *testing.T) {
	for _, tc := range []struct {
		w    float64
		g    int
		want [4]int
	}{
		{0.5, 3, [4]int{12, 120, 240, 480}}, {1, 3, [4]int{24, 240, 480, 960}},
		{1.5, 3, [4]int{24, 360, 720, 1440}}, {2, 3, [4]int{48, 480, 960, 1920}},
		{0.5, 8, [4]int{16, 192, 384, 768}}, {1, 8, [4]int{24, 384, 768, 1536}},
		{1.5, 8, [4]int{24, 576, 1152, 2304}}, {2, 8, [4]int{48, 768, 1536, 3072}},
	} {
		if got := ShuffleNetV1Channels(tc.w, tc.g); got != tc.want {
			t.Errorf("%gx g=%d: %v, want %v (Megvii)", tc.w, tc.g, got, tc.want)
		}
	}
	for _, g := range []int{4, 8} {
		for i := int(MinWidth * 100); i <= int(MaxWidth*100); i += 3 {
			w := float64(i) / 100
			if _, err := Build(Spec{Family: ShuffleNetV1, Groups: g, Width: w, Res: 32}); err != nil {
				t.Errorf("g=%d width %g: %v", g, w, err)
			}
		}
	}
}

// TestNarrowWidthNamesWidth: a width whose derived channels break the
// family's channel rule is refused as the width, with the widths that
// build. Thresholds derived from the rounding rules: ShuffleNet v1 g=1
// needs stage 2 >= 16 > stem 12, 144w/4 + 0.5 >= 4, w >= 0.0972; g=2
// needs >= 16, 200w/8 + 0.5 >= 2, w >= 0.06; the megvii layout needs
// stage 2 >= 28 > stem 24, 96w/4 + 0.5 >= 7, w >= 0.2708 (Table 5's 48
// channels at 0.5x, scaled). Explicit channels keep blaming channels.
func TestNarrowWidthNamesWidth(t *testing.T) {
	for _, tc := range []struct {
		spec      Spec
		min       float64
		wantValid string
	}{
		{Spec{Family: ShuffleNetV1, Groups: 1}, 0.098, "0.098..16 for ShuffleNet v1 groups 1"},
		{Spec{Family: ShuffleNetV1, Groups: 2}, 0.06, "0.06..16 for ShuffleNet v1 groups 2"},
		{Spec{Layout: LayoutMegvii}, 0.271, "0.271..16 in layout megvii"},
	} {
		below, at := tc.spec, tc.spec
		below.Width, at.Width = tc.min-0.001, tc.min
		_, err := Build(below)
		ke := knobError(t, fmt.Sprint(below), err)
		if ke.Knob != "width" || ke.Valid != tc.wantValid {
			t.Errorf("%s: knob %q valid %q, want width %q", below, ke.Knob, ke.Valid, tc.wantValid)
		}
		if _, err := Build(at); err != nil {
			t.Errorf("%s: %v, want it to build (the range's lower end)", at, err)
		}
	}
	_, err := Build(Spec{Layout: LayoutMegvii, Channels: []int{24, 20, 40, 80, 1024}})
	if ke := knobError(t, "megvii channels", err); ke.Knob != "channels" {
		t.Errorf("explicit megvii channels: knob %q, want channels", ke.Knob)
	}
}

// TestRiffleEqualsTorchvisionShuffle: at equal halves the two-branch riffle
// is torchvision's channel_shuffle(x, 2): view (2, c/2), transpose, flatten.
func TestRiffleEqualsTorchvisionShuffle(t *testing.T) {
	for _, c := range []int{2, 4, 48, 116, 232} {
		r, gs := RifflePerm(c/2, c/2), GroupShufflePerm(c, 2)
		for i := range r {
			if r[i] != gs[i] {
				t.Fatalf("c=%d: riffle %v != shuffle %v", c, r[:8], gs[:8])
			}
		}
	}
	// Hand-written case: torchvision channel_shuffle of 6 channels, 3 groups
	// gives [0,2,4,1,3,5]; of 6 channels, 2 groups gives [0,3,1,4,2,5].
	if got := GroupShufflePerm(6, 3); strconv.Quote(intList(got)) != strconv.Quote("0,2,4,1,3,5") {
		t.Errorf("GroupShufflePerm(6,3) = %v", got)
	}
	if got := GroupShufflePerm(6, 2); intList(got) != "0,3,1,4,2,5" {
		t.Errorf("GroupShufflePerm(6,2) = %v", got)
	}
	if got := RifflePerm(2, 4); intList(got) != "0,2,1,3,4,5" {
		t.Errorf("RifflePerm(2,4) = %v", got)
	}
	if got := EvenOddPerm(6); intList(got) != "0,2,4,1,3,5" {
		t.Errorf("EvenOddPerm(6) = %v", got)
	}
}

// TestTorchvisionModuleNames: op IDs follow torchvision's state_dict names.
func TestTorchvisionModuleNames(t *testing.T) {
	g, err := Build(Spec{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"conv1.0", "conv1.1", "maxpool", "stage2.0.branch1.0", "stage2.0.branch1.2", "stage2.0.branch2.0",
		"stage2.0.branch2.3", "stage2.0.branch2.5", "stage2.1.split", "stage3.7.branch2.6", "stage4.3.shuffle", "conv5.0", "fc"} {
		if g.OpByID(id) == nil {
			t.Errorf("no op %s", id)
		}
	}
	if op := g.OpByID("stage2.0.branch1.0"); op.Conv.Groups != 24 || op.Conv.Stride != 2 {
		t.Errorf("stage2.0.branch1.0 = %+v, want depthwise stride 2 over 24 channels", op.Conv)
	}
	if s := g.Tensors[g.Output].Shape; s != (Shape{1, 1000, 1, 1}) {
		t.Errorf("output %s", s)
	}
	if n := len(g.Units()); n != 16 {
		t.Errorf("%d units, want 4+8+4", n)
	}
}

// TestInvalidKnobs: every invalid knob gives a *KnobError naming the knob.
func TestInvalidKnobs(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		knob string
	}{
		{"width zero", Spec{Width: -1}, "width"},
		{"width absurd", Spec{Width: 1000}, "width"},
		{"split 0", Spec{Split: -0.1}, "split"},
		{"split 1", Spec{Split: 1}, "split"},
		{"split leaves empty branch", Spec{Width: 0.05, Split: 0.95}, "split"},
		{"groups do not divide", Spec{Groups: 7, Channels: []int{24, 116, 232, 464, 1024}}, "groups"},
		{"groups zero", Spec{Groups: -2}, "groups"},
		{"depth zero", Spec{Depths: []int{4, 0, 4}}, "depths"},
		{"two depths", Spec{Depths: []int{4, 8}}, "depths"},
		{"input too small", Spec{Res: 16}, "res"},
		{"input too small for strides", Spec{Family: MobileNetV2, Res: 31}, "res"},
		{"batch zero", Spec{Batch: -1}, "batch"},
		{"unknown family", Spec{Family: "resnet"}, "family"},
		{"unknown layout", Spec{Layout: "caffe"}, "layout"},
		{"megvii split", Spec{Layout: LayoutMegvii, Split: 0.3}, "split"},
		{"v1 groups", Spec{Family: ShuffleNetV1, Groups: 5}, "groups"},
		{"channels count", Spec{Channels: []int{24, 116}}, "channels"},
		{"g2 groups", Spec{Family: GuideG2, C: 100, Groups: 8}, "groups"},
		{"g3 fragments", Spec{Family: GuideG3, Fragments: 3}, "fragments"},
		{"classes", Spec{Classes: -5}, "classes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.spec)
			var ke *KnobError
			if !errors.As(err, &ke) {
				t.Fatalf("err = %v, want a *KnobError", err)
			}
			if ke.Knob != tt.knob || !strings.Contains(err.Error(), tt.knob) || ke.Valid == "" {
				t.Errorf("err = %q (knob %q), want knob %q with a valid range", err, ke.Knob, tt.knob)
			}
		})
	}
}

// TestSetParsesKnobs: text as typed on the command line.
func TestSetParsesKnobs(t *testing.T) {
	var s Spec
	for knob, text := range map[string]string{"width": "1.5", "split": "0.3", "groups": "2", "depths": "2, 4,2",
		"res": "224x160", "batch": "8", "family": "ShuffleNetV2", "layout": "torchvision"} {
		if err := s.Set(knob, text); err != nil {
			t.Fatalf("Set(%s, %s): %v", knob, text, err)
		}
	}
	if s.Width != 1.5 || s.Split != 0.3 || s.Groups != 2 || intList(s.Depths) != "2,4,2" || s.Res != 224 || s.ResW != 160 || s.Batch != 8 || s.Family != ShuffleNetV2 {
		t.Fatalf("spec %+v", s)
	}
	if _, err := Build(s); err != nil {
		t.Fatal(err)
	}
	for knob, text := range map[string]string{"width": "wide", "depths": "4;8", "res": "big", "batch": "1.5", "nope": "1"} {
		var ke *KnobError
		if err := s.Set(knob, text); !errors.As(err, &ke) {
			t.Errorf("Set(%s, %q) = %v, want a KnobError", knob, text, err)
		}
	}
	// Text that is not a number says the knob's range (the ranges of explorer cost -h), not just "a number".
	for knob, valid := range map[string]string{"width": "0.05..16", "batch": "1..4096", "groups": "1..64", "classes": "1..100000", "c1": "1..65536", "blocks": "1..100"} {
		var ke *KnobError
		if err := s.Set(knob, "x"); !errors.As(err, &ke) || ke.Valid != valid {
			t.Errorf("Set(%s, \"x\") = %v, want the range %s", knob, err, valid)
		}
	}
	// Decimal notation only, as for the integer knobs (audit: Go's literal
	// forms passed, so the typo 1_0 was the 10x design and 0x1p-2 0.25x).
	for _, tc := range []struct {
		text string
		want float64 // 0: refused
	}{
		{"1_0", 0}, {"0x1p-2", 0}, {"1e", 0}, {"1.2.3", 0}, {".", 0}, {"NaN", 0}, {"Inf", 0}, {"-", 0},
		{"1.5", 1.5}, {".5", 0.5}, {"16.", 16}, {"1e0", 1}, {"+0.25", 0.25}, {"2.5E-1", 0.25},
	} {
		var w Spec
		err := w.Set("width", tc.text)
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("Set(width, %q) accepted as %g", tc.text, w.Width)
		case tc.want != 0 && (err != nil || w.Width != tc.want):
			t.Errorf("Set(width, %q) = %g, %v; want %g", tc.text, w.Width, err, tc.want)
		}
	}
}

// randomSpec draws knobs from (and a little beyond) their valid ranges.
func randomSpec(r *rand.Rand) Spec {
	fams := Families()
	s := Spec{Family: fams[r.Intn(len(fams))]}
	s.Width = []float64{0.05, 0.1, 0.25, 0.33, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 3, r.Float64() * 3}[r.Intn(13)]
	if s.Family.IsGuideline() && r.Intn(10) > 0 {
		s.Width = 1 // the micro-networks reject a width multiplier; try it now and then
	}
	if s.Family == ShuffleNetV2 {
		s.Split = 0.02 + 0.96*r.Float64()
		if r.Intn(4) == 0 {
			s.Layout = LayoutMegvii
			s.Split = 0.5
		}
	}
	s.Groups = []int{1, 1, 2, 3, 4, 8}[r.Intn(6)]
	if s.Family != ShuffleNetV2 && s.Family != ShuffleNetV1 && s.Family != GuideG2 && r.Intn(10) > 0 {
		s.Groups = 1 // other families reject groups; try it now and then
	}
	if s.Family == ShuffleNetV2 || s.Family == ShuffleNetV1 {
		s.Depths = []int{1 + r.Intn(5), 1 + r.Intn(9), 1 + r.Intn(5)}
	}
	if !s.Family.IsGuideline() {
		s.Res = 32 + r.Intn(200)
		s.ResW = 32 + r.Intn(200)
	} else {
		s.Res = 1 + r.Intn(40)
		switch s.Family {
		case GuideG1:
			s.C1, s.C2 = 1+r.Intn(64), 1+r.Intn(64)
		case GuideG3:
			s.C, s.Fragments, s.Parallel = 4+r.Intn(64), []int{1, 2, 4}[r.Intn(3)], r.Intn(2) == 0
		case GuideG4:
			s.C, s.NoReLU, s.NoShortcut = 4+r.Intn(64), r.Intn(2) == 0, r.Intn(2) == 0
		default:
			s.C = 4 + r.Intn(64)
		}
		s.Blocks = 1 + r.Intn(12)
	}
	s.Batch = 1 + r.Intn(3)
	if !s.Family.IsGuideline() {
		s.Classes = 1 + r.Intn(1000)
	}
	if r.Intn(20) == 0 { // now and then a knob the family does not take: refused
		s.C1 = 8
	}
	return s
}

// TestRandomSpecs: any design a user can type builds a graph whose shapes
// check, or fails with a KnobError (issue 2 property test).
func TestRandomSpecs(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	built := 0
	for i := 0; i < 3000; i++ {
		s := randomSpec(r)
		g, err := Build(s)
		if err != nil {
			var ke *KnobError
			if !errors.As(err, &ke) {
				t.Fatalf("%+v: error %v is not a KnobError", s, err)
			}
			continue
		}
		built++
		if err := g.Check(); err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
	}
	if built < 1500 {
		t.Errorf("only %d of 3000 random designs built", built)
	}
}

// FuzzSpec: any text for any knob never panics; an accepted design builds a
// consistent graph.
func FuzzSpec(f *testing.F) {
	f.Add("shufflenetv2", "1.0", "0.5", "1", "4,8,4", "224", "1", "")
	f.Add("shufflenetv2", "0.05", "0.99", "8", "1,1,1", "32x33", "3", "megvii")
	f.Add("shufflenetv1", "2", "0", "8", "2,2,2", "64", "1", "")
	f.Add("mobilenetv2", "0.35", "", "", "", "31", "2", "")
	f.Add("g3", "1", "", "", "", "1", "1", "")
	f.Add("shufflenetv2", "NaN", "-0", "0", ",", "0x0", "-1", "x")
	f.Fuzz(func(t *testing.T, family, width, split, groups, depths, res, batch, layout string) {
		var s Spec
		for knob, text := range map[string]string{"family": family, "width": width, "split": split, "groups": groups,
			"depths": depths, "res": res, "batch": batch, "layout": layout} {
			if text == "" {
				continue
			}
			if err := s.Set(knob, text); err != nil {
				return
			}
		}
		// Keep the fuzzer away from legal but huge designs (width 16 at 8192px).
		if s.Res > 512 || s.ResW > 512 || s.Width > 4 {
			return
		}
		g, err := Build(s)
		if err != nil {
			var ke *KnobError
			if !errors.As(err, &ke) {
				t.Fatalf("error %v is not a KnobError", err)
			}
			return
		}
		if err := g.Check(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestExtremeSpecsStayCountable is the property test of issue 15 over the
// ends of every documented knob range: each design builds with a Work
// within MaxWork (so no count derived from it can wrap) or is refused with
// a *KnobError; designs too large to count name a knob of the design.
func TestExtremeSpecsStayCountable(t *testing.T) {
	specs := ExtremeSpecs()
	built, tooLarge := 0, 0
	for _, s := range specs {
		g, err := Build(s)
		if err != nil {
			var ke *KnobError
			if !errors.As(err, &ke) {
				t.Fatalf("%+v: error %v is not a KnobError", s, err)
			}
			if strings.Contains(ke.Why, "2^56") {
				tooLarge++
				if !slices.Contains(Knobs(), ke.Knob) {
					t.Errorf("%+v: overflow error names %q, not a knob", s, ke.Knob)
				}
			}
			continue
		}
		built++
		if w := g.Work(); w <= 0 || w > MaxWork {
			t.Errorf("%s: built with Work %d (limit %d)", s, w, MaxWork)
		}
	}
	t.Logf("%d extreme designs: %d built, %d refused as too large to count", len(specs), built, tooLarge)
	if built < len(specs)/4 || tooLarge == 0 {
		t.Errorf("%d of %d built, %d too large: the extremes do not exercise both sides of the bound", built, len(specs), tooLarge)
	}
}

// TestOverflowNamesKnob: the designs of issue 15 reproductions 1 and 4
// (every knob inside its documented range, counts past int64) are refused
// with the knob to reduce and its largest valid value; that value builds
// and one more does not.
func TestOverflowNamesKnob(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		knob string
	}{
		// Reproductions 1 and 4: even batch 1 does not fit at 8192 px.
		{Spec{Family: GuideG4, C: 16384, Blocks: 100, Batch: 4096, Res: 8192}, "res"},
		{Spec{Family: GuideG1, C1: 65536, C2: 65536, Res: 8192, Batch: 4096}, "res"},
		{Spec{Family: GuideG2, C: 65536, Groups: 64, Res: 8192, Batch: 4096, Blocks: 100}, "res"},
		{Spec{Family: GuideG1, C1: 65536, C2: 65536, Res: 1024, Batch: 1, Blocks: 100}, "blocks"},
		{Spec{Family: GuideG1, C1: 4096, C2: 4096, Res: 1024, Batch: 4096, Blocks: 1}, "batch"},
		{Spec{Family: ShuffleNetV2, Width: 16, Res: 8192, Batch: 4096, Depths: []int{64, 64, 64}}, "batch"},
	} {
		_, err := Build(tc.spec)
		var ke *KnobError
		if !errors.As(err, &ke) || ke.Knob != tc.knob || !strings.Contains(ke.Why, "2^56") {
			t.Errorf("%s: Build = %v, want a KnobError naming %s", tc.spec, err, tc.knob)
			continue
		}
		lo, hi, ok := strings.Cut(strings.Fields(ke.Valid)[0], "..")
		v, err := strconv.Atoi(hi)
		if !ok || lo == "" || err != nil {
			t.Errorf("%s: valid range %q, want min..max", tc.spec, ke.Valid)
			continue
		}
		k := workKnobs(tc.spec.Normalize())
		for _, wk := range k {
			if wk.name != tc.knob {
				continue
			}
			s := tc.spec.Normalize()
			wk.set(&s, v)
			if _, err := Build(s); err != nil {
				t.Errorf("%s at its largest valid %s %d: %v", tc.spec, tc.knob, v, err)
			}
			wk.set(&s, v+1)
			if _, err := Build(s); err == nil {
				t.Errorf("%s at %s %d (one past the largest valid) built", tc.spec, tc.knob, v+1)
			}
		}
	}
}

// TestEmptyKnobRefused: an empty value is refused for every knob, the same
// way an empty --width was (issue 15: empty --depths, --channels, --layout
// and --family silently meant the default).
func TestEmptyKnobRefused(t *testing.T) {
	for _, k := range Knobs() {
		var s Spec
		err := s.Set(k, " ")
		var ke *KnobError
		if !errors.As(err, &ke) || ke.Knob != k || ke.Valid == "" {
			t.Errorf("Set(%q, empty) = %v, want a KnobError naming %s with its valid values", k, err, k)
		}
	}
}

// TestSplitRefusedAtBothEnds: a split ratio that rounds the conv branch to
// nothing is refused like one that leaves the identity branch empty (issue
// 15: --split 1e-9 was clamped silently, --split 0.999 refused).
func TestSplitRefusedAtBothEnds(t *testing.T) {
	for _, r := range []float64{1e-9, 0.001, 0.999} {
		_, err := Build(Spec{Split: r})
		var ke *KnobError
		if !errors.As(err, &ke) || ke.Knob != "split" || !strings.Contains(ke.Why, "0 channels") {
			t.Errorf("split %g: %v, want a KnobError naming split and the empty branch", r, err)
		}
	}
	if _, err := Build(Spec{Split: 0.02}); err != nil { // 0.02 x 116 = 2.3: 2 channels
		t.Errorf("split 0.02: %v", err)
	}
}

// TestForeignKnobsRefused: a knob the family does not take is refused,
// never ignored (issue 15: --c1/--c2 on a ShuffleNet were ignored).
func TestForeignKnobsRefused(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		knob string
	}{
		{Spec{Family: ShuffleNetV2, C1: 64}, "c1"},
		{Spec{Family: MobileNetV2, C2: 64}, "c2"},
		{Spec{Family: GuideG1, C: 64}, "c"},
		{Spec{Family: GuideG2, Fragments: 2}, "fragments"},
		{Spec{Family: GuideG4, Parallel: true}, "parallel"},
		{Spec{Family: GuideG3, NoReLU: true}, "no_relu"},
		{Spec{Family: ShuffleNetV1, Blocks: 3}, "blocks"},
		{Spec{Family: GuideG2, Classes: 10}, "classes"},
	} {
		_, err := Build(tc.spec)
		var ke *KnobError
		if !errors.As(err, &ke) || ke.Knob != tc.knob {
			t.Errorf("%+v: %v, want a KnobError naming %s", tc.spec, err, tc.knob)
		}
	}
}

// TestStringNamesEveryKnobThatChangesTheNetwork: designs that differ only in
// classes (a network's classifier) or blocks (a micro-network's depth) have
// different names; a history or gap chart keyed by name merged them (the
// 256-class 1x run was shown as the 1000-class one).
func TestStringNamesEveryKnobThatChangesTheNetwork(t *testing.T) {
	for _, tc := range []struct {
		s    Spec
		want string
	}{
		{Spec{Family: ShuffleNetV2}, "shufflenetv2 1x"},
		{Spec{Family: ShuffleNetV2, Classes: 1000}, "shufflenetv2 1x"},
		{Spec{Family: ShuffleNetV2, Classes: 256}, "shufflenetv2 1x classes=256"},
		{Spec{Family: MobileNetV2, Width: 0.5, Classes: 10, Batch: 8}, "mobilenetv2 0.5x classes=10 batch=8"},
		{Spec{Family: GuideG4, C: 128}, "g4 c=128 relu=true shortcut=true"},
		{Spec{Family: GuideG4, C: 128, Blocks: 10}, "g4 c=128 relu=true shortcut=true"},
		{Spec{Family: GuideG4, C: 128, Blocks: 3}, "g4 c=128 relu=true shortcut=true blocks=3"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestKnobErrorText: an empty value is shown quoted, and a list knob's parse
// error gives that knob's own example (channels said "e.g. 4,8,4", the
// depths example, which then failed as 3 values).
func TestKnobErrorText(t *testing.T) {
	if got := (&KnobError{Knob: "mode", Value: "", Valid: "eager|fused"}).Error(); got != `invalid mode "" (valid: eager|fused)` {
		t.Errorf("empty value: %q", got)
	}
	var s Spec
	err := s.Set("channels", "a,b,c,d,e")
	if err == nil || !strings.Contains(err.Error(), "e.g. 24,116,232,464,1024") {
		t.Errorf("channels parse error: %v", err)
	}
	if err := s.Set("depths", "4,x,4"); err == nil || !strings.Contains(err.Error(), "e.g. 4,8,4") {
		t.Errorf("depths parse error: %v", err)
	}
}

// TestSpecKey: specs that normalise to the same design share a key (a
// knob left at 0 is its default); any knob that changes the graph changes
// it, classes included.
func TestSpecKey(t *testing.T) {
	base := Spec{Family: ShuffleNetV2}
	for _, tc := range []struct {
		s    Spec
		same bool
	}{
		{Spec{Family: ShuffleNetV2, Width: 1, Split: 0.5, Depths: []int{4, 8, 4}, Res: 224, Batch: 1, Classes: 1000}, true},
		{Spec{Family: ShuffleNetV2, Classes: 256}, false},
		{Spec{Family: ShuffleNetV2, Res: 224, ResW: 192}, false},
		{Spec{Family: ShuffleNetV2, Layout: LayoutMegvii}, false},
		{Spec{Family: MobileNetV2}, false},
	} {
		if got := tc.s.Key() == base.Key(); got != tc.same {
			t.Errorf("%+v: same key %v, want %v", tc.s, got, tc.same)
		}
	}
	// Knobs another family tolerates at ShuffleNetV2's defaults change
	// nothing, so they do not change the key (re-audit: --split 0.5 on
	// ShuffleNet v1 was a second design in a sweep).
	for _, tc := range []struct {
		s    Spec
		same bool
	}{
		{Spec{Family: ShuffleNetV1, Split: 0.5}, true},
		{Spec{Family: ShuffleNetV1, Layout: LayoutTorchvision}, true},
		{Spec{Family: MobileNetV2, Split: 0.5, Layout: "Torchvision"}, true},
		{Spec{Family: GuideG1, Split: 0.5}, true},
		{Spec{Family: ShuffleNetV1, Groups: 8}, false},
		// One G3 fragment is one network in series or in parallel (audit:
		// "1-fragment-parallel" was a second design of the same ops).
		{Spec{Family: GuideG3, Fragments: 1, Parallel: true}, true},
		{Spec{Family: GuideG3, Parallel: true}, true},
	} {
		plain := Spec{Family: tc.s.Family}
		if got := tc.s.Key() == plain.Key(); got != tc.same {
			t.Errorf("%+v: same key %v, want %v", tc.s, got, tc.same)
		}
		if got := tc.s.String() == plain.String(); got != tc.same {
			t.Errorf("%+v: name %q, plain %q, same %v, want %v", tc.s, tc.s.String(), plain.String(), got, tc.same)
		}
	}
}

// TestResRange: the input range a family reports is the one validation
// checks, at both ends, and the one its message says.
func TestResRange(t *testing.T) {
	for _, f := range Families() {
		lo, hi := f.ResRange()
		want := fmt.Sprintf("%d..%d", lo, hi)
		for _, res := range []int{lo, hi} {
			s := Spec{Family: f, Res: res, ResW: res}.Normalize()
			if err := s.Validate(); err != nil {
				var ke *KnobError
				if errors.As(err, &ke) && (ke.Knob == "res" || ke.Knob == "res_w") {
					t.Errorf("%s res %d: %v", f, res, err)
				}
			}
		}
		for _, res := range []int{lo - 1, hi + 1} {
			if res < 1 {
				continue // 0 is the family's default
			}
			s := Spec{Family: f, Res: res, ResW: res}.Normalize()
			var ke *KnobError
			if err := s.Validate(); !errors.As(err, &ke) || ke.Knob != "res" || ke.Valid != want {
				t.Errorf("%s res %d: got %v, want invalid res (valid: %s)", f, res, err, want)
			}
		}
	}
	if lo, _ := GuideG1.ResRange(); lo != MinMicroRes {
		t.Errorf("g1 starts at %d, want %d", lo, MinMicroRes)
	}
	if lo, _ := ShuffleNetV2.ResRange(); lo != MinRes {
		t.Errorf("shufflenetv2 starts at %d, want %d", lo, MinRes)
	}
}
