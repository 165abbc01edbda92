package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/guideline"
)

// fakeGuidelineMeasure is a made-up latency: proportional to MAdds plus a
// cost per MAC element, so G1's unbalanced rows are slower as in the
// paper; fused mode pays a fifth of the memory cost, so fusion shrinks
// G4's element-wise effect.
func fakeGuidelineMeasure(_ context.Context, s arch.Spec, mode runner.Mode) (float64, error) {
	g, err := arch.Build(s)
	if err != nil {
		return 0, err
	}
	t := cost.Analyze(g, nil).Totals
	perMAC := 1e-6
	if mode == runner.Fused {
		perMAC /= 5
	}
	return float64(t.MultAdds)/1e8 + float64(t.MemAccess)*perMAC, nil
}

func TestGuidelinesCommand(t *testing.T) {
	dir := t.TempDir()
	d := guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) { return fakeGuidelineMeasure, nil }}
	var stdout bytes.Buffer
	if err := guidelinesWith(context.Background(), []string{"--exp", "all", "--out", dir, "--rounds", "2"}, &stdout, io.Discard, d); err != nil {
		t.Fatal(err)
	}
	s := stdout.String()
	for _, want := range []string{"G1  Equal channel width", "x4: the paper's x4 column", "1:12", "c1=9 c2=108",
		"T8  Whole networks", "mobilenetv1-0.5", "paper ARM", "holds",
		// G4 runs eager and fused unless --mode is given.
		"eager ms", "fused ms", "holds in eager execution by", "fusion removes",
		"in every row: channels c=32, MAdds 34.12M"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	verdicts := 0
	for _, line := range strings.Split(s, "\n") {
		if len(line) > guidelineWidth {
			t.Errorf("line of %d columns (max %d): %q", len(line), guidelineWidth, line)
		}
		if strings.HasPrefix(line, "  holds") || strings.HasPrefix(line, "  weak") || strings.HasPrefix(line, "  does not hold") {
			verdicts++
			if !strings.Contains(line, "runs") || !strings.Contains(line, "x the speed of") {
				t.Errorf("verdict without a ratio: %q", line)
			}
		}
	}
	// One verdict per scale: G1-G4 three each, T8 one.
	if verdicts != 13 {
		t.Errorf("%d verdicts, want 13:\n%s", verdicts, s)
	}
	for _, f := range []string{"g1-x1.png", "g1-x2.png", "g1-x4.png", "g1.csv", "g4-x1.png", "t8.png", "t8.csv"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, "g4.csv"))
	// header + 4 rows x 3 scales x 2 modes
	if err != nil || strings.Count(string(csv), "\n") != 25 || !strings.Contains(string(csv), ",eager,") {
		t.Errorf("g4.csv: %v\n%s", err, csv)
	}

	stdout.Reset()
	if err := guidelinesWith(context.Background(), []string{"--exp", "G4", "--mode", "fused", "--out", ""}, &stdout, io.Discard, d); err != nil {
		t.Fatal(err)
	}
	if s := stdout.String(); strings.Contains(s, "eager") || !strings.Contains(s, "fused ms") {
		t.Errorf("--mode fused still measured eager:\n%s", s)
	}
	// A kernel set forced by --kernels is in the conditions (a generic
	// run's table read like an avx512 run's); auto is not.
	stdout.Reset()
	if err := guidelinesWith(context.Background(), []string{"--exp", "G4", "--mode", "fused", "--kernels", "generic", "--out", ""}, &stdout, io.Discard, d); err != nil {
		t.Fatal(err)
	}
	if s := stdout.String(); !strings.Contains(s, "native, kernels generic, ") {
		t.Errorf("--kernels generic not in the conditions:\n%s", s)
	}
	// --batch sets every design's batch (the paper's GPU column is at batch 8).
	var batches []int
	db := guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) {
		return func(ctx context.Context, s arch.Spec, mode runner.Mode) (float64, error) {
			batches = append(batches, s.Batch)
			return fakeGuidelineMeasure(ctx, s, mode)
		}, nil
	}}
	stdout.Reset()
	if err := guidelinesWith(context.Background(), []string{"--exp", "G4", "--scales", "1", "--batch", "8", "--out", ""}, &stdout, io.Discard, db); err != nil {
		t.Fatal(err)
	}
	// 4 rows x 2 modes x 3 rounds, all at batch 8.
	if len(batches) != 24 || slices.ContainsFunc(batches, func(b int) bool { return b != 8 }) || !strings.Contains(stdout.String(), "batch 8") {
		t.Errorf("--batch 8: measured batches %v\n%s", batches, stdout.String())
	}
	if err := guidelinesWith(context.Background(), []string{"--batch", "0"}, io.Discard, io.Discard, db); err == nil || !strings.Contains(err.Error(), `invalid batch "0" (valid: 1..4096)`) {
		t.Errorf("--batch 0: err = %v", err)
	}
	if err := guidelinesWith(context.Background(), []string{"--exp", "G9"}, io.Discard, io.Discard, d); err == nil {
		t.Error("--exp G9 accepted")
	}
	if err := guidelinesWith(context.Background(), []string{"--platform", "tpu"}, io.Discard, io.Discard, d); err == nil {
		t.Error("--platform tpu accepted")
	}
	// An empty --scales is refused like every other empty flag (issue 15), not read as "all".
	if err := guidelinesWith(context.Background(), []string{"--scales", ""}, io.Discard, io.Discard, d); err == nil || !strings.Contains(err.Error(), `invalid --scales ""`) {
		t.Errorf("--scales \"\": err = %v", err)
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in     string
		width  int
		indent string
		want   string
	}{
		{"a b c", 10, "", "a b c"},
		{"aaaa bbbb cccc", 9, "", "aaaa bbbb\n  cccc"},
		{"aaaa bbbb cccc", 11, "  ", "  aaaa bbbb\n    cccc"},
		{"averyveryverylongword x", 5, "", "averyveryverylongword\n  x"},
	} {
		if got := wrap(tc.in, tc.width, tc.indent); got != tc.want {
			t.Errorf("wrap(%q, %d, %q) = %q, want %q", tc.in, tc.width, tc.indent, got, tc.want)
		}
	}
}

