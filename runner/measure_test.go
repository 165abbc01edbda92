package runner

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/shufflelab/explorer/arch"
)

// fakeClock is a manual clock: it moves only when the fake program runs.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// fakeProgram "runs" by advancing the fake clock by the next duration of
// durs (cycling), so timings are exact without sleeping.
type fakeProgram struct {
	clock    *fakeClock
	durs     []time.Duration
	calls    int
	cancelAt int                // call number (1-based) during which cancel is called; 0 = never
	cancel   context.CancelFunc // cancels the measurement's context
	failAt   int                // call number that returns errBoom; 0 = never
	steps    [][]StepTime       // Profile results, one per call (cycling)
}

var errBoom = errors.New("boom")

func (p *fakeProgram) Run(ctx context.Context, in, out []float32) error {
	p.calls++
	p.clock.t = p.clock.t.Add(p.durs[(p.calls-1)%len(p.durs)])
	if p.calls == p.failAt {
		return errBoom
	}
	if p.calls == p.cancelAt {
		p.cancel()
		return ctx.Err() // a cooperative program notices mid-run
	}
	return nil
}

func (p *fakeProgram) Profile(ctx context.Context, in, out []float32) ([]StepTime, error) {
	p.calls++
	return p.steps[(p.calls-1)%len(p.steps)], nil
}

func (p *fakeProgram) Info() ProgramInfo {
	return ProgramInfo{Backend: "fake", Mode: Fused, Threads: 2, Kernels: "generic", Device: "test"}
}

func (p *fakeProgram) Close() error { return nil }

func newFake(durs ...time.Duration) (*fakeProgram, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 11, 26, 22, 0, 0, 123, time.UTC)}
	return &fakeProgram{clock: c, durs: durs}, c
}

const ms = time.Millisecond

func TestMeasureCounts(t *testing.T) {
	tests := []struct {
		name       string
		durs       []time.Duration
		o          MeasureOptions
		wantWarm   int
		wantIters  int
		wantCapped bool
	}{
		// MinIters dominates: no time floor.
		{name: "min iters", durs: []time.Duration{10 * ms}, o: MeasureOptions{Warmup: 3, MinIters: 5}, wantWarm: 3, wantIters: 5},
		// MinTime dominates: 10 ms runs reach 95 ms after the 10th (100 ms).
		{name: "min time", durs: []time.Duration{10 * ms}, o: MeasureOptions{Warmup: 1, MinIters: 2, MinTime: 95 * ms}, wantWarm: 1, wantIters: 10},
		// both exactly: 4 runs of 25 ms = 100 ms >= 100 ms and >= 4 runs.
		{name: "both exact", durs: []time.Duration{25 * ms}, o: MeasureOptions{MinIters: 4, MinTime: 100 * ms}, wantIters: 4},
		// MaxTime caps: 10 ms runs pass 35 ms after the 4th (40 ms), far before 100 runs.
		{name: "max time", durs: []time.Duration{10 * ms}, o: MeasureOptions{Warmup: 2, MinIters: 100, MaxTime: 35 * ms}, wantWarm: 2, wantIters: 4, wantCapped: true},
		// MinIters 0 means 1.
		{name: "zero iters", durs: []time.Duration{10 * ms}, o: MeasureOptions{}, wantIters: 1},
		// warm-up time does not count towards MinTime: 5 warm-up runs of 50 ms, then 2 timed ones reach 100 ms.
		{name: "warmup untimed", durs: []time.Duration{50 * ms}, o: MeasureOptions{Warmup: 5, MinIters: 1, MinTime: 100 * ms}, wantWarm: 5, wantIters: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c := newFake(tc.durs...)
			res, err := measure(context.Background(), p, nil, nil, tc.o, c.now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Warmup != tc.wantWarm || res.Iters != tc.wantIters || res.TimeCapped != tc.wantCapped {
				t.Errorf("warmup %d iters %d capped %v; want %d %d %v", res.Warmup, res.Iters, res.TimeCapped, tc.wantWarm, tc.wantIters, tc.wantCapped)
			}
			if p.calls != tc.wantWarm+tc.wantIters {
				t.Errorf("program ran %d times, want %d", p.calls, tc.wantWarm+tc.wantIters)
			}
			if res.Cancelled {
				t.Error("Cancelled set on a complete run")
			}
		})
	}
}

