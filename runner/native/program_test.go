package native

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/internal/testnet"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/weights"
)

func smallSNv2(t *testing.T, batch int) *arch.Graph {
	t.Helper()
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{1, 2, 1}, Res: 64, Batch: batch, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestZeroAllocs: an inference must not allocate (design.md section 6),
// in either mode and with a worker thread; ShuffleNet v1 g=3 adds
// residual epilogues and gathered shuffle copies.
func TestZeroAllocs(t *testing.T) {
	v1, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV1, Groups: 3, Channels: []int{12, 48, 96, 192}, Depths: []int{1, 2, 1}, Res: 64, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []*arch.Graph{smallSNv2(t, 1), v1} {
		zeroAllocs(t, g)
	}
}

func zeroAllocs(t *testing.T, g *arch.Graph) {
	w := weights.Random(g, 1)
	in := randInput(g, 1)
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	for _, mode := range modes {
		for _, threads := range []int{1, 2} {
			prog, err := New().Compile(g, w, runner.Options{Mode: mode, Threads: threads, Kernels: testKernels})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			allocs := testing.AllocsPerRun(20, func() {
				if err := prog.Run(ctx, in, out); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s, %d threads: %v allocations per run", mode, threads, allocs)
			}
			prog.Close()
		}
	}
}

// stepCtx is a context that reports cancellation after n calls to Err, to
// cancel a run between two steps deterministically.
type stepCtx struct {
	context.Context
	n int
}

func (c *stepCtx) Err() error {
	c.n--
	if c.n < 0 {
		return context.Canceled
	}
	return nil
}

func TestCancel(t *testing.T) {
	g := smallSNv2(t, 1)
	w := weights.Random(g, 1)
	in := randInput(g, 1)
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	for _, threads := range []int{1, 2} {
		prog, err := New().Compile(g, w, runner.Options{Mode: runner.Fused, Threads: threads, Kernels: testKernels})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := prog.Run(ctx, in, out); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled before run: %v", err)
		}
		if err := prog.Run(&stepCtx{Context: context.Background(), n: 5}, in, out); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled mid-run: %v", err)
		}
		// The program stays usable after a cancelled run.
		if err := prog.Run(context.Background(), in, out); err != nil {
			t.Errorf("run after cancel: %v", err)
		}
		prog.Close()
		if err := prog.Run(context.Background(), in, out); err == nil {
			t.Error("run after Close succeeded")
		}
	}
}

