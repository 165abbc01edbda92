package registry

import (
	"errors"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/cudnn"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/weights"
)

// TestBackends: every listed backend is constructed under its own name, the
// default comes first, unknown names are a KnobError listing the valid ones.
func TestBackends(t *testing.T) {
	names := BackendNames()
	if names[0] != DefaultBackend {
		t.Errorf("first backend %q, want the default %q", names[0], DefaultBackend)
	}
	for _, n := range names {
		be, err := NewBackend(n)
		if err != nil || be.Name() != n {
			t.Errorf("NewBackend(%q) = %v, %v", n, be, err)
		}
	}
	var ke *arch.KnobError
	if _, err := NewBackend("tpu"); !errors.As(err, &ke) || ke.Valid != List(names) {
		t.Errorf("NewBackend(tpu): %v", err)
	}
}

// TestChecks: the thread range and the kernel-set names, inside and outside.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		n  int
		ok bool
	}{{0, false}, {1, true}, {MaxThreads, true}, {MaxThreads + 1, false}} {
		if err := CheckThreads(tc.n); (err == nil) != tc.ok {
			t.Errorf("CheckThreads(%d) = %v", tc.n, err)
		}
	}
	for _, k := range append([]string{DefaultKernels}, kernels.Supported()...) {
		if err := CheckKernels(k); err != nil {
			t.Errorf("CheckKernels(%q) = %v", k, err)
		}
	}
	if err := CheckKernels("sse2"); err == nil {
		t.Error("CheckKernels(sse2) accepted")
	}
	if KernelSets()[0] != DefaultKernels {
		t.Errorf("kernel sets %v do not start with %q", KernelSets(), DefaultKernels)
	}
}

// TestKernelSet: the set a sweep files its rows under before measuring is
// the one its programs report (ProgramInfo.Kernels): for native, compiled
// here with each set this machine runs; for cudnn, by name (no GPU here).
func TestKernelSet(t *testing.T) {
	g, err := arch.Build(arch.Spec{Width: 0.5, Res: 32, Depths: []int{1, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range append([]string{"auto"}, kernels.Supported()...) {
		want, err := KernelSet("native", flag, false, false)
		if err != nil {
			t.Fatalf("KernelSet(native, %s): %v", flag, err)
		}
		be, _ := NewBackend("native")
		p, err := be.Compile(g, weights.Random(g, 1), runner.Options{Mode: runner.Fused, Threads: 1, Kernels: flag})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Info().Kernels; got != want {
			t.Errorf("--kernels %s: program runs on %q, KernelSet says %q", flag, got, want)
		}
		p.Close()
	}
	for graph, want := range map[bool]string{false: "cudnn", true: "cudnn+cuda-graph"} {
		if got, err := KernelSet("cudnn", "auto", graph, false); got != want || err != nil {
			t.Errorf("KernelSet(cudnn, graph %v) = %q, %v; want %q", graph, got, err, want)
		}
	}
	t.Setenv(cudnn.EnvCopy, "transform")
	if got, _ := KernelSet("cudnn", "auto", true, false); got != "cudnn+cuda-graph (transform copies)" {
		t.Errorf("KernelSet(cudnn) with %s=transform: %q", cudnn.EnvCopy, got)
	}
	t.Setenv(cudnn.EnvGEMM, cudnn.GEMMLt)
	if got, _ := KernelSet("cudnn", "auto", false, true); got != "cudnn+tf32 (transform copies) (forced gemm=cublaslt)" {
		t.Errorf("KernelSet(cudnn, tf32) with %s=%s: %q", cudnn.EnvGEMM, cudnn.GEMMLt, got)
	}
	if _, err := KernelSet("tpu", "auto", false, false); err == nil {
		t.Error("KernelSet(tpu): no error")
	}
}

// TestForcedKernels: a set is named only where the user chose one for a
// CPU backend.
func TestForcedKernels(t *testing.T) {
	for _, tc := range []struct{ backend, flag, want string }{
		{"native", "generic", "generic"},
		{"native", "avx2", "avx2"},
		{"native", "auto", ""},
		{"native", "", ""},
		{"cudnn", "generic", ""},
		{"tpu", "generic", ""},
	} {
		if got := ForcedKernels(tc.backend, tc.flag); got != tc.want {
			t.Errorf("ForcedKernels(%q, %q) = %q, want %q", tc.backend, tc.flag, got, tc.want)
		}
	}
}
