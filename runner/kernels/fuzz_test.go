package kernels

import (
	"math/rand/v2"
	"testing"
)

// FuzzGemm compares Gemm (every supported kernel set) with the naive reference on fuzzed
// shapes, column ranges, leading dimensions and activations.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(14), uint8(58), uint8(24), uint8(0), uint8(58), uint8(0), uint8(0), uint8(1))
	f.Add(uint8(49), uint8(232), uint8(67), uint8(33), uint8(200), uint8(5), uint8(3), uint8(2))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), uint8(1), uint8(0), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, m8, n8, k8, lo8, hi8, padA, padC, act8 uint8) {
		m, n, k := int(m8)%70+1, int(n8)%260+1, int(k8)%130+1
		n0, n1 := int(lo8)%n, int(hi8)%n+1
		if n0 >= n1 {
			n0, n1 = n1-1, n0+1
		}
		lda, ldc := k+int(padA)%9, n+int(padC)%9
		act := acts[int(act8)%len(acts)]
		r := rand.New(rand.NewPCG(uint64(m*n), uint64(k)))
		w, bias := randSlice(r, n*k), randSlice(r, n)
		a := randSlice(r, (m-1)*lda+k)
		want := filled((m-1)*ldc+n, sentinel)
		refGemm(m, k, a, lda, w, bias, n0, n1, want, ldc, act)
		b := PackGemmB(w, n, k, bias)
		forEachSet(t, func(t *testing.T, ks *Set) {
			got := filled(len(want), sentinel)
			ks.Gemm(m, a, lda, b, n0, n1, got, ldc, act)
			compare(t, "fuzz", got, want, tol)
		})
	})
}

// FuzzDWConv compares DWConv (every supported kernel set) with the naive reference on fuzzed
// geometries, channel ranges and row ranges.
func FuzzDWConv(f *testing.F) {
	f.Add(uint8(14), uint8(14), uint8(3), uint8(3), uint8(1), uint8(1), uint8(116), uint8(0), uint8(116))
	f.Add(uint8(9), uint8(27), uint8(3), uint8(3), uint8(2), uint8(1), uint8(58), uint8(3), uint8(50))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(0), uint8(1), uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, h8, w8, kh8, kw8, s8, p8, c8, lo8, hi8 uint8) {
		h, wd := int(h8)%30+1, int(w8)%30+1
		kh, kw := int(kh8)%5+1, int(kw8)%5+1
		stride, pad := int(s8)%3+1, int(p8)%3
		c := int(c8)%80 + 1
		c0, c1 := int(lo8)%c, int(hi8)%c+1
		if c0 >= c1 {
			c0, c1 = c1-1, c0+1
		}
		sc := spatialCase{h, wd, kh, kw, stride, pad}
		if outSize(h, kh, stride, pad) < 1 || outSize(wd, kw, stride, pad) < 1 {
			return
		}
		g := sc.geom(c+int(p8)%5, c+int(s8)%4)
		r := rand.New(rand.NewPCG(uint64(h*wd), uint64(c)))
		wt, bias := randSlice(r, c*kh*kw), randSlice(r, c)
		in := randSlice(r, g.InH*g.InW*g.InStride)
		oy0, oy1 := g.OutH/3, g.OutH
		want := filled(g.OutH*g.OutW*g.OutStride, sentinel)
		refConv(in, want, wt, bias, c, c, c, kh, kw, g, c0, c1, oy0, oy1, ReLU6())
		pw := PackDW(wt, bias, c, kh, kw)
		forEachSet(t, func(t *testing.T, ks *Set) {
			got := filled(len(want), sentinel)
			ks.DWConv(in, got, pw, g, c0, c1, oy0, oy1, ReLU6())
			compare(t, "fuzz", got, want, tol)
		})
	})
}

// FuzzConv compares Conv (every supported kernel set) with the naive reference on fuzzed
// geometries and channel counts; rows up to 150 wide exercise the column chunking.
func FuzzConv(f *testing.F) {
	f.Add(uint8(8), uint8(20), uint8(3), uint8(2), uint8(1), uint8(3), uint8(24))
	f.Add(uint8(3), uint8(140), uint8(3), uint8(1), uint8(1), uint8(5), uint8(40))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(1), uint8(0), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, h8, w8, k8, s8, p8, cin8, cout8 uint8) {
		h, wd := int(h8)%10+1, int(w8)%150+1
		k := int(k8)%5 + 1
		stride, pad := int(s8)%3+1, int(p8)%3
		cin, cout := int(cin8)%17+1, int(cout8)%70+1
		sc := spatialCase{h, wd, k, k, stride, pad}
		if outSize(h, k, stride, pad) < 1 || outSize(wd, k, stride, pad) < 1 {
			return
		}
		g := sc.geom(cin+int(p8)%3, cout+int(s8)%5)
		r := rand.New(rand.NewPCG(uint64(h*wd), uint64(cin*cout)))
		wt, bias := randSlice(r, cout*cin*k*k), randSlice(r, cout)
		in := randSlice(r, g.InH*g.InW*g.InStride)
		want := filled(g.OutH*g.OutW*g.OutStride, sentinel)
		refConv(in, want, wt, bias, cin, cout, 1, k, k, g, 0, cout, 0, g.OutH, ReLU())
		pw := PackConv(wt, bias, cout, cin, k, k)
		forEachSet(t, func(t *testing.T, ks *Set) {
			got := filled(len(want), sentinel)
			ks.Conv(in, got, pw, g, 0, g.OutH, ReLU())
			compare(t, "fuzz", got, want, 1e-4)
		})
	})
}
