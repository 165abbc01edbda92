package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGolden renders every screen at 80x24, 120x40 and 200x60 after a run
// with the fake measurer and compares the ANSI-stripped frames with
// testdata/TestGolden/*.golden (regenerate with go test ./ui -update).
func TestGolden(t *testing.T) {
	screens := []struct {
		name string
		keys []string
	}{
		{"explore", []string{"r"}},
		{"explore_category_fused_g4", []string{"c", "v", "g", "g", "g"}},
		{"explore_invalid", []string{"down", "down", "down", "enter", "ctrl+u", "9", "9", "enter"}},
		{"gap", []string{"r", "2"}},
		{"guidelines", []string{"3", "r"}},
		{"presets", []string{"4", "down", "down"}},
		{"help", []string{"?"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				m := newTestModel(t, fakeMeasurer{}, size[0], size[1])
				send(t, m, sc.keys...)
				golden.RequireEqual(t, []byte(view(m)))
			})
		}
	}
}
