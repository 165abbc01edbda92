//go:build amd64 && !noasm

package kernels

// convAVX512 (conv_avx512_amd64.s) is the AVX-512 convBlockKernel for any block.
//
//go:noescape
func convAVX512(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)

// convAVX512Y is convAVX512 for a block with at most 24 live output channels (mask bits
// 24..31 clear): channels 16..23 use ymm registers (needs AVX512VL).
//
//go:noescape
func convAVX512Y(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)
