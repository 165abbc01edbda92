//go:build linux && (amd64 || arm64)

package cudnn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// cudnn programs time their pass with CUDA events (input/output copies
// excluded), so runner.Measure reports the GPU time with the wall time
// beside it.
var _ runner.EventTimer = (*program)(nil)

// arenaAlign aligns every buffer in the device arena (cudaMalloc itself
// returns 256-byte aligned memory).
const arenaAlign = 256

// memHeadroom is device memory left free for cuDNN/cuBLAS internals.
const memHeadroom = 256 << 20

// libKind says which library a prepared call belongs to, for its status.
type libKind uint8

const (
	libDNN    libKind = iota // cudnnStatus_t
	libRT                    // cudaError_t
	libBLAS                  // cublasStatus_t (cuBLAS and cuBLASLt)
	libDriver                // CUresult (the own kernels' cuLaunchKernel)
)

// gpuCall is one prepared library call: the entry point and its argument
// words, built once at compile time.
type gpuCall struct {
	fn   uintptr
	args [18]uintptr
	n    int
	bn   bool // cudnnBatchNormalizationForwardInference (double eps: registered func)
	lib  libKind
	eps  float64
	kind callKind
	call int // the lowered call it belongs to
}

// set stores the argument words.
func (g *gpuCall) set(args ...uintptr) { g.n = copy(g.args[:], args) }

// program is a graph compiled for one GPU.
type program struct {
	d     *device
	l     *lowered
	info  runner.ProgramInfo
	tf32  bool
	graph bool

	arena, ws     uintptr
	wsSize        uint64
	bufPtr        []uintptr
	calls         []gpuCall
	tensorDescs   map[[8]int]uintptr
	filterDescs   []uintptr
	convDescs     []uintptr
	poolDescs     []uintptr
	actDescs      []uintptr
	opAddDesc     uintptr     // cudnnOpTensorDescriptor_t for ADD
	consts        *[2]float32 // 0 and 1: host scaling factors
	cgraph, cexec uintptr
	evStart       uintptr
	evStop        uintptr
	stepEvents    []uintptr
	elapsed       *float32
	lastNanos     int64

	copy     CopyKernel
	copies3D []*memcpy3DParms // the parameters of the cudaMemcpy3DAsync calls (kept alive)

	// first[i] is the index in calls of lowered call i's first prepared
	// call (a convolution may run as several); first[len(l.Calls)] = len(calls).
	first    []int
	policy   Policy
	dwParams []*dwParams // the own kernels' launch arguments (kept alive)
	lt       ltObjects
	sel      *selector
	setups   []convSetup // per lowered call: a convolution's descriptors and algorithms
	// stepKernels names what runs each step (its profile's kernel).
	stepKernels []string

	// hot holds the argument words of hot-path calls: a variadic literal
	// would allocate on every call.
	hot [5]uintptr

	mu     sync.Mutex
	runReq *request
	input  []float32
	output []float32
	closed bool
}

// compile lowers g and builds the program on the library thread.
func (d *device) compile(g *arch.Graph, w weights.Set, opts runner.Options, ck CopyKernel, pol Policy) (runner.Program, error) {
	mode := opts.Mode
	if mode == "" {
		mode = runner.Fused
	}
	l, err := lower(g, w, mode)
	if err != nil {
		return nil, err
	}
	p, err := d.build(l, mode, opts, ck, pol)
	if err != nil && l.stridedCompute() {
		// Channel views of N > 1 tensors give convolutions strided
		// tensors; should the library refuse them, copy into packed
		// temporaries instead.
		lp, lerr := lowerWith(g, w, mode, true)
		if lerr != nil {
			return nil, lerr
		}
		var perr error
		if p, perr = d.build(lp, mode, opts, ck, pol); perr != nil {
			return nil, fmt.Errorf("%w (packed-tensor fallback: %w)", err, perr)
		}
		p.info.Kernels += " (packed-tensor fallback)"
		err = nil
	}
	return p, err
}

// build makes a program of a lowering on the library thread, releasing
// everything on failure.
func (d *device) build(l *lowered, mode runner.Mode, opts runner.Options, ck CopyKernel, pol Policy) (*program, error) {
	if opts.MemLimit > 0 && l.Bytes() > opts.MemLimit {
		var wb int64
		for _, b := range l.Bufs {
			if b.Data != nil {
				wb += 4 * b.Elems
			}
		}
		return nil, runner.FormatMemError(l.Bytes(), opts.MemLimit, map[string]int64{"activations": l.Bytes() - wb, "weights": wb})
	}
	p := &program{d: d, l: l, tf32: opts.TF32, graph: opts.CUDAGraph, copy: ck, policy: pol,
		consts: &[2]float32{0, 1}, elapsed: new(float32), tensorDescs: map[[8]int]uintptr{}}
	p.runReq = newRequest(p.runOnThread)
	p.info = runner.ProgramInfo{Backend: "cudnn", Mode: mode, Threads: 1, Kernels: KernelSet(p.graph, ck, p.tf32, pol), Bytes: l.Bytes()}
	if err := d.th.do(p.build); err != nil {
		_ = d.th.do(p.release)
		return nil, err
	}
	p.info.Bytes = l.Bytes() + int64(p.wsSize) + p.lt.planeBytes
	p.info.Device = d.describe(p.tf32)
	p.info.Kernels += "; " + p.sel.summary()
	return p, nil
}

