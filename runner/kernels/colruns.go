//go:build (amd64 || arm64) && !noasm

package kernels

import "iter"

// The Go side shared by the assembly sets' spatial kernels (Conv, DWConv, MaxPool, AvgPool):
// every such asm kernel computes a run of output columns of one output row whose windows
// all have the same taps inside the image, so the wrappers walk the same runs.

// colRun is output columns [ox, end) of output row oy, all of whose windows have the same
// taps inside the image: rows [ky0, ky0+nky) and columns [kx0, kx0+nkx) of the kernel
// window (nky = 0 when no tap is inside: the kernels read nky == 0 as an empty window). Column ox reads its first inside tap at input pixel inPix (0 for an empty window)
// and writes output pixel outPix. iy0 and ix0 are column ox's window origin (input
// coordinates, negative in the padding) and ky1, kx1 the ends tapRange gave, which the
// average pool's divisor needs.
type colRun struct {
	oy, ox, end        int
	iy0, ix0           int
	ky0, ky1, kx0, kx1 int
	nky, nkx           int
	inPix, outPix      int
}

// ncols is the number of output columns of the run.
func (r colRun) ncols() int { return r.end - r.ox }

// colRuns yields the column runs of output rows [oy0, oy1) of a kh x kw window, in row
// order: per row the edge columns one at a time (clipped windows differ per column) and the
// full-window columns as one run.
func colRuns(g Geom, kh, kw, oy0, oy1 int) iter.Seq[colRun] {
	return func(yield func(colRun) bool) {
		xa, xb := fullCols(g.OutW, g.InW, kw, g.Stride, g.Pad)
		for oy := oy0; oy < oy1; oy++ {
			iy0 := oy*g.Stride - g.Pad
			ky0, ky1 := tapRange(iy0, kh, g.InH)
			for ox := 0; ox < g.OutW; {
				ix0 := ox*g.Stride - g.Pad
				kx0, kx1 := tapRange(ix0, kw, g.InW)
				r := colRun{oy: oy, ox: ox, end: runEnd(ox, xa, xb), iy0: iy0, ix0: ix0,
					ky0: ky0, ky1: ky1, kx0: kx0, kx1: kx1,
					nky: max(ky1-ky0, 0), nkx: max(kx1-kx0, 0), outPix: oy*g.OutW + ox}
				if r.nky > 0 && r.nkx > 0 {
					r.inPix = (iy0+ky0)*g.InW + ix0 + kx0
				} else {
					r.nky = 0
				}
				if !yield(r) {
					return
				}
				ox = r.end
			}
		}
	}
}

// fullCols returns the output columns [xa, xb) whose whole k-wide window lies inside the
// input row; the columns outside it are edge columns with clipped windows. xa == xb when
// there is no such column.
func fullCols(outW, inW, k, stride, pad int) (xa, xb int) {
	xa = min((pad+stride-1)/stride, outW)
	if inW-k+pad >= 0 {
		xb = min((inW-k+pad)/stride+1, outW)
	}
	return xa, max(xb, xa)
}

// runEnd is the end of the column run starting at ox: the whole full-window run when ox
// starts it, else the single edge column.
func runEnd(ox, xa, xb int) int {
	if ox == xa && xb > xa {
		return xb
	}
	return ox + 1
}

// byteSteps are a geometry's strides in bytes, as the spatial asm kernels take them.
type byteSteps struct {
	col int // between the inputs of consecutive output columns (Stride pixels)
	tap int // between the taps of a window row (one pixel)
	row int // between input rows
	out int // between consecutive output columns
}

// steps is g's byteSteps.
func (g Geom) steps() byteSteps {
	return byteSteps{col: g.Stride * g.InStride * 4, tap: g.InStride * 4, row: g.InW * g.InStride * 4, out: g.OutStride * 4}
}
