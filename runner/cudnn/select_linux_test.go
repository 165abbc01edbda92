//go:build linux && (amd64 || arm64)

package cudnn

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// compileAndCheck compiles g on b, runs it once and compares the output
// with the op-by-op reference; it returns the program (closed by the
// test's cleanup).
func compileAndCheck(t *testing.T, b *Backend, g *arch.Graph, w weights.Set, opts runner.Options) *program {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 5))
	in64 := make([]float64, g.Tensors[g.Input].Shape.Elems())
	in := make([]float32, len(in64))
	for i := range in {
		in[i] = float32(r.NormFloat64())
		in64[i] = float64(in[i])
	}
	want := evalRef(t, g, w, in64)
	pr, err := b.Compile(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close() })
	out := make([]float32, len(want))
	if err := pr.Run(context.Background(), in, out); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, "", out, want, 1e-4)
	return pr.(*program)
}

// eligibleCounts counts a program's lowered convolutions the own kernel
// and cuBLASLt can run. By default the fake, like cuBLASLt 13.0, refuses
// the bias epilogue for a row-order D, so a conv with a bias and a
// residual (which fills C) is not cuBLASLt's; with biasEpilogue (fake
// mode 3) it is.
func eligibleCounts(p *program, biasEpilogue bool) (dw, lt int) {
	for _, c := range p.l.Calls {
		if dwEligible(c) == "" {
			dw++
		}
		if ltEligible(c) == "" && (biasEpilogue || c.Kind != callConvBiasAct || c.Alpha2 == 0) {
			lt++
		}
	}
	return dw, lt
}

// implCounts counts the chosen implementations.
func implCounts(p *program) map[convImpl]int {
	m := map[convImpl]int{}
	for _, r := range p.sel.records {
		m[r.impl]++
	}
	return m
}

// TestFakeLibsPolicies compiles designs with every convolution policy in
// every mode on the fake libraries and checks the outputs against the
// reference: forced, the own kernel and cuBLASLt run every convolution
// they can (and the fingerprint says so); cuDNN-only runs none; auto
// times them all. The fake runs the own kernel's C build and a cuBLASLt
// written from cublasLt.h, so this checks the launch arguments, the
// layouts and the epilogues end to end, not GPU behaviour.
func TestFakeLibsPolicies(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	defer b.WithPolicy(Policy{DWAuto, GEMMAuto})
	specs := []struct {
		name string
		spec arch.Spec
	}{
		// depthwise s1 and s2, 1x1 convs over channel views at batch 2
		{"snv2", arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{1, 1, 1}, Classes: 5, Batch: 2}},
		// ReLU6 in the depthwise and 1x1 epilogues, a residual without ReLU
		{"mnv2", arch.Spec{Family: arch.MobileNetV2, Width: 0.35, Res: 32, Classes: 4}},
		// the G4 row whose shortcut has no ReLU
		{"g4 shortcut only", arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 2, NoReLU: true, Batch: 2}},
	}
	for _, sp := range specs {
		g := build(t, sp.spec)
		w := testWeights(g, 8)
		for _, pol := range []Policy{{DWNVRTC, GEMMLt}, {DWCudnn, GEMMCudnn}, {DWAuto, GEMMAuto}} {
			for _, opts := range []runner.Options{{Mode: runner.Eager}, {Mode: runner.Fused}, {Mode: runner.Fused, CUDAGraph: true}} {
				t.Run(fmt.Sprintf("%s/%s/%s/graph=%v", sp.name, pol, opts.Mode, opts.CUDAGraph), func(t *testing.T) {
					b.WithPolicy(pol)
					p := compileAndCheck(t, b, g, w, opts)
					dw, lt := eligibleCounts(p, false)
					got := implCounts(p)
					k := p.Info().Kernels
					if set := runner.KernelSetOf(k); set != KernelSet(opts.CUDAGraph, CopyMemcpy3D, false, pol) {
						t.Errorf("program's set %q, KernelSet %q", set, KernelSet(opts.CUDAGraph, CopyMemcpy3D, false, pol))
					}
					switch pol.DW {
					case DWNVRTC:
						if got[implDW] != dw || dw == 0 && sp.name != "g4 shortcut only" {
							t.Errorf("dw=nvrtc: %d convs on the own kernel, %d eligible (%s)", got[implDW], dw, k)
						}
						if got[implLt] != lt || !strings.Contains(k, "forced dw=nvrtc,gemm=cublaslt") {
							t.Errorf("gemm=cublaslt: %d convs on cuBLASLt, %d eligible (%s)", got[implLt], lt, k)
						}
					case DWCudnn:
						if got[implDW] != 0 || got[implLt] != 0 {
							t.Errorf("cudnn only: %v (%s)", got, k)
						}
					}
					if n := got[implDW] + got[implLt] + got[implCudnnFused] + got[implCudnnConv]; n != len(p.sel.records) || n == 0 {
						t.Errorf("records %v", got)
					}
					if !strings.Contains(k, "convs: ") {
						t.Errorf("Kernels %q does not list the convolutions", k)
					}
					if strings.Contains(k, "\n") {
						t.Errorf("Kernels %q is more than one line", k)
					}
				})
			}
		}
	}
}

