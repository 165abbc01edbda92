package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// sentinel marks output elements a kernel must not write.
const sentinel = -7777.25

// --- naive references: float64, unpacked PyTorch layouts, obviously correct ---

func refAct(v float64, act Act) float32 {
	return float32(math.Min(math.Max(v, float64(act.Lo)), float64(act.Hi)))
}

// refGemm: c[i*ldc+j] = act(bias[j] + sum_p a[i*lda+p]*w[j*k+p]) for j in [n0,n1).
func refGemm(m, k int, a []float32, lda int, w, bias []float32, n0, n1 int, c []float32, ldc int, act Act) {
	for i := 0; i < m; i++ {
		for j := n0; j < n1; j++ {
			s := 0.0
			if bias != nil {
				s = float64(bias[j])
			}
			for p := 0; p < k; p++ {
				s += float64(a[i*lda+p]) * float64(w[j*k+p])
			}
			c[i*ldc+j] = refAct(s, act)
		}
	}
}

// refConv is a grouped conv (groups 1 = dense, groups = channels = depthwise) in NHWC with
// OIHW weights, computing output rows [oy0,oy1) and output channels [c0,c1).
func refConv(in, out []float32, w, bias []float32, cin, cout, groups, kh, kw int, g Geom, c0, c1, oy0, oy1 int, act Act) {
	icg, ocg := cin/groups, cout/groups
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; ox++ {
			for co := c0; co < c1; co++ {
				s := 0.0
				if bias != nil {
					s = float64(bias[co])
				}
				grp := co / ocg
				for ci := 0; ci < icg; ci++ {
					for ky := 0; ky < kh; ky++ {
						for kx := 0; kx < kw; kx++ {
							iy := oy*g.Stride - g.Pad + ky
							ix := ox*g.Stride - g.Pad + kx
							if iy < 0 || iy >= g.InH || ix < 0 || ix >= g.InW {
								continue
							}
							v := in[(iy*g.InW+ix)*g.InStride+grp*icg+ci]
							s += float64(v) * float64(w[((co*icg+ci)*kh+ky)*kw+kx])
						}
					}
				}
				out[(oy*g.OutW+ox)*g.OutStride+co] = refAct(s, act)
			}
		}
	}
}

// refPool is max or average pooling by definition (PyTorch semantics).
func refPool(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool) {
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; ox++ {
			for ch := 0; ch < c; ch++ {
				best, sum, n := math.Inf(-1), 0.0, 0
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						iy := oy*g.Stride - g.Pad + ky
						ix := ox*g.Stride - g.Pad + kx
						if iy < 0 || iy >= g.InH || ix < 0 || ix >= g.InW {
							continue
						}
						v := float64(in[(iy*g.InW+ix)*g.InStride+ch])
						best = math.Max(best, v)
						sum += v
						n++
					}
				}
				var r float64
				switch {
				case isMax:
					r = best
				case includePad:
					// PyTorch avg_pool2d: window clipped to [-pad, in+pad).
					hs, ws := oy*g.Stride-g.Pad, ox*g.Stride-g.Pad
					he, we := min(hs+k, g.InH+g.Pad), min(ws+k, g.InW+g.Pad)
					r = sum / float64((he-hs)*(we-ws))
				default:
					r = sum / float64(n)
				}
				out[(oy*g.OutW+ox)*g.OutStride+ch] = float32(r)
			}
		}
	}
}

// --- helpers ---

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

func filled(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// acts cycles through every activation, with a clamp that actually bites for None-like
// inputs in [-1, 1] sums (0.25 upper bound) so both sides of the clamp are exercised.
var acts = []Act{None(), ReLU(), ReLU6(), {Lo: -0.5, Hi: 0.25}}

// compare checks got against want elementwise; want holds sentinel where nothing may be written.
func compare(t *testing.T, name string, got, want []float32, tol float64) {
	t.Helper()
	bad := 0
	for i := range want {
		w, g := float64(want[i]), float64(got[i])
		if want[i] == sentinel {
			if got[i] != sentinel {
				t.Errorf("%s: element %d written (%v), must be untouched", name, i, got[i])
				bad++
			}
		} else if math.IsInf(w, 0) || math.IsInf(g, 0) {
			if w != g {
				t.Errorf("%s: element %d = %v, want %v", name, i, g, w)
				bad++
			}
		} else if math.Abs(g-w) > tol*(1+math.Abs(w)) || math.IsNaN(g) {
			t.Errorf("%s: element %d = %v, want %v", name, i, g, w)
			bad++
		}
		if bad > 5 {
			t.Fatalf("%s: too many errors", name)
		}
	}
}

// forEachSet runs f once per kernel set this CPU and build support, naming each subtest
// after the set and logging which set runs (so a test log shows the sets exercised).
func forEachSet(t *testing.T, f func(t *testing.T, ks *Set)) {
	t.Helper()
	for _, name := range Supported() {
		ks, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { f(t, ks) })
	}
}

