//go:build amd64 && !noasm

package kernels

import "math"

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

func maxPoolAVX2Pool(in, out []float32, g Geom, k, c, oy0, oy1 int) {
	poolAVX2(in, out, g, k, c, oy0, oy1, true, false)
}

func avgPoolAVX2Pool(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool) {
	poolAVX2(in, out, g, k, c, oy0, oy1, false, countIncludePad)
}

// poolAVX2 is poolAVX512 with whole 8-channel groups and a masked tail group.
func poolAVX2(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool) {
	full := c / 8
	var mask [8]int32
	lanes8(&mask, 0, c%8)
	rowStep := g.InW * g.InStride
	initV := float32(0)
	if isMax {
		initV = float32(math.Inf(-1))
	}
	xa, xb := fullCols(g.OutW, g.InW, k, g.Stride, g.Pad)
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, k, g.InH)
		for ox := 0; ox < g.OutW; {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, k, g.InW)
			scale := 1 / float32(avgDivisor(iy0, ix0, ky0, ky1, kx0, kx1, k, g, includePad))
			end := runEnd(ox, xa, xb)
			nky, nkx := max(ky1-ky0, 0), max(kx1-kx0, 0)
			inPix := 0
			if nky > 0 && nkx > 0 {
				inPix = (iy0+ky0)*g.InW + ix0 + kx0
			} else {
				nky = 0
			}
			ip, op := inPix*g.InStride, (oy*g.OutW+ox)*g.OutStride
			cs, ts, rs, os := g.Stride*g.InStride*4, g.InStride*4, rowStep*4, g.OutStride*4
			if full > 0 {
				if isMax {
					maxPoolAVX2(&in[ip], &out[op], end-ox, full*32, nky, nkx, cs, ts, rs, os, initV, scale)
				} else {
					avgPoolAVX2(&in[ip], &out[op], end-ox, full*32, nky, nkx, cs, ts, rs, os, initV, scale)
				}
			}
			if c%8 != 0 {
				t := full * 8
				if isMax {
					maxPoolAVX2Tail(&in[ip+t], &out[op+t], end-ox, nky, nkx, cs, ts, rs, os, initV, scale, &mask[0])
				} else {
					avgPoolAVX2Tail(&in[ip+t], &out[op+t], end-ox, nky, nkx, cs, ts, rs, os, initV, scale, &mask[0])
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
