// Package kernels is the float32 compute-kernel library of the native CPU backend.
//
// All spatial tensors are NHWC views of one image: element (y, x, ch) of a view lives at
// index (y*W+x)*stride + ch, where the "pixel stride" is the element distance between
// consecutive pixels. A view may therefore be a channel slice of a wider buffer (split and
// concat are channel offsets). Weights are packed once (PackGemmB, PackDW, PackConv) into
// vector-friendly panels with the bias first; the kernels then apply bias and an Act clamp in
// their epilogue.
//
// The kernels are methods of a Set: "avx512" and "avx2" (Go assembly, amd64), "neon" (Go
// assembly, arm64), none of them built with the noasm tag, and "generic" (pure Go,
// everywhere, the reference the others are tested against). There is no process-wide
// choice: a caller looks a set up once (Lookup: "auto" picks the best the CPU supports, from
// cpuid on amd64 and by platform on arm64) and keeps it. Every entry point checks the lengths
// of its slices before any assembly touches memory, and panics (like an index out of range)
// when a buffer is too short.
package kernels

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
)

// Act is the epilogue clamp applied to every output: out = min(max(v, Lo), Hi).
type Act struct{ Lo, Hi float32 }

// None is the identity activation (clamp to [-Inf, +Inf]).
func None() Act { return Act{Lo: float32(math.Inf(-1)), Hi: float32(math.Inf(1))} }

// ReLU clamps to [0, +Inf].
func ReLU() Act { return Act{Lo: 0, Hi: float32(math.Inf(1))} }

// ReLU6 clamps to [0, 6].
func ReLU6() Act { return Act{Lo: 0, Hi: 6} }

// apply clamps v to [Lo, Hi] without branches: after a ReLU-clamped conv the sign of v is
// data-dependent, and a branch per output would mispredict about half the time.
func (a Act) apply(v float32) float32 { return min(max(v, a.Lo), a.Hi) }

// none reports whether a is the identity (None), so a kernel may store without clamping.
func (a Act) none() bool { return a.Lo < -math.MaxFloat32 && a.Hi > math.MaxFloat32 }

// lowerOnly reports whether a clamps from below only (Hi is +Inf, as in ReLU), so a
// kernel may skip the upper clamp.
func (a Act) lowerOnly() bool { return a.Hi > math.MaxFloat32 }

// Geom is the geometry of one image for the spatial kernels. InStride and OutStride are
// pixel strides (elements between consecutive pixels); Stride and Pad apply to both axes.
type Geom struct{ InH, InW, InStride, OutH, OutW, OutStride, Stride, Pad int }

// Set is one implementation of every kernel: "avx512" or "avx2" (Go assembly, amd64),
// "neon" (Go assembly, arm64) or "generic" (pure Go, everywhere). A compiled program looks
// its set up once (Lookup) and calls every kernel through it, so two programs in one process
// may run different sets. Sets are immutable and safe for concurrent use. The exported
// methods validate their arguments and then call the set's implementation.
type Set struct {
	name        string
	gemm        func(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act)
	dwconv      func(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act)
	conv        func(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act)
	maxpool     func(in, out []float32, g Geom, k, c, oy0, oy1 int)
	avgpool     func(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool)
	globalAvg   func(in []float32, pixels, stride, c int, out []float32)
	affine      func(in []float32, inStride int, out []float32, outStride int, pixels, c int, scale, shift []float32, act Act)
	interleave3 func(dst, a, b, c []float32)
	addClamp    func(out []float32, outStride int, add []float32, addStride int, pixels, c int, act Act)
	permute     func(in []float32, inStride int, out []float32, outStride int, pixels int, perm *Permutation)
}

// Name is the set's name: "avx512", "avx2", "neon" or "generic".
func (ks *Set) Name() string { return ks.name }

// String is Name.
func (ks *Set) String() string { return ks.name }

// genericSet is the pure-Go kernel set, available everywhere.
var genericSet = Set{
	name:        "generic",
	gemm:        gemmGeneric,
	dwconv:      dwGeneric,
	conv:        convGeneric,
	maxpool:     maxPoolGeneric,
	avgpool:     avgPoolGeneric,
	globalAvg:   globalAvgGeneric,
	affine:      affineGeneric,
	interleave3: interleave3Generic,
	addClamp:    addClampGeneric,
	permute:     permuteGeneric,
}

// setArch is the GOARCH an assembly set needs ("" for the pure-Go set).
func setArch(name string) string {
	switch name {
	case "avx512", "avx2":
		return "amd64"
	case "neon":
		return "arm64"
	}
	return ""
}

// Names lists every kernel set of the project, whether or not this CPU and build support it:
// the valid values of a kernel-set option besides "auto".
func Names() []string { return []string{"avx512", "avx2", "neon", "generic"} }

// Supported lists the kernel sets this CPU and build support, best first; the first is what
// "auto" selects.
func Supported() []string {
	var names []string
	for _, s := range supportedSets() {
		names = append(names, s.name)
	}
	return names
}

// Best is the best kernel set this CPU and build support (what "auto" selects).
func Best() *Set { return supportedSets()[0] }

// Generic is the pure-Go set, the reference every assembly set is checked against.
func Generic() *Set { return &genericSet }

// LookupError says why Lookup refused a name.
type LookupError struct {
	Name   string // the name asked for
	Reason string // e.g. "unknown kernel set" or "neon needs arm64"
}

// Error names the set asked for, the reason and the valid names.
func (e *LookupError) Error() string {
	return fmt.Sprintf("kernel set %q: %s (valid: auto|%s)", e.Name, e.Reason, strings.Join(Names(), "|"))
}

// Lookup returns the kernel set called name: "auto" or "" (the best supported, Best), or one
// of Names. A known set this CPU or build cannot run is refused with a *LookupError whose
// Reason says why (e.g. "neon needs arm64", "this CPU lacks AVX512F/AVX512VL").
func Lookup(name string) (*Set, error) {
	if name == "" || name == "auto" {
		return Best(), nil
	}
	for _, s := range supportedSets() {
		if s.name == name {
			return s, nil
		}
	}
	if !slices.Contains(Names(), name) {
		return nil, &LookupError{Name: name, Reason: "unknown kernel set"}
	}
	if a := setArch(name); a != "" && a != runtime.GOARCH {
		return nil, &LookupError{Name: name, Reason: fmt.Sprintf("%s needs %s (this is %s)", name, a, runtime.GOARCH)}
	}
	return nil, &LookupError{Name: name, Reason: unsupportedReason(name)}
}

// checkLen panics when a buffer is shorter than an access pattern needs.
func checkLen(what string, have, need int) {
	if have < need {
		panic(fmt.Sprintf("kernels: %s has %d elements, need %d", what, have, need))
	}
}

// checkLen2 is checkLen for a buffer named by an operation and an argument name (no string
// concatenation on the hot path).
func checkLen2(op, arg string, have, need int) {
	if have < need {
		panic(fmt.Sprintf("kernels: %s %s has %d elements, need %d", op, arg, have, need))
	}
}

// viewLen is the number of elements a view of pixels pixels with pixel stride stride and
// channels [0, c1) spans.
func viewLen(pixels, stride, c1 int) int {
	if pixels <= 0 || c1 <= 0 {
		return 0
	}
	return (pixels-1)*stride + c1
}
