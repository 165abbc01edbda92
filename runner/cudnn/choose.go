//go:build linux && (amd64 || arm64)

package cudnn

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unsafe"
)

// Timing of the candidates of one convolution: each is issued timeReps
// times per round (captured into one CUDA graph in CUDA-graph mode, so
// that host launch overhead is left out as it is in a replay) and the
// fastest of timeRounds rounds counts.
const (
	timeReps   = 5
	timeRounds = 3
)

// convWorkspaceCap is the most workspace one cuDNN algorithm may take to
// be a candidate.
const convWorkspaceCap = 256 << 20

// selfCheckRTol is the largest relative difference (to the largest
// magnitude of cuDNN's output) a non-cuDNN implementation may show in its
// self-check: gpu-check's tolerance.
const selfCheckRTol = 1e-4

// candidate is one way to run a selectable call.
type candidate struct {
	impl    convImpl
	name    string
	calls   []gpuCall
	algo    int32     // cuDNN algorithm (cuDNN implementations)
	variant ltVariant // cuBLASLt layout
	rank    int       // cuBLASLt heuristic rank
	ms      float64   // GPU time per issue, 0 when not timed
}

// choiceRecord is what Compile decided for one selectable call.
type choiceRecord struct {
	impl  convImpl
	name  string
	ms    float64 // its time when the candidates were timed
	timed int     // candidates timed (0: the only one, or a repeated layer)
}

// selector chooses the implementation of every selectable call of a
// program (on the library thread, during build).
type selector struct {
	p        *program
	policy   Policy
	decided  map[string]string // layer key -> the chosen candidate's name
	checked  map[string]error  // layer key + candidate name -> self-check result
	records  map[int]choiceRecord
	problems map[string]int // why candidates were dropped, counted
}

func newSelector(p *program, pol Policy) *selector {
	return &selector{p: p, policy: pol, decided: map[string]string{}, checked: map[string]error{},
		records: map[int]choiceRecord{}, problems: map[string]int{}}
}

// note counts a reason a candidate or an implementation was not used. The
// lines of a joined error become " / ": the fingerprint is one line.
func (s *selector) note(format string, args ...any) {
	s.problems[strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " / ")]++
}

// layerKey identifies a call's shape, strides, epilogue and pointer
// alignments: calls with equal keys run alike, so one decision serves all.
func (s *selector) layerKey(c call) string {
	p := s.p
	al := func(d desc) uint32 { return ptrAlign(p.ptr(d), 4*int64(d.Strides[1]), 4*int64(d.Strides[0])) }
	key := fmt.Sprint(c.Kind, c.X.Dims, c.X.Strides, al(c.X), c.W.Dims, c.Conv, c.Y.Dims, c.Y.Strides, al(c.Y), c.Act, c.Alpha2)
	if c.Kind == callConvBiasAct && c.Alpha2 != 0 {
		key += fmt.Sprint(c.Z.Strides, al(c.Z))
	}
	return key
}

