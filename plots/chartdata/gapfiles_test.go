package chartdata

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots"
)

// TestGapSets: the charts `explorer plot` and the export draw, per scope
// and metric, with the points that lack a metric left out and said so.
func TestGapSets(t *testing.T) {
	a, b, c := pt("0.5x", 41e6, 2e6, 4), pt("1.0x", 146e6, 5e6, 10), pt("1.5x", 299e6, 8e6, 15)
	a.RooflineMS, b.RooflineMS = 3, 8 // c has no roofline estimate
	micro := pt("g1", 64e6, 6e6, 1.4)
	micro.Family, micro.Design = arch.GuideG1, "g1 c1=32 c2=32"
	noParams := []Point{a, b, c}

	for _, tc := range []struct {
		name    string
		points  []Point
		suffix  string
		metrics []plots.Metric
		// want: per chart "name points missing", in order
		want  []string
		notes []string
	}{
		{"whole and micro", []Point{a, b, c, micro}, "", []plots.Metric{plots.MetricFLOPs, plots.MetricMAC, plots.MetricRoofline},
			[]string{"gap-flops 3 0", "gap-mac 3 0", "gap-roofline 2 1", "gap-micro-flops 1 0", "gap-micro-mac 1 0", "gap-micro-roofline 0 1"},
			[]string{"gap-roofline leaves out 1 point(s) without a roofline estimate value",
				"gap-micro-roofline not drawn: none of its 1 point(s) has a roofline estimate value"}},
		{"suffix, whole networks only", []Point{a, b}, "-2", []plots.Metric{plots.MetricMAC},
			[]string{"gap-mac-2 2 0"}, nil},
		{"no params recorded", noParams, "", []plots.Metric{plots.MetricParams},
			[]string{"gap-params 0 3"}, []string{"gap-params not drawn: none of its 3 point(s) has a params value"}},
		{"nothing measured", []Point{pt("x", 1, 1, 0)}, "", []plots.Metric{plots.MetricFLOPs}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got, notes []string
			for _, set := range GapSets(tc.points, "CPU one", tc.suffix, tc.metrics...) {
				for _, f := range set.Charts {
					got = append(got, strings.Join([]string{f.Name, strconv.Itoa(len(f.Points)), strconv.Itoa(f.Missing)}, " "))
					if n := f.Note(); n != "" {
						notes = append(notes, n)
					}
					if f.Points != nil && !strings.HasPrefix(f.Options.Subtitle, "CPU one · "+set.Scope.String()) {
						t.Errorf("%s subtitle %q", f.Name, f.Options.Subtitle)
					}
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("charts:\n got %q\nwant %q", got, tc.want)
			}
			if strings.Join(notes, "|") != strings.Join(tc.notes, "|") {
				t.Errorf("notes:\n got %q\nwant %q", notes, tc.notes)
			}
		})
	}

	// The scope's words are the gap analysis of every point in the scope.
	sets := GapSets([]Point{a, b, c}, "CPU one", "", plots.MetricFLOPs)
	if len(sets) != 1 || sets[0].N != 3 || sets[0].Words != AnalyzeGap([]Point{a, b, c}, plots.MetricFLOPs).Words() {
		t.Errorf("words: %+v", sets)
	}
}

// TestGapSetsUndrawable: a point whose metric value a log axis cannot draw
// is left out of that chart with the reason, and the chart renders (a
// hand-edited roofline estimate of 1e300 ms failed gap-roofline: "Values
// must be greater than 0 for a log scale").
func TestGapSetsUndrawable(t *testing.T) {
	a, b, c := pt("0.5x", 41e6, 2e6, 4), pt("1.0x", 146e6, 5e6, 10), pt("1.5x", 299e6, 8e6, 15)
	a.RooflineMS, b.RooflineMS = 3, 8
	for _, tc := range []struct {
		name   string
		c      float64 // c's roofline estimate, ms
		points int
		note   string
	}{
		{"drawable", 12, 3, ""},
		{"1e300 ms", 1e300, 2,
			"gap-roofline leaves out 1 point(s) whose roofline estimate value a log axis cannot draw (outside 1e-100 to 1e+100)"},
		{"1e-320 ms", 1e-320, 2,
			"gap-roofline leaves out 1 point(s) whose roofline estimate value a log axis cannot draw (outside 1e-100 to 1e+100)"},
		{"+Inf and none", math.Inf(1), 1,
			"gap-roofline leaves out 1 point(s) without a roofline estimate value and 1 point(s) whose roofline estimate value a log axis cannot draw (outside 1e-100 to 1e+100)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pts := []Point{a, b, c}
			pts[2].RooflineMS = tc.c
			if tc.name == "+Inf and none" {
				pts[1].RooflineMS = 0
			}
			sets := GapSets(pts, "CPU one", "", plots.MetricRoofline)
			f := sets[0].Charts[0]
			if len(f.Points) != tc.points || f.Note() != tc.note {
				t.Fatalf("%d points, note %q; want %d, %q", len(f.Points), f.Note(), tc.points, tc.note)
			}
			p, err := plots.Gap(f.Points, f.Options)
			if err == nil {
				_, err = plots.Save(p, 4*vg.Inch, 3*vg.Inch, filepath.Join(t.TempDir(), "g.png"), nil)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	// Every point undrawable: not drawn, and said why.
	x := a
	x.RooflineMS = 1e300
	f := GapSets([]Point{x}, "CPU one", "", plots.MetricRoofline)[0].Charts[0]
	if want := "gap-roofline not drawn: it leaves out all its 1 point(s) whose roofline estimate value a log axis cannot draw (outside 1e-100 to 1e+100)"; f.Points != nil || f.Note() != want {
		t.Errorf("all undrawable: %d points, note %q", len(f.Points), f.Note())
	}
}
