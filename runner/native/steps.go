package native

import (
	"slices"
	"sort"

	"github.com/shufflelab/explorer/runner/kernels"
)

// buffer is a planned activation buffer: NHWC pixels with a pixel stride.
// Buffers whose lifetimes (first write to last read, in steps) do not
// overlap share memory.
type buffer struct {
	elems       int
	first, last int
	data        []float32
}

// view is where a tensor lives: logical channel c of pixel p is at
// buf.data[p*stride + pos[c]]. Split and concat make channel sub-ranges;
// a channel shuffle folded into its consumers makes pos a permutation.
type view struct {
	buf    *buffer
	stride int
	pos    []int
	origin string // ID of the shuffle whose folded permutation pos carries ("" if none)
}

// contiguous returns lo and true when pos is lo, lo+1, ....
func (v *view) contiguous() (int, bool) {
	for i, p := range v.pos {
		if p != v.pos[0]+i {
			return 0, false
		}
	}
	return v.pos[0], true
}

// rangePerm reports whether pos is a permutation of a contiguous range of
// positions; it returns the range start and pos[i]-start.
func rangePerm(pos []int) (int, []int, bool) {
	lo, hi := pos[0], pos[0]
	for _, p := range pos {
		lo, hi = min(lo, p), max(hi, p)
	}
	if hi-lo+1 != len(pos) {
		return 0, nil, false
	}
	seen := make([]bool, len(pos))
	rel := make([]int, len(pos))
	for i, p := range pos {
		if seen[p-lo] {
			return 0, nil, false
		}
		seen[p-lo] = true
		rel[i] = p - lo
	}
	return lo, rel, true
}

// step is one unit of execution; run does thread t's share of nt with the
// program's kernel set ks.
type step interface {
	run(ks *kernels.Set, t, nt int)
}

// epilogue adds residual inputs and clamps, for layers whose add cannot
// be done by a kernel's own epilogue.
type epilogue struct {
	adds   []view
	act    kernels.Act
	outPos []int // position of logical output channel c
	// Vector path (newEpilogue): the output and every addend hold their
	// channels at consecutive positions from outLo and addLo[i].
	vec   bool
	outLo int
	addLo []int
}

// newEpilogue adds views adds to out's channels, then clamps with act.
func newEpilogue(out *view, adds []view, act kernels.Act) *epilogue {
	e := &epilogue{adds: adds, act: act, outPos: out.pos}
	lo, ok := out.contiguous()
	e.vec, e.outLo = ok, lo
	for i := range adds {
		alo, aok := adds[i].contiguous()
		e.vec = e.vec && aok
		e.addLo = append(e.addLo, alo)
	}
	return e
}

// apply finishes pixels [p0,p1), logical channels [c0,c1) of out.
func (e *epilogue) apply(ks *kernels.Set, out []float32, oS, p0, p1, c0, c1 int) {
	if e == nil || p0 >= p1 || c0 >= c1 {
		return
	}
	if e.vec {
		// One strided vector pass per addend; the clamp comes with the
		// last (the sums round as the scalar loop's do).
		o := out[p0*oS+e.outLo+c0:]
		for i := range e.adds {
			a := &e.adds[i]
			act := e.act
			if i < len(e.adds)-1 {
				act = kernels.None()
			}
			ks.AddClamp(o, oS, a.buf.data[p0*a.stride+e.addLo[i]+c0:], a.stride, p1-p0, c1-c0, act)
		}
		return
	}
	for p := p0; p < p1; p++ {
		o := out[p*oS:]
		for c := c0; c < c1; c++ {
			v := o[e.outPos[c]]
			for i := range e.adds {
				a := &e.adds[i]
				v += a.buf.data[p*a.stride+a.pos[c]]
			}
			o[e.outPos[c]] = min(max(v, e.act.Lo), e.act.Hi)
		}
	}
}

// kernelAct is the activation the kernel applies: none when an epilogue
// must add first.
func kernelAct(e *epilogue, act kernels.Act) kernels.Act {
	if e != nil {
		return kernels.None()
	}
	return act
}

// gemmGroup is one group of a 1x1 conv or an FC: columns read from input
// position inLo, outputs written from position outLo.
type gemmGroup struct {
	inLo, outLo int
	b           *kernels.PackedGemmB
	n           int
}

// gemmRowBlockBytes bounds the A rows one Gemm call reads (half of the
// 1 MiB L2 of the Zen 4 cores this engine targets, lscpu), so the kernel's per-panel passes over them hit L2.
const gemmRowBlockBytes = 512 << 10

