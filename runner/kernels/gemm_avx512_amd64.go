//go:build amd64 && !noasm

package kernels

import "math/bits"

// AVX-512 GEMM microkernels (gemm_avx512_amd64.s): rows [0,mr) of A (pixel stride lda)
// times one packed 32-wide B panel b, K steps; row i's 32 results are clamped to [lo,hi] and
// stored to c[i*ldc+j] for the columns j whose bit is set in mask.

// gemm14x32 computes ntiles >= 1 consecutive 14-row tiles.
//
//go:noescape
func gemm14x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)

// gemm14x8, gemm14x16 and gemm14x24 are gemm14x32 for 8, 16 or 24 columns of a panel: b and
// c point at the first of them (b advanced by a multiple of 8 floats, rows still 32 floats
// apart) and mask holds their column bits from bit 0.
//
//go:noescape
func gemm14x8(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)

//go:noescape
func gemm14x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)

//go:noescape
func gemm14x24(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)

// gemm7x32p computes ntiles >= 1 consecutive 7-row tiles for k >= 8, storing each tile's
// results during the first k steps of the next (see the asm).
//
//go:noescape
func gemm7x32p(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)

//go:noescape
func gemm7x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)

//go:noescape
func gemm4x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)

//go:noescape
func gemm2x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)

//go:noescape
func gemm1x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)

// gemmPipeMinK is the smallest K for which gemmAVX512Pipelined runs full 32-wide panels
// through the pipelined 7-row kernel gemm7x32p (it hides the previous tile's stores in its
// first 7 k steps); smaller K use the 14-row tiles. On Zen 4 it measured 1.07-1.09x on the
// K = 24 shapes and 1.04x on 784x58x58, neutral on the larger K (docs/kernels.md, K = 24
// investigation); on Ice Lake the 14-row tiles are faster (docs/kernels.md, "Intel").
const gemmPipeMinK = 8

// gemmAVX512 is the AVX-512 GEMM with 14-row tiles everywhere (the avx512 set's GEMM on
// every CPU but AMD's).
func gemmAVX512(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	gemmAVX512Tiles(m, a, lda, b, n0, n1, c, ldc, act, false)
}

// gemmAVX512Pipelined is the AVX-512 GEMM with full panels of K >= gemmPipeMinK in
// pipelined 7-row tiles (the avx512 set's GEMM on AMD CPUs).
func gemmAVX512Pipelined(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	gemmAVX512Tiles(m, a, lda, b, n0, n1, c, ldc, act, true)
}

// gemmAVX512Tiles walks the 32-wide panels of [n0,n1) (outer, so a panel stays in L1/L2)
// and the rows in tiles of 14 (or, with pipelined, full-width panels with K >=
// gemmPipeMinK in pipelined 7-row tiles), with 7/4/2/1-row tail tiles. Lengths were
// checked by Gemm.
func gemmAVX512Tiles(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act, pipelined bool) {
	K := b.K
	ps := (K + 1) * gemmNR
	lo, hi := act.Lo, act.Hi
	for p := n0 / gemmNR; p*gemmNR < n1; p++ {
		mask := panelMask(p, n0, n1)
		bp := &b.data[p*ps]
		col := p * gemmNR
		// Full tiles, at most maxTiles (~1 MFLOP, ~10 us) per call so that no asm call
		// delays preemption for long.
		maxTiles := max(1, 1200/K)
		i := 0
		// Full tiles cover only the 8-column quarters the mask touches (a narrow
		// last panel, or a group of a grouped conv with few outputs, costs the
		// FMAs of its width rounded up to 8 instead of 32).
		q0 := bits.TrailingZeros32(mask) &^ 7
		w := (32 - bits.LeadingZeros32(mask) - q0 + 7) &^ 7
		qb, qc, qmask := &b.data[p*ps+q0], col+q0, mask>>q0
		if pipelined && w == 32 && K >= gemmPipeMinK {
			for i+7 <= m {
				n := min((m-i)/7, 2*maxTiles)
				gemm7x32p(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi, mask, n)
				i += 7 * n
			}
		}
		for i+14 <= m {
			n := min((m-i)/14, maxTiles)
			switch w {
			case 8:
				gemm14x8(&a[i*lda], lda, qb, K, &c[i*ldc+qc], ldc, lo, hi, qmask, n)
			case 16:
				gemm14x16(&a[i*lda], lda, qb, K, &c[i*ldc+qc], ldc, lo, hi, qmask, n)
			case 24:
				gemm14x24(&a[i*lda], lda, qb, K, &c[i*ldc+qc], ldc, lo, hi, qmask, n)
			default:
				gemm14x32(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi, mask, n)
			}
			i += 14 * n
		}
		if m-i >= 7 {
			gemm7x32(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi, mask)
			i += 7
		}
		if m-i >= 4 {
			gemm4x32(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi, mask)
			i += 4
		}
		if m-i >= 2 {
			gemm2x32(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi, mask)
			i += 2
		}
		if m-i >= 1 {
			gemm1x32(&a[i*lda], lda, bp, K, &c[i*ldc+col], ldc, lo, hi, mask)
		}
	}
}
