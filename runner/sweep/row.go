package sweep

import (
	"fmt"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/stats"
)

// RowVersion is the version of the Row JSON format.
const RowVersion = 1

// Row is one measured design: a line of the sweep's JSONL file.
type Row struct {
	Version int       `json:"version"`
	Time    time.Time `json:"time"`
	Key     string    `json:"key"` // Design.Key
	Name    string    `json:"name"`
	Preset  string    `json:"preset,omitempty"`
	Family  string    `json:"family"`
	Spec    arch.Spec `json:"spec"`

	Backend     string           `json:"backend"`
	Mode        string           `json:"mode"`
	Threads     int              `json:"threads"`
	Host        string           `json:"host"`      // calib.HostKey of the fingerprint
	HostName    string           `json:"host_name"` // calib.HostName
	Fingerprint host.Fingerprint `json:"fingerprint"`

	// Analytic metrics (per batch). MAC is the paper's memory access cost of
	// the graph as written; MACFused that of the fused plan.
	MAdds    int64 `json:"madds"`
	FLOPs    int64 `json:"flops"`
	AuxFLOPs int64 `json:"aux_flops"`
	Params   int64 `json:"params"`
	MAC      int64 `json:"mac"`
	MACFused int64 `json:"mac_fused"`
	// RooflineMS is the roofline estimate (calib.Estimate) of the cost view
	// the mode executes (fused plan for fused, as written for eager), on the
	// Ceiling below; 0 when no calibration was available.
	RooflineMS float64       `json:"roofline_ms"`
	Ceiling    calib.Ceiling `json:"ceiling"`
	L2Bytes    int64         `json:"l2_bytes,omitempty"`

	LatencyMS     stats.Summary `json:"latency_ms"`
	ThroughputIPS float64       `json:"throughput_ips"`
	Iters         int           `json:"iters"`
	Warmup        int           `json:"warmup"`
	TimeCapped    bool          `json:"time_capped,omitempty"`

	// With --profile: time shares per category and per-op roofline points.
	Categories []CategoryShare `json:"categories,omitempty"`
	Ops        []OpPoint       `json:"ops,omitempty"`
}

// CategoryShare is one category of a profiled row.
type CategoryShare struct {
	Name      string  `json:"name"`
	TimeMS    float64 `json:"time_ms"`
	TimeShare float64 `json:"time_share"`
	MAdds     int64   `json:"madds"`
	MAC       int64   `json:"mac"`
}

// OpPoint is one profiled op (a plan step) for the roofline chart.
type OpPoint struct {
	ID        string  `json:"id"`
	Category  string  `json:"category"`
	Intensity float64 `json:"intensity"` // FLOPs per byte
	GFLOPS    float64 `json:"gflops"`    // achieved, 2 x MAdds / time
	TimeMS    float64 `json:"time_ms"`
}

// Config is what a sweep's rows share besides the design: the run key
// fields and the roofline calibration.
type Config struct {
	Backend string
	Mode    runner.Mode
	Threads int
	// Fingerprint is the host's; its HostKey goes into every run key.
	Fingerprint host.Fingerprint
	// Kernels is the kernel set the measurements run on, as a program
	// reports it (the start of runner.ProgramInfo.Kernels, see
	// registry.KernelSet: "avx512", "generic", "neon", "cudnn+cuda-graph");
	// it goes into every run key, so rows measured on
	// another set are not taken for this sweep's. "" matches rows of any
	// set (a caller that cannot tell).
	Kernels string
	// Calibration gives the roofline estimate; a zero value leaves it 0.
	Calibration calib.Calibration
}

// HostKey is calib.HostKey of the config's fingerprint.
func (c Config) HostKey() string { return calib.HostKey(c.Fingerprint) }

// RunKey identifies a measurement: the design key with the backend, its
// kernel set, the mode, thread count and host. A sweep skips designs whose
// run key is already in its file. The same design on the generic kernels
// and on avx512 (about 7x apart) are two measurements.
func RunKey(designKey, backend, kernels string, mode runner.Mode, threads int, hostKey string) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%s", designKey, backend, kernels, mode, threads, hostKey)
}

// MaxMedianMS bounds a usable row's median latency: 1e9 ms, 11.6 days for
// one forward pass. No measurement comes near it; a larger value is a hand
// edit, and one such row (1e300 ms) made every log-scale chart fail.
const MaxMedianMS = 1e9

// MinMedianMS is the least median latency a usable row may have: 1e-6 ms,
// one nanosecond, the resolution of the clocks a run is timed with (Go's
// time.Duration counts whole nanoseconds), so no measured median is
// smaller. A smaller value is a hand edit; one such row (1e-300 ms) broke
// every log-scale chart and printed a latency ratio of 300 digits.
const MinMedianMS = 1e-6

