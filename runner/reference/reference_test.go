package reference

import (
	"slices"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/internal/testnet"
	"github.com/shufflelab/explorer/runner/weights"
)

// TestFixtures runs the reference on every PyTorch fixture; the tolerance
// 1e-4 x max|torch| is the runner's acceptance bound (issue 3).
func TestFixtures(t *testing.T) {
	for name := range testnet.Specs {
		t.Run(name, func(t *testing.T) {
			f, err := testnet.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Run(f.Graph, f.Weights, f.Input)
			if err != nil {
				t.Fatal(err)
			}
			if e := testnet.RelErr(out, f.Output); e > 1e-4 {
				t.Errorf("max rel error %.3g vs PyTorch", e)
			} else {
				t.Logf("max rel error %.3g vs PyTorch", e)
			}
		})
	}
}

// graph1 builds a one-op graph (arch.Build only makes whole networks).
func graph1(op arch.Op, in arch.Shape, outs ...arch.Shape) *arch.Graph {
	g := &arch.Graph{Tensors: []arch.Tensor{{ID: 0, Shape: in, Producer: -1, Consumers: []int{0}}}}
	op.Inputs = []arch.TensorID{0}
	for i, s := range outs {
		g.Tensors = append(g.Tensors, arch.Tensor{ID: arch.TensorID(i + 1), Shape: s, Producer: 0})
		op.Outputs = append(op.Outputs, arch.TensorID(i+1))
	}
	g.Ops = []arch.Op{op}
	g.Output = op.Outputs[len(op.Outputs)-1]
	return g
}

// TestHandComputed checks ops on inputs small enough to compute by hand.
func TestHandComputed(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9} // 1x1x3x3
	in := arch.Shape{N: 1, C: 1, H: 3, W: 3}
	one := arch.Shape{N: 1, C: 1, H: 1, W: 1}
	for _, tc := range []struct {
		name string
		op   arch.Op
		out  arch.Shape
		w    weights.Set
		want []float32
	}{
		// 3x3 all-ones kernel, stride 2, pad 1: windows of the corners sum
		// 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28; plus bias 1.
		{"conv", arch.Op{Kind: arch.OpConv, Param: "c", Conv: arch.ConvAttr{KH: 3, KW: 3, Stride: 2, Pad: 1, Groups: 1, Bias: true}},
			arch.Shape{N: 1, C: 1, H: 2, W: 2},
			weights.Set{"c.weight": {Shape: []int{1, 1, 3, 3}, Data: []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}}, "c.bias": {Shape: []int{1}, Data: []float32{1}}},
			[]float32{13, 17, 25, 29}},
		// max pool 2x2 stride 1: max of each 2x2 window.
		{"maxpool", arch.Op{Kind: arch.OpMaxPool, Pool: arch.PoolAttr{K: 2, Stride: 1}}, arch.Shape{N: 1, C: 1, H: 2, W: 2}, nil, []float32{5, 6, 8, 9}},
		// avg pool 3x3 stride 3 pad 1 with padding counted: (1+2+4+5)/9.
		{"avgpool incl pad", arch.Op{Kind: arch.OpAvgPool, Pool: arch.PoolAttr{K: 3, Stride: 3, Pad: 1, CountIncludePad: true}}, one, nil, []float32{12.0 / 9}},
		{"avgpool excl pad", arch.Op{Kind: arch.OpAvgPool, Pool: arch.PoolAttr{K: 3, Stride: 3, Pad: 1}}, one, nil, []float32{3}},
		{"gap", arch.Op{Kind: arch.OpGlobalAvgPool}, one, nil, []float32{5}},
		// BN: (x - 1) / sqrt(3 + 1) * 2 + 0.5 with eps 1.
		{"bn", arch.Op{Kind: arch.OpBatchNorm, Param: "b", Eps: 1}, in,
			weights.Set{"b.weight": {Shape: []int{1}, Data: []float32{2}}, "b.bias": {Shape: []int{1}, Data: []float32{0.5}},
				"b.running_mean": {Shape: []int{1}, Data: []float32{1}}, "b.running_var": {Shape: []int{1}, Data: []float32{3}}},
			[]float32{0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graph1(tc.op, in, tc.out)
			w := tc.w
			if w == nil {
				w = weights.Set{}
			}
			got, err := Run(g, w, x)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestShuffleMatchesTorchvision checks the shuffle op with
// arch.GroupShufflePerm(6, 2) against torchvision's channel_shuffle(x, 2)
// on 6 channels, which reshapes to (2, 3), transposes and flattens: output
// channel order 0, 3, 1, 4, 2, 5.
func TestShuffleMatchesTorchvision(t *testing.T) {
	in := arch.Shape{N: 1, C: 6, H: 1, W: 1}
	g := graph1(arch.Op{Kind: arch.OpShuffle, Perm: arch.GroupShufflePerm(6, 2)}, in, in)
	got, err := Run(g, weights.Set{}, []float32{0, 1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 3, 1, 4, 2, 5}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
