package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/shufflelab/explorer/plots"
)

// ExampleGap plots MAdds against latency for four ShuffleNet v2 widths and
// one MobileNet v2 and saves the chart as SVG.
func ExampleGap() {
	// MAdds: ShuffleNet V2 paper Table 5 (41/146/299/591M) and the
	// MobileNet v2 1.0x figure (300M). Latencies are made up for the example.
	points := []plots.GapPoint{
		{Label: "SNv2 0.5x", Family: "ShuffleNet v2", X: 41e6, LatencyMS: 2.0},
		{Label: "SNv2 1.0x", Family: "ShuffleNet v2", X: 146e6, LatencyMS: 5.1, Current: true},
		{Label: "SNv2 1.5x", Family: "ShuffleNet v2", X: 299e6, LatencyMS: 4.8},
		{Label: "SNv2 2.0x", Family: "ShuffleNet v2", X: 591e6, LatencyMS: 12.0},
		{Label: "MNv2 1.0x", Family: "MobileNet v2", X: 300e6, LatencyMS: 9.0},
	}
	p, err := plots.Gap(points, plots.GapOptions{Metric: plots.MetricMAdds, LogX: true, LogY: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "gap-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if _, err := plots.Save(p, plots.DefaultWidth, plots.DefaultHeight, filepath.Join(dir, "gap.svg"), nil); err != nil {
		fmt.Println(err)
		return
	}
	// By hand: MAdds ranks 1 2 3 5 4, latency ranks 1 3 2 5 4, so
	// sum d^2 = 2 and rho = 1 - 6*2/(5*24) = 0.9; one discordant pair of
	// ten (1.0x vs 1.5x), so tau-b = (9-1)/10 = 0.8.
	fmt.Println(p.Title.Text)
	fmt.Println(p.X.Label.Text, "|", p.Y.Label.Text)
	// Output:
	// MAdds vs measured latency
	// Spearman 0.90, Kendall tau-b 0.80 (n=5)
	// MAdds (M), log scale | latency (ms), log scale
}

// ExampleGuideline compares a local G1 run with the paper's Table 1.
func ExampleGuideline() {
	g1 := plots.GuidelineData{
		Name:      "G1",
		Title:     "equal channel width minimises MAC",
		LocalName: "this CPU",
		Rows: []plots.GuidelineRow{
			// Paper Table 1, "x1" columns: GPU batches/s, ARM images/s.
			// Local images/s are made up for the example.
			{Label: "1:1", Local: 410, PaperGPU: 1480, PaperARM: 76.2},
			{Label: "1:2", Local: 395, PaperGPU: 1296, PaperARM: 72.9},
			{Label: "1:6", Local: 330, PaperGPU: 876, PaperARM: 69.1},
			{Label: "1:12", Local: 270, PaperGPU: 748, PaperARM: 57.6},
		},
	}
	p, err := plots.Guideline(g1)
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "guideline-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if _, err := plots.Save(p, plots.DefaultWidth, plots.DefaultHeight, filepath.Join(dir, "g1.pdf"), nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Title.Text)
	fmt.Println(p.X.Label.Text)
	// Output:
	// G1: equal channel width minimises MAC
	// speed relative to "1:1" (higher is faster)
}