// tol: float32 accumulation of up to ~600 products of values in [-1,1] (relative to 1+|want|).
const tol = 2e-5

// --- GEMM ---

type gemmCase struct{ m, n, k, n0, n1, lda, ldc int }

func gemmCases() []gemmCase {
	var cs []gemmCase
	ms := []int{1, 2, 3, 5, 6, 7, 11, 13, 14, 15, 17, 27, 29, 49, 67}
	ns := []int{1, 3, 16, 17, 31, 32, 33, 58, 67}
	ks := []int{1, 2, 7, 24, 58, 67}
	i := 0
	for _, m := range ms {
		for _, n := range ns {
			k := ks[i%len(ks)]
			i++
			cs = append(cs, gemmCase{m, n, k, 0, n, k, n})
			// sub-ranges of N and padded leading dimensions
			cs = append(cs, gemmCase{m, n, k, n / 3, n - n/4, k + 3, n + 5})
			if n > 32 {
				cs = append(cs, gemmCase{m, n, k, 32, n, k + 16, n + 1})
			}
		}
	}
	for _, k := range ks {
		cs = append(cs, gemmCase{15, 40, k, 0, 40, k, 40})
	}
	// ShuffleNetV2-like shapes (XNNPACK bench/models/shufflenet_v2_x10_gemm.txt style).
	cs = append(cs, gemmCase{49, 232, 232, 0, 232, 232, 464}, gemmCase{29, 1000, 64, 0, 1000, 64, 1000})
	// Panels whose columns lie in 8, 16 or 24 consecutive columns from an 8-column boundary
	// (the AVX-512 narrow tiles): [20,40) (16 columns from 16, then 8 from 0), [16,32),
	// [8,32) and [24,40) (24 from 8; 8 from 24 then 8 from 0), [9,23) (16 from 8), [12,13)
	// (8 from 8), and the 20-, 40- and 80-wide groups of ShuffleNet v1 1x g=3 (24, 8 and 16
	// columns in the last panel).
	cs = append(cs, gemmCase{43, 40, 24, 20, 40, 26, 41}, gemmCase{28, 48, 7, 16, 32, 7, 48},
		gemmCase{28, 64, 13, 8, 32, 13, 64}, gemmCase{29, 64, 13, 24, 40, 16, 70},
		gemmCase{28, 32, 5, 9, 23, 5, 32}, gemmCase{15, 32, 9, 12, 13, 9, 32},
		gemmCase{42, 20, 80, 0, 20, 240, 60}, gemmCase{56, 40, 160, 0, 40, 480, 120},
		gemmCase{70, 80, 320, 0, 80, 960, 240})
	// More 14-row tiles than one AVX-512 call takes (1200/K per call): 21 tiles, K = 67.
	cs = append(cs, gemmCase{300, 40, 67, 0, 40, 70, 40})
	// The pipelined 7-row AVX-512 kernel (full panels, K >= 8): K = 8 is its smallest K;
	// 1, 2 and 3 tiles plus a row tail end on either register set; M = 1410 at K = 24 is
	// 201 tiles, more than one call takes (2*1200/K = 100), leaving a 1-tile call.
	cs = append(cs, gemmCase{8, 58, 8, 0, 58, 8, 58}, gemmCase{15, 58, 8, 0, 58, 8, 58},
		gemmCase{22, 64, 8, 0, 64, 9, 64}, gemmCase{1410, 58, 24, 0, 58, 24, 64},
		gemmCase{23, 64, 24, 29, 64, 24, 128})
	return cs
}

func TestGemm(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) { checkGemmCases(t, ks.Gemm) })
}

