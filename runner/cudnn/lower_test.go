package cudnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// testWeights returns deterministic random weights for every tensor g
// needs, with batch-norm statistics away from the identity so that folding
// is exercised.
func testWeights(g *arch.Graph, seed uint64) weights.Set {
	r := rand.New(rand.NewPCG(seed, 7))
	w := weights.Set{}
	vec := func(name string, n int, lo, hi float64) {
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(lo + (hi-lo)*r.Float64())
		}
		w[name] = weights.Tensor{Shape: []int{n}, Data: d}
	}
	for i := range g.Ops {
		op := &g.Ops[i]
		switch op.Kind {
		case arch.OpConv, arch.OpFC:
			in, out := g.In(op, 0), g.Out(op, 0)
			shape := []int{out.C, in.C, 1, 1}
			bias := op.FCBias
			if op.Kind == arch.OpConv {
				shape = []int{out.C, in.C / op.Conv.Groups, op.Conv.KH, op.Conv.KW}
				bias = op.Conv.Bias
			} else {
				shape = shape[:2]
			}
			n := 1
			for _, d := range shape {
				n *= d
			}
			sd := math.Sqrt(2 / float64(n/shape[0]))
			d := make([]float32, n)
			for j := range d {
				d[j] = float32(sd * r.NormFloat64())
			}
			w[op.Param+".weight"] = weights.Tensor{Shape: shape, Data: d}
			if bias {
				vec(op.Param+".bias", out.C, -0.2, 0.2)
			}
		case arch.OpBatchNorm:
			c := g.In(op, 0).C
			vec(op.Param+".weight", c, 0.5, 1.5)
			vec(op.Param+".bias", c, -0.2, 0.2)
			vec(op.Param+".running_mean", c, -0.2, 0.2)
			vec(op.Param+".running_var", c, 0.5, 2)
		}
	}
	return w
}

// ---- reference: the graph evaluated op by op on packed float64 tensors ----

type ref struct {
	s arch.Shape
	d []float64
}

func (t ref) at(n, c, h, w int) float64 { return t.d[((n*t.s.C+c)*t.s.H+h)*t.s.W+w] }

func newRef(s arch.Shape) ref { return ref{s, make([]float64, s.Elems())} }

func f64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// evalRef runs the graph the way PyTorch defines each op.
// checkOutput fails t at the first output that differs from the float64
// reference want by more than rtol times want's largest magnitude (a NaN
// fails too); what prefixes the message ("run 2: ").
func checkOutput[T float32 | float64](t *testing.T, what string, got []T, want []float64, rtol float64) {
	t.Helper()
	scale := 0.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= rtol*scale) {
			t.Fatalf("%soutput[%d] = %g, want %g (|diff| %g, max |want| %g)", what, i, got[i], want[i], d, scale)
		}
	}
}

