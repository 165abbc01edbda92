//go:build amd64 && !noasm

package kernels

// dwAVX512 (dw_avx512_amd64.s) computes ncols output columns of one output row for the
// channel blocks [0, blockBytes/64) relative to in/out/w, with the nky x nkx tap window whose
// first tap is at in (for column 0) and whose first weight is at w+wTapOff bytes. Steps are
// in bytes. The last block uses lane mask lastMask, the others mask; lanes outside the mask
// are neither read nor written.
//
//go:noescape
func dwAVX512(in, out, w *float32, ncols, blockBytes, nky, nkx, colStep, tapStep, rowStep, outColStep, wTapOff, wRowStep, wBlockStep int, lo, hi float32, mask uint32, lastMask uint32)

// dw3x3AVX512 (dw3x3_avx512_amd64.s) is dwAVX512 specialised to a full 3x3 window (all taps
// inside the image): weights stay in registers, columns in groups of 8.
//
//go:noescape
func dw3x3AVX512(in, out, w *float32, ncols, blockBytes, colStep, tapStep, rowStep, outColStep, wBlockStep int, lo, hi float32, mask uint32, lastMask uint32)

// chanSegs splits channels [c0,c1) into at most 2 runs of 16-channel blocks: a partial
// first block when c0 is not block-aligned, then the remaining blocks, the last of which
// uses lastMask (the channel tail) and the others mask.
func chanSegs(c0, c1 int) (segs [2]chanSeg, n int) {
	cb0, cb1 := c0/dwLanes, (c1+dwLanes-1)/dwLanes // blocks [cb0, cb1)
	loMask := uint32(0xFFFF) &^ (1<<(c0-cb0*dwLanes) - 1)
	hiMask := uint32(1)<<(c1-(cb1-1)*dwLanes) - 1
	if cb1-cb0 == 1 {
		segs[0] = chanSeg{cb0, 1, loMask & hiMask, loMask & hiMask}
		return segs, 1
	}
	if loMask != 0xFFFF {
		segs[n] = chanSeg{cb0, 1, loMask, loMask}
		n++
		cb0++
	}
	segs[n] = chanSeg{cb0, cb1 - cb0, 0xFFFF, hiMask}
	return segs, n + 1
}

// chanSeg is a run of nb channel blocks starting at block cb; the last block uses lane mask
// lastMask, the others mask.
type chanSeg struct {
	cb, nb         int
	mask, lastMask uint32
}

// dwAVX512Conv is DWConv on AVX-512: per output row, the edge columns and the run of
// full-window columns each take one call per channel segment (dw3x3AVX512 for a full 3x3
// window, dwAVX512 otherwise).
func dwAVX512Conv(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	KW := w.KW
	bs := (w.KH*KW + 1) * dwLanes
	segs, nseg := chanSegs(c0, c1)
	st := g.steps()
	rg := newRunGrid(g, w.KH, KW)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, ky0, kx0, nky, nkx, inPix := rg.run(oy, ox)
			outPix := oy*g.OutW + ox
			full3x3 := w.KH == 3 && KW == 3 && nky == 3 && nkx == 3
			for _, s := range segs[:nseg] {
				ip, op, wp := &in[inPix*g.InStride+s.cb*dwLanes], &out[outPix*g.OutStride+s.cb*dwLanes], &w.data[s.cb*bs]
				if full3x3 {
					dw3x3AVX512(ip, op, wp, end-ox, s.nb*64, st.col, st.tap, st.row, st.out, bs*4,
						act.Lo, act.Hi, s.mask, s.lastMask)
					continue
				}
				dwAVX512(ip, op, wp, end-ox, s.nb*64, nky, nkx, st.col, st.tap, st.row, st.out,
					(ky0*KW+kx0+1)*64, KW*64, bs*4, act.Lo, act.Hi, s.mask, s.lastMask)
			}
			ox = end
		}
	}
}
