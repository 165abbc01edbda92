//go:build windows

package filelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// The locked range: one byte far past any content, so the holder's
// description at the start of the file stays readable by others (Windows
// byte-range locks are mandatory).
const (
	lockOffsetHigh = 0x7fffffff
	lockLen        = 1
)

func overlapped() *windows.Overlapped { return &windows.Overlapped{OffsetHigh: lockOffsetHigh} }

// lockFile takes LockFileEx's exclusive lock without waiting; held reports
// that another handle has it.
func lockFile(f *os.File) (held bool, err error) {
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, lockLen, 0, overlapped())
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return true, nil
	}
	return false, err
}

func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, lockLen, 0, overlapped())
}

// removeLocked: a lock file is removed only after it is unlocked and
// closed (see UnlockAndRemove); Windows deletes no file that is open
// without FILE_SHARE_DELETE, and Go opens none with it.
const removeLocked = false