func evalRef(t *testing.T, g *arch.Graph, w weights.Set, input []float64) []float64 {
	t.Helper()
	vals := make([]ref, len(g.Tensors))
	vals[g.Input] = ref{g.Tensors[g.Input].Shape, input}
	for i := range g.Ops {
		op := &g.Ops[i]
		x := vals[op.Inputs[0]]
		var y ref
		if len(op.Outputs) == 1 {
			y = newRef(g.Tensors[op.Outputs[0]].Shape)
		}
		s := y.s
		switch op.Kind {
		case arch.OpConv:
			a := op.Conv
			wt := f64(w[op.Param+".weight"].Data)
			cpg, opg := x.s.C/a.Groups, s.C/a.Groups
			var b []float64
			if a.Bias {
				b = f64(w[op.Param+".bias"].Data)
			}
			for n := 0; n < s.N; n++ {
				for o := 0; o < s.C; o++ {
					grp := o / opg
					for h := 0; h < s.H; h++ {
						for ww := 0; ww < s.W; ww++ {
							acc := 0.0
							if b != nil {
								acc = b[o]
							}
							for ci := 0; ci < cpg; ci++ {
								for kh := 0; kh < a.KH; kh++ {
									for kw := 0; kw < a.KW; kw++ {
										ih, iw := h*a.Stride-a.Pad+kh, ww*a.Stride-a.Pad+kw
										if ih < 0 || iw < 0 || ih >= x.s.H || iw >= x.s.W {
											continue
										}
										acc += wt[((o*cpg+ci)*a.KH+kh)*a.KW+kw] * x.at(n, grp*cpg+ci, ih, iw)
									}
								}
							}
							y.d[((n*s.C+o)*s.H+h)*s.W+ww] = acc
						}
					}
				}
			}
		case arch.OpBatchNorm:
			gm, bt := f64(w[op.Param+".weight"].Data), f64(w[op.Param+".bias"].Data)
			mu, vr := f64(w[op.Param+".running_mean"].Data), f64(w[op.Param+".running_var"].Data)
			for i := range y.d {
				c := (i / (s.H * s.W)) % s.C
				y.d[i] = (x.d[i]-mu[c])/math.Sqrt(vr[c]+op.Eps)*gm[c] + bt[c]
			}
		case arch.OpReLU:
			for i := range y.d {
				y.d[i] = math.Max(x.d[i], 0)
			}
		case arch.OpReLU6:
			for i := range y.d {
				y.d[i] = math.Min(math.Max(x.d[i], 0), 6)
			}
		case arch.OpAdd:
			for _, in := range op.Inputs {
				for i := range y.d {
					y.d[i] += vals[in].d[i]
				}
			}
		case arch.OpSplit:
			off := 0
			for _, o := range op.Outputs {
				ys := g.Tensors[o].Shape
				r := newRef(ys)
				for n := 0; n < ys.N; n++ {
					copy(r.d[n*ys.C*ys.H*ys.W:(n+1)*ys.C*ys.H*ys.W], x.d[(n*x.s.C+off)*x.s.H*x.s.W:])
				}
				vals[o] = r
				off += ys.C
			}
			continue
		case arch.OpConcat:
			hw := s.H * s.W
			for n := 0; n < s.N; n++ {
				off := 0
				for _, in := range op.Inputs {
					v := vals[in]
					copy(y.d[(n*s.C+off)*hw:], v.d[n*v.s.C*hw:(n+1)*v.s.C*hw])
					off += v.s.C
				}
			}
		case arch.OpShuffle:
			hw := s.H * s.W
			for n := 0; n < s.N; n++ {
				for c, p := range op.Perm {
					copy(y.d[(n*s.C+c)*hw:(n*s.C+c+1)*hw], x.d[(n*s.C+p)*hw:])
				}
			}
		case arch.OpMaxPool, arch.OpAvgPool, arch.OpGlobalAvgPool:
			k, st, pad := op.Pool.K, op.Pool.Stride, op.Pool.Pad
			if op.Kind == arch.OpGlobalAvgPool {
				k, st, pad = x.s.H, 1, 0
			}
			for n := 0; n < s.N; n++ {
				for c := 0; c < s.C; c++ {
					for h := 0; h < s.H; h++ {
						for ww := 0; ww < s.W; ww++ {
							m, sum, cnt := math.Inf(-1), 0.0, 0
							for kh := 0; kh < k; kh++ {
								for kw := 0; kw < k; kw++ {
									ih, iw := h*st-pad+kh, ww*st-pad+kw
									if ih < 0 || iw < 0 || ih >= x.s.H || iw >= x.s.W {
										continue
									}
									v := x.at(n, c, ih, iw)
									m, sum, cnt = math.Max(m, v), sum+v, cnt+1
								}
							}
							v := m
							if op.Kind != arch.OpMaxPool {
								if op.Kind == arch.OpGlobalAvgPool || op.Pool.CountIncludePad {
									cnt = k * k
									if op.Kind == arch.OpGlobalAvgPool {
										cnt = x.s.H * x.s.W
									}
								}
								v = sum / float64(cnt)
							}
							y.d[((n*s.C+c)*s.H+h)*s.W+ww] = v
						}
					}
				}
			}
		case arch.OpFC:
			wt := f64(w[op.Param+".weight"].Data)
			for n := 0; n < s.N; n++ {
				for o := 0; o < s.C; o++ {
					acc := 0.0
					if op.FCBias {
						acc = float64(w[op.Param+".bias"].Data[o])
					}
					for c := 0; c < x.s.C; c++ {
						acc += wt[o*x.s.C+c] * x.d[n*x.s.C+c]
					}
					y.d[n*s.C+o] = acc
				}
			}
		default:
			t.Fatalf("reference: op kind %s", op.Kind)
		}
		vals[op.Outputs[0]] = y
	}
	return vals[g.Output].d
}

