package sweep

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/shufflelab/explorer/runner/jsonl"
)

// Warning is a line of a results file that was skipped.
type Warning struct {
	File   string
	Line   int // 1-based
	Reason string
}

// String is the warning in words: "r.jsonl line 3 skipped: ...".
func (w Warning) String() string {
	return fmt.Sprintf("%s line %d skipped: %s", w.File, w.Line, w.Reason)
}

// File is a results file open for a sweep: locked against other writers,
// checked to be a results file, its end repaired, its rows loaded.
type File struct {
	// Path is the file's path.
	Path string
	// Rows are the rows already in the file, in file order.
	Rows []Row
	// Warnings are the lines of the file that were skipped.
	Warnings []Warning
	// Repair says what was done to the file's end (a torn last line cut
	// and kept in Path+".torn", or a last row's missing newline added).
	Repair jsonl.Repair

	w *jsonl.Writer
}

// Open opens the results file at path for a sweep (creating it): it takes
// the file's lock (a *jsonl.HeldError naming the holder when another
// process has it: one writer per file), refuses a path that is not a
// regular file or a file with content but no row (some other file named
// as --out), repairs the file's end without losing a byte (see
// jsonl.Open), and loads its rows. holder describes this sweep to a second
// one (filelock.Holder).
func Open(path, holder string) (*File, error) {
	w, rep, err := jsonl.Open(path, fileOptions(holder))
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	rows, warns, err := Load(path)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return &File{Path: path, Rows: rows, Warnings: warns, Repair: rep, w: w}, nil
}

func fileOptions(holder string) jsonl.Options {
	return jsonl.Options{What: "results file", Holder: holder, Valid: jsonl.Validator(checkRow)}
}

// Check makes the checks of [Open] (the errors are the same) without
// creating or changing anything: a sweep checks its results file this way
// before its calibration and measurements, and opens it after them.
func Check(path, holder string) error {
	if err := jsonl.Check(path, fileOptions(holder)); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// Append writes r as one line at the end of the file and fsyncs it.
func (f *File) Append(r Row) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode row %s: %w", r.Name, err)
	}
	if err := f.w.Append(b); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	return nil
}

// Close closes the file and releases its lock. When no row was appended,
// what Open created is removed (see jsonl.Writer.CloseDiscardUnused): a
// sweep that measured nothing leaves no new file behind.
func (f *File) Close() error {
	if f == nil {
		return nil
	}
	return f.w.CloseDiscardUnused()
}

// Load reads every row of a results file; it never changes the file. A
// missing file is empty; a path that is not a regular file is an error.
// Lines that are not a row (torn by a kill, edited, over jsonl.MaxLine,
// from another format version) are skipped and reported as warnings;
// blank lines are ignored.
func Load(path string) ([]Row, []Warning, error) {
	ls, warns, err := LoadLines(path)
	rows := make([]Row, len(ls))
	for i, l := range ls {
		rows[i] = l.Row
	}
	if len(ls) == 0 {
		rows = nil
	}
	return rows, warns, err
}

// Located is a row with the line it was read from.
type Located struct {
	Line int
	Row  Row
}

// LoadLines is [Load] with the line number of each row.
func LoadLines(path string) ([]Located, []Warning, error) {
	ls, skips, err := jsonl.LoadLines(path, "row", checkRow)
	if err != nil {
		err = fmt.Errorf("results file: %w", err)
	}
	out := make([]Located, len(ls))
	for i, l := range ls {
		out[i] = Located{Line: l.Line, Row: l.Value}
	}
	return out, warnings(path, skips), err
}

// Read reads rows from r (see [Load]); name labels the warnings.
func Read(r io.Reader, name string) ([]Row, []Warning, error) {
	rows, skips, err := jsonl.Read(r, "row", checkRow)
	return rows, warnings(name, skips), err
}

// ReasonRunResult is the reason a line is skipped (Warning.Reason) when it
// is a result of `explorer run`, a line of a history file: it has a
// backend and a latency but none of a row's design key, name and host.
const ReasonRunResult = "a result of explorer run (a history line), not a sweep row"

// checkRow rejects a result of `explorer run`, a row of another format
// version and one without a design key.
func checkRow(row *Row) string {
	switch {
	case row.Key == "" && row.Name == "" && row.Host == "" && row.Backend != "" && row.LatencyMS.Median > 0:
		return ReasonRunResult
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
