//go:build linux && (amd64 || arm64)

package cudnn

import (
	"errors"
	"fmt"
	"unsafe"
)

// cuBLASLt attribute and type values (cublasLt.h, library_types.h).
const (
	cudaR32F               = 0  // CUDA_R_32F
	cublasCompute32F       = 68 // CUBLAS_COMPUTE_32F: fp32 FMA, no TF32
	cublasCompute32FTF32   = 77 // CUBLAS_COMPUTE_32F_FAST_TF32
	ltDescTransA           = 3  // CUBLASLT_MATMUL_DESC_TRANSA (int32)
	ltDescTransB           = 4  // CUBLASLT_MATMUL_DESC_TRANSB (int32)
	ltDescEpilogue         = 7  // CUBLASLT_MATMUL_DESC_EPILOGUE (uint32)
	ltDescBiasPointer      = 8  // CUBLASLT_MATMUL_DESC_BIAS_POINTER (void*)
	ltLayoutOrder          = 1  // CUBLASLT_MATRIX_LAYOUT_ORDER (int32)
	ltLayoutBatchCount     = 5  // CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT (int32)
	ltLayoutBatchStride    = 6  // CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET (int64)
	ltPrefMaxWorkspace     = 1  // CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES (uint64)
	ltPrefMinAlignA        = 5  // CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES (uint32); B, C, D follow
	ltHeuristicsRequested  = 4  // algorithms asked of cublasLtMatmulAlgoGetHeuristic per layout
	cublasStatusNotSupport = 15 // CUBLAS_STATUS_NOT_SUPPORTED
)

// ltHeuristicResult mirrors cublasLtMatmulHeuristicResult_t: the algorithm
// (64 bytes), its workspace size, its status, the waves count and four
// reserved ints: 96 bytes.
type ltHeuristicResult struct {
	Algo      [8]uint64
	Workspace uint64
	State     int32
	Waves     float32
	_         [4]int32
}

// ltAPI are the cuBLASLt entry points and the library handle of the device.
type ltAPI struct {
	handle                                 uintptr // cublasLtHandle_t
	matmulDescCreate, matmulDescDestroy    uintptr
	matmulDescSetAttribute                 uintptr
	layoutCreate, layoutDestroy, layoutSet uintptr
	prefCreate, prefDestroy, prefSet       uintptr
	heuristic, matmul                      uintptr
}

// loadLt resolves cuBLASLt and creates its handle (on the library thread).
func loadLt(a *api) (*ltAPI, error) {
	if a.cublasLtLib == 0 {
		return nil, errors.New("cuBLASLt not loaded")
	}
	var l ltAPI
	var create uintptr
	if err := resolve(a.cublasLtLib, "libcublasLt", map[string]*uintptr{
		"cublasLtCreate": &create, "cublasLtMatmulDescCreate": &l.matmulDescCreate,
		"cublasLtMatmulDescDestroy": &l.matmulDescDestroy, "cublasLtMatmulDescSetAttribute": &l.matmulDescSetAttribute,
		"cublasLtMatrixLayoutCreate": &l.layoutCreate, "cublasLtMatrixLayoutDestroy": &l.layoutDestroy,
		"cublasLtMatrixLayoutSetAttribute": &l.layoutSet, "cublasLtMatmulPreferenceCreate": &l.prefCreate,
		"cublasLtMatmulPreferenceDestroy": &l.prefDestroy, "cublasLtMatmulPreferenceSetAttribute": &l.prefSet,
		"cublasLtMatmulAlgoGetHeuristic": &l.heuristic, "cublasLtMatmul": &l.matmul,
	}); err != nil {
		return nil, err
	}
	h := new(uintptr)
	if err := a.blas(sys(create, uintptr(unsafe.Pointer(h))), "cublasLtCreate"); err != nil {
		return nil, err
	}
	l.handle = *h
	return &l, nil
}

// ltObjects are the cuBLASLt descriptors a program created, destroyed by
// release.
type ltObjects struct {
	descs, layouts, prefs []uintptr
	algos                 []*ltHeuristicResult // the algorithms the prepared calls point to
	planes                map[[3]int64]ltPlane // bias planes (ltBiasPlane) by bias buffer, offset and H*W
	planeBytes            int64                // their device memory
}

