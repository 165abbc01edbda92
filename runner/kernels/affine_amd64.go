//go:build amd64 && !noasm

package kernels

// affineAVX512 (affine_amd64.s) runs ChannelAffine over pixels pixels whose channels span
// vecBytes (whole 16-lane vectors; the last one masked by lastMask). scale and shift are
// read only when affine != 0.
//
//go:noescape
func affineAVX512(in, out, scale, shift *float32, pixels, inStride, outStride, vecBytes int, lo, hi float32, lastMask uint32, affine int)

func affineAVX512Run(in []float32, inStride int, out []float32, outStride int, pixels, c int, scale, shift []float32, act Act) {
	nv := (c + dwLanes - 1) / dwLanes
	lastMask := uint32(1)<<(c-(nv-1)*dwLanes) - 1
	var sp, hp *float32
	affine := 0
	if scale != nil {
		sp, hp, affine = &scale[0], &shift[0], 1
	}
	affineAVX512(&in[0], &out[0], sp, hp, pixels, inStride, outStride, nv*64, act.Lo, act.Hi, lastMask, affine)
}
