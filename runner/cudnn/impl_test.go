package cudnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/reference"
	"github.com/shufflelab/explorer/runner/weights"
)

// refConv is runner/reference's convolution (+ bias) of a packed NCHW
// input, followed by z (when non-nil) and the activation: the oracle of
// the implementation tests.
func refConv(t *testing.T, in, out arch.Shape, a arch.ConvAttr, w, b, x, z []float32, act actKind) []float64 {
	t.Helper()
	g := &arch.Graph{Tensors: []arch.Tensor{{Shape: in}, {Shape: out}},
		Ops: []arch.Op{{ID: "conv", Kind: arch.OpConv, Inputs: []arch.TensorID{0}, Outputs: []arch.TensorID{1}, Conv: a, Param: "c"}}}
	ws := weights.Set{"c.weight": weights.Tensor{Shape: []int{out.C, in.C / a.Groups, a.KH, a.KW}, Data: w}}
	if a.Bias {
		ws["c.bias"] = weights.Tensor{Shape: []int{out.C}, Data: b}
	}
	y := make([]float32, out.Elems())
	if err := reference.Op(g, &g.Ops[0], ws, [][]float32{x}, [][]float32{y}); err != nil {
		t.Fatal(err)
	}
	res := make([]float64, len(y))
	for i, v := range y {
		r := float64(v)
		if z != nil {
			r += float64(z[i])
		}
		res[i] = act64(act, r)
	}
	return res
}

func act64(a actKind, v float64) float64 {
	switch a {
	case actReLU:
		return math.Max(v, 0)
	case actReLU6:
		return math.Min(math.Max(v, 0), 6)
	}
	return v
}

// view is a tensor of shape s stored as channels [off, off+s.C) of a
// buffer holding ctot channels per image (a channel slot, as the fused
// lowering places concat inputs), with the buffer's data.
type view struct {
	d   desc
	buf []float64
}

func newView(bufIdx int, s arch.Shape, off, ctot int) view {
	l := loc{Buf: bufIdx, ChanOff: off, Ctot: ctot}
	return view{d: tdesc(l, s), buf: make([]float64, s.N*ctot*s.H*s.W)}
}

func (v view) idx(n, c, h, w int) int64 {
	d := v.d
	return d.Off + int64(n*d.Strides[0]+c*d.Strides[1]+h*d.Strides[2]+w*d.Strides[3])
}

// fill writes packed NCHW values into the view.
func (v view) fill(x []float32) {
	i := 0
	for n := range v.d.Dims[0] {
		for c := range v.d.Dims[1] {
			for h := range v.d.Dims[2] {
				for w := range v.d.Dims[3] {
					v.buf[v.idx(n, c, h, w)] = float64(x[i])
					i++
				}
			}
		}
	}
}

// ltRun executes g with cublasLtMatmul's documented semantics over Go
// buffers: D_b = epilogue(op(A) op(B_b) + Beta*C_b + bias), the bias added
// along each row of D, then the activation call where the plan asks for one.
func ltRun(g ltGemm, A, B, C, D []float64, aOff, bOff, cOff, dOff int64, bias []float64) {
	tmp := make([]float64, g.M*g.N)
	for b := range int(g.D.Batch) {
		for i := range g.M {
			for j := range g.N {
				s := 0.0
				for k := range g.K {
					var av, bv float64
					if g.TransA == ltOpT {
						av = A[aOff+g.A.at(b, k, i)]
					} else {
						av = A[aOff+g.A.at(b, i, k)]
					}
					if g.TransB == ltOpT {
						bv = B[bOff+g.B.at(b, j, k)]
					} else {
						bv = B[bOff+g.B.at(b, k, j)]
					}
					s += av * bv
				}
				if g.Beta != 0 {
					s += float64(g.Beta) * C[cOff+g.C.at(b, i, j)]
				}
				if g.Epilogue == ltEpilogueBias || g.Epilogue == ltEpilogueReLUB {
					s += bias[i]
				}
				if g.Epilogue == ltEpilogueReLUB || g.Epilogue == ltEpilogueReLU {
					s = math.Max(s, 0)
				}
				switch g.ActAfter {
				case actReLU:
					s = math.Max(s, 0)
				case actReLU6:
					s = math.Min(math.Max(s, 0), 6)
				}
				tmp[i*g.N+j] = s
			}
		}
		for i := range g.M {
			for j := range g.N {
				D[dOff+g.D.at(b, i, j)] = tmp[i*g.N+j]
			}
		}
	}
}