// checkGemmCases runs every gemmCases case through gemm (a set's Gemm, or one of a set's
// GEMM walks) against refGemm, cycling the activations and leaving every third bias out.
func checkGemmCases(t *testing.T, gemm func(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act)) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for ci, tc := range gemmCases() {
		act := acts[ci%len(acts)]
		w := randSlice(r, tc.n*tc.k)
		var bias []float32
		if ci%3 != 0 {
			bias = randSlice(r, tc.n)
		}
		a := randSlice(r, (tc.m-1)*tc.lda+tc.k)
		want := filled((tc.m-1)*tc.ldc+tc.n, sentinel)
		got := filled(len(want), sentinel)
		refGemm(tc.m, tc.k, a, tc.lda, w, bias, tc.n0, tc.n1, want, tc.ldc, act)
		b := PackGemmB(w, tc.n, tc.k, bias)
		gemm(tc.m, a, tc.lda, b, tc.n0, tc.n1, got, tc.ldc, act)
		compare(t, fmt.Sprintf("%+v act=%v", tc, act), got, want, tol)
	}
}

// --- spatial kernels ---

type spatialCase struct {
	h, w, kh, kw, stride, pad int
}

func outSize(in, k, s, p int) int { return (in+2*p-k)/s + 1 }

func spatialCases() []spatialCase {
	var cs []spatialCase
	for _, hw := range [][2]int{{1, 1}, {2, 3}, {3, 2}, {5, 9}, {7, 7}, {8, 8}, {13, 4}, {3, 27}, {6, 24}} {
		// {1, 3} and {3, 1} with a pad of 1 or 2: windows with taps in only one direction
		// (whole window rows, or whole window columns, in the padding).
		for _, k := range [][2]int{{3, 3}, {1, 1}, {5, 5}, {1, 3}, {3, 1}} {
			for _, s := range []int{1, 2} {
				for _, p := range []int{0, 1, 2} {
					if p >= k[0] && p >= k[1] {
						continue
					}
					if outSize(hw[0], k[0], s, p) < 1 || outSize(hw[1], k[1], s, p) < 1 {
						continue
					}
					cs = append(cs, spatialCase{hw[0], hw[1], k[0], k[1], s, p})
				}
			}
		}
	}
	return cs
}

func (sc spatialCase) geom(inStride, outStride int) Geom {
	return Geom{InH: sc.h, InW: sc.w, InStride: inStride,
		OutH: outSize(sc.h, sc.kh, sc.stride, sc.pad), OutW: outSize(sc.w, sc.kw, sc.stride, sc.pad),
		OutStride: outStride, Stride: sc.stride, Pad: sc.pad}
}

func TestDWConv(t *testing.T) {
	chans := []int{1, 7, 16, 17, 33, 67}
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(3, 4))
		for si, sc := range spatialCases() {
			c := chans[si%len(chans)]
			for vi, view := range [][2]int{{0, c}, {c / 3, c - c/5}, {min(16, c-1), c}} {
				c0, c1 := view[0], view[1]
				act := acts[(si+vi)%len(acts)]
				g := sc.geom(c+vi*5, c+vi*3)
				oy0, oy1 := 0, g.OutH
				if vi == 1 {
					oy0, oy1 = g.OutH/3, g.OutH-g.OutH/4
				}
				w := randSlice(r, c*sc.kh*sc.kw)
				var bias []float32
				if vi != 2 {
					bias = randSlice(r, c)
				}
				in := randSlice(r, g.InH*g.InW*g.InStride)
				want := filled(g.OutH*g.OutW*g.OutStride, sentinel)
				got := filled(len(want), sentinel)
				refConv(in, want, w, bias, c, c, c, sc.kh, sc.kw, g, c0, c1, oy0, oy1, act)
				ks.DWConv(in, got, PackDW(w, bias, c, sc.kh, sc.kw), g, c0, c1, oy0, oy1, act)
				compare(t, fmt.Sprintf("%+v c=%d [%d,%d) rows [%d,%d) act=%v", sc, c, c0, c1, oy0, oy1, act), got, want, tol)
			}
		}
	})
}

func TestConv(t *testing.T) {
	couts := []int{1, 24, 33, 67, 32, 20, 58} // 20 and 58: partial blocks of 9..23 and 25..31 channels
	cins := []int{3, 1, 5, 16}
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(5, 6))
		for si, sc := range spatialCases() {
			cout, cin := couts[si%len(couts)], cins[si%len(cins)]
			act := acts[si%len(acts)]
			g := sc.geom(cin+si%2, cout+si%3)
			oy0, oy1 := 0, g.OutH
			if si%2 == 1 {
				oy0 = g.OutH / 2
			}
			w := randSlice(r, cout*cin*sc.kh*sc.kw)
			var bias []float32
			if si%4 != 0 {
				bias = randSlice(r, cout)
			}
			in := randSlice(r, g.InH*g.InW*g.InStride)
			want := filled(g.OutH*g.OutW*g.OutStride, sentinel)
			got := filled(len(want), sentinel)
			refConv(in, want, w, bias, cin, cout, 1, sc.kh, sc.kw, g, 0, cout, oy0, oy1, act)
			ks.Conv(in, got, PackConv(w, bias, cout, cin, sc.kh, sc.kw), g, oy0, oy1, act)
			compare(t, fmt.Sprintf("%+v cin=%d cout=%d rows [%d,%d) act=%v", sc, cin, cout, oy0, oy1, act), got, want, tol)
		}
	})
}

