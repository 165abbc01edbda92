//go:build (amd64 || arm64) && !noasm

package kernels

// The Go side shared by the assembly sets' spatial kernels (Conv, DWConv, MaxPool, AvgPool):
// every such asm kernel computes a run of output columns of one output row whose windows
// all have the same taps inside the image, so the wrappers walk the same runs.

// runGrid walks the column runs of a kh x kw window over g's output rows: per row the edge
// columns one at a time (their clipped windows differ) and the full-window columns
// (fullCols) as one run. run returns scalars, not a struct: the compiler keeps a struct of
// more than four fields in memory, and an iterator yielding one (a 13-field run) made the
// small depthwise layers 5-10% slower than the pasted loops it replaced.
type runGrid struct {
	g              Geom
	kh, kw, xa, xb int
}

func newRunGrid(g Geom, kh, kw int) runGrid {
	xa, xb := fullCols(g.OutW, g.InW, kw, g.Stride, g.Pad)
	return runGrid{g: g, kh: kh, kw: kw, xa: xa, xb: xb}
}

// run returns the run of output row oy that starts at column ox: its end column, the taps of
// its windows inside the image (kernel rows from ky0 and columns from kx0, nky and nkx of
// them; nky = 0 when no tap is inside, which the kernels read as an empty window) and the
// input pixel of column ox's first inside tap (0 for an empty window).
func (rg *runGrid) run(oy, ox int) (end, ky0, kx0, nky, nkx, inPix int) {
	g := &rg.g
	iy0, ix0 := oy*g.Stride-g.Pad, ox*g.Stride-g.Pad
	ky0, ky1 := tapRange(iy0, rg.kh, g.InH)
	kx0, kx1 := tapRange(ix0, rg.kw, g.InW)
	nky, nkx = max(ky1-ky0, 0), max(kx1-kx0, 0)
	if nky > 0 && nkx > 0 {
		inPix = (iy0+ky0)*g.InW + ix0 + kx0
	} else {
		nky = 0
	}
	return runEnd(ox, rg.xa, rg.xb), ky0, kx0, nky, nkx, inPix
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
