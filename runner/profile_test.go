package runner

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

// smallGraph is a hand-made network of 8 ops on a 1x4x8x8 input:
//
//	stem:   c1 (1x1 conv 4->8), bn1, r1 (ReLU)
//	stage2: c2 (3x3 depthwise, 8 groups), bn2, add (r1 + bn2)
//	head:   pool (global average), fc (8->10)
//
// MAdds (cost package rule): c1 8*8*8*4 = 2048, c2 8*8*8*1*9 = 4608,
// fc 8*10 = 80; total 6736. Its fused plan is 4 steps:
// [c1 bn1 r1] [c2 bn2 add] [pool] [fc].
func smallGraph(t *testing.T) *arch.Graph {
	t.Helper()
	g := &arch.Graph{}
	tensor := func(s arch.Shape, producer int) arch.TensorID {
		id := arch.TensorID(len(g.Tensors))
		g.Tensors = append(g.Tensors, arch.Tensor{ID: id, Shape: s, Producer: producer})
		return id
	}
	feat := arch.Shape{N: 1, C: 8, H: 8, W: 8}
	op := func(id string, kind arch.OpKind, stage string, out arch.Shape, ins ...arch.TensorID) (*arch.Op, arch.TensorID) {
		i := len(g.Ops)
		for _, in := range ins {
			g.Tensors[in].Consumers = append(g.Tensors[in].Consumers, i)
		}
		o := tensor(out, i)
		g.Ops = append(g.Ops, arch.Op{Index: i, ID: id, Kind: kind, Stage: stage, Inputs: ins, Outputs: []arch.TensorID{o}})
		return &g.Ops[i], o
	}
	x := tensor(arch.Shape{N: 1, C: 4, H: 8, W: 8}, -1)
	g.Input = x
	c1, t1 := op("c1", arch.OpConv, "stem", feat, x)
	c1.Conv = arch.ConvAttr{KH: 1, KW: 1, Stride: 1, Groups: 1}
	bn1, t2 := op("bn1", arch.OpBatchNorm, "stem", feat, t1)
	bn1.Eps = 1e-5
	_, t3 := op("r1", arch.OpReLU, "stem", feat, t2)
	c2, t4 := op("c2", arch.OpConv, "stage2", feat, t3)
	c2.Conv = arch.ConvAttr{KH: 3, KW: 3, Stride: 1, Pad: 1, Groups: 8}
	_, t5 := op("bn2", arch.OpBatchNorm, "stage2", feat, t4)
	_, t6 := op("add", arch.OpAdd, "stage2", feat, t3, t5)
	_, t7 := op("pool", arch.OpGlobalAvgPool, "head", arch.Shape{N: 1, C: 8, H: 1, W: 1}, t6)
	fc, t8 := op("fc", arch.OpFC, "head", arch.Shape{N: 1, C: 10, H: 1, W: 1}, t7)
	fc.FCBias = true
	g.Output = t8
	if err := g.Check(); err != nil {
		t.Fatalf("hand-made graph: %v", err)
	}
	if p := arch.FusedPlan(g); len(p.Steps) != 4 {
		t.Fatalf("fused plan has %d steps, want 4: %+v", len(p.Steps), p.Steps)
	}
	return g
}

func eagerSteps() []StepTime {
	// 100+10+10+200+20+30+20+10 = 400 ns over the graph ops.
	return []StepTime{
		{Name: "c1", Ops: []string{"c1"}, Nanos: 100}, {Name: "bn1", Ops: []string{"bn1"}, Nanos: 10},
		{Name: "r1", Ops: []string{"r1"}, Nanos: 10}, {Name: "c2", Ops: []string{"c2"}, Nanos: 200},
		{Name: "bn2", Ops: []string{"bn2"}, Nanos: 20}, {Name: "add", Ops: []string{"add"}, Nanos: 30},
		{Name: "pool", Ops: []string{"pool"}, Nanos: 20}, {Name: "fc", Ops: []string{"fc"}, Nanos: 10},
	}
}

