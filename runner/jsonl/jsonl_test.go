package jsonl

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shufflelab/explorer/internal/safefile"
)

type rec struct {
	N int `json:"n"`
}

// rejectNegative keeps records with n >= 0.
func rejectNegative(r *rec) string {
	if r.N < 0 {
		return "negative"
	}
	return ""
}

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      []rec
		wantLines []int
		reasonHas []string
	}{
		{name: "empty", in: ""},
		{name: "whole lines and blanks", in: "{\"n\":1}\n\n  \n{\"n\":2}\n", want: []rec{{1}, {2}}},
		{name: "last line whole without newline", in: "{\"n\":1}\n{\"n\":2}", want: []rec{{1}, {2}}},
		{name: "torn last line", in: "{\"n\":1}\n{\"n\":", want: []rec{{1}}, wantLines: []int{2}, reasonHas: []string{"torn last line (5 bytes, no newline)"}}, // 5 = len(`{"n":`)
		{name: "corrupt middle line", in: "{\"n\":1}\nnot json\n{\"n\":3}\n", want: []rec{{1}, {3}}, wantLines: []int{2}, reasonHas: []string{"not a JSON rec"}},
		{name: "check rejects", in: "{\"n\":-1}\n{\"n\":4}\n", want: []rec{{4}}, wantLines: []int{1}, reasonHas: []string{"negative"}},
		// Issue 15 reproduction 9: a 1 GB line was read whole (3.2 GB RSS).
		{name: "oversized line", in: "{\"n\":1}\n{\"n\":" + strings.Repeat("7", MaxLine) + "}\n{\"n\":3}\n", want: []rec{{1}, {3}},
			wantLines: []int{2}, reasonHas: []string{"line of 1048582 bytes, over the 1 MiB limit"}},
		{name: "oversized last line without newline", in: "{\"n\":1}\n" + strings.Repeat("x", MaxLine+1), want: []rec{{1}},
			wantLines: []int{2}, reasonHas: []string{"over the 1 MiB limit"}},
		{name: "line at the limit", in: "{\"n\":" + strings.Repeat(" ", MaxLine-7) + "5}\n", want: []rec{{5}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, skips, err := Read(strings.NewReader(tc.in), "rec", rejectNegative)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
			if len(skips) != len(tc.wantLines) {
				t.Fatalf("skips %v, want lines %v", skips, tc.wantLines)
			}
			for i, s := range skips {
				if s.Line != tc.wantLines[i] || !strings.Contains(s.Reason, tc.reasonHas[i]) {
					t.Errorf("skip %d = %+v, want line %d with %q", i, s, tc.wantLines[i], tc.reasonHas[i])
				}
			}
		})
	}
}

// A missing file holds no values and is not an error.
func TestLoadMissing(t *testing.T) {
	got, skips, err := Load(filepath.Join(t.TempDir(), "none.jsonl"), "rec", rejectNegative)
	if err != nil || got != nil || skips != nil {
		t.Errorf("Load(missing) = %v, %v, %v; want nothing", got, skips, err)
	}
}

// TestScanLineNumbers: values come with their line numbers.
func TestScanLineNumbers(t *testing.T) {
	ls, _, err := Scan[rec](strings.NewReader("{\"n\":1}\n\nbad\n{\"n\":4}\n"), "rec", nil)
	if err != nil || len(ls) != 2 || ls[0].Line != 1 || ls[1].Line != 4 || ls[1].Value.N != 4 {
		t.Errorf("Scan = %+v, %v; want n=1 on line 1 and n=4 on line 4", ls, err)
	}
}

// recKey tells a rec (a JSON object with a field n >= 0) from other JSON.
type recKey struct {
	N *int `json:"n"`
}

// checkRecKey keeps objects with a field n >= 0.
func checkRecKey(r *recKey) string {
	if r.N == nil || *r.N < 0 {
		return "not a rec"
	}
	return ""
}

// validRec is the Valid of rec files: the readers' check, so that what
// Open keeps or cuts agrees with what Load reads.
var validRec = Validator(checkRecKey)

