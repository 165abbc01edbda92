package cudnn

import "github.com/shufflelab/explorer/arch"

// loc is where a tensor lives: a channel range of a device buffer in NCHW
// order. A buffer holds Ctot channels per image; the tensor occupies
// channels [ChanOff, ChanOff+C). With ChanOff = 0 and Ctot = C the tensor is
// packed; a channel view of an N = 1 tensor is packed too, and for N > 1 it
// is a strided tensor (the image stride is Ctot*H*W).
type loc struct {
	Buf     int
	ChanOff int
	Ctot    int
}

// slot is the channel view [off, off+c) of the tensor at l.
func (l loc) slot(off int) loc { return loc{Buf: l.Buf, ChanOff: l.ChanOff + off, Ctot: l.Ctot} }

// packed reports whether a tensor of c channels at l is contiguous for any batch.
func (l loc) packed(c int) bool { return l.ChanOff == 0 && l.Ctot == c }

// desc is a 4-D strided tensor descriptor over a buffer (the arguments of
// cudnnSetTensor4dDescriptorEx plus the element offset of the data pointer).
type desc struct {
	Buf     int
	Off     int64 // elements from the start of the buffer
	Dims    [4]int
	Strides [4]int
}

// Elems is the number of elements the descriptor addresses.
func (d desc) Elems() int64 {
	return int64(d.Dims[0]) * int64(d.Dims[1]) * int64(d.Dims[2]) * int64(d.Dims[3])
}

// packedDims reports whether the descriptor is a fully packed NCHW tensor.
func (d desc) packedDims() bool {
	return d.Strides[3] == 1 && d.Strides[2] == d.Dims[3] && d.Strides[1] == d.Dims[2]*d.Dims[3] &&
		(d.Dims[0] == 1 || d.Strides[0] == d.Dims[1]*d.Dims[2]*d.Dims[3])
}

// tdesc is the NCHW descriptor of a tensor of shape s stored at l.
func tdesc(l loc, s arch.Shape) desc {
	hw := s.H * s.W
	return desc{
		Buf:     l.Buf,
		Off:     int64(l.ChanOff) * int64(hw),
		Dims:    [4]int{s.N, s.C, s.H, s.W},
		Strides: [4]int{l.Ctot * hw, hw, s.W, 1},
	}
}

// copyOp is one cudnnTransformTensor: y = x element by element, X and Y
// having the same dims and their own strides.
type copyOp struct {
	X, Y desc
}

// chanRef names one input channel of a copy: channel Ch of source Src.
type chanRef struct {
	Src, Ch int
}

// run is a 1-D arithmetic progression of channels copied from one buffer:
// for k < Len, absolute buffer channel InStart+k*InStride of the source
// goes to absolute channel OutStart+k*OutStride of the destination.
type run struct {
	Src                 int // index into the sources (buffers may be shared)
	InStart, InStride   int
	OutStart, OutStride int
	Len                 int
}

// group is R runs of equal length and strides whose starts step by DIn and
// DOut: one 4-D transform with dims (N, R, Len, H*W).
type group struct {
	First    run
	R        int
	DIn, DOu int
}

// planCopies lowers a channel gather to strided transforms: output channel
// o of the destination (C = len(from) channels at dst) is channel from[o]
// of sources[from[o].Src]. Every source and the destination have n images
// of hw pixels. It finds arithmetic runs of channels (trying both output
// order and input order, keeping the one with fewer transforms) and merges
// runs of equal shape into one 4-D transform, so a g-group channel shuffle
// is one transform (the group index becomes the outer dimension, as in
// cudnnTransformTensor's strided descriptors), an even/odd split permutation is one,
// and a two-source riffle (concat fused into the shuffle) is one per source.
func planCopies(sources []loc, from []chanRef, dst loc, n, hw int) []copyOp {
	best := groupsToCopies(mergeRuns(sources, findRuns(sources, from, dst, false)), sources, dst, n, hw)
	alt := groupsToCopies(mergeRuns(sources, findRuns(sources, from, dst, true)), sources, dst, n, hw)
	if len(alt) < len(best) {
		return alt
	}
	return best
}