// gemmStep is a 1x1 stride-1 conv (any groups) or an FC layer as GEMMs
// over all pixels of the batch: C[pixel, out] = act(A[pixel, in] W^T + bias).
type gemmStep struct {
	m            int // pixels (conv) or images (FC)
	in, out      *view
	groups       []gemmGroup
	act          kernels.Act
	epi          *epilogue
	panelsPerGrp int
	nTotal       int // output channels over all groups
}

func (s *gemmStep) run(ks *kernels.Set, t, nt int) {
	in, out := s.in.buf.data, s.out.buf.data
	lda, ldc := s.in.stride, s.out.stride
	act := kernelAct(s.epi, s.act)
	// Split pixel rows when there are more rows than output channels (each
	// thread then reads all weights but only its rows), else split
	// output-channel panels (each thread reads all rows, its weights).
	if nt == 1 || (s.m >= 16*nt && s.m >= s.nTotal) {
		r0, r1 := span(s.m, t, nt)
		// Row blocks whose A rows fit in L2 (the kernel walks the output
		// panels outside its row tiles, re-reading A once per panel).
		mb := max(gemmRowBlockBytes/(4*lda)/14*14, 14)
		for b0 := r0; b0 < r1; b0 += mb {
			b1 := min(b0+mb, r1)
			for _, g := range s.groups {
				ks.Gemm(b1-b0, in[b0*lda+g.inLo:], lda, g.b, 0, g.n, out[b0*ldc+g.outLo:], ldc, act)
				if s.epi != nil {
					c0 := g.outLo - s.out.pos[0]
					s.epi.apply(ks, out, ldc, b0, b1, c0, c0+g.n)
				}
			}
		}
		return
	}
	// Few rows: split output-channel panels (over all groups) instead.
	// When the panels do not divide evenly between the threads (a panel
	// count that is not a multiple of nt, or narrow last panels), each
	// panel is also cut into nt row blocks, so every thread gets the same
	// number of (panel, row block) units.
	nr := 32
	total := len(s.groups) * s.panelsPerGrp
	rb := 1
	if s.m >= gemmTile*nt && !s.evenPanels(nt) {
		rb = nt
	}
	u0, u1 := span(total*rb, t, nt)
	for u := u0; u < u1; u++ {
		pu, ri := u/rb, u%rb
		g := s.groups[pu/s.panelsPerGrp]
		n0 := (pu % s.panelsPerGrp) * nr
		n1 := min(n0+nr, g.n)
		r0, r1 := tileSpan(s.m, ri, rb), tileSpan(s.m, ri+1, rb)
		if n0 >= n1 || r0 >= r1 {
			continue
		}
		ks.Gemm(r1-r0, in[r0*lda+g.inLo:], lda, g.b, n0, n1, out[r0*ldc+g.outLo:], ldc, act)
		if s.epi != nil {
			c0 := g.outLo - s.out.pos[0]
			s.epi.apply(ks, out, ldc, r0, r1, c0+n0, c0+n1)
		}
	}
}

// gemmTile is the row tile of the widest GEMM kernel (avx512: 14 rows).
const gemmTile = 14

// tileSpan is the start of row block i of rb over m rows, rounded to a
// multiple of gemmTile (block rb ends at m).
func tileSpan(m, i, rb int) int {
	if i >= rb {
		return m
	}
	return min((m*i/rb+gemmTile/2)/gemmTile*gemmTile, m)
}

// evenPanels reports whether the output panels split evenly between nt
// threads: every group's panels are full and their count is a multiple of
// nt.
func (s *gemmStep) evenPanels(nt int) bool {
	if len(s.groups)*s.panelsPerGrp%nt != 0 {
		return false
	}
	for _, g := range s.groups {
		if g.n != s.panelsPerGrp*32 {
			return false
		}
	}
	return true
}

// imgGeom is the per-image geometry of a spatial step.
type imgGeom struct {
	n           int // images
	inPix       int // input pixels per image
	outPix      int // output pixels per image
	inLo, outLo int
	g           kernels.Geom
}

// rows calls f(image, oy0, oy1) for thread t's share of all output rows.
func (ig *imgGeom) rows(t, nt int, f func(n, oy0, oy1 int)) {
	r0, r1 := span(ig.n*ig.g.OutH, t, nt)
	for r0 < r1 {
		n := r0 / ig.g.OutH
		oy0 := r0 % ig.g.OutH
		oy1 := min(ig.g.OutH, oy0+r1-r0)
		f(n, oy0, oy1)
		r0 += oy1 - oy0
	}
}

