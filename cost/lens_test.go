package cost

import (
	"math"
	"reflect"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// lensesOf builds s and returns its lenses as the explorer computes them.
func lensesOf(t *testing.T, s arch.Spec) (Lenses, Report, Report) {
	t.Helper()
	g, err := arch.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	plan := arch.FusedPlan(g)
	w, f := Analyze(g, nil), Analyze(g, &plan)
	return LensesOf(g, &w, &f), w, f
}

// both is the same figure in both views (the fused plan keeps every conv,
// and where nothing fuses the MAC is the same too).
func both[T any](v T) *PerView[T] { return &PerView[T]{Written: v, Fused: v} }

// sameFloat compares figures to 1e-12 relative; NaN equals NaN.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

// sameFigures compares two lens structs field by field, floats by sameFloat.
func sameFigures(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	switch va.Kind() {
	case reflect.Float64:
		return sameFloat(va.Float(), vb.Float())
	case reflect.Struct:
		for i := range va.NumField() {
			if !sameFigures(va.Field(i).Interface(), vb.Field(i).Interface()) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// The G1 bound of a c1->c2 1x1 conv over P pixels with one group: B = P c1
// c2 MAdds, MAC = P(c1+c2) + c1c2, bound 2 sqrt(P B) + B/P (paper Eq. 1).
func g1Conv(p, c1, c2 int) G1Bound {
	b := float64(p * c1 * c2)
	mac := p*(c1+c2) + c1*c2
	bound := 2*math.Sqrt(float64(p)*b) + b/float64(p)
	return G1Bound{C1: c1, C2: c2, Groups: 1, MAC: int64(mac), Bound: bound, Ratio: float64(mac) / bound}
}

// TestLenses checks every figure of the guideline lenses against values
// derived by hand from the channel counts of small designs. A nil
// expectation is not checked.
func TestLenses(t *testing.T) {
	// ShuffleNetV2 0.5x (channels 24, 48, 96, 192, 1024) with 1, 2, 1
	// units at 32x32: the stem's stride-2 conv and max pooling leave 8x8,
	// so stage 2 runs at 8x8 -> 4x4, stage 3 at 4x4 -> 2x2, stage 4 at
	// 2x2 -> 1x1, and conv5 (192 -> 1024) at 1x1. Its stride-1 1x1 convs
	// (c1:c2, P pixels, MAC = P(c1+c2) + c1c2):
	//   stage2.0 branch1.2 24:24 P=16: 1344, branch2.0 24:24 P=64 (before
	//     the stride-2 depthwise conv): 3648, branch2.5 24:24 P=16: 1344
	//   stage3.0 branch1.2 48:48 P=4: 2688, branch2.0 P=16: 3840, branch2.5 P=4: 2688
	//   stage3.1 (stride 1, 48 of 96 channels) branch2.0 and branch2.5 P=4: 2688 each
	//   stage4.0 branch1.2 96:96 P=1: 9408, branch2.0 P=4: 9984, branch2.5 P=1: 9408
	//   conv5.0 192:1024 P=1: 1216 + 196608 = 197824
	// 12 convs, MAC 49728 + 197824 = 247552. A c:c conv meets its bound
	// exactly (2 sqrt(P P c^2) + c^2 = 2Pc + c^2), so only conv5 is above
	// it: the bounds sum to 49728 + 2 sqrt(196608) + 196608, conv5 is the
	// worst, and c1:c2 ranges from 1:1 to 1:1024/192.
	conv5 := g1Conv(1, 192, 1024)
	snv2Bound := 49728 + conv5.Bound
	snv2G1 := G1Lens{Convs: 12, MinChannelRatio: 1, MaxChannelRatio: 1024.0 / 192, MAC: 247552, Bound: snv2Bound,
		AboveBound: 247552/snv2Bound - 1, Worst: conv5, WorstID: "conv5.0"}

	// G1 micro-network 4:16, two blocks at 8x8 (P = 64): each of the four
	// convs (4->16, 16->4) has B = 64*4*16 = 4096 MAdds, MAC = 64*20 + 64 =
	// 1344 and bound 2 sqrt(64*4096) + 4096/64 = 1088 (ratio 21/17).
	g1Bound := g1Conv(64, 4, 16)

	// G4 bottleneck, 16 channels at 4x4 (16 pixels), one block: conv1
	// 16->4 (1x1), bn1, relu1, conv2 4->4 (3x3), bn2, relu2, conv3 4->16
	// (1x1), bn3, add (shortcut), relu3. MAC as written:
	//   conv1 256+64+64 = 384, conv2 64+64+144 = 272, conv3 64+256+64 = 384
	//   bn1, bn2 64+64+8 = 136 each, relu1, relu2 128 each, bn3 256+256+32 =
	//   544, add 256+256+256 = 768, relu3 512
	// total 3392, of it element-wise 2352. Fused: conv1+bn1+relu1 reads 256,
	// writes 64, weights 64 + folded bias 4 = 388; conv2+bn2+relu2 64+64+144+4
	// = 276; conv3+bn3+add+relu3 reads 64 and the shortcut 256, writes 256,
	// weights 64 + bias 16 = 656: 1320 in 3 launches, none element-wise.
	// The 1x1 convs have B = 16*16*4 = 1024, MAC 384 and bound 2 sqrt(16*1024)
	// + 1024/16 = 320 (ratio 1.2). Aux FLOPs: BN 2 per element (64+64+256)*2
	// = 768, ReLU 64+64+256 = 384, add 256: 1408.
	g4Conv1 := G1Bound{C1: 16, C2: 4, Groups: 1, MAC: 384, Bound: 320, Ratio: 1.2}

	tests := []struct {
		name string
		spec arch.Spec
		g1   *PerView[G1Lens]
		g2   *PerView[G2Lens]
		g3   *G3Lens
		g4   *G4Lens
	}{
		{
			name: "shufflenetv2 0.5x 1,2,1 at 32",
			spec: arch.Spec{Width: 0.5, Depths: []int{1, 2, 1}, Res: 32, Classes: 10},
			g1:   both(snv2G1),
			// 4 units; stage2.0, stage3.0 and stage4.0 (stride 2) concat
			// branch1 and branch2 (2 + 3 convs): 2 parallel conv branches
			// each; stage3.1 concats the passthrough half (no conv) with
			// branch2 (3 convs): 1. 7 branches and 18 convs. Launches as written: stem 4
			// (conv, BN, ReLU, max pool), a stride-2 unit 15 (5 + 8 ops,
			// concat, shuffle), the stride-1 unit 11 (split, 8, concat,
			// shuffle), head 5 (conv, BN, ReLU, pooling, FC): 65. Fused: 20
			// convs, max pool, global pool, FC, and the stride-1 unit's
			// concat, which copies the passthrough half: 24.
			g3: &G3Lens{Units: 4, ConvBranches: 7, Convs: 18, BranchesPerUnit: 1.75, ConvsPerUnit: 4.5,
				LaunchesWritten: 65, LaunchesFused: 24},
		},
		{
			name: "g1 4:16 at 8x8, 2 blocks",
			spec: arch.Spec{Family: arch.GuideG1, C1: 4, C2: 16, Res: 8, Blocks: 2},
			// 4 convs, all 1:4; MAC 4*1344, bounds 4*1088; the first conv
			// is the worst (all tie).
			g1: both(G1Lens{Convs: 4, MinChannelRatio: 4, MaxChannelRatio: 4, MAC: 5376, Bound: 4352,
				AboveBound: 5376.0/4352 - 1, Worst: g1Bound, WorstID: "block0.conv1"}),
			// No group convs; dense 1x1 MAC per MAdd 5376 / (4*4096). No op
			// fuses (no BN, no ReLU), so the fused view is the same.
			g2: both(G2Lens{Groups: 1, GroupMACPerMAdd: math.NaN(), DenseMACPerMAdd: 5376.0 / 16384}),
			// 2 units (blocks) of 2 convs in series, no merge: 1 branch each.
			g3: &G3Lens{Units: 2, ConvBranches: 2, Convs: 4, BranchesPerUnit: 1, ConvsPerUnit: 2, LaunchesWritten: 4, LaunchesFused: 4},
			g4: &G4Lens{},
		},
		{
			name: "g2 16 channels g=4 at 8x8, 1 block",
			spec: arch.Spec{Family: arch.GuideG2, C: 16, Groups: 4, Res: 8, Blocks: 1},
			// One 16->16 conv with 4 groups over 64 pixels: B = 64*16*4 =
			// 4096 MAdds, MAC = 64*32 + 16*16/4 = 2112, bound 2 sqrt(4*64*4096)
			// + 4096/64 = 2112: at the bound.
			g1: both(G1Lens{Convs: 1, MinChannelRatio: 1, MaxChannelRatio: 1, MAC: 2112, Bound: 2112,
				Worst: G1Bound{C1: 16, C2: 16, Groups: 4, MAC: 2112, Bound: 2112, Ratio: 1}, WorstID: "block0.conv"}),
			// The group conv is the whole network: MAC per MAdd 2112/4096.
			g2: both(G2Lens{Groups: 4, MAddsShare: 1, MACShare: 1, GroupMACPerMAdd: 2112.0 / 4096, DenseMACPerMAdd: math.NaN()}),
			// One conv, no merge: 1 branch.
			g3: &G3Lens{Units: 1, ConvBranches: 1, Convs: 1, BranchesPerUnit: 1, ConvsPerUnit: 1, LaunchesWritten: 1, LaunchesFused: 1},
			g4: &G4Lens{},
		},
		{
			name: "g4 bottleneck 16 channels at 4x4, 1 block",
			spec: arch.Spec{Family: arch.GuideG4, C: 16, Res: 4, Blocks: 1},
			// conv1 16:4 and conv3 4:16, MAC 384 and bound 320 each.
			g1: both(G1Lens{Convs: 2, MinChannelRatio: 4, MaxChannelRatio: 4, MAC: 768, Bound: 640, AboveBound: 0.2,
				Worst: g4Conv1, WorstID: "block0.conv1"}),
			// Dense 1x1 convs: 2*1024 MAdds, MAC 768 as written, 388 + 656
			// fused.
			g2: &PerView[G2Lens]{
				Written: G2Lens{Groups: 1, GroupMACPerMAdd: math.NaN(), DenseMACPerMAdd: 768.0 / 2048},
				Fused:   G2Lens{Groups: 1, GroupMACPerMAdd: math.NaN(), DenseMACPerMAdd: 1044.0 / 2048},
			},
			// The add merges the 3-conv path with the identity shortcut
			// (no conv): 1 branch.
			g3: &G3Lens{Units: 1, ConvBranches: 1, Convs: 3, BranchesPerUnit: 1, ConvsPerUnit: 3, LaunchesWritten: 10, LaunchesFused: 3},
			g4: &G4Lens{MACShareWritten: 2352.0 / 3392, AuxFLOPs: 1408},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, w, f := lensesOf(t, tt.spec)
			check := func(what string, got, want any) {
				t.Helper()
				if !sameFigures(got, want) {
					t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
				}
			}
			if tt.g1 != nil {
				check("G1 as written", l.G1.Written, tt.g1.Written)
				check("G1 fused", l.G1.Fused, tt.g1.Fused)
			}
			if tt.g2 != nil {
				check("G2 as written", l.G2.Written, tt.g2.Written)
				check("G2 fused", l.G2.Fused, tt.g2.Fused)
			}
			if tt.g3 != nil {
				check("G3", l.G3, *tt.g3)
			}
			if tt.g4 != nil {
				check("G4", l.G4, *tt.g4)
			}
			// In picks the view of a report.
			check("G1.In(as written)", l.G1.In(w.View), l.G1.Written)
			check("G2.In(fused)", l.G2.In(f.View), l.G2.Fused)
		})
	}
}

// TestG1LensWithoutConvs: a design without stride-1 1x1 convs has an empty
// G1 lens (the pane says so instead of figures).
// TestG3ConvBranches: the parallel conv branches of every unit, derived
// by hand from the builders' structure (arch: a ShuffleNetV2 stride-2
// unit concats two conv branches, a stride-1 unit the passthrough half
// and one; v1 adds or concats one conv branch with the shortcut or an
// average pool; MobileNets and G1/G2 are chains; G3 adds k fragments read
// from the block input, or chains them; G4 adds the bottleneck to the
// identity), and the G3 lens's sums over them.
func TestG3ConvBranches(t *testing.T) {
	rep := func(n, v int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	for _, tc := range []struct {
		name string
		spec arch.Spec
		want []int // per unit
		sum  int
		per  float64
	}{
		// stage2.0 2, stage3.0 2, stage3.1 1, stage4.0 2.
		{"shufflenetv2 1,2,1", arch.Spec{Depths: []int{1, 2, 1}, Res: 32}, []int{2, 2, 1, 2}, 7, 1.75},
		{"shufflenetv2 megvii 1,2,1", arch.Spec{Layout: arch.LayoutMegvii, Depths: []int{1, 2, 1}, Res: 32}, []int{2, 2, 1, 2}, 7, 1.75},
		// 4,8,4: 3 stride-2 units of 2 and 13 stride-1 units of 1: 19/16.
		{"shufflenetv2 1.0x", arch.Spec{Res: 32}, append(append(append(append(append([]int{2}, rep(3, 1)...), 2), rep(7, 1)...), 2), rep(3, 1)...), 19, 19.0 / 16},
		{"shufflenetv2 g=2 split 0.7", arch.Spec{Groups: 2, Split: 0.7, Depths: []int{2, 1, 1}, Res: 32}, []int{2, 1, 2, 2}, 7, 1.75},
		{"shufflenetv1 g=3 1,2,1", arch.Spec{Family: arch.ShuffleNetV1, Groups: 3, Depths: []int{1, 2, 1}, Res: 32}, rep(4, 1), 4, 1},
		{"mobilenetv1", arch.Spec{Family: arch.MobileNetV1, Res: 32}, rep(13, 1), 13, 1},
		{"mobilenetv2", arch.Spec{Family: arch.MobileNetV2, Res: 32}, rep(17, 1), 17, 1},
		{"g1", arch.Spec{Family: arch.GuideG1, Res: 8, Blocks: 3}, rep(3, 1), 3, 1},
		{"g2", arch.Spec{Family: arch.GuideG2, Groups: 4, Res: 8, Blocks: 3}, rep(3, 1), 3, 1},
		{"g3 1 fragment", arch.Spec{Family: arch.GuideG3, Fragments: 1, Res: 8, Blocks: 3}, rep(3, 1), 3, 1},
		{"g3 2 in series", arch.Spec{Family: arch.GuideG3, Fragments: 2, Res: 8, Blocks: 3}, rep(3, 1), 3, 1},
		{"g3 4 in series", arch.Spec{Family: arch.GuideG3, Fragments: 4, Res: 8, Blocks: 3}, rep(3, 1), 3, 1},
		{"g3 1 fragment parallel", arch.Spec{Family: arch.GuideG3, Fragments: 1, Parallel: true, Res: 8, Blocks: 3}, rep(3, 1), 3, 1},
		{"g3 2 in parallel", arch.Spec{Family: arch.GuideG3, Fragments: 2, Parallel: true, Res: 8, Blocks: 3}, rep(3, 2), 6, 2},
		{"g3 4 in parallel", arch.Spec{Family: arch.GuideG3, Fragments: 4, Parallel: true, Res: 8, Blocks: 3}, rep(3, 4), 12, 4},
		{"g4", arch.Spec{Family: arch.GuideG4, Res: 8, Blocks: 2}, rep(2, 1), 2, 1},
		{"g4 no shortcut", arch.Spec{Family: arch.GuideG4, NoShortcut: true, Res: 8, Blocks: 2}, rep(2, 1), 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := arch.Build(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := unitConvBranches(g); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("per unit %v, want %v", got, tc.want)
			}
			l, _, _ := lensesOf(t, tc.spec)
			if l.G3.ConvBranches != tc.sum || !sameFloat(l.G3.BranchesPerUnit, tc.per) {
				t.Errorf("ConvBranches %d, per unit %g; want %d, %g", l.G3.ConvBranches, l.G3.BranchesPerUnit, tc.sum, tc.per)
			}
		})
	}
}

// TestG3ConvBranchesFork: hand-built units where a conv runs before the
// paths fork. conv -> split -> (relu | relu) -> concat: the conv is in
// series with both halves, so 1 branch; conv -> (conv | conv) -> add: each
// path has a conv of its own, so 2 (the shared conv is not a third).
func TestG3ConvBranchesFork(t *testing.T) {
	shape := arch.Shape{N: 1, C: 4, H: 2, W: 2}
	build := func(kinds ...arch.OpKind) *arch.Graph {
		// ops[0] reads the input; ops[1] and ops[2] read ops[0]'s two
		// outputs (or its one output twice); ops[3] merges them.
		g := &arch.Graph{}
		tensor := func(p int) arch.TensorID {
			id := arch.TensorID(len(g.Tensors))
			g.Tensors = append(g.Tensors, arch.Tensor{ID: id, Shape: shape, Producer: p})
			return id
		}
		in := tensor(-1)
		first := arch.Op{Index: 0, ID: "u.first", Kind: kinds[0], Unit: "u", Inputs: []arch.TensorID{in}}
		a, b := tensor(0), arch.TensorID(0)
		if kinds[0] == arch.OpSplit {
			b = tensor(0)
			first.Outputs = []arch.TensorID{a, b}
		} else {
			b = a
			first.Outputs = []arch.TensorID{a}
		}
		p1 := arch.Op{Index: 1, ID: "u.p1", Kind: kinds[1], Unit: "u", Inputs: []arch.TensorID{a}, Outputs: []arch.TensorID{tensor(1)}}
		p2 := arch.Op{Index: 2, ID: "u.p2", Kind: kinds[2], Unit: "u", Inputs: []arch.TensorID{b}, Outputs: []arch.TensorID{tensor(2)}}
		m := arch.Op{Index: 3, ID: "u.merge", Kind: kinds[3], Unit: "u", Inputs: []arch.TensorID{p1.Outputs[0], p2.Outputs[0]}, Outputs: []arch.TensorID{tensor(3)}}
		g.Ops = []arch.Op{first, p1, p2, m}
		return g
	}
	for _, tc := range []struct {
		name  string
		kinds []arch.OpKind
		want  int
	}{
		{"conv then split into two relus", []arch.OpKind{arch.OpConv, arch.OpReLU, arch.OpReLU, arch.OpConcat}, 1},
		{"conv then two convs", []arch.OpKind{arch.OpConv, arch.OpConv, arch.OpConv, arch.OpAdd}, 2},
		{"split into a conv and a passthrough", []arch.OpKind{arch.OpSplit, arch.OpConv, arch.OpReLU, arch.OpConcat}, 1},
		{"split into two convs", []arch.OpKind{arch.OpSplit, arch.OpConv, arch.OpConv, arch.OpConcat}, 2},
		{"no conv", []arch.OpKind{arch.OpSplit, arch.OpReLU, arch.OpReLU, arch.OpConcat}, 0},
	} {
		if got := unitConvBranches(build(tc.kinds...)); !reflect.DeepEqual(got, []int{tc.want}) {
			t.Errorf("%s: %v, want [%d]", tc.name, got, tc.want)
		}
	}
}

func TestG1LensWithoutConvs(t *testing.T) {
	// The G4 bottleneck's report less its 1x1 convs: the 3x3 conv, BN,
	// ReLU and the add.
	_, w, _ := lensesOf(t, arch.Spec{Family: arch.GuideG4, C: 16, Res: 4, Blocks: 1})
	var rep Report
	for _, r := range w.Rows {
		if r.G1 == nil {
			rep.Rows = append(rep.Rows, r)
		}
	}
	if got := G1LensOf(&rep); got != (G1Lens{}) {
		t.Errorf("G1LensOf without 1x1 convs = %+v, want zero", got)
	}
}

// TestG1Farthest: the 1x1 convs farthest above their bound first, ties in
// the report's order.
func TestG1Farthest(t *testing.T) {
	tests := []struct {
		name string
		spec arch.Spec
		ids  []string // the first len(ids) rows
		n    int      // rows in all
	}{
		// conv5 (192:1024) is the only conv above its bound (see TestLenses).
		{"shufflenetv2 0.5x 1,2,1", arch.Spec{Width: 0.5, Depths: []int{1, 2, 1}, Res: 32, Classes: 10}, []string{"conv5.0"}, 12},
		// Every conv of the G1 network has the same ratio: graph order.
		{"g1 4:16", arch.Spec{Family: arch.GuideG1, C1: 4, C2: 16, Res: 8, Blocks: 2},
			[]string{"block0.conv1", "block0.conv2", "block1.conv1", "block1.conv2"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, w, _ := lensesOf(t, tt.spec)
			rows := G1Farthest(&w)
			if len(rows) != tt.n {
				t.Fatalf("%d rows, want %d", len(rows), tt.n)
			}
			for i, id := range tt.ids {
				if rows[i].ID != id {
					t.Errorf("row %d is %s, want %s", i, rows[i].ID, id)
				}
			}
			for i := 1; i < len(rows); i++ {
				if rows[i].G1.Ratio > rows[i-1].G1.Ratio {
					t.Errorf("row %d (%s) is farther above its bound than row %d", i, rows[i].ID, i-1)
				}
			}
		})
	}
}

// TestChangePercent: 100 (now-old)/old, none from 0.
func TestChangePercent(t *testing.T) {
	tests := []struct {
		now, old int64
		pct      float64
		ok       bool
	}{
		{5, 5, 0, true},
		{125, 100, 25, true},          // +25 of 100
		{0, 5, -100, true},            // all gone
		{1, 3, -200.0 / 3, true},      // -2 of 3
		{5, 0, 0, false},              // new: no relative change
		{0, 0, 0, false},              // nothing before
		{146, 41, 10500.0 / 41, true}, // +105 of 41
	}
	for _, tt := range tests {
		pct, ok := ChangePercent(tt.now, tt.old)
		if ok != tt.ok || !sameFloat(pct, tt.pct) {
			t.Errorf("ChangePercent(%d, %d) = %g, %v; want %g, %v", tt.now, tt.old, pct, ok, tt.pct, tt.ok)
		}
	}
}
