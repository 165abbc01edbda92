package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/shufflelab/explorer/internal/filelock"
	"github.com/shufflelab/explorer/internal/safefile"
)

// ErrNotThisKind is returned (wrapped) when the file given to [Open] holds
// content but not one value of the expected kind: it is some other file,
// and appending to it would damage it.
var ErrNotThisKind = errors.New("no line holds a value of its kind")

// Valid reports whether one line (without its newline) is a value of the
// file's kind.
type Valid func(line []byte) bool

// Validator is the Valid of files of T: the line decodes as a T and check
// (when not nil) accepts it.
func Validator[T any](check func(*T) string) Valid {
	return func(line []byte) bool {
		var v T
		if json.Unmarshal(line, &v) != nil {
			return false
		}
		return check == nil || check(&v) == ""
	}
}

// Options configure [Open].
type Options struct {
	// What names the file in messages, e.g. "results file".
	What string
	// Holder describes this writer to others (see filelock.Holder).
	Holder string
	// Wait is how long to wait for another writer to finish; 0 refuses at
	// once.
	Wait time.Duration
	// Valid tells values of the file's kind from other lines; nil accepts
	// any JSON object.
	Valid Valid

	maxLine int // the line limit; 0 is MaxLine (tests use small ones)
}

// Repair is what [Open] did to the end of the file.
type Repair struct {
	// Completed: the file did not end with a newline after its last value
	// (or blanks); one was added and nothing removed.
	Completed bool
	// Cut is the number of bytes of a torn tail removed from the end;
	// TornFile is where they were appended first.
	Cut      int64
	TornFile string
}

// String describes the repair for a warning ("" when nothing was done).
func (r Repair) String() string {
	switch {
	case r.Cut > 0:
		return fmt.Sprintf("cut a torn last line (%d bytes after the last newline, not a whole value); the bytes are kept in %s", r.Cut, r.TornFile)
	case r.Completed:
		return "the last line lacked its newline; added one (nothing was removed)"
	}
	return ""
}

// Writer appends values to a file it holds the lock of.
type Writer struct {
	path    string
	f       *os.File
	lock    *filelock.Lock
	maxLine int

	// What Open created (for CloseDiscardUnused): the file, its lock
	// file, the directories (deepest first); and whether Append was called.
	created, lockCreated bool
	dirs                 []string
	appended             bool
	// unregister removes the stop clean-up of a file Open created.
	unregister func()
	// mu orders Append, Close and the stop clean-up, which runs on the
	// signal's goroutine: a stop either finds a row appended and keeps the
	// file, or closes it first and a later Append fails.
	mu sync.Mutex
}

// HeldError is returned by Open when another writer holds the file.
type HeldError struct {
	What, Path string
	Err        *filelock.HeldError
}

// Error names the file, who writes it and what to do.
func (e *HeldError) Error() string {
	h := e.Err.Holder
	if h == "" {
		h = "another process"
	}
	return fmt.Sprintf("%s %s is being written by %s; wait for it to finish or use another file (the lock is %s)", e.What, e.Path, h, e.Err.Path)
}

// Unwrap is the lock's error (errors.Is(err, filelock.ErrHeld) holds).
func (e *HeldError) Unwrap() error { return e.Err }

func (o *Options) defaults() {
	if o.What == "" {
		o.What = "file"
	}
	if o.Valid == nil {
		o.Valid = Validator[map[string]any](nil)
	}
	if o.maxLine == 0 {
		o.maxLine = MaxLine
	}
}

// heldError gives a *HeldError for a lock held by another writer.
func heldError(err error, path string, o Options) error {
	var he *filelock.HeldError
	if errors.As(err, &he) {
		return &HeldError{What: o.What, Path: path, Err: he}
	}
	return fmt.Errorf("%s %s: %w", o.What, path, err)
}

// Check makes the checks of [Open] without creating or changing anything:
// path is a regular file or missing, holds values of its kind (or
// nothing, or a torn tail Open would repair), and no other writer holds
// it (a *HeldError after o.Wait). A command checks its output this way
// before slow or failing work, so that a refusal leaves no new file
// behind; Open checks again.
func Check(path string, o Options) error {
	o.defaults()
	if err := safefile.CheckRegular(path); err != nil {
		return fmt.Errorf("%s: %w", o.What, err)
	}
	// No lock file: no writer holds the file, and none is created here
	// (not even when a writer removes its lock file while Check waits).
	lock, err := filelock.AcquireExisting(path+".lock", o.Holder, o.Wait)
	if err != nil {
		return heldError(err, path, o)
	}
	defer lock.Unlock()
	f, st, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", o.What, err)
	}
	defer f.Close()
	_, err = inspect(f, path, st.Size(), o)
	return err
}