// dwStep is a depthwise conv (one filter per channel).
type dwStep struct {
	imgGeom
	in, out *view
	w       *kernels.PackedDW
	c       int
	act     kernels.Act
	epi     *epilogue
}

func (s *dwStep) run(ks *kernels.Set, t, nt int) {
	in, out := s.in.buf.data, s.out.buf.data
	act := kernelAct(s.epi, s.act)
	s.rows(t, nt, func(n, oy0, oy1 int) {
		ks.DWConv(in[n*s.inPix*s.g.InStride+s.inLo:], out[n*s.outPix*s.g.OutStride+s.outLo:], s.w, s.g, 0, s.c, oy0, oy1, act)
		if s.epi != nil {
			p0 := n*s.outPix + oy0*s.g.OutW
			s.epi.apply(ks, out, s.g.OutStride, p0, p0+(oy1-oy0)*s.g.OutW, 0, s.c)
		}
	})
}

// convStep is a dense KxK conv (groups 1) through the kernels.
type convStep struct {
	imgGeom
	in, out *view
	w       *kernels.PackedConv
	cout    int
	act     kernels.Act
	epi     *epilogue
}

func (s *convStep) run(ks *kernels.Set, t, nt int) {
	in, out := s.in.buf.data, s.out.buf.data
	act := kernelAct(s.epi, s.act)
	s.rows(t, nt, func(n, oy0, oy1 int) {
		ks.Conv(in[n*s.inPix*s.g.InStride+s.inLo:], out[n*s.outPix*s.g.OutStride+s.outLo:], s.w, s.g, oy0, oy1, act)
		if s.epi != nil {
			p0 := n*s.outPix + oy0*s.g.OutW
			s.epi.apply(ks, out, s.g.OutStride, p0, p0+(oy1-oy0)*s.g.OutW, 0, s.cout)
		}
	})
}

// groupConvStep is a grouped KxK conv (1 < groups, not depthwise): a plain
// loop (no such layer is hot in the supported families). Weights are
// [group][ocg][KH][KW][icg]; group gi reads input positions from inLos[gi].
type groupConvStep struct {
	imgGeom
	in, out  *view
	groups   int
	icg, ocg int
	kh, kw   int
	w, bias  []float32
	inLos    []int
	act      kernels.Act
	epi      *epilogue
}

func (s *groupConvStep) run(ks *kernels.Set, t, nt int) {
	in, out := s.in.buf.data, s.out.buf.data
	g := s.g
	act := kernelAct(s.epi, s.act)
	s.rows(t, nt, func(n, oy0, oy1 int) {
		ib := in[n*s.inPix*g.InStride:]
		for oy := oy0; oy < oy1; oy++ {
			for ox := 0; ox < g.OutW; ox++ {
				o := out[(n*s.outPix+oy*g.OutW+ox)*g.OutStride+s.outLo:]
				for gi := 0; gi < s.groups; gi++ {
					for oc := 0; oc < s.ocg; oc++ {
						co := gi*s.ocg + oc
						acc := s.bias[co]
						wc := s.w[co*s.kh*s.kw*s.icg:]
						for ky := 0; ky < s.kh; ky++ {
							iy := oy*g.Stride - g.Pad + ky
							if iy < 0 || iy >= g.InH {
								continue
							}
							for kx := 0; kx < s.kw; kx++ {
								ix := ox*g.Stride - g.Pad + kx
								if ix < 0 || ix >= g.InW {
									continue
								}
								x := ib[(iy*g.InW+ix)*g.InStride+s.inLos[gi]:]
								wt := wc[(ky*s.kw+kx)*s.icg:]
								for ci := 0; ci < s.icg; ci++ {
									acc += x[ci] * wt[ci]
								}
							}
						}
						o[co] = min(max(acc, act.Lo), act.Hi)
					}
				}
			}
			if s.epi != nil {
				p0 := n*s.outPix + oy*g.OutW
				s.epi.apply(ks, out, g.OutStride, p0, p0+g.OutW, 0, s.groups*s.ocg)
			}
		}
	})
}

// poolStep is max or average pooling.
type poolStep struct {
	imgGeom
	in, out *view
	isMax   bool
	k, c    int
	inclPad bool
}

func (s *poolStep) run(ks *kernels.Set, t, nt int) {
	in, out := s.in.buf.data, s.out.buf.data
	s.rows(t, nt, func(n, oy0, oy1 int) {
		i := in[n*s.inPix*s.g.InStride+s.inLo:]
		o := out[n*s.outPix*s.g.OutStride+s.outLo:]
		if s.isMax {
			ks.MaxPool(i, o, s.g, s.k, s.c, oy0, oy1)
		} else {
			ks.AvgPool(i, o, s.g, s.k, s.c, oy0, oy1, s.inclPad)
		}
	})
}

