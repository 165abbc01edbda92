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

// Gemm computes, for i in [0,m) and j in [n0,n1),
// c[i*ldc+j] = act(bias[j] + sum_{p<K} a[i*lda+p]*W[j][p]). It writes nothing else.
func Gemm(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	if m <= 0 || n0 >= n1 {
		return
	}
	if n0 < 0 || n1 > b.N || lda < b.K || ldc < n1 {
		panic(fmt.Sprintf("kernels: Gemm bad args m=%d lda=%d K=%d N=%d n0=%d n1=%d ldc=%d", m, lda, b.K, b.N, n0, n1, ldc))
	}
	checkLen("Gemm a", len(a), (m-1)*lda+b.K)
	checkLen("Gemm c", len(c), (m-1)*ldc+n1)
	cur().gemm(m, a, lda, b, n0, n1, c, ldc, act)
}

// gemmGeneric is the pure-Go GEMM: one output row against one 32-wide panel at a time.
func gemmGeneric(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act) {
	K := b.K
	for p := n0 / gemmNR; p*gemmNR < n1; p++ {
		panel := b.panel(p)
		jlo := max(n0-p*gemmNR, 0)
		jhi := min(n1-p*gemmNR, gemmNR)
		i := 0
		for ; i+2 <= m; i += 2 {
			var acc0, acc1 [gemmNR]float32
			copy(acc0[:], panel[:gemmNR])
			copy(acc1[:], panel[:gemmNR])
			a0 := a[i*lda : i*lda+K]
			a1 := a[(i+1)*lda : (i+1)*lda+K]
			for kk := range a0 {
				w := (*[gemmNR]float32)(panel[(kk+1)*gemmNR:])
				v0, v1 := a0[kk], a1[kk]
				for j := range w {
					acc0[j] += v0 * w[j]
					acc1[j] += v1 * w[j]
				}
			}
			c0 := c[i*ldc+p*gemmNR:]
			c1 := c[(i+1)*ldc+p*gemmNR:]
			for j := jlo; j < jhi; j++ {
				c0[j] = act.apply(acc0[j])
				c1[j] = act.apply(acc1[j])
			}
		}
		for ; i < m; i++ {
			var acc [gemmNR]float32
			copy(acc[:], panel[:gemmNR])
			arow := a[i*lda : i*lda+K]
			for kk, v := range arow {
				w := (*[gemmNR]float32)(panel[(kk+1)*gemmNR:])
				for j := range w {
					acc[j] += v * w[j]
				}
			}
			crow := c[i*ldc+p*gemmNR:]
			for j := jlo; j < jhi; j++ {
				crow[j] = act.apply(acc[j])
			}
		}
	}
}
