package kernels

import (
	"fmt"
	"unsafe"
)

// dwLanes is the channel block of PackedDW: 16 channels (one zmm register).
const dwLanes = 16

// PackedDW holds depthwise conv weights (groups == channels) packed per 16-channel block as
// [bias(16), tap0(16), ..., tap(KH*KW-1)(16)], taps in row-major (ky, kx) order, zero-padded
// past C, and the same per 8-channel group for the AVX2 and generic kernels.
type PackedDW struct {
	C, KH, KW int
	data      []float32 // 16-lane blocks
	data8     []float32 // the same in 8-lane groups (AVX2 and generic kernels)
}

// PackDW packs w ([C][KH][KW], i.e. PyTorch's [C][1][KH][KW]) and bias (length c, or nil).
func PackDW(w []float32, bias []float32, c, kh, kw int) *PackedDW {
	if c <= 0 || kh <= 0 || kw <= 0 {
		panic(fmt.Sprintf("kernels: PackDW c=%d kh=%d kw=%d", c, kh, kw))
	}
	checkLen("PackDW w", len(w), c*kh*kw)
	if bias != nil {
		checkLen("PackDW bias", len(bias), c)
	}
	taps := kh * kw
	bs := (taps + 1) * dwLanes
	nb := (c + dwLanes - 1) / dwLanes
	data := make([]float32, nb*bs)
	for ch := 0; ch < c; ch++ {
		blk := data[(ch/dwLanes)*bs:]
		l := ch % dwLanes
		if bias != nil {
			blk[l] = bias[ch]
		}
		for t := 0; t < taps; t++ {
			blk[(t+1)*dwLanes+l] = w[ch*taps+t]
		}
	}
	gs := (taps + 1) * 8
	data8 := make([]float32, (c+7)/8*gs)
	for ch := 0; ch < c; ch++ {
		grp := data8[(ch/8)*gs:]
		src := data[(ch/dwLanes)*bs+ch%dwLanes:]
		for t := 0; t <= taps; t++ {
			grp[t*8+ch%8] = src[t*dwLanes]
		}
	}
	return &PackedDW{C: c, KH: kh, KW: kw, data: data, data8: data8}
}

func (w *PackedDW) block(cb int) []float32 {
	bs := (w.KH*w.KW + 1) * dwLanes
	return w.data[cb*bs : (cb+1)*bs]
}

// DWConv computes output rows [oy0,oy1) and channels [c0,c1) of one image of a depthwise
// conv with zero padding g.Pad and stride g.Stride. in and out point at channel 0, pixel 0 of
// their views (pixel strides g.InStride and g.OutStride).
func (ks *Set) DWConv(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	if oy0 >= oy1 || c0 >= c1 {
		return
	}
	if c0 < 0 || c1 > w.C || oy0 < 0 || oy1 > g.OutH || g.Stride < 1 || g.Pad < 0 {
		panic(fmt.Sprintf("kernels: DWConv bad args C=%d c=[%d,%d) oy=[%d,%d) %+v", w.C, c0, c1, oy0, oy1, g))
	}
	checkGeom("DWConv", in, out, g, c1, c1)
	ks.dwconv(in, out, w, g, c0, c1, oy0, oy1, act)
}

// checkGeom checks that in and out hold their views (cin and cout channels used).
func checkGeom(op string, in, out []float32, g Geom, cin, cout int) {
	if g.InStride < cin || g.OutStride < cout || g.InH < 1 || g.InW < 1 || g.OutW < 1 {
		panic(fmt.Sprintf("kernels: %s bad geometry %+v for %d/%d channels", op, g, cin, cout))
	}
	checkLen2(op, "in", len(in), viewLen(g.InH*g.InW, g.InStride, cin))
	checkLen2(op, "out", len(out), viewLen(g.OutH*g.OutW, g.OutStride, cout))
}

// tapRange returns the taps [t0,t1) of a window of size k starting at input coordinate i0
// that fall inside [0, n).
func tapRange(i0, k, n int) (int, int) {
	return max(0, -i0), min(k, n-i0)
}

// fullCols returns the output columns [xa, xb) whose whole k-wide window lies inside the
// input row; the columns outside it are edge columns with clipped windows. xa == xb when
// there is no such column.
func fullCols(outW, inW, k, stride, pad int) (xa, xb int) {
	xa = min((pad+stride-1)/stride, outW)
	if inW-k+pad >= 0 {
		xb = min((inW-k+pad)/stride+1, outW)
	}
	return xa, max(xb, xa)
}

