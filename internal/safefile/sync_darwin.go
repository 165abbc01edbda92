//go:build darwin

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// Sync makes f's data durable. On macOS File.Sync asks for F_FULLFSYNC,
// which exFAT and FAT drives (USB sticks, SD cards) refuse with ENOTTY or
// EINVAL (Go falls back to fsync on ENOTSUP only), so every write there
// failed; Sync then falls back to fsync(2) itself.
func Sync(f *os.File) error {
	err := f.Sync()
	if fullSyncUnsupported(err) {
		rc, cerr := f.SyscallConn()
		if cerr != nil {
			return err
		}
		var serr error
		if cerr := rc.Control(func(fd uintptr) { serr = syscall.Fsync(int(fd)) }); cerr != nil {
			return err
		}
		return serr
	}
	return err
}

// fullSyncUnsupported reports whether err is a file system's refusal of
// F_FULLFSYNC.
func fullSyncUnsupported(err error) bool {
	return errors.Is(err, syscall.ENOTTY) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
