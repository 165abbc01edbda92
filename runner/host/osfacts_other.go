//go:build !linux && !windows

package host

// readOSFacts gives the core count only: macOS and the BSDs name the CPU
// through sysctl, which needs cgo or x/sys; cpuid covers them on amd64 and
// arm64.
func readOSFacts() osFacts { return baseFacts() }