// ---- the fake executor: runs calls with cuDNN/cuBLAS semantics on the CPU ----

// emulator executes lowered calls on float64 buffers with the documented
// semantics of each library call, addressing every tensor through its
// strided descriptor exactly as cuDNN would. It also records the calls.
type emulator struct {
	bufs [][]float64
	log  []string
}

func newEmulator(l *lowered) *emulator {
	e := &emulator{}
	for _, b := range l.Bufs {
		d := make([]float64, b.Elems)
		if b.Data != nil {
			copy(d, f64(b.Data))
		}
		e.bufs = append(e.bufs, d)
	}
	return e
}

func (e *emulator) ptr(d desc, n, c, h, w int) *float64 {
	i := d.Off + int64(n*d.Strides[0]+c*d.Strides[1]+h*d.Strides[2]+w*d.Strides[3])
	return &e.bufs[d.Buf][i]
}

func (e *emulator) run(t *testing.T, l *lowered) {
	t.Helper()
	for _, c := range l.Calls {
		e.log = append(e.log, c.Kind.String())
		e.exec(t, c)
	}
}

func act(a actKind, v float64) float64 {
	switch a {
	case actReLU:
		return math.Max(v, 0)
	case actReLU6:
		return math.Min(math.Max(v, 0), 6)
	}
	return v
}

