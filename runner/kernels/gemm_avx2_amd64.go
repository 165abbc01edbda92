//go:build amd64 && !noasm

package kernels

// AVX2/FMA GEMM microkernels (gemm_avx2_amd64.s): rows [0,mr) of A times 16 columns of a
// packed panel (b points at the bias of the 16-column half; rows are 32 floats apart); all
// 16 columns of each row are clamped and stored.

//go:noescape
func gemm6x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32)

//go:noescape
func gemm3x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32)

//go:noescape
func gemm1x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32)

// gemmAVX2 walks [n0,n1) in 16-column halves of the 32-wide panels and the rows in tiles of
// 6 with 3- and 1-row tails. Partial halves (N tail, unaligned n0) are computed into a
// scratch tile and copied, since AVX2 masked stores are slow on AMD cores.
func gemmAVX2(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	K := b.K
	ps := (K + 1) * gemmNR
	lo, hi := act.Lo, act.Hi
	var tmp [6 * 16]float32
	for h := n0 / 16; h*16 < n1; h++ {
		jlo, jhi := max(n0-h*16, 0), min(n1-h*16, 16)
		bp := &b.data[(h/2)*ps+(h%2)*16]
		col := h * 16
		if jlo == 0 && jhi == 16 {
			i := 0
			for ; i+6 <= m; i += 6 {
				gemm6x16(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi)
			}
			if m-i >= 3 {
				gemm3x16(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi)
				i += 3
			}
			for ; i < m; i++ {
				gemm1x16(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi)
			}
			continue
		}
		for i := 0; i < m; {
			rows := 1
			switch {
			case m-i >= 6:
				rows = 6
				gemm6x16(&a[i*lda], lda, bp, K, &tmp[0], 16, lo, hi)
			case m-i >= 3:
				rows = 3
				gemm3x16(&a[i*lda], lda, bp, K, &tmp[0], 16, lo, hi)
			default:
				gemm1x16(&a[i*lda], lda, bp, K, &tmp[0], 16, lo, hi)
			}
			for r := 0; r < rows; r++ {
				copy(c[(i+r)*ldc+col+jlo:(i+r)*ldc+col+jhi], tmp[r*16+jlo:r*16+jhi])
			}
			i += rows
		}
	}
}
