package kernels

import "fmt"

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

// gemmGeneric is the pure-Go GEMM: 4x4 register blocks (16 scalar accumulators, which the
// compiler keeps in registers and fuses into FMAs where the architecture has them) over
// column quads of each 32-wide panel, with a 1x4 kernel for the row tail.
func gemmGeneric(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	K := b.K
	for p := n0 / gemmNR; p*gemmNR < n1; p++ {
		panel := b.panel(p)
		jlo := max(n0-p*gemmNR, 0)
		jhi := min(n1-p*gemmNR, gemmNR)
		col := p * gemmNR
		for j := jlo &^ 3; j < jhi; j += 4 {
			i := 0
			for ; i+4 <= m; i += 4 {
				gemm4x4Generic(a[i*lda:], lda, K, panel, j, c[i*ldc+col:], ldc, max(jlo-j, 0), min(jhi-j, 4), act)
			}
			for ; i < m; i++ {
				gemm1x4Generic(a[i*lda:i*lda+K], panel, j, c[i*ldc+col:], max(jlo-j, 0), min(jhi-j, 4), act)
			}
		}
	}
}

// gemm4x4Generic computes rows 0..3 of a (pixel stride lda) times panel columns j..j+3 and
// stores columns j+q for q in [q0,q1) to c[r*ldc+j+q].
func gemm4x4Generic(a []float32, lda, K int, panel []float32, j int, c []float32, ldc, q0, q1 int, act Act) {
	bias := (*[4]float32)(panel[j:])
	c00, c01, c02, c03 := bias[0], bias[1], bias[2], bias[3]
	c10, c11, c12, c13 := c00, c01, c02, c03
	c20, c21, c22, c23 := c00, c01, c02, c03
	c30, c31, c32, c33 := c00, c01, c02, c03
	a0 := a[:K]
	a1 := a[lda : lda+K]
	a2 := a[2*lda : 2*lda+K]
	a3 := a[3*lda : 3*lda+K]
	for p := range a0 {
		w := (*[4]float32)(panel[(p+1)*gemmNR+j:])
		w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
		x := a0[p]
		c00 += x * w0
		c01 += x * w1
		c02 += x * w2
		c03 += x * w3
		x = a1[p]
		c10 += x * w0
		c11 += x * w1
		c12 += x * w2
		c13 += x * w3
		x = a2[p]
		c20 += x * w0
		c21 += x * w1
		c22 += x * w2
		c23 += x * w3
		x = a3[p]
		c30 += x * w0
		c31 += x * w1
		c32 += x * w2
		c33 += x * w3
	}
	rows := [4][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	for r := range rows {
		dst := c[r*ldc+j:]
		for q := q0; q < q1; q++ {
			dst[q] = act.apply(rows[r][q])
		}
	}
}

// gemm1x4Generic is gemm4x4Generic for one row.
func gemm1x4Generic(a0 []float32, panel []float32, j int, c []float32, q0, q1 int, act Act) {
	bias := (*[4]float32)(panel[j:])
	c0, c1, c2, c3 := bias[0], bias[1], bias[2], bias[3]
	for p, x := range a0 {
		w := (*[4]float32)(panel[(p+1)*gemmNR+j:])
		c0 += x * w[0]
		c1 += x * w[1]
		c2 += x * w[2]
		c3 += x * w[3]
	}
	row := [4]float32{c0, c1, c2, c3}
	dst := c[j:]
	for q := q0; q < q1; q++ {
		dst[q] = act.apply(row[q])
	}
}