func TestMeasureStats(t *testing.T) {
	// Timed runs take 1, 2, 3, 4 ms (the warm-up run takes the first 1 ms of
	// the cycle, so timed ones start at 2): cycle 1,2,3,4,1 -> timed 2,3,4,1.
	p, c := newFake(1*ms, 2*ms, 3*ms, 4*ms)
	res, err := measure(context.Background(), p, nil, nil, MeasureOptions{Warmup: 1, MinIters: 4, Spec: arch.Spec{Batch: 2}}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	l := res.LatencyMS
	// sorted 1,2,3,4 ms: median 2.5, p10 1.3, p90 3.7, IQR 3.25-1.75 (see stats tests).
	if l.Median != 2.5 || l.Min != 1 || l.Max != 4 || math.Abs(l.P10-1.3) > 1e-12 || math.Abs(l.P90-3.7) > 1e-12 || l.IQR != 1.5 || l.Mean != 2.5 {
		t.Errorf("latency %+v", l)
	}
	// throughput = batch*1000/median = 2*1000/2.5.
	if res.ThroughputIPS != 800 {
		t.Errorf("throughput %v, want 800", res.ThroughputIPS)
	}
	if res.Version != 1 || res.Backend != "fake" || res.Mode != Fused || res.Fingerprint.Threads != 2 ||
		res.Fingerprint.Kernels != "generic" || res.Fingerprint.Backend != "fake" || res.Fingerprint.Device != "test" {
		t.Errorf("metadata %+v", res)
	}
	if want := time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC); !res.Time.Equal(want) {
		t.Errorf("time %v, want %v (start, whole seconds)", res.Time, want)
	}
}

func TestMeasureCancel(t *testing.T) {
	tests := []struct {
		name      string
		warmup    int
		cancelAt  int // Run call that cancels and fails with ctx.Err()
		wantWarm  int
		wantIters int
	}{
		// warm-up 2, then timed runs 3,4,5 complete and call 6 is cancelled.
		{name: "mid measure", warmup: 2, cancelAt: 6, wantWarm: 2, wantIters: 3},
		// cancelled in the second warm-up run: no timed runs.
		{name: "in warm-up", warmup: 5, cancelAt: 2, wantWarm: 1, wantIters: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, c := newFake(5 * ms)
			p.cancelAt, p.cancel = tc.cancelAt, cancel
			res, err := measure(ctx, p, nil, nil, MeasureOptions{Warmup: tc.warmup, MinIters: 1000}, c.now)
			if !errors.Is(err, context.Canceled) || !IsCancelled(err) {
				t.Fatalf("err = %v, want one wrapping context.Canceled", err)
			}
			if !res.Cancelled || res.Warmup != tc.wantWarm || res.Iters != tc.wantIters {
				t.Errorf("cancelled %v warmup %d iters %d; want true %d %d", res.Cancelled, res.Warmup, res.Iters, tc.wantWarm, tc.wantIters)
			}
			if p.calls != tc.cancelAt {
				t.Errorf("program ran %d times after cancellation at call %d", p.calls, tc.cancelAt)
			}
			if tc.wantIters > 0 && res.LatencyMS.Median != 5 {
				t.Errorf("partial median %v, want 5", res.LatencyMS.Median)
			}
		})
	}
}

