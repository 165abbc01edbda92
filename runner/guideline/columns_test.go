package guideline

import (
	"strings"
	"testing"

	"github.com/shufflelab/explorer/runner"
)

// TestColumns: the table `explorer guidelines` and the guidelines screen
// both print, here G4 at ARM sizes x1 (paper Table 4) measured in eager
// and fused execution.
func TestColumns(t *testing.T) {
	tab, err := FromExperiment(experiment(t, "G4"), ARM, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	tab.Modes = []runner.Mode{runner.Eager, runner.Fused}
	withRounds(&tab, 0, [][]float64{{12, 15}, {11, 11}, {11.5, 11.5}, {10, 10}})
	withRounds(&tab, 1, [][]float64{{10.5}, {10.2}, {10.3}, {10}})
	cols := tab.Columns(0)
	var heads []string
	for _, c := range cols {
		heads = append(heads, c.Head)
		if len(c.Cells) != len(tab.Rows) {
			t.Errorf("%s has %d cells for %d rows", c.Head, len(c.Cells), len(tab.Rows))
		}
	}
	want := "row|channels|MAdds|MAC|fused MAC|eager ms|±rnd|rel|fused ms|±rnd|rel|GPU|ARM"
	if got := strings.Join(heads, "|"); got != want {
		t.Fatalf("heads %s\nwant  %s", got, want)
	}
	cell := func(head string, mode runner.Mode, row int) string {
		for _, c := range cols {
			if c.Head == head && c.Mode == mode {
				return c.Cells[row]
			}
		}
		t.Fatalf("no column %s %s", head, mode)
		return ""
	}
	for _, tc := range []struct {
		head string
		mode runner.Mode
		row  int
		want string
	}{
		{"row", "", 0, "ReLU+shortcut"},
		{"channels", "", 0, "c=32"},
		// explorer cost --family g4 --c 32: 34.12M MAdds, MAC 12.05M as
		// written and 4.03M fused.
		{"MAdds", "", 0, "34.12M"},
		{"MAC", "", 0, "12.05M"},
		{"fused MAC", "", 0, "4.03M"},
		{"eager ms", runner.Eager, 0, "12.000"},
		{"±rnd", runner.Eager, 0, "25%"}, // (15 - 12) / 12
		{"±rnd", runner.Fused, 0, "-"},   // one round: no spread
		{"rel", runner.Eager, 3, "1.20"}, // 12 / 10
		{"rel", runner.Fused, 3, "1.05"}, // 10.5 / 10
		{"GPU", "", 0, "1.00"},
	} {
		if got := cell(tc.head, tc.mode, tc.row); got != tc.want {
			t.Errorf("%s %s row %d = %q, want %q", tc.head, tc.mode, tc.row, got, tc.want)
		}
	}
	// The spread is the one the verdict's noise margin is taken from.
	if s, ok := tab.Rows[0].Spread(0, 0); !ok || s != 0.25 || tab.Verdict(0).Effects[0].Margin != 0.25 {
		t.Errorf("spread %v %v, margin %v", s, ok, tab.Verdict(0).Effects[0].Margin)
	}

	// Measured in eager only: no fused MAC column.
	tab.Modes = []runner.Mode{runner.Eager}
	for _, c := range tab.Columns(0) {
		if c.Head == "fused MAC" {
			t.Error("fused MAC shown for an eager-only table")
		}
	}
}
