package plots

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg"
)

// Image goldens, one per chart builder, compared with gonum's cmpimg as
// gonum's own plotter tests do: each chart is rendered to
// testdata/<name>.png and compared pixel by pixel (YIQ distance, delta
// goldenDelta) with testdata/<name>_golden.png. Regenerate after a
// deliberate change with `go test ./plots -run Golden -regen` and look at
// every image before committing it.
//
// The data are fixed (no clock, no randomness), the fonts are the
// Liberation faces gonum embeds, and the page sizes are those the explorer
// saves. The goldens are made on amd64; other architectures may round a
// few glyph edges differently (fused multiply-add), so they skip.
const goldenDelta = 0.05

func checkGolden(t *testing.T, name string, p *plot.Plot, width, height vg.Length) {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skipf("image goldens are made on amd64; this is %s", runtime.GOARCH)
	}
	path := filepath.Join("testdata", name+".png")
	t.Cleanup(func() { os.Remove(path) })
	cmpimg.CheckPlotApprox(func() {
		if _, err := Save(p, width, height, path, nil); err != nil {
			t.Fatal(err)
		}
	}, t, goldenDelta, name+".png")
}

// goldenGapPoints: 16 whole networks with the paper's MAdds as FLOPs (2 x
// MAdds; Table 5 for ShuffleNet v2, Table 8 for the 140-150M designs,
// torchvision for MobileNet v2 1.0x/1.4x and v1 1.0x) and made-up
// latencies; "1x g3" and "0.6x" are the pair, "1x" ShuffleNet v2 the
// current design.
func goldenGapPoints() []GapPoint {
	return []GapPoint{
		{Label: "0.5x", Family: "ShuffleNet v2", X: 2 * 41e6, LatencyMS: 1.6},
		{Label: "1x", Family: "ShuffleNet v2", X: 2 * 146e6, LatencyMS: 3.6, Current: true},
		{Label: "1x megvii", Family: "ShuffleNet v2", X: 2 * 146.5e6, LatencyMS: 3.5},
		{Label: "1.5x", Family: "ShuffleNet v2", X: 2 * 299e6, LatencyMS: 6.8},
		{Label: "2x", Family: "ShuffleNet v2", X: 2 * 591e6, LatencyMS: 12.6},
		{Label: "1x g1", Family: "ShuffleNet v1", X: 2 * 143e6, LatencyMS: 3.9},
		{Label: "1x g2", Family: "ShuffleNet v1", X: 2 * 140e6, LatencyMS: 4.1},
		{Label: "1x g3", Family: "ShuffleNet v1", X: 2 * 138e6, LatencyMS: 3.8, Pair: true},
		{Label: "1x g4", Family: "ShuffleNet v1", X: 2 * 136e6, LatencyMS: 4.4},
		{Label: "1x g8", Family: "ShuffleNet v1", X: 2 * 137e6, LatencyMS: 5.9},
		{Label: "0.6x", Family: "MobileNet v2", X: 2 * 151e6, LatencyMS: 4.6, Pair: true},
		{Label: "0.75x", Family: "MobileNet v2", X: 2 * 154e6, LatencyMS: 4.0},
		{Label: "1x", Family: "MobileNet v2", X: 2 * 300e6, LatencyMS: 7.9},
		{Label: "1.4x", Family: "MobileNet v2", X: 2 * 585e6, LatencyMS: 13.9},
		{Label: "0.5x", Family: "MobileNet v1", X: 2 * 149e6, LatencyMS: 3.2},
		{Label: "1x", Family: "MobileNet v1", X: 2 * 569e6, LatencyMS: 9.8},
	}
}

func TestGoldenGap(t *testing.T) {
	p, err := Gap(goldenGapPoints(), GapOptions{Metric: MetricFLOPs, LogX: true, LogY: true,
		Subtitle: "Test CPU (2 cores) · native/fused/1t · whole networks",
		Caption: "Among 16 designs FLOPs orders latency with Spearman 0.93, MAC 0.81: FLOPs orders them well, yet 9% of pairs " +
			"(11 of 120) run in the opposite order to their FLOPs. Most misleading pair: \"0.6x\" and \"1x g3\" differ by 9% in FLOPs."})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "gap", p, 9*vg.Inch, 6*vg.Inch)
}

func TestGoldenGapHosts(t *testing.T) {
	var pts []GapPoint
	for _, p := range gapPoints()[:4] {
		p.Current, p.Host = false, "cpu"
		pts = append(pts, p)
		p.Host, p.LatencyMS = "gpu", p.LatencyMS/10
		pts = append(pts, p)
	}
	p, err := Gap(pts, GapOptions{Metric: MetricMAC, LogX: true, LogY: true})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "gap-hosts", p, 9*vg.Inch, 6*vg.Inch)
}

