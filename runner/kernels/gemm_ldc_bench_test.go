package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGemmLdc times the avx512 GEMM on the small-K shapes of ShuffleNetV2 x1.0
// (gemmBenchShapes) both as BenchmarkGemm calls them (ldc = N) and as the fused runner
// (runner/native) calls them: 3136x58x24 into a 64-float pixel stride, and 784x58x24 as two
// 29-channel halves into a 128-float pixel stride at channel offsets 0 and 87.
func BenchmarkGemmLdc(b *testing.B) {
	defer SetVariant("auto")
	if err := SetVariant("avx512"); err != nil {
		b.Skip(err)
	}
	type call struct{ n, ldc, off int }
	cases := []struct {
		name  string
		m, k  int
		calls []call
	}{
		{"3136x58x24_ldc58", 3136, 24, []call{{58, 58, 0}}},
		{"3136x58x24_ldc64", 3136, 24, []call{{58, 64, 0}}},
		{"784x58x24_ldc58", 784, 24, []call{{58, 58, 0}}},
		{"784x2x29x24_ldc128", 784, 24, []call{{29, 128, 0}, {29, 128, 87}}},
		{"784x58x58_ldc58", 784, 58, []call{{58, 58, 0}}},
	}
	for _, cs := range cases {
		b.Run(cs.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a := randSlice(r, cs.m*cs.k)
			var pbs []*PackedGemmB
			flops := 0
			ldc := cs.calls[0].ldc
			for _, c := range cs.calls {
				pbs = append(pbs, PackGemmB(randSlice(r, c.n*cs.k), c.n, cs.k, randSlice(r, c.n)))
				flops += 2 * cs.m * c.n * cs.k
			}
			c := make([]float32, cs.m*ldc)
			b.ResetTimer()
			for b.Loop() {
				for i, cl := range cs.calls {
					Gemm(cs.m, a, cs.k, pbs[i], 0, cl.n, c[cl.off:], cl.ldc, ReLU())
				}
			}
			b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