// dwGeneric is the pure-Go depthwise conv: dw3x3Generic for 3x3 windows (ShuffleNet's and
// MobileNet's), dwTapsGeneric for the others.
func dwGeneric(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	if w.KH == 3 && w.KW == 3 {
		dw3x3Generic(in, out, w, g, c0, c1, oy0, oy1, act)
		return
	}
	dwTapsGeneric(in, out, w, g, c0, c1, oy0, oy1, act)
}

// dwTapsGeneric is the depthwise conv for any window: per output pixel, each group of 8
// channels wholly inside [c0,c1) keeps its 8 sums in registers over the window's taps
// (weights from the 8-lane packing), other channels take a per-lane loop.
func dwTapsGeneric(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	KW := w.KW
	gs := (w.KH*KW + 1) * 8
	rowStep := g.InW * g.InStride
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, w.KH, g.InH)
		for cg := c0 / 8; cg*8 < c1; cg++ {
			grp := w.data8[cg*gs : (cg+1)*gs]
			llo, lhi := max(c0-cg*8, 0), min(c1-cg*8, 8)
			whole := llo == 0 && lhi == 8
			for ox := 0; ox < g.OutW; ox++ {
				ix0 := ox*g.Stride - g.Pad
				kx0, kx1 := tapRange(ix0, KW, g.InW)
				o := out[(oy*g.OutW+ox)*g.OutStride:]
				if !whole {
					dwLanesGeneric(in, o[cg*8:], grp, g, iy0, ix0, ky0, ky1, kx0, kx1, KW, cg*8, llo, lhi, act)
					continue
				}
				b := (*[8]float32)(grp)
				a0, a1, a2, a3, a4, a5, a6, a7 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
				if accSub { // negated sums, as in gemmRows8
					a0, a1, a2, a3, a4, a5, a6, a7 = -a0, -a1, -a2, -a3, -a4, -a5, -a6, -a7
				}
				if kx0 < kx1 && ky0 < ky1 {
					// The window row's taps walk as one block (see gemmRows8 for why a
					// label and goto): their extent is checked against in and grp here.
					_ = in[(iy0+ky1-1)*rowStep+(ix0+kx1-1)*g.InStride+cg*8+7]
					_ = grp[((ky1-1)*KW+kx1)*8+7]
					wb := unsafe.Pointer(unsafe.SliceData(grp))
					for ky := ky0; ky < ky1; ky++ {
						xb := unsafe.Pointer(&in[(iy0+ky)*rowStep+(ix0+kx0)*g.InStride+cg*8])
						kx := kx0
					tap:
						x := (*[8]float32)(unsafe.Add(xb, 4*(kx-kx0)*g.InStride))
						wt := (*[8]float32)(unsafe.Add(wb, 32*(ky*KW+kx+1)))
						if accSub {
							a0 -= x[0] * wt[0]
							a1 -= x[1] * wt[1]
							a2 -= x[2] * wt[2]
							a3 -= x[3] * wt[3]
							a4 -= x[4] * wt[4]
							a5 -= x[5] * wt[5]
							a6 -= x[6] * wt[6]
							a7 -= x[7] * wt[7]
						} else {
							a0 += x[0] * wt[0]
							a1 += x[1] * wt[1]
							a2 += x[2] * wt[2]
							a3 += x[3] * wt[3]
							a4 += x[4] * wt[4]
							a5 += x[5] * wt[5]
							a6 += x[6] * wt[6]
							a7 += x[7] * wt[7]
						}
						kx++
						if kx < kx1 {
							goto tap
						}
					}
				}
				if accSub {
					a0, a1, a2, a3, a4, a5, a6, a7 = -a0, -a1, -a2, -a3, -a4, -a5, -a6, -a7
				}
				store8(o[cg*8:], 0, 8, a0, a1, a2, a3, a4, a5, a6, a7, act)
			}
		}
	}
}