// TestConvLongPatches covers patches (KH*KW*Cin taps) that fill the generic kernel's im2col
// buffer (convPatchBuf = 2048 floats) in chunks of 2 and 1 output pixels, a chunk boundary
// inside a row, and patches longer than the buffer (the direct path), on every set: the
// ShuffleNet stems (3x3x3 = 27 taps) never reach these.
func TestConvLongPatches(t *testing.T) {
	cases := []struct{ cin, cout, hw, stride int }{
		{100, 20, 9, 1}, // 900 taps: 2 pixels per chunk, 9 columns = 4 chunks + 1
		{150, 33, 6, 2}, // 1350 taps: 1 pixel per chunk
		{227, 8, 5, 1},  // 2043 taps: just fits
		{250, 40, 5, 2}, // 2250 taps: direct path
		{240, 1, 4, 1},  // 2160 taps, one output channel
	}
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, tc := range cases {
			g := Geom{InH: tc.hw, InW: tc.hw, InStride: tc.cin + 1, Stride: tc.stride, Pad: 1}
			g.OutH, g.OutW, g.OutStride = outSize(tc.hw, 3, tc.stride, 1), outSize(tc.hw, 3, tc.stride, 1), tc.cout+2
			w, bias := randSlice(r, tc.cout*tc.cin*9), randSlice(r, tc.cout)
			in := randSlice(r, g.InH*g.InW*g.InStride)
			want := filled(g.OutH*g.OutW*g.OutStride, sentinel)
			got := filled(len(want), sentinel)
			refConv(in, want, w, bias, tc.cin, tc.cout, 1, 3, 3, g, 0, tc.cout, 0, g.OutH, ReLU())
			ks.Conv(in, got, PackConv(w, bias, tc.cout, tc.cin, 3, 3), g, 0, g.OutH, ReLU())
			// sums of up to 2250 products of values in [-1,1]: float32 rounding grows with K
			compare(t, fmt.Sprintf("cin=%d cout=%d", tc.cin, tc.cout), got, want, 1e-4)
		}
	})
}

func TestPools(t *testing.T) {
	chans := []int{1, 3, 16, 24, 33, 67}
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(7, 8))
		for si, sc := range spatialCases() {
			if sc.kh != sc.kw || sc.pad > sc.kh/2 {
				continue // pools are square; PyTorch requires pad <= k/2
			}
			c := chans[si%len(chans)]
			g := sc.geom(c+si%3, c+si%2)
			oy0, oy1 := 0, g.OutH
			if si%2 == 1 {
				oy0, oy1 = g.OutH/2, g.OutH
			}
			in := randSlice(r, g.InH*g.InW*g.InStride)
			name := fmt.Sprintf("%+v c=%d rows [%d,%d)", sc, c, oy0, oy1)
			for _, mode := range []string{"max", "avg", "avg-include-pad"} {
				want := filled(g.OutH*g.OutW*g.OutStride, sentinel)
				got := filled(len(want), sentinel)
				refPool(in, want, g, sc.kh, c, oy0, oy1, mode == "max", mode == "avg-include-pad")
				if mode == "max" {
					ks.MaxPool(in, got, g, sc.kh, c, oy0, oy1)
				} else {
					ks.AvgPool(in, got, g, sc.kh, c, oy0, oy1, mode == "avg-include-pad")
				}
				compare(t, mode+" "+name, got, want, 1e-6)
			}
		}
	})
}

func TestGlobalAvgPool(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, tc := range []struct{ pixels, stride, c int }{
			{1, 1, 1}, {49, 1024, 1024}, {7, 20, 17}, {3, 67, 67}, {64, 40, 33}, {5, 16, 16}, {2, 130, 129},
		} {
			in := randSlice(r, (tc.pixels-1)*tc.stride+tc.c)
			want := filled(tc.c+3, sentinel)
			got := filled(tc.c+3, sentinel)
			for j := 0; j < tc.c; j++ {
				s := 0.0
				for p := 0; p < tc.pixels; p++ {
					s += float64(in[p*tc.stride+j])
				}
				want[j] = float32(s / float64(tc.pixels))
			}
			ks.GlobalAvgPool(in, tc.pixels, tc.stride, tc.c, got)
			compare(t, fmt.Sprintf("%+v", tc), got, want, 1e-5)
		}
	})
}

