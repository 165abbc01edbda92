package kernels

import (
	"fmt"
	"unsafe"
)

// gemmNR is the panel width of PackedGemmB: 32 output channels (two zmm registers).
const gemmNR = 32

// PackedGemmB holds GEMM weights for 1x1 convs and fully connected layers, packed into
// panels of NR() output channels. Panel p is laid out as [bias(NR), k0(NR), k1(NR), ...],
// zero-padded past N.
type PackedGemmB struct {
	K, N int
	data []float32 // ceil(N/NR) panels of (K+1)*NR floats
}

// PackGemmB packs w (row-major [n][k]: a PyTorch Conv2d 1x1 OIHW or Linear weight) and bias
// (length n, or nil for zeros).
func PackGemmB(w []float32, n, k int, bias []float32) *PackedGemmB {
	if n <= 0 || k <= 0 {
		panic(fmt.Sprintf("kernels: PackGemmB n=%d k=%d", n, k))
	}
	checkLen("PackGemmB w", len(w), n*k)
	if bias != nil {
		checkLen("PackGemmB bias", len(bias), n)
	}
	np := (n + gemmNR - 1) / gemmNR
	ps := (k + 1) * gemmNR
	data := make([]float32, np*ps+gemmNR) // one spare row: kernels may prefetch past the end
	for j := 0; j < n; j++ {
		p, l := j/gemmNR, j%gemmNR
		panel := data[p*ps : (p+1)*ps]
		if bias != nil {
			panel[l] = bias[j]
		}
		for kk := 0; kk < k; kk++ {
			panel[(kk+1)*gemmNR+l] = w[j*k+kk]
		}
	}
	return &PackedGemmB{K: k, N: n, data: data}
}

// NR is the panel width; callers that split [0, N) between threads should split at
// multiples of NR (any split is correct, aligned splits are faster).
func (b *PackedGemmB) NR() int { return gemmNR }

// panel returns packed panel p.
func (b *PackedGemmB) panel(p int) []float32 {
	ps := (b.K + 1) * gemmNR
	return b.data[p*ps : (p+1)*ps]
}

// panelMask returns the column mask of panel p for the columns [n0,n1).
func panelMask(p, n0, n1 int) uint32 {
	jlo := max(n0-p*gemmNR, 0)
	jhi := min(n1-p*gemmNR, gemmNR)
	return uint32((uint64(1)<<jhi - 1) &^ (uint64(1)<<jlo - 1))
}

// Gemm computes, for i in [0,m) and j in [n0,n1),
// c[i*ldc+j] = act(bias[j] + sum_{p<K} a[i*lda+p]*W[j][p]). It writes nothing else.
func (ks *Set) Gemm(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	if m <= 0 || n0 >= n1 {
		return
	}
	if n0 < 0 || n1 > b.N || lda < b.K || ldc < n1 {
		panic(fmt.Sprintf("kernels: Gemm bad args m=%d lda=%d K=%d N=%d n0=%d n1=%d ldc=%d", m, lda, b.K, b.N, n0, n1, ldc))
	}
	checkLen("Gemm a", len(a), (m-1)*lda+b.K)
	checkLen("Gemm c", len(c), (m-1)*ldc+n1)
	ks.gemm(m, a, lda, b, n0, n1, c, ldc, act)
}

// gemmGeneric is the pure-Go GEMM, register-blocked for scalar code: each panel's columns
// in [n0,n1) are one call of gemmPanelCols over all rows of A, which picks the tiles for the
// target. The column tiles are the outer loop: a tile's weights stay in L1 while the rows of
// A stream past them.
func gemmGeneric(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	for p := n0 / gemmNR; p*gemmNR < n1; p++ {
		jlo := max(n0-p*gemmNR, 0)
		jhi := min(n1-p*gemmNR, gemmNR)
		gemmPanelCols(m, b.K, a, lda, b.panel(p), jlo, jhi, c[p*gemmNR:], ldc, act)
	}
}