// dw3x3Row computes output columns [lo,hi) of one row of a 3x3 depthwise conv whose windows
// there lie inside the input (top input row iy0), channels ch..ch+7 (packed in grp), writing
// the pixel lo+p's sums to o[p*ostride:] before the activation: pixel pairs by dw3x3Pairs
// (lanes 0-3, then 4-7), an odd last pixel by dw3x3Taps. It checks the extent they walk: every
// input read lies between the first window's first and the last window's last, and every
// output between o's first and the last pixel's eighth.
func dw3x3Row(in, o []float32, ostride int, grp []float32, g Geom, iy0, ch, lo, hi int) {
	rowStep := g.InW * g.InStride
	first := iy0*rowStep + (lo*g.Stride-g.Pad)*g.InStride + ch
	_ = in[(iy0+2)*rowStep+((hi-1)*g.Stride-g.Pad+2)*g.InStride+ch+7]
	_ = o[(hi-lo-1)*ostride+7]
	_ = grp[10*8-1]
	x, out, wb := unsafe.Pointer(&in[first]), unsafe.Pointer(&o[0]), unsafe.Pointer(&grp[0])
	rs, cs, step, ostep := uintptr(4*rowStep), uintptr(4*g.InStride), uintptr(4*g.Stride*g.InStride), uintptr(4*ostride)
	n := hi - lo
	if pairs := n / 2; pairs > 0 {
		for half := uintptr(0); half < 32; half += 16 { // lanes 0-3, then 4-7
			dw3x3Pairs(unsafe.Add(x, half), unsafe.Add(out, half), unsafe.Add(wb, half), pairs, rs, cs, step, ostep)
		}
	}
	if n%2 == 1 {
		var taps [9]unsafe.Pointer
		last := unsafe.Add(x, uintptr(n-1)*step)
		for t := range taps {
			taps[t] = unsafe.Add(last, uintptr(t/3)*rs+uintptr(t%3)*cs)
		}
		dw3x3Taps(&taps, unsafe.Add(out, uintptr(n-1)*ostep), wb)
	}
}

// dwChunk is the most output pixels a cut group's run computes into its buffer at a time.
const dwChunk = 64

// dw3x3Generic is the 3x3 depthwise conv, row by row and 8-channel group by group. The
// pixels whose window lies inside the input are one run per row (dw3x3Row); the others (the
// borders) take dw3x3Taps, whose table points the taps outside the input at zeros. A group
// cut by [c0,c1) computes all eight lanes, reading the input's neighbouring channels (their
// sums are not stored), where those lie inside in; elsewhere its lanes take a per-lane loop.
func dw3x3Generic(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	const gs = 10 * 8 // a group's packing: bias and nine taps
	var zero, sum [8]float32
	var part [dwChunk * 8]float32 // a cut group's run, before its lanes in [c0,c1) are stored
	var taps [9]unsafe.Pointer
	rowStep := g.InW * g.InStride
	runLo, runHi := fullCols(g.OutW, g.InW, 3, g.Stride, g.Pad)
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, 3, g.InH)
		lo, hi := g.OutW, g.OutW // this row's run
		if runLo < runHi && ky1-ky0 == 3 {
			lo, hi = runLo, runHi
		}
		for cg := c0 / 8; cg*8 < c1; cg++ {
			grp := w.data8[cg*gs : (cg+1)*gs]
			wb := unsafe.Pointer(&grp[0]) // gs floats, by the slice above
			ch := cg * 8
			l0, l1 := max(c0-ch, 0), min(c1-ch, 8)
			whole := l0 == 0 && l1 == 8
			// A cut group reads all eight lanes of a pixel only where they lie in in: at
			// input offsets (pixel x InStride) up to limit. That leaves out at most the last
			// pixels of the image, which take the per-lane loop.
			limit := len(in) - ch - 8
			runEnd := hi
			for !whole && runEnd > lo && (iy0+2)*rowStep+((runEnd-1)*g.Stride-g.Pad+2)*g.InStride > limit {
				runEnd--
			}
			for ox := 0; ox < g.OutW; ox++ {
				if ox == lo && lo < runEnd {
					if whole {
						o := out[(oy*g.OutW+lo)*g.OutStride+ch:]
						dw3x3Row(in, o, g.OutStride, grp, g, iy0, ch, lo, runEnd)
						if !act.none() {
							for p := range runEnd - lo {
								d := (*[8]float32)(o[p*g.OutStride:])
								for i := range d {
									d[i] = act.apply(d[i])
								}
							}
						}
					} else {
						for p0 := lo; p0 < runEnd; p0 += dwChunk {
							n := min(dwChunk, runEnd-p0)
							dw3x3Row(in, part[:], 8, grp, g, iy0, ch, p0, p0+n)
							for p := range n {
								s := (*[8]float32)(part[p*8:])
								store8(out[(oy*g.OutW+p0+p)*g.OutStride+ch:], l0, l1, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], act)
							}
						}
					}
					ox = runEnd - 1
					continue
				}
				ix0 := ox*g.Stride - g.Pad
				kx0, kx1 := tapRange(ix0, 3, g.InW)
				if !whole && ky0 < ky1 && kx0 < kx1 && (iy0+ky1-1)*rowStep+(ix0+kx1-1)*g.InStride > limit {
					dwLanesGeneric(in, out[(oy*g.OutW+ox)*g.OutStride+ch:], grp, g, iy0, ix0, ky0, ky1, kx0, kx1, 3, ch, l0, l1, act)
					continue
				}
				for t := range taps {
					taps[t] = unsafe.Pointer(&zero)
				}
				for ky := ky0; ky < ky1; ky++ {
					row := in[(iy0+ky)*rowStep+ch:]
					for kx := kx0; kx < kx1; kx++ {
						taps[ky*3+kx] = unsafe.Pointer(&row[(ix0+kx)*g.InStride])
					}
				}
				dw3x3Taps(&taps, unsafe.Pointer(&sum), wb)
				store8(out[(oy*g.OutW+ox)*g.OutStride+ch:], l0, l1, sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7], act)
			}
		}
	}
}

