package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/shufflelab/explorer/runner/jsonl"
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
	if err := jsonl.AppendLine(path, b); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	return nil
}

// Load reads every row of a results file. A missing file is empty. Lines
// that are not a row (torn by a kill, edited, from another format version)
// are skipped and reported as warnings; blank lines are ignored.
func Load(path string) ([]Row, []Warning, error) {
	rows, skips, err := jsonl.Load(path, "row", checkRow)
	if err != nil {
		err = fmt.Errorf("results file: %w", err)
	}
	return rows, warnings(path, skips), err
}

// Read reads rows from r (see [Load]); name labels the warnings.
func Read(r io.Reader, name string) ([]Row, []Warning, error) {
	rows, skips, err := jsonl.Read(r, "row", checkRow)
	return rows, warnings(name, skips), err
}

// checkRow rejects a row of another format version or without a design key.
func checkRow(row *Row) string {
	switch {
	case row.Version != RowVersion:
		return fmt.Sprintf("row version %d, want %d", row.Version, RowVersion)
	case row.Key == "":
		return "no design key"
	}
	return ""
}

func warnings(file string, skips []jsonl.Skip) []Warning {
	var ws []Warning
	for _, s := range skips {
		ws = append(ws, Warning{File: file, Line: s.Line, Reason: s.Reason})
	}
	return ws
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