// missingDirs lists the directories of dir that do not exist yet, deepest
// first.
func missingDirs(dir string) []string {
	var out []string
	for {
		if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
			return out
		}
		out = append(out, dir)
		parent := filepath.Dir(dir)
		if parent == dir {
			return out
		}
		dir = parent
	}
}

// Open locks the file at path for appending (creating it and its
// directory), checks that it is a regular file holding values of its kind
// (or nothing yet), and repairs its end: a last value without its newline
// is ended; a torn tail is appended to path+".torn" and cut. Another
// writer holding the file gives a *HeldError after o.Wait. What Open
// creates is removed again by [Writer.CloseDiscardUnused] when nothing
// was appended; [Check] makes the same checks without creating anything.
func Open(path string, o Options) (*Writer, Repair, error) {
	o.defaults()
	if err := safefile.CheckRegular(path); err != nil {
		return nil, Repair{}, fmt.Errorf("%s: %w", o.What, err)
	}
	dirs := missingDirs(filepath.Dir(path))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, Repair{}, fmt.Errorf("%s %s: %w", o.What, path, err)
	}
	_, lerr := os.Lstat(path + ".lock")
	lock, err := filelock.Acquire(path+".lock", o.Holder, o.Wait)
	if err != nil {
		return nil, Repair{}, heldError(err, path, o)
	}
	// The lock is held: no other writer creates the file now.
	_, ferr := os.Lstat(path)
	// Not O_APPEND: writes go through writeAtEnd (see there).
	f, st, err := safefile.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		lock.Unlock()
		return nil, Repair{}, fmt.Errorf("%s: %w", o.What, err)
	}
	rep, err := repair(f, path, st.Size(), o)
	if err != nil {
		f.Close()
		lock.Unlock()
		return nil, Repair{}, err
	}
	w := &Writer{path: path, f: f, lock: lock, maxLine: o.maxLine,
		created: errors.Is(ferr, fs.ErrNotExist), lockCreated: errors.Is(lerr, fs.ErrNotExist), dirs: dirs}
	if w.created {
		// A process stopped at once (a second Ctrl-C) skips the deferred
		// CloseDiscardUnused: the same clean-up runs from safefile.Stop.
		w.unregister = safefile.AtStop(w.discardAtStop)
	}
	return w, rep, nil
}

// discardAtStop removes what Open created when nothing was appended, for
// a process about to exit at once, as CloseDiscardUnused does: the file
// and the lock are closed first, so the removal works on Windows too
// (an open file cannot be removed there). Best effort.
func (w *Writer) discardAtStop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil || w.appended {
		return
	}
	w.closeDiscardLocked()
}

// tailPlan is what [inspect] found at the end of a file: the offset just
// past its last newline, the bytes after it and whether they are a value
// (or blanks) that lacks only its newline.
type tailPlan struct {
	body, tailLen int64
	tailValid     bool
}

// inspect checks the file's kind without changing it (see Open).
func inspect(f *os.File, path string, size int64, o Options) (tailPlan, error) {
	var p tailPlan
	if size == 0 {
		return p, nil
	}
	body, err := lastNewline(f, size)
	if err != nil {
		return p, fmt.Errorf("%s %s: %w", o.What, path, err)
	}
	tailLen := size - body
	var tail []byte
	if tailLen <= int64(o.maxLine) {
		tail = make([]byte, tailLen)
		if _, err := f.ReadAt(tail, body); err != nil {
			return p, fmt.Errorf("%s %s: %w", o.What, path, err)
		}
	}
	// A tail of blanks, or a value that lacks only its newline, is ended
	// with a newline; anything else after the last newline is torn.
	blank := tailLen > 0 && tail != nil && len(bytes.TrimSpace(tail)) == 0
	tailValid := blank || tailLen > 0 && tail != nil && o.Valid(bytes.TrimSpace(tail))
	if !tailValid {
		ok, first, err := holdsValue(io.NewSectionReader(f, 0, body), o.Valid, o.maxLine)
		if err != nil {
			return p, fmt.Errorf("%s %s: %w", o.What, path, err)
		}
		// Nothing of this kind in the whole lines: only blank lines, or a
		// torn first value (a writer killed during its very first line),
		// may be kept or repaired.
		if !ok && (first != "" || tailLen > 0 && (tail == nil || !tornValue(tail))) {
			if first == "" {
				first = string(head(tail, 60))
			}
			return p, fmt.Errorf("%s is not a %s: %w (it starts %q); refusing to append to it", path, o.What, ErrNotThisKind, first)
		}
	}
	return tailPlan{body: body, tailLen: tailLen, tailValid: tailValid}, nil
}

