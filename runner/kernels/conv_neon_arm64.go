//go:build arm64 && !noasm

package kernels

// convNEON6 and convNEON8 (conv_neon_arm64.s) compute ncols output columns of one output
// row for one 32-channel output block: w points at the block's bias, wTapOff (bytes) at
// the weights of the first valid tap (ky0, kx0, 0); in points at that tap's input for
// column 0. They read nky x nkx x cin taps; steps are in bytes. Output channels outside
// mask are not written. convNEON6 computes channels 0..23 only (mask bits 24..31 clear:
// ShuffleNet's 24-channel stem) in groups of 4 pixels, convNEON8 all 32 in groups of 3.
//
//go:noescape
func convNEON6(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)

//go:noescape
func convNEON8(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)

// convNEONConv is Conv on NEON: per output row, column run and 32-channel output block one
// kernel call.
func convNEONConv(in, out []float32, w *PackedConv, g Geom, oy0, oy1 int, act Act) {
	cin, KW := w.Cin, w.KW
	bs := (w.KH*KW*cin + 1) * convNR
	rowStep := g.InW * g.InStride
	xa, xb := fullCols(g.OutW, g.InW, KW, g.Stride, g.Pad)
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, w.KH, g.InH)
		for ox := 0; ox < g.OutW; {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, KW, g.InW)
			end := runEnd(ox, xa, xb)
			nky, nkx := max(ky1-ky0, 0), max(kx1-kx0, 0)
			inPix := 0
			if nky > 0 && nkx > 0 {
				inPix = (iy0+ky0)*g.InW + ix0 + kx0
			} else {
				nky = 0
			}
			outPix := oy*g.OutW + ox
			for cb := 0; cb*convNR < w.Cout; cb++ {
				mask := panelMask(cb, 0, w.Cout)
				kern := convNEON8
				if mask>>24 == 0 {
					kern = convNEON6
				}
				kern(&in[inPix*g.InStride], &out[outPix*g.OutStride+cb*convNR], &w.data[cb*bs],
					end-ox, nky, nkx, cin, g.Stride*g.InStride*4, g.InStride*4, rowStep*4,
					((ky0*KW+kx0)*cin+1)*128, (KW-nkx)*cin*128, g.OutStride*4, act.Lo, act.Hi, mask)
			}
			ox = end
		}
	}
}
