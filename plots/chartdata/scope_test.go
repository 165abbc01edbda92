package chartdata

import (
	"math"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// TestByScopeAndSweepCorrelations: the scope split and the correlation
// table `explorer sweep` and `explorer plot` print, computed here once.
func TestByScopeAndSweepCorrelations(t *testing.T) {
	row := func(s arch.Spec, madds int64, ms float64) sweep.Row {
		return sweep.Row{Key: s.Key(), Name: s.String(), Spec: s, MAdds: madds, MAC: 2 * madds, MACFused: madds,
			Params: 1000 - madds/1e6, LatencyMS: stats.Summary{Median: ms}}
	}
	snv2 := func(w float64) arch.Spec { return arch.Spec{Width: w} }
	g1 := arch.Spec{Family: arch.GuideG1}
	// Torchvision's MAdds of ShuffleNetV2 0.5x-2.0x (reference/paper.md
	// section 12), with latencies in the same order.
	rows := []sweep.Row{row(snv2(0.5), 40476448, 1), row(g1, 10, 0.5), row(snv2(1), 144907992, 3),
		row(snv2(1.5), 295759392, 5), row(snv2(2), 583253464, 9)}
	scopes := ByScope(rows)
	if len(scopes) != 2 || scopes[0].Scope != WholeNetworks || len(scopes[0].Rows) != 4 ||
		scopes[1].Scope != MicroNetworks || len(scopes[1].Rows) != 1 {
		t.Fatalf("scopes %+v", scopes)
	}
	if s := ByScope(nil); len(s) != 1 || s[0].Scope != WholeNetworks || len(s[0].Rows) != 0 {
		t.Errorf("no rows: %+v, want one empty scope of whole networks", s)
	}
	cr, left := SweepCorrelations(scopes[0].Rows)
	got := map[string]float64{}
	for _, c := range cr {
		got[c.Metric] = c.Spearman
	}
	// MAdds and MAC order the four exactly (+1); params run against them (-1).
	for metric, want := range map[string]float64{"MAdds": 1, "MAC": 1, "MAC (fused plan)": 1, "params": -1} {
		if v, ok := got[metric]; !ok || math.Abs(v-want) > 1e-12 {
			t.Errorf("%s Spearman %v (present %v), want %v", metric, v, ok, want)
		}
	}
	if len(left) != 1 || left[0].Metric != "roofline estimate" || !strings.Contains(left[0].Reason, "4 of 4 rows have none") {
		t.Errorf("left out %+v, want the roofline estimate, missing from every row", left)
	}
}
