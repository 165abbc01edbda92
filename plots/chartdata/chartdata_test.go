package chartdata

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/guideline"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

func TestFamilyTitle(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"shufflenetv2", "ShuffleNet v2"},
		{"shufflenetv1", "ShuffleNet v1"},
		{"mobilenetv2", "MobileNet v2"},
		{"mobilenetv1", "MobileNet v1"},
		{"g1", "g1"}, // micro-nets keep their name
	} {
		if got := FamilyTitle(tc.in); got != tc.want {
			t.Errorf("FamilyTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRooflinePoints: every op becomes a point; only the n slowest are
// labelled (the first of equal times).
func TestRooflinePoints(t *testing.T) {
	ops := []sweep.OpPoint{
		{ID: "a", Category: "conv1x1", Intensity: 10, GFLOPS: 5, TimeMS: 1},
		{ID: "b", Category: "depthwise", Intensity: 1, GFLOPS: 0.5, TimeMS: 3},
		{ID: "c", Category: "conv1x1", Intensity: 20, GFLOPS: 8, TimeMS: 2},
		{ID: "d", Category: "fc", Intensity: 0.5, GFLOPS: 0.2, TimeMS: 2},
	}
	for _, tc := range []struct {
		n    int
		want []string // labels in op order
	}{
		{0, []string{"", "", "", ""}},
		{1, []string{"", "b", "", ""}},
		{2, []string{"", "b", "c", ""}},
		{9, []string{"a", "b", "c", "d"}},
	} {
		pts := RooflinePoints(ops, tc.n)
		if len(pts) != len(ops) {
			t.Fatalf("n=%d: %d points, want %d", tc.n, len(pts), len(ops))
		}
		for i, p := range pts {
			if p.Label != tc.want[i] || p.Category != ops[i].Category || p.Intensity != ops[i].Intensity || p.GFLOPS != ops[i].GFLOPS {
				t.Errorf("n=%d: point %d = %+v, want label %q and op %+v", tc.n, i, p, tc.want[i], ops[i])
			}
		}
	}
}

func TestCeilingsAndShareRows(t *testing.T) {
	c := Ceilings(calib.Ceiling{Threads: 2, PeakGFLOPS: 100, L2GBps: 80, DRAMGBps: 20})
	if c.PeakGFLOPS != 100 || len(c.Bandwidths) != 2 || c.Bandwidths[0].Name != "L2" || c.Bandwidths[0].GBps != 80 ||
		c.Bandwidths[1].Name != "DRAM" || c.Bandwidths[1].GBps != 20 {
		t.Errorf("Ceilings = %+v", c)
	}
	rows := ShareRows([]sweep.CategoryShare{{Name: "conv1x1", MAdds: 10, MAC: 20, TimeMS: 1.5}, {Name: "fc", MAdds: 1, MAC: 2}})
	if len(rows) != 2 || rows[0].Category != "conv1x1" || rows[0].MAdds != 10 || rows[0].MAC != 20 || rows[0].TimeMS != 1.5 ||
		rows[1].Category != "fc" || rows[1].TimeMS != 0 {
		t.Errorf("ShareRows = %+v", rows)
	}
}

// TestGuideline: the chart of a guideline column names experiment, scale and
// platform, carries each measured mode with its spread over rounds, the
// channel sizes, the MAC, the verdict and the conditions, and draws a paper
// series only when the paper gives every row.
func TestGuideline(t *testing.T) {
	x, err := presets.ExperimentByID("G1")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []guideline.Platform{guideline.ARM, guideline.GPU} {
		tab, err := guideline.FromExperiment(x, p, []int{2})
		if err != nil {
			t.Fatal(err)
		}
		d := Guideline(tab, 0)
		if d.Local != nil || d.Verdict != "" {
			t.Errorf("%s: unmeasured table has local series %+v, verdict %q", p, d.Local, d.Verdict)
		}
		tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
		calls := 0
		// Made-up latencies: row i takes 10+i ms fused, twice that eager;
		// the second round is 10% slower.
		err = tab.Measure(context.Background(), func(_ context.Context, s arch.Spec, m runner.Mode) (float64, error) {
			calls++
			ms := 10 + float64(s.C2)/1000
			if m == runner.Eager {
				ms *= 2
			}
			if calls > 8 {
				ms *= 1.1
			}
			return ms, nil
		}, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		d = Guideline(tab, 0)
		if want := "G1 x2, " + p.Sizes(); d.Name != want {
			t.Errorf("name %q, want %q", d.Name, want)
		}
		if len(d.Rows) != len(tab.Rows) || d.Rows[0].PaperGPU != x.Rows[0].GPU[1] || d.Rows[1].Design != tab.Rows[1].Channels(0) ||
			d.Rows[3].MAC != float64(tab.Rows[3].MAC[0]) {
			t.Errorf("%s rows %+v", p, d.Rows)
		}
		// The fused speed of row 2 from the made-up latency, not from
		// Row.Speed (which the adapter calls): batch 1, 1000 / (10 +
		// c2/1000) images/s, its fastest (first) round.
		want := 1000 / (10 + float64(tab.Rows[2].Specs[0].C2)/1000)
		if len(d.Local) != 2 || d.Local[0].Name != "this machine, eager" || math.Abs(d.Local[1].Speeds[2]-want) > 1e-9 {
			t.Fatalf("%s local series %+v, want row 2 fused at %g images/s", p, d.Local, want)
		}
		for i, r := range tab.Rows {
			lo, hi := d.Local[1].Lo[i], d.Local[1].Hi[i]
			if math.Abs(hi/lo-1.1) > 1e-9 || hi != r.Speed(1, 0) {
				t.Errorf("%s row %d: rounds %v..%v, want the slowest and fastest round (1.1x apart)", p, i, lo, hi)
			}
		}
		if d.Verdict != tab.Verdict(0).Sentence() || d.Conditions != tab.Conditions() {
			t.Errorf("%s verdict %q conditions %q", p, d.Verdict, d.Conditions)
		}
	}
	tab := guideline.Table{ID: "X", Scales: []int{1}, Platform: guideline.ARM, Rows: []guideline.Row{
		{Label: "a", Local: []float64{1}, PaperGPU: []float64{5}, PaperARM: []float64{0}},
		{Label: "b", Local: []float64{2}, PaperGPU: []float64{6}, PaperARM: []float64{3}},
	}}
	if d := Guideline(tab, 0); d.Rows[1].PaperARM != 0 || d.Rows[1].PaperGPU != 6 {
		t.Errorf("a paper series with a missing row is drawn: %+v", d.Rows)
	}
}

// TestRooflinePointsUndrawable: an op whose intensity or GFLOP/s a log
// axis cannot draw is left out of the roofline chart, which then renders
// (0 GFLOP/s in a hand-edited row failed the whole chart: "GFLOP/s (log
// axis) is 0, want > 0"); the labels go to the slowest drawable ops.
func TestRooflinePointsUndrawable(t *testing.T) {
	good := []sweep.OpPoint{
		{ID: "a", Category: "conv1x1", Intensity: 10, GFLOPS: 5, TimeMS: 1},
		{ID: "b", Category: "depthwise", Intensity: 1, GFLOPS: 0.5, TimeMS: 2},
	}
	for _, tc := range []struct {
		name string
		bad  sweep.OpPoint
	}{
		{"0 GFLOP/s", sweep.OpPoint{ID: "x", Category: "fc", Intensity: 8.39, GFLOPS: 0, TimeMS: 9}},
		{"0 intensity", sweep.OpPoint{ID: "x", Category: "fc", Intensity: 0, GFLOPS: 92, TimeMS: 9}},
		{"negative intensity", sweep.OpPoint{ID: "x", Category: "fc", Intensity: -1, GFLOPS: 92, TimeMS: 9}},
		{"1e300 GFLOP/s", sweep.OpPoint{ID: "x", Category: "fc", Intensity: 8, GFLOPS: 1e300, TimeMS: 9}},
		{"NaN intensity", sweep.OpPoint{ID: "x", Category: "fc", Intensity: math.NaN(), GFLOPS: 92, TimeMS: 9}},
	} {
		ops := append([]sweep.OpPoint{tc.bad}, good...)
		pts := RooflinePoints(ops, 1)
		if len(pts) != 2 || pts[0].Category != "conv1x1" || pts[1].Label != "b" {
			t.Errorf("%s: points %+v, want a and b, b labelled", tc.name, pts)
		}
		p, err := plots.Roofline(pts, plots.Ceilings{PeakGFLOPS: 100, Bandwidths: []plots.Bandwidth{{Name: "DRAM", GBps: 20}}})
		if err == nil {
			_, err = plots.Save(p, 4*vg.Inch, 3*vg.Inch, filepath.Join(t.TempDir(), "r.png"), nil)
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestRooflineNote: the note says which ops the roofline chart leaves out
// and why, and that it is not drawn when it leaves out every op.
func TestRooflineNote(t *testing.T) {
	a := sweep.OpPoint{ID: "a", Intensity: 10, GFLOPS: 5}
	z := func(id string) sweep.OpPoint { return sweep.OpPoint{ID: id, Intensity: 8.388, GFLOPS: 0} }
	for _, tc := range []struct {
		name string
		ops  []sweep.OpPoint
		want string
	}{
		{"all drawable", []sweep.OpPoint{a}, ""},
		{"none", nil, ""},
		{"one left out", []sweep.OpPoint{z("conv1.0"), a},
			"roofline-x leaves out 1 of 2 op(s) whose intensity or GFLOP/s a log axis cannot draw (from 1e-100 to 1e+100): conv1.0 (8.39 FLOP/byte, 0 GFLOP/s)"},
		{"four left out, three named", []sweep.OpPoint{z("p"), z("q"), a, z("r"), z("s")},
			"roofline-x leaves out 4 of 5 op(s) whose intensity or GFLOP/s a log axis cannot draw (from 1e-100 to 1e+100): " +
				"p (8.39 FLOP/byte, 0 GFLOP/s), q (8.39 FLOP/byte, 0 GFLOP/s), r (8.39 FLOP/byte, 0 GFLOP/s) and 1 more"},
		{"all left out", []sweep.OpPoint{z("conv1.0")},
			"roofline-x not drawn: none of its 1 op(s) has an intensity and GFLOP/s a log axis can draw (from 1e-100 to 1e+100): conv1.0 (8.39 FLOP/byte, 0 GFLOP/s)"},
	} {
		if got := RooflineNote("roofline-x", tc.ops); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestChartable: a cancelled run, or one without a positive median, is
// not a point of the gap chart, from the history or from a session.
func TestChartable(t *testing.T) {
	ok := runner.Result{LatencyMS: stats.Summary{Median: 3.1}}
	cancelled := ok
	cancelled.Cancelled = true
	for _, tc := range []struct {
		res  runner.Result
		want bool
	}{{ok, true}, {cancelled, false}, {runner.Result{}, false}, {runner.Result{LatencyMS: stats.Summary{Median: -1}}, false}} {
		if got := Chartable(tc.res); got != tc.want {
			t.Errorf("Chartable(cancelled %v, median %v) = %v", tc.res.Cancelled, tc.res.LatencyMS.Median, got)
		}
	}
}

// TestElementwiseSharesAndFusionWords: the G4 shares of made-up profiles,
// computed by hand. Eager: conv1x1 MAC 400 / 6 ms, element-wise 300 / 3 ms,
// data movement 300 / 1 ms: element-wise + data movement = 600 of 1000 MAC
// (60%) and 4 of 10 ms (40%). Fused: conv1x1 900 / 8 ms, data movement
// 100 / 2 ms (element-wise fused away): 10% of MAC, 20% of time. A profile
// without times has a time share of 0 and the sentence leaves it out.
func TestElementwiseSharesAndFusionWords(t *testing.T) {
	eager := []sweep.CategoryShare{{Name: "conv1x1", MAC: 400, TimeMS: 6}, {Name: "element-wise", MAC: 300, TimeMS: 3}, {Name: "data movement", MAC: 300, TimeMS: 1}}
	fused := []sweep.CategoryShare{{Name: "conv1x1", MAC: 900, TimeMS: 8}, {Name: "data movement", MAC: 100, TimeMS: 2}}
	for _, tc := range []struct {
		cats      []sweep.CategoryShare
		mac, time float64
	}{{eager, 0.6, 0.4}, {fused, 0.1, 0.2}, {[]sweep.CategoryShare{{Name: "element-wise", MAC: 1}, {Name: "conv1x1", MAC: 3}}, 0.25, 0}} {
		if mac, tm := ElementwiseShares(tc.cats); math.Abs(mac-tc.mac) > 1e-12 || math.Abs(tm-tc.time) > 1e-12 {
			t.Errorf("ElementwiseShares(%v) = %g, %g; want %g, %g", tc.cats, mac, tm, tc.mac, tc.time)
		}
	}
	for _, tc := range []struct {
		eager, fused []sweep.CategoryShare
		want         string
	}{
		{eager, fused, "element-wise + data movement: 60% of MAC and 40% of time in eager execution; fusion leaves 10% of MAC and 20% of time."},
		{eager, nil, "element-wise + data movement: 60% of MAC and 40% of time in eager execution."},
		{nil, fused, "element-wise + data movement: 10% of MAC and 20% of time in fused execution."},
		{nil, nil, ""},
	} {
		if got := FusionWords(tc.eager, tc.fused); got != tc.want {
			t.Errorf("FusionWords = %q, want %q", got, tc.want)
		}
	}
}
