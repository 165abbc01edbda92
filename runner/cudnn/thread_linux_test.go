package cudnn

import (
	"errors"
	"sync"
	"syscall"
	"testing"
)

// TestThreadRunsOnOneOSThread checks that every function, from any
// goroutine, runs on the same OS thread, in submission order per caller,
// and that errors come back.
func TestThreadRunsOnOneOSThread(t *testing.T) {
	th := startThread()
	defer th.stop()
	var tid int
	if err := th.do(func() error { tid = syscall.Gettid(); return nil }); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var other []int
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newRequest(func() error {
				mu.Lock()
				defer mu.Unlock()
				other = append(other, syscall.Gettid())
				return nil
			})
			for j := 0; j < 50; j++ {
				if err := th.run(r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if len(other) != 400 {
		t.Fatalf("%d runs, want 400", len(other))
	}
	for _, id := range other {
		if id != tid {
			t.Fatalf("ran on thread %d, want %d", id, tid)
		}
	}
	want := errors.New("boom")
	if err := th.do(func() error { return want }); err != want {
		t.Errorf("err = %v, want %v", err, want)
	}
}

func TestThreadRequestDoesNotAllocate(t *testing.T) {
	th := startThread()
	defer th.stop()
	n := 0
	r := newRequest(func() error { n++; return nil })
	allocs := testing.AllocsPerRun(100, func() { _ = th.run(r) })
	if allocs != 0 {
		t.Errorf("a prepared request allocates %v times per run, want 0", allocs)
	}
}