func fusedSteps() []StepTime {
	// 150+300+20+30 = 500 ns.
	return []StepTime{
		{Name: "c1", Ops: []string{"c1", "bn1", "r1"}, Nanos: 150},
		{Name: "c2", Ops: []string{"c2", "bn2", "add"}, Nanos: 300},
		{Name: "pool", Ops: []string{"pool"}, Nanos: 20},
		{Name: "fc", Ops: []string{"fc"}, Nanos: 30},
	}
}

type rowWant struct {
	nanos     int64
	steps     int
	covers    []string
	fusedInto string
}

func TestJoinProfile(t *testing.T) {
	g := smallGraph(t)
	plan := arch.FusedPlan(g)
	written, fused := cost.Analyze(g, nil), cost.Analyze(g, &plan)
	tests := []struct {
		name       string
		rep        cost.Report
		steps      []StepTime
		total      int64
		rows       map[string]rowWant
		cats       map[string]float64 // time share per category
		stages     map[string]float64 // time share per stage
		extra      int
		extraWhy   string
		extraStage string
		gflopsRow  string
		gflops     float64
	}{
		{
			name: "eager on as-written, plus a copy",
			rep:  written,
			// eager steps 400 ns plus a 100 ns extra copy: total 500.
			steps: append(eagerSteps(), StepTime{Name: "copy.out", Nanos: 100}),
			total: 500,
			rows: map[string]rowWant{
				"c1": {nanos: 100, steps: 1}, "bn1": {nanos: 10, steps: 1}, "add": {nanos: 30, steps: 1},
			},
			// conv1x1 100, depthwise 200, element-wise 10+10+20+30 = 70, pooling 20, fc 10, data movement = copy 100.
			cats: map[string]float64{"conv1x1": 0.2, "depthwise": 0.4, "element-wise": 0.14, "pooling": 0.04, "fc": 0.02, "data movement": 0.2, "conv kxk": 0},
			// stem 120, stage2 250, head 30 + the copy run after fc 100.
			stages: map[string]float64{"stem": 0.24, "stage2": 0.5, "head": 0.26},
			extra:  1, extraWhy: "covers no graph op", extraStage: "head",
			gflopsRow: "c1", gflops: 2 * 2048.0 / 100, // 2*MAdds/ns
		},
		{
			name:  "fused on as-written",
			rep:   written,
			steps: fusedSteps(),
			total: 500,
			rows: map[string]rowWant{
				"c1":  {nanos: 150, steps: 1, covers: []string{"c1", "bn1", "r1"}},
				"bn1": {fusedInto: "c1"}, "r1": {fusedInto: "c1"},
				"c2":  {nanos: 300, steps: 1, covers: []string{"c2", "bn2", "add"}},
				"add": {fusedInto: "c2"},
			},
			// the anchors' categories take the time: conv1x1 150, depthwise 300, pooling 20, fc 30.
			cats:      map[string]float64{"conv1x1": 0.3, "depthwise": 0.6, "element-wise": 0, "pooling": 0.04, "fc": 0.06, "data movement": 0},
			stages:    map[string]float64{"stem": 0.3, "stage2": 0.6, "head": 0.1},
			gflopsRow: "c2", gflops: 2 * 4608.0 / 300,
		},
		{
			name:  "fused on fused",
			rep:   fused,
			steps: fusedSteps(),
			total: 500,
			rows: map[string]rowWant{
				"c1": {nanos: 150, steps: 1, covers: []string{"c1", "bn1", "r1"}},
				"fc": {nanos: 30, steps: 1},
			},
			cats:   map[string]float64{"conv1x1": 0.3, "depthwise": 0.6, "element-wise": 0, "pooling": 0.04, "fc": 0.06},
			stages: map[string]float64{"stem": 0.3, "stage2": 0.6, "head": 0.1},
		},
		{
			name:  "eager on fused: steps add up in the fused row",
			rep:   fused,
			steps: eagerSteps(),
			total: 400,
			rows: map[string]rowWant{
				// c1 100 + bn1 10 + r1 10; c2 200 + bn2 20 + add 30.
				"c1": {nanos: 120, steps: 3, covers: []string{"c1", "bn1", "r1"}},
				"c2": {nanos: 250, steps: 3, covers: []string{"c2", "bn2", "add"}},
			},
			cats:   map[string]float64{"conv1x1": 0.3, "depthwise": 0.625, "element-wise": 0, "pooling": 0.05, "fc": 0.025},
			stages: map[string]float64{"stem": 0.3, "stage2": 0.625, "head": 0.075},
		},
		{
			name:  "unknown anchor is extra",
			rep:   written,
			steps: []StepTime{{Name: "c1", Ops: []string{"c1"}, Nanos: 30}, {Name: "ghost", Ops: []string{"nope", "c1"}, Nanos: 10}},
			total: 40,
			rows:  map[string]rowWant{"c1": {nanos: 30, steps: 1}},
			cats:  map[string]float64{"conv1x1": 0.75, "data movement": 0.25},
			// ghost ran after c1: its time is stem time.
			stages: map[string]float64{"stem": 1},
			extra:  1, extraWhy: `anchor op "nope" is not in the graph`, extraStage: "stem",
		},
		{
			name: "extra before any op takes the next stage",
			rep:  written,
			// input 50 ns before the first step c2 (stage2), then c2 150 ns: total 200.
			steps:  []StepTime{{Name: "input", Nanos: 50}, {Name: "c2", Ops: []string{"c2"}, Nanos: 150}},
			total:  200,
			rows:   map[string]rowWant{"c2": {nanos: 150, steps: 1}},
			cats:   map[string]float64{"depthwise": 0.75, "data movement": 0.25},
			stages: map[string]float64{"stage2": 1, "stem": 0},
			extra:  1, extraWhy: "covers no graph op", extraStage: "stage2",
		},
		{
			name:   "only extra work",
			rep:    written,
			steps:  []StepTime{{Name: "noop", Nanos: 10}},
			total:  10,
			cats:   map[string]float64{"data movement": 1},
			stages: map[string]float64{"extra": 1},
			extra:  1, extraWhy: "covers no graph op", extraStage: "extra",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := JoinProfile(tc.rep, g, tc.steps)
			if p.TotalNanos != tc.total || p.View != tc.rep.View || len(p.Rows) != len(tc.rep.Rows) {
				t.Fatalf("total %d view %s rows %d; want %d %s %d", p.TotalNanos, p.View, len(p.Rows), tc.total, tc.rep.View, len(tc.rep.Rows))
			}
			byID := map[string]ProfileRow{}
			var sum int64
			for _, r := range p.Rows {
				byID[r.ID] = r
				sum += r.Nanos
			}
			for id, w := range tc.rows {
				r, ok := byID[id]
				if !ok {
					t.Errorf("no row %q", id)
					continue
				}
				if r.Nanos != w.nanos || r.Steps != w.steps || !slices.Equal(r.Covers, w.covers) || r.FusedInto != w.fusedInto {
					t.Errorf("row %s: ns %d steps %d covers %v fused_into %q; want %d %d %v %q",
						id, r.Nanos, r.Steps, r.Covers, r.FusedInto, w.nanos, w.steps, w.covers, w.fusedInto)
				}
				if want := float64(w.nanos) / float64(tc.total); math.Abs(r.TimeShare-want) > 1e-12 {
					t.Errorf("row %s time share %v, want %v", id, r.TimeShare, want)
				}
			}
			var extraNs int64
			for _, e := range p.Extra {
				extraNs += e.Nanos
			}
			if sum+extraNs != tc.total {
				t.Errorf("rows %d + extra %d != total %d: time lost or double counted", sum, extraNs, tc.total)
			}
			if p.ExtraNanos() != extraNs {
				t.Errorf("ExtraNanos %d, want %d", p.ExtraNanos(), extraNs)
			}
			// The rates the CLI prints are computed here, once: 2*MAdds/ns
			// for the whole profile (smallGraph: 6736 MAdds) and per group.
			if want := 2 * float64(tc.rep.Totals.MultAdds) / float64(tc.total); p.MultAdds != tc.rep.Totals.MultAdds || math.Abs(p.GFLOPS-want) > 1e-9 {
				t.Errorf("profile MAdds %d GFLOP/s %v, want %d and %v", p.MultAdds, p.GFLOPS, tc.rep.Totals.MultAdds, want)
			}
			for _, gr := range append(slices.Clone(p.Categories), p.Stages...) {
				want := 0.0
				if gr.Nanos > 0 {
					want = 2 * float64(gr.MultAdds) / float64(gr.Nanos)
				}
				if math.Abs(gr.GFLOPS-want) > 1e-9 {
					t.Errorf("group %s GFLOP/s %v, want %v", gr.Name, gr.GFLOPS, want)
				}
			}
			checkShares(t, "category", p.Categories, tc.cats)
			checkShares(t, "stage", p.Stages, tc.stages)
			if len(p.Extra) != tc.extra || (tc.extra > 0 && (p.Extra[0].Reason != tc.extraWhy || p.Extra[0].Stage != tc.extraStage)) {
				t.Errorf("extra %+v, want %d with reason %q in stage %q", p.Extra, tc.extra, tc.extraWhy, tc.extraStage)
			}
			if tc.gflopsRow != "" {
				if got := byID[tc.gflopsRow].GFLOPS; math.Abs(got-tc.gflops) > 1e-9 {
					t.Errorf("row %s GFLOP/s %v, want %v", tc.gflopsRow, got, tc.gflops)
				}
			}
		})
	}
}