func open(t *testing.T, path string, o Options) (*Writer, Repair, error) {
	t.Helper()
	if o.What == "" {
		o.What = "rec file"
	}
	if o.Valid == nil {
		o.Valid = validRec
	}
	return Open(path, o)
}

// TestOpenRepairsOrRefuses: what Open does to each kind of file end, with
// the file's bytes before and after, and what goes to the .torn file.
// Reproduction 2 of issue 15: the old trim deleted a valid last row that
// lacked only its newline, wiped a file without any newline, and appended
// to files of another kind.
func TestOpenRepairsOrRefuses(t *testing.T) {
	tests := []struct {
		name, in  string
		out, torn string // file and .torn content after ("" = no .torn file)
		rep       Repair
		refused   bool
	}{
		{name: "missing", in: "\x00missing", out: ""},
		{name: "empty", in: "", out: ""},
		{name: "whole", in: "{\"n\":1}\n{\"n\":2}\n", out: "{\"n\":1}\n{\"n\":2}\n"},
		{name: "last value without newline is kept", in: "{\"n\":1}\n{\"n\":2}", out: "{\"n\":1}\n{\"n\":2}\n", rep: Repair{Completed: true}},
		{name: "only value without newline is kept", in: "{\"n\":7}", out: "{\"n\":7}\n", rep: Repair{Completed: true}},
		{name: "torn tail is cut and kept", in: "{\"n\":1}\n{\"n\":", out: "{\"n\":1}\n", torn: "{\"n\":\n", rep: Repair{Cut: 5}},
		{name: "junk tail is cut and kept", in: "{\"n\":1}\nhello", out: "{\"n\":1}\n", torn: "hello\n", rep: Repair{Cut: 5}},
		{name: "torn first value", in: "{\"n\":12", out: "", torn: "{\"n\":12\n", rep: Repair{Cut: 7}},
		{name: "blank lines then torn", in: "\n\n{\"n", out: "\n\n", torn: "{\"n\n", rep: Repair{Cut: 3}},
		{name: "a JSON file of another kind", in: `{"important":1}`, refused: true},
		{name: "a JSON file of another kind with newline", in: "{\"important\":-1}\n", refused: true},
		{name: "a CSV file", in: "a,b\n1,2\n", refused: true},
		{name: "text without newline", in: "hello world", refused: true},
		{name: "only blank lines", in: "\n \n", out: "\n \n"},
		{name: "only blanks without newline", in: "\n  ", out: "\n  \n", rep: Repair{Completed: true}},
		{name: "blanks after the last value", in: "{\"n\":1}\n \t", out: "{\"n\":1}\n \t\n", rep: Repair{Completed: true}},
		{name: "a bad value then a good one", in: "{\"n\":-1}\n{\"n\":2}\n", out: "{\"n\":-1}\n{\"n\":2}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.jsonl")
			if tc.in != "\x00missing" {
				if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			w, rep, err := open(t, path, Options{})
			got, _ := os.ReadFile(path)
			if tc.refused {
				if !errors.Is(err, ErrNotThisKind) || !strings.Contains(err.Error(), "refusing to append") {
					t.Fatalf("Open = %v, want ErrNotThisKind", err)
				}
				if string(got) != tc.in {
					t.Errorf("refused file changed: %q -> %q", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if string(got) != tc.out {
				t.Errorf("file %q -> %q, want %q", tc.in, got, tc.out)
			}
			torn, terr := os.ReadFile(path + ".torn")
			if tc.torn == "" && terr == nil || tc.torn != "" && string(torn) != tc.torn {
				t.Errorf(".torn holds %q (%v), want %q", torn, terr, tc.torn)
			}
			if tc.rep.Cut > 0 {
				tc.rep.TornFile = path + ".torn"
			}
			if rep != tc.rep {
				t.Errorf("repair %+v, want %+v", rep, tc.rep)
			}
			if err := w.Append([]byte(`{"n":9}`)); err != nil {
				t.Fatal(err)
			}
			vs, _, _ := Load(path, "rec", rejectNegative)
			if len(vs) == 0 || vs[len(vs)-1].N != 9 {
				t.Errorf("after Append the last value is %v, want n=9", vs)
			}
		})
	}
}

// TestOneWriter: a second writer on the same file is refused at once with
// the first one's description, or waits for it with Wait.
func TestOneWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.jsonl")
	a, _, err := open(t, path, Options{Holder: "pid 42 on host (explorer sweep)"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = open(t, path, Options{Holder: "second"})
	var he *HeldError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "being written by pid 42 on host (explorer sweep)") {
		t.Fatalf("second Open = %v, want a HeldError naming the first writer", err)
	}
	done := make(chan error, 1)
	go func() {
		b, _, err := open(t, path, Options{Holder: "third", Wait: 10 * time.Second})
		if err == nil {
			err = b.Append([]byte(`{"n":2}`))
			b.Close()
		}
		done <- err
	}()
	a.Append([]byte(`{"n":1}`))
	a.Close()
	if err := <-done; err != nil {
		t.Fatalf("waiting writer: %v", err)
	}
	vs, _, _ := Load[rec](path, "rec", nil)
	if !reflect.DeepEqual(vs, []rec{{1}, {2}}) {
		t.Errorf("values %v, want 1 then 2", vs)
	}
}

// TestOpenRefusesNonRegular: a directory or a device is refused before
// anything is locked or written (issue 15: sweep --out /dev/null measured
// first and failed after).
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := open(t, dir, Options{}); !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("Open(dir) = %v, want ErrNotRegular", err)
	}
	if runtime.GOOS != "windows" {
		if _, _, err := open(t, os.DevNull, Options{}); !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("Open(%s) = %v, want ErrNotRegular", os.DevNull, err)
		}
	}
}

