//go:build linux && (amd64 || arm64)

package cudnn

import (
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"unsafe"

	"github.com/ebitengine/purego"
)

// dwKernelSource is the depthwise 3x3 kernel, compiled at run time.
//
//go:embed dwkernel.cu
var dwKernelSource string

// Driver API values (cuda.h).
const (
	cuDevAttrCCMajor = 75 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
	cuDevAttrCCMinor = 76 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
)

// dwKernels is the embedded depthwise kernel compiled with NVRTC for this
// GPU and loaded into the CUDA runtime's context through the driver API.
// Launches go on the runtime's stream: a cudaStream_t is a CUstream.
type dwKernels struct {
	cuLaunchKernel   uintptr
	cuGetErrorString uintptr
	fn               map[string]uintptr // kernel name -> CUfunction
	target           string             // what was loaded, e.g. "sm_90 cubin, NVRTC 13.0"
}

// driverAPI are the driver entry points (libcuda.so.1) the kernel needs.
type driverAPI struct {
	cuInit, cuDeviceGet, cuDeviceGetAttribute                  uintptr
	cuCtxGetCurrent, cuCtxSetCurrent, cuDevicePrimaryCtxRetain uintptr
	cuModuleLoadData, cuModuleGetFunction, cuLaunchKernel      uintptr
	cuGetErrorString                                           uintptr
}

// nvrtcAPI are the NVRTC entry points (nvrtc.h).
type nvrtcAPI struct {
	version, create, compile, logSize, log, destroy uintptr
	cubinSize, cubin, ptxSize, ptx                  uintptr
	errorString                                     func(int32) string
}

// resolve looks every name up in library handle h.
func resolve(h uintptr, lib string, syms map[string]*uintptr) error {
	var missing []string
	for name, dst := range syms {
		p, err := purego.Dlsym(h, name)
		if err != nil || p == 0 {
			missing = append(missing, name)
			continue
		}
		*dst = p
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("%s lacks %s", lib, strings.Join(missing, ", "))
	}
	return nil
}

// openDriver dlopens the driver API library. A libcuda.so.1 beside the
// CUDA runtime is taken first (a bundled or fake tree), then the soname
// (the system loader returns the instance the runtime itself loaded), then
// one found elsewhere by the library search.
func openDriver(l Libs) (uintptr, error) {
	var tries []string
	if l.Driver != "" && filepath.Dir(l.Driver) == filepath.Dir(l.Cudart) {
		tries = append(tries, l.Driver)
	}
	tries = append(tries, "libcuda.so.1")
	if l.Driver != "" {
		tries = append(tries, l.Driver)
	}
	var errs []error
	for _, p := range tries {
		h, err := purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err == nil {
			return h, nil
		}
		errs = append(errs, err)
	}
	return 0, fmt.Errorf("the CUDA driver library libcuda.so.1 cannot be opened: %w", errors.Join(errs...))
}

// cString reads the NUL-terminated C string at p (nil: "").
func cString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(p, n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(p), n))
}

// cBytes is s as a NUL-terminated C string.
func cBytes(s string) []byte { return append([]byte(s), 0) }

// driverError formats a CUresult.
func driverError(cuGetErrorString uintptr, r uintptr, what string) error {
	if int32(r) == 0 {
		return nil
	}
	var s unsafe.Pointer
	msg := "unknown error"
	if cuGetErrorString != 0 && sys(cuGetErrorString, r, uintptr(unsafe.Pointer(&s))) == 0 && s != nil {
		msg = cString(s)
	}
	return fmt.Errorf("%s: CUDA driver error %d (%s)", what, int32(r), msg)
}

