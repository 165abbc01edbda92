package safefile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestWriteFileReplacesAtomically: the new content replaces the old one and
// no temporary file is left behind.
func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	for _, content := range []string{"first\n", "second, longer\n", ""} {
		if err := WriteFile(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("read back %q, %v; want %q", got, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only out.json: %v", len(entries), entries)
	}
}

// TestWriteFailureKeepsOldFile: a write that fails half-way (a full disk,
// a failed render) leaves the old file byte for byte and no temporary file.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "io.safetensors")
	old := []byte("the old, valid file")
	if err := os.WriteFile(p, old, 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("no space left on device")
	err := Write(p, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 200<<10)) // past the buffer: bytes reach the temp file
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want the write's error", err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, old) {
		t.Errorf("old file now %d bytes, want it unchanged", len(got))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

// TestWriteRefusesSymlink: a symbolic link at the target is refused and its
// target untouched; with Force the link itself is replaced.
func TestWriteRefusesSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	link := filepath.Join(dir, "out.png")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(link, []byte("chart"))
	// The refusal names the link's target and no flag: not every writer
	// has a --force (the commands that do add the hint).
	if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), "(to "+victim+")") || strings.Contains(err.Error(), "--force") {
		t.Fatalf("WriteFile through a link = %v, want ErrSymlink naming the target and no flag", err)
	}
	if err := WriteFile(link, []byte("chart"), Force(true)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("link target now %q, want it untouched", got)
	}
	st, err := os.Lstat(link)
	if err != nil || !st.Mode().IsRegular() {
		t.Errorf("after a forced write the target is %v, %v; want a regular file", st.Mode(), err)
	}
}

// TestWriteRefusesNonRegular: a directory or a device is never replaced.
func TestWriteRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x"), Force(true)); !errors.Is(err, ErrNotRegular) {
		t.Errorf("WriteFile(dir) = %v, want ErrNotRegular", err)
	}
	if runtime.GOOS != "windows" {
		if err := WriteFile(os.DevNull, []byte("x")); !errors.Is(err, ErrNotRegular) {
			t.Errorf("WriteFile(%s) = %v, want ErrNotRegular", os.DevNull, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 100: "100 B", 3 << 10: "3 KiB", 1<<20 + 1: "1048577 B", 2 << 30: "2 GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWriteMissingFolderNamesIt: a write into a folder that does not exist
// names the target and its folder, not the temporary file.
func TestWriteMissingFolderNamesIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	p := filepath.Join(dir, "x.toml")
	err := WriteFile(p, []byte("x"))
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "write "+p+": cannot create a file in "+dir) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("err = %v", err)
	}
}

// tempFiles lists the ".*.tmp-*" files in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWritePanicLeavesNoTemp: a write callback that panics (a chart
// renderer's bug) leaves no temporary file and the old file as it was.
func TestWritePanicLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "chart.png")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		Write(p, func(w io.Writer) error {
			w.Write([]byte("half"))
			panic("renderer bug")
		})
	}()
	if tmp := tempFiles(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("target holds %q, want the old content", b)
	}
}

// TestStopRemovesTemps: Stop (what a second Ctrl-C runs before the
// process exits) removes the temporary file of a write in progress; that
// write then fails and leaves the target as it was.
func TestStopRemovesTemps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "io.safetensors")
	err := Write(p, func(w io.Writer) error {
		if n := len(tempFiles(t, dir)); n != 1 {
			t.Errorf("%d temporary files during the write, want 1", n)
		}
		Stop()
		if tmp := tempFiles(t, dir); len(tmp) > 0 {
			t.Errorf("Stop left %v", tmp)
		}
		// Closed before its removal, as Windows needs (it removes no open
		// file): where /proc lists the process's open files, it is not
		// among them.
		if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
			for _, e := range ents {
				if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.Contains(target, ".io.safetensors.tmp-") {
					t.Errorf("after Stop %s is still open", target)
				}
			}
		}
		_, err := w.Write([]byte("data"))
		return err
	})
	if err == nil {
		t.Error("a write whose temporary file was removed succeeded")
	}
	if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("target: %v, want none", err)
	}
	if tmp := tempFiles(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	atStop.mu.Lock()
	n := len(atStop.fns)
	atStop.mu.Unlock()
	if n != 0 {
		t.Errorf("%d clean-ups still registered after the write", n)
	}
}

// TestAtStop: Stop runs every registered clean-up once; an unregistered
// one does not run.
func TestAtStop(t *testing.T) {
	var ran []string
	AtStop(func() { ran = append(ran, "a") })
	unregister := AtStop(func() { ran = append(ran, "b") })
	unregister()
	Stop()
	Stop()
	if len(ran) != 1 || ran[0] != "a" {
		t.Errorf("ran %v, want [a] once", ran)
	}
}
