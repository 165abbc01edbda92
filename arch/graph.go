package arch

import "fmt"

// OpKind is the type of a graph operation.
type OpKind string

// The operation kinds a Graph can hold.
const (
	OpConv          OpKind = "conv"          // 2-D convolution (dense, grouped or depthwise)
	OpBatchNorm     OpKind = "batchnorm"     // inference batch norm with running statistics
	OpReLU          OpKind = "relu"          // max(x, 0)
	OpReLU6         OpKind = "relu6"         // min(max(x, 0), 6)
	OpAdd           OpKind = "add"           // element-wise sum of two or more inputs
	OpSplit         OpKind = "split"         // channel split into consecutive ranges
	OpConcat        OpKind = "concat"        // channel concatenation
	OpShuffle       OpKind = "shuffle"       // channel permutation (channel shuffle)
	OpMaxPool       OpKind = "maxpool"       // max pooling
	OpAvgPool       OpKind = "avgpool"       // average pooling
	OpGlobalAvgPool OpKind = "globalavgpool" // mean over H and W
	OpFC            OpKind = "fc"            // fully connected layer
)

// Shape is an NCHW tensor shape.
type Shape struct {
	N, C, H, W int
}

// Elems is the number of elements of the shape.
func (s Shape) Elems() int64 { return int64(s.N) * int64(s.C) * int64(s.H) * int64(s.W) }

// String formats the shape as NxCxHxW.
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%dx%d", s.N, s.C, s.H, s.W) }

// TensorID indexes Graph.Tensors.
type TensorID int

// Tensor is a value flowing between ops.
type Tensor struct {
	ID        TensorID
	Shape     Shape
	Producer  int   // index of the producing op, -1 for the graph input
	Consumers []int // indices of the ops that read it
}

// ConvAttr holds the attributes of a convolution.
type ConvAttr struct {
	KH, KW int
	Stride int
	Pad    int
	Groups int
	Bias   bool
}

// Depthwise reports whether the convolution has one group per input channel.
func (a ConvAttr) Depthwise(cin int) bool { return a.Groups > 1 && a.Groups == cin }

// PoolAttr holds the attributes of max and average pooling.
type PoolAttr struct {
	K, Stride, Pad  int
	CountIncludePad bool // average pooling divides by K*K even at padded borders
}

// Op is one operation of the graph.
type Op struct {
	Index int    // position in Graph.Ops (topological order)
	ID    string // stable unique name, the module path (e.g. "stage2.0.branch2.3")
	Kind  OpKind
	Stage string // "stem", "stage2", ..., "head", or "blocks" for micro-networks
	Unit  string // e.g. "stage2.0"; empty for ops outside units
	Param string // state_dict prefix of the op's weights ("" for ops without weights)

	Inputs  []TensorID
	Outputs []TensorID

	Conv ConvAttr // OpConv
	Pool PoolAttr // OpMaxPool, OpAvgPool
	// Perm is the channel permutation of an OpShuffle: output channel i is
	// input channel Perm[i].
	Perm []int
	// ShuffleGroups is the group count of a classic channel shuffle (0 when
	// Perm is a riffle of unequal parts or an even/odd split permutation).
	ShuffleGroups int
	FCBias        bool    // OpFC has a bias vector
	Eps           float64 // OpBatchNorm epsilon
}

// Graph is a network as typed ops over tensors, in topological order.
type Graph struct {
	Spec    Spec // the normalised design the graph was built from
	Tensors []Tensor
	Ops     []Op
	Input   TensorID
	Output  TensorID
}

// In returns the shape of the op's i-th input.
func (g *Graph) In(op *Op, i int) Shape { return g.Tensors[op.Inputs[i]].Shape }

// Out returns the shape of the op's i-th output.
func (g *Graph) Out(op *Op, i int) Shape { return g.Tensors[op.Outputs[i]].Shape }

// OpByID returns the op with the given ID, or nil.
func (g *Graph) OpByID(id string) *Op {
	for i := range g.Ops {
		if g.Ops[i].ID == id {
			return &g.Ops[i]
		}
	}
	return nil
}

// Stages lists the stage labels in order of first appearance.
func (g *Graph) Stages() []string {
	var out []string
	seen := map[string]bool{}
	for _, op := range g.Ops {
		if !seen[op.Stage] {
			seen[op.Stage] = true
			out = append(out, op.Stage)
		}
	}
	return out
}

// Units lists the unit labels in order of first appearance (ops outside units are skipped).
func (g *Graph) Units() []string {
	var out []string
	seen := map[string]bool{}
	for _, op := range g.Ops {
		if op.Unit != "" && !seen[op.Unit] {
			seen[op.Unit] = true
			out = append(out, op.Unit)
		}
	}
	return out
}

// ParamCount returns the number of trainable parameters of the op under the
// torchvision rule: conv weights (+ bias), batch-norm gamma and beta, FC
// weight and bias. Running statistics are not parameters.
func (g *Graph) ParamCount(op *Op) int64 {
	switch op.Kind {
	case OpConv:
		in, out := g.In(op, 0), g.Out(op, 0)
		n := int64(out.C) * int64(in.C/op.Conv.Groups) * int64(op.Conv.KH*op.Conv.KW)
		if op.Conv.Bias {
			n += int64(out.C)
		}
		return n
	case OpBatchNorm:
		return 2 * int64(g.In(op, 0).C)
	case OpFC:
		in, out := g.In(op, 0), g.Out(op, 0)
		n := int64(in.C) * int64(out.C)
		if op.FCBias {
			n += int64(out.C)
		}
		return n
	}
	return 0
}
