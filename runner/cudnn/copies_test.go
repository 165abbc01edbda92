package cudnn

import (
	"math/rand/v2"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
)

// applyDesc visits every element of a 4-D strided descriptor in dims order
// and returns the element offsets (cudnnTransformTensor's addressing:
// offset = Off + sum(index_i * stride_i)).
func applyDesc(d desc) []int64 {
	var out []int64
	for a := 0; a < d.Dims[0]; a++ {
		for b := 0; b < d.Dims[1]; b++ {
			for c := 0; c < d.Dims[2]; c++ {
				for e := 0; e < d.Dims[3]; e++ {
					out = append(out, d.Off+int64(a*d.Strides[0]+b*d.Strides[1]+c*d.Strides[2]+e*d.Strides[3]))
				}
			}
		}
	}
	return out
}

// runCopies executes the copies on CPU buffers: every source buffer element
// holds its own code, so the destination shows where each element came from.
func runCopies(t *testing.T, ops []copyOp, bufs map[int][]float64, dstBuf int) []int {
	t.Helper()
	writes := make([]int, len(bufs[dstBuf]))
	for _, op := range ops {
		if op.X.Dims != op.Y.Dims {
			t.Fatalf("copy with different dims %v and %v", op.X.Dims, op.Y.Dims)
		}
		for _, s := range append(op.X.Strides[:], op.Y.Strides[:]...) {
			if s <= 0 {
				t.Fatalf("non-positive stride in %+v", op)
			}
		}
		xs, ys := applyDesc(op.X), applyDesc(op.Y)
		if op.Y.Buf != dstBuf {
			t.Fatalf("copy writes buffer %d, want %d", op.Y.Buf, dstBuf)
		}
		for i := range xs {
			src := bufs[op.X.Buf]
			if xs[i] < 0 || xs[i] >= int64(len(src)) || ys[i] < 0 || ys[i] >= int64(len(bufs[dstBuf])) {
				t.Fatalf("copy %+v addresses out of bounds (x %d of %d, y %d)", op, xs[i], len(src), ys[i])
			}
			bufs[dstBuf][ys[i]] = src[xs[i]]
			writes[ys[i]]++
		}
	}
	return writes
}

// code identifies element (image n, channel c, pixel p) of buffer b.
func code(b, n, c, p int) float64 { return float64(b*1e7 + n*1e5 + c*100 + p) }

func fillCodes(b, n, ctot, hw int) []float64 {
	out := make([]float64, n*ctot*hw)
	for i := 0; i < n; i++ {
		for c := 0; c < ctot; c++ {
			for p := 0; p < hw; p++ {
				out[(i*ctot+c)*hw+p] = code(b, i, c, p)
			}
		}
	}
	return out
}

// checkGather runs planCopies and checks, element by element, that channel
// o of dst holds channel from[o] of its source, written exactly once, and
// that nothing outside the destination's channel range is touched.
func checkGather(t *testing.T, sources []loc, from []chanRef, dst loc, n, hw int) []copyOp {
	t.Helper()
	bufs := map[int][]float64{}
	for _, s := range sources {
		if _, ok := bufs[s.Buf]; !ok {
			bufs[s.Buf] = fillCodes(s.Buf, n, s.Ctot, hw)
		}
	}
	if _, ok := bufs[dst.Buf]; ok {
		t.Fatal("test setup: destination shares a buffer with a source")
	}
	bufs[dst.Buf] = make([]float64, n*dst.Ctot*hw)
	for i := range bufs[dst.Buf] {
		bufs[dst.Buf][i] = -1
	}
	ops := planCopies(sources, from, dst, n, hw)
	writes := runCopies(t, ops, bufs, dst.Buf)
	y := bufs[dst.Buf]
	for i := 0; i < n; i++ {
		for c := 0; c < dst.Ctot; c++ {
			for p := 0; p < hw; p++ {
				at := (i*dst.Ctot+c)*hw + p
				o := c - dst.ChanOff
				if o < 0 || o >= len(from) {
					if writes[at] != 0 {
						t.Fatalf("element n%d c%d p%d outside the destination range was written", i, c, p)
					}
					continue
				}
				s := sources[from[o].Src]
				want := code(s.Buf, i, s.ChanOff+from[o].Ch, p)
				if writes[at] != 1 || y[at] != want {
					t.Fatalf("out channel %d (n%d p%d): got %v written %d times, want %v", o, i, p, y[at], writes[at], want)
				}
			}
		}
	}
	return ops
}

