package main

import (
	"bytes"
	"context"
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
	if err := guidelinesWith(context.Background(), []string{"--batch", "0"}, io.Discard, io.Discard, db); err == nil || !strings.Contains(err.Error(), "invalid --batch 0") {
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
	err := guidelinesWith(context.Background(), args, io.Discard, io.Discard, d)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("link at g1.csv: error %v, want a refusal naming the symbolic link", err)
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