// TestLookup checks the kernel-set names: auto is the best supported set, every supported
// name resolves to itself, an unknown name and a set of another architecture are refused
// with a reason, and every supported set is one of Names.
func TestLookup(t *testing.T) {
	best, err := Lookup("auto")
	if err != nil || best != Best() || best.Name() != Supported()[0] {
		t.Fatalf("Lookup(auto) = %v, %v; want %s", best, err, Supported()[0])
	}
	if s, err := Lookup(""); err != nil || s != best {
		t.Fatalf(`Lookup("") = %v, %v; want %s`, s, err, best)
	}
	for _, name := range Supported() {
		if !slices.Contains(Names(), name) {
			t.Errorf("supported set %q is not in Names() %v", name, Names())
		}
		if s, err := Lookup(name); err != nil || s.Name() != name {
			t.Errorf("Lookup(%q) = %v, %v", name, s, err)
		}
	}
	if Supported()[len(Supported())-1] != "generic" || Generic().Name() != "generic" {
		t.Errorf("Supported() = %v, want generic last", Supported())
	}
	type refusal struct{ name, reason string }
	cases := []refusal{{"sse9", "unknown kernel set"}}
	switch runtime.GOARCH {
	case "amd64":
		cases = append(cases, refusal{"neon", "neon needs arm64"})
	case "arm64":
		cases = append(cases, refusal{"avx512", "avx512 needs amd64"}, refusal{"avx2", "avx2 needs amd64"})
	default:
		cases = append(cases, refusal{"neon", "neon needs arm64"}, refusal{"avx2", "avx2 needs amd64"})
	}
	for _, c := range cases {
		_, err := Lookup(c.name)
		var le *LookupError
		if !errors.As(err, &le) || !strings.Contains(le.Reason, c.reason) || !strings.Contains(err.Error(), "auto|avx512|avx2|neon|generic") {
			t.Errorf("Lookup(%q) = %v, want a LookupError with %q and the valid names", c.name, err, c.reason)
		}
	}
	// Every name of the project is either supported here or refused with a reason.
	for _, name := range Names() {
		if _, err := Lookup(name); err != nil && slices.Contains(Supported(), name) {
			t.Errorf("Lookup(%q) = %v for a supported set", name, err)
		}
	}
}

// TestZeroAllocs checks that no kernel allocates per call (design.md sec. 6: zero allocations
// per inference on the hot path).
func TestZeroAllocs(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(11, 12))
		b := PackGemmB(randSlice(r, 58*24), 58, 24, randSlice(r, 58))
		a, c := randSlice(r, 30*24), make([]float32, 30*58)
		g := Geom{InH: 8, InW: 8, InStride: 24, OutH: 4, OutW: 4, OutStride: 24, Stride: 2, Pad: 1}
		in, out := randSlice(r, 8*8*24), make([]float32, 4*4*24)
		dw := PackDW(randSlice(r, 24*9), nil, 24, 3, 3)
		cv := PackConv(randSlice(r, 24*24*9), nil, 24, 24, 3, 3)
		rif := NewPermutation(riffle(24, 3))
		for name, f := range map[string]func(){
			"Gemm":          func() { ks.Gemm(30, a, 24, b, 0, 58, c, 58, ReLU()) },
			"DWConv":        func() { ks.DWConv(in, out, dw, g, 0, 24, 0, 4, None()) },
			"Conv":          func() { ks.Conv(in, out, cv, g, 0, 4, ReLU()) },
			"MaxPool":       func() { ks.MaxPool(in, out, g, 3, 24, 0, 4) },
			"AvgPool":       func() { ks.AvgPool(in, out, g, 3, 24, 0, 4, false) },
			"GlobalAvgPool": func() { ks.GlobalAvgPool(in, 64, 24, 24, out) },
			"ChannelAffine": func() { ks.ChannelAffine(in, 24, in, 24, 64, 24, dw.data[:24], dw.data[24:48], ReLU6()) },
			"Interleave3":   func() { ks.Interleave3(in[:3*40], a[:40], a[40:80], a[80:120]) },
			"AddClamp":      func() { ks.AddClamp(out, 24, in, 24, 16, 24, ReLU()) },
			"Permute":       func() { ks.PermuteChannels(in, 24, out, 24, 16, rif) },
		} {
			if n := testing.AllocsPerRun(20, f); n != 0 {
				t.Errorf("%s allocates %v times per call", name, n)
			}
		}
	})
}