func TestPlanCopiesPermutations(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	randPerm := func(c int) []int { return rnd.Perm(c) }
	tests := []struct {
		name string
		perm []int
		// maxOps is the transform count the decomposition should reach:
		// one for a g-group shuffle (see TestShuffleDescriptorPair) and for the even/odd
		// permutation; 0 means "any" (random permutations).
		maxOps int
	}{
		{"shuffle g=2 C=116 (SNv2 1.0x stage 2)", arch.GroupShufflePerm(116, 2), 1},
		{"shuffle g=3 C=240 (SNv1 g=3)", arch.GroupShufflePerm(240, 3), 1},
		{"shuffle g=8 C=48", arch.GroupShufflePerm(48, 8), 1},
		{"riffle 58|58 = channel_shuffle(2)", arch.RifflePerm(58, 58), 1},
		{"riffle 3|5", arch.RifflePerm(3, 5), 3},
		{"riffle 7|2", arch.RifflePerm(7, 2), 3},
		{"riffle 1|1", arch.RifflePerm(1, 1), 1},
		{"even/odd C=48 (megvii)", arch.EvenOddPerm(48), 1},
		{"identity C=10", arch.GroupShufflePerm(10, 1), 1},
		{"random C=17", randPerm(17), 0},
		{"random C=64", randPerm(64), 0},
	}
	for _, tc := range tests {
		for _, nhw := range [][2]int{{1, 1}, {1, 9}, {3, 4}} {
			c := len(tc.perm)
			// a source that is a channel view of a wider buffer, a
			// destination that is a view too
			src := loc{Buf: 1, ChanOff: 2, Ctot: c + 5}
			dst := loc{Buf: 2, ChanOff: 1, Ctot: c + 3}
			ops := checkGather(t, []loc{src}, permFrom(tc.perm), dst, nhw[0], nhw[1])
			if tc.maxOps > 0 && len(ops) > tc.maxOps {
				t.Errorf("%s (n=%d hw=%d): %d transforms, want at most %d", tc.name, nhw[0], nhw[1], len(ops), tc.maxOps)
			}
		}
	}
}

// TestShuffleDescriptorPair checks the 2-group shuffle of N=1, C=2K
// against the descriptor pair that does it in one cudnnTransformTensor
// (the group index as the outer dimension; x strides
// K*H*W, H*W, W, 1 over dims (2, K, H, W); y strides H*W, 2*H*W, W, 1), with
// H and W merged into one dimension.
func TestShuffleDescriptorPair(t *testing.T) {
	const k, h, w = 58, 28, 28
	ops := planCopies([]loc{{Buf: 0, Ctot: 2 * k}}, permFrom(arch.GroupShufflePerm(2*k, 2)), loc{Buf: 1, Ctot: 2 * k}, 1, h*w)
	if len(ops) != 1 {
		t.Fatalf("%d transforms, want 1", len(ops))
	}
	// The dimension order of the transform is free; compare the set of
	// (size, x stride, y stride) triples of the non-batch dims.
	x, y := ops[0].X, ops[0].Y
	got := map[[3]int]bool{}
	for i := 1; i < 4; i++ {
		got[[3]int{x.Dims[i], x.Strides[i], y.Strides[i]}] = true
	}
	want := [][3]int{{2, k * h * w, h * w}, {k, h * w, 2 * h * w}, {h * w, 1, 1}}
	for _, tr := range want {
		if !got[tr] {
			t.Errorf("transform x=%+v y=%+v lacks dim (size %d, x stride %d, y stride %d)", x, y, tr[0], tr[1], tr[2])
		}
	}
	if x.Off != 0 || y.Off != 0 || x.Dims[0] != 1 {
		t.Errorf("transform x=%+v y=%+v: want zero offsets and batch 1", x, y)
	}
}

func TestPlanCopiesConcat(t *testing.T) {
	tests := []struct {
		name   string
		chans  []int
		perm   func(c []int) []int
		shared bool // sources are slots of one buffer
		maxOps int
	}{
		// SNv2 stride-1 unit, concat fused into the shuffle: one transform per source.
		{"concat 58|58 + riffle", []int{58, 58}, func(c []int) []int { return arch.RifflePerm(c[0], c[1]) }, false, 2},
		{"concat 24|40 + riffle", []int{24, 40}, func(c []int) []int { return arch.RifflePerm(c[0], c[1]) }, false, 3},
		{"concat 5|3 + riffle", []int{5, 3}, func(c []int) []int { return arch.RifflePerm(c[0], c[1]) }, false, 3},
		// both halves in one buffer: a single transform, as for eager mode
		{"one buffer 58|58 + riffle", []int{58, 58}, func(c []int) []int { return arch.RifflePerm(c[0], c[1]) }, true, 1},
		{"plain concat 3 sources", []int{4, 1, 7}, func([]int) []int { return nil }, false, 3},
	}
	for _, tc := range tests {
		for _, nhw := range [][2]int{{1, 1}, {2, 6}} {
			var srcs []loc
			off := 0
			for i, c := range tc.chans {
				if tc.shared {
					total := 0
					for _, cc := range tc.chans {
						total += cc
					}
					srcs = append(srcs, loc{Buf: 10, ChanOff: off, Ctot: total})
					off += c
				} else {
					srcs = append(srcs, loc{Buf: 10 + i, ChanOff: i, Ctot: c + 2*i})
				}
			}
			total := 0
			for _, c := range tc.chans {
				total += c
			}
			ops := checkGather(t, srcs, concatFrom(tc.chans, tc.perm(tc.chans)), loc{Buf: 1, Ctot: total}, nhw[0], nhw[1])
			if len(ops) > tc.maxOps {
				t.Errorf("%s (n=%d hw=%d): %d transforms, want at most %d", tc.name, nhw[0], nhw[1], len(ops), tc.maxOps)
			}
		}
	}
}

