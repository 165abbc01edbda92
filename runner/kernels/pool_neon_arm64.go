//go:build arm64 && !noasm

package kernels

import "math"

// maxPoolNEON and avgPoolNEON (pool_neon_arm64.s) compute ncols output columns of one
// output row for nvec 4-channel vectors with one valid tap window; steps in bytes.
// Accumulators start at init; the result is multiplied by scale.
//
//go:noescape
func maxPoolNEON(in, out *float32, ncols, nvec, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)

//go:noescape
func avgPoolNEON(in, out *float32, ncols, nvec, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)

// globalAvgNEON sums pixels pixels (pixel stride stride bytes) per channel for nvec
// 4-channel vectors and multiplies by scale.
//
//go:noescape
func globalAvgNEON(in, out *float32, pixels, stride, nvec int, scale float32)

func maxPoolNEONPool(in, out []float32, g Geom, k, c, oy0, oy1 int) {
	poolNEON(in, out, g, k, c, oy0, oy1, true, false)
}

func avgPoolNEONPool(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool) {
	poolNEON(in, out, g, k, c, oy0, oy1, false, countIncludePad)
}

// poolNEON splits each output row into edge columns and the run of full-window columns
// and calls the row kernel once per run and vector run (channels [0,c) as whole vectors
// plus, for c not a multiple of 4, one vector overlapping the last whole one; c < 4 runs
// the generic kernel).
func poolNEON(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool) {
	runs, nrun, _, nrest := neonRuns(0, c, false)
	if nrest > 0 {
		if isMax {
			maxPoolGeneric(in, out, g, k, c, oy0, oy1)
		} else {
			avgPoolGeneric(in, out, g, k, c, oy0, oy1, includePad)
		}
		return
	}
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
			end := runEnd(ox, xa, xb)
			nky, nkx := max(ky1-ky0, 0), max(kx1-kx0, 0)
			inPix := 0
			if nky > 0 && nkx > 0 {
				inPix = (iy0+ky0)*g.InW + ix0 + kx0
			} else {
				nky = 0
			}
			outPix := oy*g.OutW + ox
			for _, r := range runs[:nrun] {
				ip, op := &in[inPix*g.InStride+r.ch], &out[outPix*g.OutStride+r.ch]
				if isMax {
					maxPoolNEON(ip, op, end-ox, r.nvec, nky, nkx, g.Stride*g.InStride*4, g.InStride*4, rowStep*4, g.OutStride*4, initV, 1)
				} else {
					avgPoolNEON(ip, op, end-ox, r.nvec, nky, nkx, g.Stride*g.InStride*4, g.InStride*4, rowStep*4, g.OutStride*4, initV, 1/float32(div))
				}
			}
			ox = end
		}
	}
}

func globalAvgNEONPool(in []float32, pixels, stride, c int, out []float32) {
	runs, nrun, _, nrest := neonRuns(0, c, false)
	if nrest > 0 {
		globalAvgGeneric(in, pixels, stride, c, out)
		return
	}
	scale := 1 / float32(pixels)
	for _, r := range runs[:nrun] {
		globalAvgNEON(&in[r.ch], &out[r.ch], pixels, stride*4, r.nvec, scale)
	}
}
