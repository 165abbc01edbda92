//go:build amd64 && !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// avx512Set is the AVX-512 kernel set (16 channels per zmm, opmask tails).
var avx512Set = Set{
	name:        "avx512",
	gemm:        gemmAVX512,
	dwconv:      dwAVX512Conv,
	conv:        convBlocks{wide: convAVX512, narrow: convAVX512Y}.conv,
	maxpool:     poolRows(poolAVX512).max,
	avgpool:     poolRows(poolAVX512).avg,
	globalAvg:   globalAvgAVX512Pool,
	affine:      affineAVX512Run,
	interleave3: interleave3AVX512Run,
	addClamp:    addClampAVX512Run,
	permute:     permuteAVX512Run,
}

// avx512SetAMD is avx512Set with the GEMM that runs full panels in pipelined 7-row tiles,
// the faster form on Zen 4; Intel's cores (Ice Lake) run the 14-row tiles faster
// (docs/kernels.md, "Intel").
var avx512SetAMD = func() Set {
	s := avx512Set
	s.gemm = gemmAVX512Pipelined
	return s
}()

// avx2Set is the AVX2/FMA kernel set (8 channels per ymm).
var avx2Set = Set{
	name:        "avx2",
	gemm:        gemmAVX2,
	dwconv:      dwAVX2Conv,
	conv:        convAVX2Conv,
	maxpool:     poolRows(poolAVX2).max,
	avgpool:     poolRows(poolAVX2).avg,
	globalAvg:   globalAvgAVX2Pool,
	affine:      affineGeneric,
	interleave3: interleave3Generic,
	addClamp:    addClampGeneric,
	permute:     permuteGeneric,
}

// supportedSets lists the kernel sets this CPU supports, best first. AVX-512 kernels use
// AVX512F (zmm, opmask, embedded broadcast) and AVX512VL (masked EVEX ymm ops in the conv
// kernel); cpuid also checks via XGETBV that the OS saves the zmm state.
func supportedSets() []*Set {
	var sets []*Set
	if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512VL) {
		if cpuid.CPU.VendorID == cpuid.AMD {
			sets = append(sets, &avx512SetAMD)
		} else {
			sets = append(sets, &avx512Set)
		}
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		sets = append(sets, &avx2Set)
	}
	return append(sets, &genericSet)
}

// unsupportedReason says why the amd64 set name is not in supportedSets.
func unsupportedReason(name string) string {
	switch name {
	case "avx512":
		return "this CPU lacks AVX512F/AVX512VL (or the OS does not save the zmm state)"
	case "avx2":
		return "this CPU lacks AVX2/FMA3"
	}
	return "not built into this binary"
}
