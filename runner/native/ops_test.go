package native

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// tg builds small hand-made graphs for op-level tests.
type tg struct {
	g *arch.Graph
}

func newTG(in arch.Shape) *tg {
	return &tg{g: &arch.Graph{Tensors: []arch.Tensor{{ID: 0, Shape: in, Producer: -1}}}}
}

func (b *tg) shape(t arch.TensorID) arch.Shape { return b.g.Tensors[t].Shape }

func (b *tg) op(op arch.Op, ins []arch.TensorID, outs ...arch.Shape) []arch.TensorID {
	op.Index = len(b.g.Ops)
	op.ID = fmt.Sprintf("%s%d", op.Kind, op.Index)
	if op.Kind == arch.OpConv || op.Kind == arch.OpBatchNorm || op.Kind == arch.OpFC {
		op.Param = op.ID
	}
	op.Inputs = ins
	for _, t := range ins {
		b.g.Tensors[t].Consumers = append(b.g.Tensors[t].Consumers, op.Index)
	}
	for _, s := range outs {
		id := arch.TensorID(len(b.g.Tensors))
		b.g.Tensors = append(b.g.Tensors, arch.Tensor{ID: id, Shape: s, Producer: op.Index})
		op.Outputs = append(op.Outputs, id)
	}
	b.g.Ops = append(b.g.Ops, op)
	return op.Outputs
}

func (b *tg) conv(x arch.TensorID, cout, k, stride, pad, groups int, bias bool) arch.TensorID {
	s := b.shape(x)
	o := arch.Shape{N: s.N, C: cout, H: (s.H+2*pad-k)/stride + 1, W: (s.W+2*pad-k)/stride + 1}
	return b.op(arch.Op{Kind: arch.OpConv, Conv: arch.ConvAttr{KH: k, KW: k, Stride: stride, Pad: pad, Groups: groups, Bias: bias}}, []arch.TensorID{x}, o)[0]
}

func (b *tg) unary(kind arch.OpKind, x arch.TensorID) arch.TensorID {
	return b.op(arch.Op{Kind: kind, Eps: 1e-5}, []arch.TensorID{x}, b.shape(x))[0]
}

func (b *tg) pool(kind arch.OpKind, x arch.TensorID, k, stride, pad int, incl bool) arch.TensorID {
	s := b.shape(x)
	o := arch.Shape{N: s.N, C: s.C, H: (s.H+2*pad-k)/stride + 1, W: (s.W+2*pad-k)/stride + 1}
	return b.op(arch.Op{Kind: kind, Pool: arch.PoolAttr{K: k, Stride: stride, Pad: pad, CountIncludePad: incl}}, []arch.TensorID{x}, o)[0]
}

func (b *tg) gap(x arch.TensorID) arch.TensorID {
	s := b.shape(x)
	return b.op(arch.Op{Kind: arch.OpGlobalAvgPool}, []arch.TensorID{x}, arch.Shape{N: s.N, C: s.C, H: 1, W: 1})[0]
}

func (b *tg) fc(x arch.TensorID, out int, bias bool) arch.TensorID {
	s := b.shape(x)
	return b.op(arch.Op{Kind: arch.OpFC, FCBias: bias}, []arch.TensorID{x}, arch.Shape{N: s.N, C: out, H: 1, W: 1})[0]
}

func (b *tg) split(x arch.TensorID, sizes ...int) []arch.TensorID {
	s := b.shape(x)
	var outs []arch.Shape
	for _, c := range sizes {
		outs = append(outs, arch.Shape{N: s.N, C: c, H: s.H, W: s.W})
	}
	return b.op(arch.Op{Kind: arch.OpSplit}, []arch.TensorID{x}, outs...)
}

func (b *tg) concat(xs ...arch.TensorID) arch.TensorID {
	s := b.shape(xs[0])
	s.C = 0
	for _, x := range xs {
		s.C += b.shape(x).C
	}
	return b.op(arch.Op{Kind: arch.OpConcat}, xs, s)[0]
}

func (b *tg) shuffle(x arch.TensorID, perm []int) arch.TensorID {
	return b.op(arch.Op{Kind: arch.OpShuffle, Perm: perm}, []arch.TensorID{x}, b.shape(x))[0]
}

func (b *tg) add(xs ...arch.TensorID) arch.TensorID {
	return b.op(arch.Op{Kind: arch.OpAdd}, xs, b.shape(xs[0]))[0]
}

func (b *tg) finish(t *testing.T, out arch.TensorID) *arch.Graph {
	t.Helper()
	b.g.Output = out
	if err := b.g.Check(); err != nil {
		t.Fatalf("test graph: %v", err)
	}
	return b.g
}

// divisorOf picks a random divisor of n.
func divisorOf(r *rand.Rand, n int) int {
	var ds []int
	for d := 1; d <= n; d++ {
		if n%d == 0 {
			ds = append(ds, d)
		}
	}
	return ds[r.IntN(len(ds))]
}