// ltSet sets one attribute from the bytes of v.
func ltSet[T any](fn, obj uintptr, attr int, v T) uintptr {
	return sys(fn, obj, uintptr(attr), uintptr(unsafe.Pointer(&v)), unsafe.Sizeof(v))
}

// errLtResidualBias: cuBLASLt refused the bias epilogue of a call with a
// residual, whose C holds the residual, so no bias form is left.
var errLtResidualBias = errors.New("the residual fills C, so the bias can only go in the epilogue")

// ltCandidates prepares the cuBLASLt candidates of an eligible conv call c
// for layout v, with the first bias form (ltBiasForms) whose layouts the
// library accepts. The error joins every form's refusal.
func (p *program) ltCandidates(c call, v ltVariant) ([]candidate, error) {
	var errs []error
	for _, f := range ltBiasForms(c) {
		cs, err := p.ltMatmuls(c, v, f)
		if err == nil {
			return cs, nil
		}
		if c.Kind == callConvBiasAct {
			err = fmt.Errorf("%s: %w", f, err)
		}
		errs = append(errs, err)
	}
	// With a residual, C is taken: if the library refused the bias
	// epilogue but takes the same layouts without it, the call cannot be
	// expressed in one cuBLASLt call (a forced policy then leaves it to
	// cuDNN); any other refusal stays an error.
	if c.Kind == callConvBiasAct && c.Alpha2 != 0 && isNotSupported(errs[0]) {
		if _, err := p.ltMatmuls(c, v, ltBiasOmitted); err == nil {
			errs = append(errs, errLtResidualBias)
		}
	}
	return nil, errors.Join(errs...)
}

