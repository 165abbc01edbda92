//go:build amd64 && !noasm

package kernels

// permuteAVX512 (permute_amd64.s) runs PermuteChannels over pixels pixels whose output
// channels span vecBytes (whole 16-lane vectors; the last one masked by lastMask).
//
//go:noescape
func permuteAVX512(in, out *float32, idx *int32, pixels, inStride, outStride, vecBytes int, lastMask uint32)

func permuteAVX512Run(in []float32, inStride int, out []float32, outStride int, pixels int, idx []int32) {
	c := len(idx)
	nv := (c + dwLanes - 1) / dwLanes
	lastMask := uint32(1)<<(c-(nv-1)*dwLanes) - 1
	permuteAVX512(&in[0], &out[0], &idx[0], pixels, inStride, outStride, nv*64, lastMask)
}
