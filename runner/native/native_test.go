package native

import (
	"context"
	"fmt"
	"os"
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

// testKernels is the kernel set every test program uses unless a test
// names its own: EXPLORER_TEST_KERNELS (see TestMain), default auto.
var testKernels = "auto"

func compileRun(t *testing.T, g *arch.Graph, w weights.Set, in []float32, mode runner.Mode, threads int) []float32 {
	t.Helper()
	return compileRunSet(t, g, w, in, mode, threads, testKernels)
}

// compileRunSet is compileRun on the kernel set named kset.
func compileRunSet(t *testing.T, g *arch.Graph, w weights.Set, in []float32, mode runner.Mode, threads int, kset string) []float32 {
	t.Helper()
	prog, err := New().Compile(g, w, runner.Options{Mode: mode, Threads: threads, Kernels: kset})
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

// TestFixturesEveryKernelSet repeats the fixture check on every kernel set
// this CPU and build support (TestFixtures uses only the default set).
func TestFixturesEveryKernelSet(t *testing.T) {
	for _, set := range kernels.Supported() {
		for name := range testnet.Specs {
			f, err := testnet.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range modes {
				out := compileRunSet(t, f.Graph, f.Weights, f.Input, mode, 2, set)
				e := testnet.RelErr(out, f.Output)
				if e > tol {
					t.Errorf("%s %s kernel set %s: max rel error %.3g vs PyTorch", name, mode, set, e)
				}
				t.Logf("%s %s kernel set %s: max rel error %.3g vs PyTorch", name, mode, set, e)
			}
		}
	}
}

// TestMain lets the whole package's tests run on one kernel set:
// EXPLORER_TEST_KERNELS=avx2 go test ./runner/native/ (any name
// kernels.Lookup accepts; default auto, the best set the CPU supports). It
// prints the set the tests use, so a test log names it.
func TestMain(m *testing.M) {
	if v := os.Getenv("EXPLORER_TEST_KERNELS"); v != "" {
		testKernels = v
	}
	ks, err := kernels.Lookup(testKernels)
	if err != nil {
		fmt.Fprintln(os.Stderr, "EXPLORER_TEST_KERNELS:", err)
		os.Exit(2)
	}
	fmt.Printf("runner/native tests: kernel set %s (supported here: %v)\n", ks.Name(), kernels.Supported())
	os.Exit(m.Run())
}
