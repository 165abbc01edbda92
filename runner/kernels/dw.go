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

// dwGeneric is the pure-Go depthwise conv: per output pixel, each group of 8 channels wholly
// inside [c0,c1) keeps its 8 sums in registers over the window's taps (weights from the
// 8-lane packing), other channels take a per-lane loop.
func dwGeneric(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	KW := w.KW
	gs := (w.KH*KW + 1) * 8
	rowStep := g.InW * g.InStride
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, w.KH, g.InH)
		for ox := 0; ox < g.OutW; ox++ {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, KW, g.InW)
			o := out[(oy*g.OutW+ox)*g.OutStride:]
			for cg := c0 / 8; cg*8 < c1; cg++ {
				grp := w.data8[cg*gs : (cg+1)*gs]
				lo, hi := max(c0-cg*8, 0), min(c1-cg*8, 8)
				if lo > 0 || hi < 8 {
					dwLanesGeneric(in, o[cg*8:], grp, g, iy0, ix0, ky0, ky1, kx0, kx1, KW, cg*8, lo, hi, act)
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
