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
		// Until 6f3f011 a forced implementation stood after "; ".
		"cudnn; convs: 30 cublasLt, 26 cudnn (forced gemm=cublaslt); not used: x (x2)": "cudnn (forced gemm=cublaslt)",
		"cudnn+cuda-graph (forced dw=nvrtc,gemm=cublaslt); convs: 12 dw, 30 cublasLt":  "cudnn+cuda-graph (forced dw=nvrtc,gemm=cublaslt)",
	} {
		if got := KernelSetOf(in); got != want {
			t.Errorf("KernelSetOf(%q) = %q, want %q", in, got, want)
		}
	}
	// TF32 was said only in the device string until 6f3f011.
	const tf32 = "NVIDIA H200; fp32 with " + TF32Device
	for _, tc := range []struct{ kernels, device, want string }{
		{"cudnn+cuda-graph; convs: 56 cudnn", tf32, "cudnn+cuda-graph+tf32"},
		{"cudnn (transform copies); convs: 56 cudnn", tf32, "cudnn+tf32 (transform copies)"},
		{"cudnn+tf32 (forced gemm=cublaslt); convs: 30 cublasLt", tf32, "cudnn+tf32 (forced gemm=cublaslt)"},
		{"cudnn+cuda-graph; convs: 56 cudnn", "NVIDIA H200; fp32 (TF32 off)", "cudnn+cuda-graph"},
		{"avx512", "AMD EPYC", "avx512"},
	} {
		if got := RunKernelSet(tc.kernels, tc.device); got != tc.want {
			t.Errorf("RunKernelSet(%q, %q) = %q, want %q", tc.kernels, tc.device, got, tc.want)
		}
	}
}

// TestKernelSets: a result that names no set counts as the first set its
// configuration names, or as any where it names none; a set is named in
// labels only where its configuration has several.
func TestKernelSets(t *testing.T) {
	type res struct{ config, set string }
	rs := []res{{"a", ""}, {"a", "avx512"}, {"a", "generic"}, {"b", "avx512"}, {"c", ""}}
	ks := NewKernelSets(rs, func(r res) string { return r.config }, func(r res) string { return r.set })
	for _, tc := range []struct {
		r     res
		set   string
		any   bool
		named bool
	}{
		{res{"a", ""}, "avx512", false, true}, // the first set named in a
		{res{"a", "generic"}, "generic", false, true},
		{res{"b", "avx512"}, "avx512", false, false}, // one set: not named
		{res{"b", ""}, "avx512", false, false},
		{res{"c", ""}, "", true, false}, // c names none: any set
	} {
		set, anySet := ks.Of(tc.r)
		if set != tc.set || anySet != tc.any || ks.Named(tc.r) != tc.named {
			t.Errorf("%+v: Of = %q, %v; Named %v; want %q, %v, %v", tc.r, set, anySet, ks.Named(tc.r), tc.set, tc.any, tc.named)
		}
	}
}
