package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// gemmBenchShapes are the GEMM shapes (M = pixels, N = out channels, K = in channels) of
// ShuffleNetV2 x1.0 at 224x224, from google/XNNPACK bench/models/shufflenet_v2_x10_gemm.txt
// (the stem's im2col GEMM 12544x24x27 included), plus the FC layer 1x1000x1024 (torchvision
// shufflenet_v2_x1_0: Linear(1024, 1000)).
var gemmBenchShapes = [][3]int{
	{12544, 24, 27},
	{3136, 58, 24},
	{784, 58, 24},
	{784, 58, 58},
	{196, 116, 116},
	{196, 232, 232},
	{49, 232, 232},
	{49, 1024, 464},
	{1, 1000, 1024},
}

// benchSets runs f once per supported kernel set.
func benchSets(b *testing.B, f func(b *testing.B, ks *Set)) {
	for _, name := range Supported() {
		ks, err := Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { f(b, ks) })
	}
}

func BenchmarkGemm(b *testing.B) {
	benchSets(b, func(b *testing.B, ks *Set) {
		for _, s := range gemmBenchShapes {
			m, n, k := s[0], s[1], s[2]
			b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 1))
				pb := PackGemmB(randSlice(r, n*k), n, k, randSlice(r, n))
				a := randSlice(r, m*k)
				c := make([]float32, m*n)
				b.ResetTimer()
				for b.Loop() {
					ks.Gemm(m, a, k, pb, 0, n, c, n, ReLU())
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	})
}

// dwBenchShapes are the depthwise 3x3 convs of ShuffleNetV2 x1.0 (torchvision): input H=W,
// channels, stride (stage2 first unit: 56x56 s2 on 24 and 58 ch; stage2: 28x28 s1 58 ch;
// stage3: 28->14 s2 116 ch, 14 s1; stage4: 14->7 s2 232 ch, 7 s1).
var dwBenchShapes = []struct{ hw, c, stride int }{
	{56, 24, 2}, {56, 58, 2}, {28, 58, 1}, {28, 116, 2}, {14, 116, 1}, {14, 232, 2}, {7, 232, 1},
}

func BenchmarkDWConv(b *testing.B) {
	benchSets(b, func(b *testing.B, ks *Set) {
		for _, s := range dwBenchShapes {
			b.Run(fmt.Sprintf("%dx%dx%d_s%d", s.hw, s.hw, s.c, s.stride), func(b *testing.B) {
				r := rand.New(rand.NewPCG(2, 2))
				o := (s.hw+2-3)/s.stride + 1
				g := Geom{InH: s.hw, InW: s.hw, InStride: s.c, OutH: o, OutW: o, OutStride: s.c, Stride: s.stride, Pad: 1}
				w := PackDW(randSlice(r, s.c*9), randSlice(r, s.c), s.c, 3, 3)
				in := randSlice(r, s.hw*s.hw*s.c)
				out := make([]float32, o*o*s.c)
				for b.Loop() {
					ks.DWConv(in, out, w, g, 0, s.c, 0, o, None())
				}
				b.ReportMetric(2*9*float64(o*o*s.c)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	})
}

// BenchmarkStem is ShuffleNetV2's first conv: 3x3 stride 2 pad 1, 3 -> 24 channels, 224 -> 112.
func BenchmarkStem(b *testing.B) {
	benchSets(b, func(b *testing.B, ks *Set) {
		r := rand.New(rand.NewPCG(3, 3))
		g := Geom{InH: 224, InW: 224, InStride: 3, OutH: 112, OutW: 112, OutStride: 24, Stride: 2, Pad: 1}
		w := PackConv(randSlice(r, 24*3*9), randSlice(r, 24), 24, 3, 3, 3)
		in := randSlice(r, 224*224*3)
		out := make([]float32, 112*112*24)
		for b.Loop() {
			ks.Conv(in, out, w, g, 0, 112, ReLU())
		}
		b.ReportMetric(2*27*24*112*112*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkMaxPool is ShuffleNetV2's 3x3 stride 2 pad 1 max pool on 112x112x24.
func BenchmarkMaxPool(b *testing.B) {
	benchSets(b, func(b *testing.B, ks *Set) {
		r := rand.New(rand.NewPCG(4, 4))
		g := Geom{InH: 112, InW: 112, InStride: 24, OutH: 56, OutW: 56, OutStride: 24, Stride: 2, Pad: 1}
		in := randSlice(r, 112*112*24)
		out := make([]float32, 56*56*24)
		for b.Loop() {
			ks.MaxPool(in, out, g, 3, 24, 0, 56)
		}
	})
}

// BenchmarkGlobalAvgPool is ShuffleNetV2's final pooling over 7x7x1024.
func BenchmarkGlobalAvgPool(b *testing.B) {
	benchSets(b, func(b *testing.B, ks *Set) {
		r := rand.New(rand.NewPCG(5, 5))
		in := randSlice(r, 49*1024)
		out := make([]float32, 1024)
		for b.Loop() {
			ks.GlobalAvgPool(in, 49, 1024, 1024, out)
		}
	})
}

// BenchmarkChannelAffine is an eager-mode batch norm + ReLU pass over 28x28x116 (ShuffleNetV2
// x1.0 stage 3 input).
func BenchmarkChannelAffine(b *testing.B) {
	benchSets(b, func(b *testing.B, ks *Set) {
		r := rand.New(rand.NewPCG(6, 6))
		in := randSlice(r, 28*28*116)
		out := make([]float32, len(in))
		scale, shift := randSlice(r, 116), randSlice(r, 116)
		for b.Loop() {
			ks.ChannelAffine(in, 116, out, 116, 28*28, 116, scale, shift, ReLU())
		}
	})
}

// BenchmarkPermuteChannels times the ShuffleNet v1 1.0x g=3 stage2 in-branch shuffle copy
// (28x28 pixels, 60 channels, riffle of 3 groups) with cache-resident buffers.
func BenchmarkPermuteChannels(b *testing.B) {
	const pixels, c = 28 * 28, 60
	in, out := make([]float32, pixels*64), make([]float32, pixels*64)
	idx := NewPermutation(riffle(c, 3))
	b.SetBytes(int64(2 * 4 * pixels * c))
	ks := Best()
	for b.Loop() {
		ks.PermuteChannels(in, 64, out, 64, pixels, idx)
	}
}
