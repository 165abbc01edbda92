package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/history"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// sweepFile writes a small sweep (4 designs, profiled, fake measurer) to
// a file in dir and returns its path and rows.
func sweepFile(t *testing.T, dir string) (string, []sweep.Row) {
	t.Helper()
	in := filepath.Join(dir, "r.jsonl")
	args := []string{"--width", "0.5,1.0", "--groups", "1,2", "--res", "64", "--out", in, "--profile"}
	if err := sweepWith(context.Background(), args, io.Discard, io.Discard, fakeSweepDeps(&maddsMeasurer{})); err != nil {
		t.Fatal(err)
	}
	rows, _, err := sweep.Load(in)
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	return in, rows
}

// TestPlotSkipsOddRowsAndKeepsCharts is issue 15 reproduction 8: a row
// without metrics removed the gap-madds (now gap-flops), gap-mac and gap-roofline charts
// for every host without a message, and rows with zero or negative latency
// entered the CSV and the correlations. Each odd row is now skipped with
// its line and reason, and the charts and numbers are those of the good
// rows alone.
func TestPlotSkipsOddRowsAndKeepsCharts(t *testing.T) {
	dir := t.TempDir()
	in, rows := sweepFile(t, dir)
	var clean bytes.Buffer
	if err := plotCmd([]string{"--in", in, "--out", filepath.Join(dir, "clean")}, &clean, io.Discard); err != nil {
		t.Fatal(err)
	}
	zero, neg := rows[0], rows[1]
	zero.Key, zero.LatencyMS.Median = "zero", 0
	neg.Key, neg.LatencyMS.Median = "neg", -3
	f, _ := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"version":1,"key":"k","name":"x"}` + "\n") // line 5: no metrics
	for _, r := range []sweep.Row{zero, neg} {                 // lines 6, 7
		b, _ := json.Marshal(r)
		f.Write(append(b, '\n'))
	}
	f.Close()
	odd := filepath.Join(dir, "odd")
	var stdout, stderr bytes.Buffer
	if err := plotCmd([]string{"--in", in, "--out", odd}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{in + " line 5 (x): no backend", in + " line 6 (" + zero.Name + "): median latency 0 ms",
		in + " line 7 (" + neg.Name + "): median latency -3 ms"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, chart := range []string{"gap-flops.png", "gap-mac.png", "gap-roofline.png", "correlation.png"} {
		if _, err := os.Stat(filepath.Join(odd, chart)); err != nil {
			t.Errorf("%s: %v", chart, err)
		}
	}
	if stdout.String() != strings.ReplaceAll(clean.String(), filepath.Join(dir, "clean"), odd) {
		t.Errorf("correlations changed by the odd rows:\n%s\nwant\n%s", stdout.String(), clean.String())
	}
	a, _ := os.ReadFile(filepath.Join(dir, "clean", "points.csv"))
	b, _ := os.ReadFile(filepath.Join(odd, "points.csv"))
	if !bytes.Equal(a, b) {
		t.Errorf("points.csv changed by the odd rows:\n%s\nwant\n%s", b, a)
	}
	if st, _ := os.Stat(filepath.Join(odd, "points.csv")); runtime.GOOS != "windows" && st.Mode().Perm()&0o022 != 0 {
		t.Errorf("points.csv mode %v, want 0644 (it was created 0666)", st.Mode().Perm())
	}
}

// TestPlotMergesShardsOnce: merged shard files (here a copy of one) draw
// every design once and the repeats are reported; the same file given
// twice is read once, said once (each of its rows was reported as the
// same design as itself).
func TestPlotMergesShardsOnce(t *testing.T) {
	dir := t.TempDir()
	in, _ := sweepFile(t, dir)
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "copy.jsonl")
	if err := os.WriteFile(other, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in      string
		repeats int
		once    bool
	}{{in + "," + other, 4, false}, {in + "," + in, 0, true}} {
		var stderr bytes.Buffer
		out := filepath.Join(t.TempDir(), "p")
		if err := plotCmd([]string{"--in", tc.in, "--out", out}, io.Discard, &stderr); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(stderr.String(), "the same design and configuration as "+in+" line"); n != tc.repeats {
			t.Errorf("--in %s: %d repeats reported, want %d:\n%s", tc.in, n, tc.repeats, stderr.String())
		}
		if got := strings.Contains(stderr.String(), "--in names "+in+" more than once; it is read once"); got != tc.once {
			t.Errorf("--in %s: said read once %v, want %v:\n%s", tc.in, got, tc.once, stderr.String())
		}
		csvb, _ := os.ReadFile(filepath.Join(out, "points.csv"))
		if n := strings.Count(string(csvb), "\n"); n != 5 {
			t.Errorf("--in %s: points.csv has %d lines, want a header and 4 designs", tc.in, n)
		}
	}
}

// TestPlotProfileOfRefused: --profile-of a design not in the rows, or one
// without a profile, exits 2 naming it (issue 15: it was ignored).
func TestPlotProfileOfRefused(t *testing.T) {
	dir := t.TempDir()
	in, rows := sweepFile(t, dir)
	for _, name := range []string{"nonexistent", " , "} {
		var stderr bytes.Buffer
		code := run([]string{"plot", "--in", in, "--out", filepath.Join(dir, "p"), "--profile-of", name}, io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "invalid --profile-of") {
			t.Errorf("--profile-of %q: exit %d, %s", name, code, stderr.String())
		}
	}
	if !strings.Contains(func() string {
		var stderr bytes.Buffer
		run([]string{"plot", "--in", in, "--out", filepath.Join(dir, "p"), "--profile-of", "nope"}, io.Discard, &stderr)
		return stderr.String()
	}(), rows[0].Name) {
		t.Error("the refusal does not list the profiled designs")
	}
	if _, err := os.Stat(filepath.Join(dir, "p")); err == nil {
		t.Error("a refused plot created its output directory")
	}
}

// TestPlotRefusesSymlinkedOutput: an output file that is a symbolic link is
// refused and its target kept (issue 15 reproduction 5: plot --out followed
// links); --force replaces the link.
func TestPlotRefusesSymlinkedOutput(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	in, _ := sweepFile(t, dir)
	out := filepath.Join(dir, "p")
	os.Mkdir(out, 0o755)
	victim := filepath.Join(dir, "victim.txt")
	os.WriteFile(victim, []byte("precious"), 0o644)
	os.Symlink(victim, filepath.Join(out, "gap-flops.png"))
	var stderr bytes.Buffer
	if code := run([]string{"plot", "--in", in, "--out", out}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "symbolic link") || !strings.Contains(stderr.String(), "(--force replaces the link)") {
		t.Errorf("plot onto a symlink: exit %d, %s", code, stderr.String())
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("link target overwritten: %q", b)
	}
	if code := run([]string{"plot", "--in", in, "--out", out, "--force"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("plot --force: exit %d", code)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("--force overwrote the link's target: %q", b)
	}
}

// TestShardsMergeToEveryDesignOnce: the scale-out recipe of docs/sweep.md
// with a fake measurer: a grid swept in three shards, each into its own
// file, and merged by plot has every design of the grid exactly once
// (scripts/sweep/shards.sh runs the same with GNU parallel and the real
// engine).
func TestShardsMergeToEveryDesignOnce(t *testing.T) {
	dir := t.TempDir()
	grid := []string{"--width", "0.5:1.5:0.25", "--split", "0.3,0.5", "--res", "64", "--depths", "1,1,1"}
	var list bytes.Buffer
	if err := sweepWith(context.Background(), append(grid, "--list"), &list, io.Discard, fakeSweepDeps(&maddsMeasurer{})); err != nil {
		t.Fatal(err)
	}
	var ins []string
	for i := 1; i <= 3; i++ {
		in := filepath.Join(dir, "shard-"+string(rune('0'+i))+".jsonl")
		args := append(append([]string(nil), grid...), "--shard", string(rune('0'+i))+"/3", "--out", in)
		if err := sweepWith(context.Background(), args, io.Discard, io.Discard, fakeSweepDeps(&maddsMeasurer{})); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
	}
	out := filepath.Join(dir, "merged")
	if err := plotCmd([]string{"--in", strings.Join(ins, ","), "--out", out}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	csvb, _ := os.ReadFile(filepath.Join(out, "points.csv"))
	lines := strings.Split(strings.TrimSpace(string(csvb)), "\n")[1:]
	want := strings.Split(strings.TrimSpace(list.String()), "\n")
	if len(lines) != len(want) || len(want) != 10 {
		t.Fatalf("%d points for %d designs (want 10)", len(lines), len(want))
	}
	for _, d := range want {
		key := d[strings.IndexByte(d, '\t')+1:]
		n := 0
		for _, l := range lines {
			if strings.HasSuffix(l, ","+csvQuote(key)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("design %s is in the merged points %d times", key, n)
		}
	}
}

// csvQuote quotes a field as encoding/csv writes it.
func csvQuote(s string) string {
	if !strings.ContainsAny(s, "\",\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// TestPlotRefusesEmptyIn: an empty --in names the flag ("no usable rows in "
// named nothing).
func TestPlotRefusesEmptyIn(t *testing.T) {
	for _, in := range []string{"", " , "} {
		var stderr bytes.Buffer
		if code := run([]string{"plot", "--in", in, "--out", t.TempDir()}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "invalid --in") {
			t.Errorf("--in %q: exit %d, %s", in, code, stderr.String())
		}
	}
}

// TestPlotSaysHistoryFileOnce: `plot --in h.jsonl` on a history file (the
// results of `explorer run`) printed "line N skipped: no design key" for
// every line, then "no usable rows". It now says once that the file is a
// history, what plot reads and where a history is drawn (docs/tui.md:
// the gap chart of `explorer ui --history FILE`); a broken line still
// gets its own warning.
func TestPlotSaysHistoryFileOnce(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "h.jsonl")
	res := runner.Result{Version: runner.ResultVersion, Backend: "native", Mode: runner.Fused, Spec: arch.Spec{Family: "shufflenetv2"}.Normalize(),
		Iters: 3, LatencyMS: stats.Summarize([]float64{1, 2, 3}), ThroughputIPS: 500}
	for range 3 {
		if err := history.Append(h, res); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	code := run([]string{"plot", "--in", h, "--out", filepath.Join(dir, "p")}, io.Discard, &stderr)
	msg := stderr.String()
	if code != 2 || strings.Count(msg, "\n") != 1 || strings.Contains(msg, "line 1") {
		t.Errorf("exit %d, want 2 and one line:\n%s", code, msg)
	}
	for _, want := range []string{h + " is a history file (3 result(s) of `explorer run`)", "explorer sweep --out", "explorer ui --history " + h} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	// A history beside a results file is skipped in one line; a broken
	// line among the results still has its warning.
	in, _ := sweepFile(t, dir)
	f, _ := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"version":1,"name":"edited"}` + "\n")
	f.Close()
	stderr.Reset()
	code = run([]string{"plot", "--in", h + "," + in, "--out", filepath.Join(dir, "p")}, io.Discard, &stderr)
	msg = stderr.String()
	if code != 0 || strings.Count(msg, "history file") != 1 || !strings.Contains(msg, "r.jsonl line 5 skipped: no design key") ||
		strings.Contains(msg, "h.jsonl line") {
		t.Errorf("exit %d:\n%s", code, msg)
	}
	// History lines inside a results file are said in one line that
	// names them (it gave only their count).
	line, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	f, _ = os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(append(line, '\n'))
	f.Close()
	stderr.Reset()
	code = run([]string{"plot", "--in", in, "--out", filepath.Join(dir, "p2")}, io.Discard, &stderr)
	if msg := stderr.String(); code != 0 || !strings.Contains(msg, in+": 1 line(s) skipped (line 6): results of `explorer run`") {
		t.Errorf("exit %d:\n%s", code, msg)
	}
}
