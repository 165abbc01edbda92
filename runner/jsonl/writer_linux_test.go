package jsonl

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"
)

// TestDiscardClosesBeforeRemoving: CloseDiscardUnused closes the data file
// before it removes it. Windows deletes no open file (Go opens files
// without FILE_SHARE_DELETE), so removing it first failed there and left
// the new file behind; Linux removes open files, so inotify's order of
// events shows what was done: the close (IN_CLOSE_WRITE) before the
// unlink (IN_ATTRIB, the link count). The lock file, on Unix, is still
// removed while held (filelock.Lock.UnlockAndRemove).
func TestDiscardClosesBeforeRemoving(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.jsonl")
	w, _, err := open(t, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	defer syscall.Close(fd)
	const mask = syscall.IN_CLOSE_WRITE | syscall.IN_ATTRIB
	data, err := syscall.InotifyAddWatch(fd, path, mask)
	if err != nil {
		t.Skipf("inotify watch: %v", err)
	}
	lock, err := syscall.InotifyAddWatch(fd, path+".lock", mask)
	if err != nil {
		t.Skipf("inotify watch: %v", err)
	}
	if err := w.CloseDiscardUnused(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("the unused file is still there: %v", err)
	}
	events := map[int32]string{}
	buf := make([]byte, 64<<10)
	n, err := syscall.Read(fd, buf)
	if err != nil {
		t.Fatalf("read inotify events: %v", err)
	}
	for off := 0; off+syscall.SizeofInotifyEvent <= n; {
		ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
		switch {
		case ev.Mask&syscall.IN_CLOSE_WRITE != 0:
			events[ev.Wd] += "close "
		case ev.Mask&syscall.IN_ATTRIB != 0:
			events[ev.Wd] += "unlink "
		}
		off += syscall.SizeofInotifyEvent + int(ev.Len)
	}
	if got := events[int32(data)]; got != "close unlink " {
		t.Errorf("data file: %q, want it closed, then removed", got)
	}
	if got := events[int32(lock)]; got != "unlink close " {
		t.Errorf("lock file: %q, want it removed while held, then closed", got)
	}
}