func (e *emulator) exec(t *testing.T, c call) {
	t.Helper()
	Y := c.Y.Dims
	switch c.Kind {
	case callConv, callConvBiasAct:
		X, W, a := c.X.Dims, c.W.Dims, c.Conv
		if W[1]*a.Groups != X[1] || W[0] != Y[1] || X[0] != Y[0] {
			t.Fatalf("conv dims x %v w %v y %v groups %d", X, W, Y, a.Groups)
		}
		opg := Y[1] / a.Groups
		out := make([]float64, 0, Y[0]*Y[1]*Y[2]*Y[3])
		for n := 0; n < Y[0]; n++ {
			for o := 0; o < Y[1]; o++ {
				for h := 0; h < Y[2]; h++ {
					for w := 0; w < Y[3]; w++ {
						acc := 0.0
						for ci := 0; ci < W[1]; ci++ {
							for kh := 0; kh < W[2]; kh++ {
								for kw := 0; kw < W[3]; kw++ {
									ih, iw := h*a.StrideH-a.PadH+kh, w*a.StrideW-a.PadW+kw
									if ih < 0 || iw < 0 || ih >= X[2] || iw >= X[3] {
										continue
									}
									acc += *e.ptr(c.W, o, ci, kh, kw) * *e.ptr(c.X, n, (o/opg)*W[1]+ci, ih, iw)
								}
							}
						}
						if c.Kind == callConvBiasAct {
							acc = act(c.Act, acc+float64(c.Alpha2)**e.ptr(c.Z, n, o, h, w)+*e.ptr(c.B, 0, o, 0, 0))
						}
						out = append(out, acc)
					}
				}
			}
		}
		e.store(c.Y, out)
	case callAddTensor:
		X := c.X.Dims
		for n := 0; n < Y[0]; n++ {
			for ch := 0; ch < Y[1]; ch++ {
				for h := 0; h < Y[2]; h++ {
					for w := 0; w < Y[3]; w++ {
						// broadcast: a dimension of size 1 in X repeats
						xi := [4]int{n % X[0], ch % X[1], h % X[2], w % X[3]}
						p := e.ptr(c.Y, n, ch, h, w)
						*p = float64(c.Alpha)**e.ptr(c.X, xi[0], xi[1], xi[2], xi[3]) + float64(c.Beta)**p
					}
				}
			}
		}
	case callBatchNorm, callActivation, callCopy, callAdd:
		if c.X.Dims != Y || (c.Kind == callAdd && c.Z.Dims != Y) {
			t.Fatalf("%s with x dims %v and y dims %v", c.Kind, c.X.Dims, Y)
		}
		out := make([]float64, 0, c.Y.Elems())
		for n := 0; n < Y[0]; n++ {
			for ch := 0; ch < Y[1]; ch++ {
				for h := 0; h < Y[2]; h++ {
					for w := 0; w < Y[3]; w++ {
						v := *e.ptr(c.X, n, ch, h, w)
						switch c.Kind {
						case callBatchNorm:
							v = (v-*e.ptr(c.Z, 0, ch, 0, 0))/math.Sqrt(*e.ptr(c.V, 0, ch, 0, 0)+c.Eps)**e.ptr(c.W, 0, ch, 0, 0) + *e.ptr(c.B, 0, ch, 0, 0)
						case callActivation:
							v = act(c.Act, v)
						case callAdd:
							v += *e.ptr(c.Z, n, ch, h, w)
						}
						out = append(out, v)
					}
				}
			}
		}
		e.store(c.Y, out)
	case callPool:
		p, X := c.Pool, c.X.Dims
		var out []float64
		for n := 0; n < Y[0]; n++ {
			for ch := 0; ch < Y[1]; ch++ {
				for h := 0; h < Y[2]; h++ {
					for w := 0; w < Y[3]; w++ {
						m, sum, cnt := math.Inf(-1), 0.0, 0
						for kh := 0; kh < p.WinH; kh++ {
							for kw := 0; kw < p.WinW; kw++ {
								ih, iw := h*p.StrideH-p.PadH+kh, w*p.StrideW-p.PadW+kw
								if ih < 0 || iw < 0 || ih >= X[2] || iw >= X[3] {
									continue
								}
								v := *e.ptr(c.X, n, ch, ih, iw)
								m, sum, cnt = math.Max(m, v), sum+v, cnt+1
							}
						}
						switch p.Mode {
						case poolMax:
							out = append(out, m)
						case poolAvgInclude:
							out = append(out, sum/float64(p.WinH*p.WinW))
						default:
							out = append(out, sum/float64(cnt))
						}
					}
				}
			}
		}
		e.store(c.Y, out)
	case callGemm:
		// column-major C = op(A) op(B), cublasSgemm_v2 with alpha 1, beta 0
		g := c.Gemm
		A := e.bufs[c.W.Buf][c.W.Off:]
		B := e.bufs[c.X.Buf][c.X.Off:]
		C := e.bufs[c.Y.Buf][c.Y.Off:]
		for i := 0; i < g.M; i++ {
			for j := 0; j < g.N; j++ {
				acc := 0.0
				for k := 0; k < g.K; k++ {
					var a, b float64
					if g.TransA {
						a = A[k+i*g.LDA]
					} else {
						a = A[i+k*g.LDA]
					}
					if g.TransB {
						b = B[j+k*g.LDB]
					} else {
						b = B[k+j*g.LDB]
					}
					acc += a * b
				}
				C[i+j*g.LDC] = acc
			}
		}
	default:
		t.Fatalf("emulator: call kind %d", c.Kind)
	}
}

// store writes values in dims order through a descriptor.
func (e *emulator) store(d desc, vals []float64) {
	i := 0
	for n := 0; n < d.Dims[0]; n++ {
		for c := 0; c < d.Dims[1]; c++ {
			for h := 0; h < d.Dims[2]; h++ {
				for w := 0; w < d.Dims[3]; w++ {
					*e.ptr(d, n, c, h, w) = vals[i]
					i++
				}
			}
		}
	}
}