func (p *program) zero() uintptr { return uintptr(unsafe.Pointer(&p.consts[0])) }
func (p *program) one() uintptr  { return uintptr(unsafe.Pointer(&p.consts[1])) }

// scalar returns the host pointer of a scaling factor (only 0 and 1 occur).
func (p *program) scalar(v float32) (uintptr, error) {
	switch v {
	case 0:
		return p.zero(), nil
	case 1:
		return p.one(), nil
	}
	return 0, fmt.Errorf("cudnn: scaling factor %v is not supported", v)
}

func (p *program) ptr(d desc) uintptr { return p.bufPtr[d.Buf] + uintptr(d.Off)*4 }

// tensorDesc returns a cached cudnnTensorDescriptor_t for d's dims and strides.
func (p *program) tensorDesc(d desc) (uintptr, error) {
	key := [8]int{d.Dims[0], d.Dims[1], d.Dims[2], d.Dims[3], d.Strides[0], d.Strides[1], d.Strides[2], d.Strides[3]}
	if h, ok := p.tensorDescs[key]; ok {
		return h, nil
	}
	a := p.d.a
	h := new(uintptr)
	if err := a.dnn(sys(a.cudnnCreateTensorDescriptor, uintptr(unsafe.Pointer(h))), "cudnnCreateTensorDescriptor"); err != nil {
		return 0, err
	}
	p.tensorDescs[key] = *h
	if err := a.dnn(sys(a.cudnnSetTensor4dDescriptorEx, *h, cudnnDataFloat,
		uintptr(d.Dims[0]), uintptr(d.Dims[1]), uintptr(d.Dims[2]), uintptr(d.Dims[3]),
		uintptr(d.Strides[0]), uintptr(d.Strides[1]), uintptr(d.Strides[2]), uintptr(d.Strides[3])),
		fmt.Sprintf("cudnnSetTensor4dDescriptorEx(dims %v strides %v)", d.Dims, d.Strides)); err != nil {
		return 0, err
	}
	return *h, nil
}

