// Package history keeps every measured result in an append-only JSON Lines
// file (one runner.Result per line), by default history.jsonl in the
// per-user state directory (DefaultPath).
//
// Append takes the file's lock (waiting up to AppendWait for another
// writer), writes one whole line with a single write and fsyncs it, so a
// crash loses at most the line being written; a torn last line left by a
// crash is cut and kept in history.jsonl.torn, and a file that holds no
// result (some other file given as the history) is refused. Load never
// changes the file and never fails on bad content: a torn last line or a
// corrupt line elsewhere is skipped and reported as a Warning.
package history

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/shufflelab/explorer/internal/filelock"
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

// AppendWait is how long Append waits for another process appending to
// the same history (each holds the file only for one append).
const AppendWait = 10 * time.Second

// Append adds r as one line at the end of the file at path, creating the
// file and its directory if needed, and fsyncs it (see [AppendWarn]).
func Append(path string, r runner.Result) error { return AppendWarn(path, r, nil) }

// AppendWarn is Append that passes warn (when not nil) a description of
// any repair of the file's end: a last line without its newline that was
// ended, or a torn last line that was cut and kept in path+".torn".
func AppendWarn(path string, r runner.Result, warn func(string)) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("history: encode result: %w", err)
	}
	w, rep, err := jsonl.Open(path, jsonl.Options{What: "history file", Holder: filelock.Holder("explorer: append to the history"),
		Wait: AppendWait, Valid: jsonl.Validator(checkEntry)})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if msg := rep.String(); msg != "" && warn != nil {
		warn(fmt.Sprintf("history %s: %s", path, msg))
	}
	if err := w.Append(b); err != nil {
		w.Close()
		return fmt.Errorf("history: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// Warning describes a line Load skipped.
type Warning struct {
	Line   int    // 1-based line number
	Reason string // why it was skipped
}

// String is the warning in words: "history line 3 skipped: ...".
func (w Warning) String() string { return fmt.Sprintf("history line %d skipped: %s", w.Line, w.Reason) }

// Load reads every result in the file at path. A missing file is an empty
// history. Lines that are not a valid result (torn, corrupt, of an
// unknown version, or a sweep row) are skipped and reported in the
// warnings; only I/O errors (and a path that is not a regular file) are
// returned as errors.
func Load(path string) ([]runner.Result, []Warning, error) {
	es, skips, err := jsonl.Load(path, "result", checkEntry)
	if err != nil {
		err = fmt.Errorf("history: %w", err)
	}
	return results(es), warnings(skips), err
}

// Read parses a history stream (see Load).
func Read(r io.Reader) ([]runner.Result, []Warning, error) {
	es, skips, err := jsonl.Read(r, "result", checkEntry)
	return results(es), warnings(skips), err
}

// entry is a line of the history: a result, and the field that marks a
// sweep row (a sweep's results file is not a history).
type entry struct {
	runner.Result
	Key *string `json:"key"`
}

// checkEntry rejects a result of a format version this program does not
// read, a line without a backend, and a sweep row.
func checkEntry(e *entry) string {
	switch {
	case e.Version != runner.ResultVersion:
		return fmt.Sprintf("result version %d, this program reads version %d", e.Version, runner.ResultVersion)
	case e.Key != nil:
		return "a sweep row, not a result"
	case e.Backend == "":
		return "no backend: not a result"
	}
	return ""
}

func results(es []entry) []runner.Result {
	if es == nil {
		return nil
	}
	out := make([]runner.Result, len(es))
	for i, e := range es {
		out[i] = e.Result
	}
	return out
}

func warnings(skips []jsonl.Skip) []Warning {
	var ws []Warning
	for _, s := range skips {
		ws = append(ws, Warning{Line: s.Line, Reason: s.Reason})
	}
	return ws
}