func (e *emulator) read(d desc) []float64 {
	var out []float64
	for n := 0; n < d.Dims[0]; n++ {
		for c := 0; c < d.Dims[1]; c++ {
			for h := 0; h < d.Dims[2]; h++ {
				for w := 0; w < d.Dims[3]; w++ {
					out = append(out, *e.ptr(d, n, c, h, w))
				}
			}
		}
	}
	return out
}

// testSpecs are small designs covering every op and lowering path: the
// SNv2 riffle (equal and unequal branches), grouped branches with a g-group
// shuffle, the megvii layout's even/odd shuffle, ShuffleNet v1 (grouped
// 1x1, avg-pool shortcut concat), MobileNet v2 (ReLU6, residual add without
// ReLU), MobileNet v1, and the four guideline micro-networks.
var testSpecs = []struct {
	name string
	spec arch.Spec
}{
	{"snv2 0.5x", arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{2, 2, 1}, Classes: 10}},
	{"snv2 split 0.4 groups 2", arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Split: 0.4, Groups: 2, Res: 32, Depths: []int{2, 1, 1}, Classes: 7}},
	{"snv2 megvii", arch.Spec{Family: arch.ShuffleNetV2, Layout: arch.LayoutMegvii, Width: 0.5, Res: 32, Depths: []int{2, 2, 1}, Classes: 5}},
	{"snv1 g3", arch.Spec{Family: arch.ShuffleNetV1, Groups: 3, Width: 0.5, Res: 32, Depths: []int{2, 1, 1}, Classes: 6}},
	{"mnv2 0.35", arch.Spec{Family: arch.MobileNetV2, Width: 0.35, Res: 32, Classes: 4}},
	{"mnv1 0.25", arch.Spec{Family: arch.MobileNetV1, Width: 0.25, Res: 32, Classes: 4}},
	{"g1", arch.Spec{Family: arch.GuideG1, C1: 8, C2: 16, Res: 5, Blocks: 2}},
	{"g2 g=4", arch.Spec{Family: arch.GuideG2, C: 16, Groups: 4, Res: 5, Blocks: 2}},
	{"g3 4 parallel", arch.Spec{Family: arch.GuideG3, C: 16, Fragments: 4, Parallel: true, Res: 5, Blocks: 2}},
	{"g3 2 series", arch.Spec{Family: arch.GuideG3, C: 16, Fragments: 2, Res: 5, Blocks: 2}},
	{"g4", arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 2}},
	{"g4 no relu", arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 2, NoReLU: true}},
	{"g4 no shortcut", arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 2, NoShortcut: true}},
}

func build(t *testing.T, s arch.Spec) *arch.Graph {
	t.Helper()
	g, err := arch.Build(s)
	if err != nil {
		t.Fatalf("build %+v: %v", s, err)
	}
	return g
}

// TestLoweringMatchesReference executes both modes' calls with the
// emulator and compares the output with the op-by-op reference. This checks
// the BN folding, the fused epilogues, every view, slot and stride, the
// shuffle transforms and the FC's column-major GEMM arguments.
func TestLoweringMatchesReference(t *testing.T) {
	for _, tc := range testSpecs {
		for _, batch := range []int{1, 2} {
			spec := tc.spec
			spec.Batch = batch
			g := build(t, spec)
			w := testWeights(g, 42)
			in := g.Tensors[g.Input].Shape
			r := rand.New(rand.NewPCG(3, uint64(batch)))
			input := make([]float64, in.Elems())
			for i := range input {
				input[i] = r.NormFloat64()
			}
			want := evalRef(t, g, w, input)
			for _, v := range []struct {
				mode   runner.Mode
				packed bool
			}{{runner.Eager, false}, {runner.Fused, false}, {runner.Eager, true}, {runner.Fused, true}} {
				mode := v.mode
				t.Run(fmt.Sprintf("%s/n%d/%s/packedIO=%v", tc.name, batch, mode, v.packed), func(t *testing.T) {
					l, err := lowerWith(g, w, mode, v.packed)
					if err != nil {
						t.Fatal(err)
					}
					if v.packed && l.stridedCompute() {
						t.Error("packed-I/O lowering has a compute call with a strided tensor")
					}
					if batch == 1 && l.stridedCompute() {
						t.Error("batch 1 lowering has a compute call with a strided tensor (channel views of N=1 are packed)")
					}
					e := newEmulator(l)
					e.store(l.Input, input)
					e.run(t, l)
					got := e.read(l.Output)
					if len(got) != len(want) {
						t.Fatalf("output has %d values, want %d", len(got), len(want))
					}
					// fp32 weights folded in float64 and rounded once:
					// relative error ~1e-7 per layer, 1e-5 leaves room.
					checkOutput(t, "", got, want, 1e-5)
				})
			}
		}
	}
}

