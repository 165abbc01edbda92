//go:build amd64 && !noasm

package kernels

import "math"

// maxPoolAVX512 and avgPoolAVX512 (pool_avx512_amd64.s) compute ncols output columns of one
// output row over the channel blocks [0, blockBytes/64) with one valid tap window; steps in
// bytes. Accumulators start at init; the average multiplies by scale.
//
//go:noescape
func maxPoolAVX512(in, out *float32, ncols, blockBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask uint32, lastMask uint32)

//go:noescape
func avgPoolAVX512(in, out *float32, ncols, blockBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask uint32, lastMask uint32)

// globalAvgAVX512 sums pixels pixels (pixel stride stride elements) per channel for the
// channel blocks [0, blockBytes/64) and multiplies by scale.
//
//go:noescape
func globalAvgAVX512(in, out *float32, pixels, stride, blockBytes int, scale float32, mask uint32)

func maxPoolAVX512Pool(in, out []float32, g Geom, k, c, oy0, oy1 int) {
	poolAVX512(in, out, g, k, c, oy0, oy1, true, false)
}

func avgPoolAVX512Pool(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool) {
	poolAVX512(in, out, g, k, c, oy0, oy1, false, countIncludePad)
}

// poolAVX512 splits each output row into edge columns and the run of full-window columns
// and calls the row kernel once per run and channel segment.
func poolAVX512(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool) {
	segs, nseg := chanSegs(0, c)
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
			div := avgDivisor(iy0, ix0, ky0, ky1, kx0, kx1, k, g, includePad)
			// Full-window columns share the window and the divisor (k*k columns wide).
			end := runEnd(ox, xa, xb)
			nky, nkx := max(ky1-ky0, 0), max(kx1-kx0, 0)
			inPix := 0
			if nky > 0 && nkx > 0 {
				inPix = (iy0+ky0)*g.InW + ix0 + kx0
			} else {
				nky = 0
			}
			outPix := oy*g.OutW + ox
			for _, s := range segs[:nseg] {
				ip, op := &in[inPix*g.InStride+s.cb*dwLanes], &out[outPix*g.OutStride+s.cb*dwLanes]
				if isMax {
					maxPoolAVX512(ip, op, end-ox, s.nb*64, nky, nkx, g.Stride*g.InStride*4, g.InStride*4, rowStep*4, g.OutStride*4, initV, 1, s.mask, s.lastMask)
				} else {
					avgPoolAVX512(ip, op, end-ox, s.nb*64, nky, nkx, g.Stride*g.InStride*4, g.InStride*4, rowStep*4, g.OutStride*4, initV, 1/float32(div), s.mask, s.lastMask)
				}
			}
			ox = end
		}
	}
}

func globalAvgAVX512Pool(in []float32, pixels, stride, c int, out []float32) {
	segs, nseg := chanSegs(0, c)
	scale := 1 / float32(pixels)
	for _, s := range segs[:nseg] {
		nb := s.nb
		if s.lastMask != s.mask {
			nb--
			last := s.cb + nb
			globalAvgAVX512(&in[last*dwLanes], &out[last*dwLanes], pixels, stride, 64, scale, s.lastMask)
		}
		if nb > 0 {
			globalAvgAVX512(&in[s.cb*dwLanes], &out[s.cb*dwLanes], pixels, stride, nb*64, scale, s.mask)
		}
	}
}
