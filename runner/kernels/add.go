package kernels

import "fmt"

// AddClamp computes, for p in [0,pixels) and j in [0,c),
// out[p*outStride+j] = act(out[p*outStride+j] + add[p*addStride+j]): a residual add plus
// clamp applied in place to a freshly computed output (a layer's epilogue when its kernel
// cannot add by itself). Several addends are summed left to right by calling it once per
// addend with None() for all but the last, which rounds exactly as one sum would. add must
// not overlap out.
func (ks *Set) AddClamp(out []float32, outStride int, add []float32, addStride int, pixels, c int, act Act) {
	if pixels <= 0 || c <= 0 {
		return
	}
	if outStride < c || addStride < c {
		panic(fmt.Sprintf("kernels: AddClamp bad args c=%d strides %d/%d", c, outStride, addStride))
	}
	checkLen("AddClamp out", len(out), viewLen(pixels, outStride, c))
	checkLen("AddClamp add", len(add), viewLen(pixels, addStride, c))
	ks.addClamp(out, outStride, add, addStride, pixels, c, act)
}

func addClampGeneric(out []float32, outStride int, add []float32, addStride int, pixels, c int, act Act) {
	lo, hi := act.Lo, act.Hi
	for p := 0; p < pixels; p++ {
		dst := out[p*outStride : p*outStride+c]
		src := add[p*addStride : p*addStride+c]
		src = src[:len(dst)]
		for j, v := range dst {
			dst[j] = min(max(v+src[j], lo), hi)
		}
	}
}
