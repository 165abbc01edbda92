package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/runner/guideline"
)

// TestSweepCalibrationCancel: Ctrl-C during the roofline calibration is
// exit 130 "cancelled" as anywhere else; it was exit 1 with "roofline
// calibration: calibrate: context canceled".
func TestSweepCalibrationCancel(t *testing.T) {
	dir := t.TempDir()
	d := fakeSweepDeps(&maddsMeasurer{})
	d.calibration = defaultSweepDeps().calibration // measures: the file is new
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sweepWith(ctx, []string{"--width", "0.5", "--res", "32", "--depths", "1,1,1", "--calib", filepath.Join(dir, "c.json"),
		"--out", filepath.Join(dir, "s.jsonl")}, io.Discard, io.Discard, d)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 130 || ee.err.Error() != "cancelled" {
		t.Fatalf("err %v, want exit 130 cancelled", err)
	}
}

// TestFlagsWithoutEffectRefused: a flag that does nothing without another
// is refused (exit 2, one line naming both); they were silently ignored
// with exit 0.
func TestFlagsWithoutEffectRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--top", "5"}, "invalid --top 5: --top needs --profile"},
		{[]string{"run", "--profile-runs", "5"}, "invalid --profile-runs 5: --profile-runs needs --profile"},
		{[]string{"run", "--force"}, "invalid --force: --force needs --save-io"},
		{[]string{"sweep", "--recalibrate", "--calib", "off", "--list"}, "invalid --recalibrate: --recalibrate needs the roofline calibration (not --calib off)"},
		{[]string{"guidelines", "--out", "", "--force"}, "invalid --force: --force needs --out DIR (--out '' writes no files)"},
		{[]string{"guidelines", "--out", "", "--format", "svg"}, "invalid --format svg: --format needs --out DIR"},
	} {
		code, out, errs := runCLI(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
	// Off is no request: run --force=false without --save-io is fine.
	if _, err := parseRunFlags([]string{"--force=false", "--top", "10", "--profile"}, io.Discard); err != nil {
		t.Errorf("--force=false, --top with --profile: %v", err)
	}
}

// TestGuidelinesClosedStdout: a standard output that fails (a closed pipe:
// `guidelines --out gp | head -1`) does not lose the measurements: every
// experiment is still measured and its files written, and the error says
// the tables were not printed. The table was printed before the files
// were written, and its write error ended the command.
func TestGuidelinesClosedStdout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gp")
	d := guidelinesDeps{measure: func(*measureFlags) (guideline.MeasureFunc, error) { return fakeGuidelineMeasure, nil }}
	err := guidelinesWith(context.Background(), []string{"--exp", "G1,G4", "--scales", "1", "--rounds", "1", "--out", dir},
		&failingWriter{after: 10}, io.Discard, d)
	if err == nil || !strings.Contains(err.Error(), "tables not printed") || !strings.Contains(err.Error(), errClosed.Error()) {
		t.Errorf("err %v, want the tables not printed, %v", err, errClosed)
	}
	for _, f := range []string{"g1-x1.png", "g1.csv", "g4-x1.png", "g4.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// errClosed is failingWriter's error.
var errClosed = errors.New("broken pipe")

// failingWriter takes after bytes, then fails every write.
type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		n := w.after
		w.after = 0
		return n, errClosed
	}
	w.after -= len(p)
	return len(p), nil
}

// TestHelpSaysItAll: the run synopsis lists every flag group, and the help
// of --rounds, --top, guidelines --mode and cost --by says its range or
// its effect.
func TestHelpSaysItAll(t *testing.T) {
	help := func(cmd string) string {
		var out bytes.Buffer
		if code := run([]string{cmd, "-h"}, &out, &out); code != 0 {
			t.Fatalf("%s -h: exit %d", cmd, code)
		}
		return out.String()
	}
	runHelp := help("run")
	synopsis := runHelp[:strings.Index(runHelp, "\n\n")]
	for _, f := range []string{"--kernels", "--cuda-graph", "--tf32", "--profile-runs", "--top"} {
		if !strings.Contains(synopsis, f) {
			t.Errorf("run synopsis lacks %s:\n%s", f, synopsis)
		}
	}
	for _, tc := range []struct{ cmd, want string }{
		{"run", "ops in the top-time table, >= 0"},
		{"guidelines", "round-robin this many times, 1..100"},
		{"guidelines", "G4 measures eager and fused unless --mode is given"},
		{"cost", "--format json always has every op, stage and category"},
	} {
		if !strings.Contains(help(tc.cmd), tc.want) {
			t.Errorf("%s -h lacks %q", tc.cmd, tc.want)
		}
	}
}

// TestSweepListRefusesEmpty: --list refuses a grid without a valid design
// as the sweep itself does (exit 2); it listed nothing with exit 0.
func TestSweepListRefusesEmpty(t *testing.T) {
	for _, args := range [][]string{{"--res", "31"}, {"--family", "g1", "--width", "2"}} {
		var stdout, stderr bytes.Buffer
		err := sweepWith(context.Background(), append(args, "--list"), &stdout, &stderr, fakeSweepDeps(&maddsMeasurer{}))
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no design to measure") || stdout.Len() != 0 {
			t.Errorf("%q --list: err %v, stdout %q; want the usage error no design to measure", args, err, stdout.String())
		}
	}
}

// TestSweepSaysOneDesign: the sweep's first line says "1 design", not "1
// designs".
func TestSweepSaysOneDesign(t *testing.T) {
	var stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "s.jsonl")
	if err := sweepWith(context.Background(), []string{"--width", "0.5", "--res", "32", "--depths", "1,1,1", "--out", out},
		io.Discard, &stderr, fakeSweepDeps(&maddsMeasurer{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "sweep: 1 design, ") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
