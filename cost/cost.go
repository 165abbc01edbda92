package cost

import (
	"math"

	"github.com/shufflelab/explorer/arch"
)

// BytesPerElement is the element size of fp32 tensors.
const BytesPerElement = 4

// Category groups ops for the decomposition views (design.md section 5).
type Category string

// The op categories, in display order.
const (
	CatConv1x1      Category = "conv1x1"       // dense 1x1 convs
	CatConvKxK      Category = "conv kxk"      // dense convs with k > 1
	CatGroupConv    Category = "group conv"    // grouped (not depthwise) convs
	CatDepthwise    Category = "depthwise"     // depthwise convs
	CatElementwise  Category = "element-wise"  // BN, ReLU, ReLU6, add
	CatDataMovement Category = "data movement" // split, concat, shuffle
	CatPooling      Category = "pooling"       // max/avg/global pooling
	CatFC           Category = "fc"            // fully connected
)

// Categories lists every category in display order.
func Categories() []Category {
	return []Category{CatConv1x1, CatConvKxK, CatGroupConv, CatDepthwise, CatElementwise, CatDataMovement, CatPooling, CatFC}
}

// CategoryOf classifies one op.
func CategoryOf(g *arch.Graph, op *arch.Op) Category {
	switch op.Kind {
	case arch.OpConv:
		cin := g.In(op, 0).C
		switch {
		case op.Conv.Depthwise(cin):
			return CatDepthwise
		case op.Conv.Groups > 1:
			return CatGroupConv
		case op.Conv.KH == 1 && op.Conv.KW == 1:
			return CatConv1x1
		default:
			return CatConvKxK
		}
	case arch.OpBatchNorm, arch.OpReLU, arch.OpReLU6, arch.OpAdd:
		return CatElementwise
	case arch.OpSplit, arch.OpConcat, arch.OpShuffle:
		return CatDataMovement
	case arch.OpMaxPool, arch.OpAvgPool, arch.OpGlobalAvgPool:
		return CatPooling
	case arch.OpFC:
		return CatFC
	}
	return CatElementwise
}

// MultAdds is the op's multiply-accumulate count for the whole batch:
// conv N*Hout*Wout*Cout*(Cin/g)*k^2, FC N*Cin*Cout, 0 for everything else.
func MultAdds(g *arch.Graph, op *arch.Op) int64 {
	switch op.Kind {
	case arch.OpConv:
		in, out := g.In(op, 0), g.Out(op, 0)
		return out.Elems() * int64(in.C/op.Conv.Groups) * int64(op.Conv.KH*op.Conv.KW)
	case arch.OpFC:
		in, out := g.In(op, 0), g.Out(op, 0)
		return int64(in.N) * int64(in.C) * int64(out.C)
	}
	return 0
}

// AuxFLOPs are the floating-point operations that MAdds leave out, itemised
// so the gap to thop/ptflops-style totals is visible: a bias add per output
// of a biased conv or FC, 2 per element for batch norm (scale and shift),
// 1 per element for ReLU, 2 for ReLU6, k-1 per element for a k-input add,
// K*K-1 comparisons per max-pool output, K*K per average-pool output, one
// per input element for global average pooling. Data movement has none.
func AuxFLOPs(g *arch.Graph, op *arch.Op) int64 {
	out := g.Out(op, 0).Elems()
	switch op.Kind {
	case arch.OpConv:
		if op.Conv.Bias {
			return out
		}
	case arch.OpFC:
		if op.FCBias {
			return out
		}
	case arch.OpBatchNorm, arch.OpReLU6:
		return 2 * out
	case arch.OpReLU:
		return out
	case arch.OpAdd:
		return int64(len(op.Inputs)-1) * out
	case arch.OpMaxPool:
		return int64(op.Pool.K*op.Pool.K-1) * out
	case arch.OpAvgPool:
		return int64(op.Pool.K*op.Pool.K) * out
	case arch.OpGlobalAvgPool:
		return g.In(op, 0).Elems()
	}
	return 0
}

// WeightElems is the number of weight elements an op reads at inference:
// conv and FC weights and biases, and 2 per channel for batch norm (the
// precomputed scale and shift).
func WeightElems(g *arch.Graph, op *arch.Op) int64 {
	switch op.Kind {
	case arch.OpConv, arch.OpFC, arch.OpBatchNorm:
		return g.ParamCount(op)
	}
	return 0
}

// MemAccess is the op's memory access cost as written (paper section 2):
// every input element read, every output element written, every weight
// read. For a 1x1 conv this is hw(c1+c2) + c1c2/g per image.
func MemAccess(g *arch.Graph, op *arch.Op) int64 {
	var n int64
	for i := range op.Inputs {
		n += g.In(op, i).Elems()
	}
	for i := range op.Outputs {
		n += g.Out(op, i).Elems()
	}
	return n + WeightElems(g, op)
}

// G1Bound describes a 1x1 conv against guideline G1 (paper Eq. 1).
type G1Bound struct {
	C1, C2 int     // input and output channels
	Groups int     // conv groups
	MAC    int64   // the conv's MAC in elements
	Bound  float64 // lower bound 2*sqrt(g*P*B) + B/P for P = N*h*w pixels and B MAdds
	Ratio  float64 // MAC / Bound (1 when c1 == c2 and g == 1)
}

// G1 returns the G1 lower bound of a 1x1 conv, or nil for other ops. With
// P = N*h*w output pixels and B = P*c1*c2/g MAdds, MAC = P(c1+c2) + c1c2/g
// is minimal for c1 = c2 at fixed B: MAC >= 2*sqrt(g*P*B) + B/P. For N = 1
// and g = 1 this is the paper's 2*sqrt(hwB) + B/hw.
func G1(g *arch.Graph, op *arch.Op) *G1Bound {
	if op.Kind != arch.OpConv || op.Conv.KH != 1 || op.Conv.KW != 1 || op.Conv.Stride != 1 {
		return nil
	}
	in, out := g.In(op, 0), g.Out(op, 0)
	if op.Conv.Depthwise(in.C) {
		return nil
	}
	p := float64(out.N * out.H * out.W)
	b := float64(MultAdds(g, op))
	mac := p*float64(in.C+out.C) + float64(in.C*out.C/op.Conv.Groups)
	bound := 2*math.Sqrt(float64(op.Conv.Groups)*p*b) + b/p
	return &G1Bound{C1: in.C, C2: out.C, Groups: op.Conv.Groups, MAC: int64(mac), Bound: bound, Ratio: mac / bound}
}