// choose returns the calls that run lowered call i.
func (s *selector) choose(i int, c call, st convSetup) ([]gpuCall, error) {
	p := s.p
	base, err := p.cudnnCandidates(c, st)
	if err != nil {
		return nil, err
	}
	pool := base
	var own []candidate
	forced := ""
	if why := dwEligible(c); why == "" && s.policy.DW != DWCudnn {
		if p.d.dw == nil {
			if s.policy.DW == DWNVRTC {
				return nil, fmt.Errorf("%s=%s: the depthwise kernel is unavailable: %w", EnvDW, DWNVRTC, p.d.dwErr)
			}
		} else {
			own = append(own, p.dwCandidate(c))
			if s.policy.DW == DWNVRTC {
				forced = EnvDW + "=" + DWNVRTC
			}
		}
	}
	if why := ltEligible(c); why == "" && s.policy.GEMM != GEMMCudnn {
		if p.d.lt == nil {
			if s.policy.GEMM == GEMMLt {
				return nil, fmt.Errorf("%s=%s: cuBLASLt is unavailable: %w", EnvGEMM, GEMMLt, p.d.ltErr)
			}
		} else {
			var errs []error
			for _, v := range []ltVariant{ltRowMajor, ltColInputs} {
				cs, err := p.ltCandidates(c, v)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				own = append(own, cs...)
			}
			if len(errs) > 0 {
				s.note("cublasLt: %v", errors.Join(errs...))
			}
			if s.policy.GEMM == GEMMLt {
				switch {
				case len(own) > 0:
					forced = EnvGEMM + "=" + GEMMLt
				case errors.Is(errors.Join(errs...), errLtResidualBias):
					// Not expressible in this library: cuDNN runs it
					// (noted above), as in auto.
				default:
					return nil, fmt.Errorf("%s=%s: no cuBLASLt algorithm for this layer: %w", EnvGEMM, GEMMLt, errors.Join(errs...))
				}
			}
		}
	}
	if forced != "" {
		pool = nil
	}
	pool = append(pool, own...)
	key := s.layerKey(c)
	if name, ok := s.decided[key]; ok {
		for _, cd := range pool {
			if cd.name == name {
				s.records[i] = choiceRecord{impl: cd.impl, name: cd.name}
				return cd.calls, nil
			}
		}
	}
	// Every candidate must run; the baseline is the first cuDNN one that
	// does, and the others must agree with it.
	var ref *candidate
	for j := range base {
		if err := s.probe(base[j]); err == nil {
			ref = &base[j]
			break
		} else {
			s.note("%s: %v", base[j].name, err)
		}
	}
	if ref == nil {
		return nil, fmt.Errorf("no cuDNN implementation of this convolution runs (%d tried)", len(base))
	}
	var ok []candidate
	var checkErrs []error
	chk := &checker{p: p, c: c, base: ref.calls}
	for _, cd := range pool {
		if cd.impl == implCudnnFused || cd.impl == implCudnnConv {
			if cd.name == ref.name {
				ok = append(ok, cd)
			} else if err := s.probe(cd); err != nil {
				s.note("%s: %v", cd.name, err)
			} else {
				ok = append(ok, cd)
			}
			continue
		}
		ck := key + "|" + cd.name
		err, done := s.checked[ck]
		if !done {
			err = chk.check(cd.calls)
			s.checked[ck] = err
		}
		if err != nil {
			checkErrs = append(checkErrs, fmt.Errorf("%s: %w", cd.name, err))
			s.note("%s: %v", cd.name, err)
			continue
		}
		ok = append(ok, cd)
	}
	if len(ok) == 0 {
		if forced != "" {
			return nil, fmt.Errorf("%s: no candidate passed its self-check against cuDNN: %w", forced, errors.Join(checkErrs...))
		}
		return nil, errors.New("no implementation of this convolution runs")
	}
	best := 0
	timed := 0
	if len(ok) > 1 {
		bestMS := math.Inf(1)
		for j := range ok {
			ms, err := p.timeCalls(ok[j].calls)
			if err != nil {
				s.note("%s: timing: %v", ok[j].name, err)
				continue
			}
			timed++
			ok[j].ms = ms
			if ms < bestMS {
				best, bestMS = j, ms
			}
		}
		if timed == 0 {
			return nil, errors.New("no implementation of this convolution could be timed")
		}
	}
	cd := ok[best]
	s.decided[key] = cd.name
	s.records[i] = choiceRecord{impl: cd.impl, name: cd.name, ms: cd.ms, timed: timed}
	return cd.calls, nil
}

// probe runs a candidate once, uncaptured, and waits for it.
func (s *selector) probe(cd candidate) error {
	p := s.p
	if err := p.issue(cd.calls); err != nil {
		return err
	}
	return p.d.a.cuda(sys(p.d.a.cudaStreamSynchronize, p.d.stream), "cudaStreamSynchronize")
}

