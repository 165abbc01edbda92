package native

import (
	"context"
	"fmt"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/internal/testnet"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/weights"
)

// tol is the acceptance bound of issue 3: max|ours - ref| <= 1e-4 max|ref|.
const tol = 1e-4

var modes = []runner.Mode{runner.Eager, runner.Fused}

func compileRun(t *testing.T, g *arch.Graph, w weights.Set, in []float32, mode runner.Mode, threads int) []float32 {
	t.Helper()
	prog, err := New().Compile(g, w, runner.Options{Mode: mode, Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	if err := prog.Run(context.Background(), in, out); err != nil {
		t.Fatal(err)
	}
	// A second run must give the same result (no state carried between runs).
	out2 := make([]float32, len(out))
	if err := prog.Run(context.Background(), in, out2); err != nil {
		t.Fatal(err)
	}
	for i := range out {
		if out[i] != out2[i] {
			t.Fatalf("second run differs at %d: %v vs %v", i, out[i], out2[i])
		}
	}
	return out
}

// TestFixtures compares every mode and thread count against the PyTorch
// logits of the committed fixtures.
func TestFixtures(t *testing.T) {
	for name := range testnet.Specs {
		f, err := testnet.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range modes {
			for _, threads := range []int{1, 2} {
				t.Run(fmt.Sprintf("%s/%s/t%d", name, mode, threads), func(t *testing.T) {
					out := compileRun(t, f.Graph, f.Weights, f.Input, mode, threads)
					e := testnet.RelErr(out, f.Output)
					if e > tol {
						t.Errorf("max rel error %.3g vs PyTorch", e)
					}
					t.Logf("max rel error %.3g vs PyTorch", e)
				})
			}
		}
	}
}

// TestFixturesGenericKernels repeats the fixture check on the pure-Go
// kernel set (the default set is the best the CPU supports).
func TestFixturesGenericKernels(t *testing.T) {
	if err := kernels.SetVariant("generic"); err != nil {
		t.Fatal(err)
	}
	defer kernels.SetVariant("auto")
	for name := range testnet.Specs {
		f, err := testnet.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range modes {
			out := compileRun(t, f.Graph, f.Weights, f.Input, mode, 2)
			if e := testnet.RelErr(out, f.Output); e > tol {
				t.Errorf("%s %s generic kernels: max rel error %.3g vs PyTorch", name, mode, e)
			}
		}
	}
}
