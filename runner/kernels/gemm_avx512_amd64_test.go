//go:build amd64 && !noasm

package kernels

import (
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
	t.Run("tiles14", func(t *testing.T) { checkGemmCases(t, gemmAVX512) })
	t.Run("pipelined", func(t *testing.T) { checkGemmCases(t, gemmAVX512Pipelined) })
}
