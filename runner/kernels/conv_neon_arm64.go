//go:build arm64 && !noasm

package kernels

// convNEON6 and convNEON8 (conv_neon_arm64.s) are the NEON convBlockKernels: convNEON6
// computes channels 0..23 only (mask bits 24..31 clear: ShuffleNet's 24-channel stem) in
// groups of 4 pixels, convNEON8 all 32 in groups of 3.
//
//go:noescape
func convNEON6(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)

//go:noescape
func convNEON8(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)
