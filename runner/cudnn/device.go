//go:build linux && (amd64 || arm64)

package cudnn

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/shufflelab/explorer/runner"
)

// cublasWorkspaceBytes is the cuBLAS workspace set up front so that cuBLAS
// never allocates during graph capture (cuBLAS documentation, "CUDA Graphs
// Support": set a workspace with cublasSetWorkspace before capturing);
// 32 MiB is NVIDIA's recommendation for Hopper there.
const cublasWorkspaceBytes = 32 << 20

// device is one GPU with its stream and library handles, all owned by the
// library thread.
type device struct {
	th      *thread
	a       *api
	stream  uintptr
	dnn     uintptr // cudnnHandle_t
	blas    uintptr // cublasHandle_t
	blasWS  uintptr
	name    string
	driver  int // CUDA driver API version (cudaDriverGetVersion)
	rtVer   int // cudaRuntimeGetVersion
	dnnVer  int // cudnnGetVersion
	cudaMaj int
	dnnDir  string // the directory cuDNN was loaded from

	// The optional implementations, loaded on first need (loadExtensions):
	// the own depthwise kernel and cuBLASLt, or why they are unavailable.
	dw    *dwKernels
	dwErr error
	lt    *ltAPI
	ltErr error
}

// loadExtensions builds the depthwise kernel and opens cuBLASLt when a
// program can use them and they have not been tried yet (on the library
// thread). A failure is kept in dwErr/ltErr, not retried, and the backend
// runs those convolutions with cuDNN.
func (d *device) loadExtensions(dw, lt bool) {
	if dw && d.dw == nil && d.dwErr == nil {
		d.dw, d.dwErr = loadDWKernels(d.a)
	}
	if lt && d.lt == nil && d.ltErr == nil {
		d.lt, d.ltErr = loadLt(d.a)
	}
}

// sys calls a library function with integer/pointer arguments. Like
// purego.SyscallN it keeps pointer arguments converted to uintptr alive
// and on the heap for the call.
//
//go:uintptrescapes
func sys(fn uintptr, args ...uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, args...)
	return r
}

// openDevice loads the libraries and opens GPU 0.
func openDevice(l Libs) (*device, error) {
	d := &device{th: startThread(), cudaMaj: l.CUDA, dnnDir: filepath.Dir(l.CudnnGraph)}
	err := d.th.do(func() error {
		a, err := loadAPI(l)
		if err != nil {
			return err
		}
		d.a = a
		n := new(int32)
		if err := a.cuda(sys(a.cudaGetDeviceCount, uintptr(unsafe.Pointer(n))), "cudaGetDeviceCount"); err != nil {
			return err
		}
		if *n < 1 {
			return fmt.Errorf("no CUDA device")
		}
		if err := a.cuda(sys(a.cudaSetDevice, 0), "cudaSetDevice"); err != nil {
			return err
		}
		// cudaDeviceProp begins with char name[256]; the struct is about
		// 1 KB and grew across versions, so the buffer is generous.
		props := make([]byte, 16<<10)
		if err := a.cuda(sys(a.cudaGetDeviceProperties, uintptr(unsafe.Pointer(&props[0])), 0), "cudaGetDeviceProperties"); err != nil {
			return err
		}
		name := props[:256]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		d.name = string(name)
		v := new(int32)
		if err := a.cuda(sys(a.cudaDriverGetVersion, uintptr(unsafe.Pointer(v))), "cudaDriverGetVersion"); err != nil {
			return err
		}
		d.driver = int(*v)
		if err := a.cuda(sys(a.cudaRuntimeGetVersion, uintptr(unsafe.Pointer(v))), "cudaRuntimeGetVersion"); err != nil {
			return err
		}
		d.rtVer = int(*v)
		d.dnnVer = int(sys(a.cudnnGetVersion))
		h := new(uintptr)
		if err := a.cuda(sys(a.cudaStreamCreateWithFlags, uintptr(unsafe.Pointer(h)), cudaStreamNonBlocking), "cudaStreamCreateWithFlags"); err != nil {
			return err
		}
		d.stream = *h
		if err := a.dnn(sys(a.cudnnCreate, uintptr(unsafe.Pointer(h))), "cudnnCreate"); err != nil {
			return err
		}
		d.dnn = *h
		if err := a.dnn(sys(a.cudnnSetStream, d.dnn, d.stream), "cudnnSetStream"); err != nil {
			return err
		}
		if err := a.blas(sys(a.cublasCreate, uintptr(unsafe.Pointer(h))), "cublasCreate_v2"); err != nil {
			return err
		}
		d.blas = *h
		if err := a.blas(sys(a.cublasSetStream, d.blas, d.stream), "cublasSetStream_v2"); err != nil {
			return err
		}
		if err := a.cuda(sys(a.cudaMalloc, uintptr(unsafe.Pointer(h)), cublasWorkspaceBytes), "cudaMalloc(cuBLAS workspace)"); err != nil {
			return err
		}
		d.blasWS = *h
		if err := a.blas(sys(a.cublasSetWorkspace, d.blas, d.blasWS, cublasWorkspaceBytes), "cublasSetWorkspace_v2"); err != nil {
			return err
		}
		runtime.KeepAlive(props)
		return nil
	})
	if err != nil {
		d.th.stop()
		return nil, err
	}
	return d, nil
}

// describe is the device part of the fingerprint.
func (d *device) describe(tf32 bool) string {
	math := "fp32 FMA math (TF32 off)"
	if tf32 {
		math = "fp32 with " + runner.TF32Device
	}
	return fmt.Sprintf("%s, CUDA driver %s, runtime %s, cuDNN %s (%s), %s",
		d.name, cudaVersionString(d.driver), cudaVersionString(d.rtVer), cudnnVersionString(d.dnnVer), d.dnnDir, math)
}

// freeMem returns the free device memory in bytes (on the library thread).
func (d *device) freeMem() (int64, error) {
	free, total := new(uint64), new(uint64)
	if err := d.a.cuda(sys(d.a.cudaMemGetInfo, uintptr(unsafe.Pointer(free)), uintptr(unsafe.Pointer(total))), "cudaMemGetInfo"); err != nil {
		return 0, err
	}
	return int64(*free), nil
}