// TestTopExtra: the extra steps by time, longest first, ties in run order.
func TestTopExtra(t *testing.T) {
	p := Profile{Extra: []ExtraStep{{Name: "a", Nanos: 5}, {Name: "b", Nanos: 9}, {Name: "c", Nanos: 5}, {Name: "d", Nanos: 1}}}
	var names []string
	for _, e := range p.TopExtra(3) {
		names = append(names, e.Name)
	}
	if strings.Join(names, ",") != "b,a,c" || p.ExtraNanos() != 20 || len(p.TopExtra(10)) != 4 || len(p.TopExtra(-1)) != 0 {
		t.Errorf("TopExtra(3) %v, ExtraNanos %d", names, p.ExtraNanos())
	}
	if p.Extra[0].Name != "a" {
		t.Error("TopExtra reordered the profile's own list")
	}
}

func checkShares(t *testing.T, what string, gs []ProfileGroup, want map[string]float64) {
	t.Helper()
	got := map[string]float64{}
	var total float64
	for _, g := range gs {
		got[g.Name] = g.TimeShare
		total += g.TimeShare
	}
	for name, w := range want {
		v, ok := got[name]
		if !ok {
			t.Errorf("%s %q missing", what, name)
			continue
		}
		if math.Abs(v-w) > 1e-12 {
			t.Errorf("%s %q time share %v, want %v", what, name, v, w)
		}
	}
	if math.Abs(total-1) > 1e-12 {
		t.Errorf("%s time shares sum to %v, want 1", what, total)
	}
}

