package native

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinsBeforeYield bounds how long a spinning thread busy-waits before it
// yields its processor once (protects against oversubscribed machines; on
// an idle machine a step hand-off takes far fewer iterations).
const spinsBeforeYield = 1 << 14

// idleSpin is how long a worker keeps spinning after its last chunk before
// it parks. Waking a parked goroutine costs tens of microseconds on the
// target VM (measured there: a channel send to a parked worker costs
// 240 ns empty and doubles a 17 us share), which back-to-back
// inferences would pay at their first steps; OpenMP runtimes and ONNX
// Runtime's thread pool spin for a while in the same way.
const idleSpin = 2 * time.Millisecond

// Worker states.
const (
	parked   int32 = 0 // blocked on its wake channel
	spinning int32 = 1 // polling the job word
)

// team runs the chunks of a job on nt threads: the caller plus nt-1
// persistent worker goroutines. A worker busy-spins on an atomic job word
// while jobs come (handing a step to it costs ~100 ns instead of a
// scheduler wake-up, measured on the target VM) and parks on a
// channel after idleSpin without work; start wakes parked workers at the
// beginning of an inference. No goroutine is created per step.
//
// A job has nt chunks. Threads claim chunks with a compare-and-swap on the
// job word (sequence number in the high 32 bits, next chunk in the low 32),
// so when a worker is descheduled (or still waking up) the caller takes
// over its chunk instead of waiting for it.
type team struct {
	nt        int
	fn        func(chunk int) // runs one chunk of the current job
	job       atomic.Uint64
	completed atomic.Int64
	state     []atomic.Int32
	wake      []chan struct{}
	stopped   atomic.Bool
	stop      chan struct{}
	stopOnce  sync.Once
}

func newTeam(nt int, fn func(chunk int)) *team {
	tm := &team{nt: nt, fn: fn, stop: make(chan struct{})}
	tm.wake = make([]chan struct{}, nt-1)
	tm.state = make([]atomic.Int32, nt-1)
	for i := range tm.wake {
		tm.wake[i] = make(chan struct{}, 1)
		go tm.worker(i)
	}
	return tm
}

// start wakes the parked workers for an inference (spinning ones need no
// wake-up). A worker parks only by moving its state from spinning to
// parked before it blocks, so a wake-up is never lost.
func (tm *team) start() {
	for i := range tm.wake {
		if tm.state[i].CompareAndSwap(parked, spinning) {
			tm.wake[i] <- struct{}{}
		}
	}
}

// claim runs chunks of job seq until none are left.
func (tm *team) claim(seq uint64) {
	for {
		v := tm.job.Load()
		if v>>32 != seq || int(uint32(v)) >= tm.nt {
			return
		}
		if tm.job.CompareAndSwap(v, v+1) {
			tm.fn(int(uint32(v)))
			tm.completed.Add(1)
		}
	}
}

// do runs all nt chunks of the current job and returns when they are done.
func (tm *team) do() {
	tm.completed.Store(0)
	seq := tm.job.Load()>>32 + 1
	tm.job.Store(seq << 32)
	tm.claim(seq)
	for n := 0; tm.completed.Load() != int64(tm.nt); n++ {
		if n == spinsBeforeYield {
			runtime.Gosched()
			n = 0
		}
	}
}

// close stops the workers; it is safe to call twice. A spinning worker
// sees it within one spin round.
func (tm *team) close() {
	tm.stopOnce.Do(func() {
		tm.stopped.Store(true)
		close(tm.stop)
	})
}

func (tm *team) worker(i int) {
	last := tm.job.Load() >> 32
	for {
		select {
		case <-tm.wake[i]:
		case <-tm.stop:
			return
		}
		idle := time.Now()
		for n := 0; ; n++ {
			if seq := tm.job.Load() >> 32; seq != last {
				last, n = seq, 0
				tm.claim(seq)
				idle = time.Now()
				continue
			}
			if n < spinsBeforeYield {
				continue
			}
			n = 0
			if tm.stopped.Load() {
				return
			}
			if time.Since(idle) > idleSpin && tm.state[i].CompareAndSwap(spinning, parked) {
				break
			}
			runtime.Gosched()
		}
	}
}

// span splits [0, n) into nt near-equal parts and returns part t.
func span(n, t, nt int) (int, int) { return n * t / nt, n * (t + 1) / nt }
