package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// TestGolden renders every screen at the largest common size and at the
// minimum size and compares the ANSI-stripped frames with
// testdata/TestGolden/*.golden (regenerate with go test ./ui -update).
func TestGolden(t *testing.T) {
	screens := []struct {
		name string
		keys []string
	}{
		{"explore", nil},
		{"explore_run", []string{"r"}},
		{"explore_category_fused_g4", []string{"c", "v", "g", "g", "g"}},
		{"gap", []string{"r", "2"}},
		{"gap_mac", []string{"r", "2", "x"}},
		{"guidelines", []string{"3"}},
		{"guidelines_run", []string{"3", "r"}},
		{"presets", []string{"4", "down", "down"}},
		{"help", []string{"?"}},
		{"presets_save_prompt", []string{"4", "s"}},
		{"explore_invalid", []string{"down", "enter", "ctrl+u", "9", "9", "enter"}},
	}
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				m := newTestModel(t, fakeMeasurer{}, size[0], size[1])
				send(t, m, sc.keys...)
				golden.RequireEqual(t, []byte(ansi.Strip(m.View().Content)))
			})
		}
	}
}
