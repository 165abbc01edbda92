package runner

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
)

// fallbackMemLimit is the default limit when physical memory is unknown.
const fallbackMemLimit = 8 << 30

// EstimateBytes is an upper bound of the bytes a CPU backend allocates to
// compile and run g, computed from shapes only: every tensor of the graph
// materialised once for the whole batch (no buffer reuse, as in eager mode;
// the fused mode's views need less), plus the weights twice (folded copy and
// packed copy, packing pads output channels to 32-wide panels, counted by
// doubling) plus the input and output staging buffers. Element size is 4 bytes.
func EstimateBytes(g *arch.Graph, opts Options) int64 {
	var n int64
	for _, v := range EstimateParts(g, opts) {
		n += v
	}
	return n
}

// EstimateParts itemises EstimateBytes: "activations", "weights" (folded and
// packed copies) and "workspace" (input and output staging), in bytes.
func EstimateParts(g *arch.Graph, _ Options) map[string]int64 {
	var act, wts int64
	for _, t := range g.Tensors {
		act += t.Shape.Elems()
	}
	for i := range g.Ops {
		op := &g.Ops[i]
		switch op.Kind {
		case arch.OpConv, arch.OpFC:
			wts += g.ParamCount(op) + int64(g.Out(op, 0).C)
		case arch.OpBatchNorm:
			wts += 4 * int64(g.In(op, 0).C)
		}
	}
	staging := g.Tensors[g.Input].Shape.Elems() + g.Tensors[g.Output].Shape.Elems()
	return map[string]int64{"activations": 4 * act, "weights": 4 * 2 * 2 * wts, "workspace": 4 * staging}
}

// MemLimit returns the memory limit Compile enforces: opts.MemLimit when
// set, else 75% of physical memory (MemTotal in /proc/meminfo), else 8 GiB.
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
	est, limit := EstimateBytes(g, opts), MemLimit(opts)
	if est > limit {
		return FormatMemError(est, limit, EstimateParts(g, opts))
	}
	return nil
}

// physicalMemory reads MemTotal from /proc/meminfo.
func physicalMemory() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse /proc/meminfo MemTotal: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no MemTotal in /proc/meminfo")
}
