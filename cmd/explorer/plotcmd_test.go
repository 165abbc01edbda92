package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/host"
)

// commaSweep writes a profiled sweep of two designs whose names contain
// commas ("shufflenetv2 0.5x depths=1,1,1 64px"), with the calibration c,
// and returns its path.
func commaSweep(t *testing.T, dir string, c calib.Calibration) string {
	t.Helper()
	in := filepath.Join(dir, "r.jsonl")
	d := fakeSweepDeps(&maddsMeasurer{})
	d.calibration = func(context.Context, *measureFlags, host.Fingerprint, io.Writer) (calib.Calibration, error) {
		return c, nil
	}
	args := []string{"--width", "0.5", "--depths", "1,1,1;2,2,2", "--res", "64", "--out", in, "--profile"}
	if err := sweepWith(context.Background(), args, io.Discard, io.Discard, d); err != nil {
		t.Fatal(err)
	}
	return in
}

// TestSplitNames: a --profile-of name may contain commas; the whole value
// is tried first, then the longest known names from the left.
func TestSplitNames(t *testing.T) {
	names := []string{"a,b", "a", "c", "x depths=1,1,1 32px", "y depths=1,1,1 32px"}
	known := func(n string) bool { return slices.Contains(names, n) }
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a,b", []string{"a,b"}},
		{" x depths=1,1,1 32px ", []string{"x depths=1,1,1 32px"}},
		{"x depths=1,1,1 32px,y depths=1,1,1 32px", []string{"x depths=1,1,1 32px", "y depths=1,1,1 32px"}},
		{"c, x depths=1,1,1 32px", []string{"c", "x depths=1,1,1 32px"}},
		{"a,b,c", []string{"a,b", "c"}},
		{"a,c", []string{"a", "c"}},
		// An unknown name is reported whole, up to the next known one.
		{"z depths=1,1,1 32px,c", []string{"z depths=1,1,1 32px", "c"}},
		{"c,nope", []string{"c", "nope"}},
		{" , ", nil},
		{"c,,a", []string{"c", "a"}},
	} {
		if got := splitNames(tc.in, known); !slices.Equal(got, tc.want) {
			t.Errorf("splitNames(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPlotProfileOfCommaNames: --profile-of selects a grid design whose
// name contains commas, alone or in a list (it was split at its commas
// and refused: invalid --profile-of "shufflenetv2 0.5x depths=1").
func TestPlotProfileOfCommaNames(t *testing.T) {
	dir := t.TempDir()
	in := commaSweep(t, dir, calib.Calibration{L2Bytes: 1 << 20, Ceilings: []calib.Ceiling{{Threads: 1, PeakGFLOPS: 100, L2GBps: 100, DRAMGBps: 30}}})
	one := "decomposition-shufflenetv2-0.5x-depths-1-1-1-64px-fused-1t.png"
	two := "decomposition-shufflenetv2-0.5x-depths-2-2-2-64px-fused-1t.png"
	for i, tc := range []struct {
		pick      string
		want, not []string
	}{
		{"shufflenetv2 0.5x depths=1,1,1 64px", []string{one}, []string{two}},
		{"shufflenetv2 0.5x depths=2,2,2 64px", []string{two}, []string{one}},
		{"shufflenetv2 0.5x depths=2,2,2 64px, shufflenetv2 0.5x depths=1,1,1 64px", []string{one, two}, nil},
	} {
		out := filepath.Join(dir, "p"+string(rune('0'+i)))
		var stderr bytes.Buffer
		if code := run([]string{"plot", "--in", in, "--out", out, "--profile-of", tc.pick}, io.Discard, &stderr); code != 0 {
			t.Errorf("--profile-of %q: exit %d, %s", tc.pick, code, stderr.String())
			continue
		}
		for _, f := range tc.want {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Errorf("--profile-of %q: %v", tc.pick, err)
			}
		}
		for _, f := range tc.not {
			if _, err := os.Stat(filepath.Join(out, f)); err == nil {
				t.Errorf("--profile-of %q drew %s too", tc.pick, f)
			}
		}
	}
	// An unknown name with commas is named whole in the refusal.
	var stderr bytes.Buffer
	code := run([]string{"plot", "--in", in, "--out", filepath.Join(dir, "bad"), "--profile-of", "shufflenetv2 3x depths=1,1,1 64px"}, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), `invalid --profile-of "shufflenetv2 3x depths=1,1,1 64px": no row`) {
		t.Errorf("unknown comma name: exit %d, %s", code, stderr.String())
	}
}

// TestPlotRefusesEmptyProfileOf: --profile-of= is refused naming the flag
// (it drew the default profiles, as if left out).
func TestPlotRefusesEmptyProfileOf(t *testing.T) {
	dir := t.TempDir()
	in, _ := sweepFile(t, dir)
	for _, args := range [][]string{{"--profile-of="}, {"--profile-of", ""}} {
		var stderr bytes.Buffer
		code := run(append([]string{"plot", "--in", in, "--out", filepath.Join(dir, "p")}, args...), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), `invalid --profile-of "" (valid: `) {
			t.Errorf("%v: exit %d, %s", args, code, stderr.String())
		}
	}
}

// TestPlotSaysWhyNoRoofline: profiled rows without a calibration (sweep
// --calib off) get a decomposition chart and a note per roofline chart not
// drawn (they got none, silently).
func TestPlotSaysWhyNoRoofline(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     calib.Calibration
		notes int
	}{
		{"calibrated", calib.Calibration{L2Bytes: 1 << 20, Ceilings: []calib.Ceiling{{Threads: 1, PeakGFLOPS: 100, L2GBps: 100, DRAMGBps: 30}}}, 0},
		{"calib off", calib.Calibration{}, 2},
	} {
		dir := t.TempDir()
		in := commaSweep(t, dir, tc.c)
		out := filepath.Join(dir, "p")
		var stderr bytes.Buffer
		if err := plotCmd([]string{"--in", in, "--out", out}, io.Discard, &stderr); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(out)
		var decomp, roof int
		for _, e := range ents {
			decomp += boolInt(strings.HasPrefix(e.Name(), "decomposition-"))
			roof += boolInt(strings.HasPrefix(e.Name(), "roofline-"))
		}
		notes := strings.Count(stderr.String(), "not drawn: its row has no roofline calibration")
		if decomp != 2 || roof != 2-tc.notes || notes != tc.notes {
			t.Errorf("%s: %d decomposition, %d roofline charts, %d notes (want 2, %d, %d):\n%s", tc.name, decomp, roof, notes, 2-tc.notes, tc.notes, stderr.String())
		}
		if tc.notes > 0 && !strings.Contains(stderr.String(), "explorer: plot: roofline-shufflenetv2-0.5x-depths-1-1-1-64px-fused-1t not drawn") {
			t.Errorf("%s: the note does not name the chart:\n%s", tc.name, stderr.String())
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