// cudnnCandidates are the cuDNN ways to run c, the plain conv first for
// an eager conv and for a fused call without ReLU, cuDNN's fastest fused
// algorithm first with ReLU (the backend's way before it had choices).
func (p *program) cudnnCandidates(c call, st convSetup) ([]candidate, error) {
	var out []candidate
	if c.Kind == callConv {
		for _, pf := range st.perfs {
			g, err := p.convForward(c, st, pf.Algo)
			if err != nil {
				return nil, err
			}
			out = append(out, candidate{impl: implCudnnConv, name: "cudnn-conv " + algoName(pf.Algo), calls: []gpuCall{g}, algo: pf.Algo})
		}
		return out, nil
	}
	split, err := p.convBiasSplit(c, st, st.perfs[0].Algo)
	if err != nil {
		return nil, err
	}
	splitCand := candidate{impl: implCudnnConv, name: "cudnn-conv+bias " + algoName(st.perfs[0].Algo), calls: split, algo: st.perfs[0].Algo}
	if c.Act != actReLU {
		out = append(out, splitCand)
	}
	for _, pf := range st.perfs {
		if c.Act != actReLU && pf.Algo != cudnnAlgoImplicitPrecompGEMM {
			continue // identity activation: IMPLICIT_PRECOMP_GEMM only
		}
		gs, err := p.convFused(c, st, pf.Algo)
		if err != nil {
			return nil, err
		}
		out = append(out, candidate{impl: implCudnnFused, name: "cudnn-fused " + algoName(pf.Algo), calls: gs, algo: pf.Algo})
	}
	if c.Act == actReLU {
		out = append(out, splitCand)
	}
	return out, nil
}

// dwCandidate is the embedded depthwise kernel for an eligible call.
func (p *program) dwCandidate(c call) candidate {
	a := dwLaunch(c)
	var b uintptr
	if a.HasBias {
		b = p.ptr(c.B)
	}
	prm := newDWParams(p.ptr(c.X), p.ptr(c.W), b, p.ptr(c.Y), a)
	p.dwParams = append(p.dwParams, prm)
	k := p.d.dw
	g := gpuCall{fn: k.cuLaunchKernel, lib: libDriver}
	g.set(k.fn[a.Kernel], uintptr(a.Grid), 1, 1, uintptr(a.Block), 1, 1, 0, p.d.stream, uintptr(unsafe.Pointer(&prm.ptrs[0])), 0)
	return candidate{impl: implDW, name: fmt.Sprintf("%s s%d", implDW, a.Stride), calls: []gpuCall{g}}
}