// build allocates and uploads everything, creates descriptors, picks the
// convolution algorithms, prepares the calls, runs a warm-up pass and,
// for CUDA-graph mode, captures the pass. It runs on the library thread.
func (p *program) build() error {
	a, l := p.d.a, p.l
	free, err := p.d.freeMem()
	if err != nil {
		return err
	}
	if need := l.Bytes(); need > free-memHeadroom {
		return fmt.Errorf("cudnn: the design needs %d MiB of GPU memory, %d MiB are free", need>>20, free>>20)
	}
	// One arena for every buffer.
	offs := make([]uintptr, len(l.Bufs))
	var total uintptr
	for i, b := range l.Bufs {
		offs[i] = total
		total += (uintptr(b.Elems)*4 + arenaAlign - 1) &^ (arenaAlign - 1)
	}
	h := new(uintptr)
	if err := a.cuda(sys(a.cudaMalloc, uintptr(unsafe.Pointer(h)), total), "cudaMalloc(activations and weights)"); err != nil {
		return err
	}
	p.arena = *h
	p.bufPtr = make([]uintptr, len(l.Bufs))
	for i, b := range l.Bufs {
		p.bufPtr[i] = p.arena + offs[i]
		if b.Data != nil {
			if err := a.cuda(sys(a.cudaMemcpy, p.bufPtr[i], uintptr(unsafe.Pointer(&b.Data[0])), uintptr(len(b.Data))*4, cudaMemcpyHostToDevice),
				"cudaMemcpy(weights "+b.Name+")"); err != nil {
				return err
			}
		}
	}
	// Shared activation descriptors: ReLU, ReLU6 (clipped at 6), identity.
	for _, act := range []struct {
		mode int32
		coef float64
	}{{cudnnActivationReLU, 0}, {cudnnActivationClipped, 6}, {cudnnActivationIdentity, 0}} {
		if err := a.dnn(sys(a.cudnnCreateActivationDescriptor, uintptr(unsafe.Pointer(h))), "cudnnCreateActivationDescriptor"); err != nil {
			return err
		}
		p.actDescs = append(p.actDescs, *h)
		if err := a.dnn(uintptr(uint32(a.cudnnSetActivationDescriptor(*h, act.mode, cudnnNotPropagateNaN, act.coef))), "cudnnSetActivationDescriptor"); err != nil {
			return err
		}
	}
	if err := a.dnn(sys(a.cudnnCreateOpTensorDescriptor, uintptr(unsafe.Pointer(h))), "cudnnCreateOpTensorDescriptor"); err != nil {
		return err
	}
	p.opAddDesc = *h
	if err := a.dnn(sys(a.cudnnSetOpTensorDescriptor, p.opAddDesc, cudnnOpTensorAdd, cudnnDataFloat, cudnnNotPropagateNaN),
		"cudnnSetOpTensorDescriptor"); err != nil {
		return err
	}
	// Pass 1: descriptors and algorithms; the workspace size is known after.
	setups := make([]convSetup, len(l.Calls))
	found := map[string][]convFwdAlgoPerf{}
	needDW, needLt := false, false
	for i, c := range l.Calls {
		if !selectable(c) {
			continue
		}
		s, err := p.convSetup(c, found)
		if err != nil {
			return fmt.Errorf("%s: %w", p.stepName(i), err)
		}
		setups[i] = s
		needDW = needDW || dwEligible(c) == ""
		needLt = needLt || ltEligible(c) == ""
	}
	if p.wsSize > 0 {
		if err := a.cuda(sys(a.cudaMalloc, uintptr(unsafe.Pointer(h)), uintptr(p.wsSize)), "cudaMalloc(cuDNN workspace)"); err != nil {
			return err
		}
		p.ws = *h
	}
	for _, e := range []*uintptr{&p.evStart, &p.evStop} {
		if err := a.cuda(sys(a.cudaEventCreate, uintptr(unsafe.Pointer(h))), "cudaEventCreate"); err != nil {
			return err
		}
		*e = *h
	}
	if err := p.setMath(); err != nil {
		return err
	}
	p.d.loadExtensions(needDW && p.policy.DW != DWCudnn, needLt && p.policy.GEMM != GEMMCudnn)
	p.sel = newSelector(p, p.policy)
	if needDW && p.policy.DW == DWAuto && p.d.dw == nil {
		p.sel.note("%s unavailable: %v", implDW, p.d.dwErr)
	}
	if needLt && p.policy.GEMM == GEMMAuto && p.d.lt == nil {
		p.sel.note("%s unavailable: %v", implLt, p.d.ltErr)
	}
	// Pass 2: the argument words of every call, a chosen implementation
	// for every convolution.
	p.setups = setups
	p.first = make([]int, len(l.Calls)+1)
	for i, c := range l.Calls {
		p.first[i] = len(p.calls)
		var gcs []gpuCall
		if selectable(c) {
			var err error
			if gcs, err = p.sel.choose(i, c, setups[i]); err != nil {
				return fmt.Errorf("%s: %w", p.stepName(i), err)
			}
		} else {
			gc, err := p.prepare(c)
			if err != nil {
				return fmt.Errorf("%s: %w", p.stepName(i), err)
			}
			gcs = []gpuCall{gc}
		}
		for _, gc := range gcs {
			gc.kind, gc.call = c.Kind, i
			p.calls = append(p.calls, gc)
		}
	}
	p.first[len(l.Calls)] = len(p.calls)
	if err := p.dropUnusedPlanes(); err != nil {
		return err
	}
	p.stepKernels = p.describeSteps()
	// Warm-up outside any capture: lazy module loading and cuDNN's lazy
	// initialisation must not happen inside a capture (CUDA programming
	// guide, "Stream Capture": synchronising, and in global capture mode
	// any potentially unsafe call such as cudaMalloc, is prohibited while
	// a capture is in progress).
	if err := p.enqueue(0, len(l.Calls)); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := a.cuda(sys(a.cudaStreamSynchronize, p.d.stream), "cudaStreamSynchronize(warm-up)"); err != nil {
		return err
	}
	if p.graph {
		return p.capture()
	}
	return nil
}

// convSetup is a conv call's filter and convolution descriptors and the
// cuDNN algorithms it may use, cudnnFind's fastest first.
type convSetup struct {
	filt, conv uintptr
	perfs      []convFwdAlgoPerf
}

