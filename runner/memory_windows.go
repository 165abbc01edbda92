package runner

import (
	"fmt"
	"math"
	"unsafe"

	"golang.org/x/sys/windows"
)

// memoryStatusEx is Windows' MEMORYSTATUSEX (sysinfoapi.h): two DWORDs,
// then seven DWORDLONGs, 64 bytes; dwLength must hold its size.
type memoryStatusEx struct {
	length               uint32
	memoryLoad           uint32
	totalPhys            uint64
	availPhys            uint64
	totalPageFile        uint64
	availPageFile        uint64
	totalVirtual         uint64
	availVirtual         uint64
	availExtendedVirtual uint64
}

// The layout is C's on every Windows architecture (the first DWORDLONG is
// at offset 8 either way): the size must be 64, or this does not compile.
var (
	_ [unsafe.Sizeof(memoryStatusEx{}) - 64]struct{}
	_ [64 - unsafe.Sizeof(memoryStatusEx{})]struct{}
)

// physicalMemory is ullTotalPhys of GlobalMemoryStatusEx
// (golang.org/x/sys/windows has no wrapper: kernel32's is called).
func physicalMemory() (int64, error) {
	proc := windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalMemoryStatusEx")
	if err := proc.Find(); err != nil {
		return 0, err
	}
	m := memoryStatusEx{length: uint32(unsafe.Sizeof(memoryStatusEx{}))}
	ok, _, err := proc.Call(uintptr(unsafe.Pointer(&m)))
	if ok == 0 {
		return 0, fmt.Errorf("GlobalMemoryStatusEx: %w", err)
	}
	return int64(min(m.totalPhys, math.MaxInt64)), nil
}
