package chartdata

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
)

// PointsCSVHeader is the header of the points CSV that `explorer plot` and
// the interactive explorer's export both write (one format, [WritePointsCSV]).
// kernels is the kernel set ("" where the source did not record it).
// Counts are per batch; latencies in milliseconds; an empty mac_fused,
// params, roofline_ms, median_ms, p10_ms, p90_ms or images_per_s means the
// source did not record it (a 0 there read as a value); key is the design's full key (arch.Spec.Key; empty only in
// points read from files that lack it).
// Each call returns a new slice.
func PointsCSVHeader() []string {
	return []string{"label", "design", "preset", "family", "host", "host_name", "backend", "kernels", "mode", "threads",
		"madds", "flops", "mac", "mac_fused", "params", "roofline_ms", "median_ms", "p10_ms", "p90_ms", "images_per_s",
		"session", "current", "key"}
}

// WritePointsCSV writes points as CSV under [PointsCSVHeader], one row per
// point in the order given.
func WritePointsCSV(w io.Writer, points []Point) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(PointsCSVHeader()); err != nil {
		return err
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, p := range points {
		rec := []string{p.Label, p.Design, p.Preset, string(p.Family), p.Host, p.HostName, p.Backend, p.Kernels, p.Mode,
			strconv.Itoa(p.Threads), i(p.MAdds), i(p.FLOPs()), i(p.MAC), known(p.MACFused), known(p.Params),
			csvFloat(p.RooflineMS), csvFloat(p.LatencyMS), csvFloat(p.P10MS), csvFloat(p.P90MS), csvFloat(p.ImagesPerS),
			strconv.FormatBool(p.Session), strconv.FormatBool(p.Current), p.Key}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Measured reports whether the point carries what a gap chart needs: a
// finite positive latency, positive MAdds and MAC, and a label or design.
func (p Point) Measured() bool {
	return p.LatencyMS > 0 && !math.IsInf(p.LatencyMS, 1) && p.MAdds > 0 && p.MAC > 0 && (p.Label != "" || p.Design != "")
}

// csvFloat formats a measured value with 6 significant digits; a value not
// recorded (0, negative, NaN or Inf) is an empty field.
func csvFloat(v float64) string {
	if !(v > 0) || math.IsInf(v, 1) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// known formats a count that may be unrecorded (0): an empty field then.
func known(v int64) string {
	if v <= 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}