// TestFakeLibsFallbacks makes each optional implementation fail on the
// fake (NVRTC cannot compile, cuBLASLt has no algorithm or rejects
// row-major inputs, the own kernel or cuBLASLt computes a wrong element)
// and checks that auto falls back to what works, recording why, and that
// a forced policy fails Compile with the reason instead.
func TestFakeLibsFallbacks(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	defer b.WithPolicy(Policy{DWAuto, GEMMAuto})
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{1, 1, 1}, Classes: 5, Batch: 2})
	w := testWeights(g, 9)
	opts := runner.Options{Mode: runner.Fused, CUDAGraph: true}
	for _, tc := range []struct {
		name      string
		flag      string
		value     int32
		reloadDW  bool
		forced    Policy
		forcedErr string
		autoNote  string
		autoNoDW  bool
		autoNoLt  bool
		ltColOnly bool
		// ltName and ltNotName: what the forced program's cuBLASLt
		// candidates of convs with a bias are (not) named.
		ltName, ltNotName string
		biasEpilogue      bool // the fake accepts the bias epilogue (eligibleCounts)
	}{
		{name: "nvrtc fails", flag: "fake_nvrtc_fail", value: 1, reloadDW: true, forced: Policy{DWNVRTC, GEMMAuto},
			forcedErr: "EXPLORER_CUDNN_DW=nvrtc: the depthwise kernel is unavailable", autoNote: "fake compilation failure", autoNoDW: true},
		{name: "no cuBLASLt algorithm", flag: "fake_lt_mode", value: 1, forced: Policy{DWAuto, GEMMLt},
			forcedErr: "EXPLORER_CUDNN_GEMM=cublaslt: no cuBLASLt algorithm", autoNote: "cuBLAS status 15", autoNoLt: true},
		{name: "row-major inputs rejected", flag: "fake_lt_mode", value: 2, forced: Policy{DWAuto, GEMMLt}, ltColOnly: true},
		{name: "wrong kernel", flag: "fake_wrong", value: 1, forced: Policy{DWNVRTC, GEMMAuto},
			forcedErr: "self-check against cuDNN: dw3x3-nvrtc s2: differs from cuDNN", autoNote: "differs from cuDNN", autoNoDW: true},
		{name: "wrong GEMM", flag: "fake_wrong", value: 2, forced: Policy{DWAuto, GEMMLt},
			forcedErr: "self-check against cuDNN: cublasLt row-major, bias plane #0: differs from cuDNN", autoNote: "differs from cuDNN", autoNoLt: true},
		// The bias forms (ltBiasForms), as the real library answers: the
		// bias epilogue refused for a row-order D (mode 0, cuBLASLt 13.0
		// on an H200), accepted (mode 3), every epilogue refused there
		// (mode 4).
		{name: "bias epilogue refused", flag: "fake_lt_mode", value: 0, forced: Policy{DWAuto, GEMMLt}, ltName: ", bias plane #"},
		{name: "bias epilogue accepted", flag: "fake_lt_mode", value: 3, forced: Policy{DWAuto, GEMMLt}, ltNotName: "bias plane", biasEpilogue: true},
		{name: "every epilogue refused", flag: "fake_lt_mode", value: 4, forced: Policy{DWAuto, GEMMLt}, ltName: ", bias plane, activation after #"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unset := setFakeFlag(t, tc.flag, tc.value)
			defer func() {
				unset()
				if tc.reloadDW {
					b.dev.dw, b.dev.dwErr = nil, nil
				}
			}()
			if tc.reloadDW {
				b.dev.dw, b.dev.dwErr = nil, nil
			}
			b.WithPolicy(tc.forced)
			if tc.forcedErr != "" {
				_, err := b.Compile(g, w, opts)
				if err == nil || !strings.Contains(err.Error(), tc.forcedErr) {
					t.Fatalf("forced %s: err = %v, want %q", tc.forced, err, tc.forcedErr)
				}
			} else {
				p := compileAndCheck(t, b, g, w, opts)
				for i, r := range p.sel.records {
					if r.impl == implLt && tc.ltColOnly && !strings.Contains(r.name, "column-major inputs") {
						t.Errorf("chose %s with row-major inputs rejected", r.name)
					}
					if r.impl != implLt || p.l.Calls[i].Kind != callConvBiasAct {
						continue
					}
					if (tc.ltName != "" && !strings.Contains(r.name, tc.ltName)) || (tc.ltNotName != "" && strings.Contains(r.name, tc.ltNotName)) {
						t.Errorf("conv %d chose %q, want a name with %q and without %q", i, r.name, tc.ltName, tc.ltNotName)
					}
				}
				if _, lt := eligibleCounts(p, tc.biasEpilogue); implCounts(p)[implLt] != lt {
					t.Errorf("forced cuBLASLt runs %d of %d eligible convs", implCounts(p)[implLt], lt)
				}
			}
			b.WithPolicy(Policy{DWAuto, GEMMAuto})
			p := compileAndCheck(t, b, g, w, opts)
			got, k := implCounts(p), p.Info().Kernels
			if tc.autoNote != "" && !strings.Contains(k, tc.autoNote) {
				t.Errorf("Kernels %q does not say %q", k, tc.autoNote)
			}
			if (tc.autoNoDW && got[implDW] != 0) || (tc.autoNoLt && got[implLt] != 0) {
				t.Errorf("auto still chose a failing implementation: %v (%s)", got, k)
			}
		})
	}
}

