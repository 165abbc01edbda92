//go:build linux && (amd64 || arm64)

package cudnn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
)

// The fake libraries can be loaded once per process (dlopen keeps them),
// so every test shares one backend.
var (
	fakeOnce sync.Once
	fakeBE   *Backend
	fakeErr  error
)

// fakeBackend builds testdata/fakecuda.c (a CPU stand-in for the CUDA
// runtime and driver, cuBLAS, cuBLASLt, cuDNN and NVRTC written from their
// C prototypes) with the C compiler, installs it under the CUDA 13 wheel
// layout and opens a backend on it. The test is skipped where no C compiler exists; the module itself
// never uses cgo.
func fakeBackend(t *testing.T) *Backend {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler: the fake CUDA libraries cannot be built")
	}
	fakeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fakecuda")
		if err != nil {
			fakeErr = err
			return
		}
		so := filepath.Join(dir, "libfake.so")
		out, err := exec.Command(cc, "-shared", "-fPIC", "-O2", "-o", so, "testdata/fakecuda.c", "-lm").CombinedOutput()
		if err != nil {
			fakeErr = fmt.Errorf("cc: %v\n%s", err, out)
			return
		}
		site := filepath.Join(dir, "site-packages")
		data, err := os.ReadFile(so)
		if err != nil {
			fakeErr = err
			return
		}
		// libcuda.so.1 beside the runtime: the driver API of the fake.
		for _, rel := range append(slices.Clone(cu13Wheel), "nvidia/cu13/lib/libcuda.so.1") {
			p := filepath.Join(site, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				fakeErr = err
				return
			}
			if err := os.WriteFile(p, data, 0o755); err != nil {
				fakeErr = err
				return
			}
		}
		fakeBE = NewWithEnv(SearchEnv{Override: site, Root: filepath.Join(dir, "empty-root")})
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	return fakeBE
}

func TestFakeLibsAvailable(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatalf("Available() = %v", err)
	}
	// cudaDriverGetVersion/cudaRuntimeGetVersion 13000 and cudnnGetVersion 91900 in the fake.
	// The cuDNN directory is the fake wheel's nvidia/cudnn/lib.
	dir := filepath.Dir(b.dev.dnnDir)
	if got, want := b.dev.describe(false), "Fake GPU (CPU stand-in), CUDA driver 13.0, runtime 13.0, cuDNN 9.19.0 ("+b.dev.dnnDir+"), fp32 FMA math (TF32 off)"; got != want || filepath.Base(dir) != "cudnn" {
		t.Errorf("describe = %q", got)
	}
}

