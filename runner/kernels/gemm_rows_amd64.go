package kernels

// gemmRows8 computes rows [0,m) of A (K elements each, row i at a[i*lda:]) times panel
// columns j..j+7 plus bias and stores columns j+q, q in [q0,q1), to c[i*ldc+q].
//
// amd64 variant: the compiler does not fuse x*w + c into an FMA at the default GOAMD64=v1,
// and every product needs a register of its own; summing a step pair's two products before
// adding them to the row sum keeps one partial per column live instead of two products,
// which is what lets the eight sums stay in the 15 usable XMM registers.
func gemmRows8(m, K int, a []float32, lda int, panel []float32, j int, c []float32, ldc, q0, q1 int, act Act) {
	bias := (*[8]float32)(panel[j:])
	w := panel[gemmNR+j:]
	for i := range m {
		ar := a[i*lda : i*lda+K]
		c0, c1, c2, c3 := bias[0], bias[1], bias[2], bias[3]
		c4, c5, c6, c7 := bias[4], bias[5], bias[6], bias[7]
		p := 0
		for ; p+2 <= len(ar); p += 2 {
			x, y := ar[p], ar[p+1]
			wp := (*[gemmNR + 8]float32)(w[p*gemmNR:]) // panel rows p and p+1
			c0 += x*wp[0] + y*wp[gemmNR+0]
			c1 += x*wp[1] + y*wp[gemmNR+1]
			c2 += x*wp[2] + y*wp[gemmNR+2]
			c3 += x*wp[3] + y*wp[gemmNR+3]
			c4 += x*wp[4] + y*wp[gemmNR+4]
			c5 += x*wp[5] + y*wp[gemmNR+5]
			c6 += x*wp[6] + y*wp[gemmNR+6]
			c7 += x*wp[7] + y*wp[gemmNR+7]
		}
		if p < len(ar) {
			x := ar[p]
			wp := (*[8]float32)(w[p*gemmNR:])
			c0 += x * wp[0]
			c1 += x * wp[1]
			c2 += x * wp[2]
			c3 += x * wp[3]
			c4 += x * wp[4]
			c5 += x * wp[5]
			c6 += x * wp[6]
			c7 += x * wp[7]
		}
		store8(c[i*ldc:], q0, q1, c0, c1, c2, c3, c4, c5, c6, c7, act)
	}
}