// TestShortBuffersPanic checks that every entry point rejects buffers too short for the
// requested views before any kernel (assembly included) touches memory.
func TestShortBuffersPanic(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	b := PackGemmB(randSlice(r, 40*8), 40, 8, nil)
	g := Geom{InH: 5, InW: 5, InStride: 20, OutH: 3, OutW: 3, OutStride: 20, Stride: 2, Pad: 1}
	in, out := make([]float32, 5*5*20), make([]float32, 3*3*20)
	dw := PackDW(randSlice(r, 20*9), nil, 20, 3, 3)
	cv := PackConv(randSlice(r, 20*20*9), nil, 20, 20, 3, 3)
	cases := func(ks *Set) map[string]func() {
		return map[string]func(){
			"Gemm short a":           func() { ks.Gemm(3, make([]float32, 2*10+7), 10, b, 0, 40, make([]float32, 3*40), 40, None()) },
			"Gemm short c":           func() { ks.Gemm(3, make([]float32, 3*8), 8, b, 0, 40, make([]float32, 2*40+39), 40, None()) },
			"Gemm n1 > N":            func() { ks.Gemm(1, make([]float32, 8), 8, b, 0, 41, make([]float32, 41), 41, None()) },
			"Gemm lda < K":           func() { ks.Gemm(2, make([]float32, 16), 7, b, 0, 40, make([]float32, 80), 40, None()) },
			"DWConv short in":        func() { ks.DWConv(in[:len(in)-1], out, dw, g, 0, 20, 0, 3, None()) },
			"DWConv short out":       func() { ks.DWConv(in, out[:len(out)-1], dw, g, 0, 20, 0, 3, None()) },
			"DWConv c1 > C":          func() { ks.DWConv(in, out, dw, g, 0, 21, 0, 3, None()) },
			"DWConv oy1 > OutH":      func() { ks.DWConv(in, out, dw, g, 0, 20, 0, 4, None()) },
			"Conv short in":          func() { ks.Conv(in[:len(in)-1], out, cv, g, 0, 3, None()) },
			"Conv stride < Cout":     func() { ks.Conv(in, out, cv, Geom{5, 5, 20, 3, 3, 19, 2, 1}, 0, 3, None()) },
			"MaxPool short out":      func() { ks.MaxPool(in, out[:len(out)-1], g, 3, 20, 0, 3) },
			"AvgPool short in":       func() { ks.AvgPool(in[:len(in)-1], out, g, 3, 20, 0, 3, true) },
			"GlobalAvgPool short in": func() { ks.GlobalAvgPool(in[:99], 5, 20, 20, out) },
			"AddClamp short out":     func() { ks.AddClamp(out[:len(out)-1], 20, in, 20, 9, 20, None()) },
			"AddClamp short add":     func() { ks.AddClamp(out, 20, in[:8*20+19], 20, 9, 20, None()) },
			"AddClamp stride < c":    func() { ks.AddClamp(out, 20, in, 19, 9, 20, None()) },
			"Permute short in":       func() { ks.PermuteChannels(in[:8*20+19], 20, out, 20, 9, NewPermutation(riffle(20, 4))) },
			"Permute short out":      func() { ks.PermuteChannels(in, 20, out[:8*20+19], 20, 9, NewPermutation(riffle(20, 4))) },
			"Permute idx >= stride":  func() { ks.PermuteChannels(in, 20, out, 20, 9, NewPermutation([]int32{3, 20})) },
			"Permute idx < 0":        func() { NewPermutation([]int32{-1}) },
		}
	}
	forEachSet(t, func(t *testing.T, ks *Set) {
		for name, f := range cases(ks) {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic", name)
					}
				}()
				f()
			}()
		}
	})
}

