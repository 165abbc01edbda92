// Package registry is the one list of what a measurement can be asked to
// run on: the backends (with their constructors), the execution modes, the
// range of worker threads and the native kernel sets. The command-line
// flags of run, sweep and guidelines and the interactive explorer's knobs
// all read it, so a name is accepted, listed and explained the same way
// everywhere.
package registry

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/cudnn"
	"github.com/shufflelab/explorer/runner/kernels"
	"github.com/shufflelab/explorer/runner/native"
)

// Backend describes one backend.
type Backend struct {
	Name    string // the --backend value, e.g. "native"
	Summary string // what it runs on, for help texts
	// CPU reports whether it runs on this machine's CPU (its roofline
	// calibration measures the CPU).
	CPU bool
	New func() runner.Backend
}

// Backends lists every backend, the default first.
func Backends() []Backend {
	return []Backend{
		{Name: "native", Summary: "CPU, pure Go + Go assembly", CPU: true, New: func() runner.Backend { return native.New() }},
		{Name: "cudnn", Summary: "NVIDIA GPU through cuDNN", New: func() runner.Backend { return cudnn.New() }},
	}
}

// Defaults of every measurement.
const (
	DefaultBackend = "native"
	DefaultMode    = runner.Fused
	DefaultKernels = "auto"
)

// Worker threads a measurement accepts.
const (
	MinThreads = 1
	MaxThreads = 256
)

// BackendNames lists the backend names, the default first.
func BackendNames() []string {
	var out []string
	for _, b := range Backends() {
		out = append(out, b.Name)
	}
	return out
}

// LookupBackend returns the backend called name, or a *arch.KnobError
// naming the valid ones.
func LookupBackend(name string) (Backend, error) {
	for _, b := range Backends() {
		if b.Name == name {
			return b, nil
		}
	}
	return Backend{}, &arch.KnobError{Knob: "backend", Value: strconv.Quote(name), Valid: List(BackendNames())}
}

// KernelSet names the kernel set a program of the backend called name
// runs on with the --kernels value kernelsFlag (native: the set it picks,
// "avx512", "generic", ...) or with cudaGraph and tf32 (cudnn: "cudnn",
// "cudnn+cuda-graph", ..., see cudnn.KernelSet): the start of its ProgramInfo.Kernels, which
// results are told apart by before anything is measured.
func KernelSet(name, kernelsFlag string, cudaGraph, tf32 bool) (string, error) {
	switch name {
	case "native":
		ks, err := kernels.Lookup(kernelsFlag)
		if err != nil {
			return "", err
		}
		return ks.Name(), nil
	case "cudnn":
		return cudnn.EnvKernelSet(cudaGraph, tf32), nil
	}
	_, err := LookupBackend(name)
	return "", err
}

// ForcedKernels is the kernel set a --kernels value forces on the backend
// called name, for conditions, filters and labels that name a set only
// where the user chose one: the value itself for a CPU backend and a value
// other than "" or "auto"; "" otherwise (the backend's own choice, or a
// GPU backend, which has no kernel sets to choose).
func ForcedKernels(name, kernelsFlag string) string {
	b, err := LookupBackend(name)
	if err != nil || !b.CPU || kernelsFlag == "" || kernelsFlag == DefaultKernels {
		return ""
	}
	return kernelsFlag
}

// NewBackend creates the backend called name.
func NewBackend(name string) (runner.Backend, error) {
	b, err := LookupBackend(name)
	if err != nil {
		return nil, err
	}
	return b.New(), nil
}

// BackendHelp is the help text of a --backend flag: every backend with its
// summary.
func BackendHelp() string {
	var parts []string
	for _, b := range Backends() {
		parts = append(parts, fmt.Sprintf("%s (%s)", b.Name, b.Summary))
	}
	return strings.Join(parts, " | ")
}

// Modes lists the execution modes.
func Modes() []runner.Mode { return []runner.Mode{runner.Eager, runner.Fused} }

// ModeNames lists the execution modes' names.
func ModeNames() []string {
	var out []string
	for _, m := range Modes() {
		out = append(out, string(m))
	}
	return out
}

// CheckThreads accepts MinThreads..MaxThreads worker threads.
func CheckThreads(n int) error {
	if n < MinThreads || n > MaxThreads {
		return &arch.KnobError{Knob: "threads", Value: strconv.Itoa(n), Valid: ThreadRange()}
	}
	return nil
}

// ThreadRange is the valid thread counts as text, "1..256".
func ThreadRange() string { return fmt.Sprintf("%d..%d", MinThreads, MaxThreads) }

// KernelSets lists the native kernel-set names a measurement accepts:
// "auto" (the best this CPU supports) first, then every set of the kernels
// package (kernels.Names), whether or not this machine can run it.
func KernelSets() []string { return append([]string{DefaultKernels}, kernels.Names()...) }

// CheckKernels accepts a kernel set this machine can run, or returns a
// *arch.KnobError naming the valid sets and why a known one cannot run
// here (kernels.Lookup's reason, e.g. "neon needs arm64").
func CheckKernels(name string) error {
	if _, err := kernels.Lookup(name); err != nil {
		why := err.Error()
		var le *kernels.LookupError
		if errors.As(err, &le) {
			why = le.Reason
		}
		return &arch.KnobError{Knob: "kernels", Value: strconv.Quote(name), Valid: List(KernelSets()), Why: why}
	}
	return nil
}

// List joins names as a flag's valid values, "a|b|c".
func List(names []string) string { return strings.Join(names, "|") }
