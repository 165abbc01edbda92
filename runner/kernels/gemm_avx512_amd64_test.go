//go:build amd64 && !noasm

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// TestGemmAVX512Tilings checks both AVX-512 GEMM walks on every GEMM case: the set this CPU
// gets (14-row tiles, or pipelined 7-row tiles on AMD) is covered by TestGemm, the other
// one only here.
func TestGemmAVX512Tilings(t *testing.T) {
	if !cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL) {
		t.Skip("this CPU lacks AVX512F/AVX512VL")
	}
	for _, v := range []struct {
		name string
		gemm func(m int, a []float32, lda int, b *PackedGemmB, n0, n1 int, c []float32, ldc int, act Act)
	}{{"tiles14", gemmAVX512}, {"pipelined", gemmAVX512Pipelined}} {
		t.Run(v.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			for ci, tc := range gemmCases() {
				act := acts[ci%len(acts)]
				w := randSlice(r, tc.n*tc.k)
				bias := randSlice(r, tc.n)
				a := randSlice(r, (tc.m-1)*tc.lda+tc.k)
				want := filled((tc.m-1)*tc.ldc+tc.n, sentinel)
				got := filled(len(want), sentinel)
				refGemm(tc.m, tc.k, a, tc.lda, w, bias, tc.n0, tc.n1, want, tc.ldc, act)
				v.gemm(tc.m, a, tc.lda, PackGemmB(w, tc.n, tc.k, bias), tc.n0, tc.n1, got, tc.ldc, act)
				compare(t, fmt.Sprintf("%+v act=%v", tc, act), got, want, tol)
			}
		})
	}
}
