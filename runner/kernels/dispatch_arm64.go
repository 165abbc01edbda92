//go:build arm64 && !noasm

package kernels

// neonSet is the NEON (Advanced SIMD) kernel set: 4 channels per 128-bit vector register,
// every kernel in Go arm64 assembly (gemm, dw, conv, pool and elem *_neon_arm64.s).
var neonSet = Set{
	name:        "neon",
	gemm:        gemmNEON,
	dwconv:      dwNEONConv,
	conv:        convBlocks{wide: convNEON8, narrow: convNEON6}.conv,
	maxpool:     poolRows(poolNEON).max,
	avgpool:     poolRows(poolNEON).avg,
	globalAvg:   globalAvgNEONPool,
	affine:      affineNEONRun,
	interleave3: interleave3NEONRun,
	addClamp:    addClampNEONRun,
	permute:     permuteNEONRun,
}

// supportedSets lists the kernel sets this arm64 build supports, best first. The NEON set
// goes first: Advanced SIMD is part of every ARMv8-A core, so it needs no feature check.
func supportedSets() []*Set { return []*Set{&neonSet, &genericSet} }

// unsupportedReason is never reached on arm64: every arm64 set is supported, and Lookup
// reports the amd64 sets by their architecture first.
func unsupportedReason(string) string { return "not built into this binary" }
