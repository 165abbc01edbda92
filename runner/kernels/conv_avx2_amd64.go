//go:build amd64 && !noasm

package kernels

// convAVX2 (conv_avx2_amd64.s) is convAVX512 for one 16-channel half of a packed block (w
// points at the half's bias; tap rows stay 32 floats apart); it stores all 16 channels.
//
//go:noescape
func convAVX2(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32)

// convScratchCols is the number of columns a partial half computes per call into scratch.
const convScratchCols = 64

// convAVX2Conv is Conv on AVX2: per output row, column run and 16-channel half one kernel
// call; halves with fewer live channels go through a scratch row.
func convAVX2Conv(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act) {
	cin, KW := w.Cin, w.KW
	bs := (w.KH*KW*cin + 1) * convNR
	st := g.steps()
	var scratch [convScratchCols * 16]float32
	rg := newRunGrid(g, w.KH, KW)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, ky0, kx0, nky, nkx, inPix := rg.run(oy, ox)
			tapOff, skip := ((ky0*KW+kx0)*cin+1)*128, (KW-nkx)*cin*128
			for h := 0; h*16 < w.Cout; h++ {
				wp := &w.data[(h/2)*bs+(h%2)*16]
				live := min(w.Cout-h*16, 16)
				if live == 16 {
					convAVX2(&in[inPix*g.InStride], &out[(oy*g.OutW+ox)*g.OutStride+h*16], wp,
						end-ox, nky, nkx, cin, st.col, st.tap, st.row, tapOff, skip, st.out, act.Lo, act.Hi)
					continue
				}
				for x0 := ox; x0 < end; x0 += convScratchCols {
					n := min(end-x0, convScratchCols)
					convAVX2(&in[(inPix+(x0-ox)*g.Stride)*g.InStride], &scratch[0], wp,
						n, nky, nkx, cin, st.col, st.tap, st.row, tapOff, skip, 64, act.Lo, act.Hi)
					for x := 0; x < n; x++ {
						o := (oy*g.OutW+x0+x)*g.OutStride + h*16
						copy(out[o:o+live], scratch[x*16:x*16+live])
					}
				}
			}
			ox = end
		}
	}
}