// TestFakeLibsG4OneCall: for each of G4's four rows (paper Table 4), every
// fused conv step of the compiled program can run as one library call:
// the 1x1 convs as one cublasLtMatmul (bias plane as C with beta 1, ReLU
// in the epilogue) or, with a shortcut, which takes C, as one cuDNN fused
// call, the 3x3 conv as one
// cudnnConvolutionBiasActivationForward (identity activation with
// IMPLICIT_PRECOMP_GEMM where there is no ReLU), which runs on the fake.
func TestFakeLibsG4OneCall(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	defer b.WithPolicy(Policy{DWAuto, GEMMAuto})
	b.WithPolicy(Policy{DWAuto, GEMMLt})
	for _, v := range []struct {
		name               string
		noReLU, noShortcut bool
	}{{"ReLU+shortcut", false, false}, {"ReLU only", false, true}, {"shortcut only", true, false}, {"neither", true, true}} {
		t.Run(v.name, func(t *testing.T) {
			g := build(t, arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 2, Batch: 2, NoReLU: v.noReLU, NoShortcut: v.noShortcut})
			p := compileAndCheck(t, b, g, testWeights(g, 3), runner.Options{Mode: runner.Fused, CUDAGraph: true})
			convs := 0
			for _, op := range g.Ops {
				if op.Kind == arch.OpConv {
					convs++
				}
			}
			if len(p.l.Calls) != convs {
				t.Fatalf("%d lowered calls for %d convs", len(p.l.Calls), convs)
			}
			for i, c := range p.l.Calls {
				if n := p.first[i+1] - p.first[i]; ltEligible(c) == "" && n != 1 {
					t.Errorf("1x1 conv %d runs as %d calls (%s)", i, n, p.sel.records[i].name)
				}
				if ltEligible(c) == "" {
					continue
				}
				var one []string
				err := p.d.th.do(func() error {
					cands, err := p.cudnnCandidates(c, p.setups[i])
					if err != nil {
						return err
					}
					for _, cd := range cands {
						if cd.impl == implCudnnFused && len(cd.calls) == 1 && p.sel.probe(cd) == nil {
							one = append(one, cd.name)
						}
					}
					return nil
				})
				if err != nil || len(one) == 0 {
					t.Errorf("conv %d (act %d, residual %v): no one-call cuDNN implementation runs (%v)", i, c.Act, c.Alpha2 != 0, err)
				}
				if c.Act != actReLU && (len(one) != 1 || one[0] != "cudnn-fused IMPLICIT_PRECOMP_GEMM") {
					t.Errorf("conv %d without ReLU: one-call implementations %v, want IMPLICIT_PRECOMP_GEMM only", i, one)
				}
			}
		})
	}
}