// gapStep is global average pooling, one image per thread share.
type gapStep struct {
	n, pix, c   int
	in, out     *view
	inLo, outLo int
}

func (s *gapStep) run(ks *kernels.Set, t, nt int) {
	n0, n1 := span(s.n, t, nt)
	for n := n0; n < n1; n++ {
		ks.GlobalAvgPool(s.in.buf.data[n*s.pix*s.in.stride+s.inLo:], s.pix, s.in.stride, s.c, s.out.buf.data[n*s.out.stride+s.outLo:])
	}
}

// ewStep is a per-channel affine map plus clamp (batch norm, ReLU, ReLU6
// run as their own passes).
type ewStep struct {
	pixels       int
	in, out      *view
	scale, shift []float32 // nil: identity
	act          kernels.Act
}

func (s *ewStep) run(ks *kernels.Set, t, nt int) {
	p0, p1 := span(s.pixels, t, nt)
	if p0 == p1 {
		return
	}
	in, out := s.in.buf.data, s.out.buf.data
	ip, op := s.in.pos, s.out.pos
	ilo, iok := s.in.contiguous()
	olo, ook := s.out.contiguous()
	if iok && ook {
		// The vectorised per-channel pass (a framework's batch norm or
		// activation kernel), still one full pass over the tensor.
		ks.ChannelAffine(in[p0*s.in.stride+ilo:], s.in.stride, out[p0*s.out.stride+olo:], s.out.stride,
			p1-p0, len(op), s.scale, s.shift, s.act)
		return
	}
	lo, hi := s.act.Lo, s.act.Hi
	for p := p0; p < p1; p++ {
		i, o := in[p*s.in.stride:], out[p*s.out.stride:]
		for c := range op {
			v := i[ip[c]]
			if s.scale != nil {
				v = v*s.scale[c] + s.shift[c]
			}
			o[op[c]] = min(max(v, lo), hi)
		}
	}
}

// addStep is an element-wise sum of its inputs as its own pass.
type addStep struct {
	pixels int
	ins    []*view
	out    *view
}

func (s *addStep) run(ks *kernels.Set, t, nt int) {
	p0, p1 := span(s.pixels, t, nt)
	out := s.out.buf.data
	if p0 < p1 && s.fast() {
		// The vectorised pass a framework's add kernel would run: copy the
		// first input, then add the others one by one (same rounding as
		// the scalar sum below).
		olo, _ := s.out.contiguous()
		c := len(s.out.pos)
		in0 := s.ins[0]
		ilo, _ := in0.contiguous()
		for p := p0; p < p1; p++ {
			copy(out[p*s.out.stride+olo:p*s.out.stride+olo+c], in0.buf.data[p*in0.stride+ilo:p*in0.stride+ilo+c])
		}
		for _, in := range s.ins[1:] {
			lo, _ := in.contiguous()
			ks.AddClamp(out[p0*s.out.stride+olo:], s.out.stride, in.buf.data[p0*in.stride+lo:], in.stride, p1-p0, c, kernels.None())
		}
		return
	}
	for p := p0; p < p1; p++ {
		o := out[p*s.out.stride:]
		for c, q := range s.out.pos {
			var v float32
			for _, in := range s.ins {
				v += in.buf.data[p*in.stride+in.pos[c]]
			}
			o[q] = v
		}
	}
}

// fast reports whether every view has contiguous channel positions and no
// input shares the output buffer, so the vectorised path applies.
func (s *addStep) fast() bool {
	if _, ok := s.out.contiguous(); !ok {
		return false
	}
	for _, in := range s.ins {
		if _, ok := in.contiguous(); !ok || in.buf == s.out.buf {
			return false
		}
	}
	return true
}

// run is a block of channels copied per pixel: n channels from src
// position s to dst position d.
type chanRun struct{ s, d, n int }

// move copies channels between two views: as runs of consecutive
// channels, or (when most runs are single channels, as in a riffle
// shuffle) as a per-element gather.
type move struct {
	src, dst   *view
	runs       []chanRun
	sIdx, dIdx []int // gather form, used when runs is nil
	// Vector gather form (when the gather's destination positions are
	// consecutive from dLo): dst position dLo+j reads src position
	// sLo+perm's index j.
	perm     *kernels.Permutation
	sLo, dLo int
}