// TestJoinProfileShares checks that the analytic shares sit beside the time
// shares: conv1x1 has 2048 of 6736 MAdds (see smallGraph).
func TestJoinProfileShares(t *testing.T) {
	g := smallGraph(t)
	p := JoinProfile(cost.Analyze(g, nil), g, eagerSteps())
	for _, c := range p.Categories {
		if c.Name == "conv1x1" {
			if math.Abs(c.MultAddsShare-2048.0/6736) > 1e-12 || c.MultAdds != 2048 {
				t.Errorf("conv1x1 MAdds %d share %v, want 2048 and 2048/6736", c.MultAdds, c.MultAddsShare)
			}
			// c1's MAC: input 4*64 + output 8*64 + weights 32 = 800.
			if c.MemAccess != 800 || c.MemAccessShare <= 0 || c.MemAccessShare >= 1 {
				t.Errorf("conv1x1 MAC %d share %v, want 800 and a share in (0,1)", c.MemAccess, c.MemAccessShare)
			}
		}
	}
	top := p.Top(3)
	if len(top) != 3 || top[0].ID != "c2" || top[1].ID != "c1" || top[2].ID != "add" {
		t.Errorf("top 3 = %v, want c2 c1 add (200, 100, 30 ns)", []string{top[0].ID, top[1].ID, top[2].ID})
	}
	if len(p.Top(100)) != 8 || len(p.Top(-1)) != 0 {
		t.Error("Top does not clamp n")
	}
}

