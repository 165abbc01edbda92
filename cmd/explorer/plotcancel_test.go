package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// writePlotFixture writes a results file at path whose rows make several
// charts: four whole networks, two of them profiled eager and fused.
func writePlotFixture(t *testing.T, path string) {
	t.Helper()
	var rows []sweep.Row
	for i, w := range []float64{0.5, 1, 1.5, 2} {
		s := arch.Spec{Family: arch.ShuffleNetV2, Width: w}.Normalize()
		madds := int64(40e6 * (i + 1))
		for _, mode := range []string{"fused", "eager"} {
			ms := float64(2*i + 2)
			if mode == "eager" {
				ms *= 1.5
			}
			r := sweep.Row{Version: sweep.RowVersion, Key: s.String(), Name: s.String(), Family: string(s.Family), Spec: s,
				Backend: "native", Mode: mode, Threads: 1, Host: "h", HostName: "Fake CPU (2 cores)",
				MAdds: madds, FLOPs: 2 * madds, MAC: madds / 10, MACFused: madds / 20, LatencyMS: stats.Summary{Median: ms}}
			if i < 2 {
				r.Categories = []sweep.CategoryShare{{Name: "conv1x1", TimeMS: ms * 0.7, MAdds: madds, MAC: madds / 20},
					{Name: "element-wise", TimeMS: ms * 0.3, MAC: madds / 40}}
			}
			rows = append(rows, r)
		}
	}
	writeRows(t, filepath.Dir(path), filepath.Base(path), rows)
}

// cancelOnWrite cancels a context on its at-th write (1-based; plot
// prints the gap charts' words before it draws them, and the correlation
// table after them, so the second write comes after the first charts).
type cancelOnWrite struct {
	bytes.Buffer
	cancel context.CancelFunc
	at, n  int
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	if w.n++; w.n == w.at {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

// TestPlotStopsBetweenFiles: plot whose context ends stops before the next
// file: exit 130 "cancelled", the files written so far named, none half
// written, no points CSV (the last file). plot took no context at all.
func TestPlotStopsBetweenFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writePlotFixture(t, in)

	// Uncancelled, the fixture makes several files.
	full := filepath.Join(dir, "full")
	if err := plotWith(context.Background(), []string{"--in", in, "--out", full}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	all, _ := filepath.Glob(filepath.Join(full, "*"))
	if len(all) < 4 {
		t.Fatalf("the fixture makes %d files: %v", len(all), all)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := filepath.Join(dir, "cut")
	stdout := &cancelOnWrite{cancel: cancel, at: 2}
	err := plotWith(ctx, []string{"--in", in, "--out", out}, stdout, &bytes.Buffer{})
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 130 || ee.err.Error() != "cancelled" {
		t.Fatalf("err %v, want exit 130 cancelled", err)
	}
	if _, err := os.Stat(filepath.Join(out, "points.csv")); err == nil {
		t.Error("points.csv written after the cancel")
	}
	m, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(m) == 0 || len(m) >= len(all) {
		t.Fatalf("cancelled after the first charts, plot wrote %d of the %d files: %v", len(m), len(all), m)
	}
	for _, f := range m {
		if !strings.Contains(stdout.String(), "wrote "+f) {
			t.Errorf("%s written but not named on stdout:\n%s", f, stdout)
		}
	}
	noTemps, _ := filepath.Glob(filepath.Join(out, ".*.tmp-*"))
	if len(noTemps) > 0 {
		t.Errorf("temporary files left: %v", noTemps)
	}
}
