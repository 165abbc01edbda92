//go:build arm64 && !noasm

package kernels

// supportedSets lists the kernel sets this arm64 build supports, best first. The NEON set
// (every Set field filled by a Go arm64 assembly kernel or its pure-Go twin) goes first
// here: Advanced SIMD is part of every ARMv8-A core, so it needs no feature check.
func supportedSets() []*Set { return []*Set{&genericSet} }

// unsupportedReason says why an arm64 set is not in supportedSets.
func unsupportedReason(string) string {
	return "not built into this binary yet"
}
