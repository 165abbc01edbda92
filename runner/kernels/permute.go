package kernels

import (
	"fmt"
	"slices"
)

// Permutation is a channel gather prepared once for PermuteChannels: output channel j of a
// pixel reads input channel idx[j].
type Permutation struct {
	idx  []int32
	span int // 1 + the largest index
	// ops is the permute plan of the AVX-512 kernel, permOpWords int32 per op: for one
	// 16-channel output vector and a pair of 16-channel input vectors, the two-table lane
	// indices, the input vectors' byte offsets and load masks (lanes inside span), the
	// output vector's byte offset, the output lanes this pair fills and, on the vector's
	// last op, its store mask.
	ops []int32
}

// Words of one op of Permutation.ops (128 bytes).
const (
	permOpWords = 32
	permIdx     = 0  // 16 lane indices: bits 0-3 the lane, bit 4 the second table
	permAOff    = 16 // first input vector, byte offset in the pixel
	permBOff    = 17 // second input vector
	permAMask   = 18 // load mask of the first input vector
	permBMask   = 19 // load mask of the second
	permDOff    = 20 // output vector, byte offset in the pixel
	permSMask   = 21 // output lanes this op fills
	permStore   = 22 // 1 on the last op of an output vector: store it
	permStMask  = 23 // store mask of the output vector (lanes below Len)
)

// NewPermutation prepares the gather of input channels idx (every index >= 0; an index may
// repeat).
func NewPermutation(idx []int32) *Permutation {
	p := &Permutation{idx: slices.Clone(idx)}
	for _, i := range idx {
		if i < 0 {
			panic(fmt.Sprintf("kernels: NewPermutation negative index %d", i))
		}
		p.span = max(p.span, int(i)+1)
	}
	loadMask := func(v int32) int32 {
		return int32(uint32(1)<<min(16, p.span-int(v)*16) - 1)
	}
	for v := 0; v*16 < len(idx); v++ {
		lanes := idx[v*16 : min(len(idx), v*16+16)]
		var srcs []int32
		for _, i := range lanes {
			srcs = append(srcs, i/16)
		}
		slices.Sort(srcs)
		srcs = slices.Compact(srcs)
		for k := 0; k < len(srcs); k += 2 {
			a, b := srcs[k], srcs[k]
			if k+1 < len(srcs) {
				b = srcs[k+1]
			}
			op := make([]int32, permOpWords)
			var store int32
			for l, i := range lanes {
				switch i / 16 {
				case a:
					op[permIdx+l] = i % 16
				case b:
					op[permIdx+l] = i%16 + 16
				default:
					continue
				}
				store |= 1 << l
			}
			op[permAOff], op[permBOff] = a*64, b*64
			op[permAMask], op[permBMask] = loadMask(a), loadMask(b)
			op[permDOff], op[permSMask] = int32(v*64), store
			if k+2 >= len(srcs) {
				op[permStore], op[permStMask] = 1, int32(uint32(1)<<len(lanes)-1)
			}
			p.ops = append(p.ops, op...)
		}
	}
	return p
}

// Len is the number of output channels.
func (p *Permutation) Len() int { return len(p.idx) }

// PermuteChannels gathers channels: for q in [0,pixels) and j in [0,perm.Len()),
// out[q*outStride+j] = in[q*inStride+idx[j]]. It moves a channel shuffle that no consumer
// could absorb (a riffle, where runs of consecutive channels have length 1) with vector
// permutes instead of one scalar load per element. Every index must be below inStride; in
// and out must not overlap.
func (ks *Set) PermuteChannels(in []float32, inStride int, out []float32, outStride int, pixels int, perm *Permutation) {
	c := perm.Len()
	if pixels <= 0 || c == 0 {
		return
	}
	if perm.span > inStride || outStride < c {
		panic(fmt.Sprintf("kernels: PermuteChannels bad args: index span %d, strides %d/%d, %d channels", perm.span, inStride, outStride, c))
	}
	checkLen("PermuteChannels in", len(in), viewLen(pixels, inStride, perm.span))
	checkLen("PermuteChannels out", len(out), viewLen(pixels, outStride, c))
	ks.permute(in, inStride, out, outStride, pixels, perm)
}

func permuteGeneric(in []float32, inStride int, out []float32, outStride int, pixels int, perm *Permutation) {
	c := len(perm.idx)
	for q := 0; q < pixels; q++ {
		src := in[q*inStride:]
		dst := out[q*outStride : q*outStride+c]
		for j, i := range perm.idx[:len(dst)] {
			dst[j] = src[i]
		}
	}
}