// findRuns splits the gather into runs with positive strides. In output
// order it walks the destination channels; in input order it walks the
// channels of each source.
func findRuns(sources []loc, from []chanRef, dst loc, inputOrder bool) []run {
	c := len(from)
	done := make([]bool, c)
	// For input order: for each source, its channels in increasing order
	// with the output channel that takes each.
	type pair struct{ in, out int }
	var order []pair // the walk: (input abs channel, output index)
	if inputOrder {
		bySrc := make([][]pair, len(sources))
		for o, r := range from {
			bySrc[r.Src] = append(bySrc[r.Src], pair{r.Ch, o})
		}
		for s := range bySrc {
			ps := bySrc[s]
			// insertion sort by input channel (channel lists are short)
			for i := 1; i < len(ps); i++ {
				for j := i; j > 0 && ps[j].in < ps[j-1].in; j-- {
					ps[j], ps[j-1] = ps[j-1], ps[j]
				}
			}
			order = append(order, ps...)
		}
	} else {
		for o, r := range from {
			order = append(order, pair{r.Ch, o})
		}
	}
	var runs []run
	for i, p := range order {
		if done[p.out] {
			continue
		}
		src := from[p.out].Src
		r := run{Src: src, InStart: sources[src].ChanOff + p.in, InStride: 1,
			OutStart: dst.ChanOff + p.out, OutStride: 1, Len: 1}
		done[p.out] = true
		// the next undone element of the walk from the same source sets the strides
		next := -1
		for j := i + 1; j < len(order); j++ {
			q := order[j]
			if !done[q.out] && from[q.out].Src == src {
				next = j
				break
			}
		}
		if next >= 0 {
			q := order[next]
			dIn, dOut := q.in-p.in, q.out-p.out
			if dIn > 0 && dOut > 0 {
				r.InStride, r.OutStride = dIn, dOut
				for k := 1; ; k++ {
					o := p.out + k*dOut
					if o >= c || done[o] || from[o].Src != src || from[o].Ch != p.in+k*dIn {
						break
					}
					done[o] = true
					r.Len++
				}
				if r.Len == 1 {
					r.InStride, r.OutStride = 1, 1
				}
			}
		}
		runs = append(runs, r)
	}
	return runs
}

// mergeRuns groups consecutive runs of the same buffer, length and strides
// whose starts advance by constant positive steps.
func mergeRuns(sources []loc, runs []run) []group {
	var gs []group
	for _, r := range runs {
		if len(gs) > 0 {
			g := &gs[len(gs)-1]
			f := g.First
			last := run{InStart: f.InStart + (g.R-1)*g.DIn, OutStart: f.OutStart + (g.R-1)*g.DOu}
			same := sources[r.Src].Buf == sources[f.Src].Buf && sources[r.Src].Ctot == sources[f.Src].Ctot &&
				r.Len == f.Len && r.InStride == f.InStride && r.OutStride == f.OutStride
			dIn, dOut := r.InStart-last.InStart, r.OutStart-last.OutStart
			if same && dIn > 0 && dOut > 0 && (g.R == 1 || (dIn == g.DIn && dOut == g.DOu)) {
				if g.R == 1 {
					g.DIn, g.DOu = dIn, dOut
				}
				g.R++
				continue
			}
		}
		gs = append(gs, group{First: r, R: 1})
	}
	return gs
}

// groupsToCopies turns each group into a transform over dims (n, R, Len, hw).
func groupsToCopies(gs []group, sources []loc, dst loc, n, hw int) []copyOp {
	out := make([]copyOp, 0, len(gs))
	for _, g := range gs {
		f := g.First
		src := sources[f.Src]
		dIn, dOut := g.DIn, g.DOu
		if g.R == 1 { // any positive stride will do for a dimension of size 1
			dIn, dOut = f.Len*f.InStride, f.Len*f.OutStride
		}
		dims := [4]int{n, g.R, f.Len, hw}
		out = append(out, copyOp{
			X: desc{Buf: src.Buf, Off: int64(f.InStart) * int64(hw), Dims: dims,
				Strides: [4]int{src.Ctot * hw, dIn * hw, f.InStride * hw, 1}},
			Y: desc{Buf: dst.Buf, Off: int64(f.OutStart) * int64(hw), Dims: dims,
				Strides: [4]int{dst.Ctot * hw, dOut * hw, f.OutStride * hw, 1}},
		})
	}
	return out
}

