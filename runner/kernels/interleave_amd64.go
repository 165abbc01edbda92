//go:build amd64 && !noasm

package kernels

// interleave3AVX512 (interleave_amd64.s) packs n/16*16 pixels (n rounded down to whole
// vectors of 16) of the planes a, b, c into dst.
//
//go:noescape
func interleave3AVX512(dst, a, b, c *float32, n int)

// interleave3Block bounds one asm call (~16k pixels, a few microseconds).
const interleave3Block = 1 << 14

func interleave3AVX512Run(dst, a, b, c []float32) {
	n := len(a)
	i := 0
	for i+16 <= n {
		k := min(n-i, interleave3Block) &^ 15
		interleave3AVX512(&dst[3*i], &a[i], &b[i], &c[i], k)
		i += k
	}
	interleave3Generic(dst[3*i:], a[i:], b[i:], c[i:])
}
