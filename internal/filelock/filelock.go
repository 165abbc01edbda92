// Package filelock gives a file one writer at a time across processes: an
// exclusive advisory lock on a lock file beside it (flock(2) on Unix,
// LockFileEx on Windows), released by the operating system when the
// holder exits or is killed. The holder writes who it is (process, host,
// time, command) into the lock file, so a refused writer can say who holds
// the file.
package filelock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Lock is a held lock; Unlock releases it.
type Lock struct {
	f *os.File
}

// HeldError says that another process holds the lock.
type HeldError struct {
	Path   string // the lock file
	Holder string // what the holder wrote about itself ("" if unknown)
}

// Error names the lock file and who holds it.
func (e *HeldError) Error() string {
	h := e.Holder
	if h == "" {
		h = "another process (it has not said who)"
	}
	return fmt.Sprintf("%s is held by %s", e.Path, h)
}

// ErrHeld matches a *HeldError with errors.Is.
var ErrHeld = errors.New("lock held by another process")

// Is makes errors.Is(err, ErrHeld) true for a *HeldError.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Holder describes this process for the lock file: pid, host, start time
// and the command line (what, e.g. "explorer sweep --out r.jsonl").
func Holder(what string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("pid %d on %s since %s (%s)", os.Getpid(), host, time.Now().Format(time.RFC3339), what)
}

// TryLock takes the lock at path (creating the file), or returns a
// *HeldError at once when another process holds it. holder is written
// into the lock file for others to read.
func TryLock(path, holder string) (*Lock, error) {
	return Acquire(path, holder, 0)
}

// Acquire is TryLock that retries for up to wait before giving up.
func Acquire(path, holder string, wait time.Duration) (*Lock, error) {
	deadline := time.Now().Add(wait)
	for {
		l, err := tryLock(path, holder)
		if !errors.Is(err, ErrHeld) || !time.Now().Before(deadline) {
			return l, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func tryLock(path, holder string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	held, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if held {
		b, _ := io.ReadAll(io.LimitReader(f, 4096))
		f.Close()
		return nil, &HeldError{Path: path, Holder: strings.TrimSpace(string(b))}
	}
	// Say who holds it; a failure here does not weaken the lock itself.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(holder+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Unlock clears the holder's description and releases the lock. The lock
// file stays (removing it would let a third process lock a new file while
// a second one waits on the old).
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