// randPerm is a random channel permutation, or a classic group shuffle.
func randPerm(r *rand.Rand, c int) []int {
	if g := divisorOf(r, c); g > 1 && r.IntN(2) == 0 {
		return arch.GroupShufflePerm(c, g)
	}
	return r.Perm(c)
}

// randomGraph builds one small random graph of the given case; shapes
// follow the plan: odd channel counts 1..67, strides 1 and 2, odd
// sizes, batch 1-3.
func randomGraph(t *testing.T, r *rand.Rand, kind int) *arch.Graph {
	in := arch.Shape{N: 1 + r.IntN(3), C: 1 + r.IntN(67), H: 1 + r.IntN(13), W: 1 + r.IntN(13)}
	b := newTG(in)
	x := arch.TensorID(0)
	c := in.C
	switch kind {
	case 0: // conv of any kernel, stride, padding and groups, then BN, activation, residual add
		k := []int{1, 3, 5}[r.IntN(3)]
		stride := 1 + r.IntN(2)
		pad := []int{0, k / 2}[r.IntN(2)]
		if in.H+2*pad < k || in.W+2*pad < k {
			pad = k / 2
		}
		var groups, cout int
		switch r.IntN(3) {
		case 0:
			groups, cout = 1, 1+r.IntN(67)
		case 1:
			groups, cout = c, c
		default:
			groups = divisorOf(r, c)
			cout = groups * (1 + r.IntN(max(1, 67/groups)))
		}
		y := b.conv(x, cout, k, stride, pad, groups, r.IntN(2) == 0)
		if r.IntN(3) > 0 {
			y = b.unary(arch.OpBatchNorm, y)
		}
		if b.shape(y) == in && r.IntN(2) == 0 {
			y = b.add(y, x)
		}
		switch r.IntN(3) {
		case 1:
			y = b.unary(arch.OpReLU, y)
		case 2:
			y = b.unary(arch.OpReLU6, y)
		}
		return b.finish(t, y)
	case 1: // standalone element-wise ops and a 3-input add
		a := b.unary(arch.OpReLU, x)
		n := b.unary(arch.OpBatchNorm, x)
		s := b.unary(arch.OpReLU6, n)
		return b.finish(t, b.add(a, s, x))
	case 2: // split and concat in another order
		if c < 2 {
			return b.finish(t, b.unary(arch.OpReLU6, x))
		}
		c0 := 1 + r.IntN(c-1)
		parts := b.split(x, c0, c-c0)
		y := b.conv(parts[1], 1+r.IntN(20), 1, 1, 0, 1, false)
		return b.finish(t, b.concat(y, parts[0], parts[1]))
	case 3: // pooling
		k := 2 + r.IntN(2)
		stride := 1 + r.IntN(2)
		pad := r.IntN(k/2 + 1)
		for in.H+2*pad < k || in.W+2*pad < k {
			pad++
		}
		kindP := arch.OpMaxPool
		if r.IntN(2) == 0 {
			kindP = arch.OpAvgPool
		}
		return b.finish(t, b.pool(kindP, x, k, stride, min(pad, k/2), r.IntN(2) == 0))
	case 4: // global pool and FC
		return b.finish(t, b.fc(b.gap(x), 1+r.IntN(40), r.IntN(2) == 0))
	default: // channel shuffle followed by each kind of consumer
		y := b.shuffle(x, randPerm(r, c))
		switch r.IntN(7) {
		case 0:
			return b.finish(t, y)
		case 1:
			g := divisorOf(r, c)
			return b.finish(t, b.conv(y, g*(1+r.IntN(5)), 1, 1, 0, g, true))
		case 2:
			d := b.unary(arch.OpBatchNorm, b.conv(y, c, 3, 1+r.IntN(2), 1, c, false))
			return b.finish(t, b.conv(d, 1+r.IntN(30), 1, 1, 0, 1, false))
		case 3:
			if c < 2 {
				return b.finish(t, y)
			}
			parts := b.split(y, c/2, c-c/2)
			z := b.conv(parts[1], c-c/2, 1, 1, 0, 1, false)
			cat := b.concat(parts[0], z)
			return b.finish(t, b.shuffle(cat, randPerm(r, c)))
		case 4:
			return b.finish(t, b.fc(b.gap(y), 1+r.IntN(20), true))
		case 5:
			p := b.pool(arch.OpMaxPool, y, 3, 2, 1, false)
			return b.finish(t, b.conv(p, 1+r.IntN(9), 1, 1, 0, 1, false))
		default:
			z := b.conv(y, c, 1, 1, 0, 1, false)
			return b.finish(t, b.unary(arch.OpReLU, b.add(z, y)))
		}
	}
}

// TestRandomOps compares the native backend with the reference on random
// small graphs covering every op kind and the fused-mode folding paths.
func TestRandomOps(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 3))
	for i := range 180 {
		kind := i % 6
		g := randomGraph(t, r, kind)
		t.Run(fmt.Sprintf("%d_case%d_%s", i, kind, g.Tensors[0].Shape), func(t *testing.T) {
			checkAgainstReference(t, g, int64(i))
		})
	}
}