// ltMatmuls prepares the cublasLtMatmul calls of an eligible conv call c
// for layout v and bias form f: one per algorithm cuBLASLt's heuristic
// returns (best first), each followed by an activation call where the
// epilogue lacks it.
func (p *program) ltMatmuls(c call, v ltVariant, f ltBiasForm) ([]candidate, error) {
	lt, a := p.d.lt, p.d.a
	g := ltLayout(c, v, f)
	compute := uintptr(cublasCompute32F)
	if p.tf32 {
		compute = cublasCompute32FTF32
	}
	h := new(uintptr)
	if err := a.blas(sys(lt.matmulDescCreate, uintptr(unsafe.Pointer(h)), compute, cudaR32F), "cublasLtMatmulDescCreate"); err != nil {
		return nil, err
	}
	desc := *h
	p.lt.descs = append(p.lt.descs, desc)
	biasPtr := uint64(0)
	if g.Epilogue == ltEpilogueBias || g.Epilogue == ltEpilogueReLUB {
		biasPtr = uint64(p.ptr(c.B))
	}
	for _, s := range []struct {
		r    uintptr
		what string
	}{
		{ltSet(lt.matmulDescSetAttribute, desc, ltDescTransA, g.TransA), "TRANSA"},
		{ltSet(lt.matmulDescSetAttribute, desc, ltDescTransB, g.TransB), "TRANSB"},
		{ltSet(lt.matmulDescSetAttribute, desc, ltDescEpilogue, g.Epilogue), "EPILOGUE"},
	} {
		if err := a.blas(s.r, "cublasLtMatmulDescSetAttribute("+s.what+")"); err != nil {
			return nil, err
		}
	}
	if biasPtr != 0 {
		if err := a.blas(ltSet(lt.matmulDescSetAttribute, desc, ltDescBiasPointer, biasPtr), "cublasLtMatmulDescSetAttribute(BIAS_POINTER)"); err != nil {
			return nil, err
		}
	}
	layout := func(m ltMatrix) (uintptr, error) {
		if err := a.blas(sys(lt.layoutCreate, uintptr(unsafe.Pointer(h)), cudaR32F, uintptr(m.Rows), uintptr(m.Cols), uintptr(m.LD)), "cublasLtMatrixLayoutCreate"); err != nil {
			return 0, err
		}
		l := *h
		p.lt.layouts = append(p.lt.layouts, l)
		if err := a.blas(ltSet(lt.layoutSet, l, ltLayoutOrder, m.Order), "cublasLtMatrixLayoutSetAttribute(ORDER)"); err != nil {
			return 0, err
		}
		if m.Batch > 1 {
			if err := a.blas(ltSet(lt.layoutSet, l, ltLayoutBatchCount, m.Batch), "cublasLtMatrixLayoutSetAttribute(BATCH_COUNT)"); err != nil {
				return 0, err
			}
			if err := a.blas(ltSet(lt.layoutSet, l, ltLayoutBatchStride, m.Stride), "cublasLtMatrixLayoutSetAttribute(STRIDED_BATCH_OFFSET)"); err != nil {
				return 0, err
			}
		}
		return l, nil
	}
	var lay [4]uintptr // A, B, C, D
	for i, m := range []ltMatrix{g.A, g.B, g.D} {
		l, err := layout(m)
		if err != nil {
			return nil, err
		}
		lay[[]int{0, 1, 3}[i]] = l
	}
	lay[2] = lay[3]
	cPtr := p.ptr(c.Y)
	if g.Residual || g.BiasPlane {
		l, err := layout(g.C)
		if err != nil {
			return nil, err
		}
		lay[2] = l
		if g.Residual {
			cPtr = p.ptr(c.Z)
		} else {
			// The plane is allocated once an algorithm is found;
			// cudaMalloc aligns it to 256 bytes.
			cPtr = arenaAlign
		}
	}
	aPtr, bPtr, dPtr := p.ptr(c.W), p.ptr(c.X), p.ptr(c.Y)
	if err := a.blas(sys(lt.prefCreate, uintptr(unsafe.Pointer(h))), "cublasLtMatmulPreferenceCreate"); err != nil {
		return nil, err
	}
	pref := *h
	p.lt.prefs = append(p.lt.prefs, pref)
	if err := a.blas(ltSet(lt.prefSet, pref, ltPrefMaxWorkspace, uint64(cublasWorkspaceBytes)), "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)"); err != nil {
		return nil, err
	}
	// The alignment cuBLASLt may assume for each matrix: of its pointer
	// and of every row and batch step (channel views are not 256-byte
	// aligned).
	aligns := [4]uint32{
		ptrAlign(aPtr, 4*g.A.LD),
		ptrAlign(bPtr, 4*g.B.LD, 4*g.B.Stride),
		ptrAlign(cPtr, 4*g.C.LD, 4*g.C.Stride),
		ptrAlign(dPtr, 4*g.D.LD, 4*g.D.Stride),
	}
	for i, al := range aligns {
		if err := a.blas(ltSet(lt.prefSet, pref, ltPrefMinAlignA+i, al), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)"); err != nil {
			return nil, err
		}
	}
	res := make([]ltHeuristicResult, ltHeuristicsRequested)
	got := new(int32)
	if err := a.blas(sys(lt.heuristic, lt.handle, desc, lay[0], lay[1], lay[2], lay[3], pref, uintptr(len(res)),
		uintptr(unsafe.Pointer(&res[0])), uintptr(unsafe.Pointer(got))), "cublasLtMatmulAlgoGetHeuristic"); err != nil {
		return nil, err
	}
	beta, err := p.scalar(g.Beta)
	if err != nil {
		return nil, err
	}
	var usable []int
	for i := range res[:*got] {
		if r := &res[i]; r.State == 0 && r.Workspace <= cublasWorkspaceBytes {
			usable = append(usable, i)
		}
	}
	if len(usable) == 0 {
		return nil, fmt.Errorf("cublasLtMatmulAlgoGetHeuristic (%s): no usable algorithm among %d", v, *got)
	}
	if f == ltBiasOmitted {
		return nil, nil // a probe: the layouts are accepted
	}
	if g.BiasPlane {
		if cPtr, err = p.biasPlane(c); err != nil {
			return nil, err
		}
	}
	var out []candidate
	for _, i := range usable {
		r := &res[i]
		p.lt.algos = append(p.lt.algos, r)
		m := gpuCall{fn: lt.matmul, lib: libBLAS}
		m.set(lt.handle, desc, p.one(), aPtr, lay[0], bPtr, lay[1], beta, cPtr, lay[2], dPtr, lay[3],
			uintptr(unsafe.Pointer(r)), p.d.blasWS, cublasWorkspaceBytes, p.d.stream)
		name := fmt.Sprintf("%s %s #%d", implLt, v, i)
		if g.BiasPlane {
			name = fmt.Sprintf("%s %s, %s #%d", implLt, v, f, i)
		}
		cd := candidate{impl: implLt, name: name, calls: []gpuCall{m}, variant: v, rank: i}
		if g.ActAfter != actNone {
			act, err := p.activation(c.Y, c.Y, g.ActAfter)
			if err != nil {
				return nil, err
			}
			cd.calls = append(cd.calls, act)
		}
		out = append(out, cd)
	}
	return out, nil
}

