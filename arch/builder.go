package arch

import "fmt"

// builder appends ops to a graph, computing output shapes. The first shape
// error is kept and every later call becomes a no-op, so family builders can
// be written straight-line and checked once at the end.
type builder struct {
	g     *Graph
	err   error
	stage string
	unit  string
}

func newBuilder(s Spec, in Shape) *builder {
	g := &Graph{Spec: s}
	g.Tensors = append(g.Tensors, Tensor{ID: 0, Shape: in, Producer: -1})
	g.Input = 0
	return &builder{g: g}
}

// at sets the stage and unit labels of the ops added next.
func (b *builder) at(stage, unit string) { b.stage, b.unit = stage, unit }

func (b *builder) shape(t TensorID) Shape { return b.g.Tensors[t].Shape }

func (b *builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf(format, args...)
	}
}

func (b *builder) add(op Op, outs ...Shape) []TensorID {
	if b.err != nil {
		return make([]TensorID, len(outs))
	}
	op.Index = len(b.g.Ops)
	op.Stage, op.Unit = b.stage, b.unit
	for _, in := range op.Inputs {
		b.g.Tensors[in].Consumers = append(b.g.Tensors[in].Consumers, op.Index)
	}
	for _, s := range outs {
		if s.N < 1 || s.C < 1 || s.H < 1 || s.W < 1 {
			b.fail("op %s: output shape %s is empty", op.ID, s)
			return make([]TensorID, len(outs))
		}
		id := TensorID(len(b.g.Tensors))
		b.g.Tensors = append(b.g.Tensors, Tensor{ID: id, Shape: s, Producer: op.Index})
		op.Outputs = append(op.Outputs, id)
	}
	b.g.Ops = append(b.g.Ops, op)
	return op.Outputs
}

func convOut(in, k, stride, pad int) int { return (in+2*pad-k)/stride + 1 }

// conv adds a convolution with a square kernel and "same"-style padding k/2.
func (b *builder) conv(id string, x TensorID, cout, k, stride, groups int) TensorID {
	in := b.shape(x)
	if b.err == nil && (groups < 1 || in.C%groups != 0 || cout%groups != 0) {
		b.fail("op %s: groups %d must divide input channels %d and output channels %d", id, groups, in.C, cout)
	}
	pad := k / 2
	out := Shape{N: in.N, C: cout, H: convOut(in.H, k, stride, pad), W: convOut(in.W, k, stride, pad)}
	op := Op{ID: id, Kind: OpConv, Param: id, Inputs: []TensorID{x},
		Conv: ConvAttr{KH: k, KW: k, Stride: stride, Pad: pad, Groups: groups}}
	return b.add(op, out)[0]
}

func (b *builder) bn(id string, x TensorID) TensorID {
	return b.add(Op{ID: id, Kind: OpBatchNorm, Param: id, Inputs: []TensorID{x}, Eps: 1e-5}, b.shape(x))[0]
}

func (b *builder) relu(id string, x TensorID) TensorID {
	return b.add(Op{ID: id, Kind: OpReLU, Inputs: []TensorID{x}}, b.shape(x))[0]
}

func (b *builder) relu6(id string, x TensorID) TensorID {
	return b.add(Op{ID: id, Kind: OpReLU6, Inputs: []TensorID{x}}, b.shape(x))[0]
}

// convBN adds conv + batch norm (+ activation) with module IDs prefix.i,
// prefix.(i+1), prefix.(i+2) as in torchvision's Sequentials.
func (b *builder) convBN(prefix string, i int, x TensorID, cout, k, stride, groups int, act OpKind) (TensorID, int) {
	y := b.conv(fmt.Sprintf("%s.%d", prefix, i), x, cout, k, stride, groups)
	y = b.bn(fmt.Sprintf("%s.%d", prefix, i+1), y)
	i += 2
	switch act {
	case OpReLU:
		y = b.relu(fmt.Sprintf("%s.%d", prefix, i), y)
		i++
	case OpReLU6:
		y = b.relu6(fmt.Sprintf("%s.%d", prefix, i), y)
		i++
	}
	return y, i
}

func (b *builder) sum(id string, xs ...TensorID) TensorID {
	s := b.shape(xs[0])
	for _, x := range xs[1:] {
		if b.shape(x) != s && b.err == nil {
			b.fail("op %s: add of shapes %s and %s", id, s, b.shape(x))
		}
	}
	return b.add(Op{ID: id, Kind: OpAdd, Inputs: append([]TensorID(nil), xs...)}, s)[0]
}