// gemmPanelCols computes rows [0,m) of A (K elements each, row i at a[i*lda:]) times the
// panel's columns [jlo,jhi) plus bias and stores column j of row i to c[i*ldc+j], with the
// register tiles that suit the target. Columns outside [jlo,jhi) that share a tile with
// wanted ones are computed from the zero padding or the neighbouring weights and not stored.
//
// Where c += x*w is one FMA (every GOARCH but amd64, and GOAMD64=v3) it takes pairs of rows
// times six columns (gemmRowPairs6) at panel columns 0, 6, 12 and 18, and times four
// (gemmRowPairs4) at 24 and 28: twelve FMA chains of one step per loop trip keep two FMA
// pipes busy at four cycles of latency, with eight loads per twelve FMAs (the 2x4 tile has
// six per eight, the 1x8 tile nine per eight; best of six 150 ms runs on this Zen 4 with
// GOAMD64=v3: 2x6 13.4-14.3 GFLOP/s, 2x4 13.0-13.6, 1x8 11.7-12.3, of a 14.4 scalar FMA
// peak). On amd64 without FMA (accSub) the 1x8 tile (gemmRows8) is better, and it also takes
// an odd last row.
func gemmPanelCols(m, K int, a []float32, lda int, panel []float32, jlo, jhi int, c []float32, ldc int, act Act) {
	if accSub || m < 2 {
		for j := jlo &^ 7; j < jhi; j += 8 {
			gemmRows8(m, K, a, lda, panel, j, c[j:], ldc, max(jlo-j, 0), min(jhi-j, 8), act)
		}
		return
	}
	pairs := m &^ 1
	for j := 0; j < jhi; {
		w := 6
		if j >= 24 {
			w = 4
		}
		if lo, hi := max(jlo-j, 0), min(jhi-j, w); lo < hi {
			if w == 6 {
				gemmRowPairs6(pairs, K, a, lda, panel, j, c[j:], ldc, lo, hi, act)
			} else {
				gemmRowPairs4(pairs, K, a, lda, panel, j, c[j:], ldc, lo, hi, act)
			}
		}
		j += w
	}
	if pairs < m {
		for j := jlo &^ 7; j < jhi; j += 8 {
			gemmRows8(1, K, a[pairs*lda:], lda, panel, j, c[pairs*ldc+j:], ldc, max(jlo-j, 0), min(jhi-j, 8), act)
		}
	}
}

// gemmRowPairs6 computes rows [0,m) of A, m even, times panel columns j..j+5 plus bias and
// stores columns j+q, q in [q0,q1), to c[i*ldc+q]: a 2x6 tile, one k step per loop trip
// (dot2x6).
func gemmRowPairs6(m, K int, a []float32, lda int, panel []float32, j int, c []float32, ldc, q0, q1 int, act Act) {
	bias := (*[6]float32)(panel[j:])
	w := panel[gemmNR+j:]
	_ = w[(K-1)*gemmNR+5] // the last panel row this tile reads
	wb := unsafe.Pointer(unsafe.SliceData(w))
	for i := 0; i+2 <= m; i += 2 {
		ab := unsafe.Pointer(unsafe.SliceData(a[i*lda : (i+1)*lda+K]))
		ab1 := unsafe.Add(ab, 4*lda)
		c00, c01, c02, c03, c04, c05 := bias[0], bias[1], bias[2], bias[3], bias[4], bias[5]
		c10, c11, c12, c13, c14, c15 := c00, c01, c02, c03, c04, c05
		c00, c01, c02, c03, c04, c05, c10, c11, c12, c13, c14, c15 = dot2x6(ab, ab1, wb, K,
			c00, c01, c02, c03, c04, c05, c10, c11, c12, c13, c14, c15)
		store6(c[i*ldc:], q0, q1, c00, c01, c02, c03, c04, c05, act)
		store6(c[(i+1)*ldc:], q0, q1, c10, c11, c12, c13, c14, c15, act)
	}
}

