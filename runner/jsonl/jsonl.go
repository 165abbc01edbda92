// Package jsonl reads and appends JSON Lines files (one JSON value per
// line) that writers may be killed in the middle of.
//
// AppendLine writes one whole line with a single write on a file opened
// with O_APPEND and fsyncs it, so concurrent writers on a local file system
// do not interleave and a crash loses at most the line being written. Read
// and Load never fail on bad content: a torn last line (a crash mid-write)
// or a corrupt line elsewhere is skipped and reported as a Skip.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// AppendLine writes line (one encoded JSON value, without its newline) at
// the end of the file at path followed by a newline, creating the file and
// its directory if needed, and fsyncs it. If the file does not end in a
// newline (a torn line left by a killed writer), a newline is written first
// so the new line stays intact.
func AppendLine(path string, line []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, len(line)+2)
	torn, err := endsTorn(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if torn {
		buf = append(buf, '\n')
	}
	buf = append(append(buf, line...), '\n')
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// endsTorn reports whether the non-empty file f lacks a final newline.
func endsTorn(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], st.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

// Skip is a line that Read or Load skipped.
type Skip struct {
	Line   int    // 1-based line number
	Reason string // why it was skipped
}

// Load reads every value in the file at path (see [Read]). A missing file
// holds no values. Open errors are returned as the os package reports them
// (they name the file); read errors are prefixed with path.
func Load[T any](path, what string, check func(*T) string) ([]T, []Skip, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	vs, skips, err := Read(f, what, check)
	if err != nil {
		return vs, skips, fmt.Errorf("%s: %w", path, err)
	}
	return vs, skips, nil
}

// Read decodes each non-blank line of r as a T. A line that is not JSON for
// a T is skipped; what names a value in that reason ("not a JSON result"),
// and a last line without its newline is reported as torn. check, when not
// nil, returns why a decoded value must be skipped, or "" to keep it. Only
// I/O errors are returned as errors; the values and skips read before one
// are returned with it.
func Read[T any](r io.Reader, what string, check func(*T) string) ([]T, []Skip, error) {
	var (
		out   []T
		skips []Skip
	)
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return out, skips, fmt.Errorf("read line %d: %w", n, err)
		}
		eof := err == io.EOF
		if text := bytes.TrimSpace(line); len(text) > 0 {
			var v T
			uerr := json.Unmarshal(text, &v)
			var why string
			switch {
			case uerr != nil && eof && line[len(line)-1] != '\n':
				why = fmt.Sprintf("torn last line (%d bytes, no newline): %v", len(line), uerr)
			case uerr != nil:
				why = fmt.Sprintf("not a JSON %s: %v", what, uerr)
			case check != nil:
				why = check(&v)
			}
			if why != "" {
				skips = append(skips, Skip{Line: n, Reason: why})
			} else {
				out = append(out, v)
			}
		}
		if eof {
			return out, skips, nil
		}
	}
}
