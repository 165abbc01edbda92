package filelock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecondHolderRefused: while one lock is held, a second TryLock on the
// same file (another open file description, as another process has) is
// refused with the first holder's description; after Unlock it succeeds.
func TestSecondHolderRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.jsonl.lock")
	a, err := TryLock(p, "pid 1 on test (explorer sweep --out r.jsonl)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = TryLock(p, "second")
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "pid 1 on test (explorer sweep --out r.jsonl)") {
		t.Fatalf("second TryLock = %v, want a HeldError naming the holder", err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	b, err := TryLock(p, "second")
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	if got, _ := os.ReadFile(p); strings.TrimSpace(string(got)) != "second" {
		t.Errorf("lock file says %q, want the new holder", got)
	}
	b.Unlock()
	if got, _ := os.ReadFile(p); len(got) != 0 {
		t.Errorf("lock file after Unlock holds %q, want it cleared", got)
	}
}

// TestAcquireWaits: Acquire waits for a holder that lets go in time, and
// gives up with a HeldError after its wait otherwise.
func TestAcquireWaits(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.lock")
	a, err := TryLock(p, "first")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(p, "second", 50*time.Millisecond); !errors.Is(err, ErrHeld) {
		t.Fatalf("Acquire while held = %v, want ErrHeld after the wait", err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		a.Unlock()
	}()
	b, err := Acquire(p, "second", 10*time.Second)
	if err != nil {
		t.Fatalf("Acquire after the holder let go: %v", err)
	}
	b.Unlock()
}

// TestLockDiesWithProcess: a lock held by a process that is killed is free
// again (the kernel releases it): no stale lock after a SIGKILL.
func TestLockDiesWithProcess(t *testing.T) {
	if os.Getenv("FILELOCK_HOLD") != "" {
		if _, err := TryLock(os.Getenv("FILELOCK_HOLD"), "child"); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		return
	}
	p := filepath.Join(t.TempDir(), "k.lock")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLockDiesWithProcess$")
	cmd.Env = append(os.Environ(), "FILELOCK_HOLD="+p)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("child: %q %v", buf, err)
	}
	if _, err := TryLock(p, "parent"); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), "child") {
		t.Errorf("TryLock while the child holds it = %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := TryLock(p, "parent")
	if err != nil {
		t.Fatalf("TryLock after the holder was killed: %v", err)
	}
	l.Unlock()
}

// TestUnlockAndRemove: the lock file is gone after UnlockAndRemove, on
// every OS (on Windows it is removed only once closed: an open file cannot
// be deleted there), and the lock can be taken again.
func TestUnlockAndRemove(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.jsonl.lock")
	a, err := TryLock(p, "first")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.UnlockAndRemove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after UnlockAndRemove: %v, want it removed", err)
	}
	b, err := TryLock(p, "second")
	if err != nil {
		t.Fatalf("TryLock after UnlockAndRemove: %v", err)
	}
	b.Unlock()
}

// TestRemovedLockFileNotLocked: a waiter that opened the lock file before
// its holder removed it, and locks it after the holder let go, must not
// hold a lock on the removed file while a third process locks a new file
// at the same path: the lock it gets is on the file at the path, or none
// (and then TryLock takes the file now there). On Unix the removal
// succeeds and the waiter's lock is refused; on Windows the waiter's open
// handle makes the removal fail and its lock is on the file still there.
func TestRemovedLockFileNotLocked(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.jsonl.lock")
	a, err := TryLock(p, "holder")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644) // the waiter's open
	if err != nil {
		t.Fatal(err)
	}
	if err := a.UnlockAndRemove(); err != nil {
		t.Fatal(err)
	}
	l, err := lockOpened(f, p, "waiter")
	switch {
	case err == errRemoved:
		if _, serr := os.Lstat(p); !errors.Is(serr, os.ErrNotExist) {
			t.Errorf("refused as removed, but %s is there: %v", p, serr)
		}
	case err != nil:
		t.Fatal(err)
	default:
		ost, _ := l.f.Stat()
		pst, serr := os.Stat(p)
		if serr != nil || !os.SameFile(ost, pst) {
			t.Fatalf("the waiter holds a lock on a file that is not at %s (%v)", p, serr)
		}
		l.Unlock()
	}
	c, err := TryLock(p, "third")
	if err != nil {
		t.Fatalf("TryLock after: %v", err)
	}
	c.Unlock()
}

// TestAcquireContextStops: waiting for a held lock ends with ctx's error
// when ctx ends, long before the wait would.
func TestAcquireContextStops(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l")
	held, err := TryLock(p, "holder")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := AcquireContext(ctx, p, "waiter", time.Minute); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
}

// TestAcquireExistingCreatesNothing: AcquireExisting never makes a lock
// file. With none at the path it returns no lock and no error; with one it
// waits for its holder like Acquire; and a holder that removes the file
// (UnlockAndRemove) while it waits leaves no file behind either.
func TestAcquireExistingCreatesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.jsonl.lock")
	l, err := AcquireExisting(p, "reader", time.Second)
	if l != nil || err != nil {
		t.Fatalf("no lock file: got %v, %v; want nil, nil", l, err)
	}
	l.Unlock() // a nil lock's Unlock does nothing
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("AcquireExisting made %s: %v", p, err)
	}

	held, err := TryLock(p, "writer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireExisting(p, "reader", 30*time.Millisecond); !errors.Is(err, ErrHeld) {
		t.Fatalf("while held: %v, want ErrHeld after the wait", err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		held.UnlockAndRemove()
	}()
	l, err = AcquireExisting(p, "reader", 10*time.Second)
	if l != nil || err != nil {
		t.Fatalf("holder removed its file: got %v, %v; want nil, nil", l, err)
	}
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after the holder removed it and the reader waited: %v, want none", err)
	}

	// A lock file left by a holder that let go (Unlock) is locked and
	// released again, and stays as it was.
	a, _ := TryLock(p, "writer")
	a.Unlock()
	l, err = AcquireExisting(p, "reader", time.Second)
	if l == nil || err != nil {
		t.Fatalf("existing free lock file: got %v, %v; want a lock", l, err)
	}
	l.Unlock()
	if _, err := os.Lstat(p); err != nil {
		t.Errorf("existing lock file: %v, want it kept", err)
	}
}