// checkSlot compares the output slot d of a buffer of n elements (read by
// at) with want (packed NCHW, within 1e-5 relative) and checks that every
// element outside the slot still holds the sentinel 99.
func checkSlot(t *testing.T, d desc, n int, at func(k int64) float64, want []float64) {
	t.Helper()
	v := view{d: d}
	inside := map[int64]bool{}
	i := 0
	for b := range d.Dims[0] {
		for c := range d.Dims[1] {
			for h := range d.Dims[2] {
				for w := range d.Dims[3] {
					k := v.idx(b, c, h, w)
					inside[k] = true
					if got := at(k); !(math.Abs(got-want[i]) <= 1e-5*math.Max(1, math.Abs(want[i]))) {
						t.Fatalf("y[%d,%d,%d,%d] = %g, want %g", b, c, h, w, got, want[i])
					}
					i++
				}
			}
		}
	}
	for k := range int64(n) {
		if !inside[k] && at(k) != 99 {
			t.Fatalf("element %d outside the output slot changed to %g", k, at(k))
		}
	}
}

// TestLtLayoutMatchesConv checks the cuBLASLt layout of a 1x1 convolution
// (row-major D so that the bias runs per output channel) against
// runner/reference on awkward shapes: odd channel counts, channel-slot
// views of wider buffers, batch > 1, a residual in another slot, every
// epilogue, both layouts. Outside the output slot nothing may change.
func TestLtLayoutMatchesConv(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	rnd := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(r.NormFloat64())
		}
		return out
	}
	for _, n := range []int{1, 3} {
		for _, act := range []actKind{actNone, actReLU, actReLU6} {
			for _, residual := range []bool{false, true} {
				for _, kind := range []callKind{callConv, callConvBiasAct} {
					if kind == callConv && (act != actNone || residual) {
						continue
					}
					for _, v := range []ltVariant{ltRowMajor, ltColInputs} {
						name := fmt.Sprintf("n%d/%s/act%d/res=%v/%s", n, kind, act, residual, v)
						t.Run(name, func(t *testing.T) {
							in := arch.Shape{N: n, C: 5, H: 3, W: 5}
							out := arch.Shape{N: n, C: 7, H: 3, W: 5}
							x := newView(0, in, 2, 9)
							y := newView(1, out, 3, 11)
							z := newView(2, out, 1, 8)
							w, b := rnd(out.C*in.C), rnd(out.C)
							xs, zs := rnd(int(in.Elems())), rnd(int(out.Elems()))
							x.fill(xs)
							z.fill(zs)
							for i := range y.buf {
								y.buf[i] = 99 // sentinel outside the slot
							}
							c := call{Kind: kind, X: x.d, Y: y.d, W: desc{Buf: 3, Dims: [4]int{out.C, in.C, 1, 1}},
								Conv: convAttr{StrideH: 1, StrideW: 1, Groups: 1}}
							var bias []float64
							var zref []float32
							a := arch.ConvAttr{KH: 1, KW: 1, Stride: 1, Groups: 1}
							if kind == callConvBiasAct {
								c.Act, c.B = act, desc{Buf: 4, Dims: [4]int{1, out.C, 1, 1}}
								a.Bias = true
								for _, v := range b {
									bias = append(bias, float64(v))
								}
								if residual {
									c.Z, c.Alpha2 = z.d, 1
									zref = zs
								}
							}
							if why := ltEligible(c); why != "" {
								t.Fatalf("not eligible: %s", why)
							}
							forms := ltBiasForms(c)
							if kind == callConvBiasAct && !residual && len(forms) < 2 {
								t.Fatalf("bias forms %v: no bias plane without a residual", forms)
							}
							for _, f := range forms {
								for i := range y.buf {
									y.buf[i] = 99
								}
								g := ltLayout(c, v, f)
								C, cOff := y.buf, y.d.Off
								switch {
								case g.Residual:
									C, cOff = z.buf, z.d.Off
								case g.BiasPlane:
									// The plane biasPlane uploads: each row
									// holds its channel's bias.
									hw := out.H * out.W
									C, cOff = make([]float64, out.C*hw), 0
									for i := range C {
										C[i] = bias[i/hw]
									}
								}
								w64 := make([]float64, len(w))
								for i, v := range w {
									w64[i] = float64(v)
								}
								ltRun(g, w64, x.buf, C, y.buf, 0, x.d.Off, cOff, y.d.Off, bias)
								want := refConv(t, in, out, a, w, b, xs, zref, act)
								checkSlot(t, y.d, len(y.buf), func(k int64) float64 { return y.buf[k] }, want)
							}
						})
					}
				}
			}
		}
	}
}

