//go:build linux && (amd64 || arm64)

package cudnn

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ebitengine/purego"
)

// Enum values of the CUDA runtime, cuBLAS and cuDNN 9 headers used here.
const (
	cudaMemcpyHostToDevice    = 1
	cudaMemcpyDeviceToHost    = 2
	cudaStreamNonBlocking     = 1
	cudaStreamCaptureRelaxed  = 2 // cudaStreamCaptureModeRelaxed
	cudaEventRecordExternal   = 1 // in stream capture: an event record node (timestamps in the graph)
	cublasOpN                 = 0
	cublasOpT                 = 1
	cublasDefaultMath         = 0
	cublasTF32TensorOpMath    = 3
	cudnnDataFloat            = 0 // CUDNN_DATA_FLOAT
	cudnnTensorNCHW           = 0 // CUDNN_TENSOR_NCHW
	cudnnCrossCorrelation     = 1 // CUDNN_CROSS_CORRELATION (PyTorch's conv)
	cudnnDefaultMath          = 0 // CUDNN_DEFAULT_MATH: TF32 allowed on Ampere+
	cudnnFMAMath              = 3 // CUDNN_FMA_MATH: no tensor-core TF32
	cudnnActivationReLU       = 1
	cudnnActivationClipped    = 3 // CUDNN_ACTIVATION_CLIPPED_RELU
	cudnnActivationIdentity   = 5 // CUDNN_ACTIVATION_IDENTITY (fused call: IMPLICIT_PRECOMP_GEMM only)
	cudnnNotPropagateNaN      = 0
	cudnnBatchNormSpatial     = 1
	cudnnOpTensorAdd          = 0 // CUDNN_OP_TENSOR_ADD
	cudnnConvFwdAlgoMaxResult = 8
)

// api holds the library handles and the resolved entry points. All calls
// go through purego.SyscallN with integer/pointer arguments; the two
// functions with a double argument are bound with purego.RegisterFunc.
type api struct {
	libs    Libs
	handles []uintptr // dlopen order; cuDNN symbols are looked up in graph, ops, cnn, shim

	// cublasLtLib and nvrtcLib are the dlopen handles of cuBLASLt and NVRTC
	// (0 when absent); nvrtcErr says why NVRTC could not be loaded. Their
	// entry points are resolved when first needed (lt.go, nvrtc.go): a
	// missing one only disables the implementation that needs it.
	cublasLtLib, nvrtcLib uintptr
	nvrtcErr              error

	// CUDA runtime
	cudaGetDeviceCount, cudaSetDevice, cudaGetDeviceProperties         uintptr
	cudaDriverGetVersion, cudaRuntimeGetVersion, cudaMemGetInfo        uintptr
	cudaMalloc, cudaFree, cudaMemcpy, cudaMemcpyAsync                  uintptr
	cudaMemcpy3DAsync                                                  uintptr
	cudaStreamCreateWithFlags, cudaStreamSynchronize                   uintptr
	cudaEventCreate, cudaEventDestroy, cudaEventRecord                 uintptr
	cudaEventRecordWithFlags                                           uintptr
	cudaEventSynchronize, cudaEventElapsedTime                         uintptr
	cudaStreamBeginCapture, cudaStreamEndCapture, cudaGraphInstantiate uintptr
	cudaGraphLaunch, cudaGraphExecDestroy, cudaGraphDestroy            uintptr
	cudaGetErrorString                                                 func(int32) string
	// cuBLAS
	cublasCreate, cublasSetStream, cublasSetWorkspace, cublasSetMathMode uintptr
	cublasSgemm                                                          uintptr
	// cuDNN
	cudnnCreate, cudnnSetStream, cudnnGetVersion                      uintptr
	cudnnCreateTensorDescriptor, cudnnSetTensor4dDescriptorEx         uintptr
	cudnnDestroyTensorDescriptor                                      uintptr
	cudnnCreateFilterDescriptor, cudnnSetFilter4dDescriptor           uintptr
	cudnnDestroyFilterDescriptor                                      uintptr
	cudnnCreateConvolutionDescriptor, cudnnSetConvolution2dDescriptor uintptr
	cudnnSetConvolutionGroupCount, cudnnSetConvolutionMathType        uintptr
	cudnnDestroyConvolutionDescriptor                                 uintptr
	cudnnFindConvolutionForwardAlgorithm                              uintptr
	cudnnConvolutionForward, cudnnConvolutionBiasActivationForward    uintptr
	cudnnAddTensor, cudnnTransformTensor                              uintptr
	cudnnCreateActivationDescriptor, cudnnDestroyActivationDescriptor uintptr
	cudnnActivationForward                                            uintptr
	cudnnCreatePoolingDescriptor, cudnnSetPooling2dDescriptor         uintptr
	cudnnDestroyPoolingDescriptor, cudnnPoolingForward                uintptr
	cudnnCreateOpTensorDescriptor, cudnnSetOpTensorDescriptor         uintptr
	cudnnDestroyOpTensorDescriptor, cudnnOpTensor                     uintptr
	cudnnGetErrorString                                               func(int32) string
	cudnnSetActivationDescriptor                                      func(desc uintptr, mode, nanOpt int32, coef float64) int32
	cudnnBatchNormalizationForwardInference                           func(h uintptr, mode int32, alpha, beta, xd, x, yd, y, bnd, scale, bias, mean, variance uintptr, eps float64) int32
	bnInferenceSym                                                    uintptr
}