// newMove copies logical channels of src to dst (same channel count).
func newMove(src, dst *view) move {
	m := move{src: src, dst: dst}
	// Visit channels in source position order: a permuted view (folded
	// shuffle) copied into a layout that follows its sources then forms
	// long runs.
	order := iota(len(src.pos), 0)
	sort.SliceStable(order, func(a, b int) bool { return src.pos[order[a]] < src.pos[order[b]] })
	for _, c := range order {
		sp, dp := src.pos[c], dst.pos[c]
		if k := len(m.runs) - 1; k >= 0 && m.runs[k].s+m.runs[k].n == sp && m.runs[k].d+m.runs[k].n == dp {
			m.runs[k].n++
			continue
		}
		m.runs = append(m.runs, chanRun{sp, dp, 1})
	}
	if 4*len(m.runs) > len(src.pos) {
		m.runs = nil
		m.sIdx, m.dIdx = src.pos, dst.pos
		if lo, _, ok := rangePerm(dst.pos); ok {
			m.dLo, m.sLo = lo, slices.Min(src.pos)
			idx := make([]int32, len(dst.pos))
			for c, dp := range dst.pos {
				idx[dp-lo] = int32(src.pos[c] - m.sLo)
			}
			m.perm = kernels.NewPermutation(idx)
		}
	}
	return m
}

// copyStep moves channels between views (split, concat, shuffle as copies).
type copyStep struct {
	pixels int
	moves  []move
}

func (s *copyStep) run(ks *kernels.Set, t, nt int) {
	p0, p1 := span(s.pixels, t, nt)
	if p0 == p1 {
		return
	}
	for _, m := range s.moves {
		src, dst := m.src.buf.data, m.dst.buf.data
		ss, ds := m.src.stride, m.dst.stride
		if m.runs != nil {
			// One strided vector copy per run (an identity ChannelAffine)
			// instead of a copy call per pixel and run.
			for _, r := range m.runs {
				ks.ChannelAffine(src[p0*ss+r.s:], ss, dst[p0*ds+r.d:], ds, p1-p0, r.n, nil, nil, kernels.None())
			}
			continue
		}
		if m.perm != nil {
			ks.PermuteChannels(src[p0*ss+m.sLo:], ss, dst[p0*ds+m.dLo:], ds, p1-p0, m.perm)
			continue
		}
		for p := p0; p < p1; p++ {
			sp, dp := src[p*ss:], dst[p*ds:]
			if m.runs == nil {
				for i, si := range m.sIdx {
					dp[m.dIdx[i]] = sp[si]
				}
				continue
			}
			for _, r := range m.runs {
				copy(dp[r.d:r.d+r.n], sp[r.s:r.s+r.n])
			}
		}
	}
}

// ioStep converts between the caller's NCHW slice and a view.
type ioStep struct {
	ext    *[]float32
	v      *view
	n, c   int
	pix    int
	toNCHW bool
}

func (s *ioStep) run(ks *kernels.Set, t, nt int) {
	ext := *s.ext
	d, st := s.v.buf.data, s.v.stride
	// Thread t handles a range of pixels (over all images) for every
	// channel: contiguous NHWC pixels, one sequential stream per channel.
	q0, q1 := span(s.n*s.pix, t, nt)
	lo, contig := s.v.contiguous()
	for q0 < q1 {
		n, p0 := q0/s.pix, q0%s.pix
		p1 := min(s.pix, p0+q1-q0)
		if !s.toNCHW && contig && s.c == 3 && st >= 3 {
			// An RGB image: write each pixel's three channels together
			// (one pass over the output instead of three strided ones).
			e := ext[n*3*s.pix:]
			e0, e1, e2 := e[p0:p1], e[s.pix+p0:s.pix+p1], e[2*s.pix+p0:2*s.pix+p1]
			e1, e2 = e1[:len(e0)], e2[:len(e0)]
			o := d[(n*s.pix+p0)*st+lo:]
			if st == 3 {
				ks.Interleave3(o, e0, e1, e2)
			} else {
				for i, v := range e0 {
					px := o[i*st : i*st+3]
					px[0], px[1], px[2] = v, e1[i], e2[i]
				}
			}
			q0 += p1 - p0
			continue
		}
		for c, pos := range s.v.pos {
			e := ext[(n*s.c+c)*s.pix : (n*s.c+c+1)*s.pix]
			base := n*s.pix*st + pos
			if s.toNCHW {
				for p := p0; p < p1; p++ {
					e[p] = d[base+p*st]
				}
			} else {
				for p := p0; p < p1; p++ {
					d[base+p*st] = e[p]
				}
			}
		}
		q0 += p1 - p0
	}
}