// TestMemoryRefused: the example of an oversized request (width
// 8.0, 2048x2048, batch 64) is refused with the estimate and the limit.
func TestMemoryRefused(t *testing.T) {
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: 8, Res: 2048, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	// Random weights for this design would take gigabytes, so the check
	// Compile runs is called directly; Compile's own refusal is shown
	// below on a small design with a small limit.
	if err := runner.CheckMemory(g, runner.Options{}); err == nil || !strings.Contains(err.Error(), "estimate") || !strings.Contains(err.Error(), "limit") {
		t.Errorf("CheckMemory: %v", err)
	}
	small := smallSNv2(t, 1)
	_, err = New().Compile(small, weights.Random(small, 1), runner.Options{MemLimit: 1 << 20})
	var me *runner.MemError
	if !errors.As(err, &me) || me.Limit != 1<<20 || !strings.Contains(err.Error(), "limit is 1 MiB") {
		t.Errorf("Compile with a 1 MiB limit: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	g := smallSNv2(t, 1)
	w := weights.Random(g, 1)
	bad := w.Without("fc.bias")
	if _, err := New().Compile(g, bad, runner.Options{}); err == nil || !strings.Contains(err.Error(), "fc.bias [10]") {
		t.Errorf("missing weight: %v", err)
	}
	if _, err := New().Compile(g, w, runner.Options{Threads: -1}); err == nil || !strings.Contains(err.Error(), "threads") {
		t.Errorf("bad threads: %v", err)
	}
	if _, err := New().Compile(g, w, runner.Options{Mode: "lazy"}); err == nil {
		t.Error("bad mode accepted")
	}
	if _, err := New().Compile(g, w, runner.Options{Kernels: "sse9"}); err == nil || !strings.Contains(err.Error(), `"sse9"`) || !strings.Contains(err.Error(), "generic") {
		t.Errorf("unknown kernel set: %v", err)
	}
	prog, err := New().Compile(g, w, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	if err := prog.Run(context.Background(), make([]float32, 3), make([]float32, 10)); err == nil {
		t.Error("short input accepted")
	}
}

// TestProfileCoverage: eager has one step per graph op; fused covers every
// op that is not a zero-copy view exactly once, the copies the fused cost
// view charges to a concat or shuffle (arch.Step.Copies) included, so the
// profile puts their time on the row that carries their MAC. Only the
// gather fallback, which no cost view charges, is a "<tensor>.copy" step
// of no op.
func TestProfileCoverage(t *testing.T) {
	for _, s := range []arch.Spec{
		{Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{1, 2, 1}, Res: 64, Groups: 2, Classes: 10},
		{Family: arch.ShuffleNetV1, Groups: 3, Channels: []int{12, 48, 96, 192}, Depths: []int{1, 2, 1}, Res: 64, Classes: 10},
		{Family: arch.MobileNetV2, Width: 0.35, Res: 64, Classes: 10},
	} {
		g, err := arch.Build(s)
		if err != nil {
			t.Fatal(err)
		}
		w := weights.Random(g, 1)
		in := randInput(g, 1)
		out := make([]float32, g.Tensors[g.Output].Shape.Elems())
		for _, mode := range modes {
			prog, err := New().Compile(g, w, runner.Options{Mode: mode, Kernels: testKernels})
			if err != nil {
				t.Fatal(err)
			}
			steps, err := prog.Profile(context.Background(), in, out)
			prog.Close()
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, st := range steps {
				if len(st.Ops) == 0 && st.Name != "input" && st.Name != "output" && !strings.HasSuffix(st.Name, ".copy") {
					t.Errorf("%s %s: step %q covers no op", s.Family, mode, st.Name)
				}
				if len(st.Ops) > 0 && st.Name != st.Ops[0] {
					t.Errorf("%s %s: step %q anchored at %q", s.Family, mode, st.Name, st.Ops[0])
				}
				for _, id := range st.Ops {
					seen[id]++
				}
			}
			var plan arch.Plan
			if mode == runner.Fused {
				plan = arch.FusedPlan(g)
			} else {
				plan = arch.EagerPlan(g)
			}
			for _, st := range plan.Steps {
				for _, oi := range st.Ops {
					want := 1
					if st.View {
						want = 0 // zero-copy
					}
					if id := g.Ops[oi].ID; seen[id] != want {
						t.Errorf("%s %s: op %s in %d steps, want %d", s.Family, mode, id, seen[id], want)
					}
				}
			}
		}
	}
}

// TestShuffleCopies checks where fused mode must still copy a shuffle. In
// torchvision's ShuffleNetV2 a unit's shuffle is folded away when the next
// layer reads the whole tensor (the next stage's stride-2 unit or conv5:
// 1x1 columns and depthwise channels absorb the permutation) and copied
// when a stride-1 unit splits it, so sum(depths)-3 copies remain. In
// ShuffleNet v1 the shuffle after stage2.0's ungrouped 1x1 folds into that
// conv's output rows; the others (after grouped 1x1s, before grouped 1x1s)
// are copied: sum(depths)-1.
func TestShuffleCopies(t *testing.T) {
	for _, tc := range []struct {
		spec arch.Spec
		want int
	}{
		{arch.Spec{Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{1, 2, 1}, Res: 64, Classes: 10}, 1},
		{arch.Spec{Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{2, 3, 2}, Res: 64, Classes: 10}, 4},
		{arch.Spec{Family: arch.ShuffleNetV1, Groups: 3, Channels: []int{12, 48, 96, 192}, Depths: []int{1, 2, 1}, Res: 64, Classes: 10}, 3},
	} {
		g, err := arch.Build(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := New().Compile(g, weights.Random(g, 1), runner.Options{Mode: runner.Fused, Kernels: testKernels})
		if err != nil {
			t.Fatal(err)
		}
		steps, err := prog.Profile(context.Background(), randInput(g, 1), make([]float32, g.Tensors[g.Output].Shape.Elems()))
		prog.Close()
		if err != nil {
			t.Fatal(err)
		}
		// Views run no step, so a fused step anchored at a concat or a
		// shuffle is a copy (ShuffleNetV2's is the next unit's concat moving
		// the passthrough half the folded shuffle left in place).
		n := 0
		for _, st := range steps {
			if len(st.Ops) == 0 {
				continue
			}
			if k := g.OpByID(st.Ops[0]).Kind; k == arch.OpConcat || k == arch.OpShuffle {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%s depths %v: %d shuffle copies, want %d", tc.spec.Family, tc.spec.Depths, n, tc.want)
		}
	}
}

// TestThreeThreads runs a fixture-sized network with more threads than the
// tests' usual two.
func TestThreeThreads(t *testing.T) {
	g := smallSNv2(t, 2)
	w := weights.Random(g, 3)
	in := randInput(g, 3)
	one := compileRun(t, g, w, in, runner.Fused, 1)
	three := compileRun(t, g, w, in, runner.Fused, 3)
	if e := testnet.RelErr(three, one); e > tol {
		t.Errorf("3 threads vs 1: max rel error %.3g", e)
	}
}

// TestPassthroughCopyOnly: in fused ShuffleNetV2 the only data a stride-1
// unit copies is its passthrough branch (the shuffle folds into the
// consumers' weights and the branch's last conv writes its halves in
// place; only the passthrough half is moved): cl = c - c'
// channels per pixel, for split ratios 0.5 and 0.3.
func TestPassthroughCopyOnly(t *testing.T) {
	for _, split := range []float64{0.5, 0.3} {
		g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{2, 3, 2}, Res: 64, Classes: 10, Split: split})
		if err != nil {
			t.Fatal(err)
		}
		p := newPlanner(g, weights.Random(g, 1), true, new([]float32), new([]float32))
		if err := p.build(); err != nil {
			t.Fatal(err)
		}
		copies := 0
		for _, e := range p.steps {
			cs, ok := e.s.(*copyStep)
			if !ok {
				continue
			}
			copies++
			// The copy is a stride-1 unit's concat; its first input is the passthrough.
			concat := g.OpByID(e.name)
			if concat == nil || concat.Kind != arch.OpConcat {
				t.Fatalf("split %v: copy step %q is not a concat", split, e.name)
			}
			want := g.Tensors[concat.Inputs[0]].Shape.C
			n := 0
			for _, m := range cs.moves {
				n += len(m.src.pos)
			}
			if n != want {
				t.Errorf("split %v: %s copies %d channels, want the %d passthrough channels", split, e.name, n, want)
			}
		}
		if copies != 4 { // units followed by a stride-1 unit: sum(depths) - 3
			t.Errorf("split %v: %d copy steps, want 4", split, copies)
		}
	}
}

// TestWorkersStopWithoutClose: a program dropped without Close must not
// leave its worker goroutines behind (they are stopped by a cleanup).
func TestWorkersStopWithoutClose(t *testing.T) {
	g := smallSNv2(t, 1)
	w := weights.Random(g, 1)
	before := runtime.NumGoroutine()
	func() {
		prog, err := New().Compile(g, w, runner.Options{Threads: 4, Kernels: testKernels})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, 10)
		if err := prog.Run(context.Background(), randInput(g, 1), out); err != nil {
			t.Fatal(err)
		}
	}()
	// Cleanups run asynchronously after a GC; poll for up to 10 s.
	for i := 0; i < 1000 && runtime.NumGoroutine() > before; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after dropping the program, %d before", n, before)
	}
}

// TestPassthroughCopyRuns: the passthrough copies of fused ShuffleNetV2
// move runs of consecutive channels (the concat layout follows the source
// positions), never a per-channel gather. The bound: one run per earlier
// unit of the stage per destination range, plus one, so at most
// 2*(depth+1) runs (depth 8 in stage 3 of the paper's Table 5).
func TestPassthroughCopyRuns(t *testing.T) {
	for _, width := range []float64{0.5, 1.0, 2.0} {
		g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: width, Depths: []int{4, 8, 4}, Res: 64, Classes: 10})
		if err != nil {
			t.Fatal(err)
		}
		p := newPlanner(g, weights.Random(g, 1), true, new([]float32), new([]float32))
		if err := p.build(); err != nil {
			t.Fatal(err)
		}
		for _, e := range p.steps {
			cs, ok := e.s.(*copyStep)
			if !ok {
				continue
			}
			for _, m := range cs.moves {
				if m.runs == nil {
					t.Errorf("width %v %s: per-channel gather of %d channels", width, e.name, len(m.src.pos))
				} else if len(m.runs) > 2*(8+1) {
					t.Errorf("width %v %s: %d runs for %d channels", width, e.name, len(m.runs), len(m.src.pos))
				}
			}
		}
	}
}

