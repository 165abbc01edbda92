package registry

import (
	"errors"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/kernels"
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
