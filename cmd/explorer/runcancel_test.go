package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// blockingBackend's Compile takes until release is closed, as a big
// design's does; started is closed when it begins.
type blockingBackend struct {
	fakeBackend
	started, release chan struct{}
	once             sync.Once
	closed           atomic.Bool // the program it compiled was closed
}

func (b *blockingBackend) Compile(g *arch.Graph, w weights.Set, o runner.Options) (runner.Program, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	p, err := b.fakeBackend.Compile(g, w, o)
	return closeWatch{p, &b.closed}, err
}

// closeWatch is a program that records its Close.
type closeWatch struct {
	runner.Program
	closed *atomic.Bool
}

func (p closeWatch) Close() error {
	p.closed.Store(true)
	return nil
}

// runAsync runs runWith on its own goroutine and returns its error's
// channel.
func runAsync(ctx context.Context, d runDeps, args ...string) <-chan error {
	ch := make(chan error, 1)
	go func() {
		var out, errb syncBuffer
		ch <- runWith(ctx, append(append([]string{}, small...), args...), &out, &errb, d)
	}()
	return ch
}

// wantCancelled waits for a runWith error and checks it is exit 130.
func wantCancelled(t *testing.T, ch <-chan error) {
	t.Helper()
	select {
	case err := <-ch:
		var ee exitError
		if !errors.As(err, &ee) || ee.code != 130 || ee.err.Error() != "cancelled" {
			t.Fatalf("err %v, want exit 130 cancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run still going 10 s after the cancel")
	}
}

// TestRunCancelDuringCompile: a cancel while the design compiles ends run
// at once (exit 130); the compilation, when it ends, has its program
// closed. run waited for Compile, which takes no context: 7 s for
// ShuffleNetV2 16x at 32 px, 20 s at 512 px.
func TestRunCancelDuringCompile(t *testing.T) {
	f := newFakeDeps()
	be := &blockingBackend{fakeBackend: *f.be, started: make(chan struct{}), release: make(chan struct{})}
	d := f.deps()
	d.backend = func(string) (runner.Backend, error) { return be, nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := runAsync(ctx, d, "--history", "off")
	<-be.started
	cancel()
	wantCancelled(t, ch)
	close(be.release)
	deadline := time.Now().Add(10 * time.Second)
	for !be.closed.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !be.closed.Load() {
		t.Error("the program compiled after the cancel was not closed")
	}
}

// TestRunCancelDuringWeights: a cancel while the random weights are drawn
// ends run (exit 130) before anything is compiled.
func TestRunCancelDuringWeights(t *testing.T) {
	f := newFakeDeps()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := f.deps()
	d.randomWeights = func(ctx context.Context, g *arch.Graph, seed int64) (weights.Set, error) {
		cancel() // the user presses Ctrl-C half-way
		return weights.RandomContext(ctx, g, seed)
	}
	wantCancelled(t, runAsync(ctx, d, "--history", "off"))
	if f.be.compiled != 0 {
		t.Errorf("compiled %d time(s) after the cancel", f.be.compiled)
	}
}