// gemmRowPairs4 computes rows [0,m) of A, m even, times panel columns j..j+3 plus bias and
// stores columns j+q, q in [q0,q1), to c[i*ldc+q]: a 2x4 tile, one k step per loop trip,
// written as gemmRows8 is (one block, source order: see there).
func gemmRowPairs4(m, K int, a []float32, lda int, panel []float32, j int, c []float32, ldc, q0, q1 int, act Act) {
	bias := (*[4]float32)(panel[j:])
	w := panel[gemmNR+j:]
	_ = w[(K-1)*gemmNR+3] // the last panel row this tile reads
	wb := unsafe.Pointer(unsafe.SliceData(w))
	for i := 0; i+2 <= m; i += 2 {
		ab := unsafe.Pointer(unsafe.SliceData(a[i*lda : (i+1)*lda+K]))
		ab1 := unsafe.Add(ab, 4*lda)
		c00, c01, c02, c03 := bias[0], bias[1], bias[2], bias[3]
		c10, c11, c12, c13 := c00, c01, c02, c03
		c00, c01, c02, c03, c10, c11, c12, c13 = dot2x4(ab, ab1, wb, K, c00, c01, c02, c03, c10, c11, c12, c13)
		store4(c[i*ldc:], q0, q1, c00, c01, c02, c03, act)
		store4(c[(i+1)*ldc:], q0, q1, c10, c11, c12, c13, act)
	}
}

// gemmRows8 computes rows [0,m) of A (K elements each, row i at a[i*lda:]) times panel
// columns j..j+7 plus bias and stores columns j+q, q in [q0,q1), to c[i*ldc+q].
//
// The k loop is written for the Go compiler's scheduler (cmd/compile/internal/ssa,
// schedule.go), which orders a block's values by whether they have uses inside the block
// before it looks at source order. In a for loop the body's last sum of each column is used
// only by the loop header's phi, in another block, so every load and product is scheduled
// ahead of every last add: sixteen values are live at once and the sums spill to the stack
// (gemmRows8 ran at 5-7 GFLOP/s that way). Written as a label and a backward goto, the loop
// is one block whose phis use those sums in-block, and the code keeps the source order:
// load, multiply, add, column by column, with eight sums, two elements of A and one product
// in registers. The panel and row walks use unsafe offsets, checked once per row, because a
// bounds check would split the block again. Where the compiler fuses c += x*w into an FMA
// (every GOARCH but amd64, and amd64 with GOAMD64=v3) that is the form. On amd64 without
// FMA (accSub) the eight sums are kept negated, s = -c, and step by s -= x*w: ADDSS is
// commutative and the register allocator writes the product's register, which costs a
// register move per sum per loop trip, where SUBSS writes its first operand, the sum's own
// register. llvm-mca -mcpu=znver3 on the compiled step-pair loop (sixteen multiply-adds):
// 15.8 cycles for the for-loop form, 9.6 for this one. Negating is exact: the results are
// the same.
// The two forms are written out: the compiler orders an inlined helper's values by the
// helper's lines, not the caller's, which undoes the source order.
func gemmRows8(m, K int, a []float32, lda int, panel []float32, j int, c []float32, ldc, q0, q1 int, act Act) {
	bias := (*[8]float32)(panel[j:])
	w := panel[gemmNR+j:]
	_ = w[(K-1)*gemmNR+7] // the last panel row this tile reads
	wb := unsafe.Pointer(unsafe.SliceData(w))
	for i := range m {
		ab := unsafe.Pointer(unsafe.SliceData(a[i*lda : i*lda+K]))
		c0, c1, c2, c3 := bias[0], bias[1], bias[2], bias[3]
		c4, c5, c6, c7 := bias[4], bias[5], bias[6], bias[7]
		if accSub { // the sums are kept negated (see the doc comment)
			c0, c1, c2, c3, c4, c5, c6, c7 = -c0, -c1, -c2, -c3, -c4, -c5, -c6, -c7
		}
		p := 0
		if K >= 2 {
		pair: // k steps p and p+1, p+1 < K
			x := *(*float32)(unsafe.Add(ab, 4*p))
			y := *(*float32)(unsafe.Add(ab, 4*p+4))
			wp := (*[gemmNR + 8]float32)(unsafe.Add(wb, 4*gemmNR*p))
			if accSub {
				c0 -= x * wp[0]
				c1 -= x * wp[1]
				c2 -= x * wp[2]
				c3 -= x * wp[3]
				c4 -= x * wp[4]
				c5 -= x * wp[5]
				c6 -= x * wp[6]
				c7 -= x * wp[7]
				c0 -= y * wp[gemmNR+0]
				c1 -= y * wp[gemmNR+1]
				c2 -= y * wp[gemmNR+2]
				c3 -= y * wp[gemmNR+3]
				c4 -= y * wp[gemmNR+4]
				c5 -= y * wp[gemmNR+5]
				c6 -= y * wp[gemmNR+6]
				c7 -= y * wp[gemmNR+7]
			} else {
				c0 += x * wp[0]
				c1 += x * wp[1]
				c2 += x * wp[2]
				c3 += x * wp[3]
				c4 += x * wp[4]
				c5 += x * wp[5]
				c6 += x * wp[6]
				c7 += x * wp[7]
				c0 += y * wp[gemmNR+0]
				c1 += y * wp[gemmNR+1]
				c2 += y * wp[gemmNR+2]
				c3 += y * wp[gemmNR+3]
				c4 += y * wp[gemmNR+4]
				c5 += y * wp[gemmNR+5]
				c6 += y * wp[gemmNR+6]
				c7 += y * wp[gemmNR+7]
			}
			p += 2
			if p+2 <= K {
				goto pair
			}
		}
		if p < K {
			x := *(*float32)(unsafe.Add(ab, 4*p))
			wp := (*[8]float32)(unsafe.Add(wb, 4*gemmNR*p))
			if accSub {
				x = -x // -(c + x*w) = -c + (-x)*w
			}
			c0, c1, c2, c3 = c0+x*wp[0], c1+x*wp[1], c2+x*wp[2], c3+x*wp[3]
			c4, c5, c6, c7 = c4+x*wp[4], c5+x*wp[5], c6+x*wp[6], c7+x*wp[7]
		}
		if accSub {
			c0, c1, c2, c3, c4, c5, c6, c7 = -c0, -c1, -c2, -c3, -c4, -c5, -c6, -c7
		}
		store8(c[i*ldc:], q0, q1, c0, c1, c2, c3, c4, c5, c6, c7, act)
	}
}

