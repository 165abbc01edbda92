package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Errors returned by [Spearman] and [KendallTauB]; test for them with
// errors.Is. The returned errors wrap these with the offending sizes or
// positions.
var (
	// ErrLengthMismatch means x and y hold different numbers of values.
	ErrLengthMismatch = errors.New("x and y differ in length")
	// ErrTooFewPoints means fewer than two pairs were given.
	ErrTooFewPoints = errors.New("fewer than 2 points")
	// ErrNotFinite means a value is NaN or infinite.
	ErrNotFinite = errors.New("value is NaN or infinite")
	// ErrConstant means x or y has a single distinct value, so its ranks
	// have no spread and the coefficient is undefined (0/0).
	ErrConstant = errors.New("all values are equal")
)

// Spearman returns Spearman's rank correlation coefficient rho of x and y:
// the Pearson correlation of their ranks, where tied values share the average
// of the ranks they span (the definition scipy.stats.spearmanr uses). The
// result lies in [-1, 1].
//
// It returns an error wrapping [ErrLengthMismatch], [ErrTooFewPoints],
// [ErrNotFinite] or [ErrConstant] when the coefficient is not defined.
func Spearman(x, y []float64) (float64, error) {
	if err := checkPairs(x, y); err != nil {
		return 0, fmt.Errorf("spearman: %w", err)
	}
	rx, ry := averageRanks(x), averageRanks(y)
	// Both rank vectors have the same mean, (n+1)/2.
	mean := float64(len(x)+1) / 2
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mean, ry[i]-mean
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 {
		return 0, fmt.Errorf("spearman: x: %w", ErrConstant)
	}
	if syy == 0 {
		return 0, fmt.Errorf("spearman: y: %w", ErrConstant)
	}
	return clampUnit(sxy / math.Sqrt(sxx*syy)), nil
}

// KendallTauB returns Kendall's tau-b of x and y:
//
//	tau_b = (P - Q) / sqrt((P + Q + T) (P + Q + U))
//
// where P counts concordant pairs, Q discordant pairs, T pairs tied only in x
// and U pairs tied only in y; pairs tied in both are counted in neither (the
// definition in the scipy.stats.kendalltau documentation, after Kendall 1945).
// Without ties it equals Kendall's original tau-a. The result lies in
// [-1, 1]. It compares all pairs, O(n^2), which is fine for the tens to
// hundreds of designs a sweep measures.
//
// It returns an error wrapping [ErrLengthMismatch], [ErrTooFewPoints],
// [ErrNotFinite] or [ErrConstant] when the coefficient is not defined.
func KendallTauB(x, y []float64) (float64, error) {
	if err := checkPairs(x, y); err != nil {
		return 0, fmt.Errorf("kendall tau-b: %w", err)
	}
	var concordant, discordant, tiedX, tiedY int64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			sx, sy := sign(x[j]-x[i]), sign(y[j]-y[i])
			switch {
			case sx == 0 && sy == 0:
				// Tied in both: counted in neither T nor U.
			case sx == 0:
				tiedX++
			case sy == 0:
				tiedY++
			case sx == sy:
				concordant++
			default:
				discordant++
			}
		}
	}
	untied := concordant + discordant
	if untied+tiedX == 0 {
		return 0, fmt.Errorf("kendall tau-b: x: %w", ErrConstant)
	}
	if untied+tiedY == 0 {
		return 0, fmt.Errorf("kendall tau-b: y: %w", ErrConstant)
	}
	den := math.Sqrt(float64(untied+tiedX) * float64(untied+tiedY))
	return clampUnit(float64(concordant-discordant) / den), nil
}

// checkPairs reports why x and y cannot be rank-correlated, or nil.
func checkPairs(x, y []float64) error {
	if len(x) != len(y) {
		return fmt.Errorf("%d x values, %d y values: %w", len(x), len(y), ErrLengthMismatch)
	}
	if len(x) < 2 {
		return fmt.Errorf("%d point(s): %w", len(x), ErrTooFewPoints)
	}
	for i := range x {
		if !finite(x[i]) {
			return fmt.Errorf("x[%d] = %v: %w", i, x[i], ErrNotFinite)
		}
		if !finite(y[i]) {
			return fmt.Errorf("y[%d] = %v: %w", i, y[i], ErrNotFinite)
		}
	}
	return nil
}

// Ranks returns the 1-based ranks of v (1 = smallest); a run of equal
// values gets the mean of the ranks it occupies, as in [Spearman].
func Ranks(v []float64) []float64 { return averageRanks(v) }

// averageRanks returns the 1-based ranks of v; a run of equal values gets
// the mean of the ranks it occupies ("fractional ranking").
func averageRanks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	ranks := make([]float64, len(v))
	for start := 0; start < len(idx); {
		end := start + 1
		for end < len(idx) && v[idx[end]] == v[idx[start]] {
			end++
		}
		// Positions start..end-1 hold ranks start+1..end; their mean:
		r := float64(start+1+end) / 2
		for _, k := range idx[start:end] {
			ranks[k] = r
		}
		start = end
	}
	return ranks
}

func sign(d float64) int {
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}

// clampUnit removes rounding excursions just outside [-1, 1].
func clampUnit(r float64) float64 {
	return math.Max(-1, math.Min(1, r))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
