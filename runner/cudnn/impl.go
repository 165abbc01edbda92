package cudnn

import (
	"fmt"
	"math"
	"strings"
)

// convImpl is how one convolution call runs on the GPU. Compile considers
// every implementation a call is eligible for, checks the non-cuDNN ones
// against cuDNN's output, times them and keeps the fastest (choose.go).
type convImpl uint8

const (
	// implCudnnFused: one cudnnConvolutionBiasActivationForward (ReLU: any
	// algorithm; identity: IMPLICIT_PRECOMP_GEMM only), plus an activation
	// call for ReLU6.
	implCudnnFused convImpl = iota
	// implCudnnConv: cudnnConvolutionForward alone (an eager conv), or
	// followed by cudnnAddTensor for the bias and the residual and
	// cudnnActivationForward for the activation (cuDNN's "plain conv +
	// bias").
	implCudnnConv
	// implLt: one cublasLtMatmul (1x1 convolutions, stride 1, one group)
	// with the bias in the epilogue or as a bias plane in C (ltBiasForm),
	// the residual as C with beta 1, ReLU in the epilogue; plus an
	// activation call for ReLU6 (and for ReLU where the library refuses
	// its epilogue).
	implLt
	// implDW: the embedded depthwise 3x3 kernel (dwkernel.cu), compiled
	// with NVRTC and launched through the driver API.
	implDW
)

var implNames = [...]string{"cudnn-fused", "cudnn-conv", "cublasLt", "dw3x3-nvrtc"}

func (k convImpl) String() string { return implNames[k] }

// Policy selects the convolution implementations Compile may use, read
// from EnvDW and EnvGEMM by New.
type Policy struct {
	// DW is how depthwise 3x3 convolutions run: DWAuto (time the embedded
	// kernel against cuDNN's grouped convolution, keep the faster), DWNVRTC
	// (the embedded kernel wherever it applies; Compile fails if it cannot
	// be built or disagrees with cuDNN) or DWCudnn (never the kernel).
	DW string
	// GEMM is how 1x1 convolutions run: GEMMAuto (time cuBLASLt against
	// cuDNN), GEMMLt (cuBLASLt wherever it applies; Compile fails if it
	// cannot) or GEMMCudnn (never cuBLASLt).
	GEMM string
}

// The values of Policy.DW and Policy.GEMM.
const (
	DWAuto    = "auto"
	DWNVRTC   = "nvrtc"
	DWCudnn   = "cudnn"
	GEMMAuto  = "auto"
	GEMMLt    = "cublaslt"
	GEMMCudnn = "cudnn"
)

// The environment variables New reads for the Policy.
const (
	EnvDW   = "EXPLORER_CUDNN_DW"
	EnvGEMM = "EXPLORER_CUDNN_GEMM"
)

// ParsePolicy checks the values of EnvDW and EnvGEMM ("" means auto).
func ParsePolicy(dw, gemm string) (Policy, error) {
	p := Policy{DW: dw, GEMM: gemm}
	if p.DW == "" {
		p.DW = DWAuto
	}
	if p.GEMM == "" {
		p.GEMM = GEMMAuto
	}
	if p.DW != DWAuto && p.DW != DWNVRTC && p.DW != DWCudnn {
		return Policy{}, fmt.Errorf("cudnn: %s=%q: valid values are %q, %q and %q", EnvDW, dw, DWAuto, DWNVRTC, DWCudnn)
	}
	if p.GEMM != GEMMAuto && p.GEMM != GEMMLt && p.GEMM != GEMMCudnn {
		return Policy{}, fmt.Errorf("cudnn: %s=%q: valid values are %q, %q and %q", EnvGEMM, gemm, GEMMAuto, GEMMLt, GEMMCudnn)
	}
	return p, nil
}

// String is the policy as the fingerprint shows it ("" for auto/auto).
func (p Policy) String() string {
	var parts []string
	if p.DW != "" && p.DW != DWAuto {
		parts = append(parts, "dw="+p.DW)
	}
	if p.GEMM != "" && p.GEMM != GEMMAuto {
		parts = append(parts, "gemm="+p.GEMM)
	}
	return strings.Join(parts, ",")
}

// selectable reports whether a call is a convolution whose implementation
// Compile chooses.
func selectable(c call) bool { return c.Kind == callConv || c.Kind == callConvBiasAct }

// planesContiguous reports whether each (image, channel) plane of d is
// H*W contiguous floats, the layout both the kernel and the GEMM address.
func planesContiguous(d desc) bool {
	return d.Strides[3] == 1 && d.Strides[2] == d.Dims[3] && d.Strides[1] >= d.Dims[2]*d.Dims[3] &&
		(d.Dims[0] == 1 || d.Strides[0] >= d.Dims[1]*d.Strides[1])
}