// timeCalls returns the GPU time of one issue of calls in milliseconds:
// in CUDA-graph mode from a graph of timeReps issues, otherwise issued
// eagerly (host overhead included, as a run would see it).
func (p *program) timeCalls(calls []gpuCall) (float64, error) {
	a := p.d.a
	s := p.d.stream
	sync := func() error { return a.cuda(sys(a.cudaStreamSynchronize, s), "cudaStreamSynchronize") }
	best := math.Inf(1)
	round := func(issue func() error) error {
		if err := a.cuda(sys(a.cudaEventRecord, p.evStart, s), "cudaEventRecord"); err != nil {
			return err
		}
		if err := issue(); err != nil {
			return err
		}
		if err := a.cuda(sys(a.cudaEventRecord, p.evStop, s), "cudaEventRecord"); err != nil {
			return err
		}
		if err := sync(); err != nil {
			return err
		}
		ns, err := p.elapsedNanos(p.evStart, p.evStop)
		if err != nil {
			return err
		}
		best = min(best, float64(ns)/1e6/timeReps)
		return nil
	}
	if !p.graph {
		issue := func() error {
			for range timeReps {
				if err := p.issue(calls); err != nil {
					return err
				}
			}
			return nil
		}
		if err := issue(); err != nil {
			return 0, err
		}
		if err := sync(); err != nil {
			return 0, err
		}
		for range timeRounds {
			if err := round(issue); err != nil {
				return 0, err
			}
		}
		return best, nil
	}
	if err := a.cuda(sys(a.cudaStreamBeginCapture, s, cudaStreamCaptureRelaxed), "cudaStreamBeginCapture(timing)"); err != nil {
		return 0, err
	}
	var qerr error
	for range timeReps {
		if qerr = p.issue(calls); qerr != nil {
			break
		}
	}
	h := new(uintptr)
	cerr := a.cuda(sys(a.cudaStreamEndCapture, s, uintptr(unsafe.Pointer(h))), "cudaStreamEndCapture(timing)")
	if qerr != nil || cerr != nil {
		a.dropGraph(cerr, *h)
		return 0, fmt.Errorf("capture: %w", errors.Join(qerr, cerr))
	}
	graph := *h
	defer sys(a.cudaGraphDestroy, graph)
	if err := a.cuda(sys(a.cudaGraphInstantiate, uintptr(unsafe.Pointer(h)), graph, 0), "cudaGraphInstantiate(timing)"); err != nil {
		return 0, err
	}
	exec := *h
	defer sys(a.cudaGraphExecDestroy, exec)
	launch := func() error { return a.cuda(sys(a.cudaGraphLaunch, exec, s), "cudaGraphLaunch(timing)") }
	if err := launch(); err != nil {
		return 0, err
	}
	if err := sync(); err != nil {
		return 0, err
	}
	for range timeRounds {
		if err := round(launch); err != nil {
			return 0, err
		}
	}
	return best, nil
}

// checker self-checks the candidates of one call against its baseline:
// on the same deterministic input, inside the output tensor a candidate
// must agree with the baseline within selfCheckRTol, and outside it (the
// rest of the output's buffer: other channel slots) it must not write at
// all. The inputs are written and the baseline run once, at the first
// check. It changes only activation buffers, which every pass rewrites.
type checker struct {
	p      *program
	c      call
	base   []gpuCall
	ready  bool
	err    error     // the baseline's failure, if any
	start  []float32 // the output buffer before a run (sentinels in the output)
	ref    []float32 // the output buffer after the baseline
	inside []bool    // which elements of the output buffer the output covers
	scale  float64   // max |baseline| over the output
}

// copyBuf copies a whole buffer between the device and host, in stream
// order, and waits.
func (k *checker) copyBuf(buf int, host []float32, toDevice bool) error {
	p := k.p
	a := p.d.a
	dst, src, kind := uintptr(unsafe.Pointer(&host[0])), p.bufPtr[buf], uintptr(cudaMemcpyDeviceToHost)
	if toDevice {
		dst, src, kind = src, dst, cudaMemcpyHostToDevice
	}
	if err := a.cuda(sys(a.cudaMemcpyAsync, dst, src, uintptr(len(host))*4, kind, p.d.stream), "cudaMemcpyAsync(self-check)"); err != nil {
		return err
	}
	return a.cuda(sys(a.cudaStreamSynchronize, p.d.stream), "cudaStreamSynchronize(self-check)")
}

// run restores the output buffer, issues calls and reads the buffer back.
func (k *checker) run(calls []gpuCall) ([]float32, error) {
	y := k.c.Y.Buf
	if err := k.copyBuf(y, k.start, true); err != nil {
		return nil, err
	}
	if err := k.p.issue(calls); err != nil {
		return nil, err
	}
	out := make([]float32, len(k.start))
	return out, k.copyBuf(y, out, false)
}

