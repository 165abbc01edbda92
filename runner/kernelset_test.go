package runner

import "testing"

// TestKernelSetOf: the kernel set of a program's kernels string is what
// comes before "; " (cudnn's per-layer choices follow), without the
// packed-tensor note that cudnn put before "; " until b931e18 (rows of
// that time must stay of their set).
func TestKernelSetOf(t *testing.T) {
	for in, want := range map[string]string{
		"avx512":  "avx512",
		"generic": "generic",
		"":        "",
		"cudnn+cuda-graph; dw own 12/13, gemm cublasLt 30/56":           "cudnn+cuda-graph",
		"cudnn (transform copies); dw cudnn 13/13":                      "cudnn (transform copies)",
		"cudnn+cuda-graph (packed-tensor fallback)":                     "cudnn+cuda-graph",
		"cudnn+cuda-graph; dw own 12/13 (packed-tensor fallback)":       "cudnn+cuda-graph",
		"cudnn (transform copies) (packed-tensor fallback); gemm cudnn": "cudnn (transform copies)",
	} {
		if got := KernelSetOf(in); got != want {
			t.Errorf("KernelSetOf(%q) = %q, want %q", in, got, want)
		}
	}
}