// fitsInt32 reports whether every index of d (from its buffer offset)
// fits an int32, as the kernel computes them.
func fitsInt32(d desc) bool {
	last := d.Off
	for i := range 4 {
		last += int64(d.Dims[i]-1) * int64(d.Strides[i])
	}
	return last < math.MaxInt32 && int64(d.Dims[0])*int64(max(d.Strides[0], 1)) < math.MaxInt32
}

// dwEligible says whether the embedded kernel computes c: a depthwise 3x3
// convolution (one filter per channel), padding 1, stride 1 or 2, no
// residual, planes contiguous, every index within an int32. The reason is
// empty when it is.
func dwEligible(c call) string {
	if !selectable(c) {
		return "not a convolution"
	}
	a, w := c.Conv, c.W.Dims
	switch {
	case a.Groups != c.X.Dims[1] || a.Groups != c.Y.Dims[1] || w[1] != 1:
		return "not depthwise"
	case w[2] != 3 || w[3] != 3 || a.PadH != 1 || a.PadW != 1:
		return "not 3x3 with padding 1"
	case a.StrideH != a.StrideW || (a.StrideH != 1 && a.StrideH != 2):
		return "stride not 1 or 2"
	case c.Kind == callConvBiasAct && c.Alpha2 != 0:
		return "has a residual"
	case !planesContiguous(c.X) || !planesContiguous(c.Y):
		return "planes not contiguous"
	case !fitsInt32(c.X) || !fitsInt32(c.Y):
		return "too large for int32 indices"
	case int64(c.Y.Dims[0])*int64(c.Y.Dims[1])*int64(c.Y.Dims[2])*int64(c.Y.Dims[3])+dwMaxBlocks*dwThreads > math.MaxInt32:
		// The grid-stride loop's last step passes the last index by up to
		// a grid: its int would wrap negative and still be < total.
		return "too large for the grid-stride loop's int32 index"
	}
	return ""
}

// dwThreads is the block size of the depthwise kernel.
const dwThreads = 256

// dwMaxBlocks caps the grid; the kernel's grid-stride loop covers the rest.
const dwMaxBlocks = 1 << 20

// dwArgs are the launch geometry and scalar arguments of the depthwise
// kernel for one call (dwkernel.cu's parameter list after the pointers).
type dwArgs struct {
	Stride             int
	N, C, H, W, OH, OW int32
	XSN, XSC, YSN, YSC int32
	Act                int32
	Grid, Block        uint32
	HasBias            bool
	Kernel             string // explorer_dw3x3_s1 or _s2
	Total              int64  // output elements
}

// dwLaunch computes the kernel arguments of an eligible call.
func dwLaunch(c call) dwArgs {
	x, y := c.X, c.Y
	a := dwArgs{Stride: c.Conv.StrideH,
		N: int32(y.Dims[0]), C: int32(y.Dims[1]), H: int32(x.Dims[2]), W: int32(x.Dims[3]),
		OH: int32(y.Dims[2]), OW: int32(y.Dims[3]),
		XSN: int32(x.Strides[0]), XSC: int32(x.Strides[1]), YSN: int32(y.Strides[0]), YSC: int32(y.Strides[1]),
		Block: dwThreads, HasBias: c.Kind == callConvBiasAct, Kernel: "explorer_dw3x3_s1"}
	if a.Stride == 2 {
		a.Kernel = "explorer_dw3x3_s2"
	}
	if c.Kind == callConvBiasAct {
		switch c.Act {
		case actReLU:
			a.Act = 1
		case actReLU6:
			a.Act = 2
		}
	}
	a.Total = y.Elems()
	a.Grid = uint32(min((a.Total+dwThreads-1)/dwThreads, dwMaxBlocks))
	return a
}

// ltEligible says whether cuBLASLt computes c as a GEMM: a 1x1
// convolution, stride 1, no padding, one group, planes contiguous. The
// reason is empty when it is.
func ltEligible(c call) string {
	if !selectable(c) {
		return "not a convolution"
	}
	a, w := c.Conv, c.W.Dims
	switch {
	case w[2] != 1 || w[3] != 1 || a.PadH != 0 || a.PadW != 0 || a.StrideH != 1 || a.StrideW != 1:
		return "not a 1x1 stride-1 convolution"
	case a.Groups != 1:
		return "grouped"
	case !planesContiguous(c.X) || !planesContiguous(c.Y):
		return "planes not contiguous"
	case c.Kind == callConvBiasAct && c.Alpha2 != 0 && !planesContiguous(c.Z):
		return "residual planes not contiguous"
	}
	return ""
}

