//go:build unix

package safefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestModes: a new file is 0644 (less the umask); a replaced file keeps its
// permission bits.
func TestModes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new.csv")
	if err := WriteFile(p, []byte("a,b\n")); err != nil {
		t.Fatal(err)
	}
	umask := syscall.Umask(0)
	syscall.Umask(umask)
	st, _ := os.Stat(p)
	if want := os.FileMode(0o644) &^ os.FileMode(umask); st.Mode().Perm() != want {
		t.Errorf("new file mode %v, want %v", st.Mode().Perm(), want)
	}
	os.Chmod(p, 0o600)
	if err := WriteFile(p, []byte("c,d\n")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v, want 0600 kept", st.Mode().Perm())
	}
}

// TestReadFileCap: a file over the cap is refused by its size, before any
// read; one at the cap is read whole.
func TestReadFileCap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "preset.toml")
	os.WriteFile(p, bytes.Repeat([]byte("#"), 100), 0o644)
	if b, err := ReadFile(p, 100, "design file"); err != nil || len(b) != 100 {
		t.Errorf("ReadFile at the cap = %d bytes, %v", len(b), err)
	}
	_, err := ReadFile(p, 99, "design file")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "99 B") {
		t.Errorf("ReadFile over the cap = %v, want ErrTooLarge naming the cap", err)
	}
}

// TestOpenRefusesFIFOWithoutBlocking: a named pipe with no writer is
// refused at once (an open(2) of it would block forever), and a device is
// refused too.
func TestOpenRefusesFIFOWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFile(fifo, 1<<20, "design file")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("ReadFile(fifo) = %v, want ErrNotRegular naming a named pipe", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile(fifo) blocked")
	}
	if _, _, err := Open("/dev/zero"); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "character device") {
		t.Errorf("Open(/dev/zero) = %v, want ErrNotRegular naming a device", err)
	}
	if err := CheckRegular(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("CheckRegular(missing) = %v, want nil", err)
	}
}
