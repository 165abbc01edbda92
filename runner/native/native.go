// Package native is the CPU backend of the runner (pure Go, calling the
// Go-assembly kernel sets of runner/kernels: avx512, avx2 or neon, and the
// pure-Go generic set where none of them runs).
//
// Activations are NHWC with a pixel stride, so channel split and concat are
// channel offsets into a shared buffer. Compile plans every buffer once
// (buffers with disjoint lifetimes share memory), folds and packs the
// weights once, and builds a list of steps; Run executes the steps with no
// allocation. Two modes (runner.Eager, runner.Fused) follow arch.EagerPlan
// and arch.FusedPlan. With Options.Threads > 1 every step is split between
// the caller and persistent worker goroutines that spin on an atomic
// sequence number while steps come and park after a short idle spin.
//
// Eager runs one step per graph op, each writing its own buffer: batch
// norm and ReLU are separate passes, split, concat and shuffle are copies.
//
// Fused folds batch norm into the conv weights and bias, applies ReLU or
// ReLU6 in the kernel epilogue and a residual add in a small epilogue pass
// of the same step. Producers write straight into their slice of a concat.
// A channel shuffle becomes a per-tensor channel map (view.pos) that
// consumers absorb: 1x1 convs and FC permute their weight columns,
// depthwise convs and pooling carry the map on to their outputs, per-element
// passes and epilogues read any positions. When the shuffle's input comes
// from a dense 1x1 conv read by nothing else, the conv writes its rows in
// shuffled order instead. For ShuffleNetV2's concat -> shuffle -> split, the
// concat's buffer is laid out so that both split parts are contiguous
// ranges; the only copy left per stride-1 unit is the passthrough half
// into the next concat, run as a step of that concat (named and anchored at
// the concat's op ID, the op the fused cost view charges the copy to). A
// shuffle no consumer can absorb is a copy step of the shuffle op; only the
// gather fallback (a consumer that cannot read a channel map) is a step of
// no op, named "<tensor origin>.copy".
package native

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/weights"
)

// maxThreads bounds Options.Threads.
const maxThreads = 256

type backend struct{}

// New returns the native CPU backend.
func New() runner.Backend { return backend{} }

// Name is "native".
func (backend) Name() string { return "native" }

// Available is always nil: the backend is pure Go.
func (backend) Available() error { return nil }

// Compile checks the weights and the memory estimate, then plans buffers,
// folds and packs weights and builds the steps of opts.Mode (default fused).
// opts.Kernels names the program's kernel set (kernels.Lookup: "" or "auto"
// is the best this CPU supports); the program calls every kernel through
// that set, whatever other programs in the process use.
func (backend) Compile(g *arch.Graph, w weights.Set, opts runner.Options) (runner.Program, error) {
	if opts.Mode == "" {
		opts.Mode = runner.Fused
	}
	if _, err := runner.ParseMode(string(opts.Mode)); err != nil {
		return nil, err
	}
	if opts.Threads == 0 {
		opts.Threads = 1
	}
	if opts.Threads < 1 || opts.Threads > maxThreads {
		return nil, &arch.KnobError{Knob: "threads", Value: fmt.Sprint(opts.Threads), Valid: fmt.Sprintf("1..%d", maxThreads)}
	}
	ks, err := kernels.Lookup(opts.Kernels)
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if err := w.Check(g); err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	if err := runner.CheckMemory(g, opts); err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	p := &program{g: g, nt: opts.Threads, ks: ks}
	pl := newPlanner(g, w, opts.Mode == runner.Fused, &p.in, &p.out)
	if err := pl.build(); err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	act := pl.allocate()
	p.steps = pl.steps
	p.inLen = int(g.Tensors[g.Input].Shape.Elems())
	p.outLen = int(g.Tensors[g.Output].Shape.Elems())
	p.info = runner.ProgramInfo{Backend: "native", Mode: opts.Mode, Threads: opts.Threads, Kernels: ks.Name(),
		Bytes: act + pl.packed, Device: fmt.Sprintf("%s/%s CPU, %s", runtime.GOOS, runtime.GOARCH, threadsWord(opts.Threads))}
	if p.nt > 1 {
		p.team = newTeam(p.nt, p.share)
	}
	h := &handle{p}
	if p.team != nil {
		// Workers reference the program, not the handle: a program dropped
		// without Close still has its parked workers stopped.
		runtime.AddCleanup(h, func(tm *team) { tm.close() }, p.team)
	}
	return h, nil
}

