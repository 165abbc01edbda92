package native

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/weights"
)

// entry is one compiled step with its profile labels.
type entry struct {
	name string
	ops  []string
	s    step
}

// gemmWeights are the unpacked, folded weights of one GEMM group, packed at
// the end of planning (a later channel shuffle may still permute the rows).
type gemmWeights struct {
	w, bias []float32 // [n][k], [n]
	n, k    int
}

// planner turns an execution plan into steps over planned buffers.
type planner struct {
	g      *arch.Graph
	w      weights.Set
	fused  bool
	plan   arch.Plan
	stepOf []int // op index -> plan step index

	views  []*view
	place  map[arch.TensorID]*view
	bufs   []*buffer
	steps  []entry
	gemmW  map[*gemmStep][]gemmWeights
	rowsOf map[arch.TensorID]*gemmStep // outputs of dense GEMM steps whose rows may be permuted
	done   []bool                      // ops already handled (split parts set by a shuffle copy)

	in, out *[]float32
	packed  int64 // bytes of packed weights
}

func newPlanner(g *arch.Graph, w weights.Set, fused bool, in, out *[]float32) *planner {
	p := &planner{g: g, w: w, fused: fused, in: in, out: out,
		views: make([]*view, len(g.Tensors)), place: map[arch.TensorID]*view{},
		gemmW: map[*gemmStep][]gemmWeights{}, rowsOf: map[arch.TensorID]*gemmStep{},
		done: make([]bool, len(g.Ops)), stepOf: make([]int, len(g.Ops))}
	if fused {
		p.plan = arch.FusedPlan(g)
	} else {
		p.plan = arch.EagerPlan(g)
	}
	for si, st := range p.plan.Steps {
		for _, oi := range st.Ops {
			p.stepOf[oi] = si
		}
	}
	return p
}