// TestGuidelinesSymlinkNeedsForce: a symbolic link at an output file is
// refused and its target left alone; --force replaces the link, not the
// target (issue 15: every written file refuses links unless forced).
func TestGuidelinesSymlinkNeedsForce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "g1.csv")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	d := guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) { return fakeGuidelineMeasure, nil }}
	args := []string{"--exp", "G1", "--scales", "1", "--rounds", "1", "--out", dir}
	var stderr bytes.Buffer
	err := guidelinesWith(context.Background(), args, io.Discard, &stderr, d)
	if err == nil || !strings.Contains(stderr.String(), "g1.csv: is a symbolic link") {
		t.Errorf("link at g1.csv: error %v, stderr %q; want a refusal naming the symbolic link", err, stderr.String())
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("link target changed to %q", b)
	}
	if err := guidelinesWith(context.Background(), append(args, "--force"), io.Discard, io.Discard, d); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink != 0 {
		t.Errorf("--force left %v (%v), want a regular file in place of the link", st.Mode(), err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("--force wrote through the link: target now %q", b)
	}
}

// countingMeasure is fakeGuidelineMeasure counting its calls.
func countingMeasure(calls *int) guidelinesDeps {
	return guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) {
		return func(ctx context.Context, s arch.Spec, mode runner.Mode) (float64, error) {
			*calls++
			return fakeGuidelineMeasure(ctx, s, mode)
		}, nil
	}}
}

