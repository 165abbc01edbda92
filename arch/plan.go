package arch

// Step is one kernel launch of an execution plan: the graph ops it covers
// (the first is the anchor that names it) and whether it moves no data.
type Step struct {
	Ops []int // indices into Graph.Ops; Ops[0] is the anchor
	// View marks a zero-copy step: split and concat become channel offsets
	// and channel shuffles are folded into the consumers' weights.
	View bool
}

// Plan is how a backend executes a graph: an ordered list of steps covering
// every op exactly once.
type Plan struct {
	Fused bool
	Steps []Step
}

// EagerPlan runs every op as its own step with a materialised output, as a
// framework's eager mode does.
func EagerPlan(g *Graph) Plan {
	p := Plan{Steps: make([]Step, len(g.Ops))}
	for i := range g.Ops {
		p.Steps[i] = Step{Ops: []int{i}}
	}
	return p
}

// FusedPlan is the plan of the fused execution mode: batch norm folded into
// the preceding conv, ReLU/ReLU6 and residual adds applied in the conv
// epilogue, split/concat/shuffle as zero-copy views. Every backend's fused
// mode follows this plan, so the cost of the fused view is the cost of what
// runs.
func FusedPlan(g *Graph) Plan {
	p := Plan{Fused: true}
	taken := make([]bool, len(g.Ops))
	// sole returns the single consumer of op i's only output, or -1.
	sole := func(i int) int {
		op := &g.Ops[i]
		if len(op.Outputs) != 1 || op.Outputs[0] == g.Output {
			return -1
		}
		cons := g.Tensors[op.Outputs[0]].Consumers
		if len(cons) != 1 {
			return -1
		}
		return cons[0]
	}
	for i := range g.Ops {
		if taken[i] {
			continue
		}
		op := &g.Ops[i]
		step := Step{Ops: []int{i}}
		taken[i] = true
		switch op.Kind {
		case OpSplit, OpConcat, OpShuffle:
			step.View = true
		case OpConv, OpFC:
			last := i
			if n := sole(last); op.Kind == OpConv && n >= 0 && g.Ops[n].Kind == OpBatchNorm {
				step.Ops = append(step.Ops, n)
				taken[n] = true
				last = n
			}
			if n := sole(last); n >= 0 && g.Ops[n].Kind == OpAdd && op.Kind == OpConv && addReady(g, n, last) {
				step.Ops = append(step.Ops, n)
				taken[n] = true
				last = n
			}
			if n := sole(last); n >= 0 && (g.Ops[n].Kind == OpReLU || g.Ops[n].Kind == OpReLU6) {
				step.Ops = append(step.Ops, n)
				taken[n] = true
			}
		}
		p.Steps = append(p.Steps, step)
	}
	return p
}

// addReady reports whether every input of the add other than the one
// produced by op `from` is produced before the anchor conv, so the add can
// run in the conv's epilogue.
func addReady(g *Graph, add, from int) bool {
	for _, t := range g.Ops[add].Inputs {
		p := g.Tensors[t].Producer
		if p == from {
			continue
		}
		if p >= from {
			return false
		}
	}
	return true
}