// convSetup creates the filter and convolution descriptors of a conv call
// and lists its usable algorithms with cudnnFindConvolutionForwardAlgorithm
// (once per distinct layer shape); the workspace grows to the largest
// need among them.
func (p *program) convSetup(c call, found map[string][]convFwdAlgoPerf) (convSetup, error) {
	var out convSetup
	a := p.d.a
	h := new(uintptr)
	if err := a.dnn(sys(a.cudnnCreateFilterDescriptor, uintptr(unsafe.Pointer(h))), "cudnnCreateFilterDescriptor"); err != nil {
		return out, err
	}
	out.filt = *h
	p.filterDescs = append(p.filterDescs, *h)
	wd := c.W.Dims
	if err := a.dnn(sys(a.cudnnSetFilter4dDescriptor, out.filt, cudnnDataFloat, cudnnTensorNCHW,
		uintptr(wd[0]), uintptr(wd[1]), uintptr(wd[2]), uintptr(wd[3])), "cudnnSetFilter4dDescriptor"); err != nil {
		return out, err
	}
	if err := a.dnn(sys(a.cudnnCreateConvolutionDescriptor, uintptr(unsafe.Pointer(h))), "cudnnCreateConvolutionDescriptor"); err != nil {
		return out, err
	}
	out.conv = *h
	p.convDescs = append(p.convDescs, *h)
	ca := c.Conv
	if err := a.dnn(sys(a.cudnnSetConvolution2dDescriptor, out.conv, uintptr(ca.PadH), uintptr(ca.PadW),
		uintptr(ca.StrideH), uintptr(ca.StrideW), 1, 1, cudnnCrossCorrelation, cudnnDataFloat), "cudnnSetConvolution2dDescriptor"); err != nil {
		return out, err
	}
	if err := a.dnn(sys(a.cudnnSetConvolutionGroupCount, out.conv, uintptr(ca.Groups)), "cudnnSetConvolutionGroupCount"); err != nil {
		return out, err
	}
	math := uintptr(cudnnFMAMath)
	if p.tf32 {
		math = cudnnDefaultMath
	}
	if err := a.dnn(sys(a.cudnnSetConvolutionMathType, out.conv, math), "cudnnSetConvolutionMathType"); err != nil {
		return out, err
	}
	xd, err := p.tensorDesc(c.X)
	if err != nil {
		return out, err
	}
	yd, err := p.tensorDesc(c.Y)
	if err != nil {
		return out, err
	}
	key := fmt.Sprint(c.X.Dims, c.X.Strides, c.W.Dims, ca, c.Y.Dims, c.Y.Strides)
	perfs, ok := found[key]
	if !ok {
		all := make([]convFwdAlgoPerf, cudnnConvFwdAlgoMaxResult)
		n := new(int32)
		if err := a.dnn(sys(a.cudnnFindConvolutionForwardAlgorithm, p.d.dnn, xd, out.filt, out.conv, yd,
			uintptr(len(all)), uintptr(unsafe.Pointer(n)), uintptr(unsafe.Pointer(&all[0]))),
			"cudnnFindConvolutionForwardAlgorithm"); err != nil {
			return out, err
		}
		if perfs, err = usableAlgos(all[:*n], p.tf32, convWorkspaceCap); err != nil {
			return out, err
		}
		found[key] = perfs
	}
	out.perfs = perfs
	for _, pf := range perfs {
		p.wsSize = max(p.wsSize, pf.Memory)
	}
	return out, nil
}

// convForward is cudnnConvolutionForward of c with algo (beta 0).
func (p *program) convForward(c call, st convSetup, algo int32) (gpuCall, error) {
	var g gpuCall
	xd, err := p.tensorDesc(c.X)
	if err != nil {
		return g, err
	}
	yd, err := p.tensorDesc(c.Y)
	if err != nil {
		return g, err
	}
	g.fn = p.d.a.cudnnConvolutionForward
	g.set(p.d.dnn, p.one(), xd, p.ptr(c.X), st.filt, p.ptr(c.W), st.conv, uintptr(algo),
		p.ws, uintptr(p.wsSize), p.zero(), yd, p.ptr(c.Y))
	return g, nil
}

