//go:build arm64 && !noasm

package kernels

// NEON depthwise kernels (dw_neon_arm64.s): ncols output columns of one output row for
// nvec 4-channel vectors; w points at the first vector's bias lanes in the packed
// 16-channel blocks and vib is that vector's position in its block (0..3); steps in bytes.

// dw3x3s1NEON is a full-width 3x3 window at stride 1 over nky (1..3) input rows whose
// weights start wTapOff bytes after the bias.
//
//go:noescape
func dw3x3s1NEON(in, out, w *float32, ncols, nvec, vib, nky, wTapOff, colStep, rowStep, outColStep, wBlockSkip int, lo, hi float32)

// dw3x3s2NEON is dw3x3s1NEON at stride 2 (taps tapStep apart, columns colStep apart).
//
//go:noescape
func dw3x3s2NEON(in, out, w *float32, ncols, nvec, vib, nky, wTapOff, colStep, rowStep, outColStep, wBlockSkip int, lo, hi float32, tapStep int)

// dwNEON is any nky x nkx window (the edges, other kernel sizes and strides).
//
//go:noescape
func dwNEON(in, out, w *float32, ncols, nvec, vib, nky, nkx, wTapOff, wRowStep, colStep, tapStep, rowStep, outColStep, wBlockSkip int, lo, hi float32)

// vecRun is a run of nvec 4-channel vectors starting at channel ch.
type vecRun struct{ ch, nvec int }

// neonRuns splits channels [c0,c1) into at most 3 runs of 4-channel vectors: the aligned
// vectors inside [c0,c1), and for an unaligned c0 or c1 one vector [c0,c0+4) or [c1-4,c1)
// that overlaps its neighbour (the overlapped channels are computed twice with the same
// result, so only out-of-place kernels may use them). With blocks, such a vector must lie
// in one 16-channel block (packed depthwise weights); channels no vector may cover, and
// ranges narrower than a vector, are returned as at most 2 ranges for the generic kernel.
func neonRuns(c0, c1 int, blocks bool) (runs [3]vecRun, n int, rest [2][2]int, nrest int) {
	if c1-c0 < 4 {
		rest[0] = [2]int{c0, c1}
		return runs, 0, rest, 1
	}
	inBlock := func(ch int) bool { return !blocks || ch%dwLanes <= dwLanes-4 }
	a0, a1 := (c0+3)&^3, c1&^3
	if c0 < a0 {
		if inBlock(c0) {
			runs[n] = vecRun{c0, 1}
			n++
		} else {
			rest[nrest] = [2]int{c0, a0}
			nrest++
		}
	}
	if a1 > a0 {
		runs[n] = vecRun{a0, (a1 - a0) / 4}
		n++
	}
	if c1 > a1 {
		if inBlock(c1 - 4) {
			runs[n] = vecRun{c1 - 4, 1}
			n++
		} else {
			rest[nrest] = [2]int{max(a1, c0), c1}
			nrest++
		}
	}
	return runs, n, rest, nrest
}

// dwNEONConv is DWConv on NEON: per output row, the edge columns and the run of
// full-window columns each take one call per vector run (dw3x3s1NEON / dw3x3s2NEON for a
// 3x3 kernel whose window covers 3 columns, dwNEON otherwise).
func dwNEONConv(in, out []float32, w *PackedDW, g Geom, c0, c1, oy0, oy1 int, act Act) {
	runs, nrun, rest, nrest := neonRuns(c0, c1, true)
	for _, r := range rest[:nrest] {
		dwGeneric(in, out, w, g, r[0], r[1], oy0, oy1, act)
	}
	if nrun == 0 {
		return
	}
	KW := w.KW
	bs := (w.KH*KW + 1) * dwLanes
	skip := bs*4 - 4*dwLanes
	st := g.steps()
	rg := newRunGrid(g, w.KH, KW)
	for oy := oy0; oy < oy1; oy++ {
		for ox := 0; ox < g.OutW; {
			end, ky0, kx0, nky, nkx, inPix := rg.run(oy, ox)
			outPix := oy*g.OutW + ox
			fast := w.KH == 3 && KW == 3 && nkx == 3 && nky > 0 && g.Stride <= 2
			for _, v := range runs[:nrun] {
				ip, op := &in[inPix*g.InStride+v.ch], &out[outPix*g.OutStride+v.ch]
				wp, vib := &w.data[v.ch/dwLanes*bs+v.ch%dwLanes], v.ch%dwLanes/4
				switch {
				case fast && g.Stride == 1:
					dw3x3s1NEON(ip, op, wp, end-ox, v.nvec, vib, nky, (1+3*ky0)*64,
						st.col, st.row, st.out, skip, act.Lo, act.Hi)
				case fast:
					dw3x3s2NEON(ip, op, wp, end-ox, v.nvec, vib, nky, (1+3*ky0)*64,
						st.col, st.row, st.out, skip, act.Lo, act.Hi, st.tap)
				default:
					dwNEON(ip, op, wp, end-ox, v.nvec, vib, nky, nkx, (ky0*KW+kx0+1)*64, KW*64,
						st.col, st.tap, st.row, st.out, skip, act.Lo, act.Hi)
				}
			}
			ox = end
		}
	}
}
