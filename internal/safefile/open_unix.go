//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// nonBlock makes open(2) return at once on a named pipe without a writer;
// on a regular file it changes nothing.
const nonBlock = syscall.O_NONBLOCK

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return Sync(d)
}
