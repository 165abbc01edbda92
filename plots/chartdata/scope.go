package chartdata

import (
	"github.com/shufflelab/explorer/plots"
	"github.com/shufflelab/explorer/runner/sweep"
)

// ScopeRows is the sweep rows of one scope: whole networks or the
// guideline micro-networks, whose latencies do not rank against whole
// networks'.
type ScopeRows struct {
	Scope Scope
	Rows  []sweep.Row
}

// ByScope splits rows by the gap charts' scope rule ([Point.Micro]),
// whole networks first; a scope without rows is left out, except that no
// rows at all are one empty scope of whole networks. `explorer sweep` and
// `explorer plot` report each scope apart.
func ByScope(rows []sweep.Row) []ScopeRows {
	whole := ScopeRows{Scope: WholeNetworks}
	micro := ScopeRows{Scope: MicroNetworks}
	for _, r := range rows {
		if PointFromRow(r).Micro() {
			micro.Rows = append(micro.Rows, r)
		} else {
			whole.Rows = append(whole.Rows, r)
		}
	}
	switch {
	case len(micro.Rows) == 0:
		return []ScopeRows{whole}
	case len(whole.Rows) == 0:
		return []ScopeRows{micro}
	}
	return []ScopeRows{whole, micro}
}

// SweepCorrelations is the rank correlation table of rows: Spearman and
// Kendall tau-b of each metric that can rank them ([sweep.Columns])
// against their median latency, and the metrics left out with the reason.
// rows must be rankable ([sweep.Unranked] is ""). `explorer sweep` prints
// it and `explorer plot` prints and draws it.
func SweepCorrelations(rows []sweep.Row) ([]plots.CorrRow, []sweep.LeftOut) {
	cols, left := sweep.Columns(rows)
	var out []plots.CorrRow
	for _, c := range cols {
		r, err := plots.NewCorrRow(c.Metric, c.X, c.Latency)
		if err != nil {
			left = append(left, sweep.LeftOut{Metric: c.Metric, Reason: err.Error()})
			continue
		}
		out = append(out, r)
	}
	return out, left
}
