package kernels

import "fmt"

// PermuteChannels gathers channels: for p in [0,pixels) and j in [0,len(idx)),
// out[p*outStride+j] = in[p*inStride+idx[j]]. It moves a channel shuffle that no consumer
// could absorb (a riffle, where runs of consecutive channels have length 1) with vector
// gathers instead of one scalar load per element. Every idx[j] must be in [0, inStride);
// in and out must not overlap.
func PermuteChannels(in []float32, inStride int, out []float32, outStride int, pixels int, idx []int32) {
	c := len(idx)
	if pixels <= 0 || c == 0 {
		return
	}
	span := 0
	for _, i := range idx {
		if i < 0 || int(i) >= inStride {
			panic(fmt.Sprintf("kernels: PermuteChannels index %d outside the pixel stride %d", i, inStride))
		}
		span = max(span, int(i)+1)
	}
	if outStride < c {
		panic(fmt.Sprintf("kernels: PermuteChannels out stride %d < %d channels", outStride, c))
	}
	checkLen("PermuteChannels in", len(in), viewLen(pixels, inStride, span))
	checkLen("PermuteChannels out", len(out), viewLen(pixels, outStride, c))
	cur().permute(in, inStride, out, outStride, pixels, idx)
}

func permuteGeneric(in []float32, inStride int, out []float32, outStride int, pixels int, idx []int32) {
	c := len(idx)
	for p := 0; p < pixels; p++ {
		src := in[p*inStride:]
		dst := out[p*outStride : p*outStride+c]
		for j, i := range idx[:len(dst)] {
			dst[j] = src[i]
		}
	}
}
