// Package stats computes the summary statistics of latency samples: median,
// percentiles with linear interpolation, interquartile range, mean and
// sample standard deviation; and the rank correlations Spearman's rho and
// Kendall's tau-b (with ties), which the sweep charts and the guideline
// verdicts use to compare orderings.
//
// Percentiles use the linear interpolation between closest ranks that
// NumPy's percentile (method "linear") and R's quantile type 7 use: for n
// sorted samples the p-th percentile sits at rank h = (n-1)*p/100, between
// samples floor(h) and floor(h)+1.
package stats

import (
	"math"
	"slices"
)

// Summary holds the statistics of a sample set. JSON field names are part of
// the versioned result format (runner.Result's latency_ms).
type Summary struct {
	N      int     `json:"-"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	P10    float64 `json:"p10"`
	P25    float64 `json:"p25"`
	P75    float64 `json:"p75"`
	P90    float64 `json:"p90"`
	IQR    float64 `json:"iqr"` // P75 - P25
	Mean   float64 `json:"mean"`
	Stddev float64 `json:"stddev"` // sample standard deviation (n-1); 0 for n < 2
}

// Summarize computes the statistics of xs. It does not modify xs. An empty
// slice gives the zero Summary.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	p := func(q float64) float64 { return PercentileSorted(s, q) }
	sum := Summary{
		N:      len(s),
		Median: p(50),
		Min:    s[0],
		Max:    s[len(s)-1],
		P10:    p(10),
		P25:    p(25),
		P75:    p(75),
		P90:    p(90),
		Mean:   Mean(s),
		Stddev: Stddev(s),
	}
	sum.IQR = sum.P75 - sum.P25
	return sum
}

// PercentileSorted returns the p-th percentile (0 <= p <= 100) of sorted
// samples by linear interpolation between closest ranks. p outside [0, 100]
// is clamped; an empty slice gives NaN.
func PercentileSorted(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	p = min(max(p, 0), 100)
	h := float64(n-1) * p / 100
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	frac := h - float64(lo)
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// Percentile returns the p-th percentile of unsorted samples (see
// PercentileSorted). It does not modify xs.
func Percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return PercentileSorted(s, p)
}

// Median is the 50th percentile of xs (the mean of the two middle samples
// for an even count). It does not modify xs; an empty slice gives NaN.
func Median(xs []float64) float64 { return Percentile(xs, 50) }

// IQR is the interquartile range, the 75th minus the 25th percentile.
func IQR(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return PercentileSorted(s, 75) - PercentileSorted(s, 25)
}

// Mean is the arithmetic mean; an empty slice gives NaN.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var t float64
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

// Stddev is the sample standard deviation (divisor n-1); 0 for fewer than
// two samples.
func Stddev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := Mean(xs)
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}