// count tallies call kinds.
// lowerBoth builds s with seed-1 test weights, lowers it eager and fused,
// and counts the graph's ops by kind.
func lowerBoth(t *testing.T, s arch.Spec) (g *arch.Graph, ops map[arch.OpKind]int, eager, fused *lowered) {
	t.Helper()
	g = build(t, s)
	w := testWeights(g, 1)
	ops = map[arch.OpKind]int{}
	for _, op := range g.Ops {
		ops[op.Kind]++
	}
	var err error
	if eager, err = lower(g, w, runner.Eager); err != nil {
		t.Fatal(err)
	}
	if fused, err = lower(g, w, runner.Fused); err != nil {
		t.Fatal(err)
	}
	return g, ops, eager, fused
}

func count(l *lowered) map[callKind]int {
	m := map[callKind]int{}
	for _, c := range l.Calls {
		m[c.Kind]++
	}
	return m
}

// TestLoweringCalls checks the call lists of ShuffleNetV2 1.0x (paper
// Table 5: stages of 4, 8, 4 units) against counts derived from the graph.
func TestLoweringCalls(t *testing.T) {
	g, ops, eager, fused := lowerBoth(t, arch.Spec{Family: arch.ShuffleNetV2, Res: 224})
	ec := count(eager)
	// Eager: one call per conv, BN, ReLU and pool; FC is a GEMM plus a bias add.
	if ec[callConv] != ops[arch.OpConv] || ec[callBatchNorm] != ops[arch.OpBatchNorm] ||
		ec[callActivation] != ops[arch.OpReLU] || ec[callPool] != ops[arch.OpMaxPool]+ops[arch.OpGlobalAvgPool] ||
		ec[callGemm] != 1 || ec[callConvBiasAct] != 0 {
		t.Errorf("eager calls %v for ops %v", ec, ops)
	}
	// Eager copies: split 2 per op, concat 2 per op, shuffle 1 per op (a
	// single 4-D transform).
	if want := 2*ops[arch.OpSplit] + 2*ops[arch.OpConcat] + ops[arch.OpShuffle]; ec[callCopy] != want {
		t.Errorf("eager: %d copies, want %d", ec[callCopy], want)
	}
	fc := count(fused)
	// Fused: every conv step (BN folded; the ReLU where there is one) is
	// one call; the only bias add left is the FC's.
	if fc[callConvBiasAct] != ops[arch.OpConv] || fc[callConv] != 0 ||
		fc[callBatchNorm] != 0 || fc[callActivation] != 0 || fc[callAddTensor] != 1 {
		t.Errorf("fused calls %v for ops %v", fc, ops)
	}
	relus := 0
	for _, c := range fused.Calls {
		if c.Kind == callConvBiasAct && c.Act == actReLU {
			relus++
		}
	}
	if relus != ops[arch.OpReLU] {
		t.Errorf("fused: %d conv calls with ReLU, want %d", relus, ops[arch.OpReLU])
	}
	// Every concat feeds a shuffle, so each unit is one transform per branch.
	if fc[callCopy] != 2*ops[arch.OpShuffle] {
		t.Errorf("fused: %d copies, want %d", fc[callCopy], 2*ops[arch.OpShuffle])
	}
	if len(fused.Calls) >= len(eager.Calls) || fused.Bytes() >= eager.Bytes() {
		t.Errorf("fused %d calls / %d bytes, eager %d calls / %d bytes", len(fused.Calls), fused.Bytes(), len(eager.Calls), eager.Bytes())
	}
	// The first calls the fake executor records follow torchvision's module
	// order: conv1 (+BN+ReLU), maxpool, stage2.0.branch1 (dw 3x3 + BN;
	// 1x1 + BN + ReLU), stage2.0.branch2 (1x1 + BN + ReLU, dw 3x3 + BN,
	// 1x1 + BN + ReLU), then the concat+shuffle as two transforms.
	e := newEmulator(fused)
	for _, c := range fused.Calls[:9] {
		e.log = append(e.log, c.Kind.String())
	}
	want := []string{"conv_bias_act", "pool", "conv_bias_act", "conv_bias_act",
		"conv_bias_act", "conv_bias_act", "conv_bias_act", "copy", "copy"}
	if strings.Join(e.log, " ") != strings.Join(want, " ") {
		t.Errorf("first fused calls %v, want %v", e.log, want)
	}
	if s := fused.Steps[len(fused.Steps)-1]; s.Name != "fc" {
		t.Errorf("last fused step %q, want fc", s.Name)
	}
	// Steps cover the calls in order and name graph ops.
	checkSteps(t, g, eager)
	checkSteps(t, g, fused)
}

