package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner/sweep"
	"golang.org/x/image/font/gofont/goregular"
)

// writeRows writes rows as a results file in dir and returns its path.
func writeRows(t *testing.T, dir, name string, rows []sweep.Row) string {
	t.Helper()
	var b bytes.Buffer
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// plotRows plots rows (extra flags after --in and --out) and returns
// stdout, stderr, the output directory and the error.
func plotRows(t *testing.T, rows []sweep.Row, extra ...string) (string, string, string, error) {
	t.Helper()
	dir := t.TempDir()
	in := writeRows(t, dir, "r.jsonl", rows)
	out := filepath.Join(dir, "p")
	var stdout, stderr bytes.Buffer
	err := plotCmd(append([]string{"--in", in, "--out", out}, extra...), &stdout, &stderr)
	return stdout.String(), stderr.String(), out, err
}

// TestPlotCorrelationSaysWhatItLeavesOut: a metric that one row lacks or
// that every design has the same value of used to vanish from the table
// and chart without a word, and latencies all tied dropped the whole
// section (heading, chart and equal-MAdds pairs) silently.
func TestPlotCorrelationSaysWhatItLeavesOut(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	one := append([]sweep.Row(nil), rows...)
	one[1].RooflineMS = 0
	for i := range one {
		one[i].MAC = 12345
	}
	stdout, stderr, _, err := plotRows(t, one)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"roofline estimate: left out, 1 of 4 rows has none", "MAC: left out, every design has the same value"} {
		if !strings.Contains(stdout, want) || !strings.Contains(stderr, "correlation leaves out") {
			t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", want, stdout, stderr)
		}
	}

	tied := append([]sweep.Row(nil), rows...)
	for i := range tied {
		tied[i].LatencyMS.Median = 0.5
	}
	stdout, stderr, out, err := plotRows(t, tied)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rank correlation with median latency\n  none: every design has the same median latency (0.5 ms)", "equal MAdds (within 10%)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("tied latencies: stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "correlation not drawn: every design has the same median latency") {
		t.Errorf("tied latencies: stderr does not say why there is no correlation chart:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "correlation.png")); err == nil {
		t.Error("a correlation chart of tied latencies")
	}
}

// TestPlotCorrelationPerScope: the correlation table and the equal-MAdds
// pairs used to pool the guideline micro-networks with whole networks
// (their latencies do not compare); they are now one per scope, titled,
// by the gap charts' rule.
func TestPlotCorrelationPerScope(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	for i, ms := range []float64{0.01, 0.02, 0.015} { // three: the fewest a rank correlation is reported for
		m := rows[i]
		m.Key, m.Name, m.Family = "micro"+m.Name, "g2 micro "+m.Name, string(arch.GuideG2)
		m.Spec.Family = arch.GuideG2
		m.MAdds = rows[2+i].MAdds // equal MAdds to a whole network's
		m.LatencyMS.Median = ms
		m.Categories, m.Ops = nil, nil
		rows = append(rows, m)
	}
	stdout, _, out, err := plotRows(t, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{", whole networks (4 designs): rank correlation", ", micro-networks (3 designs): rank correlation",
		", whole networks: equal MAdds", ", micro-networks: equal MAdds"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "(7 designs)") {
		t.Errorf("a table pools both scopes:\n%s", stdout)
	}
	for _, f := range []string{"correlation.png", "correlation-micro.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// No pairs line names a micro-network beside a whole network.
	for _, l := range strings.Split(stdout, "\n") {
		if strings.Contains(l, "g2 micro") && strings.Contains(l, "shufflenetv2") && !strings.Contains(l, "g2 micro shufflenetv2") {
			t.Errorf("a pair across scopes: %s", l)
		}
	}
}

// TestPlotGoesOnAfterAFailedChart: one chart that cannot be written used
// to abort plot and lose every later chart and points.csv; it is now
// said, the rest is written, and plot exits 1 naming it.
func TestPlotGoesOnAfterAFailedChart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	in, _ := sweepFile(t, dir)
	out := filepath.Join(dir, "p")
	os.Mkdir(out, 0o755)
	os.Symlink(filepath.Join(dir, "victim"), filepath.Join(out, "gap-flops.png"))
	var stderr bytes.Buffer
	code := run([]string{"plot", "--in", in, "--out", out}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "gap-flops not drawn") || !strings.Contains(stderr.String(), "1 output(s) not written: gap-flops") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, f := range []string{"gap-mac.png", "correlation.png", "points.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("after the failed chart: %v", err)
		}
	}
	ms, _ := filepath.Glob(filepath.Join(out, "roofline-*.png"))
	ds, _ := filepath.Glob(filepath.Join(out, "decomposition-*.png"))
	if len(ms) == 0 || len(ds) == 0 {
		t.Errorf("after the failed chart: roofline %v, decomposition %v", ms, ds)
	}
}

// TestPlotNeverWritesAFileTwice: designs named 設計甲 and 設計乙 both
// slugged to one decomposition file, the second overwriting the first;
// names that slug alike ("x y", "x-y") did too. Every chart now has its
// own file.
func TestPlotNeverWritesAFileTwice(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	for i, n := range []string{"設計甲", "設計乙", "x y", "x-y"} {
		rows[i].Name, rows[i].Preset = n, ""
	}
	stdout, stderr, out, err := plotRows(t, rows, "--max-profiles", "4")
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := filepath.Glob(filepath.Join(out, "decomposition-*.png"))
	rs, _ := filepath.Glob(filepath.Join(out, "roofline-*.png"))
	if len(ds) != 4 || len(rs) != 4 {
		t.Errorf("decomposition %v, roofline %v; want 4 of each", ds, rs)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(stdout, "\n") {
		if f, ok := strings.CutPrefix(l, "wrote "); ok {
			if seen[f] {
				t.Errorf("wrote %s twice", f)
			}
			seen[f] = true
		}
	}
	if !strings.Contains(stderr, "decomposition-x-y-fused-1t.png is already written in this run") {
		t.Errorf("the renamed file is not said:\n%s", stderr)
	}
}

// TestPlotRooflineLeavesOutUndrawableOps: an op of 0 GFLOP/s (a
// hand-edited row) failed that row's roofline chart; it is now left out
// and named on stderr, and the chart is drawn from the other ops. A row
// whose ops are all undrawable gets no chart and says why.
func TestPlotRooflineLeavesOutUndrawableOps(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	if len(rows[0].Ops) < 2 || len(rows[1].Ops) == 0 {
		t.Fatalf("profiled rows without ops: %d, %d", len(rows[0].Ops), len(rows[1].Ops))
	}
	rows[0].Ops = append([]sweep.OpPoint(nil), rows[0].Ops...)
	rows[0].Ops[0].GFLOPS = 0
	rows[1].Ops = append([]sweep.OpPoint(nil), rows[1].Ops...)
	for i := range rows[1].Ops {
		rows[1].Ops[i].Intensity = 0
	}
	_, stderr, out, err := plotRows(t, rows)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	first := "roofline-" + pltSlug(rows[0])
	if !strings.Contains(stderr, first+" leaves out 1 of ") || !strings.Contains(stderr, rows[0].Ops[0].ID) {
		t.Errorf("no note for %s's undrawable op:\n%s", first, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, first+".png")); err != nil {
		t.Errorf("%s not drawn from its other ops: %v", first, err)
	}
	second := "roofline-" + pltSlug(rows[1])
	if !strings.Contains(stderr, second+" not drawn: ") {
		t.Errorf("no reason for %s:\n%s", second, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, second+".png")); err == nil {
		t.Errorf("%s drawn without a drawable op", second)
	}
}

// pltSlug is the roofline chart name's part after "roofline-" for row r.
func pltSlug(r sweep.Row) string {
	return plots.FileSlug(r.Name) + "-" + r.Mode + "-" + strconv.Itoa(r.Threads) + "t"
}

// TestPlotModeNeverLeavesOut: a results row whose mode was edited to
// "../../../escaped" made plot write a chart outside --out (the mode went
// into the file name unslugged). Such a row is now skipped with the reason,
// and nothing is written outside --out.
func TestPlotModeNeverLeavesOut(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	rows[0].Mode = "../../../escaped"
	_, stderr, out, err := plotRows(t, rows)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, `mode "../../../escaped": not eager or fused`) {
		t.Errorf("no reason for the edited row:\n%s", stderr)
	}
	var outside []string
	filepath.WalkDir(filepath.Dir(filepath.Dir(out)), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".png") && !strings.HasPrefix(p, out+string(filepath.Separator)) {
			outside = append(outside, p)
		}
		return nil
	})
	if len(outside) > 0 {
		t.Errorf("charts written outside --out %s: %v", out, outside)
	}
}

