package main

import (
	"fmt"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
)

// work counts, for one layer category, how often each costed block runs (block key ->
// executions: an innermost loop "function/label" per iteration, a label region
// "function/label:region" per pass), the asm calls, and the useful multiply-adds.
type work struct {
	runs  map[string]float64
	calls float64
	madds float64
}

// loop adds n iterations of the innermost loop at label of fn.
func (w *work) loop(fn, label string, n int) { w.addKey(fn+"/"+label, n) }

// region adds n passes through the code below label of fn ("entry": the prologue).
func (w *work) region(fn, label string, n int) { w.addKey(fn+"/"+label+":region", n) }

func (w *work) addKey(key string, n int) {
	if w.runs == nil {
		w.runs = map[string]float64{}
	}
	w.runs[key] += float64(n)
}

// call adds n calls of fn (its prologue region).
func (w *work) call(fn string, n int) {
	w.calls += float64(n)
	w.region(fn, "entry", n)
}

// gemmTile mirrors neonTiles in runner/kernels/gemm_neon_arm64.go: the microkernel for a
// half-panel of v 4-column vectors and its rows. Every tile kernel is the body
// gemm_neon_tile.h, so their labels are the same (tile, loop, tail, rem, remb, remc, done,
// store, masked, next).
type gemmTile struct {
	fn string
	mr int
}

var gemmTiles = [4]gemmTile{{"gemm8x4", 8}, {"gemm8x8", 8}, {"gemm6x12", 6}, {"gemm6x16", 6}}

// kRem adds the k-remainder regions of a kernel (labels tail, rem, remb, remc of a tile
// kernel, sfx ""; gemm1x16's tail1, rem1, rem1b, rem1c, sfx "1") for n tiles with k%4 =
// rem.
func (w *work) kRem(fn, sfx string, rem, n int) {
	w.region(fn, "tail"+sfx, n)
	if rem > 0 {
		w.region(fn, "rem"+sfx, n)
		w.region(fn, "rem"+sfx+"c", n)
	}
	if rem >= 2 {
		w.region(fn, "rem"+sfx+"b", n)
	}
}

// gemm adds C[M x N] = A[M x K] B: 32-column panels in 16-column halves, each half in tiles
// of its width's microkernel, a one-row remainder (and M = 1) through gemm1x16
// (gemmNEON's decomposition for the column range [0, N)).
func (w *work) gemm(m, n, k int) {
	for lo := 0; lo < n; lo += 16 {
		cols := min(16, n-lo)
		if m == 1 {
			w.gemv(k, cols)
			continue
		}
		v := (cols + 3) / 4
		t := gemmTiles[v-1]
		tiles := m / t.mr
		if m%t.mr > 1 {
			tiles++
		}
		maxTiles := max(1, (1<<20)/(2*t.mr*4*v*k))
		calls := (m/t.mr + maxTiles - 1) / maxTiles
		if m%t.mr > 1 {
			calls++
		}
		w.call(t.fn, calls)
		w.region(t.fn, "tile", tiles)
		w.loop(t.fn, "loop", tiles*(k/4))
		w.kRem(t.fn, "", k%4, tiles)
		w.region(t.fn, "done", tiles)
		if cols%4 == 0 {
			w.region(t.fn, "store", tiles)
		} else {
			w.region(t.fn, "masked", tiles)
		}
		w.region(t.fn, "next", tiles)
		if m%t.mr == 1 {
			w.gemv(k, cols)
		}
	}
}

// gemv adds one gemm1x16 call (one row, a 16-column half-panel with cols live columns).
func (w *work) gemv(k, cols int) {
	const fn = "gemm1x16"
	w.call(fn, 1)
	w.loop(fn, "loop1", k/8)
	w.region(fn, "half1", 1)
	if k%8 >= 4 {
		w.region(fn, "four1", 1)
	}
	w.kRem(fn, "1", k%4, 1)
	w.region(fn, "done1", 1)
	if cols == 16 {
		w.region(fn, "store1", 1)
	} else {
		w.region(fn, "masked1", 1)
	}
}

// fullCols mirrors runner/kernels fullCols: the output columns whose k-wide window lies
// inside the input row.
func fullCols(outW, inW, k, stride, pad int) (int, int) {
	xa := min((pad+stride-1)/stride, outW)
	xb := 0
	if inW-k+pad >= 0 {
		xb = min((inW-k+pad)/stride+1, outW)
	}
	return xa, max(xb, xa)
}

// taps is the number of the k taps starting at i0 that fall inside [0, n).
func taps(i0, k, n int) int { return max(0, min(k, n-i0)-max(0, -i0)) }

