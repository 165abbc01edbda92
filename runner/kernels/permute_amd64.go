//go:build amd64 && !noasm

package kernels

// permuteAVX512 (permute_amd64.s) runs PermuteChannels over pixels pixels with the permute
// plan ops (nops ops of permOpWords int32, see Permutation).
//
//go:noescape
func permuteAVX512(in, out *float32, ops *int32, nops, pixels, inStride, outStride int)

func permuteAVX512Run(in []float32, inStride int, out []float32, outStride int, pixels int, perm *Permutation) {
	permuteAVX512(&in[0], &out[0], &perm.ops[0], len(perm.ops)/permOpWords, pixels, inStride, outStride)
}
