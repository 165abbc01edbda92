//go:build arm64 && !noasm

package kernels

import "math/bits"

// NEON GEMM microkernels (gemm_neon_arm64.s): a tile of mr rows of A (pixel stride lda)
// times 4*W consecutive columns of a packed B panel; b and c point at the tile's first
// column. mask holds the tile's column bits (bit j: column j). rows < mr only for a single
// tail tile (ntiles == 1).

//go:noescape
func gemm6x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, rows, ntiles int)

//go:noescape
func gemm6x12(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, rows, ntiles int)

//go:noescape
func gemm8x8(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, rows, ntiles int)

//go:noescape
func gemm8x4(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, rows, ntiles int)

// gemm1x16 is one row times 16 columns (the matrix-vector product of an FC layer at batch 1,
// and one-row tails).
//
//go:noescape
func gemm1x16(a *float32, b *float32, k int, c *float32, lo, hi float32, mask uint32)

// neonTile is a GEMM microkernel of mr rows and 4*vecs columns.
type neonTile struct {
	mr   int
	kern func(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, rows, ntiles int)
}

// neonTiles[w-1] computes w 4-column vectors: 6x16 and 6x12 keep 24 and 18 FMLA chains in
// flight, the narrow 8x8 and 8x4 (two accumulator sets) 16, enough to hide a 4-cycle FMA
// latency at 4 FMAs per cycle (docs/neon.md).
var neonTiles = [4]neonTile{{8, gemm8x4}, {8, gemm8x8}, {6, gemm6x12}, {6, gemm6x16}}

// gemmNEONTileFlops bounds the work of one asm call (~1 MFLOP) so that no call delays
// preemption for long.
const gemmNEONTileFlops = 1 << 20

// gemmNEON walks the 32-wide panels of [n0,n1) and their two 16-column halves (outer, so
// the half-panel of B stays in L1) and the rows in tiles (inner). A half covers the 4-column
// vectors its requested columns touch with the tile of that width; partial vectors at the
// ends of [n0,n1) are stored lane by lane. K < 4 (no 1x1 conv or FC layer of the networks)
// runs the generic kernel. Lengths were checked by Gemm.
func gemmNEON(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	K := b.K
	if K < 4 {
		// The kernels load the last k%4 values of a row as one vector ending at the row's
		// end, which needs 4 values in the row.
		gemmGeneric(m, a, lda, b, n0, n1, c, ldc, act)
		return
	}
	ps := (K + 1) * gemmNR
	lo, hi := act.Lo, act.Hi
	for p := n0 / gemmNR; p*gemmNR < n1; p++ {
		pmask := panelMask(p, n0, n1)
		for h := 0; h < 2; h++ {
			hmask := pmask >> (16 * h) & 0xFFFF
			if hmask == 0 {
				continue
			}
			col := p*gemmNR + 16*h
			if m == 1 {
				gemm1x16(&a[0], &b.data[p*ps+16*h], K, &c[col], lo, hi, hmask)
				continue
			}
			v0 := bits.TrailingZeros32(hmask) / 4
			w := (32-bits.LeadingZeros32(hmask)+3)/4 - v0
			t := neonTiles[w-1]
			tmask := hmask >> (4 * v0)
			qb, qc := p*ps+16*h+4*v0, col+4*v0
			maxTiles := max(1, gemmNEONTileFlops/(2*t.mr*4*w*K))
			i := 0
			for i+t.mr <= m {
				n := min((m-i)/t.mr, maxTiles)
				t.kern(&a[i*lda], lda, &b.data[qb], K, &c[i*ldc+qc], ldc, lo, hi, tmask, t.mr, n)
				i += n * t.mr
			}
			switch r := m - i; {
			case r == 1:
				gemm1x16(&a[i*lda], &b.data[p*ps+16*h], K, &c[i*ldc+col], lo, hi, hmask)
			case r > 1:
				t.kern(&a[i*lda], lda, &b.data[qb], K, &c[i*ldc+qc], ldc, lo, hi, tmask, r, 1)
			}
		}
	}
}