// neonVecs is the number of 4-channel vectors channels [0, c) run as (whole vectors plus
// one overlapping vector for a tail), as neonRuns splits them (c >= 4, tail in one block).
func neonVecs(c int) int { return (c + 3) / 4 }

// dw adds a 3x3 depthwise conv (pad 1) over c channels: per output row the full-window
// columns through dw3x3s1NEON / dw3x3s2NEON, the edge columns through dwNEON.
func (w *work) dw(in arch.Shape, out arch.Shape, stride int) {
	nv := neonVecs(in.C)
	runs := 1
	if in.C%4 != 0 {
		runs = 2
	}
	xa, xb := fullCols(out.W, in.W, 3, stride, 1)
	full := xb - xa
	for oy := 0; oy < out.H; oy++ {
		nky := taps(oy*stride-1, 3, in.H)
		if full > 0 {
			// dw3x3s1NEON and dw3x3s2NEON: the labels of dw3x3_neon_body.h.
			fn, g := "dw3x3s1NEON", 8
			if stride != 1 {
				fn, g = "dw3x3s2NEON", 4
			}
			w.call(fn, runs)
			w.region(fn, "vec", nv)
			w.loop(fn, "group", nv*(full/g))
			if stride == 1 && full%8 >= 4 {
				w.region(fn, "quad", nv)
				w.region(fn, "qstore", nv)
			}
			w.region(fn, "single", nv)
			w.loop(fn, "one", nv*(full%4))
			w.region(fn, "vnext", nv)
		}
		for ox := 0; ox < out.W; ox++ {
			if ox >= xa && ox < xb {
				continue
			}
			const fn = "dwNEON"
			nkx := taps(ox*stride-1, 3, in.W)
			w.call(fn, runs)
			w.region(fn, "vecg", nv)
			w.region(fn, "colg", nv)
			w.region(fn, "rowg", nv*nky)
			w.loop(fn, "tapg", nv*nky*nkx)
			w.region(fn, "rownextg", nv*nky)
			w.region(fn, "storeg", nv)
			w.region(fn, "vnextg", nv)
		}
	}
}

// stem adds the dense 3x3 stride-2 conv of 3 input channels to 24 outputs (convNEON6: 4
// pixels x 24 channels per group, one call per row and column run; labels of
// conv_neon_body.h).
func (w *work) stem(in, out arch.Shape, k, stride, pad int) {
	const fn = "convNEON6"
	eachColumnRun(in, out, k, stride, pad, func(nky, ncols, nkx int) {
		g := (ncols + 3) / 4
		w.call(fn, 1)
		w.region(fn, "group", g)
		w.region(fn, "ky", g*nky)
		w.region(fn, "kx", g*nky*nkx)
		w.loop(fn, "ci", g*nky*nkx*in.C)
		w.region(fn, "kxnext", g*nky*nkx)
		w.region(fn, "kynext", g*nky)
		w.region(fn, "done", g)
		w.region(fn, "store", g)
		w.region(fn, "next", g)
	})
}

// eachColumnRun calls add once per output row for the run of columns whose
// k-wide window lies inside the input row (ncols of them, nkx = k taps)
// and once per edge column (ncols = 1, its taps inside the row), with the
// row's vertical taps nky: how the NEON stem and pooling wrappers call
// their kernels.
func eachColumnRun(in, out arch.Shape, k, stride, pad int, add func(nky, ncols, nkx int)) {
	xa, xb := fullCols(out.W, in.W, k, stride, pad)
	for oy := 0; oy < out.H; oy++ {
		nky := taps(oy*stride-pad, k, in.H)
		if xb > xa {
			add(nky, xb-xa, k)
		}
		for ox := 0; ox < out.W; ox++ {
			if ox < xa || ox >= xb {
				add(nky, 1, taps(ox*stride-pad, k, in.W))
			}
		}
	}
}

// maxpool adds a k x k max pool (maxPoolNEON: groups of 4 vectors, then single vectors).
func (w *work) maxpool(in, out arch.Shape, k, stride, pad int) {
	const fn = "maxPoolNEON"
	nv := neonVecs(in.C)
	g, s := nv/4, nv%4
	eachColumnRun(in, out, k, stride, pad, func(nky, ncols, nkx int) {
		w.call(fn, 1)
		w.region(fn, "col", ncols)
		w.window(fn, "g", "group", ncols*g, nky, nkx)
		w.region(fn, "single", ncols)
		w.window(fn, "o", "one", ncols*s, nky, nkx)
		w.region(fn, "colnext", ncols)
	})
}

// window adds n passes of a pooling window over its nky x nkx taps, as
// maxPoolNEON's labels name them: the pass's start (label start), per row
// <p>ky, the tap loop <p>kx and <p>kynext, then <p>done.
func (w *work) window(fn, p, start string, n, nky, nkx int) {
	w.region(fn, start, n)
	w.region(fn, p+"ky", n*nky)
	w.loop(fn, p+"kx", n*nky*nkx)
	w.region(fn, p+"kynext", n*nky)
	w.region(fn, p+"done", n)
}

