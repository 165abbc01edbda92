package plots

import (
	"errors"
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ShareRow is one operation category of a [Decomposition] chart, with
// absolute amounts; the chart turns each column into percentages of its
// column total. Typical categories are those of the explorer's cost model:
// conv1x1, conv kxk, group conv, depthwise, element-wise, data movement,
// pooling and FC.
type ShareRow struct {
	// Category names the row, e.g. "conv1x1"; required and unique.
	Category string
	// MAdds is the category's multiply-accumulates (any unit, same for all rows).
	MAdds float64
	// MAC is the category's memory access cost in elements.
	MAC float64
	// TimeMS is the category's measured time in ms; leave it 0 in every row
	// when nothing was measured and the time series is left out.
	TimeMS float64
}

// Decomposition builds the per-category breakdown: for each category,
// grouped horizontal bars of its share of total MAdds, of total MAC and of
// total measured time, in percent (the ShuffleNet V2 paper's Fig. 2, on the
// local machine). A column whose total is 0 (typically time, before any
// measurement) is left out and the title says so. Values must be finite
// and >= 0.
func Decomposition(rows []ShareRow) (*plot.Plot, error) {
	c, err := decompositionChart(rows)
	if err != nil {
		return nil, err
	}
	return c.plot, nil
}

func decompositionChart(rows []ShareRow) (*chart, error) {
	if err := checkShares(rows); err != nil {
		return nil, fmt.Errorf("decomposition chart: %w", err)
	}
	columns := []struct {
		name string
		get  func(ShareRow) float64
	}{
		{"MAdds share", func(r ShareRow) float64 { return r.MAdds }},
		{"MAC share", func(r ShareRow) float64 { return r.MAC }},
		{"time share", func(r ShareRow) float64 { return r.TimeMS }},
	}
	type series struct {
		name   string
		shares []float64
	}
	var (
		drawn   []series
		missing []string
	)
	for _, col := range columns {
		total := 0.0
		for _, r := range rows {
			total += col.get(r)
		}
		if total == 0 {
			missing = append(missing, strings.TrimSuffix(col.name, " share"))
			continue
		}
		shares := make([]float64, len(rows))
		for i, r := range rows {
			shares[i] = 100 * col.get(r) / total
		}
		drawn = append(drawn, series{col.name, shares})
	}
	if len(drawn) == 0 {
		return nil, errors.New("decomposition chart: MAdds, MAC and time are all 0 in every row")
	}

	title := "Share of MAdds, MAC and time per operation category"
	if len(missing) > 0 {
		title += "\n(no " + strings.Join(missing, ", no ") + " data)"
	}
	c := newChart(title)
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Category
	}
	nominal(c.plot, names, true)
	c.plot.X.Label.Text = "share of total (%)"
	c.plot.X.Min, c.plot.X.Max = 0, 100
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	c.add(grid)
	for k, s := range drawn {
		b := groupSeries(s.shares, k, len(drawn), true, seriesColor(k))
		c.add(b)
		c.addLegend(s.name, b)
	}
	return c, nil
}

func checkShares(rows []ShareRow) error {
	if len(rows) == 0 {
		return errors.New("no rows")
	}
	seen := map[string]int{}
	for i, r := range rows {
		if r.Category == "" {
			return fmt.Errorf("row %d has no category", i)
		}
		if j, ok := seen[r.Category]; ok {
			return fmt.Errorf("rows %d and %d both have category %q", j, i, r.Category)
		}
		seen[r.Category] = i
		for _, v := range []struct {
			name string
			v    float64
		}{{"MAdds", r.MAdds}, {"MAC", r.MAC}, {"time (ms)", r.TimeMS}} {
			if err := checkValue(fmt.Sprintf("row %d (%q) %s", i, r.Category, v.name), v.v, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// DecompositionView is one execution mode's categories for
// [DecompositionModes].
type DecompositionView struct {
	// Name titles the panel, e.g. "eager: every op its own kernel".
	Name string
	// Rows are the mode's categories, as for [Decomposition].
	Rows []ShareRow
}

// DecompositionModes builds the decomposition of several execution modes
// side by side, one panel each on the same categories in the same order
// (a category missing from a mode shows as 0): eager beside fused shows
// what fusion leaves of the element-wise and data-movement work, the
// paper's guideline G4. caption, when set, is wrapped under the title.
func DecompositionModes(views []DecompositionView, caption string) (*plot.Plot, error) {
	if len(views) == 0 {
		return nil, errors.New("decomposition chart: no views")
	}
	var order []string
	seen := map[string]bool{}
	for _, v := range views {
		for _, r := range v.Rows {
			if !seen[r.Category] {
				seen[r.Category] = true
				order = append(order, r.Category)
			}
		}
	}
	panels := make([]*plot.Plot, len(views))
	for i, v := range views {
		byCat := map[string]ShareRow{}
		for _, r := range v.Rows {
			byCat[r.Category] = r
		}
		rows := make([]ShareRow, len(order))
		for k, cat := range order {
			rows[k] = byCat[cat]
			rows[k].Category = cat
		}
		c, err := decompositionChart(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		p := c.plot
		p.Title.Text = strings.Replace(p.Title.Text, "Share of MAdds, MAC and time per operation category", v.Name, 1)
		if i > 0 {
			// The categories are the first panel's, in the same order.
			ticks := make([]plot.Tick, len(order))
			for k := range order {
				ticks[k] = plot.Tick{Value: float64(k)}
			}
			p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		}
		if i < len(views)-1 {
			p.Legend = plot.NewLegend()
		}
		panels[i] = p
	}
	title := "Share of MAdds, MAC and time per operation category"
	if caption != "" {
		title += "\n" + strings.Join(wrapText(caption, captionWidth), "\n")
	}
	outer := newChart(title)
	outer.plot.HideAxes()
	outer.add(sideBySide(panels))
	return outer.plot, nil
}

// sideBySide draws plots next to each other in its data canvas, aligned.
type sideBySide []*plot.Plot

// Plot implements plot.Plotter.
func (s sideBySide) Plot(c draw.Canvas, _ *plot.Plot) {
	tiles := draw.Tiles{Cols: len(s), Rows: 1, PadX: vg.Points(10)}
	cs := plot.Align([][]*plot.Plot{s}, tiles, c)
	for i, p := range s {
		p.Draw(cs[0][i])
	}
}