// convFused is cudnnConvolutionBiasActivationForward of a callConvBiasAct
// with algo: ReLU fused, identity otherwise (then ReLU6 as a second call).
func (p *program) convFused(c call, st convSetup, algo int32) ([]gpuCall, error) {
	var g gpuCall
	var t [4]uintptr
	for i, d := range []desc{c.X, c.Z, c.B, c.Y} {
		h, err := p.tensorDesc(d)
		if err != nil {
			return nil, err
		}
		t[i] = h
	}
	a2, err := p.scalar(c.Alpha2)
	if err != nil {
		return nil, err
	}
	act := p.actDescs[2] // identity
	if c.Act == actReLU {
		act = p.actDescs[0]
	}
	g.fn = p.d.a.cudnnConvolutionBiasActivationForward
	g.set(p.d.dnn, p.one(), t[0], p.ptr(c.X), st.filt, p.ptr(c.W), st.conv, uintptr(algo),
		p.ws, uintptr(p.wsSize), a2, t[1], p.ptr(c.Z), t[2], p.ptr(c.B), act, t[3], p.ptr(c.Y))
	out := []gpuCall{g}
	if c.Act == actReLU6 {
		ag, err := p.activation(c.Y, c.Y, actReLU6)
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	return out, nil
}

// convBiasSplit is a callConvBiasAct as cuDNN's separate calls: the conv,
// a bias add, a residual add and the activation.
func (p *program) convBiasSplit(c call, st convSetup, algo int32) ([]gpuCall, error) {
	g, err := p.convForward(c, st, algo)
	if err != nil {
		return nil, err
	}
	out := []gpuCall{g}
	adds := []desc{c.B}
	if c.Alpha2 != 0 {
		adds = append(adds, c.Z)
	}
	for _, x := range adds {
		ag, err := p.prepare(call{Kind: callAddTensor, X: x, Y: c.Y, Alpha: 1, Beta: 1})
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	if c.Act != actNone {
		ag, err := p.activation(c.Y, c.Y, c.Act)
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	return out, nil
}

// activation is cudnnActivationForward y = act(x) (ReLU or ReLU6).
func (p *program) activation(x, y desc, act actKind) (gpuCall, error) {
	return p.prepare(call{Kind: callActivation, X: x, Y: y, Act: act})
}

// prepare builds the argument words of one call that is not a
// convolution (those have candidates: choose.go).
func (p *program) prepare(c call) (gpuCall, error) {
	a := p.d.a
	var g gpuCall
	set := func(fn uintptr, args ...uintptr) {
		g.fn, g.n = fn, copy(g.args[:], args)
	}
	descs := func(ds ...desc) ([]uintptr, error) {
		out := make([]uintptr, len(ds))
		for i, d := range ds {
			h, err := p.tensorDesc(d)
			if err != nil {
				return nil, err
			}
			out[i] = h
		}
		return out, nil
	}
	h := p.d.dnn
	switch c.Kind {
	case callAddTensor:
		t, err := descs(c.X, c.Y)
		if err != nil {
			return g, err
		}
		al, err := p.scalar(c.Alpha)
		if err != nil {
			return g, err
		}
		be, err := p.scalar(c.Beta)
		if err != nil {
			return g, err
		}
		set(a.cudnnAddTensor, h, al, t[0], p.ptr(c.X), be, t[1], p.ptr(c.Y))
	case callBatchNorm:
		t, err := descs(c.X, c.Y, c.W)
		if err != nil {
			return g, err
		}
		g.bn, g.eps = true, c.Eps
		set(a.bnInferenceSym, h, cudnnBatchNormSpatial, p.one(), p.zero(), t[0], p.ptr(c.X), t[1], p.ptr(c.Y),
			t[2], p.ptr(c.W), p.ptr(c.B), p.ptr(c.Z), p.ptr(c.V))
	case callActivation:
		t, err := descs(c.X, c.Y)
		if err != nil {
			return g, err
		}
		ad := p.actDescs[0]
		if c.Act == actReLU6 {
			ad = p.actDescs[1]
		}
		set(a.cudnnActivationForward, h, ad, p.one(), t[0], p.ptr(c.X), p.zero(), t[1], p.ptr(c.Y))
	case callPool:
		t, err := descs(c.X, c.Y)
		if err != nil {
			return g, err
		}
		ph := new(uintptr)
		if err := a.dnn(sys(a.cudnnCreatePoolingDescriptor, uintptr(unsafe.Pointer(ph))), "cudnnCreatePoolingDescriptor"); err != nil {
			return g, err
		}
		p.poolDescs = append(p.poolDescs, *ph)
		q := c.Pool
		if err := a.dnn(sys(a.cudnnSetPooling2dDescriptor, *ph, uintptr(q.Mode), cudnnNotPropagateNaN,
			uintptr(q.WinH), uintptr(q.WinW), uintptr(q.PadH), uintptr(q.PadW), uintptr(q.StrideH), uintptr(q.StrideW)),
			"cudnnSetPooling2dDescriptor"); err != nil {
			return g, err
		}
		set(a.cudnnPoolingForward, h, *ph, p.one(), t[0], p.ptr(c.X), p.zero(), t[1], p.ptr(c.Y))
	case callGemm:
		m := c.Gemm
		ta, tb := uintptr(cublasOpN), uintptr(cublasOpN)
		if m.TransA {
			ta = cublasOpT
		}
		if m.TransB {
			tb = cublasOpT
		}
		g.lib = libBLAS
		set(a.cublasSgemm, p.d.blas, ta, tb, uintptr(m.M), uintptr(m.N), uintptr(m.K), p.one(),
			p.ptr(c.W), uintptr(m.LDA), p.ptr(c.X), uintptr(m.LDB), p.zero(), p.ptr(c.Y), uintptr(m.LDC))
	case callCopy:
		if p.copy == CopyMemcpy3D {
			if m, ok := pitchedCopy(c.X, c.Y, p.ptr(c.X), p.ptr(c.Y)); ok {
				p.copies3D = append(p.copies3D, m)
				g.lib = libRT
				set(a.cudaMemcpy3DAsync, uintptr(unsafe.Pointer(m)), p.d.stream)
				return g, nil
			}
		}
		t, err := descs(c.X, c.Y)
		if err != nil {
			return g, err
		}
		set(a.cudnnTransformTensor, h, p.one(), t[0], p.ptr(c.X), p.zero(), t[1], p.ptr(c.Y))
	case callAdd:
		t, err := descs(c.X, c.Z, c.Y)
		if err != nil {
			return g, err
		}
		set(a.cudnnOpTensor, h, p.opAddDesc, p.one(), t[0], p.ptr(c.X), p.one(), t[1], p.ptr(c.Z), p.zero(), t[2], p.ptr(c.Y))
	default:
		return g, fmt.Errorf("call kind %d", c.Kind)
	}
	return g, nil
}

func (p *program) stepName(call int) string {
	for _, s := range p.l.Steps {
		if call >= s.First && call < s.End {
			return "step " + s.Name
		}
	}
	return fmt.Sprintf("call %d", call)
}

// sysHot calls fn with the first n of a0..a4 without allocating.
func (p *program) sysHot(fn uintptr, n int, a0, a1, a2, a3, a4 uintptr) uintptr {
	p.hot = [5]uintptr{a0, a1, a2, a3, a4}
	return sys(fn, p.hot[:n]...)
}

// setMath sets cuBLAS's math mode for this program (the handle is shared).
func (p *program) setMath() error {
	mode := uintptr(cublasDefaultMath)
	if p.tf32 {
		mode = cublasTF32TensorOpMath
	}
	return p.d.a.blas(p.sysHot(p.d.a.cublasSetMathMode, 2, p.d.blas, mode, 0, 0, 0), "cublasSetMathMode")
}

// enqueue issues lowered calls [from, to) on the stream.
func (p *program) enqueue(from, to int) error {
	return p.issue(p.calls[p.first[from]:p.first[to]])
}

// issue issues prepared calls on the stream.
func (p *program) issue(calls []gpuCall) error {
	a := p.d.a
	for i := range calls {
		c := &calls[i]
		var r uintptr
		if c.bn {
			g := c.args
			r = uintptr(uint32(a.cudnnBatchNormalizationForwardInference(g[0], int32(g[1]), g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], c.eps)))
		} else {
			r = sys(c.fn, c.args[:c.n]...)
		}
		if r != 0 {
			what := fmt.Sprintf("%s (%s)", p.stepName(c.call), c.kind)
			switch c.lib {
			case libBLAS:
				return a.blas(r, what)
			case libRT:
				return a.cuda(r, what)
			case libDriver:
				return driverError(p.d.dw.cuGetErrorString, r, what)
			}
			return a.dnn(r, what)
		}
	}
	return nil
}

// capture records the whole pass into a CUDA graph (relaxed capture mode,
// CUDA 12+ three-argument cudaGraphInstantiate) and replays it once.
func (p *program) capture() error {
	a := p.d.a
	s := p.d.stream
	if err := a.cuda(sys(a.cudaStreamBeginCapture, s, cudaStreamCaptureRelaxed), "cudaStreamBeginCapture"); err != nil {
		return err
	}
	qerr := p.enqueue(0, len(p.l.Calls))
	h := new(uintptr)
	cerr := a.cuda(sys(a.cudaStreamEndCapture, s, uintptr(unsafe.Pointer(h))), "cudaStreamEndCapture")
	if qerr != nil || cerr != nil {
		a.dropGraph(cerr, *h)
		return fmt.Errorf("capture: %w", errors.Join(qerr, cerr))
	}
	p.cgraph = *h
	if err := a.cuda(sys(a.cudaGraphInstantiate, uintptr(unsafe.Pointer(h)), p.cgraph, 0), "cudaGraphInstantiate"); err != nil {
		return err
	}
	p.cexec = *h
	if err := a.cuda(sys(a.cudaGraphLaunch, p.cexec, s), "cudaGraphLaunch"); err != nil {
		return err
	}
	return a.cuda(sys(a.cudaStreamSynchronize, s), "cudaStreamSynchronize(graph warm-up)")
}

func (p *program) checkIO(input, output []float32) error {
	if int64(len(input)) != p.l.Input.Elems() {
		return fmt.Errorf("cudnn: input has %d values, want %d", len(input), p.l.Input.Elems())
	}
	if int64(len(output)) != p.l.Output.Elems() {
		return fmt.Errorf("cudnn: output has %d values, want %d", len(output), p.l.Output.Elems())
	}
	return nil
}

// Run copies the input in, runs the pass (replays the graph in CUDA-graph
// mode) and copies the output back. CUDA events around the pass give
// LastEventNanos. Run does not allocate except for eager batch-norm calls.
func (p *program) Run(ctx context.Context, input, output []float32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.checkIO(input, output); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("cudnn: program is closed")
	}
	p.input, p.output = input, output
	err := p.d.th.run(p.runReq)
	p.input, p.output = nil, nil
	return err
}

func (p *program) copyIn() error {
	a := p.d.a
	return a.cuda(p.sysHot(a.cudaMemcpyAsync, 5, p.ptr(p.l.Input), uintptr(unsafe.Pointer(&p.input[0])),
		uintptr(len(p.input))*4, cudaMemcpyHostToDevice, p.d.stream), "cudaMemcpyAsync(input)")
}

func (p *program) copyOut() error {
	a := p.d.a
	if err := a.cuda(p.sysHot(a.cudaMemcpyAsync, 5, uintptr(unsafe.Pointer(&p.output[0])), p.ptr(p.l.Output),
		uintptr(len(p.output))*4, cudaMemcpyDeviceToHost, p.d.stream), "cudaMemcpyAsync(output)"); err != nil {
		return err
	}
	return a.cuda(p.sysHot(a.cudaStreamSynchronize, 1, p.d.stream, 0, 0, 0, 0), "cudaStreamSynchronize")
}

func (p *program) elapsedNanos(from, to uintptr) (int64, error) {
	a := p.d.a
	if err := a.cuda(p.sysHot(a.cudaEventElapsedTime, 3, uintptr(unsafe.Pointer(p.elapsed)), from, to, 0, 0), "cudaEventElapsedTime"); err != nil {
		return 0, err
	}
	return int64(float64(*p.elapsed) * 1e6), nil
}

func (p *program) runOnThread() error {
	a := p.d.a
	s := p.d.stream
	if err := p.setMath(); err != nil {
		return err
	}
	if err := p.copyIn(); err != nil {
		return err
	}
	if err := a.cuda(p.sysHot(a.cudaEventRecord, 2, p.evStart, s, 0, 0, 0), "cudaEventRecord"); err != nil {
		return err
	}
	if p.cexec != 0 {
		if err := a.cuda(p.sysHot(a.cudaGraphLaunch, 2, p.cexec, s, 0, 0, 0), "cudaGraphLaunch"); err != nil {
			return err
		}
	} else if err := p.enqueue(0, len(p.l.Calls)); err != nil {
		return err
	}
	if err := a.cuda(p.sysHot(a.cudaEventRecord, 2, p.evStop, s, 0, 0, 0), "cudaEventRecord"); err != nil {
		return err
	}
	if err := p.copyOut(); err != nil {
		return err
	}
	ns, err := p.elapsedNanos(p.evStart, p.evStop)
	p.lastNanos = ns
	return err
}

// LastEventNanos is the GPU time of the last Run's pass (input and output
// copies excluded), measured with CUDA events.
func (p *program) LastEventNanos() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastNanos
}

