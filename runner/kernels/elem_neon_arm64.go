//go:build arm64 && !noasm

package kernels

// NEON per-pixel kernels (elem_neon_arm64.s). Strides are in bytes; channels [0, c) run as
// c/4 vectors and c%4 single channels.

// affineNEON runs ChannelAffine; scale and shift are read only when affine != 0.
//
//go:noescape
func affineNEON(in, out, scale, shift *float32, pixels, inStride, outStride, nvec, ntail int, lo, hi float32, affine int)

//go:noescape
func addClampNEON(out, add *float32, pixels, outStride, addStride, nvec, ntail int, lo, hi float32)

// interleave3NEON packs n pixels (a multiple of 4) of the planes a, b, c into dst.
//
//go:noescape
func interleave3NEON(dst, a, b, c *float32, n int)

//go:noescape
func permuteNEON(in, out *float32, idx *int32, c, pixels, inStride, outStride int)

// neonPixelBlock bounds one per-pixel asm call to about 64k elements (tens of
// microseconds) so that no call delays preemption for long.
const neonPixelBlock = 1 << 16

// pixelChunk is the number of pixels of c channels one call may take.
func pixelChunk(c int) int { return max(1, neonPixelBlock/c) }

func affineNEONRun(in []float32, inStride int, out []float32, outStride int, pixels, c int, scale, shift []float32, act Act) {
	var sp, hp *float32
	affine := 0
	if scale != nil {
		sp, hp, affine = &scale[0], &shift[0], 1
	}
	for p, n := 0, pixelChunk(c); p < pixels; p += n {
		n = min(n, pixels-p)
		affineNEON(&in[p*inStride], &out[p*outStride], sp, hp, n, inStride*4, outStride*4, c/4, c%4, act.Lo, act.Hi, affine)
	}
}

func addClampNEONRun(out []float32, outStride int, add []float32, addStride int, pixels, c int, act Act) {
	for p, n := 0, pixelChunk(c); p < pixels; p += n {
		n = min(n, pixels-p)
		addClampNEON(&out[p*outStride], &add[p*addStride], n, outStride*4, addStride*4, c/4, c%4, act.Lo, act.Hi)
	}
}

func interleave3NEONRun(dst, a, b, c []float32) {
	n := len(a)
	i := 0
	for i+4 <= n {
		k := min(n-i, neonPixelBlock) &^ 3
		interleave3NEON(&dst[3*i], &a[i], &b[i], &c[i], k)
		i += k
	}
	interleave3Generic(dst[3*i:], a[i:], b[i:], c[i:])
}

func permuteNEONRun(in []float32, inStride int, out []float32, outStride int, pixels int, perm *Permutation) {
	c := len(perm.idx)
	for p, n := 0, pixelChunk(c); p < pixels; p += n {
		n = min(n, pixels-p)
		permuteNEON(&in[p*inStride], &out[p*outStride], &perm.idx[0], c, n, inStride*4, outStride*4)
	}
}