// Unusable says why the row cannot be drawn, ranked or resumed (no
// median latency from MinMedianMS to MaxMedianMS, no MAdds or MAC, counts
// past arch.MaxWork, no backend), or returns "" for a usable row. Rows the
// sweep writes are always usable; a hand-edited or foreign row may not be.
func (r Row) Unusable() string {
	switch {
	case r.Backend == "":
		return "no backend: not a measured row"
	case !(r.LatencyMS.Median >= MinMedianMS) || r.LatencyMS.Median > MaxMedianMS:
		return fmt.Sprintf("median latency %v ms: not a time from %g ms (1 ns, the clock's resolution) to %g ms",
			r.LatencyMS.Median, MinMedianMS, float64(MaxMedianMS))
	case r.MAdds <= 0:
		return fmt.Sprintf("MAdds %d: no analytic metrics", r.MAdds)
	case r.MAC <= 0:
		return fmt.Sprintf("MAC %d: no analytic metrics", r.MAC)
	case r.Mode != string(runner.Eager) && r.Mode != string(runner.Fused):
		// The mode names the row's charts' files: a hand-edited one
		// ("../x") must never reach a path.
		return fmt.Sprintf("mode %q: not eager or fused", r.Mode)
	}
	// arch.Build refuses a design past arch.MaxWork, so no swept row has a
	// larger count; one that does (a hand edit: MAdds 5e18) would wrap
	// FLOPs (2 x MAdds) negative.
	for _, c := range []struct {
		name string
		n    int64
	}{{"MAdds", r.MAdds}, {"MAC", r.MAC}, {"fused-plan MAC", r.MACFused}, {"params", r.Params}} {
		if c.n > arch.MaxWork {
			return fmt.Sprintf("%s %d: past 2^56 = %d, the most any design builds with (arch.MaxWork)", c.name, c.n, arch.MaxWork)
		}
	}
	return ""
}

// Profiled reports whether the row holds a profile (swept with --profile).
func (r Row) Profiled() bool { return len(r.Categories) > 0 }

// KernelSet is the kernel set the row was measured on: its fingerprint's
// kernels up to "; " (cudnn rows go on to name each layer's choice, which
// differs from design to design).
func (r Row) KernelSet() string {
	return runner.RunKernelSet(r.Fingerprint.Kernels, r.Fingerprint.Device)
}

// RunKey is the row's run key (with its KernelSet).
func (r Row) RunKey() string {
	return RunKey(r.Key, r.Backend, r.KernelSet(), runner.Mode(r.Mode), r.Threads, r.Host)
}

// NewRow assembles the row of design d from its graph and measurement.
func NewRow(d Design, g *arch.Graph, res runner.Result, cfg Config) Row {
	written := cost.Analyze(g, nil)
	fp := arch.FusedPlan(g)
	fused := cost.Analyze(g, &fp)
	view := written
	if cfg.Mode == runner.Fused {
		view = fused
	}
	r := Row{
		Version: RowVersion, Time: res.Time, Key: d.Key(), Name: d.Name, Preset: d.Preset,
		Family: string(d.Spec.Normalize().Family), Spec: d.Spec.Normalize(),
		Backend: cfg.Backend, Mode: string(cfg.Mode), Threads: cfg.Threads,
		Host: cfg.HostKey(), HostName: calib.HostName(cfg.Fingerprint), Fingerprint: res.Fingerprint,
		MAdds: written.Totals.MultAdds, FLOPs: written.Totals.FLOPs, AuxFLOPs: written.Totals.AuxFLOPs,
		Params: written.Totals.Params, MAC: written.Totals.MemAccess, MACFused: fused.Totals.MemAccess,
		LatencyMS: res.LatencyMS, ThroughputIPS: res.ThroughputIPS, Iters: res.Iters, Warmup: res.Warmup,
		TimeCapped: res.TimeCapped,
	}
	if r.Time.IsZero() {
		r.Time = time.Now().UTC().Truncate(time.Second)
	}
	if r.Fingerprint.CPU == "" && r.Fingerprint.GOARCH == "" {
		r.Fingerprint = cfg.Fingerprint
	}
	if r.Fingerprint.Kernels == "" {
		r.Fingerprint.Kernels = cfg.Kernels
	}
	if c, err := cfg.Calibration.At(cfg.Threads); err == nil {
		r.Ceiling, r.L2Bytes = c, cfg.Calibration.L2Bytes
		r.RooflineMS = float64(calib.Estimate(view, c, cfg.Calibration.L2Bytes)) / float64(time.Millisecond)
	}
	if res.Profile != nil {
		r.Categories, r.Ops = ProfilePoints(*res.Profile)
	}
	return r
}

// ProfilePoints condenses a profile into a row's category shares (the
// categories with any time, MAdds or MAC) and roofline points (the rows with
// time, MAdds and bytes: an op without MAdds has no place on a roofline).
func ProfilePoints(p runner.Profile) ([]CategoryShare, []OpPoint) {
	var cats []CategoryShare
	for _, c := range p.Categories {
		if c.Nanos == 0 && c.MultAdds == 0 && c.MemAccess == 0 {
			continue
		}
		cats = append(cats, CategoryShare{Name: c.Name, TimeMS: float64(c.Nanos) / 1e6,
			TimeShare: c.TimeShare, MAdds: c.MultAdds, MAC: c.MemAccess})
	}
	var ops []OpPoint
	for _, op := range p.Rows {
		if op.Nanos <= 0 || op.MultAdds == 0 || op.Bytes == 0 {
			continue
		}
		ops = append(ops, OpPoint{ID: op.ID, Category: string(op.Category),
			Intensity: float64(2*op.MultAdds) / float64(op.Bytes), GFLOPS: op.GFLOPS, TimeMS: float64(op.Nanos) / 1e6})
	}
	return cats, ops
}