// prepare writes the inputs, marks the output and runs the baseline.
func (k *checker) prepare() error {
	p, c := k.p, k.c
	inputs := []int{c.X.Buf}
	if c.Kind == callConvBiasAct && c.Alpha2 != 0 && c.Z.Buf != c.X.Buf {
		inputs = append(inputs, c.Z.Buf)
	}
	for _, b := range inputs {
		host := make([]float32, p.l.Bufs[b].Elems)
		for i := range host {
			host[i] = float32(int64(uint32(i)*2654435761%2001)-1000) / 1000
		}
		if err := k.copyBuf(b, host, true); err != nil {
			return err
		}
	}
	y := c.Y
	n := p.l.Bufs[y.Buf].Elems
	k.start = make([]float32, n)
	if err := k.copyBuf(y.Buf, k.start, false); err != nil {
		return err
	}
	k.inside = make([]bool, n)
	const sentinel = -1234.5
	for i0 := range y.Dims[0] {
		for i1 := range y.Dims[1] {
			for i2 := range y.Dims[2] {
				for i3 := range y.Dims[3] {
					e := y.Off + int64(i0*y.Strides[0]+i1*y.Strides[1]+i2*y.Strides[2]+i3*y.Strides[3])
					k.inside[e] = true
					k.start[e] = sentinel
				}
			}
		}
	}
	ref, err := k.run(k.base)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	k.ref = ref
	for e, in := range k.inside {
		if in {
			k.scale = max(k.scale, math.Abs(float64(ref[e])))
		}
	}
	return nil
}

// check runs one candidate and compares it with the baseline.
func (k *checker) check(cand []gpuCall) error {
	if !k.ready {
		k.ready = true
		k.err = k.prepare()
	}
	if k.err != nil {
		return k.err
	}
	got, err := k.run(cand)
	if err != nil {
		return err
	}
	worst, worstAt := 0.0, -1
	for e, in := range k.inside {
		if !in {
			if math.Float32bits(got[e]) != math.Float32bits(k.start[e]) {
				return fmt.Errorf("wrote outside its output (element %d of buffer %s)", e, k.p.l.Bufs[k.c.Y.Buf].Name)
			}
			continue
		}
		d := math.Abs(float64(got[e]) - float64(k.ref[e]))
		if !(d <= worst) { // NaN counts as the worst
			worst, worstAt = d, e
		}
	}
	if worstAt >= 0 && !(worst <= selfCheckRTol*k.scale) {
		return fmt.Errorf("differs from cuDNN: element %d is %g, cuDNN %g (max |cuDNN| %g, rtol %g)",
			worstAt, got[worstAt], k.ref[worstAt], k.scale, selfCheckRTol)
	}
	return nil
}

// The fingerprint lists at most maxProblems reasons for unused candidates,
// each cut to maxProblemLen bytes.
const (
	maxProblems   = 3
	maxProblemLen = 160
)

// summary is the fingerprint's account of the choices: how many
// convolutions each implementation runs, and why candidates were dropped.
func (s *selector) summary() string {
	count := map[convImpl]int{}
	for _, r := range s.records {
		count[r.impl]++
	}
	var parts []string
	for _, k := range []convImpl{implDW, implLt, implCudnnFused, implCudnnConv} {
		if count[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[k], k))
		}
	}
	// A forced policy is named in the kernel set before "; " (KernelSet).
	out := "convs: " + strings.Join(parts, ", ")
	// The most frequent reasons first, each shortened: the fingerprint is
	// one line.
	keys := slices.Sorted(maps.Keys(s.problems))
	slices.SortStableFunc(keys, func(a, b string) int { return s.problems[b] - s.problems[a] })
	var probs []string
	for _, k := range keys[:min(len(keys), maxProblems)] {
		text := k
		if len(text) > maxProblemLen {
			text = text[:maxProblemLen] + "..."
		}
		probs = append(probs, fmt.Sprintf("%s (x%d)", text, s.problems[k]))
	}
	if len(keys) > maxProblems {
		probs = append(probs, fmt.Sprintf("%d more", len(keys)-maxProblems))
	}
	if len(probs) > 0 {
		out += "; not used: " + strings.Join(probs, "; ")
	}
	return out
}
