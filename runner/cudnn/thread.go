package cudnn

import "runtime"

// request is one function to run on the library thread.
type request struct {
	fn   func() error
	err  error
	done chan struct{}
}

// thread runs functions on one goroutine locked to its OS thread: CUDA
// stream capture and the cuDNN/cuBLAS handles are per thread, so every
// library call of a backend goes through it (CUDA programming guide,
// "Stream Capture": in global capture mode, potentially unsafe calls from
// any thread are prohibited while a capture is in progress).
type thread struct {
	reqs chan *request
}

// startThread starts the locked goroutine. It runs until stop.
func startThread() *thread {
	t := &thread{reqs: make(chan *request)}
	ready := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		close(ready)
		for r := range t.reqs {
			r.err = r.fn()
			r.done <- struct{}{}
		}
	}()
	<-ready
	return t
}

// newRequest prepares a reusable request for fn (no allocation per use).
func newRequest(fn func() error) *request {
	return &request{fn: fn, done: make(chan struct{}, 1)}
}

// run executes a prepared request on the thread and waits for it.
func (t *thread) run(r *request) error {
	t.reqs <- r
	<-r.done
	return r.err
}

// do runs fn on the thread and waits for it.
func (t *thread) do(fn func() error) error { return t.run(newRequest(fn)) }

// stop ends the thread's goroutine (and with it the locked OS thread).
func (t *thread) stop() { close(t.reqs) }
