package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/jsonl"
	"github.com/shufflelab/explorer/runner/stats"
)

// fakeMeasurer returns a latency proportional to the design's width and
// records which designs it measured; it can cancel the sweep's context
// during the measurement of design number cancelAt (1-based), as a kill
// would stop it.
type fakeMeasurer struct {
	calls    []string
	cancelAt int
	cancel   context.CancelFunc
	fail     map[string]error
}

func (f *fakeMeasurer) Measure(ctx context.Context, g *arch.Graph, d Design, profile bool, progress func(float64)) (runner.Result, error) {
	f.calls = append(f.calls, d.Name)
	if f.cancelAt == len(f.calls) {
		f.cancel()
		return runner.Result{Cancelled: true}, ctx.Err()
	}
	if err := f.fail[d.Name]; err != nil {
		return runner.Result{}, err
	}
	if progress != nil {
		progress(0.5)
	}
	ms := 10 * d.Spec.Width
	return runner.Result{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), LatencyMS: stats.Summarize([]float64{ms}),
		ThroughputIPS: 1000 / ms, Iters: 1}, nil
}

func testConfig() Config {
	return Config{Backend: "native", Mode: runner.Fused, Threads: 1,
		Fingerprint: host.Fingerprint{CPU: "Test CPU", LogicalCores: 2, GOOS: "linux", GOARCH: "amd64"}}
}

// testDesigns are n small ShuffleNetV2 designs of increasing width.
func testDesigns(n int) []Design {
	var ds []Design
	for i := range n {
		s := arch.Spec{Width: 0.5 + 0.25*float64(i), Res: 32, Depths: []int{1, 1, 1}}.Normalize()
		ds = append(ds, Design{Name: s.String(), Spec: s})
	}
	return ds
}

func countKeys(t *testing.T, path string) (map[string]int, []Warning) {
	t.Helper()
	rows, warns, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range rows {
		n[r.RunKey()]++
	}
	return n, warns
}

