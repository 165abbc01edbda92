package runner

import (
	"fmt"
	"math"

	"golang.org/x/sys/unix"
)

// physicalMemory reads the sysctl hw.memsize (bytes, a 64-bit value), as
// sysctl(8) does; no cgo is needed.
func physicalMemory() (int64, error) {
	n, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return 0, fmt.Errorf("sysctl hw.memsize: %w", err)
	}
	return int64(min(n, math.MaxInt64)), nil
}
