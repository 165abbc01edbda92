package chartdata

import (
	"fmt"
	"strings"

	"github.com/shufflelab/explorer/plots"
)

// GapSet is the gap charts of one scope (whole networks or the guideline
// micro-networks) of a set of points: what `explorer plot` and the
// interactive explorer's export both draw, from [GapSets].
type GapSet struct {
	Scope Scope
	// N is the number of points in the scope and Words the correlation of
	// their FLOPs and MAC with latency and the most misleading pair in
	// words ([Gap.Caption]: the FLOPs chart's caption).
	N     int
	Words string
	// Charts are one chart per metric asked for, in that order.
	Charts []GapFile
}

// GapFile is one gap chart of a [GapSet]: the scope's points that have a
// value of Metric, against it.
type GapFile struct {
	// Name is the file name without its extension: "gap-" (whole
	// networks) or "gap-micro-", the metric ("flops", "mac", "roofline",
	// see [MetricSlug]) and the caller's suffix, e.g. "gap-micro-mac-2".
	Name   string
	Metric plots.Metric
	// Missing is the number of the scope's points without a value of
	// Metric (none, or not positive) and Undrawable the number whose value
	// a log axis cannot draw (see [Drawable]: a hand-edited roofline
	// estimate of 1e300 ms); both are left out of Points. Points is nil
	// when no point is left (the chart is not drawn).
	Missing, Undrawable int
	Points              []plots.GapPoint
	Options             plots.GapOptions
}

// Note says what the chart leaves out, "" when nothing: "gap-mac not
// drawn: none of its 3 point(s) has a MAC value", "gap-roofline leaves
// out 2 point(s) without a roofline estimate value" or "gap-roofline
// leaves out 1 point(s) whose roofline estimate value a log axis cannot
// draw (outside 1e-100 to 1e+100)".
func (f GapFile) Note() string {
	var why []string
	if f.Missing > 0 {
		why = append(why, fmt.Sprintf("%d point(s) without a %s value", f.Missing, f.Metric))
	}
	if f.Undrawable > 0 {
		why = append(why, fmt.Sprintf("%d point(s) whose %s value a log axis cannot draw (outside %g to %g)",
			f.Undrawable, f.Metric, LogAxisMin, LogAxisMax))
	}
	switch {
	case f.Points == nil && f.Undrawable == 0:
		return fmt.Sprintf("%s not drawn: none of its %d point(s) has a %s value", f.Name, f.Missing, f.Metric)
	case f.Points == nil:
		return fmt.Sprintf("%s not drawn: it leaves out all its %s", f.Name, strings.Join(why, " and "))
	case len(why) > 0:
		return fmt.Sprintf("%s leaves out %s", f.Name, strings.Join(why, " and "))
	}
	return ""
}

// LogAxisMin and LogAxisMax bound the values a chart draws on a log axis;
// a point outside them is left out, and the chart says so. The plotting
// library's log scale fails to render values near float64's ends (a gap
// chart with one x of 1e300 or 1e-320 fails with "Values must be greater
// than 0 for a log scale": its padding and tick arithmetic leaves the
// float64 range, which ends near 1.8e308 and, for normal numbers,
// 2.2e-308). 1e±100 keeps 200 decades clear of those ends and is far past
// any count (arch.MaxWork is 2^56, about 7.2e16) or time (sweep rows hold
// 1e-6 to 1e9 ms) the explorer measures.
const (
	LogAxisMin = 1e-100
	LogAxisMax = 1e100
)

// Drawable reports whether v can be drawn on a log axis: from LogAxisMin
// to LogAxisMax (so positive and finite; NaN is not).
func Drawable(v float64) bool { return v >= LogAxisMin && v <= LogAxisMax }

// GapSets are the gap charts of points (measured, see [Point.Measured]):
// for each scope that has points, whole networks first, one chart per
// metric in metrics, each of the scope's points that have the metric's
// value and a log axis can draw it ([GapChart], subtitled with subtitle
// and the scope; [GapFile.Note] says which are left out). The file names
// end in suffix ("" or e.g. "-2" for the second host of a results file).
// Points of the two scopes are never mixed on one chart: the
// micro-networks' GFLOPs would squeeze the whole networks into a corner.
func GapSets(points []Point, subtitle, suffix string, metrics ...plots.Metric) []GapSet {
	var sets []GapSet
	for _, scope := range []Scope{WholeNetworks, MicroNetworks} {
		sel := Select(points, Filter{Scope: scope})
		if len(sel) == 0 {
			continue
		}
		prefix := "gap-"
		if scope == MicroNetworks {
			prefix = "gap-micro-"
		}
		set := GapSet{Scope: scope, N: len(sel), Words: AnalyzeGap(sel, plots.MetricFLOPs).Caption()}
		for _, m := range metrics {
			var keep []Point
			f := GapFile{Name: prefix + MetricSlug(m) + suffix, Metric: m}
			for _, p := range sel {
				switch v := p.Value(m); {
				case !(v > 0):
					f.Missing++
				case !Drawable(v):
					f.Undrawable++
				default:
					keep = append(keep, p)
				}
			}
			if len(keep) > 0 {
				f.Points, f.Options = GapChart(keep, m, subtitle+" · "+scope.String())
			}
			set.Charts = append(set.Charts, f)
		}
		sets = append(sets, set)
	}
	return sets
}

// MetricSlug is a metric's name in a file name: "madds", "flops", "mac",
// "params", "roofline".
func MetricSlug(m plots.Metric) string {
	switch m {
	case plots.MetricMAdds:
		return "madds"
	case plots.MetricFLOPs:
		return "flops"
	case plots.MetricMAC:
		return "mac"
	case plots.MetricParams:
		return "params"
	case plots.MetricRoofline:
		return "roofline"
	}
	return plots.FileSlug(m.String())
}