// ltPlane is one bias plane in device memory.
type ltPlane struct {
	ptr   uintptr
	bytes int64
}

// biasPlane returns the device address of c's bias plane: Cout rows of
// H*W copies of each output channel's bias (row-major, ld H*W), uploaded
// once per conv (its bias buffer and plane size) and shared by every image
// (batch stride 0) and every candidate of that conv.
func (p *program) biasPlane(c call) (uintptr, error) {
	cout, hw := c.Y.Dims[1], c.Y.Dims[2]*c.Y.Dims[3]
	key := [3]int64{int64(c.B.Buf), c.B.Off, int64(hw)}
	if pl, ok := p.lt.planes[key]; ok {
		return pl.ptr, nil
	}
	data := p.l.Bufs[c.B.Buf].Data
	if int(c.B.Off)+cout > len(data) {
		return 0, fmt.Errorf("bias plane: the bias of %d channels has no host copy", cout)
	}
	host := make([]float32, cout*hw)
	for i, v := range data[c.B.Off : int(c.B.Off)+cout] {
		row := host[i*hw : (i+1)*hw]
		for j := range row {
			row[j] = v
		}
	}
	a := p.d.a
	h := new(uintptr)
	bytes := uintptr(len(host)) * 4
	if err := a.cuda(sys(a.cudaMalloc, uintptr(unsafe.Pointer(h)), bytes), "cudaMalloc(bias plane)"); err != nil {
		return 0, err
	}
	if err := a.cuda(sys(a.cudaMemcpy, *h, uintptr(unsafe.Pointer(&host[0])), bytes, cudaMemcpyHostToDevice), "cudaMemcpy(bias plane)"); err != nil {
		_ = a.cuda(sys(a.cudaFree, *h), "cudaFree(bias plane)")
		return 0, err
	}
	if p.lt.planes == nil {
		p.lt.planes = map[[3]int64]ltPlane{}
	}
	p.lt.planes[key] = ltPlane{ptr: *h, bytes: int64(bytes)}
	p.lt.planeBytes += int64(bytes)
	return *h, nil
}

// dropUnusedPlanes frees the bias planes that no chosen call reads (their
// candidates lost to another implementation), once every convolution is
// chosen.
func (p *program) dropUnusedPlanes() error {
	if len(p.lt.planes) == 0 {
		return nil
	}
	used := map[uintptr]bool{}
	for _, gc := range p.calls {
		if gc.lib == libBLAS && p.d.lt != nil && gc.fn == p.d.lt.matmul {
			used[gc.args[8]] = true // C
		}
	}
	a := p.d.a
	var errs []error
	for k, pl := range p.lt.planes {
		if used[pl.ptr] {
			continue
		}
		errs = append(errs, a.cuda(sys(a.cudaFree, pl.ptr), "cudaFree(bias plane)"))
		delete(p.lt.planes, k)
		p.lt.planeBytes -= pl.bytes
	}
	return errors.Join(errs...)
}

// releaseLt destroys the program's cuBLASLt descriptors.
func (p *program) releaseLt() error {
	lt, a := p.d.lt, p.d.a
	if lt == nil {
		return nil
	}
	var errs []error
	for _, h := range p.lt.prefs {
		errs = append(errs, a.blas(sys(lt.prefDestroy, h), "cublasLtMatmulPreferenceDestroy"))
	}
	for _, h := range p.lt.layouts {
		errs = append(errs, a.blas(sys(lt.layoutDestroy, h), "cublasLtMatrixLayoutDestroy"))
	}
	for _, h := range p.lt.descs {
		errs = append(errs, a.blas(sys(lt.matmulDescDestroy, h), "cublasLtMatmulDescDestroy"))
	}
	for _, pl := range p.lt.planes {
		errs = append(errs, a.cuda(sys(a.cudaFree, pl.ptr), "cudaFree(bias plane)"))
	}
	p.lt = ltObjects{}
	return errors.Join(errs...)
}
