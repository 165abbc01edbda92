// Package safefile writes the program's output files atomically and opens
// its input files within bounds.
//
// Writes go to a temporary file in the target's directory, which is synced
// and then renamed over the target, so a crash, a full disk or a failed
// render leaves either the old file or the new one, never a truncated mix.
// A symbolic link at the target is refused unless the caller forces it (the
// link is then replaced by the file; its old target is left untouched), and
// a target that exists but is not a regular file (a directory, a device, a
// named pipe) is always refused. New files get mode 0644 (less the umask);
// a replaced file keeps its permission bits.
//
// Reads check that the path is a regular file before opening it (and
// again, on the open file, after), so a named pipe or a device given as an
// input is refused with a clear message instead of blocking or reading
// forever, and cap the bytes read.
package safefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Option adjusts a write.
type Option func(*options)

type options struct {
	force bool
}

// Force, when on, lets a write replace a symbolic link at the target (the
// link itself, not the file it points to). Commands set it from --force.
func Force(on bool) Option { return func(o *options) { o.force = on } }

// ErrSymlink is returned (wrapped) when the target of a write is a
// symbolic link and the write is not forced.
var ErrSymlink = errors.New("is a symbolic link")

// ErrNotRegular is returned (wrapped) for a path that exists but is not a
// regular file: a directory, a named pipe, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned (wrapped) by [ReadFile] for a file over its cap.
var ErrTooLarge = errors.New("file too large")

// WriteFile writes data to path atomically (see the package comment).
func WriteFile(path string, data []byte, opts ...Option) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, opts...)
}

// Write streams the file's content from write into a temporary file next
// to path, syncs it and renames it over path. If write or any step fails,
// or write panics, the temporary file is removed and path is left as it
// was; [Stop] removes it while the write is in progress.
func Write(path string, write func(io.Writer) error, opts ...Option) error {
	var o options
	for _, f := range opts {
		f(&o)
	}
	perm, err := checkTarget(path, o.force)
	if err != nil {
		return err
	}
	tmp, err := createTemp(path, perm)
	if err != nil {
		// Name the folder, not the temporary file the user never asked for
		// ("open /d/.x.toml.tmp-5asq: no such file or directory").
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write %s: cannot create a file in %s: %w", path, filepath.Dir(path), err)
	}
	name := tmp.Name()
	// Until the rename the temporary file goes on any failure, when write
	// panics, and when the process stops at once ([Stop]: closed first, as
	// Windows removes no open file; the write then fails).
	renamed := false
	unregister := AtStop(func() {
		tmp.Close()
		os.Remove(name)
	})
	defer func() {
		unregister()
		if !renamed {
			tmp.Close()
			os.Remove(name)
		}
	}()
	fail := func(err error) error { return fmt.Errorf("write %s: %w", path, err) }
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if perm != 0 {
		// Keep the permission bits of the file being replaced.
		if err := tmp.Chmod(perm); err != nil {
			return fail(err)
		}
	}
	if err := Sync(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := rename(name, path); err != nil {
		return fail(err)
	}
	renamed = true
	// The file is in place: a directory that cannot be synced (exFAT on
	// macOS) is no failure of the write.
	if err := syncDir(filepath.Dir(path)); err != nil && !fullSyncUnsupported(err) {
		return fmt.Errorf("write %s: sync directory: %w", path, err)
	}
	return nil
}

// atStop holds the clean-ups that a process exiting at once would skip
// (registered with AtStop, run by Stop).
var atStop = struct {
	mu   sync.Mutex
	next int
	fns  map[int]func()
}{fns: map[int]func(){}}

// AtStop registers f to run when the process is about to exit at once
// ([Stop]): the clean-up a deferred Close would do, such as removing a
// results file that a command created and never wrote to. The returned
// function unregisters f (call it when the clean-up has run or is no
// longer wanted). f must be safe to run from another goroutine.
func AtStop(f func()) (unregister func()) {
	atStop.mu.Lock()
	id := atStop.next
	atStop.next++
	atStop.fns[id] = f
	atStop.mu.Unlock()
	return func() {
		atStop.mu.Lock()
		delete(atStop.fns, id)
		atStop.mu.Unlock()
	}
}

// Stop prepares a process to exit at once (a second Ctrl-C): it runs the
// clean-ups registered with [AtStop], each once. Among them, each write
// in progress closes and removes its temporary file (the write then
// fails and leaves its target as it was); removal is best effort.
func Stop() {
	atStop.mu.Lock()
	fns := atStop.fns
	atStop.fns = map[int]func(){}
	atStop.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// checkTarget refuses a target that is a symbolic link (unless forced) or
// exists and is not a regular file. It returns the permission bits of an
// existing regular file (0 when there is none or when a link is replaced).
func checkTarget(path string, force bool) (fs.FileMode, error) {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("write %s: %w", path, err)
	case st.Mode()&fs.ModeSymlink != 0:
		if force {
			return 0, nil
		}
		dest, _ := os.Readlink(path)
		// The commands that can replace a link say how (forceHint in
		// cmd/explorer); the calibration cache, say, cannot.
		return 0, fmt.Errorf("write %s: %w (to %s); refusing to write through it", path, ErrSymlink, dest)
	case !st.Mode().IsRegular():
		return 0, fmt.Errorf("write %s: %w (%s)", path, ErrNotRegular, kind(st.Mode()))
	}
	return st.Mode().Perm(), nil
}

// createTemp creates a new file next to path, readable by all (0644 less
// the umask) unless perm says otherwise later.
func createTemp(path string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64()&0xffffffffff, 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no free temporary name in %s", dir)
}

// kind names a non-regular file mode for messages.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// CheckRegular returns nil when path does not exist or is a regular file
// (following symbolic links), and an error wrapping [ErrNotRegular] that
// says what it is otherwise. It never opens the file, so it cannot block.
func CheckRegular(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is %s: %w", path, kind(st.Mode()), ErrNotRegular)
	}
	return nil
}

// Open opens the regular file at path for reading. A path that is not a
// regular file is refused before it is opened (a named pipe would block
// the open) and checked again on the open file; the error wraps
// [ErrNotRegular] and says what the path is.
func Open(path string) (*os.File, fs.FileInfo, error) {
	return OpenFile(path, os.O_RDONLY, 0)
}

// OpenFile is [Open] with os.OpenFile's flags and permission, for files
// that are read and appended to; O_CREATE creates a missing file.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, fs.FileInfo, error) {
	if err := CheckRegular(path); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, flag|nonBlock, perm)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is %s: %w", path, kind(st.Mode()), ErrNotRegular)
	}
	return f, st, nil
}

// ReadFile reads the regular file at path, refusing it (with an error
// wrapping [ErrTooLarge] that gives both sizes) when it holds more than
// limit bytes. what names the file in that message ("design file").
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, fmt.Errorf("%s %s is %d bytes, over the %s limit: %w", what, path, st.Size(), FormatSize(limit), ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit { // the file grew while being read
		return nil, fmt.Errorf("%s %s is over the %s limit: %w", what, path, FormatSize(limit), ErrTooLarge)
	}
	return b, nil
}

// FormatSize formats a byte cap as the largest binary unit that divides it
// ("1 MiB", "512 KiB", "100 B").
func FormatSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " B"
}
