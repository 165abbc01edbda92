package arch

import (
	"fmt"
	"math/bits"
)

// MaxWork bounds the size of every design Build accepts (see [Graph.Work]).
// With Work <= 2^56, every count derived from the graph fits an int64 with
// a factor of 128 to spare: MAdds, FLOPs (2 x MAdds) plus auxiliary FLOPs,
// MAC and bytes (4 x MAC) in both cost views, and the runner's memory
// estimate (at most 16 bytes per counted element). A design past it is an
// error naming the knob to reduce, never a wrapped, zero or negative count.
const MaxWork = int64(1) << 56

// satLimit is where saturating arithmetic stops: far above MaxWork, far
// below overflow.
const satLimit = int64(1) << 62

// satAdd and satMul add and multiply non-negative counts, saturating at
// satLimit instead of wrapping.
func satAdd(a, b int64) int64 {
	if a >= satLimit-b {
		return satLimit
	}
	return a + b
}

func satMul(a, b int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo >= uint64(satLimit) {
		return satLimit
	}
	return int64(lo)
}

// Work is an upper bound, in elements and multiply-adds, of every count
// the graph's cost and memory estimates sum: per op, its outputs times its
// fan-in (a conv's Cin/g x k^2, an FC's Cin, a pool window, an add's
// inputs), every input and output element, and twice its parameters.
// Saturating arithmetic keeps it from wrapping; it never exceeds 2^62.
func (g *Graph) Work() int64 {
	var w int64
	for i := range g.Ops {
		op := &g.Ops[i]
		fan := int64(len(op.Inputs))
		switch op.Kind {
		case OpConv:
			fan = satMul(int64(g.In(op, 0).C/max(op.Conv.Groups, 1)), int64(op.Conv.KH)*int64(op.Conv.KW))
		case OpFC:
			fan = int64(g.In(op, 0).C)
		case OpMaxPool, OpAvgPool:
			fan = int64(op.Pool.K) * int64(op.Pool.K)
		}
		for j := range op.Outputs {
			e := g.Out(op, j).Elems()
			w = satAdd(w, satMul(e, max(fan, 1)))
			w = satAdd(w, e)
		}
		for j := range op.Inputs {
			w = satAdd(w, g.In(op, j).Elems())
		}
		w = satAdd(w, satMul(2, g.ParamCount(op)))
	}
	return w
}

// checkWork refuses a graph past MaxWork with a *KnobError naming the knob
// that brings the design back within bounds on its own (batch first, then
// blocks, input size and channels), with its largest valid value at the
// other knobs' values.
func checkWork(s Spec, g *Graph) error {
	if g.Work() <= MaxWork {
		return nil
	}
	why := fmt.Sprintf("the design's counts (multiply-adds and elements) would exceed 2^56 = %d, past what int64 counts safely", MaxWork)
	for _, k := range workKnobs(s) {
		lo, cur := k.min, k.get(s)
		if cur <= lo || !fitsWith(s, k, lo) {
			continue
		}
		// Largest value in [lo, cur) that fits: fits(lo) holds, fits(cur) fails.
		for cur-lo > 1 {
			mid := lo + (cur-lo)/2
			if fitsWith(s, k, mid) {
				lo = mid
			} else {
				cur = mid
			}
		}
		return knobErr(k.name, k.get(s), fmt.Sprintf("%d..%d with the other knobs as given", k.min, lo), why)
	}
	return knobErr("batch", s.Batch, "smaller batch, res, channels or blocks together", why+" even with one knob at its minimum")
}

// workKnob is a knob checkWork may name: its least value and accessors.
type workKnob struct {
	name string
	min  int
	get  func(Spec) int
	set  func(*Spec, int)
}

// workKnobs lists the integer knobs that scale a design's size, in the
// order checkWork proposes them.
func workKnobs(s Spec) []workKnob {
	ks := []workKnob{{"batch", 1, func(s Spec) int { return s.Batch }, func(s *Spec, v int) { s.Batch = v }}}
	minRes, _ := s.Family.ResRange()
	if s.Family.IsGuideline() {
		ks = append(ks, workKnob{"blocks", 1, func(s Spec) int { return s.Blocks }, func(s *Spec, v int) { s.Blocks = v }})
	}
	if s.ResW == s.Res {
		ks = append(ks, workKnob{"res", minRes, func(s Spec) int { return s.Res }, func(s *Spec, v int) { s.Res, s.ResW = v, v }})
	}
	switch s.Family {
	case GuideG1:
		ks = append(ks, workKnob{"c1", 1, func(s Spec) int { return s.C1 }, func(s *Spec, v int) { s.C1 = v }},
			workKnob{"c2", 1, func(s Spec) int { return s.C2 }, func(s *Spec, v int) { s.C2 = v }})
	case GuideG3:
		ks = append(ks, workKnob{"c", 1, func(s Spec) int { return s.C }, func(s *Spec, v int) { s.C = v }})
	case GuideG2:
		// c must stay a multiple of groups: not searched.
	case GuideG4:
		ks = append(ks, workKnob{"c", 4, func(s Spec) int { return s.C }, func(s *Spec, v int) { s.C = v }})
	}
	return ks
}

// fitsWith reports whether s with knob k set to v builds within MaxWork.
func fitsWith(s Spec, k workKnob, v int) bool {
	k.set(&s, v)
	g, err := buildValid(s)
	return err == nil && g.Work() <= MaxWork
}