func TestTdesc(t *testing.T) {
	s := arch.Shape{N: 2, C: 3, H: 4, W: 5}
	d := tdesc(loc{Buf: 7, ChanOff: 6, Ctot: 10}, s)
	// strides of a channel view of a 10-channel NCHW buffer: image 10*20, channel 20, row 5
	if d.Buf != 7 || d.Off != 6*20 || d.Dims != [4]int{2, 3, 4, 5} || d.Strides != [4]int{200, 20, 5, 1} {
		t.Errorf("tdesc = %+v", d)
	}
	if d.packedDims() {
		t.Error("channel view of N=2 reported packed")
	}
	if !tdesc(loc{Ctot: 3}, s).packedDims() {
		t.Error("packed tensor reported strided")
	}
	if !tdesc(loc{ChanOff: 1, Ctot: 9}, arch.Shape{N: 1, C: 3, H: 4, W: 5}).packedDims() {
		t.Error("channel view of an N=1 tensor should be packed")
	}
}

// TestPitchedCopy checks that every copy the lowering emits which
// pitchedCopy turns into a cudaMemcpy3DAsync moves exactly the elements the
// strided descriptors say (cudnnTransformTensor semantics): the byte-level
// 3-D copy of the CUDA runtime documentation (slice z, row y, byte x at
// ptr + z*pitch*ysize + y*pitch + x) is emulated on index arrays. ShuffleNet
// v2's copies (shuffle, split, concat) must all fit, so that the GPU runs no
// cudnnTransformTensor for them.
func TestPitchedCopy(t *testing.T) {
	for _, tc := range testSpecs {
		for _, batch := range []int{1, 3} {
			for _, mode := range []runner.Mode{runner.Eager, runner.Fused} {
				spec := tc.spec
				spec.Batch = batch
				g := build(t, spec)
				l, err := lowerWith(g, testWeights(g, 1), mode, false)
				if err != nil {
					t.Fatal(err)
				}
				fits, copies := 0, 0
				for i, c := range l.Calls {
					if c.Kind != callCopy {
						continue
					}
					copies++
					m, ok := pitchedCopy(c.X, c.Y, uintptr(4*c.X.Off), uintptr(4*c.Y.Off))
					if !ok {
						continue
					}
					fits++
					// want: destination element -> source element, from the descriptors.
					want := map[int64]int64{}
					D := c.X.Dims
					for n := 0; n < D[0]; n++ {
						for a := 0; a < D[1]; a++ {
							for b := 0; b < D[2]; b++ {
								for w := 0; w < D[3]; w++ {
									at := func(d desc) int64 {
										return d.Off + int64(n*d.Strides[0]+a*d.Strides[1]+b*d.Strides[2]+w*d.Strides[3])
									}
									want[at(c.Y)] = at(c.X)
								}
							}
						}
					}
					got := map[int64]int64{}
					for z := uintptr(0); z < m.Depth; z++ {
						for y := uintptr(0); y < m.Height; y++ {
							for x := uintptr(0); x < m.Width; x += 4 {
								src := m.SrcPtr + z*m.SrcPitch*m.SrcYSize + y*m.SrcPitch + x
								dst := m.DstPtr + z*m.DstPitch*m.DstYSize + y*m.DstPitch + x
								got[int64(dst/4)] = int64(src / 4)
							}
						}
					}
					if len(got) != len(want) || m.Kind != cudaMemcpyDeviceToDevice || m.SrcXSize > m.SrcPitch || m.DstXSize > m.DstPitch {
						t.Fatalf("%s n%d %s call %d: memcpy3D %+v moves %d elements, descriptors %d", tc.name, batch, mode, i, *m, len(got), len(want))
					}
					for d, s := range want {
						if got[d] != s {
							t.Fatalf("%s n%d %s call %d (x %+v y %+v): element %d from %d, want from %d", tc.name, batch, mode, i, c.X, c.Y, d, got[d], s)
						}
					}
				}
				// The fused torchvision-layout ShuffleNetV2 (split 0.5) copies
				// one branch at a time; a whole-tensor shuffle in one
				// descriptor (eager mode, unequal splits, megvii) interleaves
				// two runs and stays a cudnnTransformTensor.
				if spec.Family == arch.ShuffleNetV2 && spec.Layout == "" && spec.Split == 0 && mode == runner.Fused && fits != copies {
					t.Errorf("%s n%d %s: %d of %d copies fit a pitched copy, want all", tc.name, batch, mode, fits, copies)
				}
			}
		}
	}
}
