//go:build amd64 && !noasm

package kernels

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

// poolAVX512 is MaxPool (isMax) or AvgPool on AVX-512: one kernel call per column run and
// channel segment.
func poolAVX512(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool) {
	segs, nseg := chanSegs(0, c)
	kern, init := avgPoolAVX512, poolInit(isMax)
	if isMax {
		kern = maxPoolAVX512
	}
	st := g.steps()
	rg := newRunGrid(g, k, k)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, _, _, nky, nkx, inPix := rg.run(oy, ox)
			outPix := oy*g.OutW + ox
			scale := poolScale(g, k, oy, ox, isMax, includePad)
			for _, s := range segs[:nseg] {
				kern(&in[inPix*g.InStride+s.cb*dwLanes], &out[outPix*g.OutStride+s.cb*dwLanes], end-ox, s.nb*64,
					nky, nkx, st.col, st.tap, st.row, st.out, init, scale, s.mask, s.lastMask)
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