// Profile runs the pass once with a CUDA event before every step and
// returns the GPU time of each step. Uncaptured (eager and fused modes) a
// step's time includes the GPU idling while the host enqueues its calls;
// in CUDA-graph mode the pass is captured again with an event record node
// between steps (profileGraph), so the times are those of the kernels in a
// replay.
func (p *program) Profile(ctx context.Context, input, output []float32) ([]runner.StepTime, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := p.checkIO(input, output); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("cudnn: program is closed")
	}
	var times []runner.StepTime
	p.input, p.output = input, output
	err := p.d.th.do(func() error {
		a := p.d.a
		s := p.d.stream
		h := new(uintptr)
		for len(p.stepEvents) < len(p.l.Steps)+1 {
			if err := a.cuda(sys(a.cudaEventCreate, uintptr(unsafe.Pointer(h))), "cudaEventCreate"); err != nil {
				return err
			}
			p.stepEvents = append(p.stepEvents, *h)
		}
		if err := p.setMath(); err != nil {
			return err
		}
		if err := p.copyIn(); err != nil {
			return err
		}
		if p.cexec != 0 {
			if err := p.profileGraph(); err != nil {
				return err
			}
		} else {
			for i, st := range p.l.Steps {
				if err := a.cuda(sys(a.cudaEventRecord, p.stepEvents[i], s), "cudaEventRecord"); err != nil {
					return err
				}
				if err := p.enqueue(st.First, st.End); err != nil {
					return err
				}
			}
			if err := a.cuda(sys(a.cudaEventRecord, p.stepEvents[len(p.l.Steps)], s), "cudaEventRecord"); err != nil {
				return err
			}
		}
		if err := p.copyOut(); err != nil {
			return err
		}
		for i, st := range p.l.Steps {
			ns, err := p.elapsedNanos(p.stepEvents[i], p.stepEvents[i+1])
			if err != nil {
				return err
			}
			times = append(times, runner.StepTime{Name: st.Name, Ops: st.Ops, Nanos: ns, Kernel: p.stepKernels[i]})
		}
		return nil
	})
	p.input, p.output = nil, nil
	return times, err
}

