package sweep

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/shufflelab/explorer/runner"
)

// Metric is an indirect metric of a row, compared against its measured
// median latency.
type Metric struct {
	Name  string // "MAdds", "MAC", "MAC (fused plan)", "params", "roofline estimate"
	Value func(Row) float64
}

// Metrics lists the indirect metrics in display order.
func Metrics() []Metric {
	return []Metric{
		{"MAdds", func(r Row) float64 { return float64(r.MAdds) }},
		{"MAC", func(r Row) float64 { return float64(r.MAC) }},
		{"MAC (fused plan)", func(r Row) float64 { return float64(r.MACFused) }},
		{"params", func(r Row) float64 { return float64(r.Params) }},
		{"roofline estimate", func(r Row) float64 { return r.RooflineMS }},
	}
}

// Column is one metric's values over a set of rows, with their latencies.
type Column struct {
	Metric  string
	X       []float64
	Latency []float64 // median latency, ms
}

// LeftOut is a metric that [Columns] leaves out, and why.
type LeftOut struct {
	Metric string
	// Reason is in words, e.g. "1 of 8 rows has none" or "every design
	// has the same value".
	Reason string
}

// MinRankDesigns is the fewest designs a rank correlation is reported
// for: with two, Spearman and Kendall are +1 or -1 whatever was measured.
const MinRankDesigns = 3

// Unranked says why the median latencies of rows cannot rank any metric
// ("it needs at least 3 designs to mean anything, there are 2", "every
// design has the same median latency"), or returns "" when they can. Rows
// without a positive latency are not counted.
func Unranked(rows []Row) string {
	var lat []float64
	for _, r := range rows {
		if r.LatencyMS.Median > 0 {
			lat = append(lat, r.LatencyMS.Median)
		}
	}
	switch {
	case len(lat) < MinRankDesigns:
		are := "are"
		if len(lat) == 1 {
			are = "is"
		}
		return fmt.Sprintf("it needs at least %d designs to mean anything, there %s %d", MinRankDesigns, are, len(lat))
	case allEqual(lat):
		return fmt.Sprintf("every design has the same median latency (%g ms)", lat[0])
	}
	return ""
}

// Columns returns, for every metric that can rank the rows' median
// latencies, its values and the latencies; and every other metric with the
// reason it is left out: a row lacks it (no positive, finite value: a
// roofline estimate is missing when a row was measured without a
// calibration) or every row has the same value. Rows without a positive
// latency are left out of both; when [Unranked] says why no metric can be
// ranked, both are nil.
func Columns(rows []Row) ([]Column, []LeftOut) {
	if Unranked(rows) != "" {
		return nil, nil
	}
	var out []Column
	var left []LeftOut
	for _, m := range Metrics() {
		c := Column{Metric: m.Name}
		missing := 0
		for _, r := range rows {
			if !(r.LatencyMS.Median > 0) {
				continue
			}
			v := m.Value(r)
			if !(v > 0) || math.IsInf(v, 0) {
				missing++
				continue
			}
			c.X = append(c.X, v)
			c.Latency = append(c.Latency, r.LatencyMS.Median)
		}
		switch n := missing + len(c.X); {
		case missing == 1:
			left = append(left, LeftOut{m.Name, fmt.Sprintf("1 of %d rows has none", n)})
		case missing > 1:
			left = append(left, LeftOut{m.Name, fmt.Sprintf("%d of %d rows have none", missing, n)})
		case allEqual(c.X):
			left = append(left, LeftOut{m.Name, "every design has the same value"})
		default:
			out = append(out, c)
		}
	}
	return out, left
}

// allEqual reports whether every value of xs is the first.
func allEqual(xs []float64) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// MisleadingRatio is the latency ratio above which two designs of about
// equal MAdds (or FLOPs) are called a misleading pair: more than 25% apart
// in latency, well outside the few percent a quiet machine's medians move.
const MisleadingRatio = 1.25

// DefaultPairTolerance is how close two designs' MAdds (or FLOPs) must be,
// relative to the smaller, to count as equal: the default of `explorer
// sweep --tol`, the tolerance of `explorer plot`'s pair lists and of the
// gap chart's misleading pair.
const DefaultPairTolerance = 0.10

// Misleading reports whether a pair's latency ratio is above
// MisleadingRatio: the one verdict of the command line's pair lists and
// the gap chart's pair.
func Misleading(ratio float64) bool { return ratio > MisleadingRatio }

