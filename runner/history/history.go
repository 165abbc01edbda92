// Package history keeps every measured result in an append-only JSON Lines
// file (one runner.Result per line), by default history.jsonl in the
// per-user state directory (DefaultPath).
//
// Append writes one whole line with a single write on a file opened with
// O_APPEND and fsyncs it, so concurrent writers on a local file system do
// not interleave and a crash loses at most the line being written. Load
// never fails on bad content: a torn last line (a crash mid-write) or a
// corrupt line elsewhere is skipped and reported as a Warning.
package history

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/internal/userdir"
	"github.com/shufflelab/explorer/runner/jsonl"
)

// FileName is the history file's name inside the state directory.
const FileName = "history.jsonl"

// DefaultPath is history.jsonl in explorer's per-user state directory:
// $XDG_STATE_HOME/explorer when XDG_STATE_HOME is absolute, else
// ~/.local/state/explorer on Linux and other Unix systems,
// ~/Library/Application Support/explorer on macOS and
// %LocalAppData%\explorer on Windows.
func DefaultPath() (string, error) {
	d, err := userdir.State()
	if err != nil {
		return "", fmt.Errorf("history path: %w", err)
	}
	return filepath.Join(d, FileName), nil
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
	if err := jsonl.AppendLine(path, b); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
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
	rs, skips, err := jsonl.Load(path, "result", checkVersion)
	if err != nil {
		err = fmt.Errorf("history: %w", err)
	}
	return rs, warnings(skips), err
}

// Read parses a history stream (see Load).
func Read(r io.Reader) ([]runner.Result, []Warning, error) {
	rs, skips, err := jsonl.Read(r, "result", checkVersion)
	return rs, warnings(skips), err
}

// checkVersion rejects a result of a format version this program does not read.
func checkVersion(res *runner.Result) string {
	if res.Version != runner.ResultVersion {
		return fmt.Sprintf("result version %d, this program reads version %d", res.Version, runner.ResultVersion)
	}
	return ""
}

func warnings(skips []jsonl.Skip) []Warning {
	var ws []Warning
	for _, s := range skips {
		ws = append(ws, Warning{Line: s.Line, Reason: s.Reason})
	}
	return ws
}
