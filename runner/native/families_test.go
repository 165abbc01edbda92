package native

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/internal/testnet"
	"github.com/shufflelab/explorer/runner/reference"
	"github.com/shufflelab/explorer/runner/weights"
)

func randInput(g *arch.Graph, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, g.Tensors[g.Input].Shape.Elems())
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// checkAgainstReference runs the reference and the native backend in both
// modes with 1 and 2 threads and compares with the acceptance tolerance.
func checkAgainstReference(t *testing.T, g *arch.Graph, seed int64) {
	t.Helper()
	w := weights.Random(g, seed)
	in := randInput(g, uint64(seed))
	want, err := reference.Run(g, w, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range modes {
		for _, threads := range []int{1, 2} {
			got := compileRun(t, g, w, in, mode, threads)
			if e := testnet.RelErr(got, want); e > tol {
				t.Errorf("%s, %d threads: max rel error %.3g vs reference", mode, threads, e)
			}
		}
	}
}

// TestFamilies covers every family at small sizes (the sizes of issue 3's
// test plan: ShuffleNetV2 depths 1,2,1 with split 0.3/0.5/0.7 and groups 2,
// ShuffleNet v1 g=3, MobileNet v2 0.35, MobileNet v1 0.25, G1-G4).
func TestFamilies(t *testing.T) {
	small := []int{24, 48, 96, 192, 256}
	specs := []arch.Spec{
		{Family: arch.ShuffleNetV2, Channels: small, Depths: []int{1, 2, 1}, Res: 64, Batch: 1, Classes: 10},
		{Family: arch.ShuffleNetV2, Channels: small, Depths: []int{1, 2, 1}, Res: 64, Batch: 3, Classes: 10, Split: 0.3},
		{Family: arch.ShuffleNetV2, Channels: small, Depths: []int{1, 2, 1}, Res: 64, Batch: 2, Classes: 10, Split: 0.7},
		{Family: arch.ShuffleNetV2, Channels: small, Depths: []int{1, 2, 1}, Res: 64, Batch: 2, Classes: 10, Groups: 2},
		{Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{1, 2, 1}, Res: 64, ResW: 48, Batch: 2, Classes: 7, Layout: arch.LayoutMegvii},
		{Family: arch.ShuffleNetV1, Groups: 3, Channels: []int{12, 48, 96, 192}, Depths: []int{1, 2, 1}, Res: 64, Batch: 2, Classes: 10},
		{Family: arch.ShuffleNetV1, Groups: 2, Channels: []int{24, 48, 96, 192}, Depths: []int{2, 1, 1}, Res: 48, Batch: 1, Classes: 5},
		{Family: arch.MobileNetV2, Width: 0.35, Res: 64, Batch: 2, Classes: 10},
		{Family: arch.MobileNetV1, Width: 0.25, Res: 64, Batch: 1, Classes: 10},
		{Family: arch.GuideG1, C1: 16, C2: 40, Res: 9, Blocks: 3, Batch: 2},
		{Family: arch.GuideG2, C: 24, Groups: 4, Res: 7, Blocks: 3, Batch: 1},
		{Family: arch.GuideG3, C: 32, Fragments: 4, Parallel: true, Res: 8, Blocks: 2, Batch: 2},
		{Family: arch.GuideG3, C: 32, Fragments: 2, Res: 8, Blocks: 2, Batch: 1},
		{Family: arch.GuideG4, C: 32, Res: 9, Blocks: 3, Batch: 2},
		{Family: arch.GuideG4, C: 32, Res: 9, Blocks: 2, Batch: 1, NoReLU: true},
		{Family: arch.GuideG4, C: 32, Res: 9, Blocks: 2, Batch: 1, NoShortcut: true},
	}
	for i, s := range specs {
		g, err := arch.Build(s)
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		t.Run(fmt.Sprintf("%d_%s", i, s.Family), func(t *testing.T) {
			t.Parallel()
			checkAgainstReference(t, g, int64(100+i))
		})
	}
}
