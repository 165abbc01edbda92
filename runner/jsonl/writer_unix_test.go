//go:build unix

package jsonl

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWriterNotAppendMode: the writer's file is not opened O_APPEND. On
// Windows Go opens an O_APPEND file without FILE_WRITE_DATA, so Open's
// Truncate of a torn tail failed there ("Access is denied") and the file
// was never repaired; Unix cannot show that failure, so this checks the
// open flags that caused it (TestOpenRepairsOrRefuses shows it on
// Windows).
func TestWriterNotAppendMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.jsonl")
	os.WriteFile(path, []byte("{\"n\":1}\n{\"n\":"), 0o644)
	w, _, err := open(t, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fl, err := unix.FcntlInt(w.f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fl&unix.O_APPEND != 0 {
		t.Error("the writer's file is open O_APPEND: on Windows it could not be truncated")
	}
	// Appends still land at the end, after a write by someone else.
	os.WriteFile(path, []byte("{\"n\":1}\n{\"n\":2}\n"), 0o644)
	if err := w.Append([]byte(`{"n":3}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n" {
		t.Errorf("file %q, want the append at its end", got)
	}
}