// profileGraph captures the pass with an event record node
// (cudaEventRecordExternal) before every step and after the last, replays
// it twice and destroys it (on the library thread, between copyIn and
// copyOut). The program's own graph is left as it is.
func (p *program) profileGraph() error {
	a := p.d.a
	s := p.d.stream
	if err := a.cuda(sys(a.cudaStreamBeginCapture, s, cudaStreamCaptureRelaxed), "cudaStreamBeginCapture(profile)"); err != nil {
		return err
	}
	var qerr error
	for i, st := range p.l.Steps {
		if qerr = a.cuda(sys(a.cudaEventRecordWithFlags, p.stepEvents[i], s, cudaEventRecordExternal), "cudaEventRecordWithFlags"); qerr != nil {
			break
		}
		if qerr = p.enqueue(st.First, st.End); qerr != nil {
			break
		}
	}
	if qerr == nil {
		qerr = a.cuda(sys(a.cudaEventRecordWithFlags, p.stepEvents[len(p.l.Steps)], s, cudaEventRecordExternal), "cudaEventRecordWithFlags")
	}
	h := new(uintptr)
	cerr := a.cuda(sys(a.cudaStreamEndCapture, s, uintptr(unsafe.Pointer(h))), "cudaStreamEndCapture(profile)")
	if qerr != nil || cerr != nil {
		a.dropGraph(cerr, *h)
		return fmt.Errorf("profile capture: %w", errors.Join(qerr, cerr))
	}
	graph := *h
	defer func() { _ = a.cuda(sys(a.cudaGraphDestroy, graph), "cudaGraphDestroy(profile)") }()
	if err := a.cuda(sys(a.cudaGraphInstantiate, uintptr(unsafe.Pointer(h)), graph, 0), "cudaGraphInstantiate(profile)"); err != nil {
		return err
	}
	exec := *h
	defer func() { _ = a.cuda(sys(a.cudaGraphExecDestroy, exec), "cudaGraphExecDestroy(profile)") }()
	// The first replay of a new graph uploads it; the second one is timed
	// (its event nodes overwrite the first one's timestamps).
	for range 2 {
		if err := a.cuda(sys(a.cudaGraphLaunch, exec, s), "cudaGraphLaunch(profile)"); err != nil {
			return err
		}
		if err := a.cuda(sys(a.cudaStreamSynchronize, s), "cudaStreamSynchronize(profile)"); err != nil {
			return err
		}
	}
	return nil
}