// dw3x3Pairs computes n pixel pairs (2n pixels) of four lanes of an 8-channel group of a 3x3
// depthwise conv whose windows lie inside the input, before the activation. x is the first
// window's top-left input (the four lanes' first channel), rs and cs the input's row and
// pixel strides, step the input advance per output pixel (stride times cs), o the first
// output and ostep the output pixel stride, all strides in bytes; wb points at the four
// lanes' bias in the group's packing [bias(8), tap0(8), ..., tap8(8)]. The window is unrolled
// into one block that ends with the pair's stores (see gemmRows8 for why one block); the
// sums start from the bias at each pair, so only the count and two offsets are carried
// between loop trips, and there is no index arithmetic. Each tap's four weights are loaded
// once for both pixels: 108 loads per 72 multiply-adds, where one 8-lane pixel takes 152
// (dw3x3Taps), so the loop is bound by the multiply-adds (with FMA), not the loads.
//
//go:noinline
func dw3x3Pairs(x, o, wb unsafe.Pointer, n int, rs, cs, step, ostep uintptr) {
	cs2 := 2 * cs
	var xo, oo uintptr // offsets of the pair's first window and output
pair:
	r0 := unsafe.Add(x, xo)
	r1, r2 := unsafe.Add(r0, rs), unsafe.Add(r0, 2*rs)
	q0 := unsafe.Add(r0, step)
	q1, q2 := unsafe.Add(q0, rs), unsafe.Add(q0, 2*rs)
	bias := (*[4]float32)(wb)
	a0, a1, a2, a3 := bias[0], bias[1], bias[2], bias[3]
	b0, b1, b2, b3 := a0, a1, a2, a3
	var xp, xq, wt *[4]float32
	var w float32
	xp, xq, wt = (*[4]float32)(r0), (*[4]float32)(q0), (*[4]float32)(unsafe.Add(wb, 32)) // tap (0,0)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(unsafe.Add(r0, cs)), (*[4]float32)(unsafe.Add(q0, cs)), (*[4]float32)(unsafe.Add(wb, 64)) // tap (0,1)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(unsafe.Add(r0, cs2)), (*[4]float32)(unsafe.Add(q0, cs2)), (*[4]float32)(unsafe.Add(wb, 96)) // tap (0,2)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(r1), (*[4]float32)(q1), (*[4]float32)(unsafe.Add(wb, 128)) // tap (1,0)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(unsafe.Add(r1, cs)), (*[4]float32)(unsafe.Add(q1, cs)), (*[4]float32)(unsafe.Add(wb, 160)) // tap (1,1)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(unsafe.Add(r1, cs2)), (*[4]float32)(unsafe.Add(q1, cs2)), (*[4]float32)(unsafe.Add(wb, 192)) // tap (1,2)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(r2), (*[4]float32)(q2), (*[4]float32)(unsafe.Add(wb, 224)) // tap (2,0)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(unsafe.Add(r2, cs)), (*[4]float32)(unsafe.Add(q2, cs)), (*[4]float32)(unsafe.Add(wb, 256)) // tap (2,1)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	xp, xq, wt = (*[4]float32)(unsafe.Add(r2, cs2)), (*[4]float32)(unsafe.Add(q2, cs2)), (*[4]float32)(unsafe.Add(wb, 288)) // tap (2,2)
	w = wt[0]
	a0, b0 = a0+xp[0]*w, b0+xq[0]*w
	w = wt[1]
	a1, b1 = a1+xp[1]*w, b1+xq[1]*w
	w = wt[2]
	a2, b2 = a2+xp[2]*w, b2+xq[2]*w
	w = wt[3]
	a3, b3 = a3+xp[3]*w, b3+xq[3]*w
	d := (*[4]float32)(unsafe.Add(o, oo))
	d[0], d[1], d[2], d[3] = a0, a1, a2, a3
	e := (*[4]float32)(unsafe.Add(o, oo+ostep))
	e[0], e[1], e[2], e[3] = b0, b1, b2, b3
	xo, oo = xo+2*step, oo+2*ostep
	n--
	if n > 0 {
		goto pair
	}
}