// dot2x4 is gemmRowPairs4's k loop: it adds the products of rows x0 and x1 (K floats each)
// with panel columns w[0..3] (one 32-float panel row per step) to the eight sums and returns
// them. It is a function of its own so that its few pointers and counter, and the sums,
// have the registers to themselves: inlined in the row loop, the register allocator kept
// the step counter on the stack, a store and a load on the loop's critical path.
//
//go:noinline
func dot2x4(x0, x1, w unsafe.Pointer, K int, c00, c01, c02, c03, c10, c11, c12, c13 float32) (float32, float32, float32, float32, float32, float32, float32, float32) {
	p := 0
step:
	x := *(*float32)(unsafe.Add(x0, 4*p))
	y := *(*float32)(unsafe.Add(x1, 4*p))
	wp := (*[4]float32)(unsafe.Add(w, 4*gemmNR*p))
	w0 := wp[0]
	c00 += x * w0
	c10 += y * w0
	w1 := wp[1]
	c01 += x * w1
	c11 += y * w1
	w2 := wp[2]
	c02 += x * w2
	c12 += y * w2
	w3 := wp[3]
	c03 += x * w3
	c13 += y * w3
	p++
	if p < K {
		goto step
	}
	return c00, c01, c02, c03, c10, c11, c12, c13
}

