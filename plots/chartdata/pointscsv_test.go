package chartdata

import (
	"bytes"
	"encoding/csv"
	"math"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/stats"
	"github.com/shufflelab/explorer/runner/sweep"
)

// TestWritePointsCSV: a sweep row's point keeps every column `explorer
// plot` wrote before the format was shared with the export (the grid key
// that docs/sweep.md's shard merge check reads, the fused MAC, params and
// the spread), and what the source did not record (a NaN latency, no
// roofline estimate, no fused MAC or params) is an empty field, never NaN
// or a 0 that reads as a value.
func TestWritePointsCSV(t *testing.T) {
	row := sweep.Row{Key: "k1", Spec: arch.Spec{Family: arch.ShuffleNetV2, Width: 1}.Normalize(), Host: "h", HostName: "CPU",
		Backend: "native", Mode: "fused", Threads: 1, MAdds: 10, MAC: 20, MACFused: 15, Params: 7, RooflineMS: 0.5,
		LatencyMS: stats.Summary{Median: 3, P10: 2.5, P90: 4}, ThroughputIPS: 333.3}
	nan := Point{Label: "x", LatencyMS: math.NaN()}
	var b bytes.Buffer
	if err := WritePointsCSV(&b, []Point{PointFromRow(row), nan}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	got := map[string]string{}
	for i, h := range recs[0] {
		got[h] = recs[1][i]
	}
	want := map[string]string{"key": "k1", "madds": "10", "flops": "20", "mac": "20", "mac_fused": "15", "params": "7",
		"roofline_ms": "0.5", "median_ms": "3", "p10_ms": "2.5", "p90_ms": "4", "images_per_s": "333.3", "host": "h",
		"backend": "native", "mode": "fused", "threads": "1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("column %s = %q, want %q", k, got[k], v)
		}
	}
	for i, h := range recs[0] {
		switch h {
		case "mac_fused", "params", "roofline_ms", "median_ms", "p10_ms", "p90_ms", "images_per_s":
			if recs[2][i] != "" {
				t.Errorf("unrecorded %s written as %q, want an empty field", h, recs[2][i])
			}
		}
	}
	if nan.Measured() || !PointFromRow(row).Measured() {
		t.Error("Measured: want false for a NaN latency, true for a measured row")
	}
}
