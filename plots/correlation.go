package plots

import (
	"errors"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/shufflelab/explorer/runner/stats"
)

// CorrRow is the rank correlation of one indirect metric with measured
// latency over a set of designs, as drawn by [Correlation].
type CorrRow struct {
	// Metric names the indirect metric, e.g. "MAdds", "MAC", "params" or
	// "roofline estimate" ([Metric.String] gives these names); required.
	Metric string
	// Spearman is Spearman's rho, in [-1, 1].
	Spearman float64
	// KendallTauB is Kendall's tau-b, in [-1, 1].
	KendallTauB float64
	// N is the number of designs the coefficients were computed over; it is
	// shown in the title when every row has the same N > 0.
	N int
}

// NewCorrRow computes the [CorrRow] of metric values x against latencies
// (any positive-monotone latency or time measure) with [Spearman] and
// [KendallTauB].
func NewCorrRow(metric string, x, latency []float64) (CorrRow, error) {
	rho, err := stats.Spearman(x, latency)
	if err != nil {
		return CorrRow{}, fmt.Errorf("correlate %s with latency: %w", metric, err)
	}
	tau, err := stats.KendallTauB(x, latency)
	if err != nil {
		return CorrRow{}, fmt.Errorf("correlate %s with latency: %w", metric, err)
	}
	return CorrRow{Metric: metric, Spearman: rho, KendallTauB: tau, N: len(x)}, nil
}

// Correlation builds the sweep-correlation chart: per indirect metric,
// grouped bars of Spearman's rho and Kendall's tau-b against measured
// latency, on a fixed [-1, 1] axis with a line at 0. A metric near 1 ranks
// designs by speed as well as a stopwatch; the ShuffleNet V2 paper's point is
// that MAdds often does not.
func Correlation(rows []CorrRow) (*plot.Plot, error) {
	c, err := correlationChart(rows)
	if err != nil {
		return nil, err
	}
	return c.plot, nil
}

func correlationChart(rows []CorrRow) (*chart, error) {
	if len(rows) == 0 {
		return nil, errors.New("correlation chart: no rows")
	}
	names := make([]string, len(rows))
	rho := make([]float64, len(rows))
	tau := make([]float64, len(rows))
	sameN := rows[0].N
	for i, r := range rows {
		if r.Metric == "" {
			return nil, fmt.Errorf("correlation chart: row %d has no metric name", i)
		}
		for _, v := range []struct {
			name string
			v    float64
		}{{"Spearman", r.Spearman}, {"Kendall tau-b", r.KendallTauB}} {
			if !finite(v.v) || v.v < -1 || v.v > 1 {
				return nil, fmt.Errorf("correlation chart: row %d (%q) %s is %v, want a number in [-1, 1]", i, r.Metric, v.name, v.v)
			}
		}
		if r.N < 0 {
			return nil, fmt.Errorf("correlation chart: row %d (%q) N is %d, want >= 0", i, r.Metric, r.N)
		}
		if r.N != sameN {
			sameN = 0
		}
		names[i], rho[i], tau[i] = r.Metric, r.Spearman, r.KendallTauB
	}

	title := "Rank correlation of each metric with measured latency"
	if sameN > 0 {
		title += fmt.Sprintf("\n(n = %d designs)", sameN)
	}
	c := newChart(title)
	nominal(c.plot, names, false)
	c.plot.Y.Label.Text = "rank correlation with latency"
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	c.add(grid)
	c.add(newRefLine(0, false))
	for k, s := range []struct {
		name string
		v    []float64
	}{{"Spearman rho", rho}, {"Kendall tau-b", tau}} {
		b := groupSeries(s.v, k, 2, false, seriesColor(k))
		c.add(b)
		c.addLegend(s.name, b)
	}
	c.plot.Y.Min, c.plot.Y.Max = -1, 1
	return c, nil
}
