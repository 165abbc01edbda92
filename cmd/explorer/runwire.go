package main

import (
	"context"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/registry"
	"github.com/shufflelab/explorer/runner/weights"
)

// runDeps are the parts of `explorer run` that come from the backends and
// the weights package; tests replace them with fakes.
type runDeps struct {
	// backend returns the backend named by --backend.
	backend func(name string) (runner.Backend, error)
	// checkMemory refuses a design over the memory limit before anything
	// is allocated (a *runner.MemError).
	checkMemory func(g *arch.Graph, o runner.Options) error
	// randomWeights is the seeded initialisation (random BN statistics
	// too); it stops with ctx's error when ctx ends (a wide design's
	// weights take seconds).
	randomWeights func(ctx context.Context, g *arch.Graph, seed int64) (weights.Set, error)
	// checkWeights verifies names and shapes against the graph.
	checkWeights func(s weights.Set, g *arch.Graph) error
	// readTensors reads a safetensors file of at most limit bytes.
	readTensors func(path string, limit int64) (map[string]weights.Tensor, map[string]string, error)
	// writeTensors writes a safetensors file atomically; force replaces a
	// symbolic link at path.
	writeTensors func(path string, t map[string]weights.Tensor, meta map[string]string, force bool) error
}

// defaultRunDeps wires the real backends and weights functions.
func defaultRunDeps() runDeps {
	return runDeps{
		backend:       registry.NewBackend,
		checkMemory:   checkMemory,
		randomWeights: weights.RandomContext,
		checkWeights:  weights.Set.Check,
		readTensors: func(path string, limit int64) (map[string]weights.Tensor, map[string]string, error) {
			s, meta, err := weights.Read(path, limit)
			return s, meta, err
		},
		writeTensors: func(path string, t map[string]weights.Tensor, meta map[string]string, force bool) error {
			return weights.Write(path, t, meta, safefile.Force(force))
		},
	}
}

// checkMemory compares the backend-independent estimate with the limit
// and refuses with the standard message.
func checkMemory(g *arch.Graph, o runner.Options) error {
	return runner.CheckMemory(g, o)
}

// compileContext is be.Compile that returns when ctx ends: runner.Backend's
// Compile takes no context and a big design's takes seconds (ShuffleNetV2
// 16x at 32 px: about 10 s). On ctx's end it returns ctx's error at once
// and leaves the compilation to finish on its own goroutine, which then
// closes the program; the command exits meanwhile.
func compileContext(ctx context.Context, be runner.Backend, g *arch.Graph, w weights.Set, opts runner.Options) (runner.Program, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type compiled struct {
		prog runner.Program
		err  error
	}
	ch := make(chan compiled, 1)
	go func() {
		p, err := be.Compile(g, w, opts)
		ch <- compiled{p, err}
	}()
	select {
	case c := <-ch:
		return c.prog, c.err
	case <-ctx.Done():
		go func() {
			if c := <-ch; c.prog != nil {
				c.prog.Close()
			}
		}()
		return nil, ctx.Err()
	}
}
