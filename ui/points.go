package ui

import (
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/plots/chartdata"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/sweep"
)

// PointFromResult is the gap-chart point of a measured result:
// chartdata.PointFromResult, with Key set to the design's full key
// (sweep.SpecKey, the JSON of the normalised spec), by which the explorer
// tells designs and the current one apart (the point's Design,
// arch.Spec.String, is a title for people). Deps.History should hold
// points made by it.
func PointFromResult(res runner.Result) (chartdata.Point, error) {
	p, err := chartdata.PointFromResult(res)
	if err != nil {
		return p, err
	}
	if p.Key == "" {
		p.Key = sweep.SpecKey(res.Spec)
	}
	return p, nil
}

// pointDesign identifies a point's design: its full key, or Design where a
// point has none.
func pointDesign(p chartdata.Point) string {
	if p.Key != "" {
		return p.Key
	}
	return p.Design
}

// isCurrent reports whether point p is of design s: by the full key, or
// by Design for a point without one.
func isCurrent(p chartdata.Point, s arch.Spec) bool {
	if p.Key != "" {
		return p.Key == sweep.SpecKey(s)
	}
	return p.Design == s.String()
}

// selectPoints is chartdata.Select keeping designs apart by their full
// key: Select keeps one point per Point.Design (a title) and
// configuration.
func selectPoints(points []chartdata.Point, f chartdata.Filter) []chartdata.Point {
	const sep = "\x00"
	in := make([]chartdata.Point, len(points))
	for i, p := range points {
		if p.Key != "" {
			p.Design += sep + p.Key
		}
		in[i] = p
	}
	out := chartdata.Select(in, f)
	for i := range out {
		out[i].Design, _, _ = strings.Cut(out[i].Design, sep)
	}
	return out
}