func TestEligibility(t *testing.T) {
	s := func(n, c, h, w int) arch.Shape { return arch.Shape{N: n, C: c, H: h, W: w} }
	packed := func(sh arch.Shape) desc { return tdesc(loc{Ctot: sh.C}, sh) }
	dw := func(stride, k, pad, groups int) call {
		in, out := s(2, 6, 9, 7), s(2, 6, (9+2*pad-k)/stride+1, (7+2*pad-k)/stride+1)
		return call{Kind: callConvBiasAct, X: packed(in), Y: packed(out), W: desc{Dims: [4]int{6, 6 / groups, k, k}},
			Conv: convAttr{PadH: pad, PadW: pad, StrideH: stride, StrideW: stride, Groups: groups}}
	}
	pw := func(stride, groups int) call {
		in, out := s(2, 6, 9, 7), s(2, 8, (9-1)/stride+1, (7-1)/stride+1)
		return call{Kind: callConv, X: packed(in), Y: packed(out), W: desc{Dims: [4]int{8, 6 / groups, 1, 1}},
			Conv: convAttr{StrideH: stride, StrideW: stride, Groups: groups}}
	}
	withZ := dw(1, 3, 1, 6)
	withZ.Z, withZ.Alpha2 = withZ.Y, 1
	gappy := pw(1, 1)
	gappy.Y.Strides[2] = 8 // rows not contiguous
	for _, tc := range []struct {
		name       string
		c          call
		dwOK, ltOK bool
	}{
		{"dw 3x3 s1", dw(1, 3, 1, 6), true, false},
		{"dw 3x3 s2", dw(2, 3, 1, 6), true, false},
		{"dw 3x3 s3", dw(3, 3, 1, 6), false, false},
		{"dw 5x5", dw(1, 5, 2, 6), false, false},
		{"grouped 3x3", dw(1, 3, 1, 3), false, false},
		{"dw with residual", withZ, false, false},
		{"1x1", pw(1, 1), false, true},
		{"1x1 s2", pw(2, 1), false, false},
		{"1x1 grouped", pw(1, 2), false, false},
		{"1x1 rows not contiguous", gappy, false, false},
		{"not a conv", call{Kind: callPool}, false, false},
	} {
		if got := dwEligible(tc.c) == ""; got != tc.dwOK {
			t.Errorf("%s: dwEligible = %q, want ok=%v", tc.name, dwEligible(tc.c), tc.dwOK)
		}
		if got := ltEligible(tc.c) == ""; got != tc.ltOK {
			t.Errorf("%s: ltEligible = %q, want ok=%v", tc.name, ltEligible(tc.c), tc.ltOK)
		}
	}
}

func TestDWLaunch(t *testing.T) {
	in, out := arch.Shape{N: 3, C: 7, H: 9, W: 5}, arch.Shape{N: 3, C: 7, H: 5, W: 3}
	c := call{Kind: callConvBiasAct, Act: actReLU6,
		X: tdesc(loc{ChanOff: 2, Ctot: 11}, in), Y: tdesc(loc{ChanOff: 0, Ctot: 14}, out),
		W: desc{Dims: [4]int{7, 1, 3, 3}}, Conv: convAttr{PadH: 1, PadW: 1, StrideH: 2, StrideW: 2, Groups: 7}}
	a := dwLaunch(c)
	// 3*7*5*3 = 315 outputs: 2 blocks of 256 threads.
	want := dwArgs{Stride: 2, N: 3, C: 7, H: 9, W: 5, OH: 5, OW: 3, XSN: 11 * 45, XSC: 45, YSN: 14 * 15, YSC: 15,
		Act: 2, Grid: 2, Block: 256, HasBias: true, Kernel: "explorer_dw3x3_s2", Total: 315}
	if a != want {
		t.Errorf("dwLaunch = %+v\nwant       %+v", a, want)
	}
	c.Kind, c.Conv.StrideH, c.Conv.StrideW = callConv, 1, 1
	if a := dwLaunch(c); a.Kernel != "explorer_dw3x3_s1" || a.Act != 0 || a.HasBias {
		t.Errorf("eager stride 1: %+v", a)
	}
}

func TestPtrAlign(t *testing.T) {
	for _, tc := range []struct {
		p     uintptr
		steps []int64
		want  uint32
	}{
		{0x1000, nil, 256},
		{0x1000 + 4*58, nil, 8},        // a 58-channel offset of floats
		{0x1000, []int64{4 * 49}, 4},   // rows of 49 floats
		{0x1000, []int64{4 * 784}, 64}, // 784 floats = 3136 bytes
		{0x1001, nil, 1},
	} {
		if got := ptrAlign(tc.p, tc.steps...); got != tc.want {
			t.Errorf("ptrAlign(%#x, %v) = %d, want %d", tc.p, tc.steps, got, tc.want)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		dw, gemm string
		want     Policy
		err      string
	}{
		{"", "", Policy{DWAuto, GEMMAuto}, ""},
		{"nvrtc", "cublaslt", Policy{DWNVRTC, GEMMLt}, ""},
		{"cudnn", "cudnn", Policy{DWCudnn, GEMMCudnn}, ""},
		{"fast", "", Policy{}, `EXPLORER_CUDNN_DW="fast": valid values are "auto", "nvrtc" and "cudnn"`},
		{"", "cublas", Policy{}, `EXPLORER_CUDNN_GEMM="cublas": valid values are "auto", "cublaslt" and "cudnn"`},
	} {
		got, err := ParsePolicy(tc.dw, tc.gemm)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParsePolicy(%q, %q) error = %v, want %q", tc.dw, tc.gemm, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParsePolicy(%q, %q) = %+v, %v", tc.dw, tc.gemm, got, err)
		}
	}
	if s := (Policy{DWNVRTC, GEMMAuto}).String(); s != "dw=nvrtc" {
		t.Errorf("String = %q", s)
	}
}