// handle is the Program given to callers; see the cleanup in Compile.
type handle struct{ p *program }

// Run computes output (NCHW) from input (NCHW) without allocating.
func (h *handle) Run(ctx context.Context, input, output []float32) error {
	defer runtime.KeepAlive(h)
	return h.p.Run(ctx, input, output)
}

// Profile runs once and times every step.
func (h *handle) Profile(ctx context.Context, input, output []float32) ([]runner.StepTime, error) {
	defer runtime.KeepAlive(h)
	return h.p.Profile(ctx, input, output)
}

// Info describes the program.
func (h *handle) Info() runner.ProgramInfo { return h.p.Info() }

// Close stops the worker goroutines.
func (h *handle) Close() error { return h.p.Close() }

// program is a compiled network. Run and Profile are serialised by mu.
type program struct {
	g       *arch.Graph
	nt      int
	ks      *kernels.Set // every step's kernels
	steps   []entry
	team    *team
	cur     int       // step being run (read by workers after the team's sequence store)
	in, out []float32 // the current call's input and output
	inLen   int
	outLen  int
	info    runner.ProgramInfo
	mu      sync.Mutex
	closed  bool
}

// share runs thread t's part of the current step.
func (p *program) share(t int) { p.steps[p.cur].s.run(p.ks, t, p.nt) }

func (p *program) check(input, output []float32) error {
	if p.closed {
		return fmt.Errorf("native: program is closed")
	}
	if len(input) != p.inLen || len(output) != p.outLen {
		return fmt.Errorf("native: input has %d values and output %d, want %d (%s) and %d (%s)",
			len(input), len(output), p.inLen, p.g.Tensors[p.g.Input].Shape, p.outLen, p.g.Tensors[p.g.Output].Shape)
	}
	return nil
}

// exec runs every step, calling each(i, elapsed) after step i when timed.
func (p *program) exec(ctx context.Context, input, output []float32, times []int64) error {
	p.in, p.out = input, output
	defer func() { p.in, p.out = nil, nil }()
	if p.team != nil {
		p.team.start()
	}
	for i := range p.steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		var t0 time.Time
		if times != nil {
			t0 = time.Now()
		}
		p.cur = i
		if p.team != nil {
			p.team.do()
		} else {
			p.steps[i].s.run(p.ks, 0, 1)
		}
		if times != nil {
			times[i] = time.Since(t0).Nanoseconds()
		}
	}
	return nil
}

// Run computes output (NCHW) from input (NCHW). It does not allocate and
// returns ctx.Err() between steps when ctx is cancelled.
func (p *program) Run(ctx context.Context, input, output []float32) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(input, output); err != nil {
		return err
	}
	return p.exec(ctx, input, output, nil)
}

// Profile runs once and times every step.
func (p *program) Profile(ctx context.Context, input, output []float32) ([]runner.StepTime, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(input, output); err != nil {
		return nil, err
	}
	times := make([]int64, len(p.steps))
	if err := p.exec(ctx, input, output, times); err != nil {
		return nil, err
	}
	out := make([]runner.StepTime, len(p.steps))
	for i, e := range p.steps {
		out[i] = runner.StepTime{Name: e.name, Ops: e.ops, Nanos: times[i]}
	}
	return out, nil
}

// Info describes the program.
func (p *program) Info() runner.ProgramInfo { return p.info }

// Close stops the worker goroutines; the program cannot run afterwards.
func (p *program) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && p.team != nil {
		p.team.close()
	}
	p.closed = true
	return nil
}

// threadsWord is "1 thread" or "N threads".
func threadsWord(n int) string {
	if n == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", n)
}
