package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/stats"
)

// ResultVersion is the version of the Result JSON format. Bump it when a
// field changes meaning or is removed; adding an optional field keeps it.
const ResultVersion = 1

// progressEvery is the least time between two progress callbacks.
const progressEvery = 100 * time.Millisecond

// MeasureOptions control a measurement.
type MeasureOptions struct {
	// Warmup is the number of untimed runs before timing starts (>= 0).
	Warmup int
	// MinIters is the least number of timed runs (values below 1 mean 1).
	MinIters int
	// MinTime is the least total time of the timed runs (0: no floor).
	MinTime time.Duration
	// MaxTime caps the timed phase: timing stops once it has run this long,
	// even if MinIters or MinTime is not reached, after at least one timed
	// run (0: no cap). The result then has TimeCapped set.
	MaxTime time.Duration
	// Progress, if not nil, is called from Measure's goroutine at most every
	// 100 ms of progress and once at the end of a complete measurement.
	Progress func(Progress)
	// Spec is the design being measured; it is recorded in the result and
	// its batch size gives the throughput.
	Spec arch.Spec
}

// Phase names the stage a measurement is in.
type Phase string

// Measurement phases reported by Progress.
const (
	PhaseWarmup  Phase = "warmup"
	PhaseMeasure Phase = "measure"
	PhaseDone    Phase = "done"
)

// Progress reports how far a measurement has got.
type Progress struct {
	Phase   Phase
	Warmup  int           // warm-up runs done
	Done    int           // timed runs done
	Elapsed time.Duration // time since the measurement started, warm-up included
	// Fraction is the estimated fraction of the whole measurement done, in
	// [0, 1]; it is 1 only in the final PhaseDone report. The estimate
	// assumes every run takes the mean time of the runs so far.
	Fraction float64
}

// Result is one measurement of a design. It is the record written to the
// history and printed by `explorer run --format json`; its JSON shape is
// versioned by ResultVersion.
type Result struct {
	Version int       `json:"version"`
	Time    time.Time `json:"time"` // start of the measurement, UTC, whole seconds (RFC 3339)
	Backend string    `json:"backend"`
	Mode    Mode      `json:"mode"`
	Spec    arch.Spec `json:"spec"`
	Preset  string    `json:"preset,omitempty"` // the preset the design came from, if any
	Warmup  int       `json:"warmup"`           // warm-up runs done
	Iters   int       `json:"iters"`            // timed runs
	// LatencyMS summarises the per-run latencies in milliseconds.
	LatencyMS stats.Summary `json:"latency_ms"`
	// ThroughputIPS is images per second at the median latency: batch*1000/median.
	ThroughputIPS float64          `json:"throughput_ips"`
	Fingerprint   host.Fingerprint `json:"fingerprint"`
	// Cancelled marks a measurement stopped by its context; the statistics
	// cover the runs completed before.
	Cancelled bool `json:"cancelled,omitempty"`
	// TimeCapped marks a measurement stopped by MaxTime before reaching
	// MinIters or MinTime.
	TimeCapped bool `json:"time_capped,omitempty"`
	// Timer says what LatencyMS measures: TimerWall (the host's monotonic
	// clock around each Run) or TimerDevice (the accelerator's own events
	// around the forward pass, host<->device copies excluded).
	Timer Timer `json:"timer,omitempty"`
	// WallMS, set when Timer is TimerDevice, summarises the host wall time
	// of the same runs: launch, input and output copies and synchronisation.
	WallMS  *stats.Summary `json:"wall_ms,omitempty"`
	Profile *Profile       `json:"profile,omitempty"`
}

// Timer names the clock behind Result.LatencyMS.
type Timer string

// The clocks Measure uses.
const (
	// TimerWall is the host's monotonic clock around each Run.
	TimerWall Timer = "wall"
	// TimerDevice is the program's own device timer (CUDA events around
	// the forward pass), from an EventTimer program.
	TimerDevice Timer = "device-events"
)

// EventTimer is implemented by programs that run on an accelerator and
// time their forward pass on it (CUDA events): LastEventNanos is the device
// time of the last Run's pass, copies between host and device excluded.
// Measure then reports that time as the latency and the host wall time
// beside it: the event time is what the GPU spent, the wall time what the
// user waits, and each alone would hide the other's overhead.
type EventTimer interface {
	LastEventNanos() int64
}

// Measure times p: o.Warmup untimed runs, then timed runs until at least
// o.MinIters runs and o.MinTime have passed in host wall time (o.MaxTime
// caps the timed phase). Each run is timed on its own with the monotonic
// clock, and, when p is an EventTimer, also with its device events, which
// then give LatencyMS (WallMS keeps the wall times); a garbage collection
// runs between the warm-up and the timed phase.
//
// If ctx is cancelled, Measure stops before the next run and returns the
// partial result with Cancelled set together with an error wrapping
// ctx.Err(), so errors.Is(err, context.Canceled) holds. Any other run error
// ends the measurement with that error.
func Measure(ctx context.Context, p Program, input, output []float32, o MeasureOptions) (Result, error) {
	return measure(ctx, p, input, output, o, time.Now)
}