func TestRunWritesEveryDesignOnce(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(4)
	m := &fakeMeasurer{}
	var events []EventKind
	sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: testConfig(),
		Progress: func(e Event) { events = append(events, e.Kind) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Measured != 4 || sum.Resumed != 0 || len(sum.Rows) != 4 || len(m.calls) != 4 {
		t.Fatalf("summary %+v, calls %v", sum, m.calls)
	}
	keys, warns := countKeys(t, out)
	if len(keys) != 4 || len(warns) != 0 {
		t.Fatalf("file has %v, warnings %v", keys, warns)
	}
	if events[0] != EventStart || events[len(events)-1] != EventDone {
		t.Errorf("events %v", events)
	}
	// A second run measures nothing.
	m2 := &fakeMeasurer{}
	sum, err = Run(context.Background(), ds, m2, Options{Out: out, Config: testConfig()})
	if err != nil || sum.Resumed != 4 || sum.Measured != 0 || len(m2.calls) != 0 || len(sum.Rows) != 4 {
		t.Fatalf("rerun: %+v %v calls %v", sum, err, m2.calls)
	}
	// Another thread count is another measurement.
	cfg := testConfig()
	cfg.Threads = 2
	m3 := &fakeMeasurer{}
	if sum, err = Run(context.Background(), ds[:1], m3, Options{Out: out, Config: cfg}); err != nil || sum.Measured != 1 {
		t.Fatalf("2 threads: %+v %v", sum, err)
	}
}

func TestResumeAfterKillWithTornLine(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(6)
	// The first "process" measured 3 designs before it was killed while
	// writing the third row: the file ends in half a line.
	if _, err := Run(context.Background(), ds[:3], &fakeMeasurer{}, Options{Out: out, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	whole := len(lines[0]) + len(lines[1])
	torn := len(lines[2]) / 2
	if err := os.WriteFile(out, b[:whole+torn], 0o644); err != nil {
		t.Fatal(err)
	}
	_, warns := countKeys(t, out)
	if len(warns) != 1 || warns[0].Line != 3 || !strings.Contains(warns[0].Reason, "torn") {
		t.Fatalf("warnings %v, want one about torn line 3", warns)
	}

	m := &fakeMeasurer{}
	var warned []string
	sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: testConfig(), Warn: func(s string) {
		if len(m.calls) == 0 { // before any measurement
			warned = append(warned, s)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Repair.Cut != int64(torn) || len(sum.Warnings) != 0 || len(warned) != 1 || !strings.Contains(warned[0], "kept in "+out+".torn") {
		t.Errorf("cut %d bytes (want %d), warnings %v, warned first %v", sum.Repair.Cut, torn, sum.Warnings, warned)
	}
	if kept, _ := os.ReadFile(out + ".torn"); string(kept) != string(lines[2][:torn])+"\n" {
		t.Errorf(".torn holds %q, want the %d torn bytes", kept, torn)
	}
	// The torn design and the three never started are measured; the two
	// whole rows are not.
	want := []string{ds[2].Name, ds[3].Name, ds[4].Name, ds[5].Name}
	if strings.Join(m.calls, "|") != strings.Join(want, "|") {
		t.Errorf("measured %v, want %v", m.calls, want)
	}
	keys, warns := countKeys(t, out)
	if len(warns) != 0 {
		t.Errorf("warnings after resume: %v", warns)
	}
	cfg := testConfig()
	for _, d := range ds {
		if n := keys[RunKey(d.Key(), cfg.Backend, cfg.Kernels, cfg.Mode, cfg.Threads, cfg.HostKey())]; n != 1 {
			t.Errorf("%s is in the file %d times, want 1", d.Name, n)
		}
	}
	if len(keys) != len(ds) || sum.Resumed != 2 || sum.Measured != 4 {
		t.Errorf("file has %d designs; summary %+v", len(keys), sum)
	}
}

func TestCancelledSweepResumes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := &fakeMeasurer{cancelAt: 3, cancel: cancel}
	sum, err := Run(ctx, ds, m, Options{Out: out, Config: testConfig()})
	if !errors.Is(err, context.Canceled) || sum.Measured != 2 {
		t.Fatalf("cancelled run: %+v, %v", sum, err)
	}
	keys, _ := countKeys(t, out)
	if len(keys) != 2 {
		t.Fatalf("file has %d rows after cancel at design 3, want 2", len(keys))
	}
	m2 := &fakeMeasurer{}
	if sum, err = Run(context.Background(), ds, m2, Options{Out: out, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	if len(m2.calls) != 3 || sum.Resumed != 2 {
		t.Errorf("resume measured %v, resumed %d", m2.calls, sum.Resumed)
	}
	keys, _ = countKeys(t, out)
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s: %d rows", k, n)
		}
	}
	if len(keys) != 5 {
		t.Errorf("%d designs in the file, want 5", len(keys))
	}
}

func TestFailedDesignIsReportedAndSkipped(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(3)
	m := &fakeMeasurer{fail: map[string]error{ds[1].Name: errors.New("out of memory")}}
	var failed []string
	sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: testConfig(), Progress: func(e Event) {
		if e.Kind == EventFailed {
			failed = append(failed, e.Design.Name)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Measured != 2 || len(sum.Failed) != 1 || sum.Failed[0].Design.Name != ds[1].Name || len(failed) != 1 {
		t.Errorf("summary %+v, failed events %v", sum, failed)
	}
	// A design that does not build (resolution below arch.MinRes) fails the same way.
	bad := Design{Name: "bad", Spec: arch.Spec{Res: 8}}
	sum, err = Run(context.Background(), []Design{bad}, &fakeMeasurer{}, Options{Out: out, Config: testConfig()})
	if err != nil || len(sum.Failed) != 1 {
		t.Errorf("unbuildable design: %+v %v", sum, err)
	}
}

func TestLoadSkipsCorruptLines(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.jsonl")
	ds := testDesigns(2)
	if _, err := Run(context.Background(), ds, &fakeMeasurer{}, Options{Out: out, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	lines := bytes.SplitAfter(b, []byte("\n"))
	var buf bytes.Buffer
	buf.Write(lines[0])
	buf.WriteString("{not json}\n")
	buf.WriteString("\n")                              // blank: ignored silently
	buf.WriteString(`{"version":99,"key":"x"}` + "\n") // another format version
	buf.WriteString(`{"version":1}` + "\n")            // no key
	buf.Write(lines[1])
	buf.WriteString(`{"version":1,"key":"tor`) // torn tail
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, warns, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Errorf("%d rows, want 2", len(rows))
	}
	var got []int
	for _, w := range warns {
		got = append(got, w.Line)
	}
	if len(got) != 4 || got[0] != 2 || got[1] != 4 || got[2] != 5 || got[3] != 7 {
		t.Errorf("warning lines %v, want [2 4 5 7]; %v", got, warns)
	}
	// Opening the file to append cuts the torn tail (kept in .torn) and
	// the new row lands on a line of its own.
	f, err := Open(out, "test")
	if err != nil {
		t.Fatal(err)
	}
	if f.Repair.Cut != int64(len(`{"version":1,"key":"tor`)) || len(f.Rows) != 2 || len(f.Warnings) != 3 {
		t.Errorf("Open: repair %+v, %d rows, warnings %v", f.Repair, len(f.Rows), f.Warnings)
	}
	if err := f.Append(Row{Version: RowVersion, Key: "k", Name: "n"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rows, _, _ = Load(out)
	if len(rows) != 3 || rows[2].Key != "k" {
		t.Errorf("after append: %d rows", len(rows))
	}
}

// TestLastRowWithoutNewlineIsKept is issue 15 reproduction 2: a valid last
// row that lacks only its final newline was deleted (and the warning said
// its design would be measured again even when it was not in the grid).
// It is kept, ended with a newline, and not measured again.
func TestLastRowWithoutNewlineIsKept(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(2)
	if _, err := Run(context.Background(), ds, &fakeMeasurer{}, Options{Out: out, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	os.WriteFile(out, b[:len(b)-1], 0o644)
	m := &fakeMeasurer{}
	sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: testConfig()})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(out)
	if !bytes.Equal(after, b) || len(m.calls) != 0 || !sum.Repair.Completed || sum.Resumed != 2 {
		t.Errorf("file %d -> %d bytes (want %d), measured %v, summary %+v", len(b)-1, len(after), len(b), m.calls, sum)
	}
}

// TestOtherFilesRefused is issue 15 reproduction 2: a file that is not a
// results file named as --out was wiped (no newline) or lost its last line
// and got rows appended. It is refused before any measurement and left
// byte for byte.
func TestOtherFilesRefused(t *testing.T) {
	for _, content := range []string{`{"important":1}`, "{\"important\":1}\n{\"b\":2}\n", "name,ms\nx,1\n",
		`{"version":1,"backend":"native","mode":"fused","iters":30}` + "\n"} { // a history file
		out := filepath.Join(t.TempDir(), "cfg.json")
		os.WriteFile(out, []byte(content), 0o644)
		m := &fakeMeasurer{}
		_, err := Run(context.Background(), testDesigns(1), m, Options{Out: out, Config: testConfig()})
		if !errors.Is(err, jsonl.ErrNotThisKind) || len(m.calls) != 0 {
			t.Errorf("%q: Run = %v after %d measurements, want ErrNotThisKind before any", content, err, len(m.calls))
		}
		if got, _ := os.ReadFile(out); string(got) != content {
			t.Errorf("refused file changed: %q -> %q", content, got)
		}
	}
}

// TestSecondSweepRefused is issue 15 reproduction 7: two sweeps on one
// file both wrote every row. The second is refused, naming the first.
func TestSecondSweepRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	f, err := Open(out, "pid 7 on host (explorer sweep --out r.jsonl)")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := &fakeMeasurer{}
	_, err = Run(context.Background(), testDesigns(2), m, Options{Out: out, Config: testConfig()})
	var he *jsonl.HeldError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "pid 7 on host") || len(m.calls) != 0 {
		t.Errorf("second sweep: %v after %d measurements, want a HeldError naming pid 7 before any", err, len(m.calls))
	}
}

// TestUnusableRowsMeasuredAgain: a row without metrics or with a
// non-positive latency (hand-edited, foreign) does not count as measured:
// its design is measured again and the row is reported.
func TestUnusableRowsMeasuredAgain(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(1)
	if _, err := Run(context.Background(), ds, &fakeMeasurer{}, Options{Out: out, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	rows, _, _ := Load(out)
	// 0 and 1e300 ms (a hand edit that made every log-scale chart fail).
	for _, median := range []float64{0, 1e300} {
		bad := rows[0]
		bad.LatencyMS.Median = median
		b, _ := json.Marshal(bad)
		os.WriteFile(out, append(b, '\n'), 0o644)
		m := &fakeMeasurer{}
		sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: testConfig()})
		want := fmt.Sprintf("median latency %v ms", median)
		if err != nil || len(m.calls) != 1 || len(sum.Unusable) != 1 || !strings.Contains(sum.Unusable[0], want) {
			t.Errorf("median %v: measured %v, unusable %v, %v", median, m.calls, sum.Unusable, err)
		}
	}
}

// FuzzResultsFile feeds the results-file reader and the sweep's Open any
// content: torn rows, lines over jsonl.MaxLine, non-JSON and JSON of other
// kinds. Reading never changes the file; Open either refuses it unchanged
// or keeps every byte (the file unchanged, ended with a newline, or cut at
// its last newline with the cut bytes in the .torn file), its rows are the
// rows read before, and a row appended reads back last.
func FuzzResultsFile(f *testing.F) {
	row, _ := json.Marshal(Row{Version: RowVersion, Key: `{"family":"g1"}`, Name: "g1", Backend: "native", Mode: "fused", Threads: 1, MAdds: 9, MAC: 9})
	for _, s := range []string{
		"", string(row) + "\n", string(row) + "\n" + string(row[:len(row)/2]), string(row), `{"important":1}`,
		"name,ms\nx,1\n", string(row) + "\n" + "{\"version\":1,\"key\":\"" + strings.Repeat("k", jsonl.MaxLine) + "\"}\n" + string(row) + "\n",
		string(row) + "\n" + strings.Repeat("x", jsonl.MaxLine+1), "\x00\xff\n" + string(row) + "\n", `{"version":2,"key":"k"}` + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		path := filepath.Join(t.TempDir(), "r.jsonl")
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		before, _, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range before {
			if r.Version != RowVersion || r.Key == "" {
				t.Fatalf("Load returned a row that is not one: %+v", r)
			}
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, in) {
			t.Fatal("Load changed the file")
		}
		rf, err := Open(path, "fuzz")
		got, _ := os.ReadFile(path)
		if err != nil {
			if !bytes.Equal(got, in) {
				t.Fatalf("refused (%v) but changed the file", err)
			}
			return
		}
		defer rf.Close()
		torn, _ := os.ReadFile(path + ".torn")
		rep := rf.Repair
		switch {
		case rep.Cut > 0:
			n := len(in) - int(rep.Cut)
			if !bytes.Equal(got, in[:n]) || !bytes.Equal(torn, append(in[n:len(in):len(in)], '\n')) {
				t.Fatalf("cut %d bytes: file or .torn do not hold them", rep.Cut)
			}
		case rep.Completed:
			if !bytes.Equal(got, append(in[:len(in):len(in)], '\n')) {
				t.Fatal("completed: more than a newline changed")
			}
		default:
			if !bytes.Equal(got, in) || len(torn) != 0 {
				t.Fatal("untouched file changed")
			}
		}
		if len(rf.Rows) != len(before) {
			t.Fatalf("%d rows before Open, %d after", len(before), len(rf.Rows))
		}
		if err := rf.Append(Row{Version: RowVersion, Key: "appended", Name: "a"}); err != nil {
			t.Fatal(err)
		}
		after, _, _ := Load(path)
		if len(after) != len(before)+1 || after[len(after)-1].Key != "appended" {
			t.Fatalf("after Append: %d rows (want %d), last %+v", len(after), len(before)+1, after[len(after)-1])
		}
	})
}

// TestRunResultLinesNamed: a line of a history file (a result of
// `explorer run`: backend and latency, no key, name or host) is skipped
// with ReasonRunResult; a row without its key keeps "no design key".
func TestRunResultLinesNamed(t *testing.T) {
	in := `{"version":1,"backend":"native","mode":"fused","latency_ms":{"median":1.5},"iters":3}
{"version":1,"name":"edited","backend":"native","latency_ms":{"median":1.5}}
`
	_, warns, err := Read(strings.NewReader(in), "h.jsonl")
	if err != nil || len(warns) != 2 || warns[0].Reason != ReasonRunResult || warns[1].Reason != "no design key" {
		t.Errorf("%v %v", warns, err)
	}
}

// TestRowsWithoutKernelSetResume: a row that names no kernel set (made by
// hand, or by a tool that leaves the fingerprint out) counts as of the
// sweep's set, as it did before the set was part of the run key, and plot
// groups it with the rows of the only set of its configuration.
func TestRowsWithoutKernelSetResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(2)
	if _, err := Run(context.Background(), ds, &fakeMeasurer{}, Options{Out: out, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Kernels = "avx512"
	sum, err := Run(context.Background(), testDesigns(3), &fakeMeasurer{}, Options{Out: out, Config: cfg})
	if err != nil || sum.Measured != 1 || sum.Resumed != 2 {
		t.Fatalf("avx512 sweep over rows of no set: %+v, %v; want the 2 resumed, 1 measured", sum, err)
	}
	rows, _, _ := Load(out)
	gs := GroupByConfig(rows)
	if len(gs) != 1 || len(gs[0].Rows) != 3 || strings.Contains(gs[0].Label, "[") {
		t.Errorf("groups %+v, want one group of the 3 designs, its label without a set", gs)
	}
	// Now the set-less rows are avx512's (the configuration's one set): a
	// generic sweep measures all three, and each set groups all three
	// (the generic sweep resumed them too, and grouping then put them
	// under "kernels unknown", measured by neither set).
	cfg.Kernels = "generic"
	sum, err = Run(context.Background(), testDesigns(3), &fakeMeasurer{}, Options{Out: out, Config: cfg})
	if err != nil || sum.Measured != 3 || sum.Resumed != 0 {
		t.Fatalf("generic sweep: %+v, %v; want all 3 measured", sum, err)
	}
	rows, _, _ = Load(out)
	gs = GroupByConfig(rows)
	if len(gs) != 2 || len(gs[0].Rows) != 3 || len(gs[1].Rows) != 3 || !strings.Contains(gs[0].Label, "[avx512]") || !strings.Contains(gs[1].Label, "[generic]") {
		t.Errorf("groups after the generic sweep: %+v", gs)
	}
}

// profilingMeasurer is fakeMeasurer that returns a profile when asked.
type profilingMeasurer struct{ fakeMeasurer }

func (p *profilingMeasurer) Measure(ctx context.Context, g *arch.Graph, d Design, profile bool, progress func(float64)) (runner.Result, error) {
	res, err := p.fakeMeasurer.Measure(ctx, g, d, profile, progress)
	if err == nil && profile {
		res.Profile = &runner.Profile{TotalNanos: 1000, Categories: []runner.ProfileGroup{{Name: "conv1x1", Nanos: 1000, TimeShare: 1, MultAdds: 10, MultAddsShare: 1}}}
	}
	return res, err
}

// TestResumeNeedsTheSameKernelSet: rows measured on one kernel set are
// not the answer for a sweep on another (a generic-kernel sweep on a file
// of avx512 rows reported "0 measured, 2 already in the file" and printed
// the avx512 latencies); a sweep that cannot tell its set (Kernels "")
// takes rows of any set.
func TestResumeNeedsTheSameKernelSet(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(2)
	avx := testConfig()
	avx.Kernels = "avx512"
	if _, err := Run(context.Background(), ds, &fakeMeasurer{}, Options{Out: out, Config: avx}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kernels           string
		measured, resumed int
	}{
		{"avx512", 0, 2},
		{"generic", 2, 0},
		{"generic", 0, 2}, // the generic rows written by the line above
		{"", 0, 2},
	} {
		cfg := testConfig()
		cfg.Kernels = tc.kernels
		m := &fakeMeasurer{}
		sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: cfg})
		if err != nil || sum.Measured != tc.measured || sum.Resumed != tc.resumed {
			t.Errorf("kernels %q: measured %d, resumed %d (%v); want %d, %d", tc.kernels, sum.Measured, sum.Resumed, err, tc.measured, tc.resumed)
		}
		for _, r := range sum.Rows {
			if tc.kernels != "" && r.Fingerprint.Kernels != tc.kernels {
				t.Errorf("kernels %q: row %s of set %q", tc.kernels, r.Name, r.Fingerprint.Kernels)
			}
		}
	}
}

// TestProfileSweepMeasuresUnprofiledRowsAgain: a --profile sweep on a file
// whose rows have no profile took them as done, so no decomposition chart
// could ever be drawn from it. It now measures those designs again, says
// so before measuring, keeps the old rows, and GroupByConfig prefers the
// profiled row of a design.
func TestProfileSweepMeasuresUnprofiledRowsAgain(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	ds := testDesigns(2)
	cfg := testConfig()
	cfg.Kernels = "avx512"
	if _, err := Run(context.Background(), ds, &profilingMeasurer{}, Options{Out: out, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	m := &profilingMeasurer{}
	var warned []string
	sum, err := Run(context.Background(), ds, m, Options{Out: out, Config: cfg, Profile: true, Warn: func(s string) { warned = append(warned, s) }})
	if err != nil || sum.Measured != 2 || sum.Resumed != 0 {
		t.Fatalf("profile sweep: %+v, %v; want both designs measured again", sum, err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "2 designs of this sweep have rows without a profile; this --profile sweep measures them again") {
		t.Errorf("warned %q", warned)
	}
	rows, _, err := Load(out)
	if err != nil || len(rows) != 4 {
		t.Fatalf("file has %d rows (%v), want the 2 old and the 2 profiled", len(rows), err)
	}
	gs := GroupByConfig(rows)
	if len(gs) != 1 || len(gs[0].Rows) != 2 || !gs[0].Rows[0].Profiled() || !gs[0].Rows[1].Profiled() {
		t.Errorf("groups %+v, want one group of the 2 profiled rows", gs)
	}
	// Profiled now: a third --profile sweep measures nothing and says
	// nothing about the old rows, nor does one of a single design.
	warned = nil
	sum, err = Run(context.Background(), ds, &profilingMeasurer{}, Options{Out: out, Config: cfg, Profile: true, Warn: func(s string) { warned = append(warned, s) }})
	if err != nil || sum.Measured != 0 || sum.Resumed != 2 || len(warned) != 0 {
		t.Errorf("third profile sweep: %+v, %v, warned %q", sum, err, warned)
	}
	other := testDesigns(3)[2:]
	sum, err = Run(context.Background(), other, &profilingMeasurer{}, Options{Out: out, Config: cfg, Profile: true, Warn: func(s string) { warned = append(warned, s) }})
	if err != nil || sum.Measured != 1 || len(warned) != 0 {
		t.Errorf("profile sweep of another design: %+v, %v, warned %q", sum, err, warned)
	}
	// A plain sweep of the first designs resumes them with the rows
	// GroupByConfig keeps, the profiled ones (it kept the older
	// unprofiled rows, so its summary and plot differed).
	sum, err = Run(context.Background(), ds, &profilingMeasurer{}, Options{Out: out, Config: cfg})
	if err != nil || sum.Resumed != 2 {
		t.Fatalf("plain sweep: %+v, %v", sum, err)
	}
	for _, r := range sum.Rows {
		if !r.Profiled() {
			t.Errorf("plain sweep's summary row %s is the unprofiled one", r.Name)
		}
	}
}