// TestFakeLibsProfileKernels: a profile names what ran each step.
func TestFakeLibsProfileKernels(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	defer b.WithPolicy(Policy{DWAuto, GEMMAuto})
	b.WithPolicy(Policy{DWNVRTC, GEMMLt})
	g := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{2, 1, 1}, Classes: 5})
	p := compileAndCheck(t, b, g, testWeights(g, 2), runner.Options{Mode: runner.Fused, CUDAGraph: true})
	in := make([]float32, g.Tensors[g.Input].Shape.Elems())
	out := make([]float32, g.Tensors[g.Output].Shape.Elems())
	steps, err := p.Profile(context.Background(), in, out)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range steps {
		if s.Kernel == "" {
			t.Errorf("step %s has no kernel", s.Name)
		}
		for _, k := range []string{"dw3x3-nvrtc s1", "dw3x3-nvrtc s2", "cublasLt", "memcpy3d", "pool", "gemm"} {
			if strings.Contains(s.Kernel, k) {
				seen[k] = true
			}
		}
	}
	for _, k := range []string{"dw3x3-nvrtc s1", "dw3x3-nvrtc s2", "cublasLt", "memcpy3d", "pool", "gemm"} {
		if !seen[k] {
			t.Errorf("no step ran %s: %v", k, steps)
		}
	}
}

// liveAllocs reads the fake's count of cudaMalloc'd blocks not yet freed.
func liveAllocs(t *testing.T) int64 {
	t.Helper()
	p := fakeSym(t, "fake_live_allocs")
	return *(*int64)(*(*unsafe.Pointer)(unsafe.Pointer(&p)))
}