// TestAppendRefusesBadLines: a line that would not read back whole is
// refused instead of written.
func TestAppendRefusesBadLines(t *testing.T) {
	w, _, err := open(t, filepath.Join(t.TempDir(), "f.jsonl"), Options{maxLine: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append([]byte("{\"n\":\n1}")); err == nil {
		t.Error("a value spanning two lines was appended")
	}
	if err := w.Append([]byte(`{"n":123456789012345}`)); err == nil {
		t.Error("a line over the limit was appended")
	}
}

// FuzzOpen feeds Open any file content (torn, oversized and non-JSON
// lines, with a 32-byte line limit so oversized lines are cheap) and checks
// that nothing is lost: a refused file is unchanged; an accepted one is
// unchanged, or ended with one newline, or cut at its last newline with the
// cut bytes in the .torn file; values read before and after match, and an
// appended value reads back last.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{"", "{\"n\":1}\n", "{\"n\":1}\n{\"n\":", "{\"n\":1}", `{"important":1}`, "a,b\n1,2\n",
		"{\"n\":1}\n" + strings.Repeat("9", 40) + "\n{\"n\":2}", strings.Repeat("{", 40), "\n\n{\"n", "{\"n\":-1}\n{\"n\":2}\nxx", "{\"n\":1}\n{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		const limit = 32
		path := filepath.Join(t.TempDir(), "f.jsonl")
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		before, _, err := scan(bytes.NewReader(in), "rec", checkRecKey, limit)
		if err != nil {
			t.Fatal(err)
		}
		w, rep, err := open(t, path, Options{maxLine: limit})
		got, _ := os.ReadFile(path)
		if err != nil {
			if !bytes.Equal(got, in) {
				t.Fatalf("refused (%v) but changed %q -> %q", err, in, got)
			}
			return
		}
		defer w.Close()
		torn, _ := os.ReadFile(path + ".torn")
		switch {
		case rep.Cut > 0:
			n := len(in) - int(rep.Cut)
			if !bytes.Equal(got, in[:n]) || !bytes.Equal(torn, append(in[n:len(in):len(in)], '\n')) || n > 0 && in[n-1] != '\n' {
				t.Fatalf("cut %d: %q -> file %q, torn %q", rep.Cut, in, got, torn)
			}
		case rep.Completed:
			if !bytes.Equal(got, append(in[:len(in):len(in)], '\n')) {
				t.Fatalf("completed: %q -> %q", in, got)
			}
		default:
			if !bytes.Equal(got, in) || len(torn) != 0 {
				t.Fatalf("untouched file changed: %q -> %q (torn %q)", in, got, torn)
			}
		}
		after, _, err := scan(bytes.NewReader(got), "rec", checkRecKey, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(values(after), values(before)) {
			t.Fatalf("values %v before, %v after", values(before), values(after))
		}
		if err := w.Append([]byte(`{"n":77}`)); err != nil {
			t.Fatal(err)
		}
		final, _ := os.ReadFile(path)
		vs, _, _ := scan(bytes.NewReader(final), "rec", checkRecKey, limit)
		if len(vs) != len(after)+1 || *vs[len(vs)-1].Value.N != 77 {
			t.Fatalf("after Append: %v, want %v then n=77", vs, after)
		}
	})
}