// cancelAfter cancels the context after a run that itself succeeds: the
// measurement stops before the next run and keeps that run.
func TestMeasureCancelBetweenRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, c := newFake(5 * ms)
	calls := 0
	o := MeasureOptions{MinIters: 1000, Progress: func(Progress) {}}
	wrapped := &hookProgram{fakeProgram: p, after: func() {
		calls++
		if calls == 4 {
			cancel()
		}
	}}
	res, err := measure(ctx, wrapped, nil, nil, o, c.now)
	if !errors.Is(err, context.Canceled) || !res.Cancelled || res.Iters != 4 || p.calls != 4 {
		t.Errorf("err %v cancelled %v iters %d calls %d; want Canceled true 4 4", err, res.Cancelled, res.Iters, p.calls)
	}
}

type hookProgram struct {
	*fakeProgram
	after func()
}

func (h *hookProgram) Run(ctx context.Context, in, out []float32) error {
	err := h.fakeProgram.Run(ctx, in, out)
	h.after()
	return err
}

func TestMeasureRunError(t *testing.T) {
	p, c := newFake(5 * ms)
	p.failAt = 3
	res, err := measure(context.Background(), p, nil, nil, MeasureOptions{Warmup: 1, MinIters: 10}, c.now)
	if !errors.Is(err, errBoom) || IsCancelled(err) || res.Cancelled {
		t.Fatalf("err %v cancelled %v; want errBoom, not cancelled", err, res.Cancelled)
	}
	if res.Iters != 1 || p.calls != 3 {
		t.Errorf("iters %d calls %d; want 1 3", res.Iters, p.calls)
	}
}

func TestMeasureBadOptions(t *testing.T) {
	for _, o := range []MeasureOptions{{Warmup: -1}, {MinTime: -ms}, {MaxTime: -ms}} {
		p, c := newFake(ms)
		if _, err := measure(context.Background(), p, nil, nil, o, c.now); err == nil || p.calls != 0 {
			t.Errorf("%+v: err %v after %d runs; want an error before running", o, err, p.calls)
		}
	}
}

func TestMeasureProgress(t *testing.T) {
	// 40 ms runs, 100 ms between reports: warm-up 3 and 10 timed runs = 13 runs,
	// 520 ms; reports when >= 100 ms passed since the last: at 120 (run 3),
	// 240, 360, 480 ms, then the final one.
	p, c := newFake(40 * ms)
	var got []Progress
	o := MeasureOptions{Warmup: 3, MinIters: 10, Progress: func(pr Progress) { got = append(got, pr) }}
	res, err := measure(context.Background(), p, nil, nil, o, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d reports, want 5: %+v", len(got), got)
	}
	wantElapsed := []time.Duration{120 * ms, 240 * ms, 360 * ms, 480 * ms, 520 * ms}
	wantPhase := []Phase{PhaseWarmup, PhaseMeasure, PhaseMeasure, PhaseMeasure, PhaseDone}
	for i, pr := range got {
		if pr.Elapsed != wantElapsed[i] || pr.Phase != wantPhase[i] {
			t.Errorf("report %d: %+v; want elapsed %v phase %s", i, pr, wantElapsed[i], wantPhase[i])
		}
		if i > 0 && (pr.Fraction < got[i-1].Fraction || pr.Done < got[i-1].Done) {
			t.Errorf("report %d goes backwards: %+v after %+v", i, pr, got[i-1])
		}
		if i < len(got)-1 && pr.Fraction >= 1 {
			t.Errorf("report %d claims completion: %+v", i, pr)
		}
	}
	// run 3 of 13 at the first report: fraction 3/13.
	if math.Abs(got[0].Fraction-3.0/13) > 1e-12 {
		t.Errorf("first fraction %v, want 3/13", got[0].Fraction)
	}
	last := got[len(got)-1]
	if last.Fraction != 1 || last.Done != res.Iters || last.Warmup != 3 {
		t.Errorf("final report %+v, want fraction 1, done %d, warmup 3", last, res.Iters)
	}
}

