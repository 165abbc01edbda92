// Package filelock gives a file one writer at a time across processes: an
// exclusive advisory lock on a lock file beside it (flock(2) on Unix,
// LockFileEx on Windows), released by the operating system when the
// holder exits or is killed. The holder writes who it is (process, host,
// time, command) into the lock file, so a refused writer can say who holds
// the file.
package filelock

import (
	"context"
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
	return AcquireContext(context.Background(), path, holder, wait)
}

// AcquireContext is Acquire that also stops waiting, with ctx's error,
// when ctx ends (a Ctrl-C while another process holds the lock).
func AcquireContext(ctx context.Context, path, holder string, wait time.Duration) (*Lock, error) {
	return acquire(ctx, path, holder, wait, true)
}

// AcquireExisting is Acquire for a reader that only waits for a holder:
// it never creates the lock file. With no file at path (none was ever
// made, or its holder removed it, see UnlockAndRemove) there is nobody to
// wait for and it returns a nil *Lock and a nil error; a nil *Lock's
// Unlock does nothing.
func AcquireExisting(path, holder string, wait time.Duration) (*Lock, error) {
	return acquire(context.Background(), path, holder, wait, false)
}

func acquire(ctx context.Context, path, holder string, wait time.Duration, create bool) (*Lock, error) {
	deadline := time.Now().Add(wait)
	for {
		l, err := tryLock(path, holder, create)
		if !errors.Is(err, ErrHeld) || !time.Now().Before(deadline) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func tryLock(path, holder string, create bool) (*Lock, error) {
	flags := os.O_RDWR
	if create {
		flags |= os.O_CREATE
	}
	// A file removed (UnlockAndRemove) between the open and the lock is
	// not the lock any more: open the one at path again. Each retry means
	// another holder just removed the file, so a few suffice.
	for range 100 {
		f, err := os.OpenFile(path, flags, 0o644)
		if !create && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		l, err := lockOpened(f, path, holder)
		if err != errRemoved {
			return l, err
		}
	}
	return nil, fmt.Errorf("lock %s: the lock file was removed and made again 100 times while locking it", path)
}

// errRemoved is lockOpened's answer for a file no longer at its path.
var errRemoved = errors.New("lock file removed")

// lockOpened locks f, the file opened at path, and says who holds it. It
// closes f unless it returns a lock; errRemoved when path no longer names
// f (its holder removed it before letting go: locking it would hold a lock
// that a process opening path does not see).
func lockOpened(f *os.File, path, holder string) (*Lock, error) {
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
	ost, err := f.Stat()
	if err == nil {
		var pst os.FileInfo
		pst, err = os.Stat(path)
		if errors.Is(err, os.ErrNotExist) || err == nil && !os.SameFile(ost, pst) {
			err = errRemoved
		}
	}
	if err != nil {
		unlockFile(f)
		f.Close()
		if err == errRemoved {
			return nil, err
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Say who holds it; a failure here does not weaken the lock itself.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(holder+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Unlock clears the holder's description and releases the lock. The lock
// file stays (see UnlockAndRemove for removing it).
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

// UnlockAndRemove is Unlock that also removes the lock file, for a holder
// that created it and leaves nothing behind. The removal is safe against
// processes waiting for the lock on each OS:
//
//   - Unix (removeLocked): the file is removed while still locked, then
//     released. A waiter that opened it before and locks it after sees
//     that path no longer names it (lockOpened) and opens path again, so
//     no two processes hold "the" lock, one on the removed file and one on
//     a new one. Removing after the release would allow that.
//   - Windows: Go opens files without FILE_SHARE_DELETE, so an open file
//     cannot be deleted (a sharing violation): the lock is released and
//     its file closed first. A waiter that has the file open at that
//     moment makes the removal fail, and the file stays for it, as with
//     Unlock.
//
// The removal is best effort (a failure leaves the file, as Unlock does);
// the error is Unlock's.
func (l *Lock) UnlockAndRemove() error {
	if l == nil || l.f == nil {
		return nil
	}
	path := l.f.Name()
	if removeLocked {
		os.Remove(path)
	}
	err := l.Unlock()
	if !removeLocked {
		os.Remove(path)
	}
	return err
}
