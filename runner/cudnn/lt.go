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
}

// ltSet sets one attribute from the bytes of v.
func ltSet[T any](fn, obj uintptr, attr int, v T) uintptr {
	return sys(fn, obj, uintptr(attr), uintptr(unsafe.Pointer(&v)), unsafe.Sizeof(v))
}

// ltMatmuls prepares the cublasLtMatmul calls of an eligible conv call c
// for layout v: one per algorithm cuBLASLt's heuristic returns (best
// first), each followed by a ReLU6 activation call where the epilogue
// lacks it. x, w, bias, z, y are the data pointers.
func (p *program) ltMatmuls(c call, v ltVariant) ([]candidate, error) {
	lt, a := p.d.lt, p.d.a
	g := ltLayout(c, v)
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
	if g.Epilogue != ltEpilogueDefault {
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
	if g.Residual {
		l, err := layout(g.C)
		if err != nil {
			return nil, err
		}
		lay[2], cPtr = l, p.ptr(c.Z)
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
	beta := p.zero()
	if g.Residual {
		beta = p.one()
	}
	var out []candidate
	for i := range res[:*got] {
		r := &res[i]
		if r.State != 0 || r.Workspace > cublasWorkspaceBytes {
			continue
		}
		p.lt.algos = append(p.lt.algos, r)
		m := gpuCall{fn: lt.matmul, lib: libBLAS}
		m.set(lt.handle, desc, p.one(), aPtr, lay[0], bPtr, lay[1], beta, cPtr, lay[2], dPtr, lay[3],
			uintptr(unsafe.Pointer(r)), p.d.blasWS, cublasWorkspaceBytes, p.d.stream)
		cd := candidate{impl: implLt, name: fmt.Sprintf("%s %s #%d", implLt, v, i), calls: []gpuCall{m}, variant: v, rank: i}
		if g.ReLU6After {
			act, err := p.activation(c.Y, c.Y, actReLU6)
			if err != nil {
				return nil, err
			}
			cd.calls = append(cd.calls, act)
		}
		out = append(out, cd)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cublasLtMatmulAlgoGetHeuristic (%s): no usable algorithm among %d", v, *got)
	}
	return out, nil
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
	p.lt = ltObjects{}
	return errors.Join(errs...)
}
