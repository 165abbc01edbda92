package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// TestPlotChartsTeach: whole networks and micro-networks get separate gap
// charts with the correlation said in words; a design profiled eager and
// fused gets one decomposition with both side by side.
func TestPlotChartsTeach(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "r.jsonl")
	row := func(name string, s arch.Spec, mode string, madds int64, ms float64, profiled bool) sweep.Row {
		r := sweep.Row{Version: sweep.RowVersion, Key: s.String(), Name: name, Family: string(s.Family), Spec: s,
			Backend: "native", Mode: mode, Threads: 1, Host: "h", HostName: "Fake CPU (2 cores)",
			MAdds: madds, FLOPs: 2 * madds, MAC: madds / 10, MACFused: madds / 20, LatencyMS: stats.Summary{Median: ms}}
		if profiled {
			// Made-up shares: element-wise and data movement hold 40% of
			// the time eager and 10% fused.
			ew := 0.4
			if mode == "fused" {
				ew = 0.1
			}
			r.Categories = []sweep.CategoryShare{{Name: "conv1x1", TimeMS: ms * (1 - ew), MAdds: madds, MAC: madds / 20},
				{Name: "element-wise", TimeMS: ms * ew / 2, MAC: madds / 40}, {Name: "data movement", TimeMS: ms * ew / 2, MAC: madds / 40}}
		}
		return r
	}
	snv2 := func(w float64) arch.Spec { return arch.Spec{Family: arch.ShuffleNetV2, Width: w}.Normalize() }
	g1 := func(c1, c2 int) arch.Spec { return arch.Spec{Family: arch.GuideG1, C1: c1, C2: c2}.Normalize() }
	rows := []sweep.Row{
		row("snv2 0.5x", snv2(0.5), "fused", 41e6, 2, false),
		row("snv2 1x", snv2(1), "fused", 146e6, 5, true),
		row("snv2 1.5x", snv2(1.5), "fused", 299e6, 9, false),
		row("snv2 1x", snv2(1), "eager", 146e6, 8, true),
		row("g1 1:1", g1(32, 32), "fused", 64e6, 1.3, false),
		row("g1 1:12", g1(9, 108), "fused", 61e6, 1.7, false),
	}
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		b, _ := json.Marshal(r)
		f.Write(append(b, '\n'))
	}
	f.Close()
	out := filepath.Join(dir, "plots")
	var stdout bytes.Buffer
	if err := plotCmd([]string{"--in", in, "--out", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gap-flops-fused.png", "gap-mac-fused.png", "gap-micro-flops-fused.png", "gap-micro-mac-fused.png",
		"gap-flops-eager.png",
		"decomposition-snv2-1x-1t.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Two configurations (eager and fused), each named by its mode.
	if s := stdout.String(); !strings.Contains(s, "whole networks: Among 3 designs FLOPs orders latency with Spearman 1.00") ||
		!strings.Contains(s, "micro-networks: Among 2 designs") {
		t.Errorf("stdout lacks the correlations in words:\n%s", s)
	}
	// The printed words are the FLOPs charts' captions, the misleading
	// pair included (g1 1:1 and 1:12, 64M and 61M MAdds, 1.3 and 1.7 ms),
	// and a configuration of one design says why it has no correlation
	// (both were on the charts only).
	for _, want := range []string{
		`micro-networks: Among 2 designs, the one with more FLOPs (128.00M against 122.00M) runs faster (1.300 against 1.700 ms); ` +
			`a rank correlation needs at least 3 designs to mean anything. Most misleading pair: "g1 c1=9 c2=108" and "g1 c1=32 c2=32" differ by 4.9% in FLOPs, but "g1 c1=9 c2=108" takes 1.31x as long.`,
		"whole networks: 1 design: no correlation (it needs at least 3 designs).",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestPlotPerDesignFilesNameTheHost: one design profiled on two hosts gets
// a decomposition per host, each file named by its host (it was "-1t" and
// "-1t-2", and stderr blamed two designs' names).
func TestPlotPerDesignFilesNameTheHost(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "r.jsonl")
	s := arch.Spec{Family: arch.ShuffleNetV2, Width: 1}.Normalize()
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []struct{ key, name string }{{"h1", "CPU One (2 cores)"}, {"h2", "CPU Two (2 cores)"}} {
		r := sweep.Row{Version: sweep.RowVersion, Key: s.String(), Name: "snv2 1x", Family: string(s.Family), Spec: s,
			Backend: "native", Mode: "fused", Threads: 1, Host: h.key, HostName: h.name,
			MAdds: 146e6, FLOPs: 292e6, MAC: 146e5, LatencyMS: stats.Summary{Median: 5},
			Categories: []sweep.CategoryShare{{Name: "conv1x1", TimeMS: 5, MAdds: 146e6, MAC: 146e5}}}
		b, _ := json.Marshal(r)
		f.Write(append(b, '\n'))
	}
	f.Close()
	out := filepath.Join(dir, "plots")
	var stderr bytes.Buffer
	if err := plotCmd([]string{"--in", in, "--out", out}, io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"decomposition-snv2-1x-cpu-one-2-cores-fused-1t.png", "decomposition-snv2-1x-cpu-two-2-cores-fused-1t.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v (stderr %s)", name, err, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "same file name") {
		t.Errorf("stderr: %s", stderr.String())
	}
}