// gap adds the global average pool (globalAvgNEON).
func (w *work) gap(in arch.Shape) {
	const fn = "globalAvgNEON"
	nv := neonVecs(in.C)
	px := in.H * in.W
	w.call(fn, 1)
	w.region(fn, "ggroup", nv/4)
	w.loop(fn, "gpix", (nv/4)*px)
	w.region(fn, "gstore", nv/4)
	w.region(fn, "gsingle", 1)
	w.region(fn, "gone", nv%4)
	w.loop(fn, "gopix", (nv%4)*px)
	w.region(fn, "gostore", nv%4)
}

// copyRun adds a strided channel copy of c channels over px pixels (ChannelAffine identity,
// affineNEON's clamp-only path).
func (w *work) copyRun(c, px int) {
	const fn = "affineNEON"
	w.call(fn, 1)
	w.region(fn, "cpix", px)
	w.loop(fn, "cgroup", px*(c/16))
	w.region(fn, "csingle", px)
	w.loop(fn, "cvec", px*((c/4)%4))
	w.region(fn, "ctail", px)
	w.loop(fn, "cscalar", px*(c%4))
	w.region(fn, "cnext", px)
}

// category names a group of layers in the model's table.
type category struct {
	name string
	w    work
}

// shuffleNetV2Model counts the NEON kernel block executions of ShuffleNetV2 1.0x (224x224,
// batch 1, 1000 classes) in the fused plan: every non-view step of arch.FusedPlan by its
// anchor op (a split, concat or shuffle step by its Copies, strided channel copies), plus
// the input conversion (NCHW planes to NHWC).
func shuffleNetV2Model() ([]*category, error) {
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Split: 0.5, Groups: 1,
		Depths: []int{4, 8, 4}, Res: 224, Batch: 1, Classes: 1000})
	if err != nil {
		return nil, err
	}
	cats := []*category{{name: "1x1 conv (GEMM)"}, {name: "depthwise 3x3"}, {name: "stem conv 3x3"},
		{name: "max pool"}, {name: "global avg pool"}, {name: "fc (GEMV)"}, {name: "copies (input conversion, plan copies)"}}
	byName := map[string]*category{}
	for _, c := range cats {
		byName[c.name] = c
	}
	plan := arch.FusedPlan(g)
	rep := cost.Analyze(g, &plan) // Rows[i] is the cost of plan.Steps[i]
	for i, st := range plan.Steps {
		if st.View {
			continue
		}
		op := &g.Ops[st.Ops[0]]
		in, out := g.In(op, 0), g.Out(op, 0)
		var c *category
		switch {
		case len(st.Copies) > 0:
			c = byName["copies (input conversion, plan copies)"]
			for _, t := range st.Copies {
				s := g.Tensors[t].Shape
				c.w.copyRun(s.C, s.H*s.W)
			}
		case op.Kind == arch.OpConv && op.Conv.KH == 1 && op.Conv.KW == 1 && op.Conv.Groups == 1:
			c = byName["1x1 conv (GEMM)"]
			c.w.gemm(out.H*out.W, out.C, in.C)
		case op.Kind == arch.OpConv && op.Conv.Depthwise(in.C) && op.Conv.KH == 3:
			c = byName["depthwise 3x3"]
			c.w.dw(in, out, op.Conv.Stride)
		case op.Kind == arch.OpConv && op.Conv.Groups == 1 && out.C <= 24:
			c = byName["stem conv 3x3"]
			c.w.stem(in, out, op.Conv.KH, op.Conv.Stride, op.Conv.Pad)
		case op.Kind == arch.OpMaxPool:
			c = byName["max pool"]
			c.w.maxpool(in, out, op.Pool.K, op.Pool.Stride, op.Pool.Pad)
		case op.Kind == arch.OpGlobalAvgPool:
			c = byName["global avg pool"]
			c.w.gap(in)
		case op.Kind == arch.OpFC:
			c = byName["fc (GEMV)"]
			c.w.gemm(1, out.C, in.C)
		default:
			return nil, fmt.Errorf("model: no NEON kernel for step %s (%s)", op.ID, op.Kind)
		}
		c.w.madds += float64(rep.Rows[i].MultAdds)
	}
	cp := byName["copies (input conversion, plan copies)"]
	in := g.Tensors[g.Input].Shape
	cp.w.call("interleave3NEON", 1)
	cp.w.loop("interleave3NEON", "iloop", in.H*in.W/4)
	return cats, nil
}
