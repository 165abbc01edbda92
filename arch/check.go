package arch

import "fmt"

// Check verifies that every op's output shapes follow from its inputs and
// attributes, that tensors are produced before they are consumed and that
// op IDs are unique. Build calls it on every graph it returns; tests call it
// on random designs.
func (g *Graph) Check() error {
	ids := make(map[string]bool, len(g.Ops))
	produced := make([]bool, len(g.Tensors))
	produced[g.Input] = true
	for i := range g.Ops {
		op := &g.Ops[i]
		if op.Index != i {
			return fmt.Errorf("op %s: index %d at position %d", op.ID, op.Index, i)
		}
		if op.ID == "" || ids[op.ID] {
			return fmt.Errorf("op %d: empty or duplicate ID %q", i, op.ID)
		}
		ids[op.ID] = true
		if len(op.Inputs) == 0 || len(op.Outputs) == 0 {
			return fmt.Errorf("op %s: no inputs or outputs", op.ID)
		}
		for _, t := range op.Inputs {
			if int(t) >= len(g.Tensors) || !produced[t] {
				return fmt.Errorf("op %s: input tensor %d not produced before use", op.ID, t)
			}
		}
		for _, t := range op.Outputs {
			if g.Tensors[t].Producer != i {
				return fmt.Errorf("op %s: output tensor %d has producer %d", op.ID, t, g.Tensors[t].Producer)
			}
			produced[t] = true
		}
		if err := g.checkOp(op); err != nil {
			return fmt.Errorf("op %s (%s): %w", op.ID, op.Kind, err)
		}
	}
	if !produced[g.Output] {
		return fmt.Errorf("graph output tensor %d is never produced", g.Output)
	}
	return nil
}

func (g *Graph) checkOp(op *Op) error {
	in, out := g.In(op, 0), g.Out(op, 0)
	same := func() error {
		if in != out {
			return fmt.Errorf("shape %s -> %s, want equal", in, out)
		}
		return nil
	}
	spatial := func(k, stride, pad int) error {
		if k < 1 || stride < 1 || pad < 0 {
			return fmt.Errorf("kernel %d stride %d pad %d", k, stride, pad)
		}
		h, w := convOut(in.H, k, stride, pad), convOut(in.W, k, stride, pad)
		if out.N != in.N || out.H != h || out.W != w {
			return fmt.Errorf("shape %s -> %s, want Nx?x%dx%d", in, out, h, w)
		}
		return nil
	}
	switch op.Kind {
	case OpConv:
		a := op.Conv
		if a.KH != a.KW {
			return fmt.Errorf("non-square kernel %dx%d", a.KH, a.KW)
		}
		if a.Groups < 1 || in.C%a.Groups != 0 || out.C%a.Groups != 0 {
			return fmt.Errorf("groups %d do not divide %d -> %d channels", a.Groups, in.C, out.C)
		}
		return spatial(a.KH, a.Stride, a.Pad)
	case OpBatchNorm, OpReLU, OpReLU6:
		return same()
	case OpShuffle:
		if err := same(); err != nil {
			return err
		}
		if len(op.Perm) != in.C {
			return fmt.Errorf("permutation of %d channels for %d", len(op.Perm), in.C)
		}
		seen := make([]bool, in.C)
		for _, p := range op.Perm {
			if p < 0 || p >= in.C || seen[p] {
				return fmt.Errorf("not a permutation")
			}
			seen[p] = true
		}
	case OpAdd:
		for i := range op.Inputs {
			if g.In(op, i) != out {
				return fmt.Errorf("input %d shape %s, output %s", i, g.In(op, i), out)
			}
		}
	case OpSplit:
		c := 0
		for i := range op.Outputs {
			o := g.Out(op, i)
			if o.N != in.N || o.H != in.H || o.W != in.W {
				return fmt.Errorf("part %d shape %s of %s", i, o, in)
			}
			c += o.C
		}
		if c != in.C {
			return fmt.Errorf("parts hold %d of %d channels", c, in.C)
		}
	case OpConcat:
		c := 0
		for i := range op.Inputs {
			s := g.In(op, i)
			if s.N != out.N || s.H != out.H || s.W != out.W {
				return fmt.Errorf("input %d shape %s, output %s", i, s, out)
			}
			c += s.C
		}
		if c != out.C {
			return fmt.Errorf("inputs hold %d channels, output %d", c, out.C)
		}
	case OpMaxPool, OpAvgPool:
		if in.C != out.C {
			return fmt.Errorf("channels %d -> %d", in.C, out.C)
		}
		return spatial(op.Pool.K, op.Pool.Stride, op.Pool.Pad)
	case OpGlobalAvgPool:
		if out != (Shape{N: in.N, C: in.C, H: 1, W: 1}) {
			return fmt.Errorf("shape %s -> %s", in, out)
		}
	case OpFC:
		if out.N != in.N || out.H != 1 || out.W != 1 || in.H != 1 || in.W != 1 {
			return fmt.Errorf("shape %s -> %s", in, out)
		}
	default:
		return fmt.Errorf("unknown op kind")
	}
	return nil
}
