// Package jsonl reads and appends JSON Lines files (one JSON value per
// line) that writers may be killed in the middle of.
//
// Reading never changes a file and never fails on bad content: a line that
// is not a value (torn by a kill, edited, over MaxLine bytes, of another
// format) is skipped and reported as a Skip, and a line is never held in
// memory past MaxLine bytes.
//
// Writing goes through a [Writer]: one per file at a time, enforced with an
// advisory lock on "<file>.lock" (a second writer is refused, or waits, and
// is told who holds the file). Opening a Writer refuses a file that does
// not look like one of this kind, ends a last value that lacks only its
// newline, and cuts a torn tail (the bytes after the last newline when they
// are not a value) after copying them to "<file>.torn": nothing is ever
// discarded. Each value is then appended as one write of one whole line,
// fsync'd, so a crash loses at most the line being written.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/shufflelab/explorer/internal/safefile"
)

// MaxLine is the longest line read or written, in bytes (newline
// excluded). Longer lines are skipped by readers without being buffered.
const MaxLine = 1 << 20

// Skip is a line that Read or Load skipped.
type Skip struct {
	Line   int    // 1-based line number
	Reason string // why it was skipped
}

// Line is a value read from a file with its 1-based line number.
type Line[T any] struct {
	Line  int
	Value T
}

// Load reads every value in the file at path (see [Read]). A missing file
// holds no values. A path that is not a regular file (a directory, a named
// pipe, a device) is an error, found without blocking. Open errors are
// returned as the os package reports them (they name the file); read
// errors are prefixed with path.
func Load[T any](path, what string, check func(*T) string) ([]T, []Skip, error) {
	ls, skips, err := LoadLines(path, what, check)
	return values(ls), skips, err
}

// LoadLines is [Load] with the line number of each value.
func LoadLines[T any](path, what string, check func(*T) string) ([]Line[T], []Skip, error) {
	f, _, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	vs, skips, err := Scan(f, what, check)
	if err != nil {
		return vs, skips, fmt.Errorf("%s: %w", path, err)
	}
	return vs, skips, nil
}

// Read decodes each non-blank line of r as a T (see [Scan]).
func Read[T any](r io.Reader, what string, check func(*T) string) ([]T, []Skip, error) {
	ls, skips, err := Scan(r, what, check)
	return values(ls), skips, err
}

func values[T any](ls []Line[T]) []T {
	if ls == nil {
		return nil
	}
	out := make([]T, len(ls))
	for i, l := range ls {
		out[i] = l.Value
	}
	return out
}

// Scan decodes each non-blank line of r as a T, with its line number. A
// line that is not JSON for a T is skipped; what names a value in that
// reason ("not a JSON result"); a last line without its newline is
// reported as torn; a line over MaxLine bytes is skipped unread. check,
// when not nil, returns why a decoded value must be skipped, or "" to keep
// it. Only I/O errors are returned as errors; the values and skips read
// before one are returned with it.
func Scan[T any](r io.Reader, what string, check func(*T) string) ([]Line[T], []Skip, error) {
	return scan(r, what, check, MaxLine)
}

// scan is Scan with a line limit (tests use small ones).
func scan[T any](r io.Reader, what string, check func(*T) string, maxLine int) ([]Line[T], []Skip, error) {
	var (
		out   []Line[T]
		skips []Skip
	)
	lr := newLineReader(r, maxLine)
	for n := 1; ; n++ {
		line, size, complete, err := lr.next()
		if err != nil && err != io.EOF {
			return out, skips, fmt.Errorf("read line %d: %w", n, err)
		}
		if size == 0 && err == io.EOF {
			return out, skips, nil
		}
		var why string
		if size > maxLine {
			why = fmt.Sprintf("line of %d bytes, over the %s limit of one line", size, safefile.FormatSize(int64(maxLine)))
		} else if text := bytes.TrimSpace(line); len(text) > 0 {
			var v T
			uerr := json.Unmarshal(text, &v)
			switch {
			case uerr != nil && !complete:
				why = fmt.Sprintf("torn last line (%d bytes, no newline): %v", size, uerr)
			case uerr != nil:
				why = fmt.Sprintf("not a JSON %s: %v", what, uerr)
			case check != nil:
				why = check(&v)
			}
			if why == "" {
				out = append(out, Line[T]{Line: n, Value: v})
			}
		}
		if why != "" {
			skips = append(skips, Skip{Line: n, Reason: why})
		}
		if err == io.EOF {
			return out, skips, nil
		}
	}
}

// lineReader yields lines of at most max bytes; longer lines are counted
// and discarded.
type lineReader struct {
	br  *bufio.Reader
	buf []byte
	max int
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its newline (nil when it is over the
// limit), its size in bytes, whether it ended in a newline, and io.EOF
// with the last line (possibly empty).
func (lr *lineReader) next() (line []byte, size int, complete bool, err error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		size += len(chunk)
		if size <= lr.max+1 {
			lr.buf = append(lr.buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			if size > lr.max {
				return nil, size, false, err
			}
			return lr.buf, size, false, err
		}
		size-- // the newline
		if size > lr.max {
			return nil, size, true, nil
		}
		return lr.buf[:size], size, true, nil
	}
}
