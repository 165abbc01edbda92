package chartdata

import (
	"fmt"

	"github.com/shufflelab/explorer/plots"
)

// GapSet is the gap charts of one scope (whole networks or the guideline
// micro-networks) of a set of points: what `explorer plot` and the
// interactive explorer's export both draw, from [GapSets].
type GapSet struct {
	Scope Scope
	// N is the number of points in the scope and Words the correlation of
	// their FLOPs and MAC with latency in words ([Gap.Words]).
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
	// Metric, left out of Points; Points is nil when none has one (the
	// chart is not drawn).
	Missing int
	Points  []plots.GapPoint
	Options plots.GapOptions
}

// Note says what the chart leaves out, "" when nothing: "gap-mac not
// drawn: none of its 3 point(s) has a MAC value" or "gap-roofline leaves
// out 2 point(s) without a roofline estimate value".
func (f GapFile) Note() string {
	switch {
	case f.Points == nil:
		return fmt.Sprintf("%s not drawn: none of its %d point(s) has a %s value", f.Name, f.Missing, f.Metric)
	case f.Missing > 0:
		return fmt.Sprintf("%s leaves out %d point(s) without a %s value", f.Name, f.Missing, f.Metric)
	}
	return ""
}

// GapSets are the gap charts of points (measured, see [Point.Measured]):
// for each scope that has points, whole networks first, one chart per
// metric in metrics, each of the scope's points that have the metric's
// value ([GapChart], subtitled with subtitle and the scope). The file names
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
		set := GapSet{Scope: scope, N: len(sel), Words: AnalyzeGap(sel, plots.MetricFLOPs).Words()}
		for _, m := range metrics {
			var keep []Point
			for _, p := range sel {
				if p.Value(m) > 0 {
					keep = append(keep, p)
				}
			}
			f := GapFile{Name: prefix + MetricSlug(m) + suffix, Metric: m, Missing: len(sel) - len(keep)}
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