func TestChannelAffine(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(15, 16))
		for ci, tc := range []struct{ pixels, c, is, os int }{
			{1, 1, 1, 1}, {7, 16, 16, 16}, {5, 17, 20, 17}, {3, 58, 116, 64}, {49, 232, 232, 240}, {2, 67, 67, 70},
		} {
			for _, affine := range []bool{true, false} {
				act := acts[ci%len(acts)]
				var scale, shift []float32
				if affine {
					scale, shift = randSlice(r, tc.c), randSlice(r, tc.c)
				}
				in := randSlice(r, (tc.pixels-1)*tc.is+tc.c)
				want := filled((tc.pixels-1)*tc.os+tc.c+5, sentinel)
				got := filled(len(want), sentinel)
				for p := 0; p < tc.pixels; p++ {
					for j := 0; j < tc.c; j++ {
						v := float64(in[p*tc.is+j])
						if affine {
							v = v*float64(scale[j]) + float64(shift[j])
						}
						want[p*tc.os+j] = refAct(v, act)
					}
				}
				ks.ChannelAffine(in, tc.is, got, tc.os, tc.pixels, tc.c, scale, shift, act)
				compare(t, fmt.Sprintf("%+v affine=%v act=%v", tc, affine, act), got, want, 1e-6)
			}
		}
		// In place.
		in := randSlice(r, 10*20)
		want := make([]float32, len(in))
		for i, v := range in {
			want[i] = refAct(float64(v), ReLU())
		}
		ks.ChannelAffine(in, 20, in, 20, 10, 20, nil, nil, ReLU())
		compare(t, "in place", in, want, 0)
	})
}

// TestInterleave3 checks the planar-to-packed conversion by its definition on lengths around
// the 16-pixel vector and the asm call block (interleave3Block), and that nothing past
// 3*len(a) is written.
func TestInterleave3(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(17, 18))
		for _, n := range []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 67, 1 << 14, 1<<14 + 37} {
			a, b, c := randSlice(r, n), randSlice(r, n+3), randSlice(r, n+1)
			want := filled(3*n+5, sentinel)
			got := filled(len(want), sentinel)
			for i := 0; i < n; i++ {
				want[3*i], want[3*i+1], want[3*i+2] = a[i], b[i], c[i]
			}
			ks.Interleave3(got, a, b, c)
			compare(t, fmt.Sprintf("n=%d", n), got, want, 0)
		}
	})
}

// TestAddClamp checks the residual-add epilogue against a float64 reference on strided
// views whose channel counts are below, at and above whole vectors (16 lanes avx512, 8 avx2)
// and on the widths of the networks (58, 232, 240 from ShuffleNetV2; 80 per ShuffleNet v1 g=3
// group), with every activation; elements between pixels must stay untouched.
func TestAddClamp(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(17, 18))
		for ci, tc := range []struct{ pixels, c, os, as int }{
			{1, 1, 1, 1}, {7, 16, 16, 16}, {5, 17, 20, 17}, {3, 58, 116, 64}, {49, 232, 232, 240},
			{2, 67, 67, 70}, {33, 32, 48, 32}, {9, 80, 240, 96}, {4, 15, 15, 31},
		} {
			act := acts[ci%len(acts)]
			add := randSlice(r, (tc.pixels-1)*tc.as+tc.c)
			got := filled((tc.pixels-1)*tc.os+tc.c+5, sentinel)
			want := filled(len(got), sentinel)
			for p := 0; p < tc.pixels; p++ {
				for j := 0; j < tc.c; j++ {
					v := r.Float32()*2 - 1
					got[p*tc.os+j] = v
					want[p*tc.os+j] = refAct(float64(v)+float64(add[p*tc.as+j]), act)
				}
			}
			ks.AddClamp(got, tc.os, add, tc.as, tc.pixels, tc.c, act)
			compare(t, fmt.Sprintf("%+v act=%v", tc, act), got, want, 1e-6)
		}
	})
}

// riffle is the source index of each output channel of a channel shuffle with g groups of
// c/g channels (ShuffleNet, Zhang et al. 2018, section 3.1: reshape to (g, c/g), transpose,
// flatten): output a*g+b reads input b*(c/g)+a.
func riffle(c, g int) []int32 {
	n := c / g
	idx := make([]int32, c)
	for a := range n {
		for b := range g {
			idx[a*g+b] = int32(b*n + a)
		}
	}
	return idx
}