// cuBLASLt enums (cublasLt.h).
const (
	ltOrderCol        = 0 // CUBLASLT_ORDER_COL
	ltOrderRow        = 1 // CUBLASLT_ORDER_ROW
	ltEpilogueDefault = 1 // CUBLASLT_EPILOGUE_DEFAULT
	ltEpilogueReLU    = 2 // CUBLASLT_EPILOGUE_RELU
	ltEpilogueBias    = 4 // CUBLASLT_EPILOGUE_BIAS
	ltEpilogueReLUB   = 6 // CUBLASLT_EPILOGUE_RELU_BIAS
	ltOpN             = 0 // CUBLAS_OP_N
	ltOpT             = 1 // CUBLAS_OP_T
)

// ltMatrix is one cublasLtMatrixLayout: Rows x Cols in Order with leading
// dimension LD, Batch matrices Stride elements apart.
type ltMatrix struct {
	Rows, Cols uint64
	LD         int64
	Order      int32
	Batch      int32
	Stride     int64
}

// at is the element offset of (i, j) of matrix b.
func (m ltMatrix) at(b, i, j int) int64 {
	if m.Order == ltOrderRow {
		return int64(b)*m.Stride + int64(i)*m.LD + int64(j)
	}
	return int64(b)*m.Stride + int64(i) + int64(j)*m.LD
}

// ltVariant is a way to lay a 1x1 convolution out for cuBLASLt.
type ltVariant uint8

const (
	// ltRowMajor: A = W (Cout x Cin), B = X_n (Cin x HW) and C, D = Y_n
	// (Cout x HW), all row-major, no transposes.
	ltRowMajor ltVariant = iota
	// ltColInputs: the same row-major data read as column-major transposes
	// (A = W^T, Cin x Cout; B = X_n^T, HW x Cin; TRANSA = TRANSB = T); C
	// and D stay row-major.
	ltColInputs
)

var ltVariantNames = [...]string{"row-major", "column-major inputs"}

func (v ltVariant) String() string { return ltVariantNames[v] }

// ltBiasForm is how a cuBLASLt call adds a convolution's bias.
type ltBiasForm uint8

const (
	// ltBiasEpilogue: CUBLASLT_EPILOGUE_BIAS or RELU_BIAS. cuBLASLt 13.0
	// refuses it for a row-order D (CUBLAS_STATUS_NOT_SUPPORTED from the
	// heuristic, seen on an H200 by scripts/gpu-check.sh on 2026-12-04),
	// and the API's bias runs along D's rows only, so NCHW data has no
	// other way to use it.
	ltBiasEpilogue ltBiasForm = iota
	// ltBiasPlane: C is a Cout x H*W plane holding each channel's bias
	// along its row (uploaded once, batch stride 0) and Beta is 1, so the
	// GEMM adds the bias as it adds a residual; a ReLU stays in the
	// epilogue (CUBLASLT_EPILOGUE_RELU).
	ltBiasPlane
	// ltBiasPlaneActAfter: as ltBiasPlane with the default epilogue; the
	// activation is a separate call.
	ltBiasPlaneActAfter
	// ltBiasOmitted: the layouts of ltBiasEpilogue without the bias (and
	// the default epilogue), never a candidate: ltCandidates probes with it
	// whether the bias epilogue is what cuBLASLt refused.
	ltBiasOmitted
)

var ltBiasFormNames = [...]string{"bias epilogue", "bias plane", "bias plane, activation after", "bias omitted (probe)"}

func (f ltBiasForm) String() string { return ltBiasFormNames[f] }

// ltBiasForms are the forms to try for c, best first: the bias epilogue,
// then (where C is free, that is without a residual) the bias plane. A
// call without a bias has one form, whose name does not matter.
func ltBiasForms(c call) []ltBiasForm {
	if c.Kind != callConvBiasAct || c.Alpha2 != 0 {
		return []ltBiasForm{ltBiasEpilogue}
	}
	if c.Act == actReLU {
		return []ltBiasForm{ltBiasEpilogue, ltBiasPlane, ltBiasPlaneActAfter}
	}
	return []ltBiasForm{ltBiasEpilogue, ltBiasPlane}
}

