package history

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shufflelab/explorer/runner"
)

func result(iters int) runner.Result {
	return runner.Result{Version: runner.ResultVersion, Backend: "native", Mode: runner.Fused, Iters: iters}
}

func line(t *testing.T, r runner.Result) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDefaultPath: the history lives in the per-user state directory
// (runner/internal/userdir tests every OS's convention); an absolute
// XDG_STATE_HOME wins on every OS.
func TestDefaultPath(t *testing.T) {
	d := t.TempDir()
	t.Setenv("XDG_STATE_HOME", d)
	got, err := DefaultPath()
	if want := filepath.Join(d, "explorer", FileName); err != nil || got != want {
		t.Errorf("DefaultPath() = %q, %v; want %q", got, err, want)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		wantIters []int
		wantWarn  []int    // line numbers warned about
		warnHas   []string // substring of each warning
	}{
		{name: "empty file", content: "", wantIters: nil},
		{name: "blank lines", content: "\n\n  \n", wantIters: nil},
		{name: "two good", content: line(t, result(1)) + "\n" + line(t, result(2)) + "\n", wantIters: []int{1, 2}},
		{name: "good without final newline", content: line(t, result(1)) + "\n" + line(t, result(2)), wantIters: []int{1, 2}},
		{
			name:      "torn last line",
			content:   line(t, result(1)) + "\n" + line(t, result(2)) + "\n" + line(t, result(3))[:20],
			wantIters: []int{1, 2}, wantWarn: []int{3}, warnHas: []string{"torn last line"},
		},
		{
			name:      "garbage in the middle",
			content:   line(t, result(1)) + "\n" + "\x00\x01garbage{\n" + line(t, result(3)) + "\n",
			wantIters: []int{1, 3}, wantWarn: []int{2}, warnHas: []string{"not a JSON result"},
		},
		{
			name:      "other version and a non-object",
			content:   `{"version":99,"iters":5}` + "\n" + "[1,2]\n" + line(t, result(7)) + "\n",
			wantIters: []int{7}, wantWarn: []int{1, 2}, warnHas: []string{"version 99", "not a JSON result"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.jsonl")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			rs, ws, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			var iters []int
			for _, r := range rs {
				iters = append(iters, r.Iters)
			}
			if !equalInts(iters, tc.wantIters) {
				t.Errorf("iters %v, want %v", iters, tc.wantIters)
			}
			if len(ws) != len(tc.wantWarn) {
				t.Fatalf("warnings %v, want lines %v", ws, tc.wantWarn)
			}
			for i, w := range ws {
				if w.Line != tc.wantWarn[i] || !strings.Contains(w.Reason, tc.warnHas[i]) {
					t.Errorf("warning %d = %v, want line %d containing %q", i, w, tc.wantWarn[i], tc.warnHas[i])
				}
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoadMissing(t *testing.T) {
	rs, ws, err := Load(filepath.Join(t.TempDir(), "none.jsonl"))
	if err != nil || rs != nil || ws != nil {
		t.Errorf("missing file: %v %v %v; want empty and no error", rs, ws, err)
	}
}

func TestAppendRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "history.jsonl") // directories are created
	for i := 1; i <= 3; i++ {
		if err := Append(path, result(i)); err != nil {
			t.Fatal(err)
		}
	}
	rs, ws, err := Load(path)
	if err != nil || len(ws) != 0 || len(rs) != 3 || rs[0].Iters != 1 || rs[2].Iters != 3 || rs[1].Backend != "native" {
		t.Fatalf("load: %d results %v warnings %v err %v", len(rs), ws, err, rs)
	}
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Errorf("%d newlines, want one per record (3)", n)
	}
}

// A crash left a torn line: the next Append cuts it (keeping its bytes in
// the .torn file) and adds its record on a line of its own.
func TestAppendAfterTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.jsonl")
	torn := line(t, result(1)) + "\n" + line(t, result(2))[:15]
	if err := os.WriteFile(path, []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	var warned []string
	if err := AppendWarn(path, result(3), func(s string) { warned = append(warned, s) }); err != nil {
		t.Fatal(err)
	}
	rs, ws, err := Load(path)
	if err != nil || len(rs) != 2 || rs[0].Iters != 1 || rs[1].Iters != 3 || len(ws) != 0 {
		t.Fatalf("results %v warnings %v err %v; want iters 1 and 3, no warning", rs, ws, err)
	}
	kept, _ := os.ReadFile(path + ".torn")
	if string(kept) != line(t, result(2))[:15]+"\n" {
		t.Errorf(".torn holds %q, want the 15 torn bytes", kept)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "kept in "+path+".torn") {
		t.Errorf("warnings %q, want one naming the .torn file", warned)
	}
}

// Append refuses a file that is not a history (issue 15: any file given
// lost its last line and got records appended): a sweep's results file, a
// JSON document, a CSV; the file is left byte for byte.
func TestAppendRefusesOtherFiles(t *testing.T) {
	for _, content := range []string{
		`{"version":1,"key":"k","name":"x","backend":"native"}` + "\n", // a sweep row
		`{"important":1}`,
		"a,b\n1,2\n",
	} {
		path := filepath.Join(t.TempDir(), "h.jsonl")
		os.WriteFile(path, []byte(content), 0o644)
		if err := Append(path, result(1)); err == nil || !strings.Contains(err.Error(), "is not a history file") {
			t.Errorf("Append to %q = %v, want a refusal", content, err)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Errorf("refused file changed: %q -> %q", content, got)
		}
	}
}

func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.jsonl")
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := result(w*each + i)
				r.Spec.Classes = 1000 + w // a longer record
				if err := Append(path, r); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rs, ws, err := Load(path)
	if err != nil || len(ws) != 0 || len(rs) != writers*each {
		t.Fatalf("%d results, warnings %v, err %v; want %d and none", len(rs), ws, err, writers*each)
	}
	seen := map[int]bool{}
	for _, r := range rs {
		seen[r.Iters] = true
	}
	if len(seen) != writers*each {
		t.Errorf("%d distinct records, want %d", len(seen), writers*each)
	}
}