// dw3x3Taps computes one output pixel of one 8-channel group of a 3x3 depthwise conv into
// o (8 floats, before the activation), reading tap t's eight inputs at tp[t]: a window that
// leaves the input points those taps at zeros. It takes the border pixels and a run's odd
// last pixel; the nine taps are unrolled as in dw3x3Pairs, eight lanes each.
//
//go:noinline
func dw3x3Taps(tp *[9]unsafe.Pointer, o, wb unsafe.Pointer) {
	b := (*[8]float32)(wb)
	a0, a1, a2, a3, a4, a5, a6, a7 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
	var xp, wt *[8]float32
	xp, wt = (*[8]float32)(tp[0]), (*[8]float32)(unsafe.Add(wb, 32)) // tap (0,0)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[1]), (*[8]float32)(unsafe.Add(wb, 64)) // tap (0,1)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[2]), (*[8]float32)(unsafe.Add(wb, 96)) // tap (0,2)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[3]), (*[8]float32)(unsafe.Add(wb, 128)) // tap (1,0)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[4]), (*[8]float32)(unsafe.Add(wb, 160)) // tap (1,1)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[5]), (*[8]float32)(unsafe.Add(wb, 192)) // tap (1,2)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[6]), (*[8]float32)(unsafe.Add(wb, 224)) // tap (2,0)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[7]), (*[8]float32)(unsafe.Add(wb, 256)) // tap (2,1)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	xp, wt = (*[8]float32)(tp[8]), (*[8]float32)(unsafe.Add(wb, 288)) // tap (2,2)
	a0, a1, a2, a3 = a0+xp[0]*wt[0], a1+xp[1]*wt[1], a2+xp[2]*wt[2], a3+xp[3]*wt[3]
	a4, a5, a6, a7 = a4+xp[4]*wt[4], a5+xp[5]*wt[5], a6+xp[6]*wt[6], a7+xp[7]*wt[7]
	d := (*[8]float32)(o)
	d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = a0, a1, a2, a3, a4, a5, a6, a7
}

// dwLanesGeneric computes lanes [lo,hi) of the 8-channel group starting at channel ch0 of one
// output pixel o (a group cut by [c0,c1) or by the channel count).
func dwLanesGeneric(in, o, grp []float32, g Geom, iy0, ix0, ky0, ky1, kx0, kx1, KW, ch0, lo, hi int, act Act) {
	rowStep := g.InW * g.InStride
	for l := lo; l < hi; l++ {
		acc := grp[l]
		for ky := ky0; ky < ky1; ky++ {
			rowBase := (iy0+ky)*rowStep + ch0 + l
			for kx := kx0; kx < kx1; kx++ {
				acc += in[rowBase+(ix0+kx)*g.InStride] * grp[(ky*KW+kx+1)*8+l]
			}
		}
		o[l] = act.apply(acc)
	}
}
