//go:build arm64 && !noasm

package kernels

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

// poolNEON is MaxPool (isMax) or AvgPool on NEON: one kernel call per column run and
// vector run (channels [0,c) as whole vectors plus, for c not a multiple of 4, one vector
// overlapping the last whole one; c < 4 runs the generic kernel).
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
	kern, init := avgPoolNEON, poolInit(isMax)
	if isMax {
		kern = maxPoolNEON
	}
	st := g.steps()
	rg := newRunGrid(g, k, k)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, _, _, nky, nkx, inPix := rg.run(oy, ox)
			outPix := oy*g.OutW + ox
			scale := poolScale(g, k, oy, ox, isMax, includePad)
			for _, v := range runs[:nrun] {
				kern(&in[inPix*g.InStride+v.ch], &out[outPix*g.OutStride+v.ch], end-ox, v.nvec, nky, nkx,
					st.col, st.tap, st.row, st.out, init, scale)
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