// describeSteps names what runs each step: the chosen implementation of
// its convolutions, how its copies run, the library call of the rest.
func (p *program) describeSteps() []string {
	out := make([]string, len(p.l.Steps))
	for si, st := range p.l.Steps {
		var names []string
		add := func(n string) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		for i := st.First; i < st.End; i++ {
			if r, ok := p.sel.records[i]; ok {
				add(r.name)
				continue
			}
			for _, g := range p.calls[p.first[i]:p.first[i+1]] {
				switch {
				case g.kind == callCopy && g.lib == libRT:
					add("memcpy3d")
				case g.kind == callCopy:
					add("transform")
				default:
					add(g.kind.String())
				}
			}
		}
		out[si] = strings.Join(names, " + ")
	}
	return out
}

// Info describes the program.
func (p *program) Info() runner.ProgramInfo { return p.info }

// Close frees the device memory, descriptors, events and the graph.
func (p *program) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.d.th.do(p.release)
}

// release destroys everything build created (on the library thread). It
// tolerates a partially built program.
func (p *program) release() error {
	a := p.d.a
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_ = a.cuda(sys(a.cudaStreamSynchronize, p.d.stream), "cudaStreamSynchronize")
	if p.cexec != 0 {
		keep(a.cuda(sys(a.cudaGraphExecDestroy, p.cexec), "cudaGraphExecDestroy"))
	}
	if p.cgraph != 0 {
		keep(a.cuda(sys(a.cudaGraphDestroy, p.cgraph), "cudaGraphDestroy"))
	}
	for _, e := range append([]uintptr{p.evStart, p.evStop}, p.stepEvents...) {
		if e != 0 {
			keep(a.cuda(sys(a.cudaEventDestroy, e), "cudaEventDestroy"))
		}
	}
	for _, h := range p.tensorDescs {
		keep(a.dnn(sys(a.cudnnDestroyTensorDescriptor, h), "cudnnDestroyTensorDescriptor"))
	}
	for _, h := range p.filterDescs {
		keep(a.dnn(sys(a.cudnnDestroyFilterDescriptor, h), "cudnnDestroyFilterDescriptor"))
	}
	for _, h := range p.convDescs {
		keep(a.dnn(sys(a.cudnnDestroyConvolutionDescriptor, h), "cudnnDestroyConvolutionDescriptor"))
	}
	for _, h := range p.poolDescs {
		keep(a.dnn(sys(a.cudnnDestroyPoolingDescriptor, h), "cudnnDestroyPoolingDescriptor"))
	}
	for _, h := range p.actDescs {
		keep(a.dnn(sys(a.cudnnDestroyActivationDescriptor, h), "cudnnDestroyActivationDescriptor"))
	}
	if p.opAddDesc != 0 {
		keep(a.dnn(sys(a.cudnnDestroyOpTensorDescriptor, p.opAddDesc), "cudnnDestroyOpTensorDescriptor"))
		p.opAddDesc = 0
	}
	keep(p.releaseLt())
	for _, m := range []uintptr{p.ws, p.arena} {
		if m != 0 {
			keep(a.cuda(sys(a.cudaFree, m), "cudaFree"))
		}
	}
	p.cexec, p.cgraph, p.ws, p.arena = 0, 0, 0, 0
	p.tensorDescs, p.filterDescs, p.convDescs, p.poolDescs, p.actDescs, p.stepEvents = nil, nil, nil, nil, nil, nil
	p.evStart, p.evStop = 0, 0
	return errors.Join(errs...)
}