// loadDWKernels compiles the embedded kernel with NVRTC for GPU 0 and
// loads it into the context the CUDA runtime made current on this (the
// library) thread. Any failure is returned and the backend keeps using
// cuDNN for depthwise convolutions.
func loadDWKernels(a *api) (*dwKernels, error) {
	if a.nvrtcLib == 0 {
		if a.nvrtcErr != nil {
			return nil, fmt.Errorf("NVRTC unavailable: %w", a.nvrtcErr)
		}
		return nil, errors.New("NVRTC unavailable")
	}
	h, err := openDriver(a.libs)
	if err != nil {
		return nil, err
	}
	var d driverAPI
	if err := resolve(h, "libcuda.so.1", map[string]*uintptr{
		"cuInit": &d.cuInit, "cuDeviceGet": &d.cuDeviceGet, "cuDeviceGetAttribute": &d.cuDeviceGetAttribute,
		"cuCtxGetCurrent": &d.cuCtxGetCurrent, "cuCtxSetCurrent": &d.cuCtxSetCurrent,
		"cuDevicePrimaryCtxRetain": &d.cuDevicePrimaryCtxRetain, "cuModuleLoadData": &d.cuModuleLoadData,
		"cuModuleGetFunction": &d.cuModuleGetFunction, "cuLaunchKernel": &d.cuLaunchKernel,
		"cuGetErrorString": &d.cuGetErrorString,
	}); err != nil {
		return nil, err
	}
	derr := func(r uintptr, what string) error { return driverError(d.cuGetErrorString, r, what) }
	if err := derr(sys(d.cuInit, 0), "cuInit"); err != nil {
		return nil, err
	}
	dev := new(int32)
	if err := derr(sys(d.cuDeviceGet, uintptr(unsafe.Pointer(dev)), 0), "cuDeviceGet"); err != nil {
		return nil, err
	}
	// The runtime (cudaSetDevice, stream creation) has made GPU 0's primary
	// context current on this thread; make sure of it, so the module lands
	// in the context the runtime's stream belongs to.
	ctx := new(uintptr)
	if err := derr(sys(d.cuCtxGetCurrent, uintptr(unsafe.Pointer(ctx))), "cuCtxGetCurrent"); err != nil {
		return nil, err
	}
	if *ctx == 0 {
		if err := derr(sys(d.cuDevicePrimaryCtxRetain, uintptr(unsafe.Pointer(ctx)), uintptr(*dev)), "cuDevicePrimaryCtxRetain"); err != nil {
			return nil, err
		}
		if err := derr(sys(d.cuCtxSetCurrent, *ctx), "cuCtxSetCurrent"); err != nil {
			return nil, err
		}
	}
	major, minor := new(int32), new(int32)
	if err := derr(sys(d.cuDeviceGetAttribute, uintptr(unsafe.Pointer(major)), cuDevAttrCCMajor, uintptr(*dev)), "cuDeviceGetAttribute(major)"); err != nil {
		return nil, err
	}
	if err := derr(sys(d.cuDeviceGetAttribute, uintptr(unsafe.Pointer(minor)), cuDevAttrCCMinor, uintptr(*dev)), "cuDeviceGetAttribute(minor)"); err != nil {
		return nil, err
	}
	var n nvrtcAPI
	var errStr uintptr
	if err := resolve(a.nvrtcLib, filepath.Base(a.libs.Nvrtc), map[string]*uintptr{
		"nvrtcVersion": &n.version, "nvrtcCreateProgram": &n.create, "nvrtcCompileProgram": &n.compile,
		"nvrtcGetProgramLogSize": &n.logSize, "nvrtcGetProgramLog": &n.log, "nvrtcDestroyProgram": &n.destroy,
		"nvrtcGetCUBINSize": &n.cubinSize, "nvrtcGetCUBIN": &n.cubin, "nvrtcGetPTXSize": &n.ptxSize,
		"nvrtcGetPTX": &n.ptx, "nvrtcGetErrorString": &errStr,
	}); err != nil {
		return nil, err
	}
	purego.RegisterFunc(&n.errorString, errStr)
	vmaj, vmin := new(int32), new(int32)
	if err := n.check(sys(n.version, uintptr(unsafe.Pointer(vmaj)), uintptr(unsafe.Pointer(vmin))), "nvrtcVersion"); err != nil {
		return nil, err
	}
	// SASS for this GPU first (loadable whatever the driver's PTX ISA
	// version); PTX for the same architecture, JIT-compiled by the driver,
	// if this NVRTC cannot emit SASS for it.
	var errs []error
	for _, t := range []struct {
		arch  string
		cubin bool
	}{{fmt.Sprintf("sm_%d%d", *major, *minor), true}, {fmt.Sprintf("compute_%d%d", *major, *minor), false}} {
		image, err := n.build(dwKernelSource, t.arch, t.cubin)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		mod := new(uintptr)
		err = derr(sys(d.cuModuleLoadData, uintptr(unsafe.Pointer(mod)), uintptr(unsafe.Pointer(&image[0]))), "cuModuleLoadData("+t.arch+")")
		runtime.KeepAlive(image)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		k := &dwKernels{cuLaunchKernel: d.cuLaunchKernel, cuGetErrorString: d.cuGetErrorString, fn: map[string]uintptr{}}
		kind := "PTX"
		if t.cubin {
			kind = "cubin"
		}
		k.target = fmt.Sprintf("%s %s, NVRTC %d.%d", t.arch, kind, *vmaj, *vmin)
		for _, name := range []string{"explorer_dw3x3_s1", "explorer_dw3x3_s2"} {
			f := new(uintptr)
			cname := cBytes(name)
			err := derr(sys(d.cuModuleGetFunction, uintptr(unsafe.Pointer(f)), *mod, uintptr(unsafe.Pointer(&cname[0]))), "cuModuleGetFunction("+name+")")
			if err != nil {
				return nil, err
			}
			k.fn[name] = *f
		}
		return k, nil
	}
	return nil, errors.Join(errs...)
}

