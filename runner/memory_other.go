//go:build !linux && !darwin && !windows

package runner

import (
	"errors"
	"runtime"
)

// physicalMemory is not read on this OS: MemLimit falls back to 8 GiB.
func physicalMemory() (int64, error) {
	return 0, errors.New("physical memory is not read on " + runtime.GOOS)
}
