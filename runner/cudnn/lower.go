package cudnn

import (
	"fmt"
	"math"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// callKind is the library call a lowered call maps to.
type callKind uint8

// The calls a program is made of.
const (
	// callConv: Y = conv(X, W) (cudnnConvolutionForward, beta 0).
	callConv callKind = iota
	// callConvBiasAct: Y = act(conv(X, W) + Alpha2*Z + B), Act none, ReLU
	// or ReLU6: a fused conv step as one call. Compile picks how it runs
	// (impl.go): cudnnConvolutionBiasActivationForward, cuDNN's conv + bias
	// calls, a cuBLASLt GEMM with a bias epilogue or the own depthwise
	// kernel.
	callConvBiasAct
	// callAddTensor: Y = Alpha*X + Beta*Y with X broadcast over Y (cudnnAddTensor).
	callAddTensor
	// callBatchNorm: Y = W*(X-Z)/sqrt(V+Eps) + B per channel
	// (cudnnBatchNormalizationForwardInference, spatial mode).
	callBatchNorm
	// callActivation: Y = act(X) (cudnnActivationForward; X may be Y).
	callActivation
	// callPool: Y = pool(X) (cudnnPoolingForward).
	callPool
	// callGemm: column-major C = op(A) op(B) with A = W, B = X, C = Y
	// (cublasSgemm_v2; Alpha 1, Beta 0).
	callGemm
	// callCopy: Y = X over strided descriptors (cudnnTransformTensor).
	callCopy
	// callAdd: Y = X + Z, all of the same dims (cudnnOpTensor with
	// CUDNN_OP_TENSOR_ADD, beta 0): an eager element-wise add is one kernel.
	callAdd
)

var callNames = [...]string{"conv", "conv_bias_act", "add_tensor", "batchnorm", "activation", "pool", "gemm", "copy", "add"}

func (k callKind) String() string { return callNames[k] }

// actKind is an activation function.
type actKind uint8

// Activations (cuDNN: RELU, CLIPPED_RELU with coefficient 6).
const (
	actNone actKind = iota
	actReLU
	actReLU6
)

// poolMode is a cuDNN pooling mode.
type poolMode uint8

// Pooling modes (cudnnPoolingMode_t order: MAX 0, AVERAGE_COUNT_INCLUDE_PADDING 1,
// AVERAGE_COUNT_EXCLUDE_PADDING 2).
const (
	poolMax poolMode = iota
	poolAvgInclude
	poolAvgExclude
)

// convAttr are the arguments of cudnnSetConvolution2dDescriptor and
// cudnnSetConvolutionGroupCount; the filter dims are in call.W.Dims.
type convAttr struct {
	PadH, PadW, StrideH, StrideW, Groups int
}

// poolAttr are the arguments of cudnnSetPooling2dDescriptor.
type poolAttr struct {
	Mode             poolMode
	WinH, WinW       int
	PadH, PadW       int
	StrideH, StrideW int
}

// gemmAttr are the shape arguments of cublasSgemm_v2 (column-major).
type gemmAttr struct {
	TransA, TransB bool
	M, N, K        int
	LDA, LDB, LDC  int
}

// call is one library call over device buffers.
type call struct {
	Kind callKind
	X, Y desc
	// W is the filter (conv, Dims = Cout, Cin/groups, KH, KW), the A matrix
	// (gemm) or the scale (batch norm); B the bias (1, C, 1, 1); Z the
	// residual of callConvBiasAct or the batch-norm mean; V the batch-norm
	// variance.
	W, B, Z, V  desc
	Alpha, Beta float32 // callAddTensor
	Alpha2      float32 // callConvBiasAct: weight of Z (0: Z = Y, unused)
	Act         actKind
	Conv        convAttr
	Pool        poolAttr
	Gemm        gemmAttr
	Eps         float64
}

// buffer is one device allocation. Weight buffers carry their host data;
// activation buffers have none.
type buffer struct {
	Name  string
	Elems int64
	Data  []float32
}

// stepInfo is one plan step as executed: the calls [First, End) and the
// graph ops they cover, for per-step profiles.
type stepInfo struct {
	Name       string
	Ops        []string
	First, End int
}

// lowered is a graph compiled to calls, independent of any device.
type lowered struct {
	Bufs   []buffer
	Calls  []call
	Steps  []stepInfo
	Input  desc // packed graph input
	Output desc // packed graph output
}

// Bytes is the device memory of all buffers (fp32).
func (l *lowered) Bytes() int64 {
	var n int64
	for _, b := range l.Bufs {
		n += 4 * b.Elems
	}
	return n
}

// lowerer holds the state of one lowering.
type lowerer struct {
	g       *arch.Graph
	w       weights.Set
	out     *lowered
	loc     []loc  // per tensor; Ctot 0 = not placed yet
	virtual []bool // per op: a concat read directly by its shuffle
	steps   []stepInfo
	cur     *stepInfo
	// packedIO makes every compute call read and write packed tensors
	// (copies into temporaries instead of strided channel views); only
	// the transforms see strides.
	packedIO bool
}

// lower compiles g with weights w for the mode: eager runs every op as its
// own call(s) with its own output buffer; fused follows arch.FusedPlan with
// batch norm folded into conv weights and bias on the host, each conv step
// (bias, a residual add, ReLU or ReLU6) as one callConvBiasAct, split and
// concat as channel views and each channel shuffle as strided transforms
// reading the concatenated branches directly.
func lower(g *arch.Graph, w weights.Set, mode runner.Mode) (*lowered, error) {
	return lowerWith(g, w, mode, false)
}

// lowerWith is lower with the packed-I/O choice: with packedIO no compute
// call (conv, pool, batch norm, activation, add) gets a strided descriptor,
// which only channel views of N > 1 tensors produce. It is the fallback for
// a library that rejects strided convolution tensors.
func lowerWith(g *arch.Graph, w weights.Set, mode runner.Mode, packedIO bool) (*lowered, error) {
	l := &lowerer{g: g, w: w, out: &lowered{}, loc: make([]loc, len(g.Tensors)), virtual: make([]bool, len(g.Ops)), packedIO: packedIO}
	in := g.Tensors[g.Input].Shape
	l.loc[g.Input] = l.newBuf("input", in)
	l.out.Input = tdesc(l.loc[g.Input], in)
	var plan arch.Plan
	switch mode {
	case runner.Eager:
		plan = arch.EagerPlan(g)
	case runner.Fused:
		plan = arch.FusedPlan(g)
		l.placeConcats()
	default:
		return nil, fmt.Errorf("cudnn: unknown mode %q", mode)
	}
	for _, st := range plan.Steps {
		if err := l.step(st, mode == runner.Fused); err != nil {
			return nil, err
		}
	}
	os := g.Tensors[g.Output].Shape
	ol := l.loc[g.Output]
	if !ol.packed(os.C) {
		dst := l.newBuf("output", os)
		l.begin("output_copy", nil)
		l.copies([]loc{ol}, permFrom(identity(os.C)), dst, os)
		l.end()
		ol = dst
	}
	l.out.Output = tdesc(ol, os)
	l.out.Steps = l.steps
	return l.out, nil
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// newBuf allocates an activation buffer for a packed tensor of shape s.
func (l *lowerer) newBuf(name string, s arch.Shape) loc {
	l.out.Bufs = append(l.out.Bufs, buffer{Name: name, Elems: s.Elems()})
	return loc{Buf: len(l.out.Bufs) - 1, Ctot: s.C}
}

// weightBuf uploads host data and returns a descriptor with the given dims.
func (l *lowerer) weightBuf(name string, data []float32, dims [4]int) desc {
	l.out.Bufs = append(l.out.Bufs, buffer{Name: name, Elems: int64(len(data)), Data: data})
	return desc{Buf: len(l.out.Bufs) - 1, Dims: dims,
		Strides: [4]int{dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1}}
}

// vecDesc is the (1, C, 1, 1) descriptor of a per-channel vector.
func (l *lowerer) vecDesc(name string, data []float32) desc {
	return l.weightBuf(name, data, [4]int{1, len(data), 1, 1})
}

func (l *lowerer) tensor(name string, n int) ([]float32, error) {
	t, ok := l.w[name]
	if !ok {
		return nil, fmt.Errorf("cudnn: weights: tensor %q is missing", name)
	}
	if len(t.Data) != n {
		return nil, fmt.Errorf("cudnn: weights: tensor %q has %d values, want %d", name, len(t.Data), n)
	}
	return t.Data, nil
}

// placed returns the location of tensor t, allocating a packed buffer for it
// if it has none yet.
func (l *lowerer) placed(t arch.TensorID, name string) loc {
	if l.loc[t].Ctot == 0 {
		l.loc[t] = l.newBuf(name, l.g.Tensors[t].Shape)
	}
	return l.loc[t]
}

func (l *lowerer) d(t arch.TensorID) desc { return tdesc(l.loc[t], l.g.Tensors[t].Shape) }

// in is the descriptor a compute call reads tensor t through: its own, or
// with packedIO and a strided location, a packed temporary it is copied to.
func (l *lowerer) in(t arch.TensorID) desc {
	d := l.d(t)
	if !l.packedIO || d.packedDims() {
		return d
	}
	s := l.g.Tensors[t].Shape
	tmp := l.newBuf("packed", s)
	l.copies([]loc{l.loc[t]}, permFrom(identity(s.C)), tmp, s)
	return tdesc(tmp, s)
}

// stridedCompute reports whether any compute call reads or writes a
// strided (not fully packed) tensor.
func (lw *lowered) stridedCompute() bool {
	for _, c := range lw.Calls {
		if c.Kind == callCopy || c.Kind == callGemm {
			continue
		}
		if !c.X.packedDims() || !c.Y.packedDims() || ((c.Kind == callAdd || c.Kind == callConvBiasAct) && !c.Z.packedDims()) {
			return true
		}
	}
	return false
}

// placeConcats decides the fused mode's zero-copy layout before any call is
// emitted: a concat whose only consumer is a channel shuffle is virtual
// (the shuffle's transforms read its inputs directly); every other concat
// gets a buffer, and each input produced by a computing step writes straight
// into its channel slot. Concats are visited last to first so that a concat
// feeding another concat is itself placed in its consumer's slot first.
func (l *lowerer) placeConcats() {
	g := l.g
	for i := range g.Ops {
		op := &g.Ops[i]
		if op.Kind != arch.OpConcat || op.Outputs[0] == g.Output {
			continue
		}
		cons := g.Tensors[op.Outputs[0]].Consumers
		if len(cons) == 1 && g.Ops[cons[0]].Kind == arch.OpShuffle {
			l.virtual[i] = true
		}
	}
	for i := len(g.Ops) - 1; i >= 0; i-- {
		op := &g.Ops[i]
		if op.Kind != arch.OpConcat || l.virtual[i] {
			continue
		}
		dst := l.placed(op.Outputs[0], op.ID)
		if l.packedIO && !tdesc(dst.slot(0), g.Tensors[op.Inputs[0]].Shape).packedDims() {
			continue // slots of an N > 1 tensor are strided: copy instead
		}
		off := 0
		for _, t := range op.Inputs {
			if l.ownable(t) && l.loc[t].Ctot == 0 {
				l.loc[t] = dst.slot(off)
			}
			off += g.Tensors[t].Shape.C
		}
	}
}

// ownable reports whether tensor t is written by a step that can write it
// anywhere (not the graph input or output, not a view of another tensor).
func (l *lowerer) ownable(t arch.TensorID) bool {
	g := l.g
	if t == g.Input || t == g.Output {
		return false
	}
	p := g.Tensors[t].Producer
	return g.Ops[p].Kind != arch.OpSplit && !l.virtual[p]
}

func (l *lowerer) begin(name string, ops []string) {
	l.steps = append(l.steps, stepInfo{Name: name, Ops: ops, First: len(l.out.Calls)})
	l.cur = &l.steps[len(l.steps)-1]
}

func (l *lowerer) end() {
	l.cur.End = len(l.out.Calls)
	if l.cur.End == l.cur.First { // a pure view: nothing runs
		l.steps = l.steps[:len(l.steps)-1]
	}
	l.cur = nil
}

func (l *lowerer) emit(c call) { l.out.Calls = append(l.out.Calls, c) }

// step lowers one plan step.
func (l *lowerer) step(st arch.Step, fused bool) error {
	g := l.g
	op := &g.Ops[st.Ops[0]]
	ids := make([]string, len(st.Ops))
	for i, k := range st.Ops {
		ids[i] = g.Ops[k].ID
	}
	if op.Kind == arch.OpShuffle && fused {
		if p := g.Tensors[op.Inputs[0]].Producer; p >= 0 && l.virtual[p] {
			ids = append([]string{g.Ops[p].ID}, ids...)
		}
	}
	l.begin(ids[0], ids) // a concat read by its shuffle names the step
	defer l.end()
	switch op.Kind {
	case arch.OpConv:
		return l.conv(st, fused)
	case arch.OpFC:
		return l.fc(st)
	case arch.OpBatchNorm:
		return l.batchNorm(op)
	case arch.OpReLU, arch.OpReLU6:
		act := actReLU
		if op.Kind == arch.OpReLU6 {
			act = actReLU6
		}
		l.placed(op.Outputs[0], op.ID)
		l.emit(call{Kind: callActivation, X: l.in(op.Inputs[0]), Y: l.d(op.Outputs[0]), Act: act})
	case arch.OpAdd:
		l.placed(op.Outputs[0], op.ID)
		y := l.d(op.Outputs[0])
		l.emit(call{Kind: callAdd, X: l.in(op.Inputs[0]), Z: l.in(op.Inputs[1]), Y: y})
		for _, t := range op.Inputs[2:] {
			l.emit(call{Kind: callAddTensor, X: l.in(t), Y: y, Alpha: 1, Beta: 1})
		}
	case arch.OpMaxPool, arch.OpAvgPool, arch.OpGlobalAvgPool:
		l.pool(op)
	case arch.OpSplit:
		src := l.loc[op.Inputs[0]]
		s := g.Tensors[op.Inputs[0]].Shape
		off := 0
		for _, t := range op.Outputs {
			c := g.Tensors[t].Shape.C
			if fused {
				l.loc[t] = src.slot(off)
			} else {
				dst := l.placed(t, op.ID)
				s.C = c
				l.copies([]loc{src.slot(off)}, permFrom(identity(c)), dst, s)
			}
			off += c
		}
	case arch.OpConcat:
		if l.virtual[op.Index] {
			return nil
		}
		dst := l.placed(op.Outputs[0], op.ID)
		off := 0
		for _, t := range op.Inputs {
			s := g.Tensors[t].Shape
			if slot := dst.slot(off); l.loc[t] != slot {
				l.copies([]loc{l.loc[t]}, permFrom(identity(s.C)), slot, s)
			}
			off += s.C
		}
	case arch.OpShuffle:
		s := g.Tensors[op.Outputs[0]].Shape
		dst := l.placed(op.Outputs[0], op.ID)
		if p := g.Tensors[op.Inputs[0]].Producer; p >= 0 && l.virtual[p] {
			cat := &g.Ops[p]
			srcs := make([]loc, len(cat.Inputs))
			chans := make([]int, len(cat.Inputs))
			for i, t := range cat.Inputs {
				srcs[i], chans[i] = l.loc[t], g.Tensors[t].Shape.C
			}
			l.copies(srcs, concatFrom(chans, op.Perm), dst, s)
		} else {
			l.copies([]loc{l.loc[op.Inputs[0]]}, permFrom(op.Perm), dst, s)
		}
	default:
		return fmt.Errorf("cudnn: op %s: kind %s is not supported", op.ID, op.Kind)
	}
	return nil
}

// copies emits the transforms of a channel gather into dst (shape s gives
// the batch and pixel counts).
func (l *lowerer) copies(srcs []loc, from []chanRef, dst loc, s arch.Shape) {
	for _, c := range planCopies(srcs, from, dst, s.N, s.H*s.W) {
		l.emit(call{Kind: callCopy, X: c.X, Y: c.Y})
	}
}

// conv lowers a conv step: the conv alone (eager), or conv [+ BN folded]
// [+ residual add] [+ ReLU/ReLU6] (fused).
func (l *lowerer) conv(st arch.Step, fused bool) error {
	g := l.g
	op := &g.Ops[st.Ops[0]]
	in, out := g.In(op, 0), g.Out(op, 0)
	a := op.Conv
	cpg := in.C / a.Groups
	wdata, err := l.tensor(op.Param+".weight", out.C*cpg*a.KH*a.KW)
	if err != nil {
		return err
	}
	var bias []float32
	if a.Bias {
		if bias, err = l.tensor(op.Param+".bias", out.C); err != nil {
			return err
		}
	}
	last := op
	var bn *arch.Op
	var residual []arch.TensorID
	act := actNone
	if fused {
		for _, k := range st.Ops[1:] {
			o := &g.Ops[k]
			switch o.Kind {
			case arch.OpBatchNorm:
				bn = o
			case arch.OpAdd:
				for _, t := range o.Inputs {
					if t != last.Outputs[0] {
						residual = append(residual, t)
					}
				}
			case arch.OpReLU:
				act = actReLU
			case arch.OpReLU6:
				act = actReLU6
			}
			last = o
		}
	}
	if bn != nil {
		p, err := l.bnParams(bn, out.C)
		if err != nil {
			return err
		}
		wdata, bias = foldBN(wdata, bias, p, bn.Eps)
	} else {
		wdata = append([]float32(nil), wdata...)
	}
	y := l.placed(last.Outputs[0], last.ID)
	for _, k := range st.Ops {
		l.loc[g.Ops[k].Outputs[0]] = y
	}
	wd := l.weightBuf(op.Param+".weight", wdata, [4]int{out.C, cpg, a.KH, a.KW})
	c := call{X: l.in(op.Inputs[0]), Y: tdesc(y, out), W: wd,
		Conv: convAttr{PadH: a.Pad, PadW: a.Pad, StrideH: a.Stride, StrideW: a.Stride, Groups: a.Groups}}
	if len(residual) <= 1 && fused {
		// One call whatever the epilogue (impl.go says how it runs), so
		// that removing the ReLU or the shortcut removes work, not calls.
		if bias == nil {
			bias = make([]float32, out.C)
		}
		c.Kind, c.B, c.Act = callConvBiasAct, l.vecDesc(op.Param+".bias", bias), act
		c.Z, c.Alpha2 = c.Y, 0
		if len(residual) == 1 {
			c.Z, c.Alpha2 = l.in(residual[0]), 1
		}
		l.emit(c)
		return nil
	}
	c.Kind = callConv
	l.emit(c)
	if bias != nil {
		l.emit(call{Kind: callAddTensor, X: l.vecDesc(op.Param+".bias", bias), Y: c.Y, Alpha: 1, Beta: 1})
	}
	for _, t := range residual {
		l.emit(call{Kind: callAddTensor, X: l.in(t), Y: c.Y, Alpha: 1, Beta: 1})
	}
	if act != actNone {
		l.emit(call{Kind: callActivation, X: c.Y, Y: c.Y, Act: act})
	}
	return nil
}

// bnTensors are the batch-norm parameters under their state_dict suffixes.
type bnTensors struct {
	Gamma, Beta, Mean, Var []float32
}

func (l *lowerer) bnParams(op *arch.Op, c int) (bnTensors, error) {
	var p bnTensors
	for _, f := range []struct {
		suffix string
		dst    *[]float32
	}{{".weight", &p.Gamma}, {".bias", &p.Beta}, {".running_mean", &p.Mean}, {".running_var", &p.Var}} {
		d, err := l.tensor(op.Param+f.suffix, c)
		if err != nil {
			return p, err
		}
		*f.dst = d
	}
	return p, nil
}

// foldBN folds inference batch norm into the preceding conv: with
// s = gamma / sqrt(var + eps), w'[o] = s[o] w[o] and
// b'[o] = beta[o] + s[o] (b[o] - mean[o]) (b = 0 for a conv without bias).
// It computes in float64 and returns new slices.
func foldBN(w, b []float32, p bnTensors, eps float64) ([]float32, []float32) {
	c := len(p.Gamma)
	per := len(w) / c
	nw := make([]float32, len(w))
	nb := make([]float32, c)
	for o := 0; o < c; o++ {
		s := float64(p.Gamma[o]) / math.Sqrt(float64(p.Var[o])+eps)
		for i := o * per; i < (o+1)*per; i++ {
			nw[i] = float32(float64(w[i]) * s)
		}
		bo := 0.0
		if b != nil {
			bo = float64(b[o])
		}
		nb[o] = float32(float64(p.Beta[o]) + s*(bo-float64(p.Mean[o])))
	}
	return nw, nb
}

func (l *lowerer) batchNorm(op *arch.Op) error {
	s := l.g.Tensors[op.Inputs[0]].Shape
	p, err := l.bnParams(op, s.C)
	if err != nil {
		return err
	}
	l.placed(op.Outputs[0], op.ID)
	l.emit(call{Kind: callBatchNorm, X: l.in(op.Inputs[0]), Y: l.d(op.Outputs[0]),
		W: l.vecDesc(op.Param+".weight", p.Gamma), B: l.vecDesc(op.Param+".bias", p.Beta),
		Z: l.vecDesc(op.Param+".running_mean", p.Mean), V: l.vecDesc(op.Param+".running_var", p.Var), Eps: op.Eps})
	return nil
}

func (l *lowerer) pool(op *arch.Op) {
	in := l.g.Tensors[op.Inputs[0]].Shape
	l.placed(op.Outputs[0], op.ID)
	var p poolAttr
	switch op.Kind {
	case arch.OpGlobalAvgPool:
		p = poolAttr{Mode: poolAvgInclude, WinH: in.H, WinW: in.W, StrideH: in.H, StrideW: in.W}
	default:
		a := op.Pool
		p = poolAttr{Mode: poolMax, WinH: a.K, WinW: a.K, PadH: a.Pad, PadW: a.Pad, StrideH: a.Stride, StrideW: a.Stride}
		if op.Kind == arch.OpAvgPool {
			p.Mode = poolAvgExclude
			if a.CountIncludePad {
				p.Mode = poolAvgInclude
			}
		}
	}
	l.emit(call{Kind: callPool, X: l.in(op.Inputs[0]), Y: l.d(op.Outputs[0]), Pool: p})
}

// fc lowers a fully connected layer to one SGEMM (+ bias add, + ReLU when
// the plan fused one). cuBLAS is column-major: the row-major weight
// [out][in] is the column-major in x out matrix A, used transposed; the
// input rows (one per image, ldb = the channels of its buffer) are the
// columns of B; the output rows the columns of C.
func (l *lowerer) fc(st arch.Step) error {
	g := l.g
	op := &g.Ops[st.Ops[0]]
	in, out := g.In(op, 0), g.Out(op, 0)
	if in.H*in.W != 1 {
		return fmt.Errorf("cudnn: op %s: fc input is %s, want 1x1 pixels", op.ID, in)
	}
	wd, err := l.tensor(op.Param+".weight", out.C*in.C)
	if err != nil {
		return err
	}
	last := op
	act := actNone
	for _, k := range st.Ops[1:] {
		last = &g.Ops[k]
		if last.Kind == arch.OpReLU {
			act = actReLU
		} else if last.Kind == arch.OpReLU6 {
			act = actReLU6
		}
	}
	y := l.placed(last.Outputs[0], last.ID)
	for _, k := range st.Ops {
		l.loc[g.Ops[k].Outputs[0]] = y
	}
	x := l.loc[op.Inputs[0]]
	yd := tdesc(y, out)
	l.emit(call{Kind: callGemm, W: l.weightBuf(op.Param+".weight", append([]float32(nil), wd...), [4]int{out.C, in.C, 1, 1}),
		X: l.d(op.Inputs[0]), Y: yd,
		Gemm: gemmAttr{TransA: true, M: out.C, N: in.N, K: in.C, LDA: in.C, LDB: x.Ctot, LDC: y.Ctot}})
	if op.FCBias {
		b, err := l.tensor(op.Param+".bias", out.C)
		if err != nil {
			return err
		}
		l.emit(call{Kind: callAddTensor, X: l.vecDesc(op.Param+".bias", b), Y: yd, Alpha: 1, Beta: 1})
	}
	if act != actNone {
		l.emit(call{Kind: callActivation, X: yd, Y: yd, Act: act})
	}
	return nil
}