// check formats an nvrtcResult.
func (n *nvrtcAPI) check(r uintptr, what string) error {
	if int32(r) == 0 {
		return nil
	}
	return fmt.Errorf("%s: NVRTC error %d (%s)", what, int32(r), n.errorString(int32(r)))
}

// build compiles src for arch ("sm_XY": a cubin; "compute_XY": PTX) and
// returns the image, NUL-terminated for PTX.
func (n *nvrtcAPI) build(src, arch string, cubin bool) ([]byte, error) {
	prog := new(uintptr)
	csrc, cname := cBytes(src), cBytes("dwkernel.cu")
	if err := n.check(sys(n.create, uintptr(unsafe.Pointer(prog)), uintptr(unsafe.Pointer(&csrc[0])), uintptr(unsafe.Pointer(&cname[0])), 0, 0, 0), "nvrtcCreateProgram"); err != nil {
		return nil, err
	}
	defer sys(n.destroy, uintptr(unsafe.Pointer(prog)))
	opts := [][]byte{cBytes("--gpu-architecture=" + arch), cBytes("--fmad=true")}
	optPtrs := make([]unsafe.Pointer, len(opts))
	for i, o := range opts {
		optPtrs[i] = unsafe.Pointer(&o[0])
	}
	if err := n.check(sys(n.compile, *prog, uintptr(len(opts)), uintptr(unsafe.Pointer(&optPtrs[0]))), "nvrtcCompileProgram("+arch+")"); err != nil {
		if log := n.programLog(*prog); log != "" {
			err = fmt.Errorf("%w: %s", err, log)
		}
		return nil, err
	}
	runtime.KeepAlive(opts)
	sizeFn, getFn, what := n.cubinSize, n.cubin, "nvrtcGetCUBIN"
	if !cubin {
		sizeFn, getFn, what = n.ptxSize, n.ptx, "nvrtcGetPTX"
	}
	size := new(uintptr)
	if err := n.check(sys(sizeFn, *prog, uintptr(unsafe.Pointer(size))), what+"Size"); err != nil {
		return nil, err
	}
	if *size == 0 {
		return nil, fmt.Errorf("%s: empty image", what)
	}
	image := make([]byte, *size+1) // +1: PTX must stay NUL-terminated
	if err := n.check(sys(getFn, *prog, uintptr(unsafe.Pointer(&image[0]))), what); err != nil {
		return nil, err
	}
	return image, nil
}

// programLog is the compiler log of prog, trimmed to its first lines.
func (n *nvrtcAPI) programLog(prog uintptr) string {
	size := new(uintptr)
	if sys(n.logSize, prog, uintptr(unsafe.Pointer(size))) != 0 || *size <= 1 {
		return ""
	}
	buf := make([]byte, *size)
	if sys(n.log, prog, uintptr(unsafe.Pointer(&buf[0]))) != 0 {
		return ""
	}
	log := strings.TrimSpace(strings.TrimRight(string(buf), "\x00"))
	if lines := strings.Split(log, "\n"); len(lines) > 4 {
		log = strings.Join(lines[:4], "\n") + "\n..."
	}
	return log
}

// dwParams holds the arguments of one kernel launch and the array of
// pointers to them that cuLaunchKernel reads (kernelParams: one pointer per
// parameter, in dwkernel.cu's order). It lives as long as the program.
type dwParams struct {
	X, W, B, Y                                   uintptr
	N, C, H, Wd, OH, OW, XSN, XSC, YSN, YSC, Act int32
	ptrs                                         [15]unsafe.Pointer
}

// newDWParams fills the arguments for data pointers x, w, b (0: no bias),
// y and the geometry a.
func newDWParams(x, w, b, y uintptr, a dwArgs) *dwParams {
	p := &dwParams{X: x, W: w, B: b, Y: y, N: a.N, C: a.C, H: a.H, Wd: a.W, OH: a.OH, OW: a.OW,
		XSN: a.XSN, XSC: a.XSC, YSN: a.YSN, YSC: a.YSC, Act: a.Act}
	p.ptrs = [15]unsafe.Pointer{unsafe.Pointer(&p.X), unsafe.Pointer(&p.W), unsafe.Pointer(&p.B), unsafe.Pointer(&p.Y),
		unsafe.Pointer(&p.N), unsafe.Pointer(&p.C), unsafe.Pointer(&p.H), unsafe.Pointer(&p.Wd), unsafe.Pointer(&p.OH),
		unsafe.Pointer(&p.OW), unsafe.Pointer(&p.XSN), unsafe.Pointer(&p.XSC), unsafe.Pointer(&p.YSN),
		unsafe.Pointer(&p.YSC), unsafe.Pointer(&p.Act)}
	return p
}
