package arch

// Step is one kernel launch of an execution plan: the graph ops it covers
// (the first is the anchor that names it) and whether it moves no data.
type Step struct {
	Ops []int // indices into Graph.Ops; Ops[0] is the anchor
	// View marks a zero-copy step: split and concat become channel offsets
	// and channel shuffles are folded into the consumers' weights.
	View bool
	// Copies lists the tensors a split, concat or shuffle step of the
	// fused plan still copies (each element read once and written once),
	// because no producer could write them where they go: a concat input
	// that already lives in another buffer (the passthrough half of a
	// ShuffleNetV2 stride-1 unit), or a shuffle that neither its producer
	// nor its consumers can absorb (before a group convolution). A step
	// with copies is not a View.
	Copies []TensorID
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
// epilogue, split/concat/shuffle as zero-copy views except the copies that
// remain (Step.Copies; see [fusedCopies] for the rules, which follow the
// native engine's planner). Every backend's fused mode follows this plan,
// so the cost of the fused view is the cost of what runs.
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
	fusedCopies(g, &p)
	return p
}

// fusedCopies fills Copies of the view steps of a fused plan with what the
// native engine (runner/native, plan.go) still copies:
//
//   - A channel shuffle is folded into its producer when that is a dense
//     1x1 convolution or FC (groups 1, no residual add) whose only consumer
//     it is: the producer writes its rows in shuffled order. Otherwise it
//     is folded into its consumers when every one can read shuffled
//     channels: element-wise ops, concats, dense convolutions and FC read
//     any channel order; depthwise convolutions and pooling pass the order
//     on to their own consumers; a split passes each part on when the
//     shuffle follows a two-input concat (ShuffleNetV2: the concat lays its
//     output out so each part is one contiguous range); a group
//     convolution cannot (each group must be one contiguous range). A
//     shuffle that can be neither is copied, straight into its consumers'
//     buffers.
//   - A concat input produced by a view (a split part, a folded shuffle,
//     another concat) or the graph input is copied into the concat's
//     buffer; every other producer writes into it in place, and so does a
//     copied shuffle, also through a split that is its only consumer.
func fusedCopies(g *Graph, p *Plan) {
	stepOf := make([]int, len(g.Ops))
	for si, st := range p.Steps {
		for _, oi := range st.Ops {
			stepOf[oi] = si
		}
	}
	copied := map[int]bool{} // shuffle ops that are copied
	for i := range g.Ops {
		op := &g.Ops[i]
		if op.Kind == OpShuffle && !shuffleFoldsIntoProducer(g, p, stepOf, op) && !absorbs(g, p, stepOf, op.Outputs[0], op) {
			copied[i] = true
			st := &p.Steps[stepOf[i]]
			st.Copies = append(st.Copies, op.Outputs[0])
			st.View = false
		}
	}
	for i := range g.Ops {
		op := &g.Ops[i]
		if op.Kind != OpConcat {
			continue
		}
		st := &p.Steps[stepOf[i]]
		for _, t := range op.Inputs {
			pr := g.Tensors[t].Producer
			if pr < 0 || isViewOp(g.Ops[pr].Kind) && !copied[pr] && !copiedSplitPart(g, pr, copied) {
				st.Copies = append(st.Copies, t)
				st.View = false
			}
		}
	}
}

// copiedSplitPart reports whether op pr is a split that is the only
// consumer of a copied shuffle: the shuffle's copy writes each part
// straight where it goes next.
func copiedSplitPart(g *Graph, pr int, copied map[int]bool) bool {
	op := &g.Ops[pr]
	if op.Kind != OpSplit {
		return false
	}
	in := op.Inputs[0]
	src := g.Tensors[in].Producer
	return src >= 0 && copied[src] && len(g.Tensors[in].Consumers) == 1
}

func isViewOp(k OpKind) bool { return k == OpSplit || k == OpConcat || k == OpShuffle }

// isDenseGemm reports whether op runs as one dense GEMM: FC, or a 1x1
// stride-1 unpadded convolution with one group.
func isDenseGemm(op *Op) bool {
	if op.Kind == OpFC {
		return true
	}
	c := op.Conv
	return op.Kind == OpConv && c.KH == 1 && c.KW == 1 && c.Stride == 1 && c.Pad == 0 && c.Groups == 1
}

// shuffleFoldsIntoProducer reports whether the shuffle's input comes from
// a dense GEMM step (no residual add) that writes only to the shuffle.
func shuffleFoldsIntoProducer(g *Graph, p *Plan, stepOf []int, sh *Op) bool {
	in := sh.Inputs[0]
	pr := g.Tensors[in].Producer
	if pr < 0 || in == g.Output || len(g.Tensors[in].Consumers) != 1 {
		return false
	}
	st := p.Steps[stepOf[pr]]
	if st.Ops[len(st.Ops)-1] != pr || !isDenseGemm(&g.Ops[st.Ops[0]]) {
		return false
	}
	for _, oi := range st.Ops {
		if g.Ops[oi].Kind == OpAdd {
			return false
		}
	}
	return true
}

// absorbs reports whether every consumer of t can read it in the channel
// order of the shuffle sh without a copy.
func absorbs(g *Graph, p *Plan, stepOf []int, t TensorID, sh *Op) bool {
	if t == g.Output {
		return false
	}
	for _, ci := range g.Tensors[t].Consumers {
		op := &g.Ops[ci]
		switch op.Kind {
		case OpAdd, OpBatchNorm, OpReLU, OpReLU6, OpConcat:
			continue
		}
		st := p.Steps[stepOf[ci]]
		if st.Ops[0] != ci {
			return false
		}
		last := g.Ops[st.Ops[len(st.Ops)-1]].Outputs[0]
		switch op.Kind {
		case OpConv:
			cin := g.In(op, 0).C
			switch {
			case op.Conv.Depthwise(cin) && g.Out(op, 0).C == cin:
				if !absorbs(g, p, stepOf, last, sh) {
					return false
				}
			case op.Conv.Groups > 1:
				return false
			}
		case OpFC:
		case OpMaxPool, OpAvgPool, OpGlobalAvgPool:
			if !absorbs(g, p, stepOf, op.Outputs[0], sh) {
				return false
			}
		case OpSplit:
			src := g.Tensors[sh.Inputs[0]].Producer
			if src < 0 || g.Ops[src].Kind != OpConcat || len(g.Ops[src].Inputs) != 2 {
				return false
			}
			for _, part := range op.Outputs {
				if !absorbs(g, p, stepOf, part, sh) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
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
