//go:build linux && (amd64 || arm64)

package cudnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/shufflelab/explorer/arch"
)

// fakeSym returns a symbol of the fake libraries (skipping where no C
// compiler builds them).
func fakeSym(t *testing.T, name string) uintptr {
	t.Helper()
	b := fakeBackend(t)
	if err := b.Available(); err != nil {
		t.Fatal(err)
	}
	for _, h := range b.dev.a.handles {
		if p, err := purego.Dlsym(h, name); err == nil && p != 0 {
			return p
		}
	}
	t.Fatalf("%s not found in the fake libraries", name)
	return 0
}

// setFakeFlag sets an int flag of the fake libraries and returns a
// function that clears it.
func setFakeFlag(t *testing.T, name string, v int32) func() {
	t.Helper()
	p := fakeSym(t, name)
	flag := (*int32)(*(*unsafe.Pointer)(unsafe.Pointer(&p)))
	*flag = v
	return func() { *flag = 0 }
}

// heapFloats returns n zeros on the heap. The kernel's parameters hold the
// buffers' addresses as uintptrs, which do not follow a goroutine stack
// that moves; a small make() may live on the stack (Go 1.25+), so the
// buffers the fake kernel reads and writes are made here.
//
//go:noinline
func heapFloats(n int) []float32 { return make([]float32, n) }

// TestDWKernelOnCPU runs dwkernel.cu, compiled by the host C compiler with
// testdata/cudashim.h into the fake libraries, over its whole grid on the
// CPU, through the same parameter array cuLaunchKernel gets, and compares
// it with runner/reference on awkward shapes: one and odd channel counts,
// odd and tiny planes, stride 1 and 2, batch > 1, channel-slot views of
// wider buffers, with and without bias, every activation, and a grid too
// small for one thread per output (the grid-stride loop). Nothing outside
// the output slot may change.
func TestDWKernelOnCPU(t *testing.T) {
	launch := fakeSym(t, "fake_launch")
	r := rand.New(rand.NewPCG(14, 2))
	rnd := func(n int) []float32 {
		out := heapFloats(n)
		for i := range out {
			out[i] = float32(2 * r.NormFloat64())
		}
		return out
	}
	type shape struct{ n, c, h, w int }
	for _, sh := range []shape{{1, 1, 1, 1}, {1, 7, 5, 9}, {3, 7, 8, 3}, {2, 3, 2, 2}, {3, 1, 7, 7}} {
		for _, stride := range []int{1, 2} {
			for _, act := range []actKind{actNone, actReLU, actReLU6} {
				for _, bias := range []bool{false, true} {
					for _, smallGrid := range []bool{false, true} {
						name := fmt.Sprintf("%dx%dx%dx%d/s%d/act%d/bias=%v/grid1=%v", sh.n, sh.c, sh.h, sh.w, stride, act, bias, smallGrid)
						t.Run(name, func(t *testing.T) {
							in := arch.Shape{N: sh.n, C: sh.c, H: sh.h, W: sh.w}
							out := arch.Shape{N: sh.n, C: sh.c, H: (sh.h-1)/stride + 1, W: (sh.w-1)/stride + 1}
							x := tdesc(loc{ChanOff: 1, Ctot: sh.c + 3}, in)
							y := tdesc(loc{ChanOff: 2, Ctot: sh.c + 2}, out)
							xbuf := heapFloats(sh.n * (sh.c + 3) * sh.h * sh.w)
							ybuf := heapFloats(sh.n * (sh.c + 2) * out.H * out.W)
							for i := range xbuf {
								xbuf[i] = float32(math.NaN()) // outside the slot: must not be read
							}
							for i := range ybuf {
								ybuf[i] = 99
							}
							xs := rnd(int(in.Elems()))
							xv := view{d: x}
							for n := range sh.n {
								for c := range sh.c {
									for i := range sh.h * sh.w {
										xbuf[xv.idx(n, c, 0, 0)+int64(i)] = xs[(n*sh.c+c)*sh.h*sh.w+i]
									}
								}
							}
							w, b := rnd(sh.c*9), rnd(sh.c)
							kind, a := callConv, arch.ConvAttr{KH: 3, KW: 3, Stride: stride, Pad: 1, Groups: sh.c}
							if bias || act != actNone {
								kind = callConvBiasAct
							}
							c := call{Kind: kind, X: x, Y: y, W: desc{Dims: [4]int{sh.c, 1, 3, 3}}, Act: act,
								Conv: convAttr{PadH: 1, PadW: 1, StrideH: stride, StrideW: stride, Groups: sh.c}}
							if why := dwEligible(c); why != "" {
								t.Fatalf("not eligible: %s", why)
							}
							args := dwLaunch(c)
							if smallGrid {
								args.Grid, args.Block = 1, 32
							}
							var bp uintptr
							var refB []float32
							if bias {
								bp, refB, a.Bias = uintptr(unsafe.Pointer(&b[0])), b, true
							}
							// The data pointers address the slots, as program.ptr does.
							prm := newDWParams(uintptr(unsafe.Pointer(&xbuf[x.Off])), uintptr(unsafe.Pointer(&w[0])), bp,
								uintptr(unsafe.Pointer(&ybuf[y.Off])), args)
							kname := cBytes(args.Kernel)
							rc, _, _ := purego.SyscallN(launch, uintptr(unsafe.Pointer(&kname[0])), uintptr(args.Grid), uintptr(args.Block),
								uintptr(unsafe.Pointer(&prm.ptrs[0])))
							if rc != 0 {
								t.Fatalf("fake_launch: %d", rc)
							}
							want := refConv(t, in, out, a, w, refB, xs, nil, act)
							checkSlot(t, y, len(ybuf), func(k int64) float64 { return float64(ybuf[k]) }, want)
						})
					}
				}
			}
		}
	}
}