func TestProfileSteps(t *testing.T) {
	mk := func(a, b int64) []StepTime {
		return []StepTime{{Name: "c1", Ops: []string{"c1"}, Nanos: a}, {Name: "c2", Ops: []string{"c2"}, Nanos: b}}
	}
	p, _ := newFake(ms)
	p.steps = [][]StepTime{mk(10, 500), mk(30, 100), mk(20, 900)}
	got, err := ProfileSteps(context.Background(), p, nil, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	// medians: c1 of 10,30,20 = 20; c2 of 500,100,900 = 500.
	if len(got) != 2 || got[0].Nanos != 20 || got[1].Nanos != 500 || got[0].Ops[0] != "c1" {
		t.Errorf("ProfileSteps = %+v, want c1 20, c2 500", got)
	}

	p.calls = 0
	p.steps = [][]StepTime{mk(1, 2), mk(1, 2)[:1]}
	if _, err := ProfileSteps(context.Background(), p, nil, nil, 2); err == nil {
		t.Error("a run with a different step count was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ProfileSteps(ctx, p, nil, nil, 2); !IsCancelled(err) {
		t.Errorf("cancelled context: err %v", err)
	}
}

// TestProfileOf: each mode joins to the view it executes, fused steps to the
// fused plan and eager steps to the graph as written.
func TestProfileOf(t *testing.T) {
	g := smallGraph(t)
	fp := arch.FusedPlan(g)
	for _, tc := range []struct {
		mode  Mode
		steps []StepTime
		view  cost.View
		want  Profile
	}{
		{Fused, fusedSteps(), cost.Analyze(g, &fp).View, JoinProfile(cost.Analyze(g, &fp), g, fusedSteps())},
		{Eager, eagerSteps(), cost.Analyze(g, nil).View, JoinProfile(cost.Analyze(g, nil), g, eagerSteps())},
	} {
		got := ProfileOf(g, tc.mode, tc.steps)
		if got.View != tc.view || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ProfileOf view %q, want the join to view %q", tc.mode, got.View, tc.view)
		}
	}
}

// TestProfileKernels: a step's kernel name survives ProfileSteps and lands
// on its row; several distinct ones on one row are all listed.
func TestProfileKernels(t *testing.T) {
	g := smallGraph(t)
	p, _ := newFake(ms)
	st := []StepTime{{Name: "c1", Ops: []string{"c1"}, Nanos: 5, Kernel: "cublasLt row-major #0"}}
	p.steps = [][]StepTime{st, st}
	got, err := ProfileSteps(context.Background(), p, nil, nil, 2)
	if err != nil || len(got) != 1 || got[0].Kernel != "cublasLt row-major #0" {
		t.Fatalf("ProfileSteps = %+v, %v", got, err)
	}
	steps := append(got, StepTime{Name: "c1", Ops: []string{"c1"}, Nanos: 1, Kernel: "cudnn-fused IMPLICIT_GEMM"},
		StepTime{Name: "c1", Ops: []string{"c1"}, Nanos: 1, Kernel: "cublasLt row-major #0"})
	pr := JoinProfile(cost.Analyze(g, nil), g, steps)
	for _, r := range pr.Rows {
		want := ""
		if r.ID == "c1" {
			want = "cublasLt row-major #0 | cudnn-fused IMPLICIT_GEMM"
		}
		if r.Kernel != want {
			t.Errorf("row %s kernel %q, want %q", r.ID, r.Kernel, want)
		}
	}
}