// TestGuidelinesChecksOutFirst: an --out that cannot be a directory is
// refused (exit 2) before anything is measured; it failed with "mkdir
// good.toml: not a directory" (exit 1) after measuring G1, and G2 never
// ran.
func TestGuidelinesChecksOutFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "good.toml")
	os.WriteFile(file, []byte("keep"), 0o644)
	for _, tc := range []struct{ out, want string }{
		{file, `invalid --out "` + file + `": not a directory`},
		{filepath.Join(file, "sub"), "good.toml is not a directory"},
		{filepath.Join(file, "a", "b"), "good.toml is not a directory"},
	} {
		calls := 0
		err := guidelinesWith(context.Background(), []string{"--exp", "G1,G2", "--scales", "1", "--rounds", "1", "--out", tc.out},
			io.Discard, io.Discard, countingMeasure(&calls))
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || calls != 0 {
			t.Errorf("--out %s: err %v after %d measurements; want a usage error with %q first", tc.out, err, calls, tc.want)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep" {
		t.Errorf("good.toml changed to %q", b)
	}
	// A directory that does not exist yet is made; nothing is left
	// beside the outputs by the check.
	out := filepath.Join(dir, "new", "charts")
	calls := 0
	if err := guidelinesWith(context.Background(), []string{"--exp", "G1", "--scales", "1", "--rounds", "1", "--out", out},
		io.Discard, io.Discard, countingMeasure(&calls)); err != nil || calls == 0 {
		t.Fatalf("new --out: %v after %d measurements", err, calls)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "new")); len(ents) != 1 {
		t.Errorf("%d entries in the new directory's parent, want only charts/", len(ents))
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		calls = 0
		err := guidelinesWith(context.Background(), []string{"--exp", "G1", "--scales", "1", "--out", filepath.Join(ro, "x")},
			io.Discard, io.Discard, countingMeasure(&calls))
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cannot write in") || calls != 0 {
			t.Errorf("read-only parent: err %v after %d measurements", err, calls)
		}
	}
}

// TestGuidelinesWriteFailureContinues: a file of one experiment that
// cannot be written is reported and the other experiments still run and
// write theirs; the command then exits 1 naming the experiment (a link at
// g2.csv stopped the command before G3).
func TestGuidelinesWriteFailureContinues(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	os.WriteFile(victim, []byte("keep"), 0o644)
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	os.Symlink(victim, filepath.Join(out, "g2.csv"))
	// A directory in place of G1's chart: G1's CSV is still written.
	os.Mkdir(filepath.Join(out, "g1-x1.png"), 0o755)
	var stdout, stderr bytes.Buffer
	err := guidelinesWith(context.Background(), []string{"--exp", "G1,G2,G3", "--scales", "1", "--rounds", "1", "--out", out},
		&stdout, &stderr, countingMeasure(new(int)))
	var ue usageError
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "files of G1, G2 not written") {
		t.Errorf("err %v, want a runtime error naming G1 and G2", err)
	}
	for _, want := range []string{"g2.csv: is a symbolic link", "g1-x1.png"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, want := range []string{"G3  ", "wrote " + filepath.Join(out, "g3-x1.png"), "wrote " + filepath.Join(out, "g2-x1.png"), "measurements ("} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, f := range []string{"g1.csv", "g2-x1.png", "g3-x1.png", "g3.csv"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("link target changed to %q", b)
	}
}