func TestGoldenDecomposition(t *testing.T) {
	p, err := Decomposition(shareRows())
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "decomposition", p, DefaultWidth, DefaultHeight)
}

// TestGoldenDecompositionModes: ShuffleNetV2 1.0x MAdds and MAC per
// category in millions (explorer cost, as written and fused), with
// made-up times.
func TestGoldenDecompositionModes(t *testing.T) {
	eager := []ShareRow{{"conv1x1", 131.6, 3.43, 2.1}, {"conv kxk", 8.13, 0.45, 0.3}, {"depthwise", 4.16, 1.34, 0.6},
		{"element-wise", 0, 6.89, 1.2}, {"data movement", 0, 4.59, 0.8}, {"pooling", 0, 0.43, 0.1}, {"fc", 1.02, 1.03, 0.05}}
	fused := []ShareRow{{"conv1x1", 131.6, 3.43, 2.0}, {"conv kxk", 8.13, 0.45, 0.25}, {"depthwise", 4.16, 0.88, 0.5},
		{"data movement", 0, 0.66, 0.2}, {"pooling", 0, 0.43, 0.1}, {"fc", 1.02, 1.03, 0.05}}
	p, err := DecompositionModes([]DecompositionView{{"eager: every op its own kernel", eager}, {"fused: BN folded, ReLU in epilogues", fused}},
		"element-wise + data movement: 63% of MAC and 39% of time in eager execution; fusion leaves 10% of MAC and 6% of time.")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "decomposition-modes", p, 10*vg.Inch, 5*vg.Inch)
}

// TestGoldenRoofline: the ceilings of design.md section 7 lowered to a
// noisy 104 GFLOP/s calibration, one conv1x1 above it (issue 12).
func TestGoldenRoofline(t *testing.T) {
	pts := []RooflinePoint{
		{Label: "stage3.1.branch2.0", Category: "conv1x1", Intensity: 20, GFLOPS: 114},
		{Category: "conv1x1", Intensity: 9, GFLOPS: 90}, {Category: "conv1x1", Intensity: 12, GFLOPS: 101},
		{Label: "stage2.0.branch1.0", Category: "depthwise", Intensity: 1.2, GFLOPS: 10},
		{Category: "depthwise", Intensity: 1.1, GFLOPS: 8},
		{Label: "conv1.0", Category: "conv kxk", Intensity: 8, GFLOPS: 45},
	}
	p, err := Roofline(pts, Ceilings{PeakGFLOPS: 104, Bandwidths: []Bandwidth{{"L2", 110}, {"DRAM", 28}}})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "roofline", p, RooflineWidth, RooflineHeight)
}

// TestGoldenGuideline: paper Table 1 (x1) beside made-up local speeds in
// two modes with their rounds, the rows' MAC per conv from
// reference/paper.md section 1.
func TestGoldenGuideline(t *testing.T) {
	rows := g1Rows()
	for i, d := range []struct {
		design string
		mac    float64
	}{{"c1=32 c2=32", 201728}, {"c1=22 c2=44", 207944}, {"c1=13 c2=78", 286390}, {"c1=9 c2=108", 367884}} {
		rows[i].Design, rows[i].MAC = d.design, d.mac
	}
	p, err := Guideline(GuidelineData{Name: "G1 x1, ARM sizes", Title: "Equal channel width minimizes MAC", Rows: rows,
		Local: []GuidelineSeries{
			{Name: "this machine, eager", Speeds: []float64{600, 570, 540, 460}, Lo: []float64{580, 560, 500, 455}, Hi: []float64{600, 570, 540, 460}},
			{Name: "this machine, fused", Speeds: []float64{760, 740, 700, 590}, Lo: []float64{740, 735, 690, 570}, Hi: []float64{760, 740, 700, 590}},
		},
		Verdict:    `holds: "1:1" runs 1.30x the speed of "1:12" (rounds 1.28-1.33x, noise margin 3%); paper ARM 1.32x, GPU 1.98x.`,
		Conditions: "native, 1 thread, batch 1, ARM sizes, eager and fused, best of 3 rounds"})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "guideline", p, GuidelineWidth, GuidelineHeight)
}

func TestGoldenCorrelation(t *testing.T) {
	p, err := Correlation([]CorrRow{
		{Metric: "MAdds", Spearman: 0.7, KendallTauB: 0.55, N: 12},
		{Metric: "MAC", Spearman: 0.9, KendallTauB: 0.75, N: 12},
		{Metric: "params", Spearman: -0.2, KendallTauB: -0.1, N: 12},
		{Metric: "roofline estimate", Spearman: 0.95, KendallTauB: 0.85, N: 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "correlation", p, DefaultWidth, DefaultHeight)
}