// repair checks the file's kind and fixes its end (see Open).
func repair(f *os.File, path string, size int64, o Options) (Repair, error) {
	var rep Repair
	p, err := inspect(f, path, size, o)
	if err != nil {
		return rep, err
	}
	switch {
	case p.tailLen == 0:
	case p.tailValid:
		if err := writeAtEnd(f, []byte("\n")); err != nil {
			return rep, fmt.Errorf("%s %s: end the last line: %w", o.What, path, err)
		}
		if err := safefile.Sync(f); err != nil {
			return rep, fmt.Errorf("fsync %s: %w", path, err)
		}
		rep.Completed = true
	default:
		rep.TornFile = path + ".torn"
		if err := keepTorn(f, p.body, p.tailLen, rep.TornFile); err != nil {
			return rep, fmt.Errorf("%s %s: keep the torn last line: %w", o.What, path, err)
		}
		if err := f.Truncate(p.body); err != nil {
			return rep, fmt.Errorf("%s %s: cut the torn last line: %w", o.What, path, err)
		}
		if err := safefile.Sync(f); err != nil {
			return rep, fmt.Errorf("fsync %s: %w", path, err)
		}
		rep.Cut = p.tailLen
	}
	return rep, nil
}

// lastNewline returns the offset just past the file's last newline (0 when
// it has none).
func lastNewline(f *os.File, size int64) (int64, error) {
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// holdsValue reports whether any line of r is valid, and the start of the
// first non-blank line when none is.
func holdsValue(r io.Reader, valid Valid, maxLine int) (bool, string, error) {
	lr := newLineReader(r, maxLine)
	first := ""
	for {
		line, size, _, err := lr.next()
		if err != nil && err != io.EOF {
			return false, "", err
		}
		if text := bytes.TrimSpace(line); len(text) > 0 {
			if valid(text) {
				return true, "", nil
			}
			if first == "" {
				first = string(head(text, 60))
			}
		} else if size > maxLine && first == "" {
			first = fmt.Sprintf("(a line of %d bytes)", size)
		}
		if err == io.EOF {
			return false, first, nil
		}
	}
}

// tornValue reports whether b is the start of a JSON object cut short: the
// kind of tail a writer killed mid-line leaves.
func tornValue(b []byte) bool {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	var v any
	err := json.NewDecoder(bytes.NewReader(t)).Decode(&v)
	return errors.Is(err, io.ErrUnexpectedEOF)
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// writeAtEnd writes b at the end of f. The file is not opened with
// O_APPEND: on Windows, Go opens an O_APPEND file with FILE_APPEND_DATA
// but without FILE_WRITE_DATA, and Truncate (cutting a torn tail) then
// fails with "Access is denied". The lock gives the file one writer, so
// seeking to the end before each write appends as O_APPEND would.
func writeAtEnd(f *os.File, b []byte) error {
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	_, err := f.Write(b)
	return err
}

// keepTorn appends the n bytes at off of f, and a newline, to the file at
// torn, and fsyncs it. When torn already ends with that line (an earlier
// Open kept the tail and then failed, or was killed, before cutting it),
// nothing is appended: a retry does not keep the same tail twice.
func keepTorn(f *os.File, off, n int64, torn string) error {
	t, st, err := safefile.OpenFile(torn, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	kept, err := endsWithLine(t, st.Size(), io.NewSectionReader(f, off, n), n)
	if err != nil || kept {
		t.Close()
		return err
	}
	if _, err := io.Copy(t, io.NewSectionReader(f, off, n)); err != nil {
		t.Close()
		return err
	}
	if _, err := t.Write([]byte("\n")); err != nil {
		t.Close()
		return err
	}
	if err := safefile.Sync(t); err != nil {
		t.Close()
		return err
	}
	return t.Close()
}

// endsWithLine reports whether the last line of t (size bytes) is the n
// bytes of r: they are followed by a newline that ends t, and preceded by
// a newline or the start of t.
func endsWithLine(t *os.File, size int64, r io.Reader, n int64) (bool, error) {
	start := size - n - 1
	if start < 0 {
		return false, nil
	}
	var edge [1]byte
	for _, at := range []int64{size - 1, start - 1} {
		if at < 0 {
			continue
		}
		if _, err := t.ReadAt(edge[:], at); err != nil {
			return false, err
		}
		if edge[0] != '\n' {
			return false, nil
		}
	}
	const chunk = 64 << 10
	a, b := make([]byte, chunk), make([]byte, chunk)
	kept := io.NewSectionReader(t, start, n)
	for left := n; left > 0; {
		m := min(left, chunk)
		if _, err := io.ReadFull(kept, a[:m]); err != nil {
			return false, err
		}
		if _, err := io.ReadFull(r, b[:m]); err != nil {
			return false, err
		}
		if !bytes.Equal(a[:m], b[:m]) {
			return false, nil
		}
		left -= m
	}
	return true, nil
}

// Append writes line (one encoded JSON value, without its newline) and a
// newline at the end of the file in one write, and fsyncs it.
func (w *Writer) Append(line []byte) error {
	if bytes.IndexByte(line, '\n') >= 0 {
		return fmt.Errorf("append to %s: the value spans several lines", w.path)
	}
	if len(line) > w.maxLine {
		return fmt.Errorf("append to %s: a line of %d bytes, over the %s limit of one line", w.path, len(line), safefile.FormatSize(int64(w.maxLine)))
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("append to %s: the file is closed", w.path)
	}
	w.appended = true
	if err := writeAtEnd(w.f, buf); err != nil {
		return fmt.Errorf("append to %s: %w", w.path, err)
	}
	if err := safefile.Sync(w.f); err != nil {
		return fmt.Errorf("fsync %s: %w", w.path, err)
	}
	return nil
}

// Path is the file the writer appends to.
func (w *Writer) Path() string { return w.path }

// Close closes the file and releases the lock.
func (w *Writer) Close() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closeLocked()
}

// closeLocked is Close with w.mu held.
func (w *Writer) closeLocked() error {
	if w.f == nil {
		return nil
	}
	if w.unregister != nil {
		w.unregister()
	}
	err := w.f.Close()
	if uerr := w.lock.Unlock(); err == nil {
		err = uerr
	}
	w.f = nil
	return err
}

// CloseDiscardUnused is Close that, when nothing was appended, also
// removes what Open created: the file (while still empty), its lock file
// and the directories Open made (while empty). A file, lock file or
// directory that existed before Open is never removed. A command that
// fails before writing anything (or writes nothing) leaves no new files
// behind this way.
//
// The file is closed before it is removed, while the lock is still held
// (no other writer appends to it meanwhile), and the lock file is removed
// by filelock's UnlockAndRemove, before or after its release as the OS
// needs: Windows deletes no file that is open (Go opens files without
// FILE_SHARE_DELETE), so removing either while open failed there.
func (w *Writer) CloseDiscardUnused() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	if w.appended {
		return w.closeLocked()
	}
	return w.closeDiscardLocked()
}

// closeDiscardLocked is CloseDiscardUnused of a writer nothing was
// appended to, with w.mu held.
func (w *Writer) closeDiscardLocked() error {
	if w.unregister != nil {
		w.unregister()
	}
	st, serr := w.f.Stat()
	discard := w.created && serr == nil && st.Size() == 0
	err := w.f.Close()
	w.f = nil
	removed := false
	if discard {
		rerr := os.Remove(w.path)
		removed = rerr == nil
		if err == nil {
			err = rerr
		}
	}
	unlock := w.lock.Unlock
	if w.lockCreated {
		unlock = w.lock.UnlockAndRemove
	}
	if uerr := unlock(); err == nil {
		err = uerr
	}
	for _, d := range w.dirs {
		if !removed || os.Remove(d) != nil {
			break
		}
	}
	return err
}