// measure is Measure with an injected clock.
func measure(ctx context.Context, p Program, input, output []float32, o MeasureOptions, now func() time.Time) (Result, error) {
	if o.Warmup < 0 {
		return Result{}, fmt.Errorf("measure: warm-up runs %d < 0", o.Warmup)
	}
	if o.MinTime < 0 || o.MaxTime < 0 {
		return Result{}, fmt.Errorf("measure: negative time limit (min %v, max %v)", o.MinTime, o.MaxTime)
	}
	minIters := max(o.MinIters, 1)
	info := p.Info()
	start := now()
	res := Result{
		Version: ResultVersion,
		Time:    start.UTC().Truncate(time.Second),
		Backend: info.Backend,
		Mode:    info.Mode,
		Spec:    o.Spec,
	}
	res.Fingerprint = host.Detect()
	res.Fingerprint.Threads = info.Threads
	res.Fingerprint.Kernels = info.Kernels
	res.Fingerprint.Backend = info.Backend
	res.Fingerprint.Device = info.Device
	res.Timer = TimerWall
	et, _ := p.(EventTimer)
	var dev []float64 // device times (ms) when et != nil
	if et != nil {
		res.Timer = TimerDevice
		dev = make([]float64, 0, max(minIters, 1024))
	}

	lat := make([]float64, 0, max(minIters, 1024))
	var timed time.Duration // sum of the timed runs
	lastReport := start
	report := func(ph Phase, t time.Time, final bool) {
		if o.Progress == nil || (!final && t.Sub(lastReport) < progressEvery) {
			return
		}
		lastReport = t
		pr := Progress{Phase: ph, Warmup: res.Warmup, Done: len(lat), Elapsed: t.Sub(start)}
		if final {
			pr.Fraction = 1
		} else {
			pr.Fraction = estimate(o, minIters, res.Warmup, len(lat), pr.Elapsed)
		}
		o.Progress(pr)
	}
	stop := func(err error) (Result, error) {
		res.Iters = len(lat)
		res.summarise(lat, dev)
		if ctx.Err() != nil {
			res.Cancelled = true
			return res, fmt.Errorf("measure %s/%s cancelled after %d warm-up and %d timed runs: %w",
				info.Backend, info.Mode, res.Warmup, len(lat), ctx.Err())
		}
		return res, err
	}

	for res.Warmup < o.Warmup {
		if ctx.Err() != nil {
			return stop(nil)
		}
		if err := p.Run(ctx, input, output); err != nil {
			return stop(fmt.Errorf("warm-up run %d: %w", res.Warmup+1, err))
		}
		res.Warmup++
		report(PhaseWarmup, now(), false)
	}
	// Start the timed phase with a clean heap so a collection of the
	// set-up's garbage does not land in it (as testing.B does).
	runtime.GC()
	for {
		if ctx.Err() != nil {
			return stop(nil)
		}
		t0 := now()
		if err := p.Run(ctx, input, output); err != nil {
			return stop(fmt.Errorf("timed run %d: %w", len(lat)+1, err))
		}
		t1 := now()
		d := t1.Sub(t0)
		timed += d
		lat = append(lat, float64(d)/float64(time.Millisecond))
		if et != nil {
			dev = append(dev, float64(et.LastEventNanos())/1e6)
		}
		if len(lat) >= minIters && timed >= o.MinTime {
			break
		}
		if o.MaxTime > 0 && timed >= o.MaxTime {
			res.TimeCapped = true
			break
		}
		report(PhaseMeasure, t1, false)
	}
	res.Iters = len(lat)
	res.summarise(lat, dev)
	report(PhaseDone, now(), true)
	return res, nil
}

// summarise fills the latency statistics and the throughput: from the
// device times dev when the program has a device timer, with the wall
// times lat beside them, else from lat.
func (r *Result) summarise(lat, dev []float64) {
	r.LatencyMS = stats.Summarize(lat)
	if r.Timer == TimerDevice {
		wall := r.LatencyMS
		r.WallMS = &wall
		r.LatencyMS = stats.Summarize(dev)
	}
	if r.LatencyMS.Median > 0 {
		r.ThroughputIPS = float64(max(r.Spec.Batch, 1)) * 1000 / r.LatencyMS.Median
	}
}

// estimate is the fraction of the measurement done, assuming every run
// takes the mean time of the runs so far.
func estimate(o MeasureOptions, minIters, warm, done int, elapsed time.Duration) float64 {
	runs := warm + done
	if runs == 0 {
		return 0
	}
	per := float64(elapsed) / float64(runs)
	need := float64(minIters)
	if per > 0 {
		need = max(need, float64(o.MinTime)/per)
		if o.MaxTime > 0 {
			need = min(need, max(float64(o.MaxTime)/per, 1))
		}
	}
	f := float64(runs) / (float64(o.Warmup) + need)
	return min(max(f, 0), 0.999)
}

// IsCancelled reports whether err comes from a cancelled or timed-out
// context.
func IsCancelled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
