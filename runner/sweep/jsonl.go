package sweep

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

// Warning is a line of a results file that was skipped.
type Warning struct {
	File   string
	Line   int // 1-based
	Reason string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s line %d skipped: %s", w.File, w.Line, w.Reason)
}

// Append writes r as one line at the end of the file and fsyncs it. If the
// file does not end with a newline (a torn last line from a killed
// writer), a newline is written first so the new row stays a line of its
// own.
func Append(path string, r Row) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode row %s: %w", r.Name, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("results file: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	line := make([]byte, 0, len(b)+2)
	torn, err := endsTorn(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("results file %s: %w", path, err)
	}
	if torn {
		line = append(line, '\n')
	}
	line = append(append(line, b...), '\n')
	if _, err := f.Write(line); err != nil {
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

// Load reads every row of a results file. A missing file is empty. Lines
// that are not a row (torn by a kill, edited, from another format version)
// are skipped and reported as warnings; blank lines are ignored.
func Load(path string) ([]Row, []Warning, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("results file: %w", err)
	}
	defer f.Close()
	rows, warns, err := Read(f, path)
	if err != nil {
		return rows, warns, fmt.Errorf("results file %s: %w", path, err)
	}
	return rows, warns, nil
}

// Read reads rows from r (see [Load]); name labels the warnings.
func Read(r io.Reader, name string) ([]Row, []Warning, error) {
	var (
		rows  []Row
		warns []Warning
	)
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return rows, warns, fmt.Errorf("read line %d: %w", n, err)
		}
		eof := err == io.EOF
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) > 0 {
			var row Row
			switch uerr := json.Unmarshal(trimmed, &row); {
			case uerr != nil && eof && line[len(line)-1] != '\n':
				warns = append(warns, Warning{File: name, Line: n, Reason: fmt.Sprintf("torn last line (%d bytes, no newline): %v", len(line), uerr)})
			case uerr != nil:
				warns = append(warns, Warning{File: name, Line: n, Reason: uerr.Error()})
			case row.Version != RowVersion:
				warns = append(warns, Warning{File: name, Line: n, Reason: fmt.Sprintf("row version %d, want %d", row.Version, RowVersion)})
			case row.Key == "":
				warns = append(warns, Warning{File: name, Line: n, Reason: "no design key"})
			default:
				rows = append(rows, row)
			}
		}
		if eof {
			return rows, warns, nil
		}
	}
}

// TrimTorn removes a torn last line — bytes after the last newline, left by
// a writer killed mid-line — so the file holds only whole lines again. It
// returns the number of bytes removed (0 if the file is whole or missing).
// Only one process may write the file at a time.
func TrimTorn(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("results file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("results file %s: %w", path, err)
	}
	size := st.Size()
	// Scan back from the end for the last newline.
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	end := size
	for end > 0 {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, fmt.Errorf("results file %s: %w", path, err)
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			keep := start + int64(i) + 1
			if keep == size {
				return 0, nil
			}
			return trunc(f, path, keep, size)
		}
		end = start
	}
	if size == 0 {
		return 0, nil
	}
	return trunc(f, path, 0, size)
}

func trunc(f *os.File, path string, keep, size int64) (int64, error) {
	if err := f.Truncate(keep); err != nil {
		return 0, fmt.Errorf("trim torn line of %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("fsync %s: %w", path, err)
	}
	return size - keep, nil
}
