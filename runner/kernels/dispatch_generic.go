//go:build !amd64 && !arm64 && !noasm

package kernels

// supportedSets lists the kernel sets of this build: only the pure-Go set on architectures
// without assembly kernels.
func supportedSets() []*Set { return []*Set{&genericSet} }

// unsupportedReason is never reached here: every assembly set needs amd64 or arm64, which
// Lookup reports first.
func unsupportedReason(string) string { return "not built into this binary" }
