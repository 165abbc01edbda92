//go:build amd64 && !noasm

package kernels

// dwAVX2 (dw_avx2_amd64.s) is dwAVX512 for 8-channel groups [0, groupBytes/32) of the 8-lane
// weight packing, whole groups only.
//
//go:noescape
func dwAVX2(in, out, w *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep, wTapOff, wRowStep, wGroupStep int, lo, hi float32)

// dwAVX2Tail computes one partial 8-channel group (lanes with mask[l] < 0).
//
//go:noescape
func dwAVX2Tail(in, out, w *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep, wTapOff, wRowStep int, lo, hi float32, mask *int32)

// lanes8 sets mask[l] = -1 for the lanes l in [lo, hi) and 0 elsewhere.
func lanes8(mask *[8]int32, lo, hi int) {
	for l := range mask {
		mask[l] = 0
		if l >= lo && l < hi {
			mask[l] = -1
		}
	}
}

// dwAVX2Conv is DWConv on AVX2: whole 8-channel groups through dwAVX2, a partial group at
// either end through dwAVX2Tail.
func dwAVX2Conv(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	KW := w.KW
	gs := (w.KH*KW + 1) * 8 // floats per 8-lane group
	// Whole groups [f0, f1); partial groups at either end use the tail kernel.
	g0, g1 := c0/8, (c1+7)/8
	f0, f1 := (c0+7)/8, c1/8
	var headMask, tailMask [8]int32
	head, tail := c0%8 != 0, c1%8 != 0 && g1-1 >= f0
	if g1-g0 == 1 && (head || c1%8 != 0) { // one partial group holds both ends
		head, tail = true, false
		lanes8(&headMask, c0-g0*8, c1-g0*8)
	} else {
		lanes8(&headMask, c0-g0*8, 8)
		lanes8(&tailMask, 0, c1-(g1-1)*8)
	}
	st := g.steps()
	rg := newRunGrid(g, w.KH, KW)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, ky0, kx0, nky, nkx, inPix := rg.run(oy, ox)
			tapOff := (ky0*KW + kx0 + 1) * 32
			ip, op := inPix*g.InStride, (oy*g.OutW+ox)*g.OutStride
			if head {
				dwAVX2Tail(&in[ip+g0*8], &out[op+g0*8], &w.data8[g0*gs], end-ox, nky, nkx,
					st.col, st.tap, st.row, st.out, tapOff, KW*32, act.Lo, act.Hi, &headMask[0])
			}
			if f1 > f0 {
				dwAVX2(&in[ip+f0*8], &out[op+f0*8], &w.data8[f0*gs], end-ox, (f1-f0)*32, nky, nkx,
					st.col, st.tap, st.row, st.out, tapOff, KW*32, gs*4, act.Lo, act.Hi)
			}
			if tail {
				dwAVX2Tail(&in[ip+(g1-1)*8], &out[op+(g1-1)*8], &w.data8[(g1-1)*gs], end-ox, nky, nkx,
					st.col, st.tap, st.row, st.out, tapOff, KW*32, act.Lo, act.Hi, &tailMask[0])
			}
			ox = end
		}
	}
}