// TestFakeLibsEndToEnd compiles designs through the whole purego path
// (every descriptor, algorithm choice, workspace, argument word and the
// CUDA-graph capture) and checks the output against the op-by-op
// reference. It proves the Go side calls the documented prototypes
// consistently; it says nothing about real GPU behaviour.
func TestFakeLibsEndToEnd(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		spec arch.Spec
	}{
		{"snv2", arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Split: 0.4, Groups: 2, Res: 32, Depths: []int{2, 1, 1}, Classes: 7}},
		// Fused, every copy of this one is a cudaMemcpy3DAsync (TestPitchedCopy).
		{"snv2 torchvision", arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{2, 2, 1}, Classes: 5}},
		{"mnv2", arch.Spec{Family: arch.MobileNetV2, Width: 0.35, Res: 32, Classes: 4}},
		{"snv1", arch.Spec{Family: arch.ShuffleNetV1, Groups: 3, Width: 0.5, Res: 32, Depths: []int{1, 1, 1}, Classes: 6}},
		{"g3 parallel", arch.Spec{Family: arch.GuideG3, C: 16, Fragments: 4, Parallel: true, Res: 5, Blocks: 2}},
		{"g4", arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 2, NoReLU: true}},
	}
	for _, tc := range cases {
		for _, batch := range []int{1, 2} {
			spec := tc.spec
			spec.Batch = batch
			g := build(t, spec)
			w := testWeights(g, 5)
			r := rand.New(rand.NewPCG(9, uint64(batch)))
			in64 := make([]float64, g.Tensors[g.Input].Shape.Elems())
			in := make([]float32, len(in64))
			for i := range in {
				in[i] = float32(r.NormFloat64())
				in64[i] = float64(in[i])
			}
			want := evalRef(t, g, w, in64)
			for _, opts := range []runner.Options{
				{Mode: runner.Eager}, {Mode: runner.Fused}, {Mode: runner.Fused, CUDAGraph: true}, {Mode: runner.Eager, CUDAGraph: true, TF32: true},
			} {
				t.Run(fmt.Sprintf("%s/n%d/%s/graph=%v", tc.name, batch, opts.Mode, opts.CUDAGraph), func(t *testing.T) {
					p, err := b.Compile(g, w, opts)
					if err != nil {
						t.Fatal(err)
					}
					// The set sweeps file results under is the start of
					// what the program reports (TF32 part of it).
					if set := runner.KernelSetOf(p.Info().Kernels); set != KernelSet(opts.CUDAGraph, CopyMemcpy3D, opts.TF32, Policy{}) {
						t.Errorf("program's set %q, KernelSet %q", set, KernelSet(opts.CUDAGraph, CopyMemcpy3D, opts.TF32, Policy{}))
					}
					defer func() {
						if err := p.Close(); err != nil {
							t.Error(err)
						}
					}()
					out := make([]float32, len(want))
					for rep := 0; rep < 2; rep++ { // a second run must give the same answer
						for i := range out {
							out[i] = float32(math.NaN())
						}
						if err := p.Run(context.Background(), in, out); err != nil {
							t.Fatal(err)
						}
						// fp32 arithmetic in the fake vs float64 reference
						checkOutput(t, fmt.Sprintf("run %d: ", rep), out, want, 1e-4)
					}
					info := p.Info()
					if info.Backend != "cudnn" || info.Mode != opts.Mode || info.Bytes <= 0 || !strings.Contains(info.Device, "Fake GPU") {
						t.Errorf("Info = %+v", info)
					}
					if opts.TF32 != strings.Contains(info.Device, "TF32 tensor-core math allowed") {
						t.Errorf("Device %q does not match TF32=%v", info.Device, opts.TF32)
					}
					for i := range out {
						out[i] = float32(math.NaN())
					}
					// In CUDA-graph mode Profile captures and replays a second
					// graph with event nodes; either way it runs the whole pass.
					steps, err := p.Profile(context.Background(), in, out)
					if err != nil {
						t.Fatal(err)
					}
					if len(steps) == 0 || steps[0].Name == "" {
						t.Errorf("Profile = %v", steps)
					}
					checkOutput(t, "after Profile: ", out, want, 1e-4)
					for _, s := range steps {
						if s.Nanos < 0 {
							t.Errorf("step %s has %d ns", s.Name, s.Nanos)
						}
					}
					if err := p.Run(context.Background(), in[:1], out); err == nil {
						t.Error("Run with a short input succeeded")
					}
				})
			}
		}
	}
}

func TestFakeLibsMemLimit(t *testing.T) {
	b := fakeBackend(t)
	g := build(t, arch.Spec{Family: arch.GuideG1, C1: 8, Res: 8, Blocks: 1})
	_, err := b.Compile(g, testWeights(g, 1), runner.Options{Mode: runner.Fused, MemLimit: 100})
	var me *runner.MemError
	if !errors.As(err, &me) || me.Limit != 100 || me.Parts["weights"] <= 0 || me.Parts["activations"] <= 0 {
		t.Errorf("Compile over MemLimit: err = %v", err)
	}
}

func TestFakeLibsClosedProgram(t *testing.T) {
	b := fakeBackend(t)
	g := build(t, arch.Spec{Family: arch.GuideG1, C1: 8, Res: 8, Blocks: 1})
	p, err := b.Compile(g, testWeights(g, 1), runner.Options{Mode: runner.Fused})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	in := make([]float32, g.Tensors[g.Input].Shape.Elems())
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	if err := p.Run(context.Background(), in, out); err == nil {
		t.Error("Run after Close succeeded")
	}
}