// FuzzScan: any input, with a small line limit, gives values and skips on
// distinct lines in order, and never a panic.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"", "{\"n\":1}\n", "{\"n\":1}\n{\"n\":", "not json\n", strings.Repeat("x", 100) + "\n{\"n\":2}\n", "\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		vs, skips, err := scan(bytes.NewReader(in), "rec", rejectNegative, 32)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(in, []byte("\n")) + 1
		seen := map[int]bool{}
		for _, v := range vs {
			if v.Line < 1 || v.Line > lines || seen[v.Line] || v.Value.N < 0 {
				t.Fatalf("value %+v of %d lines", v, lines)
			}
			seen[v.Line] = true
		}
		for _, s := range skips {
			if s.Line < 1 || s.Line > lines || seen[s.Line] || s.Reason == "" {
				t.Fatalf("skip %+v of %d lines", s, lines)
			}
			seen[s.Line] = true
		}
	})
}

// TestCheckCreatesNothingAndDiscard: Check refuses what Open refuses
// without creating a file; CloseDiscardUnused removes what Open created
// when nothing was appended, and never a file that was there before.
func TestCheckCreatesNothingAndDiscard(t *testing.T) {
	dir := t.TempDir()
	o := Options{What: "rec file", Valid: validRec}
	list := func() string {
		var names []string
		filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err == nil && p != dir {
				rel, _ := filepath.Rel(dir, p)
				names = append(names, rel)
			}
			return nil
		})
		return strings.Join(names, " ")
	}
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte("{\"x\":1}\n"), 0o644)
	if err := Check(other, o); !errors.Is(err, ErrNotThisKind) {
		t.Errorf("Check(other): %v", err)
	}
	if err := Check(filepath.Join(dir, "a", "new.jsonl"), o); err != nil {
		t.Errorf("Check(new): %v", err)
	}
	if got := list(); got != "other.json" {
		t.Fatalf("after Check: %q", got)
	}
	// Held by a writer: Check says who.
	held := filepath.Join(dir, "held.jsonl")
	w, _, err := Open(held, Options{What: "rec file", Valid: validRec, Holder: "the first"})
	if err != nil {
		t.Fatal(err)
	}
	var he *HeldError
	if err := Check(held, o); !errors.As(err, &he) || he.Err.Holder != "the first" {
		t.Errorf("Check(held): %v", err)
	}
	// The writer discards its new file (and the lock file with it) while
	// Check waits for it: Check leaves no lock file behind.
	discarded := make(chan struct{})
	go func(w *Writer) {
		defer close(discarded)
		time.Sleep(50 * time.Millisecond)
		w.CloseDiscardUnused()
	}(w)
	if err := Check(held, Options{What: "rec file", Valid: validRec, Wait: 10 * time.Second}); err != nil {
		t.Errorf("Check(held, then discarded): %v", err)
	}
	<-discarded
	if got := list(); got != "other.json" {
		t.Fatalf("after Check waited for a discarding writer: %q", got)
	}
	// Opened and discarded: the file, its lock and the new directories go.
	w, _, err = Open(filepath.Join(dir, "a", "b", "new.jsonl"), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.CloseDiscardUnused(); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "other.json" {
		t.Errorf("after discarding new files: %q", got)
	}
	// Appended to: kept.
	kept := filepath.Join(dir, "kept.jsonl")
	w, _, _ = Open(kept, o)
	w.Append([]byte(`{"key":"a","n":1}`))
	w.CloseDiscardUnused()
	// An empty file that was there before stays; its new lock goes.
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	w, _, _ = Open(empty, o)
	w.CloseDiscardUnused()
	if got := list(); got != "empty.jsonl kept.jsonl kept.jsonl.lock other.json" {
		t.Errorf("files %q", got)
	}
}