// TestPlotSaysWhatChartTextItCannotShow: designs named in CJK were drawn
// as empty boxes in PNG charts without a word. With a --font that lacks
// the characters too (Go Regular), plot says which texts of which charts
// show boxes and how to get them; a --font that is no font is refused
// before anything is read.
func TestPlotSaysWhatChartTextItCannotShow(t *testing.T) {
	dir := t.TempDir()
	font := filepath.Join(dir, "Go-Regular.ttf")
	if err := os.WriteFile(font, goregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	_, rows := sweepFile(t, t.TempDir())
	rows[0].Name, rows[0].Preset = "設計甲", ""
	_, stderr, _, err := plotRows(t, rows, "--font", font)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "drawn as empty boxes") || !strings.Contains(stderr, "設計甲") || !strings.Contains(stderr, "neither Liberation Sans nor "+font) {
		t.Errorf("stderr does not say what the charts cannot show:\n%s", stderr)
	}

	notFont := filepath.Join(dir, "notes.txt")
	os.WriteFile(notFont, []byte("text"), 0o644)
	_, _, _, err = plotRows(t, rows, "--font", notFont)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "invalid --font") {
		t.Errorf("--font %s: %v, want a usage error naming --font", notFont, err)
	}
}

// TestPlotKeepsKernelSetsAndPrefersProfiles: rows of one design measured
// on the generic kernels beside avx512 ones were dropped as "the same
// design and configuration"; they are drawn as their own configuration
// now. A profiled row read after an unprofiled one of the same run (a
// --profile sweep of the same file) is drawn instead of it, so the
// design gets its decomposition chart.
func TestPlotKeepsKernelSetsAndPrefersProfiles(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	bare := rows[0]
	bare.Categories, bare.Ops = nil, nil
	gen := rows[1]
	gen.Fingerprint.Kernels = "generic"
	gen.LatencyMS.Median *= 7
	all := append([]sweep.Row{bare}, rows...)
	all = append(all, gen)
	stdout, stderr, out, err := plotRows(t, all, "--max-profiles", "10")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "is drawn instead of") || strings.Contains(stderr, "skipped") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "[generic]") {
		t.Errorf("no generic configuration in the output:\n%s", stdout)
	}
	ds, _ := filepath.Glob(filepath.Join(out, "decomposition-*.png"))
	// One per design and kernel set: the bare row's design too (its
	// profiled row won), and the generic copy's apart from its avx512 row,
	// named by its set.
	if len(ds) != len(rows)+1 {
		t.Errorf("decomposition charts %v, want %d", ds, len(rows)+1)
	}
	if g, _ := filepath.Glob(filepath.Join(out, "decomposition-"+plots.FileSlug(gen.Name)+"-generic-fused-1t.png")); len(g) != 1 {
		t.Errorf("no decomposition of the generic row named by its set: %v", ds)
	}
}

// TestPlotSetlessRowJoinsItsSet: a profiled eager row that names no kernel
// set, beside the design's avx512 fused row, is of the avx512 set (as the
// gap charts group it): one decomposition, eager beside fused (it drew
// "...-kernels-unknown-eager-1t" and "...-avx512-fused-1t").
func TestPlotSetlessRowJoinsItsSet(t *testing.T) {
	_, rows := sweepFile(t, t.TempDir())
	fused := rows[0]
	eager := fused
	eager.Mode, eager.Fingerprint.Kernels = "eager", ""
	_, _, out, err := plotRows(t, []sweep.Row{fused, eager}, "--max-profiles", "10")
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := filepath.Glob(filepath.Join(out, "decomposition-*.png"))
	want := filepath.Join(out, "decomposition-"+plots.FileSlug(fused.Name)+"-"+strconv.Itoa(fused.Threads)+"t.png")
	if len(ds) != 1 || ds[0] != want {
		t.Errorf("decompositions %v, want only %s", ds, want)
	}
}
