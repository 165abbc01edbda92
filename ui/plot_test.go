package ui

import (
	"slices"
	"strings"
	"testing"
)

// TestTickLabels: every tick of a log axis is labelled with its own value
// (a 1.5 ms tick was labelled "2", so the axis read 0.9, 1, 2 with the 2
// below a 1.28 ms point).
func TestTickLabels(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0.05, "0.05"}, {0.5, "0.5"}, {0.9, "0.9"}, {1, "1"}, {1.5, "1.5"}, {2, "2"},
		{20, "20"}, {150, "150"}, {1000, "1000"}, {1500, "1500"}, {2000, "2000"}, {0.15, "0.15"},
	} {
		if got := tickLabel(tc.v); got != tc.want {
			t.Errorf("tickLabel(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	// The micro-network latencies of the review's capture, 1.04 and 1.28 ms:
	// the ticks inside the axis and their labels.
	ax := newLogAxis([]float64{1.044, 1.276})
	var labels []string
	for _, v := range ax.ticks() {
		labels = append(labels, tickLabel(v))
	}
	if !slices.Contains(labels, "1.5") || slices.Contains(labels, "2") {
		t.Errorf("ticks of 1.04..1.28 ms labelled %s", strings.Join(labels, " "))
	}
}
