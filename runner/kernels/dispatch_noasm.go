//go:build noasm

package kernels

// supportedSets lists the kernel sets of a noasm build: only the pure-Go set.
func supportedSets() []*Set { return []*Set{&genericSet} }

// unsupportedReason says why an assembly set of this GOARCH is not in supportedSets.
func unsupportedReason(string) string {
	return "this binary is built with the noasm tag (pure-Go kernels only)"
}