// TestFakeLibsRunAllocations checks the hot path of a fused, graph-replayed
// program: no Go allocation per Run (not counted under the race detector,
// whose instrumentation allocates: 2 per Run there).
func TestFakeLibsRunAllocations(t *testing.T) {
	b := fakeBackend(t)
	g := build(t, arch.Spec{Family: arch.GuideG1, C1: 8, Res: 8, Blocks: 2})
	for _, opts := range []runner.Options{{Mode: runner.Fused}, {Mode: runner.Fused, CUDAGraph: true}} {
		p, err := b.Compile(g, testWeights(g, 1), opts)
		if err != nil {
			t.Fatal(err)
		}
		in := make([]float32, g.Tensors[g.Input].Shape.Elems())
		out := make([]float32, g.Tensors[g.Output].Shape.Elems())
		ctx := context.Background()
		allocs := testing.AllocsPerRun(20, func() {
			if err := p.Run(ctx, in, out); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 && !raceDetector {
			t.Errorf("graph=%v: %v allocations per Run, want 0", opts.CUDAGraph, allocs)
		}
		if et, ok := p.(runner.EventTimer); !ok || et.LastEventNanos() < 0 {
			t.Errorf("program does not report event time")
		}
		p.Close()
	}
}

// TestFakeLibsPackedFallback makes the fake refuse strided convolution
// tensors (as a strict cuDNN build might) and checks that Compile falls back
// to the packed-tensor lowering and still computes the right output.
func TestFakeLibsPackedFallback(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	var flag uintptr
	for _, h := range b.dev.a.handles {
		if p, err := purego.Dlsym(h, "fake_packed_only"); err == nil {
			flag = p
			break
		}
	}
	if flag == 0 {
		t.Fatal("fake_packed_only not found")
	}
	setFlag := func(v int32) { *(*int32)(*(*unsafe.Pointer)(unsafe.Pointer(&flag))) = v }
	setFlag(1)
	defer setFlag(0)
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{2, 1, 1}, Classes: 5, Batch: 2})
	w := testWeights(g, 3)
	in64 := make([]float64, g.Tensors[g.Input].Shape.Elems())
	in := make([]float32, len(in64))
	for i := range in {
		in[i] = float32(math.Sin(float64(i)))
		in64[i] = float64(in[i])
	}
	want := evalRef(t, g, w, in64)
	p, err := b.Compile(g, w, runner.Options{Mode: runner.Fused, CUDAGraph: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if k := p.Info().Kernels; !strings.Contains(k, "packed-tensor fallback") {
		t.Errorf("Kernels = %q, want the fallback noted", k)
	}
	out := make([]float32, len(want))
	if err := p.Run(context.Background(), in, out); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if d := math.Abs(float64(out[i]) - want[i]); !(d <= 1e-4*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("output[%d] = %g, want %g", i, out[i], want[i])
		}
	}
}

// TestFakeLibsCopyKernels runs the fused torchvision ShuffleNetV2 (with and
// without a CUDA graph) with both copy kernels and checks both against the
// op-by-op reference: cudaMemcpy3DAsync (the default) and
// cudnnTransformTensor must move the same channels.
func TestFakeLibsCopyKernels(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	defer b.WithCopyKernel(CopyMemcpy3D)
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{2, 2, 1}, Classes: 5, Batch: 2})
	w := testWeights(g, 11)
	r := rand.New(rand.NewPCG(4, 4))
	in64 := make([]float64, g.Tensors[g.Input].Shape.Elems())
	in := make([]float32, len(in64))
	for i := range in {
		in[i] = float32(r.NormFloat64())
		in64[i] = float64(in[i])
	}
	want := evalRef(t, g, w, in64)
	for _, ck := range []CopyKernel{CopyMemcpy3D, CopyTransform} {
		for _, graph := range []bool{false, true} {
			b.WithCopyKernel(ck)
			p, err := b.Compile(g, w, runner.Options{Mode: runner.Fused, CUDAGraph: graph})
			if err != nil {
				t.Fatalf("%s graph=%v: %v", ck, graph, err)
			}
			if got := strings.Contains(p.Info().Kernels, "transform copies"); got != (ck == CopyTransform) {
				t.Errorf("%s graph=%v: Kernels %q", ck, graph, p.Info().Kernels)
			}
			// What sweeps file rows under before measuring (KernelSet)
			// is the start of what the program reports.
			if set, _, _ := strings.Cut(p.Info().Kernels, "; "); set != KernelSet(graph, ck, false, Policy{}) {
				t.Errorf("%s graph=%v: program's set %q, KernelSet %q", ck, graph, set, KernelSet(graph, ck, false, Policy{}))
			}
			out := make([]float32, len(want))
			err = p.Run(context.Background(), in, out)
			p.Close()
			if err != nil {
				t.Fatalf("%s graph=%v: %v", ck, graph, err)
			}
			checkOutput(t, fmt.Sprintf("%s graph=%v: ", ck, graph), out, want, 1e-4)
		}
	}
}
