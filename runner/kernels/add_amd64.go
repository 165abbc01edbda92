//go:build amd64 && !noasm

package kernels

// addClampAVX512 (add_amd64.s) runs AddClamp over pixels pixels whose channels span
// vecBytes (whole 16-lane vectors; the last one masked by lastMask).
//
//go:noescape
func addClampAVX512(out, add *float32, pixels, outStride, addStride, vecBytes int, lo, hi float32, lastMask uint32)

func addClampAVX512Run(out []float32, outStride int, add []float32, addStride int, pixels, c int, act Act) {
	nv := (c + dwLanes - 1) / dwLanes
	lastMask := uint32(1)<<(c-(nv-1)*dwLanes) - 1
	addClampAVX512(&out[0], &add[0], pixels, outStride, addStride, nv*64, act.Lo, act.Hi, lastMask)
}