// loadAPI dlopens the libraries by absolute path with RTLD_NOW|RTLD_GLOBAL
// in dependency order (so the cuDNN shim and cuDNN's own dlopen calls find
// them by soname) and resolves every symbol. It must run on the library
// thread.
func loadAPI(l Libs) (*api, error) {
	a := &api{libs: l}
	named := map[string]uintptr{}
	for _, p := range l.LoadOrder() {
		h, err := purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil && p == l.Nvrtc {
			// NVRTC is optional: without it the own depthwise kernel is
			// not built and cuDNN runs those convolutions.
			a.nvrtcErr = fmt.Errorf("dlopen %s: %w", p, err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("dlopen %s: %w", p, err)
		}
		a.handles = append(a.handles, h)
		named[filepath.Base(p)] = h
		switch p {
		case l.CublasLt:
			a.cublasLtLib = h
		case l.Nvrtc:
			a.nvrtcLib = h
			preloadNvrtcBuiltins(l.Nvrtc)
		}
	}
	if l.Nvrtc == "" {
		a.nvrtcErr = fmt.Errorf("libnvrtc.so.%d not found", l.CUDA)
	}
	v := fmt.Sprint(l.CUDA)
	cudart, cublas := named["libcudart.so."+v], named["libcublas.so."+v]
	var cudnn []uintptr
	for _, n := range []string{"libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn.so.9"} {
		if h, ok := named[n]; ok {
			cudnn = append(cudnn, h)
		}
	}
	var firstErr error
	sym := func(dst *uintptr, hs []uintptr, names ...string) {
		for _, n := range names {
			for _, h := range hs {
				if p, err := purego.Dlsym(h, n); err == nil && p != 0 {
					*dst = p
					return
				}
			}
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("symbol %s not found", names[0])
		}
	}
	rt := []uintptr{cudart}
	for _, s := range []struct {
		dst  *uintptr
		name []string
	}{
		{&a.cudaGetDeviceCount, []string{"cudaGetDeviceCount"}},
		{&a.cudaSetDevice, []string{"cudaSetDevice"}},
		// cudaDeviceProp starts with char name[256] in every CUDA version;
		// the exported name changed to _v2 in CUDA 12 (libcudart.so.12's
		// dynamic symbols), so both names are probed.
		{&a.cudaGetDeviceProperties, []string{"cudaGetDeviceProperties_v2", "cudaGetDeviceProperties"}},
		{&a.cudaDriverGetVersion, []string{"cudaDriverGetVersion"}},
		{&a.cudaRuntimeGetVersion, []string{"cudaRuntimeGetVersion"}},
		{&a.cudaMemGetInfo, []string{"cudaMemGetInfo"}},
		{&a.cudaMalloc, []string{"cudaMalloc"}},
		{&a.cudaFree, []string{"cudaFree"}},
		{&a.cudaMemcpy, []string{"cudaMemcpy"}},
		{&a.cudaMemcpyAsync, []string{"cudaMemcpyAsync"}},
		{&a.cudaMemcpy3DAsync, []string{"cudaMemcpy3DAsync"}},
		{&a.cudaStreamCreateWithFlags, []string{"cudaStreamCreateWithFlags"}},
		{&a.cudaStreamSynchronize, []string{"cudaStreamSynchronize"}},
		{&a.cudaEventCreate, []string{"cudaEventCreate"}},
		{&a.cudaEventDestroy, []string{"cudaEventDestroy"}},
		{&a.cudaEventRecord, []string{"cudaEventRecord"}},
		{&a.cudaEventRecordWithFlags, []string{"cudaEventRecordWithFlags"}},
		{&a.cudaEventSynchronize, []string{"cudaEventSynchronize"}},
		{&a.cudaEventElapsedTime, []string{"cudaEventElapsedTime"}},
		{&a.cudaStreamBeginCapture, []string{"cudaStreamBeginCapture"}},
		{&a.cudaStreamEndCapture, []string{"cudaStreamEndCapture"}},
		{&a.cudaGraphInstantiate, []string{"cudaGraphInstantiate"}},
		{&a.cudaGraphLaunch, []string{"cudaGraphLaunch"}},
		{&a.cudaGraphExecDestroy, []string{"cudaGraphExecDestroy"}},
		{&a.cudaGraphDestroy, []string{"cudaGraphDestroy"}},
	} {
		sym(s.dst, rt, s.name...)
	}
	for _, s := range []struct {
		dst  *uintptr
		name string
	}{
		{&a.cublasCreate, "cublasCreate_v2"},
		{&a.cublasSetStream, "cublasSetStream_v2"},
		{&a.cublasSetWorkspace, "cublasSetWorkspace_v2"},
		{&a.cublasSetMathMode, "cublasSetMathMode"},
		{&a.cublasSgemm, "cublasSgemm_v2"},
	} {
		sym(s.dst, []uintptr{cublas}, s.name)
	}
	for _, s := range []struct {
		dst  *uintptr
		name string
	}{
		{&a.cudnnCreate, "cudnnCreate"},
		{&a.cudnnSetStream, "cudnnSetStream"},
		{&a.cudnnGetVersion, "cudnnGetVersion"},
		{&a.cudnnCreateTensorDescriptor, "cudnnCreateTensorDescriptor"},
		{&a.cudnnSetTensor4dDescriptorEx, "cudnnSetTensor4dDescriptorEx"},
		{&a.cudnnDestroyTensorDescriptor, "cudnnDestroyTensorDescriptor"},
		{&a.cudnnCreateFilterDescriptor, "cudnnCreateFilterDescriptor"},
		{&a.cudnnSetFilter4dDescriptor, "cudnnSetFilter4dDescriptor"},
		{&a.cudnnDestroyFilterDescriptor, "cudnnDestroyFilterDescriptor"},
		{&a.cudnnCreateConvolutionDescriptor, "cudnnCreateConvolutionDescriptor"},
		{&a.cudnnSetConvolution2dDescriptor, "cudnnSetConvolution2dDescriptor"},
		{&a.cudnnSetConvolutionGroupCount, "cudnnSetConvolutionGroupCount"},
		{&a.cudnnSetConvolutionMathType, "cudnnSetConvolutionMathType"},
		{&a.cudnnDestroyConvolutionDescriptor, "cudnnDestroyConvolutionDescriptor"},
		{&a.cudnnFindConvolutionForwardAlgorithm, "cudnnFindConvolutionForwardAlgorithm"},
		{&a.cudnnConvolutionForward, "cudnnConvolutionForward"},
		{&a.cudnnConvolutionBiasActivationForward, "cudnnConvolutionBiasActivationForward"},
		{&a.cudnnAddTensor, "cudnnAddTensor"},
		{&a.cudnnTransformTensor, "cudnnTransformTensor"},
		{&a.cudnnCreateActivationDescriptor, "cudnnCreateActivationDescriptor"},
		{&a.cudnnDestroyActivationDescriptor, "cudnnDestroyActivationDescriptor"},
		{&a.cudnnActivationForward, "cudnnActivationForward"},
		{&a.cudnnCreatePoolingDescriptor, "cudnnCreatePoolingDescriptor"},
		{&a.cudnnSetPooling2dDescriptor, "cudnnSetPooling2dDescriptor"},
		{&a.cudnnDestroyPoolingDescriptor, "cudnnDestroyPoolingDescriptor"},
		{&a.cudnnPoolingForward, "cudnnPoolingForward"},
		{&a.bnInferenceSym, "cudnnBatchNormalizationForwardInference"},
		{&a.cudnnCreateOpTensorDescriptor, "cudnnCreateOpTensorDescriptor"},
		{&a.cudnnSetOpTensorDescriptor, "cudnnSetOpTensorDescriptor"},
		{&a.cudnnDestroyOpTensorDescriptor, "cudnnDestroyOpTensorDescriptor"},
		{&a.cudnnOpTensor, "cudnnOpTensor"},
	} {
		sym(s.dst, cudnn, s.name)
	}
	var errStrRT, errStrDNN, setAct uintptr
	sym(&errStrRT, rt, "cudaGetErrorString")
	sym(&errStrDNN, cudnn, "cudnnGetErrorString")
	sym(&setAct, cudnn, "cudnnSetActivationDescriptor")
	if firstErr != nil {
		return nil, firstErr
	}
	purego.RegisterFunc(&a.cudaGetErrorString, errStrRT)
	purego.RegisterFunc(&a.cudnnGetErrorString, errStrDNN)
	purego.RegisterFunc(&a.cudnnSetActivationDescriptor, setAct)
	purego.RegisterFunc(&a.cudnnBatchNormalizationForwardInference, a.bnInferenceSym)
	return a, nil
}

// cuda checks a cudaError_t.
func (a *api) cuda(r uintptr, what string) error {
	if c := int32(r); c != 0 {
		return fmt.Errorf("%s: CUDA error %d (%s)", what, c, a.cudaGetErrorString(c))
	}
	return nil
}

// preloadNvrtcBuiltins dlopens, best effort, the libnvrtc-builtins
// libraries beside nvrtc (RTLD_GLOBAL): NVRTC opens its builtins by soname
// when it compiles, and where its folder is on no search path (a Python
// wheel's nvidia/.../lib, found by the library search) the compile failed
// with NVRTC_ERROR_BUILTIN_OPERATION_FAILURE; loaded first, the soname is
// already resolved. A failure here leaves that error to the compile.
func preloadNvrtcBuiltins(nvrtc string) {
	found, _ := filepath.Glob(filepath.Join(filepath.Dir(nvrtc), "libnvrtc-builtins*.so*"))
	for _, p := range found {
		_, _ = purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	}
}

// dropGraph destroys the graph a failed capture still returned (the end of
// a capture succeeds with a graph when a call inside it failed): each
// failed timing candidate leaked one. endErr is the end of capture's own
// error; with it there is no graph.
func (a *api) dropGraph(endErr error, graph uintptr) {
	if endErr == nil && graph != 0 {
		_ = a.cuda(sys(a.cudaGraphDestroy, graph), "cudaGraphDestroy(failed capture)")
	}
}

// dnn checks a cudnnStatus_t.
func (a *api) dnn(r uintptr, what string) error {
	if c := int32(r); c != 0 {
		return fmt.Errorf("%s: cuDNN status %d (%s)", what, c, a.cudnnGetErrorString(c))
	}
	return nil
}

// blas checks a cublasStatus_t.
func (a *api) blas(r uintptr, what string) error {
	if c := int32(r); c != 0 {
		return &blasError{what: what, status: c}
	}
	return nil
}

// blasError is a cuBLAS or cuBLASLt call that returned a status other
// than CUBLAS_STATUS_SUCCESS.
type blasError struct {
	what   string
	status int32
}

func (e *blasError) Error() string {
	return fmt.Sprintf("%s: cuBLAS status %d (%s)", e.what, e.status, blasStatusName(e.status))
}

// isNotSupported says whether err holds a CUBLAS_STATUS_NOT_SUPPORTED.
func isNotSupported(err error) bool {
	var b *blasError
	return errors.As(err, &b) && b.status == cublasStatusNotSupport
}

// blasStatusName names a cublasStatus_t (cublas_api.h; the same values in
// cuBLASLt), so an error says "CUBLAS_STATUS_NOT_SUPPORTED", not only 15.
func blasStatusName(c int32) string {
	switch c {
	case 1:
		return "CUBLAS_STATUS_NOT_INITIALIZED"
	case 3:
		return "CUBLAS_STATUS_ALLOC_FAILED"
	case 7:
		return "CUBLAS_STATUS_INVALID_VALUE"
	case 8:
		return "CUBLAS_STATUS_ARCH_MISMATCH"
	case 11:
		return "CUBLAS_STATUS_MAPPING_ERROR"
	case 13:
		return "CUBLAS_STATUS_EXECUTION_FAILED"
	case 14:
		return "CUBLAS_STATUS_INTERNAL_ERROR"
	case 15:
		return "CUBLAS_STATUS_NOT_SUPPORTED"
	case 16:
		return "CUBLAS_STATUS_LICENSE_ERROR"
	}
	return "unknown status"
}