// ltGemm is the cublasLtMatmul of one 1x1 convolution call with N images:
// per image n, D_n = epilogue(op(A) op(B_n) + Beta*C_n + bias), the bias
// broadcast along each row of D. With NCHW data a row of D is one output
// channel's plane, so D is row-major (Cout x H*W, ld = the channel
// stride): cuBLASLt's bias runs along D's rows, and in column-major terms
// the rows would be pixels. A is the weight matrix (batch stride 0),
// B_n = X_n and C_n the residual (Beta 1), the bias plane (Beta 1, form
// ltBiasPlane) or Y itself (Beta 0).
type ltGemm struct {
	Variant        ltVariant
	Form           ltBiasForm
	M, N, K        int
	TransA, TransB int32 // cublasOperation_t
	A, B, C, D     ltMatrix
	Epilogue       uint32
	Beta           float32
	Residual       bool    // C is the residual Z
	BiasPlane      bool    // C is the bias plane (Cout x H*W, batch stride 0)
	ActAfter       actKind // an activation call afterwards (actNone: none)
}

// ltLayout lays the eligible call c out as a cuBLASLt matmul with bias
// form f (one of ltBiasForms(c)).
func ltLayout(c call, v ltVariant, f ltBiasForm) ltGemm {
	x, y := c.X, c.Y
	n, cin, cout, hw := y.Dims[0], x.Dims[1], y.Dims[1], y.Dims[2]*y.Dims[3]
	g := ltGemm{Variant: v, Form: f, M: cout, N: hw, K: cin, Epilogue: ltEpilogueDefault}
	row := func(rows, cols int, ld, stride int) ltMatrix {
		return ltMatrix{Rows: uint64(rows), Cols: uint64(cols), LD: int64(ld), Order: ltOrderRow, Batch: int32(n), Stride: int64(stride)}
	}
	switch v {
	case ltRowMajor:
		g.A = row(cout, cin, cin, 0)
		g.B = row(cin, hw, x.Strides[1], x.Strides[0])
		g.TransA, g.TransB = ltOpN, ltOpN
	case ltColInputs:
		g.A = ltMatrix{Rows: uint64(cin), Cols: uint64(cout), LD: int64(cin), Order: ltOrderCol, Batch: int32(n)}
		g.B = ltMatrix{Rows: uint64(hw), Cols: uint64(cin), LD: int64(x.Strides[1]), Order: ltOrderCol, Batch: int32(n), Stride: int64(x.Strides[0])}
		g.TransA, g.TransB = ltOpT, ltOpT
	}
	if n == 1 {
		// One image: the batch stride is irrelevant; keep it 0 for
		// libraries that check it against the matrix size.
		g.B.Stride = 0
	}
	g.D = row(cout, hw, y.Strides[1], y.Strides[0])
	if n == 1 {
		g.D.Stride = 0
	}
	g.C = g.D
	if c.Kind != callConvBiasAct {
		return g
	}
	switch f {
	case ltBiasEpilogue, ltBiasOmitted:
		if f == ltBiasEpilogue {
			g.Epilogue = ltEpilogueBias
			switch c.Act {
			case actReLU:
				g.Epilogue = ltEpilogueReLUB
			case actReLU6:
				g.ActAfter = actReLU6
			}
		}
		if c.Alpha2 != 0 {
			g.Residual, g.Beta = true, 1
			g.C = row(cout, hw, c.Z.Strides[1], c.Z.Strides[0])
			if n == 1 {
				g.C.Stride = 0
			}
		}
	case ltBiasPlane, ltBiasPlaneActAfter:
		g.BiasPlane, g.Beta = true, 1
		g.C = row(cout, hw, hw, 0)
		g.ActAfter = c.Act
		if f == ltBiasPlane && c.Act == actReLU {
			g.Epilogue, g.ActAfter = ltEpilogueReLU, actNone
		}
	}
	return g
}

// ptrAlign is the largest power of two (at most 256) dividing the byte
// address p and every byte step in steps: the alignment cuBLASLt may
// assume for a matrix (CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_*_BYTES).
func ptrAlign(p uintptr, steps ...int64) uint32 {
	a := uint64(p)
	for _, s := range steps {
		a |= uint64(s)
	}
	al := uint32(256)
	for al > 1 && a%uint64(al) != 0 {
		al /= 2
	}
	return al
}

// algoNames are cudnnConvolutionFwdAlgo_t's values.
var algoNames = [...]string{"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"}

// algoName names a cuDNN forward algorithm.
func algoName(a int32) string {
	if a >= 0 && int(a) < len(algoNames) {
		return algoNames[a]
	}
	return fmt.Sprintf("algo %d", a)
}

// cudnnAlgoImplicitPrecompGEMM is the one algorithm
// cudnnConvolutionBiasActivationForward accepts with an identity activation.
const cudnnAlgoImplicitPrecompGEMM = 1
