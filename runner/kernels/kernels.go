// Package kernels is the float32 compute-kernel library of the native CPU backend.
//
// All spatial tensors are NHWC views of one image: element (y, x, ch) of a view lives at
// index (y*W+x)*stride + ch, where the "pixel stride" is the element distance between
// consecutive pixels. A view may therefore be a channel slice of a wider buffer (split and
// concat are channel offsets). Weights are packed once (PackGemmB, PackDW, PackConv) into
// vector-friendly panels with the bias first; the kernels then apply bias and an Act clamp in
// their epilogue.
//
// Three kernel sets exist: "avx512" and "avx2" (Go assembly, amd64 only, not built with the
// noasm tag) and "generic" (pure Go, everywhere). The best set the CPU supports is chosen once
// at start-up; SetVariant switches it for tests and benchmarks. Every entry point checks the
// lengths of its slices before any assembly touches memory, and panics (like an index out of
// range) when a buffer is too short.
package kernels

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Act is the epilogue clamp applied to every output: out = min(max(v, Lo), Hi).
type Act struct{ Lo, Hi float32 }

// None is the identity activation (clamp to [-Inf, +Inf]).
func None() Act { return Act{Lo: float32(math.Inf(-1)), Hi: float32(math.Inf(1))} }

// ReLU clamps to [0, +Inf].
func ReLU() Act { return Act{Lo: 0, Hi: float32(math.Inf(1))} }

// ReLU6 clamps to [0, 6].
func ReLU6() Act { return Act{Lo: 0, Hi: 6} }

func (a Act) apply(v float32) float32 {
	if v < a.Lo {
		v = a.Lo
	}
	if v > a.Hi {
		v = a.Hi
	}
	return v
}

// Geom is the geometry of one image for the spatial kernels. InStride and OutStride are
// pixel strides (elements between consecutive pixels); Stride and Pad apply to both axes.
type Geom struct{ InH, InW, InStride, OutH, OutW, OutStride, Stride, Pad int }

// kernelSet is one implementation of every kernel. The exported functions validate their
// arguments and then call the active set.
type kernelSet struct {
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

// genericSet is the pure-Go kernel set, available everywhere.
var genericSet = kernelSet{
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

// active is the dispatch table: set once at init to the best supported set, replaced only by
// SetVariant (tests and benchmarks).
var active atomic.Pointer[kernelSet]

func init() { active.Store(bestSet()) }

func cur() *kernelSet { return active.Load() }

// Variant reports the kernel set in use: "avx512", "avx2" or "generic".
func Variant() string { return cur().name }

// Variants lists the kernel sets this build and CPU support, best first.
func Variants() []string {
	var names []string
	for _, s := range supportedSets() {
		names = append(names, s.name)
	}
	return names
}

// SetVariant selects a kernel set by name: "auto" (the best supported), "avx512", "avx2" or
// "generic". It returns an error when the CPU or the build lacks the set. It is meant for
// tests and benchmarks; do not call it while kernels run on other goroutines.
func SetVariant(name string) error {
	if name == "auto" {
		active.Store(bestSet())
		return nil
	}
	for _, s := range supportedSets() {
		if s.name == name {
			active.Store(s)
			return nil
		}
	}
	switch name {
	case "avx512", "avx2", "generic":
		return fmt.Errorf("kernels: variant %q is not supported by this CPU or build", name)
	}
	return fmt.Errorf("kernels: unknown variant %q (want auto, avx512, avx2 or generic)", name)
}

func bestSet() *kernelSet { return supportedSets()[0] }

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
