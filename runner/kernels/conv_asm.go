//go:build (amd64 || arm64) && !noasm

package kernels

// convBlockKernel is a direct-conv asm kernel over one 32-channel output block
// (convAVX512, convAVX512Y, convNEON8, convNEON6): ncols output columns of one output row,
// w at the block's bias, wTapOff (bytes) at the weights of the first inside tap (ky0, kx0,
// 0), in at that tap's input for the first column; nky x nkx x cin taps; steps in bytes.
// Output channels outside mask are not written.
type convBlockKernel func(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)

// convBlocks is the Conv of a set whose kernels compute whole 32-channel blocks: wide for
// any block, narrow for a block with at most 24 live channels (mask bits 24..31 clear;
// ShuffleNet's 24-channel stem), which costs fewer FMAs.
type convBlocks struct{ wide, narrow convBlockKernel }

// conv makes one kernel call per output row, column run and 32-channel output block.
func (k convBlocks) conv(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act) {
	cin, KW := w.Cin, w.KW
	bs := (w.KH*KW*cin + 1) * convNR
	st := g.steps()
	rg := newRunGrid(g, w.KH, KW)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, ky0, kx0, nky, nkx, inPix := rg.run(oy, ox)
			outPix := oy*g.OutW + ox
			for cb := 0; cb*convNR < w.Cout; cb++ {
				mask := panelMask(cb, 0, w.Cout)
				kern := k.wide
				if mask>>24 == 0 {
					kern = k.narrow
				}
				kern(&in[inPix*g.InStride], &out[outPix*g.OutStride+cb*convNR], &w.data[cb*bs],
					end-ox, nky, nkx, cin, st.col, st.tap, st.row,
					((ky0*KW+kx0)*cin+1)*128, (KW-nkx)*cin*128, st.out, act.Lo, act.Hi, mask)
			}
			ox = end
		}
	}
}
