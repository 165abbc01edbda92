package guideline

import (
	"fmt"
	"slices"

	"github.com/shufflelab/explorer/cost/costfmt"
	"github.com/shufflelab/explorer/runner"
)

// Column is one column of a guideline table as `explorer guidelines` and
// the interactive explorer's guidelines screen print it: a header and one
// cell per row, "-" where a value is unknown.
type Column struct {
	Head  string
	Cells []string
	// Design marks a column that describes the designs (channels, MAdds,
	// MAC): a printer may say it once above the table when every row has
	// the same value.
	Design bool
	// Mode is the execution mode of a measured column (latency, spread,
	// relative speed); "" for the others.
	Mode runner.Mode
}

// Columns are the columns of scale column j: the row's label, channels
// ([Row.Channels]), MAdds and MAC (the graph as written), the fused plan's
// MAC when the table measures the fused mode and it differs; per mode the
// best latency ([Row.BestMS]), its spread over rounds ([Row.Spread]) and
// the speed relative to the first row ([Normalised]); then the paper's GPU
// and ARM speeds relative to its first row.
func (t Table) Columns(j int) []Column {
	n := len(t.Rows)
	col := func(head string, design bool, mode runner.Mode, cell func(i int, r Row) string) Column {
		c := Column{Head: head, Design: design, Mode: mode, Cells: make([]string, n)}
		for i, r := range t.Rows {
			c.Cells[i] = cell(i, r)
		}
		return c
	}
	cols := []Column{
		col("row", false, "", func(_ int, r Row) string { return r.Label }),
		col("channels", true, "", func(_ int, r Row) string {
			if j >= len(r.Specs) {
				return "-"
			}
			return r.Channels(j)
		}),
		col("MAdds", true, "", func(_ int, r Row) string { return countAt(r.MAdds, j) }),
		col("MAC", true, "", func(_ int, r Row) string { return countAt(r.MAC, j) }),
	}
	if slices.Contains(t.modes(), runner.Fused) {
		fused := col("fused MAC", true, "", func(_ int, r Row) string { return countAt(r.MACFused, j) })
		if !slices.Equal(fused.Cells, cols[3].Cells) {
			cols = append(cols, fused)
		}
	}
	for m, mode := range t.Modes {
		speeds := t.ModeSpeeds(m, j)
		cols = append(cols,
			col(string(mode)+" ms", false, mode, func(_ int, r Row) string {
				if ms := r.BestMS(m, j); ms > 0 {
					return costfmt.Millis(ms)
				}
				return "-"
			}),
			col("±rnd", false, mode, func(_ int, r Row) string {
				if s, ok := r.Spread(m, j); ok {
					return fmt.Sprintf("%.0f%%", 100*s)
				}
				return "-"
			}),
			col("rel", false, mode, func(i int, _ Row) string { return relative(speeds, i) }))
	}
	gpu, arm := t.Speeds(PaperGPU, j), t.Speeds(PaperARM, j)
	return append(cols,
		col("GPU", false, "", func(i int, _ Row) string { return relative(gpu, i) }),
		col("ARM", false, "", func(i int, _ Row) string { return relative(arm, i) }))
}

// FactorSame splits a table's columns into those to print and the design
// columns whose cells are equal in every row (of more than one), which a
// printer says once above the table, e.g. "channels c=32".
func FactorSame(cols []Column) (kept []Column, same []string) {
	for _, c := range cols {
		if c.Design && len(c.Cells) > 1 && allEqual(c.Cells) {
			same = append(same, c.Head+" "+c.Cells[0])
			continue
		}
		kept = append(kept, c)
	}
	return kept, same
}

func allEqual(v []string) bool {
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return true
}

// Spread is the round-to-round spread of mode m at scale column j,
// (slowest - fastest) / fastest: the figure a verdict's noise margin is
// taken from. ok is false with fewer than two rounds.
func (r Row) Spread(m, j int) (s float64, ok bool) {
	rs := r.RoundsMS(m, j)
	if len(rs) < 2 {
		return 0, false
	}
	return spread(rs), true
}

// countAt is v[j] rounded for a table ("64.23M"), "-" when missing.
func countAt(v []int64, j int) string {
	if j < 0 || j >= len(v) {
		return "-"
	}
	return costfmt.Count(v[j])
}

// relative is speed i relative to the first ("0.88"), "-" when either is
// unknown.
func relative(v []float64, i int) string {
	n := Normalised(v)
	if n == nil || !(v[i] > 0) {
		return "-"
	}
	return fmt.Sprintf("%.2f", n[i])
}