func checkSteps(t *testing.T, g *arch.Graph, l *lowered) {
	t.Helper()
	next := 0
	seen := map[string]bool{}
	for _, s := range l.Steps {
		if s.First != next || s.End <= s.First {
			t.Fatalf("step %s covers calls [%d,%d), want to start at %d", s.Name, s.First, s.End, next)
		}
		next = s.End
		for _, id := range s.Ops {
			if g.OpByID(id) == nil {
				t.Errorf("step %s names unknown op %q", s.Name, id)
			}
			if seen[id] {
				t.Errorf("op %s in two steps", id)
			}
			seen[id] = true
		}
	}
	if next != len(l.Calls) {
		t.Errorf("steps cover %d of %d calls", next, len(l.Calls))
	}
	// Every op that does work appears in a step; only split views may not.
	for _, op := range g.Ops {
		if !seen[op.ID] && op.Kind != arch.OpSplit {
			t.Errorf("op %s (%s) is in no step", op.ID, op.Kind)
		}
	}
}

func TestFoldBN(t *testing.T) {
	// 2 output channels, 3 weights each; BN eps 1e-5 (torchvision default).
	w := []float32{1, 2, 3, -1, 0.5, 4}
	b := []float32{0.5, -1}
	p := bnTensors{Gamma: []float32{2, 0.5}, Beta: []float32{0.1, -0.2}, Mean: []float32{0.3, 1}, Var: []float32{4, 0.25}}
	nw, nb := foldBN(w, b, p, 1e-5)
	for o := 0; o < 2; o++ {
		s := float64(p.Gamma[o]) / math.Sqrt(float64(p.Var[o])+1e-5)
		// conv output for the input (1,1,1) folded vs conv then BN
		conv := float64(w[3*o]+w[3*o+1]+w[3*o+2]) + float64(b[o])
		want := (conv-float64(p.Mean[o]))*s + float64(p.Beta[o])
		got := float64(nw[3*o]+nw[3*o+1]+nw[3*o+2]) + float64(nb[o])
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("channel %d: folded %g, want %g", o, got, want)
		}
	}
	if w[0] != 1 {
		t.Error("foldBN modified its input")
	}
}

