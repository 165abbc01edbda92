package runner

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/shufflelab/explorer/arch"
)

// fallbackMemLimit is the default limit when physical memory is unknown.
const fallbackMemLimit = 8 << 30

// DefaultMemLimit says what [MemLimit] is when no limit is given, for help
// texts: physical memory is read on Linux (/proc/meminfo), macOS (sysctl
// hw.memsize) and Windows (GlobalMemoryStatusEx); elsewhere, or when that
// fails, the limit is fallbackMemLimit.
const DefaultMemLimit = "75% of physical memory; 8 GiB where it cannot be read"

// EstimateBytes is an upper bound of the bytes a CPU backend allocates to
// compile and run g, computed from shapes only: every tensor of the graph
// materialised once for the whole batch (no buffer reuse, as in eager mode;
// the fused mode's views need less), plus the weights twice (folded copy and
// packed copy, packing pads output channels to 32-wide panels, counted by
// doubling) plus the input and output staging buffers. Element size is 4 bytes.
// The sum is computed with checked arithmetic: a graph whose estimate does
// not fit an int64 is an error (arch.Build refuses such designs first,
// naming the knob), never a wrapped or negative estimate.
func EstimateBytes(g *arch.Graph, opts Options) (int64, error) {
	parts, err := EstimateParts(g, opts)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, k := range []string{"activations", "weights", "workspace"} {
		if n, err = addBytes(n, parts[k]); err != nil {
			return 0, estimateErr(g)
		}
	}
	return n, nil
}

// EstimateParts itemises EstimateBytes: "activations", "weights" (folded and
// packed copies) and "workspace" (input and output staging), in bytes.
func EstimateParts(g *arch.Graph, _ Options) (map[string]int64, error) {
	var act, wts int64
	var err error
	acc := func(sum *int64, v int64) {
		if err == nil {
			*sum, err = addBytes(*sum, v)
		}
	}
	for _, t := range g.Tensors {
		acc(&act, t.Shape.Elems())
	}
	for i := range g.Ops {
		op := &g.Ops[i]
		switch op.Kind {
		case arch.OpConv, arch.OpFC:
			acc(&wts, g.ParamCount(op))
			acc(&wts, int64(g.Out(op, 0).C))
		case arch.OpBatchNorm:
			acc(&wts, 4*int64(g.In(op, 0).C))
		}
	}
	var staging int64
	acc(&staging, g.Tensors[g.Input].Shape.Elems())
	acc(&staging, g.Tensors[g.Output].Shape.Elems())
	parts := map[string]int64{}
	for name, v := range map[string]struct{ elems, copies int64 }{"activations": {act, 4}, "weights": {wts, 4 * 2 * 2}, "workspace": {staging, 4}} {
		var b int64
		if err == nil {
			b, err = mulBytes(v.elems, v.copies)
		}
		parts[name] = b
	}
	if err != nil {
		return nil, estimateErr(g)
	}
	return parts, nil
}

// estimateErr refuses a graph whose memory estimate overflows.
func estimateErr(g *arch.Graph) error {
	return fmt.Errorf("the memory estimate of %s overflows int64 bytes: the design is far too large (reduce batch, res or width)", g.Spec)
}

// addBytes and mulBytes add and multiply non-negative counts, failing
// instead of wrapping.
func addBytes(a, b int64) (int64, error) {
	if b < 0 || a > math.MaxInt64-b {
		return 0, errOverflow
	}
	return a + b, nil
}

func mulBytes(a, b int64) (int64, error) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if a < 0 || b < 0 || hi != 0 || lo > math.MaxInt64 {
		return 0, errOverflow
	}
	return int64(lo), nil
}

var errOverflow = errors.New("int64 overflow")

// MemLimit returns the memory limit Compile enforces: opts.MemLimit when
// set, else 75% of physical memory (physicalMemory, per OS), else 8 GiB
// (DefaultMemLimit).
func MemLimit(opts Options) int64 {
	if opts.MemLimit > 0 {
		return opts.MemLimit
	}
	if total, err := physicalMemory(); err == nil && total > 0 {
		return total / 4 * 3
	}
	return fallbackMemLimit
}

// CheckMemory refuses a design whose estimate exceeds the limit with a
// *MemError giving the estimate, its parts and the limit. It allocates
// nothing.
func CheckMemory(g *arch.Graph, opts Options) error {
	est, err := EstimateBytes(g, opts)
	if err != nil {
		return err
	}
	if limit := MemLimit(opts); est > limit {
		parts, _ := EstimateParts(g, opts) // no error: EstimateBytes summed them
		return FormatMemError(est, limit, parts)
	}
	return nil
}