// permFrom is the gather of a channel permutation of one source: output
// channel i is input channel perm[i].
func permFrom(perm []int) []chanRef {
	out := make([]chanRef, len(perm))
	for i, p := range perm {
		out[i] = chanRef{Src: 0, Ch: p}
	}
	return out
}

// concatFrom is the gather of a channel concatenation of sources with the
// given channel counts, optionally followed by a permutation (nil for none).
func concatFrom(chans []int, perm []int) []chanRef {
	var cat []chanRef
	for s, c := range chans {
		for ch := 0; ch < c; ch++ {
			cat = append(cat, chanRef{Src: s, Ch: ch})
		}
	}
	if perm == nil {
		return cat
	}
	out := make([]chanRef, len(perm))
	for i, p := range perm {
		out[i] = cat[p]
	}
	return out
}

// cudaMemcpyDeviceToDevice is the cudaMemcpyKind of a device-to-device
// copy (CUDA runtime driver_types.h), the Kind of every memcpy3DParms here.
const cudaMemcpyDeviceToDevice = 3

// memcpy3DParms mirrors the CUDA runtime's struct cudaMemcpy3DParms
// (cuda_runtime_api.h / driver_types.h, CUDA 12 and 13): srcArray,
// srcPos {x, y, z}, srcPtr {ptr, pitch, xsize, ysize}, dstArray, dstPos,
// dstPtr, extent {width, height, depth}, kind (an enum, padded to 8 bytes).
// Every field is pointer-sized on 64-bit Linux: 20 words, 160 bytes.
type memcpy3DParms struct {
	SrcArray                 uintptr
	SrcPosX, SrcPosY, SrcPos uintptr
	SrcPtr, SrcPitch         uintptr
	SrcXSize, SrcYSize       uintptr
	DstArray                 uintptr
	DstPosX, DstPosY, DstPos uintptr
	DstPtr, DstPitch         uintptr
	DstXSize, DstYSize       uintptr
	Width, Height, Depth     uintptr
	Kind                     uintptr
}

// pitchedCopy expresses the copy y = x of two 4-D descriptors as one
// device-to-device cudaMemcpy3DAsync when that is possible: one row is the
// innermost dimension (contiguous, stride 1, on both sides), rows step by
// the stride of dimension 2 (or of dimension 1 when dimension 2 has size
// 1; the other of the two must have size 1), the pitch, and images
// (dimension 0) step by a whole number of pitches, so that a slice is
// ysize rows. A channel copy of (N, 1, Len, H*W), as the shuffle, split
// and concat copies of ShuffleNet are, fits. xp and yp are the device
// addresses of the first elements.
func pitchedCopy(x, y desc, xp, yp uintptr) (*memcpy3DParms, bool) {
	if x.Dims != y.Dims {
		return nil, false
	}
	r := 2 // the dimension of the rows
	switch {
	case x.Dims[1] == 1:
	case x.Dims[2] == 1:
		r = 1
	default:
		return nil, false
	}
	n, rows, width := x.Dims[0], x.Dims[r], x.Dims[3]
	side := func(d desc) (pitch, ysize int, ok bool) {
		pitch = d.Strides[r]
		if rows == 1 {
			pitch = max(pitch, width)
		}
		if d.Strides[3] != 1 || pitch < width {
			return 0, 0, false
		}
		ysize = rows
		if n > 1 {
			if d.Strides[0] <= 0 || d.Strides[0]%pitch != 0 || d.Strides[0]/pitch < rows {
				return 0, 0, false
			}
			ysize = d.Strides[0] / pitch
		}
		return pitch, ysize, true
	}
	xpitch, xys, okx := side(x)
	ypitch, yys, oky := side(y)
	if !okx || !oky {
		return nil, false
	}
	return &memcpy3DParms{
		SrcPtr: xp, SrcPitch: uintptr(4 * xpitch), SrcXSize: uintptr(4 * width), SrcYSize: uintptr(xys),
		DstPtr: yp, DstPitch: uintptr(4 * ypitch), DstXSize: uintptr(4 * width), DstYSize: uintptr(yys),
		Width: uintptr(4 * width), Height: uintptr(rows), Depth: uintptr(n),
		Kind: cudaMemcpyDeviceToDevice,
	}, true
}
