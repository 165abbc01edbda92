package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// maddsMeasurer is a fake measurer whose latency is a made-up function of
// MAdds and group count (so equal-MAdds designs can differ); it never runs
// a network.
type maddsMeasurer struct{ calls int }

func (m *maddsMeasurer) Measure(_ context.Context, g *arch.Graph, d sweep.Design, profile bool, _ func(float64)) (runner.Result, error) {
	m.calls++
	rep := cost.Analyze(g, nil)
	ms := float64(rep.Totals.MultAdds)/1e7*(1+0.5*float64(d.Spec.Groups-1)) + 0.1
	res := runner.Result{LatencyMS: stats.Summarize([]float64{ms}), ThroughputIPS: 1000 / ms, Iters: 1}
	if profile {
		p := arch.FusedPlan(g)
		var steps []runner.StepTime
		for _, st := range p.Steps {
			if !st.View {
				steps = append(steps, runner.StepTime{Name: g.Ops[st.Ops[0]].ID, Ops: []string{g.Ops[st.Ops[0]].ID}, Nanos: 1000})
			}
		}
		pr := runner.JoinProfile(cost.Analyze(g, &p), g, steps)
		res.Profile = &pr
	}
	return res, nil
}

func fakeSweepDeps(m sweep.Measurer) sweepDeps {
	return sweepDeps{
		measurer:    func(*measureFlags, runner.Mode) (sweep.Measurer, error) { return m, nil },
		fingerprint: func() host.Fingerprint { return host.Fingerprint{CPU: "Fake CPU", LogicalCores: 2, GOOS: "linux"} },
		calibration: func(context.Context, *measureFlags, host.Fingerprint, io.Writer) (calib.Calibration, error) {
			return calib.Calibration{L2Bytes: 1 << 20, Ceilings: []calib.Ceiling{{Threads: 1, PeakGFLOPS: 100, L2GBps: 100, DRAMGBps: 30}}}, nil
		},
	}
}

func TestSweepCommandAndResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	args := []string{"--width", "0.5:1.0:0.25", "--groups", "1,2", "--res", "64", "--depths", "1,1,1;1,2,1", "--out", out, "--profile"}
	m := &maddsMeasurer{}
	var stdout, stderr bytes.Buffer
	if err := sweepWith(context.Background(), args, &stdout, &stderr, fakeSweepDeps(m)); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	// 3 widths x 2 groups x 2 depths.
	if m.calls != 12 {
		t.Errorf("%d designs measured, want 12", m.calls)
	}
	for _, want := range []string{"Spearman rho", "roofline estimate", "MAC (fused plan)", "equal MAdds (within 10%)"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	rows, warns, err := sweep.Load(out)
	if err != nil || len(warns) != 0 || len(rows) != 12 {
		t.Fatalf("%d rows, warnings %v, %v", len(rows), warns, err)
	}
	if rows[0].RooflineMS <= 0 || len(rows[0].Categories) == 0 || len(rows[0].Ops) == 0 || rows[0].HostName != "Fake CPU (2 cores)" {
		t.Errorf("row %+v", rows[0])
	}
	// Rerun: nothing measured, the report covers all 12.
	m2 := &maddsMeasurer{}
	stdout.Reset()
	stderr.Reset()
	if err := sweepWith(context.Background(), args, &stdout, &stderr, fakeSweepDeps(m2)); err != nil {
		t.Fatal(err)
	}
	if m2.calls != 0 || !strings.Contains(stderr.String(), "0 measured, 12 already in") {
		t.Errorf("rerun measured %d; stderr %s", m2.calls, stderr.String())
	}
	// The same designs on the generic kernels are other measurements: all
	// 12 again, and the header names the set (it resumed from the rows of
	// the auto set and printed their latencies as the generic ones').
	m3 := &maddsMeasurer{}
	stderr.Reset()
	if err := sweepWith(context.Background(), append(args, "--kernels", "generic"), io.Discard, &stderr, fakeSweepDeps(m3)); err != nil {
		t.Fatal(err)
	}
	if m3.calls != 12 || !strings.Contains(stderr.String(), "native/fused, kernels generic,") || !strings.Contains(stderr.String(), "12 measured, 0 already in") {
		t.Errorf("--kernels generic measured %d; stderr %s", m3.calls, stderr.String())
	}
	// Shards 1/2 and 2/2 list disjoint halves.
	var a, b bytes.Buffer
	sweepWith(context.Background(), append(args, "--list", "--shard", "1/2"), &a, io.Discard, fakeSweepDeps(m2))
	sweepWith(context.Background(), append(args, "--list", "--shard", "2/2"), &b, io.Discard, fakeSweepDeps(m2))
	la, lb := strings.Split(strings.TrimSpace(a.String()), "\n"), strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(la) != 6 || len(lb) != 6 || la[0] == lb[0] {
		t.Errorf("shards: %d and %d designs", len(la), len(lb))
	}
}

func TestSweepPresetsAndErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	m := &maddsMeasurer{}
	var stdout bytes.Buffer
	if err := sweepWith(context.Background(), []string{"--presets", "T8,shufflenetv2-1.0", "--out", out}, &stdout, io.Discard, fakeSweepDeps(m)); err != nil {
		t.Fatal(err)
	}
	// The Table 8 experiment lists five presets; shufflenetv2-1.0 is one of them.
	if m.calls != 5 {
		t.Errorf("%d presets measured, want 5", m.calls)
	}
	for _, bad := range [][]string{
		{"--width", "2:1:0.5"},
		{"--shard", "3/2"},
		{"--presets", "nope"},
		{"--threads", "0"},
		{"--depths", "4,8"},
	} {
		err := sweepWith(context.Background(), append(bad, "--out", out), io.Discard, io.Discard, fakeSweepDeps(m))
		if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}

func TestPlotCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "r.jsonl")
	// Two hosts: the gap charts draw them as separate series.
	for i, cpu := range []string{"CPU one", "CPU two"} {
		d := fakeSweepDeps(&maddsMeasurer{})
		d.fingerprint = func() host.Fingerprint { return host.Fingerprint{CPU: cpu, LogicalCores: 2 + i} }
		args := []string{"--width", "0.5,1.0", "--groups", "1,2", "--res", "64", "--out", in}
		if i == 0 {
			args = append(args, "--profile")
		}
		if err := sweepWith(context.Background(), args, io.Discard, io.Discard, d); err != nil {
			t.Fatal(err)
		}
	}
	// A corrupted last line is skipped with a warning.
	f, _ := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"version":1,"ke`)
	f.Close()
	outDir := filepath.Join(dir, "plots")
	var stdout, stderr bytes.Buffer
	if err := plotCmd([]string{"--in", in, "--out", outDir}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "line 9 skipped") {
		t.Errorf("no warning for the torn line: %s", stderr.String())
	}
	// One gap chart per metric and configuration (host): latencies of two
	// machines do not rank against each other.
	// Each host's files are named by it (they were numbered -1 and -2).
	want := []string{"gap-flops-cpu-one-2-cores.png", "gap-mac-cpu-one-2-cores.png", "gap-roofline-cpu-one-2-cores.png",
		"gap-flops-cpu-two-3-cores.png", "gap-mac-cpu-two-3-cores.png", "gap-roofline-cpu-two-3-cores.png",
		"correlation-cpu-one-2-cores.png", "correlation-cpu-two-3-cores.png"}
	ents, _ := os.ReadDir(outDir)
	var decomp, roof int
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "decomposition-") {
			decomp++
		}
		if strings.HasPrefix(e.Name(), "roofline-") {
			roof++
			want = append(want, e.Name())
		}
	}
	if decomp != 3 || roof != 3 { // --max-profiles 3 of the 4 profiled rows
		t.Errorf("%d decomposition and %d roofline charts, want 3 each", decomp, roof)
	}
	for _, name := range want {
		fh, err := os.Open(filepath.Join(outDir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil || img.Bounds().Dx() < 100 {
			t.Errorf("%s is not a real PNG: %v", name, err)
		}
	}
	csvb, err := os.ReadFile(filepath.Join(outDir, "points.csv"))
	if err != nil || strings.Count(string(csvb), "\n") != 9 { // header + 8 points
		t.Errorf("points.csv: %v\n%s", err, csvb)
	}
	// --profile-of picks the designs whose profiles are drawn.
	pickDir := filepath.Join(dir, "pick")
	if err := plotCmd([]string{"--in", in, "--out", pickDir, "--profile-of", "shufflenetv2 1x g=2 64px"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(pickDir, "decomposition-shufflenetv2-1x-g-2-64px-fused-1t.png")); err != nil {
		t.Errorf("picked profile not drawn: %v", err)
	}
	if ents, _ := os.ReadDir(pickDir); len(ents) != 11 { // 2 x 3 gaps, 2 correlations, 1 decomposition, 1 roofline, CSV
		t.Errorf("%d files with --profile-of", len(ents))
	}
	if err := plotCmd([]string{"--in", filepath.Join(dir, "missing.jsonl")}, io.Discard, io.Discard); err == nil {
		t.Error("missing input accepted")
	}
}

// TestSweepChecksOutputFirst: a bad --out is refused before the
// calibration or any measurement (issue 15: sweep --out /dev/null measured
// a design first), with the exit code of bad input; a second sweep on a
// file in use exits 1 naming the first (reproduction 7).
func TestSweepChecksOutputFirst(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg.json")
	os.WriteFile(cfg, []byte(`{"important":1}`), 0o644)
	for _, out := range []string{os.DevNull, dir, cfg} {
		m := &maddsMeasurer{}
		d := fakeSweepDeps(m)
		calibrated := false
		d.calibration = func(context.Context, *measureFlags, host.Fingerprint, io.Writer) (calib.Calibration, error) {
			calibrated = true
			return calib.Calibration{}, nil
		}
		err := sweepWith(context.Background(), []string{"--width", "0.5", "--res", "64", "--out", out}, io.Discard, io.Discard, d)
		if _, ok := err.(usageError); !ok || m.calls != 0 || calibrated {
			t.Errorf("--out %s: %v (%T) after %d measurements, calibrated %v; want a usage error first", out, err, err, m.calls, calibrated)
		}
	}
	if b, _ := os.ReadFile(cfg); string(b) != `{"important":1}` {
		t.Errorf("cfg.json changed to %q", b)
	}
	out := filepath.Join(dir, "r.jsonl")
	f, err := sweep.Open(out, "pid 1234 on host-a since 10:00 (explorer sweep --out r.jsonl)")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := &maddsMeasurer{}
	var stderr bytes.Buffer
	code := run([]string{"sweep", "--width", "0.5", "--res", "64", "--out", out}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "being written by pid 1234 on host-a") || m.calls != 0 {
		t.Errorf("second sweep: exit %d, %s", code, stderr.String())
	}
}

// TestSweepRefusesHugeRangesAndEmptyFlags: reproduction 3 of issue 15 (a
// range step of 1e-300 panicked in makeslice) and explicitly empty grid
// flags exit 2 naming the flag.
func TestSweepRefusesHugeRangesAndEmptyFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--width", "0.05:16:1e-300", "--list"}, `invalid width "0.05:16:1e-300"`},
		{[]string{"--res", "32:64:1e-300", "--list"}, `invalid res "32:64:1e-300"`},
		{[]string{"--split", "0.1:0.9:1e-300", "--list"}, `invalid split "0.1:0.9:1e-300"`},
		{[]string{"--width", "0.05:16:0.05", "--res", "32:8192:32", "--list"}, "at most 10000 designs"},
		{[]string{"--depths=", "--list"}, `invalid --depths ""`},
		{[]string{"--out=", "--list"}, `invalid --out ""`},
		{[]string{"--mem-limit=", "--list"}, `invalid --mem-limit ""`},
		{[]string{"--calib=", "--list"}, `invalid --calib ""`},
		{[]string{"--cuda-graph", "--list"}, `invalid --cuda-graph with --backend native`},
		{[]string{"--mode=", "--list"}, `invalid --mode ""`},
		// An unknown family or layout was a skipped grid point, exit 0.
		{[]string{"--family", "foo", "--list"}, "invalid family foo"},
		{[]string{"--layout", "foo", "--list"}, "invalid layout foo"},
		{[]string{"--family", "g1", "--layout", "megvii", "--list"}, "invalid layout megvii"},
		// The budget flags: the same ranges as run's, the value named.
		{[]string{"--min-time", "-1s", "--list"}, "invalid --min-time -1s (valid: >= 0)"},
		{[]string{"--warmup", "2000000", "--list"}, "invalid --warmup 2000000 (valid: 0..1000000)"},
		{[]string{"--min-iters", "0", "--list"}, "invalid --min-iters 0 (valid: 1..10000000)"},
		{[]string{"--tol", "-1", "--list"}, "invalid --tol -1"},
		{[]string{"--pairs", "-1", "--list"}, "invalid --pairs -1 (valid: >= 0)"},
	} {
		var stderr bytes.Buffer
		if code := run(append([]string{"sweep"}, tc.args...), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("sweep %v: exit %d, %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

// TestSweepListsRefuseZero: a 0 in a sweep list is refused, exit 2, with
// the message 'explorer cost' gives the same typed 0 (audit: '--width 0,1'
// listed only 1x; '--split 0', '--groups 0,5' for shufflenetv1, '--batch
// 0' and '--res 0' became 0.5, g=3, 1 and 224).
func TestSweepListsRefuseZero(t *testing.T) {
	for _, tc := range []struct{ sweep, cost []string }{
		{[]string{"--width", "0,1"}, []string{"--width", "0"}},
		{[]string{"--width", "0:1:0.5"}, []string{"--width", "0"}},
		{[]string{"--split", "0"}, []string{"--split", "0"}},
		{[]string{"--family", "shufflenetv1", "--groups", "0,5"}, []string{"--family", "shufflenetv1", "--groups", "0"}},
		{[]string{"--batch", "0"}, []string{"--batch", "0"}},
		{[]string{"--res", "0,224"}, []string{"--res", "0"}},
		{[]string{"--family", "g1", "--res", "0"}, []string{"--family", "g1", "--res", "0"}},
	} {
		code, out, errs := runCLI(append(append([]string{"sweep"}, tc.sweep...), "--list")...)
		_, _, want := runCLI(append([]string{"cost"}, tc.cost...)...)
		if code != 2 || out != "" || errs != want || !strings.Contains(want, `"0"`) {
			t.Errorf("sweep %v: exit %d, stdout %q, stderr %q; want exit 2 and cost's %q", tc.sweep, code, out, errs, want)
		}
	}
}

// TestSweepAllInvalidSaysWhy: when every grid point is invalid, the
// reasons are printed before 'no design to measure' (audit: only that
// line was printed, while --list or one valid point printed them).
func TestSweepAllInvalidSaysWhy(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	code, _, errs := runCLI("sweep", "--res", "-5,16", "--out", out)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	want := []string{
		"explorer: grid point skipped: shufflenetv2 1x -5px: invalid res -5 (valid: 32..8192)",
		"explorer: grid point skipped: shufflenetv2 1x 16px: invalid res 16 (valid: 32..8192)",
		"explorer: sweep: no design to measure: every grid point was invalid (2 skipped, see above)",
	}
	if code != 2 || strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and:\n%s", code, errs, strings.Join(want, "\n"))
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("results file created: %v", err)
	}
	code, _, errs = runCLI("sweep", "--presets", "shufflenetv2-1.0", "--shard", "2/2", "--out", out)
	if code != 2 || !strings.Contains(errs, "no design to measure: shard 2/2 of 1 design(s) is empty") || strings.Contains(errs, "skipped") {
		t.Errorf("empty shard: exit %d, %q", code, errs)
	}
}

// TestRooflineMS: the sweep table shows "-" for a row without a roofline
// estimate (no calibration), not a 0.000 ms estimate.
func TestRooflineMS(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{{0, "-"}, {-1, "-"}, {1.5, ms3(1.5)}} {
		if got := rooflineMS(tc.v); got != tc.want {
			t.Errorf("rooflineMS(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// failMeasurer fails every design.
type failMeasurer struct{}

func (failMeasurer) Measure(context.Context, *arch.Graph, sweep.Design, bool, func(float64)) (runner.Result, error) {
	return runner.Result{}, errors.New("out of memory")
}

// dirFiles lists the files under dir (relative, sorted).
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// TestSweepMeasuringNothingLeavesNoFiles: a sweep refused by its
// calibration (--calib naming a results file, rc 2) or by its backend
// (cudnn without cuDNN, rc 1), or one whose every design failed, left an
// empty results file and its lock file (and --out's new directories)
// behind. Files that were there before stay, byte for byte.
func TestSweepMeasuringNothingLeavesNoFiles(t *testing.T) {
	calibRefused := func(d *sweepDeps) {
		d.calibration = func(context.Context, *measureFlags, host.Fingerprint, io.Writer) (calib.Calibration, error) {
			return calib.Calibration{}, usagef("invalid --calib %q: not a calibration cache", "rcopy.jsonl")
		}
	}
	noBackend := func(d *sweepDeps) {
		d.measurer = func(*measureFlags, runner.Mode) (sweep.Measurer, error) {
			return nil, errors.New("backend cudnn is not available here")
		}
	}
	allFail := func(d *sweepDeps) {
		d.measurer = func(*measureFlags, runner.Mode) (sweep.Measurer, error) { return failMeasurer{}, nil }
	}
	for _, tc := range []struct {
		name  string
		deps  func(*sweepDeps)
		usage bool
	}{{"calibration refused", calibRefused, true}, {"backend unavailable", noBackend, false}, {"every design failed", allFail, false}} {
		for _, out := range []string{"k.jsonl", filepath.Join("new", "dir", "k.jsonl")} {
			dir := t.TempDir()
			d := fakeSweepDeps(&maddsMeasurer{})
			tc.deps(&d)
			err := sweepWith(context.Background(), []string{"--width", "0.5", "--res", "64", "--out", filepath.Join(dir, out)}, io.Discard, io.Discard, d)
			if _, ok := err.(usageError); err == nil || ok != tc.usage {
				t.Errorf("%s, --out %s: %v (%T)", tc.name, out, err, err)
			}
			if left := dirFiles(t, dir); len(left) != 0 {
				t.Errorf("%s, --out %s: left %v", tc.name, out, left)
			}
		}
		// An existing results file and its lock stay as they were; so does
		// an empty file that was there before.
		dir := t.TempDir()
		res := filepath.Join(dir, "r.jsonl")
		if err := sweepWith(context.Background(), []string{"--width", "0.5", "--res", "64", "--out", res}, io.Discard, io.Discard, fakeSweepDeps(&maddsMeasurer{})); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(res)
		empty := filepath.Join(dir, "empty.jsonl")
		os.WriteFile(empty, nil, 0o644)
		for _, out := range []string{res, empty} {
			d := fakeSweepDeps(&maddsMeasurer{})
			tc.deps(&d)
			sweepWith(context.Background(), []string{"--width", "0.75", "--res", "64", "--out", out}, io.Discard, io.Discard, d)
		}
		if after, _ := os.ReadFile(res); !bytes.Equal(after, before) {
			t.Errorf("%s: r.jsonl changed", tc.name)
		}
		if got, want := strings.Join(dirFiles(t, dir), " "), "empty.jsonl r.jsonl r.jsonl.lock"; got != want {
			t.Errorf("%s: files %q, want %q", tc.name, got, want)
		}
	}
}

// TestWritePairsKeepsOnlyPrinted: writePairs prints n pairs and the count
// without holding every near pair: 400 designs of equal MAdds make 79,800
// pairs, which the old listing kept as two row copies each (800 MB
// allocated, grown and sorted; a
// 3000-row file took 3.4 GB and 14 s).
func TestWritePairsKeepsOnlyPrinted(t *testing.T) {
	rows := make([]sweep.Row, 400)
	for i := range rows {
		rows[i] = sweep.Row{Key: fmt.Sprint(i), Name: fmt.Sprintf("d%d", i), MAdds: 1e6, MAC: 1e6,
			LatencyMS: stats.Summary{Median: 1 + float64(i)/100}}
	}
	var b bytes.Buffer
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := writePairs(&b, "", rows, 3, 0.10); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("writePairs allocated %d bytes, want under 4 MiB", got)
	}
	if !strings.Contains(b.String(), ": 79800 pairs,") || !strings.Contains(b.String(), "d0 ") || strings.Count(b.String(), "\nd") != 3 {
		t.Errorf("output:\n%s", b.String())
	}
}

// TestWritePairsCounts: no pair says there is none (it printed "0 pairs,
// most different first" and an empty table), one pair is "1 pair".
func TestWritePairsCounts(t *testing.T) {
	r := func(name string, madds int64, ms float64) sweep.Row {
		return sweep.Row{Key: name, Name: name, MAdds: madds, MAC: madds, LatencyMS: stats.Summary{Median: ms}}
	}
	for _, tc := range []struct {
		rows []sweep.Row
		want string
	}{
		{[]sweep.Row{r("a", 100, 1)}, "different latency: no two designs within 10% in MAdds\n"},
		{[]sweep.Row{r("a", 100, 1), r("b", 300, 2)}, "different latency: no two designs within 10% in MAdds\n"},
		{[]sweep.Row{r("a", 100, 1), r("b", 105, 2)}, "different latency: 1 pair, most different first\n"},
	} {
		var b bytes.Buffer
		if err := writePairs(&b, "", tc.rows, 3, 0.10); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%d rows: output %q, want %q", len(tc.rows), b.String(), tc.want)
		}
	}
}