// dot2x6 is gemmRowPairs6's k loop, written as dot2x4 is: it adds the products of rows x0
// and x1 (K floats each) with panel columns w[0..5] to the twelve sums and returns them.
// Twelve sums, two elements of A and one weight fill the fifteen registers amd64's
// register ABI leaves to floats.
//
//go:noinline
func dot2x6(x0, x1, w unsafe.Pointer, K int, c00, c01, c02, c03, c04, c05, c10, c11, c12, c13, c14, c15 float32) (float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32) {
	p := 0
step:
	x := *(*float32)(unsafe.Add(x0, 4*p))
	y := *(*float32)(unsafe.Add(x1, 4*p))
	wp := (*[6]float32)(unsafe.Add(w, 4*gemmNR*p))
	w0 := wp[0]
	c00 += x * w0
	c10 += y * w0
	w1 := wp[1]
	c01 += x * w1
	c11 += y * w1
	w2 := wp[2]
	c02 += x * w2
	c12 += y * w2
	w3 := wp[3]
	c03 += x * w3
	c13 += y * w3
	w4 := wp[4]
	c04 += x * w4
	c14 += y * w4
	w5 := wp[5]
	c05 += x * w5
	c15 += y * w5
	p++
	if p < K {
		goto step
	}
	return c00, c01, c02, c03, c04, c05, c10, c11, c12, c13, c14, c15
}

// store8 writes columns [q0,q1) of one 1x8 tile's sums, clamped, to c. The generic
// kernels store every 8-wide result through it (GEMM rows, depthwise pixels); the clamp
// is chosen once per call, and a ReLU's (no upper bound) is one max per value.
func store8(c []float32, q0, q1 int, s0, s1, s2, s3, s4, s5, s6, s7 float32, act Act) {
	if q0 != 0 || q1 != 8 {
		row := [8]float32{s0, s1, s2, s3, s4, s5, s6, s7}
		dst := c[:q1]
		for q := q0; q < q1; q++ {
			dst[q] = act.apply(row[q])
		}
		return
	}
	d := (*[8]float32)(c)
	switch lo := act.Lo; {
	case act.none():
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s0, s1, s2, s3, s4, s5, s6, s7
	case act.lowerOnly():
		d[0], d[1], d[2], d[3] = max(s0, lo), max(s1, lo), max(s2, lo), max(s3, lo)
		d[4], d[5], d[6], d[7] = max(s4, lo), max(s5, lo), max(s6, lo), max(s7, lo)
	default:
		d[0], d[1], d[2], d[3] = act.apply(s0), act.apply(s1), act.apply(s2), act.apply(s3)
		d[4], d[5], d[6], d[7] = act.apply(s4), act.apply(s5), act.apply(s6), act.apply(s7)
	}
}

// store6 is store8 for a six-column tile.
func store6(c []float32, q0, q1 int, s0, s1, s2, s3, s4, s5 float32, act Act) {
	if q0 != 0 || q1 != 6 {
		row := [6]float32{s0, s1, s2, s3, s4, s5}
		dst := c[:q1]
		for q := q0; q < q1; q++ {
			dst[q] = act.apply(row[q])
		}
		return
	}
	d := (*[6]float32)(c)
	switch lo := act.Lo; {
	case act.none():
		d[0], d[1], d[2], d[3], d[4], d[5] = s0, s1, s2, s3, s4, s5
	case act.lowerOnly():
		d[0], d[1], d[2] = max(s0, lo), max(s1, lo), max(s2, lo)
		d[3], d[4], d[5] = max(s3, lo), max(s4, lo), max(s5, lo)
	default:
		d[0], d[1], d[2] = act.apply(s0), act.apply(s1), act.apply(s2)
		d[3], d[4], d[5] = act.apply(s3), act.apply(s4), act.apply(s5)
	}
}

// store4 is store8 for a four-column tile.
func store4(c []float32, q0, q1 int, s0, s1, s2, s3 float32, act Act) {
	if q0 != 0 || q1 != 4 {
		row := [4]float32{s0, s1, s2, s3}
		dst := c[:q1]
		for q := q0; q < q1; q++ {
			dst[q] = act.apply(row[q])
		}
		return
	}
	d := (*[4]float32)(c)
	switch lo := act.Lo; {
	case act.none():
		d[0], d[1], d[2], d[3] = s0, s1, s2, s3
	case act.lowerOnly():
		d[0], d[1], d[2], d[3] = max(s0, lo), max(s1, lo), max(s2, lo), max(s3, lo)
	default:
		d[0], d[1], d[2], d[3] = act.apply(s0), act.apply(s1), act.apply(s2), act.apply(s3)
	}
}