func TestLowerErrors(t *testing.T) {
	g := build(t, arch.Spec{Family: arch.GuideG1, C1: 4, Res: 3, Blocks: 1})
	w := testWeights(g, 1)
	if _, err := lower(g, w, runner.Mode("turbo")); err == nil || !strings.Contains(err.Error(), "turbo") {
		t.Errorf("bad mode: err = %v", err)
	}
	delete(w, "block0.conv2.weight")
	if _, err := lower(g, w, runner.Fused); err == nil || !strings.Contains(err.Error(), "block0.conv2.weight") {
		t.Errorf("missing weight: err = %v", err)
	}
	w = testWeights(g, 1)
	w["block0.conv1.weight"] = weights.Tensor{Shape: []int{1}, Data: []float32{1}}
	if _, err := lower(g, w, runner.Eager); err == nil || !strings.Contains(err.Error(), "block0.conv1.weight") {
		t.Errorf("short weight: err = %v", err)
	}
}

// TestLoweringG4 checks the element-wise story of guideline G4 (paper Table
// 4) for its four rows: eager runs BN, ReLU and the shortcut add as their
// own kernels (one cudnnOpTensor per add); fused folds BN and runs every
// conv with its bias, shortcut and ReLU (whichever the row has) as one
// call, so the rows differ only by the work each call does (issue 14).
func TestLoweringG4(t *testing.T) {
	for _, v := range []struct {
		name               string
		noReLU, noShortcut bool
	}{{"ReLU+shortcut", false, false}, {"ReLU only", false, true}, {"shortcut only", true, false}, {"neither", true, true}} {
		t.Run(v.name, func(t *testing.T) {
			_, ops, eager, fused := lowerBoth(t, arch.Spec{Family: arch.GuideG4, C: 32, Res: 56, Blocks: 10, NoReLU: v.noReLU, NoShortcut: v.noShortcut})
			ec := count(eager)
			if ec[callAdd] != ops[arch.OpAdd] || ec[callBatchNorm] != ops[arch.OpBatchNorm] || ec[callActivation] != ops[arch.OpReLU] || ec[callConv] != ops[arch.OpConv] {
				t.Errorf("eager calls %v for ops %v", ec, ops)
			}
			if fc := count(fused); fc[callConvBiasAct] != ops[arch.OpConv] || len(fused.Calls) != ops[arch.OpConv] {
				t.Errorf("fused calls %v for ops %v, want one call per conv", fc, ops)
			}
			withZ, withReLU := 0, 0
			for _, c := range fused.Calls {
				if c.Alpha2 == 1 {
					withZ++
				}
				if c.Act == actReLU {
					withReLU++
				}
			}
			if withZ != ops[arch.OpAdd] || withReLU != ops[arch.OpReLU] {
				t.Errorf("%d fused calls add a shortcut and %d apply a ReLU, want %d and %d", withZ, withReLU, ops[arch.OpAdd], ops[arch.OpReLU])
			}
			if v.noShortcut != (ops[arch.OpAdd] == 0) || v.noReLU != (ops[arch.OpReLU] == 0) {
				t.Errorf("design has %d adds and %d ReLUs", ops[arch.OpAdd], ops[arch.OpReLU])
			}
		})
	}
}

// TestStridedCompute: at batch 2 the fused SNv2 convs read split views and
// write concat slots that are strided (image stride = the whole buffer's
// channels), which is what the packed-I/O fallback removes.
func TestStridedCompute(t *testing.T) {
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{2, 2, 1}, Classes: 10, Batch: 2})
	w := testWeights(g, 1)
	l, err := lowerWith(g, w, runner.Fused, false)
	if err != nil {
		t.Fatal(err)
	}
	if !l.stridedCompute() {
		t.Error("fused SNv2 at batch 2 has no strided compute call; the test no longer covers the fallback")
	}
	p, err := lowerWith(g, w, runner.Fused, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.stridedCompute() || len(p.Calls) <= len(l.Calls) {
		t.Errorf("packed-I/O lowering: strided %v, %d calls vs %d", p.stridedCompute(), len(p.Calls), len(l.Calls))
	}
}