// TestGuidelinesDedupesLists: --exp G1,G1 --scales 1,1 measures and
// prints G1 at x1 once (it printed the table four times).
func TestGuidelinesDedupesLists(t *testing.T) {
	for _, tc := range []struct {
		exp, scales string
		tables      int
		scaleList   []int
	}{
		{"G1,G1", "1,1", 1, []int{1}},
		{"G1,g1, G1", "2,1,2", 1, []int{2, 1}},
		{"G2,G1,G2", "1", 2, []int{1}},
	} {
		once, twice := 0, 0
		args := []string{"--exp", tc.exp, "--scales", tc.scales, "--rounds", "1", "--out", ""}
		var stdout bytes.Buffer
		if err := guidelinesWith(context.Background(), args, &stdout, io.Discard, countingMeasure(&twice)); err != nil {
			t.Fatal(err)
		}
		c, err := parseGuidelinesFlags(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range c.tables {
			once += tb.Measurements(1)
		}
		if len(c.tables) != tc.tables || !slices.Equal(c.tables[0].Scales, tc.scaleList) || twice != once {
			t.Errorf("--exp %s --scales %s: %d tables at scales %v, %d measurements (want %d tables at %v, %d)",
				tc.exp, tc.scales, len(c.tables), c.tables[0].Scales, twice, tc.tables, tc.scaleList, once)
		}
		if n := strings.Count(stdout.String(), "G1  Equal channel width"); n != 1 {
			t.Errorf("--exp %s: G1's table printed %d times", tc.exp, n)
		}
	}
}

// TestGuidelinesFlagRefusals: empty values name the flag and its valid
// values (--kernels= ran auto; --platform= and --mode= printed "invalid
// platform  (valid: ...)" without the value); --cuda-graph needs cudnn.
func TestGuidelinesFlagRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--kernels="}, `invalid --kernels "" (valid: auto|`},
		{[]string{"--mem-limit="}, `invalid --mem-limit "" (valid: a positive size`},
		{[]string{"--mode="}, `invalid --mode "" (valid: eager|fused)`},
		{[]string{"--mode", "lazy"}, `invalid --mode "lazy" (valid: eager|fused)`},
		{[]string{"--platform="}, `invalid --platform "" (valid: arm|gpu)`},
		{[]string{"--platform", "x86"}, `invalid --platform "x86" (valid: arm|gpu)`},
		{[]string{"--exp="}, `invalid --exp "" (valid: G1|G2|G3|G4|T8|all`},
		{[]string{"--scales="}, `invalid --scales "" (valid: a subset of 1,2,4`},
		{[]string{"--cuda-graph"}, "invalid --cuda-graph with --backend native (it needs --backend cudnn)"},
		{[]string{"extra"}, `guidelines: unexpected argument "extra"`},
		// T8 compares whole networks: --scales would change nothing (it ran
		// the one T8 table, exit 0); with a guideline selected it applies.
		{[]string{"--exp", "T8", "--scales", "4"}, `invalid --scales "4": T8 compares whole networks and has no channel scales (--scales applies to G1|G2|G3|G4)`},
		{[]string{"--exp", "T8,G2", "--scales", "3"}, `invalid scales 3: experiment G2 has no such column (valid: 1|2|4)`},
	} {
		calls := 0
		err := guidelinesWith(context.Background(), append(tc.args, "--out", ""), io.Discard, io.Discard, countingMeasure(&calls))
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || calls != 0 {
			t.Errorf("%v: err %v after %d measurements; want a usage error with %q", tc.args, err, calls, tc.want)
		}
	}
}

// TestGuidelinesScalesWithT8: --scales with T8 and a guideline is taken
// (the guideline gets the columns asked for, T8 keeps its one).
func TestGuidelinesScalesWithT8(t *testing.T) {
	c, err := parseGuidelinesFlags([]string{"--exp", "T8,G1", "--scales", "2", "--out", ""}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.tables) != 2 || !slices.Equal(c.tables[0].Scales, []int{1}) || !slices.Equal(c.tables[1].Scales, []int{2}) {
		t.Errorf("T8,G1 --scales 2: tables %d, scales %v and %v; want T8 [1] and G1 [2]", len(c.tables), c.tables[0].Scales, c.tables[len(c.tables)-1].Scales)
	}
}

// TestGuidelinesPrintNotes: a row that departs from the paper says so in
// the printed table (G2's g=8 ARM row builds c=184 at x1 for the paper's
// 180); the note was shown only by the interactive explorer. One round is
// "1 round", not "1 rounds".
func TestGuidelinesPrintNotes(t *testing.T) {
	d := guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) { return fakeGuidelineMeasure, nil }}
	var stdout bytes.Buffer
	if err := guidelinesWith(context.Background(), []string{"--exp", "G2", "--out", "", "--rounds", "1"}, &stdout, io.Discard, d); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(stdout.String()), " ")
	for _, want := range []string{"note, g=8: paper Table 2 lists c=180 for ARM", "c=360 g=8", "c=720 g=8", "1 round each)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	// At GPU sizes the row builds the paper's c=360 at x1: no note (the
	// ARM note was printed under the GPU table too).
	stdout.Reset()
	if err := guidelinesWith(context.Background(), []string{"--exp", "G2", "--platform", "gpu", "--scales", "1", "--out", "", "--rounds", "1"}, &stdout, io.Discard, d); err != nil {
		t.Fatal(err)
	}
	if flat := strings.Join(strings.Fields(stdout.String()), " "); strings.Contains(flat, "note, g=8") || !strings.Contains(flat, "c=360 g=8") {
		t.Errorf("G2 at GPU sizes:\n%s", stdout.String())
	}
}
