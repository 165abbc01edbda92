package kernels

import "fmt"

// dwLanes is the channel block of PackedDW: 16 channels (one zmm register).
const dwLanes = 16

// PackedDW holds depthwise conv weights (groups == channels) packed per 16-channel block as
// [bias(16), tap0(16), ..., tap(KH*KW-1)(16)], taps in row-major (ky, kx) order, zero-padded
// past C, and the same per 8-channel group for the AVX2 kernels.
type PackedDW struct {
	C, KH, KW int
	data      []float32 // 16-lane blocks
	data8     []float32 // the same in 8-lane groups (AVX2 kernels)
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

// runEnd is the end of the column run starting at ox: the whole full-window run when ox
// starts it, else the single edge column.
func runEnd(ox, xa, xb int) int {
	if ox == xa && xb > xa {
		return xb
	}
	return ox + 1
}

func dwGeneric(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	KW := w.KW
	rowStep := g.InW * g.InStride
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, w.KH, g.InH)
		for ox := 0; ox < g.OutW; ox++ {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, KW, g.InW)
			o := out[(oy*g.OutW+ox)*g.OutStride:]
			for cb := c0 / dwLanes; cb*dwLanes < c1; cb++ {
				lo := max(c0-cb*dwLanes, 0)
				hi := min(c1-cb*dwLanes, dwLanes)
				blk := w.block(cb)
				var acc [dwLanes]float32
				copy(acc[:], blk[:dwLanes])
				for ky := ky0; ky < ky1; ky++ {
					rowBase := (iy0+ky)*rowStep + cb*dwLanes
					for kx := kx0; kx < kx1; kx++ {
						wt := (*[dwLanes]float32)(blk[(ky*KW+kx+1)*dwLanes:])
						src := in[rowBase+(ix0+kx)*g.InStride:]
						src = src[:hi]
						for l := lo; l < hi; l++ {
							acc[l] += src[l] * wt[l]
						}
					}
				}
				ob := o[cb*dwLanes:]
				ob = ob[:hi]
				for l := lo; l < hi; l++ {
					ob[l] = act.apply(acc[l])
				}
			}
		}
	}
}