// TestResultJSON pins the versioned JSON shape of a result.
func TestResultJSON(t *testing.T) {
	p, c := newFake(2 * ms)
	res, err := measure(context.Background(), p, nil, nil, MeasureOptions{MinIters: 3, Spec: arch.Spec{Family: arch.ShuffleNetV2, Width: 1, Batch: 1}}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"backend", "fingerprint", "iters", "latency_ms", "mode", "spec", "throughput_ips", "time", "timer", "version", "warmup"}
	if got := sortedKeys(m); !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v (optional keys omitted when empty)", got, want)
	}
	if string(m["version"]) != "1" || string(m["mode"]) != `"fused"` || string(m["iters"]) != "3" {
		t.Errorf("version %s mode %s iters %s", m["version"], m["mode"], m["iters"])
	}
	var ts string
	if err := json.Unmarshal(m["time"], &ts); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339, ts); err != nil || ts != "2026-11-26T22:00:00Z" {
		t.Errorf("time %q (%v), want RFC 3339 2026-11-26T22:00:00Z", ts, err)
	}
	var lat map[string]json.RawMessage
	if err := json.Unmarshal(m["latency_ms"], &lat); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"median", "min", "max", "p10", "p90", "iqr", "mean", "stddev"} {
		if _, ok := lat[k]; !ok {
			t.Errorf("latency_ms lacks %q: %s", k, m["latency_ms"])
		}
	}
	// round trip
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || back.Iters != 3 || back.LatencyMS.Median != 2 || back.Spec.Family != arch.ShuffleNetV2 {
		t.Errorf("round trip %+v, %v", back, err)
	}
	// optional keys appear when set
	res.Cancelled, res.TimeCapped, res.Profile = true, true, &Profile{}
	b, _ = json.Marshal(res)
	m = nil
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"cancelled", "time_capped", "profile"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing when set", k)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// eventProgram is a fakeProgram with a device timer: each pass takes a
// quarter of the run's wall time on the "device" (the rest is copies).
type eventProgram struct {
	*fakeProgram
	last time.Duration
}

func (p *eventProgram) Run(ctx context.Context, in, out []float32) error {
	t0 := p.clock.t
	err := p.fakeProgram.Run(ctx, in, out)
	p.last = p.clock.t.Sub(t0) / 4
	return err
}

func (p *eventProgram) LastEventNanos() int64 { return p.last.Nanoseconds() }

func TestMeasureDeviceTimer(t *testing.T) {
	cases := []struct {
		name       string
		prog       func(*fakeProgram) Program
		wantTimer  Timer
		wantMedian float64 // ms
		wantWall   float64 // ms; 0 = no WallMS
	}{
		// Wall runs of 4, 8, 12 ms: median 8; device quarters 1, 2, 3: median 2.
		{"wall clock", func(f *fakeProgram) Program { return f }, TimerWall, 8, 0},
		{"device events", func(f *fakeProgram) Program { return &eventProgram{fakeProgram: f} }, TimerDevice, 2, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(4*ms, 8*ms, 12*ms)
			res, err := measure(context.Background(), tc.prog(f), nil, nil,
				MeasureOptions{MinIters: 3, Spec: arch.Spec{Batch: 1}}, c.now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Timer != tc.wantTimer || res.LatencyMS.Median != tc.wantMedian {
				t.Errorf("timer %q median %v, want %q %v", res.Timer, res.LatencyMS.Median, tc.wantTimer, tc.wantMedian)
			}
			if tc.wantWall == 0 {
				if res.WallMS != nil {
					t.Errorf("wall %+v, want none", res.WallMS)
				}
			} else if res.WallMS == nil || res.WallMS.Median != tc.wantWall {
				t.Errorf("wall %+v, want median %v", res.WallMS, tc.wantWall)
			}
			// Throughput follows the reported latency: 1000/median.
			if want := 1000 / tc.wantMedian; res.ThroughputIPS != want {
				t.Errorf("throughput %v, want %v", res.ThroughputIPS, want)
			}
		})
	}
}