// TestProgramsOwnKernelSets: two programs compiled with different kernel
// sets and alive in one process each run their own set. The best set and
// the generic set sum in different orders, so their outputs differ in the
// last bits; each program's output must stay bit-identical to what its set
// gives when it is the only program, whichever was compiled or run last
// (a process-wide switch would make the first program follow the second).
func TestProgramsOwnKernelSets(t *testing.T) {
	sets := kernels.Supported()
	if len(sets) < 2 {
		t.Skipf("only the %v kernel set in this build", sets)
	}
	g := smallSNv2(t, 1)
	w := weights.Random(g, 3)
	in := randInput(g, 3)
	best, generic := sets[0], "generic"
	alone := map[string][]float32{}
	for _, set := range []string{best, generic} {
		alone[set] = compileRunSet(t, g, w, in, runner.Fused, 1, set)
	}
	if slices.Equal(alone[best], alone[generic]) {
		t.Fatalf("%s and %s give bit-identical outputs: this network cannot tell the sets apart", best, generic)
	}
	if e := testnet.RelErr(alone[best], alone[generic]); e > tol {
		t.Errorf("%s vs %s: max rel error %.3g", best, generic, e)
	}
	progs := map[string]runner.Program{}
	for _, set := range []string{best, generic} {
		p, err := New().Compile(g, w, runner.Options{Mode: runner.Fused, Kernels: set})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if got := p.Info().Kernels; got != set {
			t.Errorf("program compiled with %s reports kernels %q", set, got)
		}
		progs[set] = p
	}
	out := make([]float32, len(alone[best]))
	for _, set := range []string{best, generic, best, generic} {
		if err := progs[set].Run(context.Background(), in, out); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, alone[set]) {
			t.Errorf("program compiled with %s no longer gives its own set's output (another program's set leaked in)", set)
		}
	}
}
