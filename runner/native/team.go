package native

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// spinsBeforeYield bounds how long a spinning thread busy-waits before it
// yields its processor once (protects against oversubscribed machines; on
// an idle machine a step hand-off takes far fewer iterations).
const spinsBeforeYield = 1 << 14

// team runs the chunks of a job on nt threads: the caller plus nt-1
// persistent worker goroutines. Workers park on a channel between
// inferences; during an inference (between start and park) they busy-spin
// on an atomic job word, so handing a step to them costs ~100 ns instead of
// a scheduler wake-up (reference/engine.md section 3.3). No goroutine is
// created per step.
//
// A job has nt chunks. Threads claim chunks with a compare-and-swap on the
// job word (sequence number in the high 32 bits, next chunk in the low 32),
// so when a worker is descheduled by the OS the caller takes over its
// chunk instead of waiting for it.
type team struct {
	nt        int
	fn        func(chunk int) // runs one chunk of the current job
	job       atomic.Uint64
	completed atomic.Int64
	parking   atomic.Bool
	parked    atomic.Int64
	wake      []chan uint64
	stop      chan struct{}
	stopOnce  sync.Once
}

func newTeam(nt int, fn func(chunk int)) *team {
	tm := &team{nt: nt, fn: fn, stop: make(chan struct{})}
	tm.wake = make([]chan uint64, nt-1)
	for i := range tm.wake {
		tm.wake[i] = make(chan uint64, 1)
		go tm.worker(i)
	}
	return tm
}

// start wakes the workers for an inference.
func (tm *team) start() {
	s := tm.job.Load() >> 32
	for _, c := range tm.wake {
		c <- s
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

// park sends the workers back to sleep at the end of an inference and waits
// until they are.
func (tm *team) park() {
	tm.parking.Store(true)
	seq := tm.job.Load()>>32 + 1
	tm.job.Store(seq<<32 | uint64(tm.nt))
	for n := 0; tm.parked.Load() != int64(tm.nt-1); n++ {
		if n == spinsBeforeYield {
			runtime.Gosched()
			n = 0
		}
	}
	tm.parked.Store(0)
	tm.parking.Store(false)
}

// close stops the workers (they must be parked); it is safe to call twice.
func (tm *team) close() { tm.stopOnce.Do(func() { close(tm.stop) }) }

func (tm *team) worker(i int) {
	for {
		var last uint64
		select {
		case last = <-tm.wake[i]:
		case <-tm.stop:
			return
		}
		for n := 0; ; n++ {
			seq := tm.job.Load() >> 32
			if seq == last {
				if n == spinsBeforeYield {
					runtime.Gosched()
					n = 0
				}
				continue
			}
			last, n = seq, 0
			if tm.parking.Load() {
				tm.parked.Add(1)
				break
			}
			tm.claim(seq)
		}
	}
}

// span splits [0, n) into nt near-equal parts and returns part t.
func span(n, t, nt int) (int, int) { return n * t / nt, n * (t + 1) / nt }
