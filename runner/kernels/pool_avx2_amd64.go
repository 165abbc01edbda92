//go:build amd64 && !noasm

package kernels

// AVX2 pooling kernels (pool_avx2_amd64.s); see poolAVX2.

//go:noescape
func maxPoolAVX2(in, out *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)

//go:noescape
func maxPoolAVX2Tail(in, out *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask *int32)

//go:noescape
func avgPoolAVX2(in, out *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)

//go:noescape
func avgPoolAVX2Tail(in, out *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask *int32)

// globalAvgAVX2 averages whole 8-channel groups [0, groupBytes/32) over pixels pixels.
//
//go:noescape
func globalAvgAVX2(in, out *float32, pixels, stride, groupBytes int, scale float32)

// poolAVX2 is MaxPool (isMax) or AvgPool on AVX2: per column run one call for the whole
// 8-channel groups and one masked call for a channel tail.
func poolAVX2(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool) {
	full := c / 8
	var mask [8]int32
	lanes8(&mask, 0, c%8)
	kern, init := avgPoolAVX2, poolInit(isMax)
	if isMax {
		kern = maxPoolAVX2
	}
	st := g.steps()
	rg := newRunGrid(g, k, k)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, _, _, nky, nkx, inPix := rg.run(oy, ox)
			outPix := oy*g.OutW + ox
			scale := poolScale(g, k, oy, ox, isMax, includePad)
			ip, op := inPix*g.InStride, outPix*g.OutStride
			if full > 0 {
				kern(&in[ip], &out[op], end-ox, full*32, nky, nkx, st.col, st.tap, st.row, st.out, init, scale)
			}
			if t := full * 8; t < c {
				// Direct calls: go:noescape holds for those only, so through a func value
				// &mask[0] would move mask to the heap.
				if isMax {
					maxPoolAVX2Tail(&in[ip+t], &out[op+t], end-ox, nky, nkx, st.col, st.tap, st.row, st.out, init, scale, &mask[0])
				} else {
					avgPoolAVX2Tail(&in[ip+t], &out[op+t], end-ox, nky, nkx, st.col, st.tap, st.row, st.out, init, scale, &mask[0])
				}
			}
			ox = end
		}
	}
}

func globalAvgAVX2Pool(in []float32, pixels, stride, c int, out []float32) {
	full := c / 8
	scale := 1 / float32(pixels)
	if full > 0 {
		globalAvgAVX2(&in[0], &out[0], pixels, stride, full*32, scale)
	}
	// Channel tail (< 8 channels): plain Go.
	t := full * 8
	if t < c {
		o := out[t:c]
		clear(o)
		for p := 0; p < pixels; p++ {
			src := in[p*stride+t : p*stride+c]
			for j, v := range src {
				o[j] += v
			}
		}
		for j := range o {
			o[j] *= scale
		}
	}
}
