package kernels

import "fmt"

// ChannelAffine computes, for p in [0,pixels) and j in [0,c),
// out[p*outStride+j] = act(in[p*inStride+j]*scale[j] + shift[j]): a batch norm (or any
// per-channel affine map) plus clamp as its own pass, as eager execution runs it. scale and
// shift may both be nil (identity, i.e. a bare activation). in and out may be the same view
// (in place) but must not otherwise overlap.
func (ks *Set) ChannelAffine(in []float32, inStride int, out []float32, outStride int, pixels, c int, scale, shift []float32, act Act) {
	if pixels <= 0 || c <= 0 {
		return
	}
	if inStride < c || outStride < c || (scale == nil) != (shift == nil) {
		panic(fmt.Sprintf("kernels: ChannelAffine bad args c=%d strides %d/%d scale %v shift %v", c, inStride, outStride, scale != nil, shift != nil))
	}
	checkLen("ChannelAffine in", len(in), viewLen(pixels, inStride, c))
	checkLen("ChannelAffine out", len(out), viewLen(pixels, outStride, c))
	if scale != nil {
		checkLen("ChannelAffine scale", len(scale), c)
		checkLen("ChannelAffine shift", len(shift), c)
	}
	ks.affine(in, inStride, out, outStride, pixels, c, scale, shift, act)
}

// affineGeneric is the pure-Go ChannelAffine. The clamp is chosen once per call: without one
// an identity map is a copy (the runner's strided channel copies are identity affines) and
// an affine map skips it, because Go's float min and max each cost about ten instructions
// (for their NaN and signed-zero rules).
func affineGeneric(in []float32, inStride int, out []float32, outStride int, pixels, c int, scale, shift []float32, act Act) {
	lo, hi := act.Lo, act.Hi
	none, lowerOnly := act.none(), act.lowerOnly()
	for p := 0; p < pixels; p++ {
		src := in[p*inStride : p*inStride+c]
		dst := out[p*outStride : p*outStride+c]
		if scale == nil {
			switch {
			case none:
				copy(dst, src)
			case lowerOnly:
				for j, v := range src {
					dst[j] = max(v, lo)
				}
			default:
				for j, v := range src {
					dst[j] = min(max(v, lo), hi)
				}
			}
			continue
		}
		sc, sh := scale[:c], shift[:c]
		switch {
		case none:
			for j, v := range src {
				dst[j] = v*sc[j] + sh[j]
			}
		case lowerOnly:
			for j, v := range src {
				dst[j] = max(v*sc[j]+sh[j], lo)
			}
		default:
			for j, v := range src {
				dst[j] = min(max(v*sc[j]+sh[j], lo), hi)
			}
		}
	}
}