// PairsVerdict is the sentence under a list of equal-MAdds pairs (tol
// their tolerance) whose first, top, is the most different: "shufflenetv1-1.0-g1
// and shufflenetv1-1.0-g8 differ by 3.4% in MAdds but by 40% in latency." for
// a misleading pair, else "no pair within 10% MAdds differs by over 25% in
// latency; the closest is 1.12x.".
func PairsVerdict(top Pair, tol float64) string {
	if Misleading(top.Ratio) {
		// Worded as the gap chart's pair (chartdata.Pair.Words), the slower
		// design first: one sentence, whether read on the chart or printed.
		return fmt.Sprintf("%s and %s differ by %.1f%% in MAdds, but %s takes %.2fx as long.", top.Slow.Name, top.Fast.Name,
			100*top.MAddsDiff, top.Slow.Name, top.Ratio)
	}
	return fmt.Sprintf("no pair within %.0f%% MAdds differs by over %.0f%% in latency; the closest is %.2fx.", 100*tol, 100*(MisleadingRatio-1), top.Ratio)
}

// Pair is two designs of about equal MAdds.
type Pair struct {
	Fast, Slow Row
	// MAddsDiff is |MAdds(a) - MAdds(b)| / min of the two.
	MAddsDiff float64
	// Ratio is the slow design's median latency over the fast one's (>= 1).
	Ratio float64
}

// EqualMAddsPairs lists every pair of rows whose MAdds differ by at most
// tol (relative to the smaller), most different latency first (ties: the
// closer MAdds first). Rows without a positive latency are left out. A
// report that prints a few pairs and the count asks [EqualMAddsTop]
// instead: a long results file holds hundreds of thousands of pairs.
func EqualMAddsPairs(rows []Row, tol float64) []Pair {
	x, lat := maddsLatency(rows)
	return pairsOf(rows, NearPairs(x, lat, tol))
}

// EqualMAddsTop is the first n pairs of EqualMAddsPairs(rows, tol), in its
// order, and how many pairs there are in all, found without listing them
// all: memory grows with n, not with the number of pairs.
func EqualMAddsTop(rows []Row, tol float64, n int) (top []Pair, count int) {
	x, lat := maddsLatency(rows)
	ps, count := TopNearPairs(x, lat, tol, n)
	return pairsOf(rows, ps), count
}

// maddsLatency is the rows' MAdds and median latencies.
func maddsLatency(rows []Row) (x, lat []float64) {
	x = make([]float64, len(rows))
	lat = make([]float64, len(rows))
	for i, r := range rows {
		x[i], lat[i] = float64(r.MAdds), r.LatencyMS.Median
	}
	return x, lat
}

// pairsOf turns index pairs into pairs of rows.
func pairsOf(rows []Row, ps []IndexPair) []Pair {
	var out []Pair
	for _, p := range ps {
		out = append(out, Pair{Fast: rows[p.Fast], Slow: rows[p.Slow], MAddsDiff: p.XDiff, Ratio: p.Ratio})
	}
	return out
}

// IndexPair is two designs of about equal metric value, by index.
type IndexPair struct {
	Fast, Slow int // indices of the faster and the slower design
	// XDiff is |x(a) - x(b)| / min of the two.
	XDiff float64
	// Ratio is the slower design's latency over the faster one's (>= 1).
	Ratio float64
}

// NearPairs lists every pair i < j whose metric values x differ by at most
// tol (relative to the smaller), most different latency first (ties: the
// closer x first, then index order). Indices without a positive x and a
// positive latency are left out. The gap chart's "most misleading pair" is
// the first.
func NearPairs(x, latency []float64, tol float64) []IndexPair {
	var out []IndexPair
	eachNearPair(x, latency, tol, func(p IndexPair) { out = append(out, p) })
	slices.SortStableFunc(out, comparePairs)
	return out
}

// TopNearPairs is the first n pairs of NearPairs(x, latency, tol), in its
// order, and the number of near pairs in all, kept in a list of at most n
// as they are found (NearPairs holds and sorts every pair).
func TopNearPairs(x, latency []float64, tol float64, n int) (top []IndexPair, count int) {
	eachNearPair(x, latency, tol, func(p IndexPair) {
		count++
		if n <= 0 || len(top) == n && comparePairs(p, top[n-1]) >= 0 {
			return
		}
		// After every pair that is not worse: of equal pairs the first in
		// index order stays ahead, as in NearPairs' stable sort.
		at, _ := slices.BinarySearchFunc(top, p, func(q, p IndexPair) int {
			if comparePairs(q, p) <= 0 {
				return -1
			}
			return 1
		})
		if len(top) == n {
			top = top[:n-1]
		}
		top = slices.Insert(top, at, p)
	})
	return top, count
}