// TestPermuteChannels checks the channel gather on riffles (ShuffleNet v1 g=3 widths 30, 60,
// 240; ShuffleNetV2's g=2 of 116), on a reversed, offset index list and on one with repeated
// indices, below, at and above whole vectors, with padded strides; elements between pixels
// must stay untouched.
func TestPermuteChannels(t *testing.T) {
	reversed := func(c, off int) []int32 {
		idx := make([]int32, c)
		for j := range idx {
			idx[j] = int32(off + c - 1 - j)
		}
		return idx
	}
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(19, 20))
		for _, tc := range []struct {
			name           string
			pixels, is, os int
			idx            []int32
		}{
			{"one", 3, 1, 1, []int32{0}},
			{"riffle 30/3", 7, 32, 30, riffle(30, 3)},
			{"riffle 60/3", 5, 64, 64, riffle(60, 3)},
			{"riffle 240/3", 4, 240, 240, riffle(240, 3)},
			{"riffle 116/2", 6, 128, 116, riffle(116, 2)},
			{"reversed 17+5", 9, 40, 17, reversed(17, 5)},
			{"reversed 16", 2, 16, 33, reversed(16, 0)},
			{"repeats 40", 5, 37, 40, append(reversed(20, 17), riffle(20, 4)...)},
			{"riffle 240/3 wide", 3, 300, 256, riffle(240, 3)},
		} {
			span := 0
			for _, i := range tc.idx {
				span = max(span, int(i)+1)
			}
			in := randSlice(r, (tc.pixels-1)*tc.is+span)
			c := len(tc.idx)
			got := filled((tc.pixels-1)*tc.os+c+5, sentinel)
			want := filled(len(got), sentinel)
			for p := 0; p < tc.pixels; p++ {
				for j, i := range tc.idx {
					want[p*tc.os+j] = in[p*tc.is+int(i)]
				}
			}
			ks.PermuteChannels(in, tc.is, got, tc.os, tc.pixels, NewPermutation(tc.idx))
			compare(t, tc.name, got, want, 0)
		}
	})
}

// TestGemmActs runs every activation through the 14-row tiles of each width (8, 16, 24 and
// 32 columns, the AVX-512 narrow variants): TestGemm cycles the activations over its cases,
// so a given tile width alone may meet only some of them.
func TestGemmActs(t *testing.T) {
	forEachSet(t, func(t *testing.T, ks *Set) {
		cases := []gemmCase{
			{28, 32, 5, 12, 20, 5, 32},  // 8 columns from 8
			{28, 48, 7, 16, 32, 7, 48},  // 16 columns from 16
			{28, 64, 13, 8, 32, 13, 64}, // 24 columns from 8
			{29, 58, 24, 0, 58, 24, 58}, // 32 and 26 columns (ShuffleNetV2 1.0x stage 2)
		}
		r := rand.New(rand.NewPCG(3, 4))
		for _, tc := range cases {
			for _, act := range acts {
				w := randSlice(r, tc.n*tc.k)
				bias := randSlice(r, tc.n)
				a := randSlice(r, (tc.m-1)*tc.lda+tc.k)
				want := filled((tc.m-1)*tc.ldc+tc.n, sentinel)
				got := filled(len(want), sentinel)
				refGemm(tc.m, tc.k, a, tc.lda, w, bias, tc.n0, tc.n1, want, tc.ldc, act)
				b := PackGemmB(w, tc.n, tc.k, bias)
				ks.Gemm(tc.m, a, tc.lda, b, tc.n0, tc.n1, got, tc.ldc, act)
				compare(t, fmt.Sprintf("%+v act=%v", tc, act), got, want, tol)
			}
		}
	})
}

// TestMain prints the kernel sets the package's tests run (forEachSet runs
// every supported set), so a test log names them.
func TestMain(m *testing.M) {
	fmt.Printf("runner/kernels tests: kernel sets %v on %s (auto: kernel set %s)\n", Supported(), runtime.GOARCH, Best().Name())
	os.Exit(m.Run())
}

// TestGemmColumnWindows runs every column window [n0,n1) of a 40-column GEMM (two panels: a
// full one and one of 8 columns) for K = 1..5 (no, one and two unrolled steps, with and
// without the odd-K tail of the generic 1x8 tile) and 1 or 3 rows, on every set: each 8-column
// group of the generic tile may be cut on the left, the right or both, and nothing outside
// the window may be written.
func TestGemmColumnWindows(t *testing.T) {
	const n = 40
	forEachSet(t, func(t *testing.T, ks *Set) {
		r := rand.New(rand.NewPCG(31, 32))
		for k := 1; k <= 5; k++ {
			w, bias := randSlice(r, n*k), randSlice(r, n)
			b := PackGemmB(w, n, k, bias)
			for _, m := range []int{1, 3} {
				a := randSlice(r, (m-1)*(k+1)+k)
				for n0 := 0; n0 < n; n0++ {
					for n1 := n0 + 1; n1 <= n; n1++ {
						want := filled((m-1)*(n+3)+n, sentinel)
						got := filled(len(want), sentinel)
						refGemm(m, k, a, k+1, w, bias, n0, n1, want, n+3, ReLU6())
						ks.Gemm(m, a, k+1, b, n0, n1, got, n+3, ReLU6())
						compare(t, fmt.Sprintf("k=%d m=%d [%d,%d)", k, m, n0, n1), got, want, tol)
					}
				}
			}
		}
	})
}