// TestOpenKeepsTornTailOnce: an Open that kept a torn tail in the .torn
// file but did not cut it (killed in between, or the cut failed, as it
// always did on Windows while the file was opened O_APPEND) is retried
// without keeping the tail a second time; a different earlier tail that
// merely ends with the same bytes is not mistaken for it.
func TestOpenKeepsTornTailOnce(t *testing.T) {
	for _, tc := range []struct {
		name, tornBefore, tornAfter string
	}{
		{"same tail kept before", "{\"n\":\n", "{\"n\":\n"},
		{"same tail kept last", "junk\n{\"n\":\n", "junk\n{\"n\":\n"},
		{"another tail ending alike", "{\"m\":{\"n\":\n", "{\"m\":{\"n\":\n{\"n\":\n"},
		{"same tail without its newline", "{\"n\":", "{\"n\":{\"n\":\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.jsonl")
			os.WriteFile(path, []byte("{\"n\":1}\n{\"n\":"), 0o644)
			os.WriteFile(path+".torn", []byte(tc.tornBefore), 0o644)
			w, rep, err := open(t, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			if rep.Cut != 5 {
				t.Errorf("repair %+v, want a cut of 5 bytes", rep)
			}
			if got, _ := os.ReadFile(path); string(got) != "{\"n\":1}\n" {
				t.Errorf("file %q after the repair", got)
			}
			if got, _ := os.ReadFile(path + ".torn"); string(got) != tc.tornAfter {
				t.Errorf(".torn %q -> %q, want %q", tc.tornBefore, got, tc.tornAfter)
			}
		})
	}
}

// TestStopDiscardsUnusedNewFile: a process stopped at once (a second
// Ctrl-C: safefile.Stop, then exit) skips the deferred CloseDiscardUnused;
// the file Open created, its lock and its new folders are removed all the
// same when nothing was appended (they stayed: an empty results file and a
// lock naming a dead process). A file with a row stays.
func TestStopDiscardsUnusedNewFile(t *testing.T) {
	dir := t.TempDir()
	o := Options{What: "rec file", Valid: validRec}
	unused, _, err := Open(filepath.Join(dir, "a", "b", "new.jsonl"), o)
	if err != nil {
		t.Fatal(err)
	}
	used, _, err := Open(filepath.Join(dir, "kept.jsonl"), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := used.Append([]byte(`{"key":"a","n":1}`)); err != nil {
		t.Fatal(err)
	}
	safefile.Stop()
	var left []string
	filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			left = append(left, rel)
		}
		return nil
	})
	if got := strings.Join(left, " "); got != "kept.jsonl kept.jsonl.lock" {
		t.Errorf("after Stop: %q, want the used file and its lock only", got)
	}
	// The removed file and its lock were closed first, as Windows needs to
	// remove them (an open file cannot be removed there; they stayed, an
	// empty results file and a lock). Where /proc lists this process's
	// open files, none of them is left open.
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range ents {
			if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.Contains(target, "new.jsonl") {
				t.Errorf("after Stop %s is still open", target)
			}
		}
	}
	// A row appended after the stop fails instead of going to the removed
	// file.
	if err := unused.Append([]byte(`{"key":"b","n":2}`)); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Append after Stop: %v, want an error saying the file is closed", err)
	}
	unused.Close()
	used.Close()
}