// TestFakeLibsFreesEverything: a program frees every block it allocated on
// Close, and a failed Compile frees what it had allocated; the bias planes
// of cuBLASLt candidates that were not chosen are freed once the choice is
// made, and only the chosen planes are counted in the program's bytes.
func TestFakeLibsFreesEverything(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	defer b.WithPolicy(Policy{DWAuto, GEMMAuto})
	// MobileNetV2 has residual convs and ReLU6 after the GEMM (which can
	// hide fake_wrong's extra 0.5); ShuffleNetV2's 1x1 convs have ReLU in
	// the epilogue, so a wrong GEMM loses every self-check there.
	mnv2 := build(t, arch.Spec{Family: arch.MobileNetV2, Width: 0.35, Res: 32, Classes: 4})
	snv2 := build(t, arch.Spec{Family: arch.ShuffleNetV2, Width: 0.5, Res: 32, Depths: []int{1, 1, 1}, Classes: 5, Batch: 2})
	for _, tc := range []struct {
		name    string
		g       *arch.Graph
		flag    string
		value   int32
		pol     Policy
		fails   bool
		noPlane bool // no chosen call reads a bias plane
	}{
		{name: "mnv2 auto", g: mnv2, pol: Policy{DWAuto, GEMMAuto}},
		{name: "mnv2 forced", g: mnv2, pol: Policy{DWNVRTC, GEMMLt}},
		{name: "snv2 cuBLASLt wrong, auto", g: snv2, flag: "fake_wrong", value: 2, pol: Policy{DWAuto, GEMMAuto}, noPlane: true},
		{name: "snv2 cuBLASLt wrong, forced", g: snv2, flag: "fake_wrong", value: 2, pol: Policy{DWAuto, GEMMLt}, fails: true},
		{name: "snv2 no cuBLASLt algorithm, auto", g: snv2, flag: "fake_lt_mode", value: 1, pol: Policy{DWAuto, GEMMAuto}, noPlane: true},
		{name: "mnv2 no cuBLASLt algorithm, forced", g: mnv2, flag: "fake_lt_mode", value: 1, pol: Policy{DWAuto, GEMMLt}, fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, w := tc.g, testWeights(tc.g, 4)
			if tc.flag != "" {
				defer setFakeFlag(t, tc.flag, tc.value)()
			}
			b.WithPolicy(tc.pol)
			before := liveAllocs(t)
			pr, err := b.Compile(g, w, runner.Options{Mode: runner.Fused, CUDAGraph: true})
			if tc.fails {
				if err == nil {
					pr.Close()
					t.Fatal("Compile succeeded")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				p := pr.(*program)
				var chosen int64
				for _, pl := range p.lt.planes {
					chosen += pl.bytes
				}
				if p.lt.planeBytes != chosen || (tc.noPlane && chosen != 0) || (!tc.noPlane && chosen == 0) {
					t.Errorf("planes after the choice: %d bytes counted, %d held (%d planes)", p.lt.planeBytes, chosen, len(p.lt.planes))
				}
				if err := pr.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if after := liveAllocs(t); after != before {
				t.Errorf("%d device blocks before, %d after", before, after)
			}
		})
	}
}

// TestFakeLibsResidualBiasRefusal: a conv with a bias and a residual is
// left to cuDNN under a forced cuBLASLt policy only when the library
// refused the bias epilogue and takes the same layouts without it; a
// library that refuses the matmul itself stays an error.
func TestFakeLibsResidualBiasRefusal(t *testing.T) {
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	g := build(t, arch.Spec{Family: arch.GuideG4, C: 16, Res: 5, Blocks: 1, Batch: 2, NoReLU: true})
	p := compileAndCheck(t, b, g, testWeights(g, 6), runner.Options{Mode: runner.Fused})
	var res *call
	for i, c := range p.l.Calls {
		if c.Kind == callConvBiasAct && c.Alpha2 != 0 && ltEligible(c) == "" {
			res = &p.l.Calls[i]
		}
	}
	if res == nil {
		t.Fatal("no 1x1 conv with a residual")
	}
	for _, tc := range []struct {
		mode       int32
		inexpr, ok bool
	}{{0, true, false}, {1, false, false}, {3, false, true}} {
		unset := setFakeFlag(t, "fake_lt_mode", tc.mode)
		var cs []candidate
		err := p.d.th.do(func() error {
			var err error
			cs, err = p.ltCandidates(*res, ltRowMajor)
			return err
		})
		unset()
		if got := errors.Is(err, errLtResidualBias); got != tc.inexpr || (err == nil) != tc.ok || (tc.ok && len(cs) == 0) {
			t.Errorf("fake_lt_mode %d: %d candidates, err %v; want inexpressible %v, ok %v", tc.mode, len(cs), err, tc.inexpr, tc.ok)
		}
	}
}