func (b *builder) split(id string, x TensorID, sizes ...int) []TensorID {
	s := b.shape(x)
	total := 0
	outs := make([]Shape, len(sizes))
	for i, c := range sizes {
		total += c
		outs[i] = Shape{N: s.N, C: c, H: s.H, W: s.W}
	}
	if total != s.C && b.err == nil {
		b.fail("op %s: split sizes %v do not add up to %d channels", id, sizes, s.C)
	}
	return b.add(Op{ID: id, Kind: OpSplit, Inputs: []TensorID{x}}, outs...)
}

func (b *builder) concat(id string, xs ...TensorID) TensorID {
	s := b.shape(xs[0])
	c := 0
	for _, x := range xs {
		t := b.shape(x)
		if (t.N != s.N || t.H != s.H || t.W != s.W) && b.err == nil {
			b.fail("op %s: concat of shapes %s and %s", id, s, t)
		}
		c += t.C
	}
	s.C = c
	return b.add(Op{ID: id, Kind: OpConcat, Inputs: append([]TensorID(nil), xs...)}, s)[0]
}

func (b *builder) shuffle(id string, x TensorID, perm []int, groups int) TensorID {
	return b.add(Op{ID: id, Kind: OpShuffle, Inputs: []TensorID{x}, Perm: perm, ShuffleGroups: groups}, b.shape(x))[0]
}

// shuffleStem adds the ShuffleNet (v1 and v2) stem on the input: a 3x3
// stride-2 conv named prefix with BN and ReLU to c channels, then a 3x3
// stride-2 max pool "maxpool".
func (b *builder) shuffleStem(prefix string, c int) TensorID {
	b.at("stem", "")
	x, _ := b.convBN(prefix, 0, 0, c, 3, 2, 1, OpReLU)
	return b.pool("maxpool", OpMaxPool, x, 3, 2, 1)
}

func (b *builder) pool(id string, kind OpKind, x TensorID, k, stride, pad int) TensorID {
	in := b.shape(x)
	out := Shape{N: in.N, C: in.C, H: convOut(in.H, k, stride, pad), W: convOut(in.W, k, stride, pad)}
	op := Op{ID: id, Kind: kind, Inputs: []TensorID{x}, Pool: PoolAttr{K: k, Stride: stride, Pad: pad, CountIncludePad: true}}
	return b.add(op, out)[0]
}

func (b *builder) gap(id string, x TensorID) TensorID {
	in := b.shape(x)
	return b.add(Op{ID: id, Kind: OpGlobalAvgPool, Inputs: []TensorID{x}}, Shape{N: in.N, C: in.C, H: 1, W: 1})[0]
}

func (b *builder) fc(id string, x TensorID, out int, bias bool) TensorID {
	in := b.shape(x)
	return b.add(Op{ID: id, Kind: OpFC, Param: id, Inputs: []TensorID{x}, FCBias: bias}, Shape{N: in.N, C: out, H: 1, W: 1})[0]
}

// finish marks x as the graph output and checks the whole graph.
func (b *builder) finish(x TensorID) (*Graph, error) {
	if b.err != nil {
		return nil, b.err
	}
	b.g.Output = x
	if err := b.g.Check(); err != nil {
		return nil, fmt.Errorf("internal error: built graph is inconsistent: %w", err)
	}
	return b.g, nil
}

// GroupShufflePerm is the channel permutation of the classic channel shuffle
// with g groups (ShuffleNet v1; torchvision's channel_shuffle): view the c
// channels as (g, c/g), transpose, flatten. Output channel i*g+j is input
// channel j*(c/g)+i.
func GroupShufflePerm(c, g int) []int {
	n := c / g
	perm := make([]int, c)
	for i := 0; i < n; i++ {
		for j := 0; j < g; j++ {
			perm[i*g+j] = j*n + i
		}
	}
	return perm
}

// RifflePerm is the two-branch channel shuffle for branches of a and b
// channels concatenated as [a | b]: the output alternates one channel from
// each branch while both have channels left, then takes the rest of the
// longer one. For a == b it equals GroupShufflePerm(2a, 2), i.e.
// torchvision's channel_shuffle(x, 2).
func RifflePerm(a, b int) []int {
	perm := make([]int, 0, a+b)
	for i := 0; i < max(a, b); i++ {
		if i < a {
			perm = append(perm, i)
		}
		if i < b {
			perm = append(perm, a+i)
		}
	}
	return perm
}

// EvenOddPerm puts the even channels first, then the odd ones: the
// shuffle half of the Megvii code's fused shuffle-split.
func EvenOddPerm(c int) []int {
	perm := make([]int, 0, c)
	for i := 0; i < c; i += 2 {
		perm = append(perm, i)
	}
	for i := 1; i < c; i += 2 {
		perm = append(perm, i)
	}
	return perm
}
