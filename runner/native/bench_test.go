package native

import (
	"context"
	"fmt"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// BenchmarkShuffleNetV2 times a whole inference of torchvision's
// ShuffleNetV2 (224x224, batch 1) for every width of the paper, mode and
// thread count, and reports ms/op and the achieved GFLOP/s
// (2 x MAdds per second, MAdds from cost.MultAdds). Example:
//
//	go test -run XXX -bench ShuffleNetV2/w1.0/fused -benchtime 2s ./runner/native/
func BenchmarkShuffleNetV2(b *testing.B) {
	for _, width := range []float64{0.5, 1.0, 1.5, 2.0} {
		g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: width, Split: 0.5, Groups: 1,
			Depths: []int{4, 8, 4}, Res: 224, Batch: 1, Classes: 1000})
		if err != nil {
			b.Fatal(err)
		}
		var madds int64
		for i := range g.Ops {
			madds += cost.MultAdds(g, &g.Ops[i])
		}
		w := weights.Random(g, 1)
		in := randInput(g, 1)
		out := make([]float32, g.Tensors[g.Output].Shape.Elems())
		for _, mode := range []runner.Mode{runner.Fused, runner.Eager} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("w%.1f/%s/t%d", width, mode, threads), func(b *testing.B) {
					prog, err := New().Compile(g, w, runner.Options{Mode: mode, Threads: threads, Kernels: testKernels})
					if err != nil {
						b.Fatal(err)
					}
					defer prog.Close()
					ctx := context.Background()
					for range 3 { // warm-up: caches, worker wake-up
						if err := prog.Run(ctx, in, out); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if err := prog.Run(ctx, in, out); err != nil {
							b.Fatal(err)
						}
					}
					sec := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(sec*1e3, "ms/op")
					b.ReportMetric(2*float64(madds)/sec/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkNetworkGemms times every distinct 1x1-conv and FC GEMM of
// ShuffleNetV2 x1.0 (224x224, batch 1, fused, 1 thread) exactly as the
// engine runs it: the compiled plan's own step, with its padded pixel
// strides (paddedStride), channel offsets, group splits (a folded channel
// shuffle can cut one conv's outputs into column runs) and row blocks. It
// reports GFLOP/s (2*M*N*K per run) next to the FMA peak measured on the
// Zen 4 cores this engine targets (116.6 GFLOP/s per core: 12 independent
// VFMADD231PS chains, docs/kernels.md). The kernels
// package's BenchmarkGemm times the same M x N x K with unpadded strides.
//
//	go test -run XXX -bench NetworkGemms -count 5 ./runner/native/
func BenchmarkNetworkGemms(b *testing.B) {
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Split: 0.5, Groups: 1,
		Depths: []int{4, 8, 4}, Res: 224, Batch: 1, Classes: 1000})
	if err != nil {
		b.Fatal(err)
	}
	prog, err := New().Compile(g, weights.Random(g, 1), runner.Options{Mode: runner.Fused, Threads: 1, Kernels: testKernels})
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	p := prog.(*handle).p
	in := randInput(g, 1)
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	if err := p.Run(context.Background(), in, out); err != nil { // fills every buffer
		b.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range p.steps {
		s, ok := e.s.(*gemmStep)
		if !ok {
			continue
		}
		k := s.groups[0].b.K
		name := fmt.Sprintf("%dx%dx%d", s.m, s.nTotal, k)
		if seen[name] {
			continue
		}
		seen[name] = true
		flops := 2 * float64(s.m) * float64(s.nTotal) * float64(k)
		b.Run(name, func(b *testing.B) {
			p.in, p.out = in, out
			defer func() { p.in, p.out = nil, nil }()
			for b.Loop() {
				s.run(p.ks, 0, 1)
			}
			gflops := flops * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(gflops, "GFLOP/s")
			b.ReportMetric(100*gflops/116.6, "%peak")
		})
	}
}
