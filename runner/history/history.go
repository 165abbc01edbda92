// Package history keeps every measured result in an append-only JSON Lines
// file (one runner.Result per line), by default
// $XDG_STATE_HOME/explorer/history.jsonl.
//
// Append writes one whole line with a single write on a file opened with
// O_APPEND and fsyncs it, so concurrent writers on a local file system do
// not interleave and a crash loses at most the line being written. Load
// never fails on bad content: a torn last line (a crash mid-write) or a
// corrupt line elsewhere is skipped and reported as a Warning.
package history

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

	"github.com/shufflelab/explorer/runner"
)

// FileName is the history file's name inside the state directory.
const FileName = "history.jsonl"

// DefaultPath is $XDG_STATE_HOME/explorer/history.jsonl, or
// ~/.local/state/explorer/history.jsonl when XDG_STATE_HOME is unset or
// not absolute (XDG Base Directory specification).
func DefaultPath() (string, error) {
	return defaultPath(os.Getenv, os.UserHomeDir)
}

func defaultPath(getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "explorer", FileName), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("history path: %w", err)
	}
	return filepath.Join(h, ".local", "state", "explorer", FileName), nil
}

// Append adds r as one line at the end of the file at path, creating the
// file and its directory if needed, and fsyncs it. If the file does not end
// in a newline (a torn line from a crash), Append first ends that line so
// the new record stays intact.
func Append(path string, r runner.Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("history: encode result: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	line := make([]byte, 0, len(b)+2)
	if torn, err := endsTorn(f); err != nil {
		f.Close()
		return fmt.Errorf("history %s: %w", path, err)
	} else if torn {
		line = append(line, '\n')
	}
	line = append(line, b...)
	line = append(line, '\n')
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("history: append to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("history: fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("history: close %s: %w", path, err)
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

// Warning describes a line Load skipped.
type Warning struct {
	Line   int    // 1-based line number
	Reason string // why it was skipped
}

func (w Warning) String() string { return fmt.Sprintf("history line %d skipped: %s", w.Line, w.Reason) }

// Load reads every result in the file at path. A missing file is an empty
// history. Lines that are not a valid result (torn, corrupt, or of an
// unknown version) are skipped and reported in the warnings; only I/O
// errors are returned as errors.
func Load(path string) ([]runner.Result, []Warning, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	rs, ws, err := Read(f)
	if err != nil {
		return rs, ws, fmt.Errorf("history %s: %w", path, err)
	}
	return rs, ws, nil
}

// Read parses a history stream (see Load).
func Read(r io.Reader) ([]runner.Result, []Warning, error) {
	var (
		out  []runner.Result
		warn []Warning
	)
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return out, warn, fmt.Errorf("read line %d: %w", n, err)
		}
		last := err == io.EOF
		text := bytes.TrimSpace(line)
		if len(text) > 0 {
			var res runner.Result
			switch uerr := json.Unmarshal(text, &res); {
			case uerr != nil && last && line[len(line)-1] != '\n':
				warn = append(warn, Warning{Line: n, Reason: fmt.Sprintf("torn last line (no newline, %d bytes): %v", len(line), uerr)})
			case uerr != nil:
				warn = append(warn, Warning{Line: n, Reason: fmt.Sprintf("not a JSON result: %v", uerr)})
			case res.Version != runner.ResultVersion:
				warn = append(warn, Warning{Line: n, Reason: fmt.Sprintf("result version %d, this program reads version %d", res.Version, runner.ResultVersion)})
			default:
				out = append(out, res)
			}
		}
		if last {
			return out, warn, nil
		}
	}
}
