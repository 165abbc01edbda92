// Package testnet gives the runner's tests their shared fixtures: the
// PyTorch-made safetensors files of runner/testdata with the arch.Spec each
// one was generated from, and the error measure the tolerances use.
package testnet

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/weights"
)

// Fixture is one PyTorch oracle: a design, its weights, an input and the
// logits PyTorch computed.
type Fixture struct {
	Name    string
	Spec    arch.Spec
	Graph   *arch.Graph
	Weights weights.Set
	Input   []float32
	Output  []float32
}

// Specs maps fixture names to their designs, as documented in
// runner/testdata/README.md (all at 64x64, batch 2, 10 classes).
var Specs = map[string]arch.Spec{
	"snv2_small": {Family: arch.ShuffleNetV2, Channels: []int{24, 48, 96, 192, 256}, Depths: []int{2, 3, 2}, Res: 64, Batch: 2, Classes: 10},
	"mnv2_035":   {Family: arch.MobileNetV2, Width: 0.35, Res: 64, Batch: 2, Classes: 10},
	"snv1_small": {Family: arch.ShuffleNetV1, Groups: 3, Channels: []int{12, 48, 96, 192}, Depths: []int{1, 2, 1}, Res: 64, Batch: 2, Classes: 10},
}

// Dir is runner/testdata.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Load reads fixture name and builds its graph; the weights are checked
// against the graph.
func Load(name string) (*Fixture, error) {
	spec, ok := Specs[name]
	if !ok {
		return nil, fmt.Errorf("unknown fixture %q", name)
	}
	g, err := arch.Build(spec)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	all, _, err := weights.Read(filepath.Join(Dir(), name+".safetensors"), 64<<20)
	if err != nil {
		return nil, err
	}
	f := &Fixture{Name: name, Spec: spec, Graph: g, Input: all["input"].Data, Output: all["output"].Data}
	f.Weights = all.Without("input", "output")
	if err := f.Weights.Check(g); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	return f, nil
}

// RelErr returns max|got - want| / max|want| (the tolerance measure of the
// runner's acceptance: <= 1e-4), or +Inf when the lengths differ or a value
// is not finite.
func RelErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, m float64
	for i := range want {
		g := float64(got[i])
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return math.Inf(1)
		}
		d = math.Max(d, math.Abs(g-float64(want[i])))
		m = math.Max(m, math.Abs(float64(want[i])))
	}
	if m == 0 {
		return d
	}
	return d / m
}
