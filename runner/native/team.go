package native

import (
	"runtime"
	"sync/atomic"
)

// spinsBeforeYield bounds how long a spinning thread busy-waits before it
// yields its processor once (protects against oversubscribed machines; on
// an idle machine a step hand-off takes far fewer iterations).
const spinsBeforeYield = 1 << 16

// doneFlag is a per-worker completion counter on its own cache line.
type doneFlag struct {
	v atomic.Uint64
	_ [56]byte
}

// team runs a function on nt threads: the caller plus nt-1 persistent
// worker goroutines. Workers park on a channel between inferences; during
// an inference (between wake and park) they busy-spin on an atomic
// sequence number, so handing a step to them costs ~100 ns instead of a
// scheduler wake-up (reference/engine.md section 3.3). No goroutine is
// created per step.
type team struct {
	nt      int
	fn      func(t int) // the work of thread t for the current job
	seq     atomic.Uint64
	parking atomic.Bool
	done    []doneFlag
	wake    []chan uint64
	stop    chan struct{}
}

func newTeam(nt int, fn func(t int)) *team {
	tm := &team{nt: nt, fn: fn, stop: make(chan struct{})}
	tm.done = make([]doneFlag, nt-1)
	tm.wake = make([]chan uint64, nt-1)
	for i := range tm.wake {
		tm.wake[i] = make(chan uint64, 1)
		go tm.worker(i)
	}
	return tm
}

// start wakes the workers for an inference.
func (tm *team) start() {
	s := tm.seq.Load()
	for _, c := range tm.wake {
		c <- s
	}
}

// do runs fn on every thread (the caller is thread 0) and returns when all
// are done.
func (tm *team) do() {
	s := tm.seq.Add(1)
	if !tm.parking.Load() {
		tm.fn(0)
	}
	for i := range tm.done {
		for n := 0; tm.done[i].v.Load() != s; n++ {
			if n == spinsBeforeYield {
				runtime.Gosched()
				n = 0
			}
		}
	}
}

// park sends the workers back to sleep at the end of an inference.
func (tm *team) park() {
	tm.parking.Store(true)
	tm.do()
	tm.parking.Store(false)
}

// close stops the workers (they must be parked).
func (tm *team) close() { close(tm.stop) }

func (tm *team) worker(i int) {
	for {
		var last uint64
		select {
		case last = <-tm.wake[i]:
		case <-tm.stop:
			return
		}
		for n := 0; ; n++ {
			s := tm.seq.Load()
			if s == last {
				if n == spinsBeforeYield {
					runtime.Gosched()
					n = 0
				}
				continue
			}
			last, n = s, 0
			if tm.parking.Load() {
				tm.done[i].v.Store(s)
				break
			}
			tm.fn(i + 1)
			tm.done[i].v.Store(s)
		}
	}
}

// span splits [0, n) into nt near-equal parts and returns part t.
func span(n, t, nt int) (int, int) { return n * t / nt, n * (t + 1) / nt }
