//go:build !windows

package safefile

import "os"

// rename replaces newpath with oldpath: os.Rename, atomic on POSIX even
// while others have newpath open.
func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }
