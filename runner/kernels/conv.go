package kernels

import "fmt"

// convNR is the output-channel block of PackedConv (two zmm registers).
const convNR = 32

// PackedConv holds dense KHxKW conv weights packed per 32-output-channel block as
// [bias(32), then for each (ky, kx, ci) in row-major order 32 output-channel weights],
// zero-padded past Cout.
type PackedConv struct {
	Cout, Cin, KH, KW int
	data              []float32
}

// PackConv packs w ([Cout][Cin][KH][KW], PyTorch OIHW) and bias (length cout, or nil).
func PackConv(w []float32, bias []float32, cout, cin, kh, kw int) *PackedConv {
	if cout <= 0 || cin <= 0 || kh <= 0 || kw <= 0 {
		panic(fmt.Sprintf("kernels: PackConv cout=%d cin=%d kh=%d kw=%d", cout, cin, kh, kw))
	}
	checkLen("PackConv w", len(w), cout*cin*kh*kw)
	if bias != nil {
		checkLen("PackConv bias", len(bias), cout)
	}
	taps := kh * kw * cin
	bs := (taps + 1) * convNR
	nb := (cout + convNR - 1) / convNR
	data := make([]float32, nb*bs)
	for co := 0; co < cout; co++ {
		blk := data[(co/convNR)*bs:]
		l := co % convNR
		if bias != nil {
			blk[l] = bias[co]
		}
		for ci := 0; ci < cin; ci++ {
			for ky := 0; ky < kh; ky++ {
				for kx := 0; kx < kw; kx++ {
					t := (ky*kw+kx)*cin + ci
					blk[(t+1)*convNR+l] = w[((co*cin+ci)*kh+ky)*kw+kx]
				}
			}
		}
	}
	return &PackedConv{Cout: cout, Cin: cin, KH: kh, KW: kw, data: data}
}

func (w *PackedConv) block(cb int) []float32 {
	bs := (w.KH*w.KW*w.Cin + 1) * convNR
	return w.data[cb*bs : (cb+1)*bs]
}

// Conv computes output rows [oy0,oy1) of a dense conv (all Cout channels) of one image with
// zero padding g.Pad and stride g.Stride. in holds Cin channels per pixel, out Cout.
func (ks *Set) Conv(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act) {
	if oy0 >= oy1 {
		return
	}
	if oy0 < 0 || oy1 > g.OutH || g.Stride < 1 || g.Pad < 0 {
		panic(fmt.Sprintf("kernels: Conv bad args oy=[%d,%d) %+v", oy0, oy1, g))
	}
	checkGeom("Conv", in, out, g, w.Cin, w.Cout)
	ks.conv(in, out, w, g, oy0, oy1, act)
}

// convPatchBuf bounds the im2col scratch of convGeneric (floats, on the stack): a chunk of
// output pixels whose patches (KH*KW*Cin taps each) fit is turned into GEMM rows.
const convPatchBuf = 2048

// convGeneric is the pure-Go dense conv: im2col of a chunk of output pixels of one row into a
// stack buffer (zeros for padding), then the generic GEMM's tiles (gemmPanelCols) over each
// of the packed blocks (whose layout is a GEMM panel: bias, then one 32-wide
// row per tap).
// Patches too long for the buffer take the direct path.
func convGeneric(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act) {
	taps := w.KH * w.KW * w.Cin
	if taps > convPatchBuf {
		convDirectGeneric(in, out, w, g, oy0, oy1, act)
		return
	}
	var buf [convPatchBuf]float32
	chunk := convPatchBuf / taps
	for oy := oy0; oy < oy1; oy++ {
		for ox0 := 0; ox0 < g.OutW; ox0 += chunk {
			n := min(chunk, g.OutW-ox0)
			patches := buf[:n*taps]
			im2colRow(in, patches, w, g, oy, ox0, n)
			for cb := 0; cb*convNR < w.Cout; cb++ {
				blk := w.block(cb)
				hi := min(w.Cout-cb*convNR, convNR)
				o := (oy*g.OutW+ox0)*g.OutStride + cb*convNR
				gemmPanelCols(n, taps, patches, taps, blk, 0, hi, out[o:], g.OutStride, act)
			}
		}
	}
}

// im2colRow writes the patches of output pixels (oy, ox0..ox0+n-1) to dst, taps in the
// packed (ky, kx, ci) order, zeros where the window leaves the image.
func im2colRow(in, dst []float32, w *PackedConv, g Geom, oy, ox0, n int) {
	cin := w.Cin
	iy0 := oy*g.Stride - g.Pad
	for i := range n {
		ix0 := (ox0+i)*g.Stride - g.Pad
		d := dst[i*w.KH*w.KW*cin:]
		rowWhole := ix0 >= 0 && ix0+w.KW <= g.InW && g.InStride == cin
		for ky := range w.KH {
			iy := iy0 + ky
			if rowWhole && iy >= 0 && iy < g.InH {
				// The window row's KW*cin taps are contiguous in a dense NHWC input.
				row := d[ky*w.KW*cin : (ky+1)*w.KW*cin]
				copySmall(row, in[(iy*g.InW+ix0)*cin:])
				continue
			}
			for kx := range w.KW {
				ix := ix0 + kx
				t := d[(ky*w.KW+kx)*cin : (ky*w.KW+kx+1)*cin]
				if iy < 0 || iy >= g.InH || ix < 0 || ix >= g.InW {
					clear(t)
					continue
				}
				copySmall(t, in[(iy*g.InW+ix)*g.InStride:])
			}
		}
	}
}

// copySmall copies len(dst) floats from src: an element loop for the few floats of a stem
// window row (a runtime memmove call per row costs more than the copy), copy otherwise.
func copySmall(dst, src []float32) {
	src = src[:len(dst)]
	if len(dst) >= 16 {
		copy(dst, src)
		return
	}
	for c, v := range src {
		dst[c] = v
	}
}

// convDirectGeneric is the direct dense conv for patches longer than convPatchBuf.
func convDirectGeneric(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act) {
	cin, KW := w.Cin, w.KW
	rowStep := g.InW * g.InStride
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, w.KH, g.InH)
		for ox := 0; ox < g.OutW; ox++ {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, KW, g.InW)
			o := out[(oy*g.OutW+ox)*g.OutStride:]
			for cb := 0; cb*convNR < w.Cout; cb++ {
				blk := w.block(cb)
				var acc [convNR]float32
				copy(acc[:], blk[:convNR])
				for ky := ky0; ky < ky1; ky++ {
					for kx := kx0; kx < kx1; kx++ {
						src := in[(iy0+ky)*rowStep+(ix0+kx)*g.InStride:]
						src = src[:cin]
						t0 := (ky*KW + kx) * cin
						for ci, v := range src {
							wt := (*[convNR]float32)(blk[(t0+ci+1)*convNR:])
							for j := range wt {
								acc[j] += v * wt[j]
							}
						}
					}
				}
				hi := min(w.Cout-cb*convNR, convNR)
				ob := o[cb*convNR:]
				ob = ob[:hi]
				for j := range ob {
					ob[j] = act.apply(acc[j])
				}
			}
		}
	}
}
