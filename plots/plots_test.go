package plots

import (
	"bytes"
	"html"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// renderAll saves p as PNG, SVG and PDF under a temporary directory, checks
// each file starts with its format's signature, and returns the SVG text.
func renderAll(t *testing.T, p *plot.Plot) string {
	t.Helper()
	dir := t.TempDir()
	magic := map[string][]byte{
		"png": []byte("\x89PNG\r\n\x1a\n"), // PNG spec, section 5.2
		"svg": []byte("<?xml"),
		"pdf": []byte("%PDF-"), // PDF 1.7 spec, section 7.5.2
	}
	var svg string
	for _, ext := range []string{"png", "svg", "pdf"} {
		path := filepath.Join(dir, "chart."+ext)
		if _, err := Save(p, DefaultWidth, DefaultHeight, path, nil); err != nil {
			t.Fatalf("save %s: %v", ext, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 || !bytes.HasPrefix(b, magic[ext]) {
			t.Fatalf("%s: %d bytes, starts %q", ext, len(b), b[:min(len(b), 8)])
		}
		if ext == "svg" {
			svg = string(b)
		}
	}
	return svg
}

// checkBars checks the bar series c.plotters[first], c.plotters[first+1],
// ...: series k holds want[k], each value within eps.
func checkBars(t *testing.T, c *chart, first int, want [][]float64, eps float64) {
	t.Helper()
	for k, w := range want {
		b := c.plotters[first+k].(*bars)
		for i := range w {
			if math.Abs(b.values[i]-w[i]) > eps {
				t.Errorf("series %d: %v, want %v", k, b.values, w)
				break
			}
		}
	}
}

// checkChart checks the recorded structure of c and that every legend entry
// and every extra string was drawn into the SVG.
func checkChart(t *testing.T, c *chart, plotters int, legend []string, texts ...string) {
	t.Helper()
	if len(c.plotters) != plotters {
		t.Errorf("%d plotters, want %d", len(c.plotters), plotters)
	}
	if strings.Join(c.legend, "|") != strings.Join(legend, "|") {
		t.Errorf("legend %q, want %q", c.legend, legend)
	}
	svg := renderAll(t, c.plot)
	for _, s := range append(append([]string{}, legend...), texts...) {
		if !strings.Contains(svg, ">"+html.EscapeString(s)+"</text>") {
			t.Errorf("SVG has no text %q", s)
		}
	}
}

// gapPoints: paper MAdds of ShuffleNet v2 0.5x/1.0x/1.5x/2.0x (Table 5:
// 41/146/299/591M) with made-up latencies in the same order, so both rank
// correlations are exactly 1; plus two ShuffleNet v1 designs (Table 8,
// 140M) and one MobileNet v2 (300M).
func gapPoints() []GapPoint {
	return []GapPoint{
		{Label: "SNv2 0.5x", Family: "ShuffleNet v2", X: 41e6, LatencyMS: 2},
		{Label: "SNv2 1.0x", Family: "ShuffleNet v2", X: 146e6, LatencyMS: 5, Current: true},
		{Label: "SNv2 1.5x", Family: "ShuffleNet v2", X: 299e6, LatencyMS: 9},
		{Label: "SNv2 2.0x", Family: "ShuffleNet v2", X: 591e6, LatencyMS: 15},
		{Label: "SNv1 g=3", Family: "ShuffleNet v1", X: 140e6, LatencyMS: 4},
		{Label: "SNv1 g=8", Family: "ShuffleNet v1", X: 140e6, LatencyMS: 4.5},
		{Label: "MNv2 1.0x", Family: "MobileNet v2", X: 300e6, LatencyMS: 11},
	}
}

func TestGap(t *testing.T) {
	pts := gapPoints()
	labels := make([]string, len(pts))
	for i, p := range pts {
		labels[i] = p.Label
	}
	c, err := gapChart(pts, GapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, 3 family series, labels, current-design ring.
	checkChart(t, c, 7, []string{"ShuffleNet v2", "ShuffleNet v1", "MobileNet v2", "current design"}, labels...)
	if got := c.plot.X.Label.Text; got != "MAdds (M)" {
		t.Errorf("x label %q", got)
	}
	if got := c.plot.Y.Label.Text; got != "latency (ms)" {
		t.Errorf("y label %q", got)
	}

	// Only the ShuffleNet v2 points: latency order = MAdds order, so both
	// coefficients are 1 by construction.
	c, err = gapChart(pts[:4], GapOptions{Title: "SNv2 widths"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "SNv2 widths\nSpearman 1.00, Kendall tau-b 1.00 (n=4)"; c.plot.Title.Text != want {
		t.Errorf("title %q, want %q", c.plot.Title.Text, want)
	}
	// legend space, grid, 1 series, labels, ring around "SNv2 1.0x".
	checkChart(t, c, 5, []string{"ShuffleNet v2", "current design"}, labels[:4]...)
}

func TestGapHostsAndAxes(t *testing.T) {
	var pts []GapPoint
	for _, p := range gapPoints()[:4] {
		p.Current = false
		p.Host = "cpu"
		pts = append(pts, p)
		p.Host = "gpu"
		// Reverse the GPU order so its correlations are -1.
		p.LatencyMS = 20 - p.LatencyMS
		pts = append(pts, p)
	}
	pts = append(pts, GapPoint{Label: "MNv2", Family: "MobileNet v2", Host: "cpu", X: 300e6, LatencyMS: 9.5})
	c, err := gapChart(pts, GapOptions{Metric: MetricMAC, LogX: true, LogY: true})
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, 3 (family, host) series, labels.
	checkChart(t, c, 6, []string{"ShuffleNet v2 @ cpu", "ShuffleNet v2 @ gpu", "MobileNet v2 @ cpu"})
	for _, want := range []string{
		"MAC vs measured latency",
		// cpu: x ranks 1 2 3 5 4, latency 2 5 9 15 9.5 -> ranks 1 2 3 5 4.
		"cpu: Spearman 1.00, Kendall tau-b 1.00 (n=5)",
		"gpu: Spearman -1.00, Kendall tau-b -1.00 (n=4)",
	} {
		if !strings.Contains(c.plot.Title.Text, want) {
			t.Errorf("title %q lacks %q", c.plot.Title.Text, want)
		}
	}
	if c.plot.X.Label.Text != "MAC (M elements), log scale" { // a log axis says so
		t.Errorf("x label %q", c.plot.X.Label.Text)
	}
	if _, ok := c.plot.X.Scale.(plot.LogScale); !ok {
		t.Errorf("x scale %T, want log", c.plot.X.Scale)
	}
	if _, ok := c.plot.Y.Scale.(plot.LogScale); !ok {
		t.Errorf("y scale %T, want log", c.plot.Y.Scale)
	}
	if !(c.plot.X.Min > 0 && c.plot.X.Min < 41 && c.plot.X.Max > 591) {
		t.Errorf("x range [%v, %v] does not hold 41..591 (M)", c.plot.X.Min, c.plot.X.Max)
	}

	// A host with a single point has no correlation, and says why.
	one := []GapPoint{{Label: "a", X: 1, LatencyMS: 1}}
	c, err = gapChart(one, GapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.plot.Title.Text, "n/a (n=1: too few points)") {
		t.Errorf("title %q", c.plot.Title.Text)
	}
	renderAll(t, c.plot)
}

func TestMetricAxisLabel(t *testing.T) {
	tests := []struct {
		m    Metric
		max  float64
		want string
	}{
		{MetricMAdds, 591e6, "MAdds (M)"},
		{MetricFLOPs, 1.2e9, "FLOPs (G)"},
		{MetricMAC, 2.5e6, "MAC (M elements)"},
		{MetricMAC, 900, "MAC (elements)"},
		{MetricParams, 2278604, "params (M)"}, // torchvision SNv2 1.0x
		{MetricParams, 5000, "params (k)"},
		{MetricMAdds, 12, "MAdds"},
		{MetricRoofline, 3.2, "roofline estimate (ms)"},
	}
	for _, tt := range tests {
		c, err := gapChart([]GapPoint{{Label: "a", X: tt.max / 2, LatencyMS: 1}, {Label: "b", X: tt.max, LatencyMS: 2}}, GapOptions{Metric: tt.m})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.plot.X.Label.Text; got != tt.want {
			t.Errorf("%v max %g: label %q, want %q", tt.m, tt.max, got, tt.want)
		}
	}
}

// shareRows: MAdds 3:1, MAC 1:1:2, time 1:3, so the shares are easy by hand.
func shareRows() []ShareRow {
	return []ShareRow{
		{Category: "conv1x1", MAdds: 300, MAC: 10, TimeMS: 1},
		{Category: "depthwise", MAdds: 100, MAC: 10, TimeMS: 3},
		{Category: "data movement", MAdds: 0, MAC: 20, TimeMS: 0},
	}
}

func TestDecomposition(t *testing.T) {
	c, err := decompositionChart(shareRows())
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, 3 bar series.
	checkChart(t, c, 5, []string{"MAdds share", "MAC share", "time share"}, "conv1x1", "depthwise", "data movement")
	want := [][]float64{{75, 25, 0}, {25, 25, 50}, {25, 75, 0}}
	checkBars(t, c, 2, want, 1e-9)

	// Before any measurement: time is 0 everywhere and left out.
	rows := shareRows()
	for i := range rows {
		rows[i].TimeMS = 0
	}
	c, err = decompositionChart(rows)
	if err != nil {
		t.Fatal(err)
	}
	checkChart(t, c, 4, []string{"MAdds share", "MAC share"})
	if !strings.Contains(c.plot.Title.Text, "no time data") {
		t.Errorf("title %q does not say time is missing", c.plot.Title.Text)
	}
}

func ceilings() Ceilings {
	// Zen 4 single core (design.md section 7): 116 GFLOP/s FMA peak, L2
	// ~110 GB/s, DRAM ~30 GB/s.
	return Ceilings{PeakGFLOPS: 116, Bandwidths: []Bandwidth{{"L2", 110}, {"DRAM", 30}}}
}

func TestRoofline(t *testing.T) {
	pts := []RooflinePoint{
		{Label: "stage2.0.conv1", Category: "conv1x1", Intensity: 12, GFLOPS: 80},
		{Category: "conv1x1", Intensity: 20, GFLOPS: 95},
		{Category: "depthwise", Intensity: 1.1, GFLOPS: 14},
		{Label: "fc", Category: "FC", Intensity: 0.5, GFLOPS: 9},
	}
	c, err := rooflineChart(pts, ceilings())
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, peak, 2 bandwidths, 3 categories, labels.
	checkChart(t, c, 9, []string{"GEMM peak 116 GFLOP/s (measured)", "L2 110 GB/s", "DRAM 30 GB/s",
		"one point per op of the plan:", "conv1x1", "depthwise", "FC"}, "stage2.0.conv1", "fc")
	// Each bandwidth line ends at its ridge point, intensity = peak/bandwidth.
	for i, bw := range []float64{110, 30} {
		l := c.plotters[3+i].(*plotter.Line)
		end := l.XYs[len(l.XYs)-1]
		if math.Abs(end.X-116/bw) > 1e-12 || end.Y != 116 {
			t.Errorf("bandwidth %g ends at %+v, want (%g, 116)", bw, end, 116/bw)
		}
	}
	if _, ok := c.plot.X.Scale.(plot.LogScale); !ok {
		t.Errorf("x scale %T, want log", c.plot.X.Scale)
	}

	// Unlabelled, uncategorised points: one series, no labels plotter.
	c, err = rooflineChart([]RooflinePoint{{Intensity: 3, GFLOPS: 50}}, Ceilings{PeakGFLOPS: 100, Bandwidths: []Bandwidth{{"DRAM", 25}}})
	if err != nil {
		t.Fatal(err)
	}
	checkChart(t, c, 5, []string{"GEMM peak 100 GFLOP/s (measured)", "DRAM 25 GB/s", "one point per op of the plan:", "ops"})

	// An op above the measured peak (issue 12: conv1x1 at ~114 under a
	// calibration of 104): a dotted line at the fastest op, said in the legend.
	c, err = rooflineChart([]RooflinePoint{{Category: "conv1x1", Intensity: 20, GFLOPS: 114}, {Category: "conv1x1", Intensity: 9, GFLOPS: 90}},
		Ceilings{PeakGFLOPS: 104, Bandwidths: []Bandwidth{{"L2", 110}}})
	if err != nil {
		t.Fatal(err)
	}
	checkChart(t, c, 6, []string{"GEMM peak 104 GFLOP/s (measured)", "L2 110 GB/s", "one point per op of the plan:", "conv1x1",
		"fastest op 114 GFLOP/s,", "above the measured peak"})
	if l := c.plotters[5].(*plotter.Line); l.XYs[0].Y != 114 {
		t.Errorf("fastest-op line at %v, want 114", l.XYs[0].Y)
	}
	if !(c.plot.Y.Max > 114) {
		t.Errorf("y axis ends at %v, below the fastest op", c.plot.Y.Max)
	}
}

// g1Rows: paper Table 1, "x1" columns (GPU batches/s, ARM images/s) and a
// made-up local speed.
func g1Rows() []GuidelineRow {
	return []GuidelineRow{
		{Label: "1:1", Local: 400, PaperGPU: 1480, PaperARM: 76.2},
		{Label: "1:2", Local: 380, PaperGPU: 1296, PaperARM: 72.9},
		{Label: "1:6", Local: 300, PaperGPU: 876, PaperARM: 69.1},
		{Label: "1:12", Local: 200, PaperGPU: 748, PaperARM: 57.6},
	}
}

func TestGuideline(t *testing.T) {
	c, err := guidelineChart(GuidelineData{Name: "G1", Title: "equal channel width minimises MAC", Rows: g1Rows()})
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, line at 1, 3 bar series.
	// Row labels start with a space (kept off the page edge).
	checkChart(t, c, 6, []string{"local", "paper GPU (GTX 1080Ti)", "paper ARM (Snapdragon 810)"}, " 1:1", " 1:2", " 1:6", " 1:12")
	if c.plot.Title.Text != "G1: equal channel width minimises MAC" {
		t.Errorf("title %q", c.plot.Title.Text)
	}
	// Normalised to the first row: local 400 -> 1, 0.95, 0.75, 0.5;
	// GPU 1296/1480 and ARM 57.6/76.2 from the paper's table.
	want := [][]float64{
		{1, 0.95, 0.75, 0.5},
		{1, 1296.0 / 1480, 876.0 / 1480, 748.0 / 1480},
		{1, 72.9 / 76.2, 69.1 / 76.2, 57.6 / 76.2},
	}
	checkBars(t, c, 3, want, 1e-12)

	// Not yet measured locally, ARM column not published: GPU only.
	rows := g1Rows()
	for i := range rows {
		rows[i].Local, rows[i].PaperARM = 0, 0
	}
	c, err = guidelineChart(GuidelineData{Name: "G1", LocalName: "this CPU", Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	checkChart(t, c, 4, []string{"paper GPU (GTX 1080Ti)"})

	// Measured eager and fused with rounds, MAC, channel sizes, verdict and
	// conditions: paper Table 1 ARM x1 designs and their MAC per conv at
	// 56x56 (reference/paper.md section 1: 201,728 / 207,944 / 286,390 /
	// 367,884 elements).
	rows = g1Rows()
	for i, d := range []struct {
		design string
		mac    float64
	}{{"c1=32 c2=32", 201728}, {"c1=22 c2=44", 207944}, {"c1=13 c2=78", 286390}, {"c1=9 c2=108", 367884}} {
		// The fused MAC is made up (0.8 of as written): the chart draws
		// what it is given.
		rows[i].Design, rows[i].MAC, rows[i].MACFused = d.design, d.mac, 0.8*d.mac
	}
	eager := GuidelineSeries{Name: "this CPU, eager", Speeds: []float64{100, 90, 80, 70}, Lo: []float64{95, 85, 70, 69}, Hi: []float64{100, 90, 80, 70}}
	fused := GuidelineSeries{Name: "this CPU, fused", Speeds: []float64{200, 190, 180, 150}}
	c, err = guidelineChart(GuidelineData{Name: "G1 x1, ARM sizes", Title: "equal channel width minimises MAC", Rows: rows,
		Local: []GuidelineSeries{eager, fused}, Verdict: `holds: "1:1" runs 1.43x the speed of "1:12"`, Conditions: "native, 1 thread, batch 1"})
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, line at 1, eager bars and whiskers, fused, GPU, ARM, MAC as written and fused.
	checkChart(t, c, 10, []string{"this CPU, eager", "this CPU, fused", "paper GPU (GTX 1080Ti)", "paper ARM (Snapdragon 810)",
		"MAC as written (lower: less memory traffic)", "MAC fused (lower: less memory traffic)", "whisker: slowest to fastest round"},
		" 1:12 (c1=9 c2=108)", "native, 1 thread, batch 1")
	checkBars(t, c, 3, [][]float64{{1, 0.9, 0.8, 0.7}}, 1e-12)
	if w := c.plotters[4].(*rangeMarks); w.lo[2] != 0.7 || w.hi[0] != 1 {
		t.Errorf("whiskers %+v, want the rounds relative to the first row's shown speed", w)
	}
	if b := c.plotters[8].(*bars); math.Abs(b.values[3]-367884.0/201728) > 1e-12 {
		t.Errorf("MAC bars %v", b.values)
	}
	if b := c.plotters[9].(*bars); math.Abs(b.values[3]-367884.0/201728) > 1e-12 {
		t.Errorf("fused MAC bars %v, want each relative to the first row's fused MAC", b.values)
	}
	if !strings.Contains(c.plot.Title.Text, "holds: \"1:1\" runs 1.43x") || c.plot.X.Label.Text != `speed and MAC relative to "1:1"` {
		t.Errorf("title %q, x label %q", c.plot.Title.Text, c.plot.X.Label.Text)
	}
	// One round: the whisker has no length, and the legend does not
	// explain one (it did).
	one := GuidelineSeries{Name: "this CPU, fused", Speeds: fused.Speeds, Lo: fused.Speeds, Hi: fused.Speeds}
	c, err = guidelineChart(GuidelineData{Name: "G1 x1, ARM sizes", Rows: g1Rows(), Local: []GuidelineSeries{one}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.legend {
		if strings.HasPrefix(e, "whisker") {
			t.Errorf("one round: legend %q", e)
		}
	}
	if _, err := Guideline(GuidelineData{Name: "G1", Rows: rows, Local: []GuidelineSeries{{Name: "x", Speeds: []float64{1}}}}); err == nil {
		t.Error("a local series shorter than the rows accepted")
	}
}

func TestCorrelation(t *testing.T) {
	rows := []CorrRow{
		{Metric: "MAdds", Spearman: 0.7, KendallTauB: 0.55, N: 12},
		{Metric: "MAC", Spearman: 0.9, KendallTauB: 0.75, N: 12},
		{Metric: "params", Spearman: -0.2, KendallTauB: -0.1, N: 12},
		{Metric: "roofline estimate", Spearman: 0.95, KendallTauB: 0.85, N: 12},
	}
	c, err := correlationChart(rows)
	if err != nil {
		t.Fatal(err)
	}
	// legend space, grid, zero line, 2 bar series.
	checkChart(t, c, 5, []string{"Spearman rho", "Kendall tau-b"}, "MAdds", "MAC", "params", "roofline estimate")
	if c.plot.Y.Min != -1 || c.plot.Y.Max != 1 {
		t.Errorf("y range [%v, %v], want [-1, 1]", c.plot.Y.Min, c.plot.Y.Max)
	}
	if !strings.Contains(c.plot.Title.Text, "n = 12 designs") {
		t.Errorf("title %q", c.plot.Title.Text)
	}

	// NewCorrRow on a hand-checkable case: the "ties in both" data of
	// TestSpearman/TestKendallTauB in runner/stats (rho 5/6, tau-b 0.8).
	r, err := NewCorrRow("MAC", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Metric != "MAC" || r.N != 4 || math.Abs(r.Spearman-5.0/6) > 1e-12 || math.Abs(r.KendallTauB-0.8) > 1e-12 {
		t.Errorf("NewCorrRow = %+v", r)
	}
	if _, err := NewCorrRow("MAC", []float64{1}, []float64{1}); err == nil {
		t.Error("NewCorrRow with one point: no error")
	}
}

// Every builder rejects bad input with an error that names the problem; a
// panic fails the test.
func TestBuilderErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	gap := func(mod func(p []GapPoint), o GapOptions) error {
		pts := gapPoints()
		mod(pts)
		_, err := Gap(pts, o)
		return err
	}
	shares := func(mod func(r []ShareRow)) error {
		r := shareRows()
		mod(r)
		_, err := Decomposition(r)
		return err
	}
	roof := func(mod func(p []RooflinePoint, c *Ceilings)) error {
		p := []RooflinePoint{{Intensity: 2, GFLOPS: 10}, {Intensity: 8, GFLOPS: 40}}
		c := ceilings()
		mod(p, &c)
		_, err := Roofline(p, c)
		return err
	}
	guide := func(mod func(r []GuidelineRow)) error {
		r := g1Rows()
		mod(r)
		_, err := Guideline(GuidelineData{Name: "G1", Rows: r})
		return err
	}
	corr := func(mod func(r []CorrRow)) error {
		r := []CorrRow{{Metric: "MAdds", Spearman: 0.5, KendallTauB: 0.4}, {Metric: "MAC", Spearman: 0.9, KendallTauB: 0.8}}
		mod(r)
		_, err := Correlation(r)
		return err
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"gap empty", func() error { _, err := Gap(nil, GapOptions{}); return err }(), "no points"},
		{"gap NaN x", gap(func(p []GapPoint) { p[2].X = nan }, GapOptions{}), `point 2 ("SNv2 1.5x") MAdds is NaN`},
		{"gap Inf latency", gap(func(p []GapPoint) { p[0].LatencyMS = inf }, GapOptions{}), "latency (ms) is +Inf"},
		{"gap negative latency", gap(func(p []GapPoint) { p[1].LatencyMS = -3 }, GapOptions{}), "latency (ms) is -3, want > 0"},
		{"gap zero latency", gap(func(p []GapPoint) { p[1].LatencyMS = 0 }, GapOptions{}), "latency (ms) is 0, want > 0"},
		{"gap negative x", gap(func(p []GapPoint) { p[1].X = -1 }, GapOptions{}), "MAdds is -1, want >= 0"},
		{"gap zero x on log axis", gap(func(p []GapPoint) { p[1].X = 0 }, GapOptions{LogX: true}), "want > 0 (log x axis)"},
		{"gap no label", gap(func(p []GapPoint) { p[3].Label = "" }, GapOptions{}), "point 3 has no label"},
		{"gap unknown metric", gap(func([]GapPoint) {}, GapOptions{Metric: 42}), "unknown metric 42"},
		{"decomposition empty", func() error { _, err := Decomposition(nil); return err }(), "no rows"},
		{"decomposition NaN", shares(func(r []ShareRow) { r[0].MAC = nan }), `row 0 ("conv1x1") MAC is NaN`},
		{"decomposition negative time", shares(func(r []ShareRow) { r[1].TimeMS = -1 }), "time (ms) is -1"},
		{"decomposition duplicate", shares(func(r []ShareRow) { r[2].Category = "conv1x1" }), `rows 0 and 2 both have category "conv1x1"`},
		{"decomposition unnamed", shares(func(r []ShareRow) { r[1].Category = "" }), "row 1 has no category"},
		{"decomposition all zero", shares(func(r []ShareRow) {
			for i := range r {
				r[i] = ShareRow{Category: r[i].Category}
			}
		}), "all 0"},
		{"roofline empty", func() error { _, err := Roofline(nil, ceilings()); return err }(), "no points"},
		{"roofline zero intensity", roof(func(p []RooflinePoint, _ *Ceilings) { p[0].Intensity = 0 }), "intensity (FLOPs/byte, log axis) is 0, want > 0"},
		{"roofline NaN rate", roof(func(p []RooflinePoint, _ *Ceilings) { p[1].GFLOPS = nan }), "GFLOP/s (log axis) is NaN"},
		{"roofline no peak", roof(func(_ []RooflinePoint, c *Ceilings) { c.PeakGFLOPS = 0 }), "peak GFLOP/s is 0"},
		{"roofline no bandwidth", roof(func(_ []RooflinePoint, c *Ceilings) { c.Bandwidths = nil }), "no bandwidth ceiling"},
		{"roofline Inf bandwidth", roof(func(_ []RooflinePoint, c *Ceilings) { c.Bandwidths[1].GBps = inf }), `bandwidth 1 ("DRAM") GB/s is +Inf`},
		{"guideline empty", func() error { _, err := Guideline(GuidelineData{Name: "G2"}); return err }(), "G2 chart: no rows"},
		{"guideline NaN", guide(func(r []GuidelineRow) { r[2].Local = nan }), `row 2 ("1:6") local speed is NaN`},
		{"guideline negative", guide(func(r []GuidelineRow) { r[1].PaperARM = -1 }), "want >= 0"},
		{"guideline partial zeros", guide(func(r []GuidelineRow) { r[0].PaperGPU = 0 }), "0 in 1 of 4 rows"},
		{"guideline nothing", guide(func(r []GuidelineRow) {
			for i := range r {
				r[i] = GuidelineRow{Label: r[i].Label}
			}
		}), "nothing to plot"},
		{"guideline no label", guide(func(r []GuidelineRow) { r[3].Label = "" }), "row 3 has no label"},
		{"correlation empty", func() error { _, err := Correlation(nil); return err }(), "no rows"},
		{"correlation out of range", corr(func(r []CorrRow) { r[1].Spearman = 1.5 }), "Spearman is 1.5, want a number in [-1, 1]"},
		{"correlation NaN", corr(func(r []CorrRow) { r[0].KendallTauB = nan }), "Kendall tau-b is NaN"},
		{"correlation no name", corr(func(r []CorrRow) { r[0].Metric = "" }), "row 0 has no metric name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", tt.err, tt.want)
			}
		})
	}
}

func TestSave(t *testing.T) {
	p, err := Correlation([]CorrRow{{Metric: "MAdds", Spearman: 0.5, KendallTauB: 0.4}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Upper-case extensions are accepted.
	if _, err := Save(p, DefaultWidth, DefaultHeight, filepath.Join(dir, "a.PNG"), nil); err != nil {
		t.Errorf("a.PNG: %v", err)
	}
	for name, want := range map[string]string{
		"a.jpg":  `unsupported extension ".jpg"`,
		"a.tiff": `unsupported extension ".tiff"`,
		"a":      "no file extension",
	} {
		path := filepath.Join(dir, name)
		_, err := Save(p, DefaultWidth, DefaultHeight, path, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
		if _, statErr := os.Stat(path); statErr == nil {
			t.Errorf("%s: file written despite the error", name)
		}
	}
	if _, err := Save(p, 0, DefaultHeight, filepath.Join(dir, "b.png"), nil); err == nil {
		t.Error("zero width: no error")
	}
	if _, err := Save(nil, DefaultWidth, DefaultHeight, filepath.Join(dir, "c.png"), nil); err == nil {
		t.Error("nil plot: no error")
	}
	if _, err := Save(p, DefaultWidth, DefaultHeight, filepath.Join(dir, "missing", "d.svg"), nil); err == nil {
		t.Error("missing directory: no error")
	}

	// A plot a caller broke (log scale over a range that reaches 0) makes
	// gonum panic while drawing; Save reports it instead.
	bad := plot.New()
	s, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 2}})
	if err != nil {
		t.Fatal(err)
	}
	bad.Add(s)
	bad.X.Scale = plot.LogScale{}
	path := filepath.Join(dir, "bad.png")
	if _, err := Save(bad, DefaultWidth, DefaultHeight, path, nil); err == nil || !strings.Contains(err.Error(), "render") {
		t.Errorf("broken plot: error %v, want a render error", err)
	}
	if _, statErr := os.Stat(path); statErr == nil {
		t.Error("broken plot: file written")
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var out []string
		for _, tk := range (logTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	tests := []struct {
		lo, hi float64
		want   string
	}{
		{0.3, 40, "0.5 1 2 5 10 20"},  // two powers inside: add 2 and 5 for at least three labels
		{0.5, 2000, "1 10 100 1000"},  // three decades: powers of ten only
		{1.5, 40, "2 5 10 20"},        // one power inside: add 2 and 5
		{3, 8, "3 4 5 6 7 8"},         // no power inside: every multiple
		{0.02, 0.09, "0.02 0.05"},     // below 1 as well
		{40e0, 600, "50 100 200 500"}, // the gap chart's MAdds (M) range
		// One design's latency, 0.2513 ms, with setLog's margin of 1.15:
		// no multiple of a power of ten inside, so linear nice ticks.
		{0.2513 / 1.15, 0.2513 * 1.15, "0.22 0.23 0.24 0.25 0.26 0.27 0.28"},
	}
	for _, tt := range tests {
		if got := strings.Join(labels(tt.lo, tt.hi), " "); got != tt.want {
			t.Errorf("logTicks(%g, %g) labels %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
	if got := (logTicks{}).Ticks(0, 10); got != nil {
		t.Errorf("logTicks(0, 10) = %v, want nil", got)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   string
	}{
		{0, 600, "0 100 200 300 400 500 600"},
		{-1, 1, "-1.0 -0.5 0.0 0.5 1.0"},
		{0, 1.05, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 15, "0 2 4 6 8 10 12 14"},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tt.lo, tt.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("niceTicks(%g, %g) labels %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}
