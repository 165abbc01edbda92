//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package filelock

import "os"

// lockFile always succeeds where neither flock(2) nor LockFileEx exists
// (the project's targets are Linux, macOS and Windows): there, one writer
// per file is the user's to ensure.
func lockFile(*os.File) (held bool, err error) { return false, nil }

func unlockFile(*os.File) error { return nil }

// removeLocked: a lock file is removed after it is closed (see
// UnlockAndRemove), which every OS allows; there is no lock to keep here.
const removeLocked = false