// MostDifferentNearPair is the first pair of NearPairs(x, latency, tol)
// that accept takes (nil accepts every pair), found without listing and
// sorting them all: the gap chart asks for it on every redraw, and a long
// history holds hundreds of thousands of near pairs.
func MostDifferentNearPair(x, latency []float64, tol float64, accept func(IndexPair) bool) (IndexPair, bool) {
	var best IndexPair
	found := false
	eachNearPair(x, latency, tol, func(p IndexPair) {
		// Strictly better only: of equal pairs the first in index order
		// wins, as in NearPairs' stable sort.
		if (!found || comparePairs(p, best) < 0) && (accept == nil || accept(p)) {
			best, found = p, true
		}
	})
	return best, found
}

// eachNearPair calls f with every pair i < j, in index order, whose metric
// values differ by at most tol (relative to the smaller) and which both
// have a positive, finite metric value and latency.
func eachNearPair(x, latency []float64, tol float64, f func(IndexPair)) {
	ok := func(i int) bool {
		return x[i] > 0 && latency[i] > 0 && !math.IsInf(x[i], 0) && !math.IsInf(latency[i], 0)
	}
	for i := range x {
		if !ok(i) {
			continue
		}
		for j := i + 1; j < len(x); j++ {
			if !ok(j) {
				continue
			}
			d := math.Abs(x[i]-x[j]) / min(x[i], x[j])
			if d > tol {
				continue
			}
			a, b := i, j
			if latency[a] > latency[b] {
				a, b = b, a
			}
			f(IndexPair{Fast: a, Slow: b, XDiff: d, Ratio: latency[b] / latency[a]})
		}
	}
}

// comparePairs orders near pairs: the most different latency first, then
// the closer metric values.
func comparePairs(p, q IndexPair) int {
	if c := cmp.Compare(q.Ratio, p.Ratio); c != 0 {
		return c
	}
	return cmp.Compare(p.XDiff, q.XDiff)
}

// Group is the rows of one configuration (host, backend, kernel set,
// mode, threads).
type Group struct {
	Key   string // host|backend|kernels|mode|threads
	Label string // e.g. "AMD EPYC (2 cores) native/fused 1t"; "native[generic]/fused 1t" where sets differ
	// Host and HostName are the rows' host key and its name in words;
	// Backend, Mode and Threads their configuration. Kernels is the set
	// the rows count as ([KernelSets]; "" where none is known) and
	// KernelsNamed whether the label names it.
	Host, HostName, Backend, Kernels, Mode string
	Threads                                int
	KernelsNamed                           bool
	Rows                                   []Row
}

// configBase is a row's configuration without its kernel set.
func configBase(r Row) string {
	return fmt.Sprintf("%s|%s|%s|%d", r.Host, r.Backend, r.Mode, r.Threads)
}

// KernelSets is runner.KernelSets over rows: the kernel set each row
// counts as where rows are resumed, grouped and drawn together, and
// whether a label must name it. A row that names none (a hand-made one)
// counts as the first set the rows of its configuration (host, backend,
// mode, threads) name, in file order (the set of the first sweep that
// resumed it), or as any set where they name none (a sweep resumes it
// whatever its set).
func KernelSets(rows []Row) *runner.KernelSets[Row] {
	return runner.NewKernelSets(rows, configBase, Row.KernelSet)
}

// GroupByConfig splits rows by host, backend, kernel set, mode and
// threads, in order of first appearance; within a group a design appears
// once: its first row with a profile, else its first row. A label names
// the kernel set only where rows of one host, backend, mode and thread
// count were measured on more than one set. A row that names no kernel
// set (hand-made) joins its configuration's set ([KernelSets]).
func GroupByConfig(rows []Row) []Group {
	sets := KernelSets(rows)
	set := func(r Row) string { s, _ := sets.Of(r); return s }
	var out []Group
	idx := map[string]int{}
	at := map[string]int{} // design in its group -> index of its row there
	for _, r := range rows {
		k := fmt.Sprintf("%s|%s|%s|%s|%d", r.Host, r.Backend, set(r), r.Mode, r.Threads)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			backend := r.Backend
			if sets.Named(r) {
				ks := set(r)
				if ks == "" {
					ks = "kernels unknown"
				}
				backend = fmt.Sprintf("%s[%s]", r.Backend, ks)
			}
			out = append(out, Group{Key: k, Label: fmt.Sprintf("%s %s/%s %dt", r.HostName, backend, r.Mode, r.Threads),
				Host: r.Host, HostName: r.HostName, Backend: r.Backend, Kernels: set(r), Mode: r.Mode, Threads: r.Threads,
				KernelsNamed: sets.Named(r)})
		}
		d := k + "|" + r.Key
		if j, seen := at[d]; seen {
			if r.Profiled() && !out[i].Rows[j].Profiled() {
				out[i].Rows[j] = r
			}
			continue
		}
		at[d] = len(out[i].Rows)
		out[i].Rows = append(out[i].Rows, r)
	}
	return out
}