func iota(n, lo int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

func isIdentity(rel []int) bool {
	for i, r := range rel {
		if r != i {
			return false
		}
	}
	return true
}

func (p *planner) newBuffer(elems int) *buffer {
	b := &buffer{elems: elems, first: -1, last: -1}
	p.bufs = append(p.bufs, b)
	return b
}

func (p *planner) pixels(t arch.TensorID) int {
	s := p.g.Tensors[t].Shape
	return s.N * s.H * s.W
}

// fresh is a new buffer for tensor t with positions pos (stride = channels).
func (p *planner) fresh(t arch.TensorID, pos []int) *view {
	s := p.g.Tensors[t].Shape
	stride := s.C
	if p.fused {
		stride = paddedStride(s.C)
	}
	return &view{buf: p.newBuffer(p.pixels(t) * stride), stride: stride, pos: pos}
}

// paddedStride rounds a fused buffer's pixel stride up to a multiple of 16
// floats (one 64-byte cache line), so the vector loads and stores of a
// pixel's channels are aligned (depthwise loads no longer straddle two
// lines), when that costs at most 1/8 more memory.
func paddedStride(c int) int {
	if r := (c + 15) &^ 15; 8*r <= 9*c {
		return r
	}
	return c
}

// placement is where a producing step writes tensor t in logical order: in
// fused mode a concat input is written straight into its slice of the
// concat's buffer; otherwise t gets its own buffer.
func (p *planner) placement(t arch.TensorID) *view {
	if v := p.place[t]; v != nil {
		return v
	}
	sh := p.g.Tensors[t].Shape
	var v *view
	if p.fused && t != p.g.Output {
		for _, ci := range p.g.Tensors[t].Consumers {
			op := &p.g.Ops[ci]
			if op.Kind != arch.OpConcat {
				continue
			}
			cv := p.placement(op.Outputs[0])
			off := 0
			for _, in := range op.Inputs {
				if in == t {
					break
				}
				off += p.g.Tensors[in].Shape.C
			}
			v = &view{buf: cv.buf, stride: cv.stride, pos: cv.pos[off : off+sh.C]}
			break
		}
	}
	if v == nil {
		pos := p.concatLayout(t)
		if pos == nil {
			pos = iota(sh.C, 0)
		}
		v = p.fresh(t, pos)
	}
	p.place[t] = v
	return v
}

// concatLayout chooses channel positions for the output x of a two-input
// concat that is shuffled and split in two (a ShuffleNetV2 unit followed by
// a stride-1 unit), or returns nil. Channels of split part 0 come first,
// part 1 second, so each part is one contiguous range that the next
// layers read in place (the shuffle is folded); inside the part-0 range
// the concat's first input comes first, inside part 1 last, so the second
// input is one contiguous range and the first at most two, which 1x1
// producers write as row segments.
func (p *planner) concatLayout(x arch.TensorID) []int {
	g := p.g
	if !p.fused || x == g.Output || g.Tensors[x].Producer < 0 {
		return nil
	}
	cat := &g.Ops[g.Tensors[x].Producer]
	cons := g.Tensors[x].Consumers
	if cat.Kind != arch.OpConcat || len(cat.Inputs) != 2 || cat.Inputs[0] == cat.Inputs[1] ||
		len(cons) != 1 || g.Ops[cons[0]].Kind != arch.OpShuffle {
		return nil
	}
	sh := &g.Ops[cons[0]]
	t := sh.Outputs[0]
	if t == g.Output {
		return nil
	}
	if len(g.Tensors[t].Consumers) != 1 || g.Ops[g.Tensors[t].Consumers[0]].Kind != arch.OpSplit ||
		len(g.Ops[g.Tensors[t].Consumers[0]].Outputs) != 2 {
		return p.sourceOrderLayout(x, cat, sh)
	}
	sp := &g.Ops[g.Tensors[t].Consumers[0]]
	for _, in := range cat.Inputs {
		if !p.writable(in) {
			return nil
		}
	}
	c := g.Tensors[x].Shape.C
	c0 := g.Tensors[sp.Outputs[0]].Shape.C
	first := g.Tensors[cat.Inputs[0]].Shape.C
	input := func(ch int) int {
		if ch < first {
			return 0
		}
		return 1
	}
	// An input that the concat will copy (a view placed before this
	// layout is chosen, such as the passthrough split part) is laid out
	// in the order of its source positions, so the copy moves a few runs
	// of consecutive channels per pixel instead of single channels. Inputs
	// written by their producer keep their logical order (any order is
	// free for them; logical order keeps later copies run-friendly: each
	// producer's channels stay in order, and a split takes a prefix).
	var srcPos [2][]int
	for i, in := range cat.Inputs {
		if v := p.views[in]; v != nil {
			srcPos[i] = v.pos
		}
	}
	pos := make([]int, c)
	next := 0
	// part 0 range: input 0's channels, then input 1's; part 1: the reverse.
	for _, r := range [][4]int{{0, c0, 0, 1}, {c0, c, 1, 0}} {
		for _, want := range r[2:] {
			var chs []int
			for i := r[0]; i < r[1]; i++ {
				if ch := sh.Perm[i]; input(ch) == want {
					chs = append(chs, ch)
				}
			}
			if src := srcPos[want]; src != nil {
				off := 0
				if want == 1 {
					off = first
				}
				sort.SliceStable(chs, func(a, b int) bool { return src[chs[a]-off] < src[chs[b]-off] })
			}
			for _, ch := range chs {
				pos[ch] = next
				next++
			}
		}
	}
	return pos
}

// sourceOrderLayout lays out a two-input concat x that is shuffled but not
// split (the last unit of a ShuffleNetV2 stage): an input the concat
// copies (a view placed earlier) goes in the order of its source
// positions, so the copy moves runs of channels; the other input keeps
// its logical order. It returns nil (logical order) when the shuffle's
// consumers could not absorb the resulting permutation.
func (p *planner) sourceOrderLayout(x arch.TensorID, cat, sh *arch.Op) []int {
	g := p.g
	c := g.Tensors[x].Shape.C
	pos := make([]int, 0, c)
	moved := false
	for _, in := range cat.Inputs {
		lo := len(pos)
		n := g.Tensors[in].Shape.C
		order := iota(n, 0)
		if v := p.views[in]; v != nil {
			sort.SliceStable(order, func(a, b int) bool { return v.pos[order[a]] < v.pos[order[b]] })
		}
		rank := make([]int, n)
		for r, ch := range order {
			rank[ch] = r
		}
		for ch := range n {
			pos = append(pos, lo+rank[ch])
			moved = moved || rank[ch] != ch
		}
	}
	if !moved {
		return nil
	}
	shuffled := make([]int, len(sh.Perm))
	for i, j := range sh.Perm {
		shuffled[i] = pos[j]
	}
	if !p.canAbsorb(sh.Outputs[0], shuffled) {
		return nil
	}
	return pos
}

// writable reports whether concat input t can be written at scattered
// positions: it is a view the concat copies anyway (split part, shuffle,
// concat, graph input), or the output of a 1x1 GEMM step (dense, no
// residual add) that only the concat reads.
func (p *planner) writable(t arch.TensorID) bool {
	g := p.g
	pi := g.Tensors[t].Producer
	if pi < 0 {
		return true
	}
	switch g.Ops[pi].Kind {
	case arch.OpSplit, arch.OpConcat, arch.OpShuffle:
		return true
	}
	if len(g.Tensors[t].Consumers) != 1 {
		return false
	}
	st := p.plan.Steps[p.stepOf[pi]]
	if st.Ops[len(st.Ops)-1] != pi {
		return false
	}
	anchor := &g.Ops[st.Ops[0]]
	if !isGemm(g, anchor) || (anchor.Kind == arch.OpConv && anchor.Conv.Groups != 1) {
		return false
	}
	for _, oi := range st.Ops {
		if g.Ops[oi].Kind == arch.OpAdd {
			return false
		}
	}
	return true
}

// outView is where a channel-preserving step writes t when its input has
// relative permutation rel: the normal placement when rel is the identity,
// else a fresh buffer carrying the permutation on to the consumers.
func (p *planner) outView(t arch.TensorID, rel []int, origin string) *view {
	if isIdentity(rel) {
		return p.placement(t)
	}
	v := p.fresh(t, rel)
	v.origin = origin
	return v
}

// add appends a step and records buffer lifetimes.
func (p *planner) add(name string, ops []string, s step, reads, writes []*view) {
	i := len(p.steps)
	for _, v := range append(reads, writes...) {
		if v.buf.first < 0 || i < v.buf.first {
			v.buf.first = i
		}
		v.buf.last = max(v.buf.last, i)
	}
	p.steps = append(p.steps, entry{name: name, ops: ops, s: s})
}

// gather copies tensor t into a fresh buffer in logical order: the fallback
// when a consumer cannot read a folded permutation.
func (p *planner) gather(t arch.TensorID) *view {
	src := p.views[t]
	dst := p.fresh(t, iota(len(src.pos), 0))
	name := src.origin
	if name == "" {
		name = fmt.Sprintf("tensor%d", t)
	}
	p.add(name+".copy", nil, &copyStep{pixels: p.pixels(t), moves: []move{newMove(src, dst)}}, []*view{src}, []*view{dst})
	p.views[t] = dst
	return dst
}

// groupRanges splits pos into groups and returns, per group, the start of
// its position range and the relative permutation, when every group's
// positions form a contiguous range.
func groupRanges(pos []int, groups int) ([]int, [][]int, bool) {
	k := len(pos) / groups
	los := make([]int, groups)
	rels := make([][]int, groups)
	for gi := range groups {
		lo, rel, ok := rangePerm(pos[gi*k : (gi+1)*k])
		if !ok {
			return nil, nil, false
		}
		los[gi], rels[gi] = lo, rel
	}
	return los, rels, true
}

func isDepthwise(g *arch.Graph, op *arch.Op) bool {
	in, out := g.In(op, 0), g.Out(op, 0)
	return op.Conv.Depthwise(in.C) && out.C == in.C
}

func isGemm(g *arch.Graph, op *arch.Op) bool {
	if op.Kind == arch.OpFC {
		return true
	}
	c := op.Conv
	return op.Kind == arch.OpConv && c.KH == 1 && c.KW == 1 && c.Stride == 1 && c.Pad == 0 && !isDepthwise(g, op)
}

// build compiles the whole plan.
func (p *planner) build() error {
	g := p.g
	inV := p.placement(g.Input)
	p.views[g.Input] = inV
	s := g.Tensors[g.Input].Shape
	p.add("input", nil, &ioStep{ext: p.in, v: inV, n: s.N, c: s.C, pix: s.H * s.W}, nil, []*view{inV})
	for _, st := range p.plan.Steps {
		if err := p.buildStep(st); err != nil {
			return fmt.Errorf("compile op %s: %w", g.Ops[st.Ops[0]].ID, err)
		}
	}
	outV := p.views[g.Output]
	s = g.Tensors[g.Output].Shape
	p.add("output", nil, &ioStep{ext: p.out, v: outV, n: s.N, c: s.C, pix: s.H * s.W, toNCHW: true}, []*view{outV}, nil)
	for st, ws := range p.gemmW {
		for i, gw := range ws {
			st.groups[i].b = kernels.PackGemmB(gw.w, gw.n, gw.k, gw.bias)
			p.packed += int64(4 * ((gw.n + 31) / 32 * 32) * (gw.k + 1))
		}
	}
	return nil
}

func (p *planner) ids(ops []int) []string {
	out := make([]string, len(ops))
	for i, oi := range ops {
		out[i] = p.g.Ops[oi].ID
	}
	return out
}

func (p *planner) buildStep(st arch.Step) error {
	g := p.g
	op := &g.Ops[st.Ops[0]]
	if p.done[op.Index] {
		return nil
	}
	ids := p.ids(st.Ops)
	switch op.Kind {
	case arch.OpConv, arch.OpFC:
		return p.buildLayer(st.Ops, ids)
	case arch.OpBatchNorm, arch.OpReLU, arch.OpReLU6:
		in := p.views[op.Inputs[0]]
		out := p.placement(op.Outputs[0])
		s := &ewStep{pixels: p.pixels(op.Outputs[0]), in: in, out: out, act: kernels.None()}
		switch op.Kind {
		case arch.OpBatchNorm:
			s.scale, s.shift = bnAffine(p.w, op)
		case arch.OpReLU:
			s.act = kernels.ReLU()
		case arch.OpReLU6:
			s.act = kernels.ReLU6()
		}
		p.views[op.Outputs[0]] = out
		p.add(op.ID, ids, s, []*view{in}, []*view{out})
	case arch.OpAdd:
		out := p.placement(op.Outputs[0])
		s := &addStep{pixels: p.pixels(op.Outputs[0]), out: out}
		for _, t := range op.Inputs {
			s.ins = append(s.ins, p.views[t])
		}
		p.views[op.Outputs[0]] = out
		p.add(op.ID, ids, s, s.ins, []*view{out})
	case arch.OpMaxPool, arch.OpAvgPool:
		in := p.views[op.Inputs[0]]
		lo, rel, ok := rangePerm(in.pos)
		if !ok {
			in = p.gather(op.Inputs[0])
			lo, rel = in.pos[0], iota(len(in.pos), 0)
		}
		out := p.outView(op.Outputs[0], rel, in.origin)
		ig := p.geom(op, in, out, lo, op.Pool.K, op.Pool.Stride, op.Pool.Pad)
		p.views[op.Outputs[0]] = out
		p.add(op.ID, ids, &poolStep{imgGeom: ig, in: in, out: out, isMax: op.Kind == arch.OpMaxPool, k: op.Pool.K, c: len(rel), inclPad: op.Pool.CountIncludePad}, []*view{in}, []*view{out})
	case arch.OpGlobalAvgPool:
		in := p.views[op.Inputs[0]]
		lo, rel, ok := rangePerm(in.pos)
		if !ok {
			in = p.gather(op.Inputs[0])
			lo, rel = in.pos[0], iota(len(in.pos), 0)
		}
		out := p.outView(op.Outputs[0], rel, in.origin)
		sh := g.In(op, 0)
		p.views[op.Outputs[0]] = out
		p.add(op.ID, ids, &gapStep{n: sh.N, pix: sh.H * sh.W, c: sh.C, in: in, out: out, inLo: lo, outLo: out.pos[0] - rel[0]}, []*view{in}, []*view{out})
	case arch.OpSplit:
		p.buildSplit(op, ids)
	case arch.OpConcat:
		p.buildConcat(op, ids)
	case arch.OpShuffle:
		p.buildShuffle(op, ids)
	default:
		return fmt.Errorf("unsupported op kind %q", op.Kind)
	}
	return nil
}

// geom is the image geometry of a spatial op reading in (range starting at
// inLo) and writing out.
func (p *planner) geom(op *arch.Op, in, out *view, inLo, k, stride, pad int) imgGeom {
	is, os := p.g.In(op, 0), p.g.Out(op, 0)
	lo, _, _ := rangePerm(out.pos)
	return imgGeom{n: is.N, inPix: is.H * is.W, outPix: os.H * os.W, inLo: inLo, outLo: lo,
		g: kernels.Geom{InH: is.H, InW: is.W, InStride: in.stride, OutH: os.H, OutW: os.W, OutStride: out.stride, Stride: stride, Pad: pad}}
}

func (p *planner) buildSplit(op *arch.Op, ids []string) {
	in := p.views[op.Inputs[0]]
	off := 0
	var moves []move
	var outs []*view
	for _, t := range op.Outputs {
		c := p.g.Tensors[t].Shape.C
		sub := &view{buf: in.buf, stride: in.stride, pos: in.pos[off : off+c], origin: in.origin}
		off += c
		if p.fused {
			p.views[t] = sub
			continue
		}
		dst := p.placement(t)
		p.views[t] = dst
		moves = append(moves, newMove(sub, dst))
		outs = append(outs, dst)
	}
	if !p.fused {
		p.add(op.ID, ids, &copyStep{pixels: p.pixels(op.Inputs[0]), moves: moves}, []*view{in}, outs)
	}
}

func (p *planner) buildConcat(op *arch.Op, ids []string) {
	out := p.placement(op.Outputs[0])
	p.views[op.Outputs[0]] = out
	off := 0
	var moves []move
	var reads []*view
	for _, t := range op.Inputs {
		c := p.g.Tensors[t].Shape.C
		dst := &view{buf: out.buf, stride: out.stride, pos: out.pos[off : off+c]}
		off += c
		src := p.views[t]
		if p.fused && src.buf == dst.buf && slices.Equal(src.pos, dst.pos) {
			continue // the producer wrote it in place
		}
		moves = append(moves, newMove(src, dst))
		reads = append(reads, src)
	}
	if len(moves) == 0 {
		return
	}
	// In fused mode this step copies only the inputs no producer could write
	// in place (the passthrough half of a stride-1 unit); the fused cost
	// view charges that copy's MAC to the concat (arch.Step.Copies), so the
	// step covers the concat and the profile joins its time there.
	p.add(op.ID, ids, &copyStep{pixels: p.pixels(op.Outputs[0]), moves: moves}, reads, []*view{out})
}

func (p *planner) buildShuffle(op *arch.Op, ids []string) {
	t := op.Outputs[0]
	src := p.views[op.Inputs[0]]
	pos := make([]int, len(op.Perm))
	for i, j := range op.Perm {
		pos[i] = src.pos[j]
	}
	permuted := &view{buf: src.buf, stride: src.stride, pos: pos, origin: op.ID}
	if !p.fused {
		dst := p.placement(t)
		p.views[t] = dst
		p.add(op.ID, ids, &copyStep{pixels: p.pixels(t), moves: []move{newMove(permuted, dst)}}, []*view{src}, []*view{dst})
		return
	}
	// The fused plan (arch.FusedPlan, which the cost view charges) says
	// which shuffles are copied; the engine copies exactly those, even
	// where the positions happen to let a group conv read them in place.
	planned := slices.Contains(p.plan.Steps[p.stepOf[op.Index]].Copies, t)
	// 1. Fold into the producer: a dense GEMM writes its rows in shuffled order.
	if st := p.rowsOf[op.Inputs[0]]; !planned && st != nil && len(p.g.Tensors[op.Inputs[0]].Consumers) == 1 && op.Inputs[0] != p.g.Output {
		ws := p.gemmW[st]
		gw := &ws[0]
		nw := make([]float32, len(gw.w))
		nb := make([]float32, len(gw.bias))
		for q, j := range op.Perm {
			copy(nw[q*gw.k:(q+1)*gw.k], gw.w[j*gw.k:(j+1)*gw.k])
			nb[q] = gw.bias[j]
		}
		gw.w, gw.bias = nw, nb
		delete(p.rowsOf, op.Inputs[0])
		p.views[t] = src
		return
	}
	// 2. Fold into the consumers.
	if !planned && p.canAbsorb(t, pos) {
		p.views[t] = permuted
		return
	}
	// 3. Copy, straight into the places the data goes next.
	var moves []move
	var outs []*view
	cons := p.g.Tensors[t].Consumers
	if t != p.g.Output && len(cons) == 1 && p.g.Ops[cons[0]].Kind == arch.OpSplit {
		split := &p.g.Ops[cons[0]]
		off := 0
		for _, part := range split.Outputs {
			c := p.g.Tensors[part].Shape.C
			dst := p.placement(part)
			p.views[part] = dst
			moves = append(moves, newMove(&view{buf: src.buf, stride: src.stride, pos: pos[off : off+c]}, dst))
			outs = append(outs, dst)
			off += c
		}
		p.done[split.Index] = true
	} else {
		dst := p.placement(t)
		p.views[t] = dst
		moves = append(moves, newMove(permuted, dst))
		outs = append(outs, dst)
	}
	p.add(op.ID, ids, &copyStep{pixels: p.pixels(t), moves: moves}, []*view{src}, outs)
}

// canAbsorb reports whether every consumer of t can read it at positions
// pos (a folded channel shuffle) without a copy.
func (p *planner) canAbsorb(t arch.TensorID, pos []int) bool {
	g := p.g
	if t == g.Output {
		return false
	}
	for _, ci := range g.Tensors[t].Consumers {
		op := &g.Ops[ci]
		st := p.plan.Steps[p.stepOf[ci]]
		switch op.Kind {
		case arch.OpAdd, arch.OpBatchNorm, arch.OpReLU, arch.OpReLU6, arch.OpConcat:
			continue // per-element passes, epilogues and concat copies read any positions
		}
		if st.Ops[0] != ci {
			return false
		}
		switch op.Kind {
		case arch.OpConv:
			if isDepthwise(g, op) {
				_, rel, ok := rangePerm(pos)
				if !ok {
					return false
				}
				if !isIdentity(rel) && !p.canAbsorb(g.Ops[st.Ops[len(st.Ops)-1]].Outputs[0], rel) {
					return false
				}
				continue
			}
			if _, _, ok := groupRanges(pos, op.Conv.Groups); !ok {
				return false
			}
		case arch.OpFC:
			if _, _, ok := rangePerm(pos); !ok {
				return false
			}
		case arch.OpMaxPool, arch.OpAvgPool, arch.OpGlobalAvgPool:
			_, rel, ok := rangePerm(pos)
			if !ok || (!isIdentity(rel) && !p.canAbsorb(op.Outputs[0], rel)) {
				return false
			}
		case arch.OpSplit:
			off := 0
			for _, part := range op.Outputs {
				c := g.Tensors[part].Shape.C
				if !p.canAbsorb(part, pos[off:off+c]) {
					return false
				}
				off += c
			}
		default:
			return false
		}
	}
	return true
}

// bnAffine returns batch norm as scale and shift per channel:
// y = x*scale + shift with scale = gamma/sqrt(var+eps), shift = beta - mean*scale.
func bnAffine(w weights.Set, op *arch.Op) ([]float32, []float32) {
	gamma, beta := w.Get(op.Param+".weight"), w.Get(op.Param+".bias")
	mean, variance := w.Get(op.Param+".running_mean"), w.Get(op.Param+".running_var")
	scale := make([]float32, len(gamma))
	shift := make([]float32, len(gamma))
	for c := range gamma {
		s := float64(gamma[c]) / math.Sqrt(float64(variance[c])+op.Eps)
		scale[c] = float32(s)
		shift[c] = float32(float64(beta[c]) - float64(mean[c])*s)
	}
	return scale, shift
}

// groupedInput returns the view of input t with every group's channels in
// one contiguous range of positions, gathering a copy when a folded
// permutation scatters them, with each group's first position and its
// channels' offsets in that range.
func (p *planner) groupedInput(t arch.TensorID, in *view, groups int) (*view, []int, [][]int) {
	los, rels, ok := groupRanges(in.pos, groups)
	if !ok {
		in = p.gather(t)
		los, rels, _ = groupRanges(in.pos, groups)
	}
	return in, los, rels
}

// buildLayer compiles a conv or FC step with its fused batch norm, residual
// add and activation (eager steps hold the conv or FC alone).
func (p *planner) buildLayer(ops []int, ids []string) error {
	g := p.g
	op := &g.Ops[ops[0]]
	cur := op.Outputs[0]
	var bn *arch.Op
	var addends []arch.TensorID
	act := kernels.None()
	for _, oi := range ops[1:] {
		o := &g.Ops[oi]
		switch o.Kind {
		case arch.OpBatchNorm:
			bn = o
		case arch.OpAdd:
			for _, t := range o.Inputs {
				if t != cur {
					addends = append(addends, t)
				}
			}
		case arch.OpReLU:
			act = kernels.ReLU()
		case arch.OpReLU6:
			act = kernels.ReLU6()
		}
		cur = o.Outputs[0]
	}
	outT := cur
	is, os := g.In(op, 0), g.Out(op, 0)
	// Folded weights: W * scale per output channel, (b - mean)*scale + beta.
	wt := slices.Clone(p.w.Get(op.Param + ".weight"))
	bias := make([]float32, os.C)
	hasBias := (op.Kind == arch.OpConv && op.Conv.Bias) || (op.Kind == arch.OpFC && op.FCBias)
	if hasBias {
		copy(bias, p.w.Get(op.Param+".bias"))
	}
	if bn != nil {
		scale, shift := bnAffine(p.w, bn)
		per := len(wt) / os.C
		for co := range os.C {
			for i := co * per; i < (co+1)*per; i++ {
				wt[i] = float32(float64(wt[i]) * float64(scale[co]))
			}
			bias[co] = float32(float64(bias[co])*float64(scale[co]) + float64(shift[co]))
		}
	}
	in := p.views[op.Inputs[0]]
	var epi *epilogue
	mkEpi := func(out *view) {
		if len(addends) == 0 {
			return
		}
		var adds []view
		for _, t := range addends {
			adds = append(adds, *p.views[t])
		}
		epi = newEpilogue(out, adds, act)
	}
	reads := []*view{in}
	for _, t := range addends {
		reads = append(reads, p.views[t])
	}
	groups := 1
	if op.Kind == arch.OpConv {
		groups = op.Conv.Groups
	}
	switch {
	case isGemm(g, op):
		if op.Kind == arch.OpFC && (is.H != 1 || is.W != 1) {
			return fmt.Errorf("fc input %s: only 1x1 spatial inputs are supported", is)
		}
		var los []int
		var rels [][]int
		in, los, rels = p.groupedInput(op.Inputs[0], in, groups)
		reads[0] = in
		out := p.placement(outT)
		mkEpi(out)
		k, n := is.C/groups, os.C/groups
		s := &gemmStep{m: p.pixels(op.Outputs[0]), in: in, out: out, act: act, epi: epi, panelsPerGrp: (n + 31) / 32, nTotal: os.C}
		var ws []gemmWeights
		for gi := range groups {
			gw := gemmWeights{w: make([]float32, n*k), bias: bias[gi*n : (gi+1)*n], n: n, k: k}
			for j := range n {
				for l := range k {
					gw.w[j*k+rels[gi][l]] = wt[(gi*n+j)*k+l]
				}
			}
			ws = append(ws, gw)
			s.groups = append(s.groups, gemmGroup{inLo: los[gi], outLo: out.pos[0] + gi*n, n: n})
		}
		_, contig := out.contiguous()
		if !contig {
			// A concat layout asked for rows at scattered positions: cut
			// them into runs of consecutive positions, one GEMM each.
			if groups != 1 || epi != nil {
				return fmt.Errorf("internal error: scattered output positions for a grouped or residual layer")
			}
			ws, s.groups = segments(ws[0], out.pos, los[0])
			s.panelsPerGrp = 0
			for _, sg := range s.groups {
				s.panelsPerGrp = max(s.panelsPerGrp, (sg.n+31)/32)
			}
		}
		p.gemmW[s] = ws
		if groups == 1 && epi == nil && p.fused && contig {
			p.rowsOf[outT] = s
		}
		p.views[outT] = out
		p.add(ops2name(ids), ids, s, reads, []*view{out})
	case isDepthwise(g, op):
		lo, rel, ok := rangePerm(in.pos)
		if !ok || (len(addends) > 0 && !isIdentity(rel)) {
			in = p.gather(op.Inputs[0])
			reads[0] = in
			lo, rel = in.pos[0], iota(is.C, 0)
		}
		out := p.outView(outT, rel, in.origin)
		mkEpi(out)
		kk := op.Conv.KH * op.Conv.KW
		pw := make([]float32, len(wt))
		pb := make([]float32, is.C)
		for c := range is.C {
			copy(pw[rel[c]*kk:(rel[c]+1)*kk], wt[c*kk:(c+1)*kk])
			pb[rel[c]] = bias[c]
		}
		s := &dwStep{imgGeom: p.geom(op, in, out, lo, op.Conv.KH, op.Conv.Stride, op.Conv.Pad), in: in, out: out,
			w: kernels.PackDW(pw, pb, is.C, op.Conv.KH, op.Conv.KW), c: is.C, act: act, epi: epi}
		p.packed += int64(4 * (len(pw) + len(pb)))
		p.views[outT] = out
		p.add(ops2name(ids), ids, s, reads, []*view{out})
	case groups == 1:
		lo, rel, ok := rangePerm(in.pos)
		if !ok {
			in = p.gather(op.Inputs[0])
			reads[0] = in
			lo, rel = in.pos[0], iota(is.C, 0)
		}
		out := p.placement(outT)
		mkEpi(out)
		kk := op.Conv.KH * op.Conv.KW
		pw := make([]float32, len(wt))
		for co := range os.C {
			for ci := range is.C {
				copy(pw[(co*is.C+rel[ci])*kk:(co*is.C+rel[ci]+1)*kk], wt[(co*is.C+ci)*kk:(co*is.C+ci+1)*kk])
			}
		}
		s := &convStep{imgGeom: p.geom(op, in, out, lo, op.Conv.KH, op.Conv.Stride, op.Conv.Pad), in: in, out: out,
			w: kernels.PackConv(pw, bias, os.C, is.C, op.Conv.KH, op.Conv.KW), cout: os.C, act: act, epi: epi}
		p.packed += int64(4 * ((os.C + 31) / 32 * 32) * (len(pw)/os.C + 1))
		p.views[outT] = out
		p.add(ops2name(ids), ids, s, reads, []*view{out})
	default:
		var los []int
		var rels [][]int
		in, los, rels = p.groupedInput(op.Inputs[0], in, groups)
		reads[0] = in
		out := p.placement(outT)
		mkEpi(out)
		icg, ocg := is.C/groups, os.C/groups
		kh, kw := op.Conv.KH, op.Conv.KW
		// Repack OIHW (per group) to [co][ky][kx][physical ci].
		pw := make([]float32, len(wt))
		for co := range os.C {
			gi := co / ocg
			for ci := range icg {
				for t := range kh * kw {
					pw[(co*kh*kw+t)*icg+rels[gi][ci]] = wt[(co*icg+ci)*kh*kw+t]
				}
			}
		}
		s := &groupConvStep{imgGeom: p.geom(op, in, out, 0, kh, op.Conv.Stride, op.Conv.Pad), in: in, out: out,
			groups: groups, icg: icg, ocg: ocg, kh: kh, kw: kw, w: pw, bias: bias, inLos: los, act: act, epi: epi}
		p.packed += int64(4 * (len(pw) + len(bias)))
		p.views[outT] = out
		p.add(ops2name(ids), ids, s, reads, []*view{out})
	}
	return nil
}

func ops2name(ids []string) string { return ids[0] }

// segments splits the rows of one GEMM whose output channel c goes to
// position pos[c] into runs of consecutive positions.
func segments(full gemmWeights, pos []int, inLo int) ([]gemmWeights, []gemmGroup) {
	order := iota(len(pos), 0)
	sort.Slice(order, func(a, b int) bool { return pos[order[a]] < pos[order[b]] })
	var ws []gemmWeights
	var gs []gemmGroup
	k := full.k
	for a := 0; a < len(order); {
		b := a + 1
		for b < len(order) && pos[order[b]] == pos[order[b-1]]+1 {
			b++
		}
		gw := gemmWeights{w: make([]float32, (b-a)*k), bias: make([]float32, b-a), n: b - a, k: k}
		for r, c := range order[a:b] {
			copy(gw.w[r*k:(r+1)*k], full.w[c*k:(c+1)*k])
			gw.bias[r] = full.bias[c]
		}
		ws = append(ws, gw)
		gs = append(gs, gemmGroup{inLo: inLo, outLo: pos[order[a]], n: b - a})
		a = b
	}
	return ws, gs
}

// allocate assigns buffers with disjoint lifetimes to shared arenas and
// allocates them; it returns the bytes allocated.
func (p *planner) allocate() int64 {
	bufs := slices.Clone(p.bufs)
	sort.SliceStable(bufs, func(i, j int) bool { return bufs[i].first < bufs[j].first })
	type arena struct {
		size, busy int
		members    []*buffer
	}
	var arenas []*arena
	for _, b := range bufs {
		if b.first < 0 {
			continue // never used
		}
		var best *arena
		for _, a := range arenas {
			if a.busy >= b.first {
				continue
			}
			switch {
			case best == nil:
				best = a
			case a.size >= b.elems && (best.size < b.elems || a.size < best.size):
				best = a
			case best.size < b.elems && a.size > best.size:
				best = a
			}
		}
		if best == nil {
			best = &arena{}
			arenas = append(arenas, best)
		}
		best.size = max(best.size, b.elems)
		best.busy = b.last
		best.members = append(best.members, b)
	}
	var total int64
	for _, a := range arenas {
		data := make([]float32, a.size)
		total += int64(4 * a.size)
		for _, b := range a.members {
			b.data = data[:b.elems]
		}
	}
	return total
}
