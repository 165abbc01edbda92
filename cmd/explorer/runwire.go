package main

import (
	"errors"
	"fmt"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
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
	// randomWeights is the seeded initialisation (random BN statistics too).
	randomWeights func(g *arch.Graph, seed int64) weights.Set
	// checkWeights verifies names and shapes against the graph.
	checkWeights func(s weights.Set, g *arch.Graph) error
	// readTensors reads a safetensors file.
	readTensors func(path string) (map[string]weights.Tensor, map[string]string, error)
	// writeTensors writes a safetensors file.
	writeTensors func(path string, t map[string]weights.Tensor, meta map[string]string) error
}

// errNotBuilt marks a dependency that is not merged into this build yet.
var errNotBuilt = errors.New("not in this build yet")

// defaultRunDeps wires the real backends and weights functions.
//
// TODO(measure): the native backend and runner/weights' Random, Check,
// Read and Write live on branch `runner`; once merged replace these stubs
// with native.New(), runner.CheckMemory, weights.Random, Set.Check,
// weights.Read and weights.Write.
func defaultRunDeps() runDeps {
	return runDeps{
		backend: func(name string) (runner.Backend, error) {
			return nil, fmt.Errorf("backend %s: %w", name, errNotBuilt)
		},
		checkMemory:   func(*arch.Graph, runner.Options) error { return nil },
		randomWeights: func(*arch.Graph, int64) weights.Set { return weights.Set{} },
		checkWeights:  func(weights.Set, *arch.Graph) error { return fmt.Errorf("weight check: %w", errNotBuilt) },
		readTensors: func(path string) (map[string]weights.Tensor, map[string]string, error) {
			return nil, nil, fmt.Errorf("read %s: %w", path, errNotBuilt)
		},
		writeTensors: func(path string, _ map[string]weights.Tensor, _ map[string]string) error {
			return fmt.Errorf("write %s: %w", path, errNotBuilt)
		},
	}
}
