//go:build windows

package safefile

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// rename replaces newpath with oldpath. On Windows the replacement fails
// while any process has newpath open without FILE_SHARE_DELETE (another
// explorer reading the calibration cache, a virus scanner, an image
// viewer showing a chart); such holds are brief, so rename retries for up
// to two seconds, as the go command's own robustio does.
func rename(oldpath, newpath string) error {
	const limit = 2 * time.Second
	wait := 5 * time.Millisecond
	start := time.Now()
	for {
		err := os.Rename(oldpath, newpath)
		if err == nil || !transient(err) || time.Since(start) > limit {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// transient reports whether err is a sharing conflict that ends when the
// other process lets go of the file.
func transient(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}
