// Package runner executes an arch.Graph for real and measures it.
//
// A [Backend] compiles a graph and its weights into a [Program] for one
// execution [Mode]; [Measure] times a program (warm-up, then repeats until a
// minimum count and a minimum time) and returns latency statistics with the
// host fingerprint; a profiled run gives per-step times that join to the
// cost report by op ID. Backends: runner/native (pure Go + Go assembly, the
// default) and runner/cudnn (NVIDIA GPUs through cuDNN, loaded at run time).
package runner

import (
	"context"
	"regexp"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/weights"
)

// Mode is an execution mode.
type Mode string

// Execution modes (design.md section 6).
const (
	// Eager runs every graph op as its own step with a materialised output,
	// as a framework's eager mode does.
	Eager Mode = "eager"
	// Fused follows arch.FusedPlan: batch norm folded into conv weights, bias
	// and ReLU in conv epilogues, split/concat zero-copy, shuffles folded into
	// their consumers.
	Fused Mode = "fused"
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Eager, Fused:
		return Mode(s), nil
	}
	return "", &arch.KnobError{Knob: "mode", Value: s, Valid: "eager|fused"}
}

// Options configure compilation.
type Options struct {
	Mode    Mode
	Threads int    // worker threads (>= 1); the native backend uses a persistent spinning worker per extra thread
	Kernels string // native kernel set: auto (or "") | a name of kernels.Names()
	TF32    bool   // cudnn: allow TF32 tensor-core math
	// CUDAGraph (cudnn) captures the forward pass once into a CUDA graph at
	// compile time and replays it on every Run (--cuda-graph).
	CUDAGraph bool
	// MemLimit is the most bytes Compile may allocate; 0 means the default
	// limit. Compile checks EstimateBytes against it before allocating.
	MemLimit int64
}

// Backend compiles graphs for one kind of device.
type Backend interface {
	// Name is the backend's flag value ("native", "cudnn").
	Name() string
	// Available returns nil, or an error saying why the backend cannot run here.
	Available() error
	// Compile builds a program for g with weights w. It checks the memory
	// estimate before allocating anything.
	Compile(g *arch.Graph, w weights.Set, opts Options) (Program, error)
}

// StepTime is the measured time of one executed step.
type StepTime struct {
	Name  string   // the step's name (its anchor op ID, or a kernel name for extra steps)
	Ops   []string // graph op IDs the step covers (empty for extra work such as a copy a plan needed)
	Nanos int64
	// Kernel names what ran the step where the backend chooses between
	// implementations (cudnn: e.g. "cublasLt row-major #0"); "" otherwise.
	Kernel string
}

// ProgramInfo describes a compiled program for fingerprints and reports.
type ProgramInfo struct {
	Backend string
	Mode    Mode
	Threads int
	// Kernels is the kernel set used, e.g. "avx512" or "cudnn+cuda-graph",
	// where a backend goes on after "; " with what it chose per layer (see
	// KernelSetOf).
	Kernels string
	Bytes   int64  // bytes allocated for activations, weights and workspace
	Device  string // device description (CPU model or GPU name, driver, library versions, math mode)
}

// KernelSetOf is the kernel set of a ProgramInfo.Kernels (or fingerprint)
// string: what comes before "; " (cudnn names each layer's choice after
// it, which differs from design to design). Results of one set are not
// results of another; results and points are told apart by it. Strings
// written before the set said everything keep their set: cudnn's
// packed-tensor note, which stood before "; " until b931e18, is cut, and
// a forced implementation, which stood after it until 6f3f011 ("; convs:
// ... (forced gemm=cublaslt)"), is moved into it as KernelSet puts it.
func KernelSetOf(kernels string) string {
	set, rest, _ := strings.Cut(kernels, "; ")
	set = strings.TrimSuffix(set, " (packed-tensor fallback)")
	if m := forcedRE.FindStringSubmatch(rest); m != nil && !strings.Contains(set, "(forced ") {
		set += " (forced " + m[1] + ")"
	}
	return set
}

// forcedRE finds the forced implementation an old cudnn string names
// after "; ".
var forcedRE = regexp.MustCompile(`\(forced ([^()\s]+)\)`)

// TF32Device is what a cudnn program's device description says when its
// FP32 convolutions may use TF32 tensor cores.
const TF32Device = "TF32 tensor-core math allowed"

// RunKernelSet is the kernel set of a measurement from its fingerprint's
// kernels and device strings: KernelSetOf, with "+tf32" where the device
// allowed TF32 and the set does not say so (results of before 6f3f011 said
// it only in the device string).
func RunKernelSet(kernels, device string) string {
	set := KernelSetOf(kernels)
	if !strings.Contains(device, TF32Device) || strings.Contains(set, "+tf32") {
		return set
	}
	head, tail, found := strings.Cut(set, " (")
	if found {
		tail = " (" + tail
	}
	return head + "+tf32" + tail
}

// Program is a compiled network ready to run. Run must not allocate.
type Program interface {
	// Run computes output (N x classes, or the final feature map, NCHW) from
	// input (NCHW float32, the graph's input shape).
	Run(ctx context.Context, input, output []float32) error
	// Profile runs once and returns the time of every step in execution order.
	Profile(ctx context.Context, input, output []float32) ([]StepTime, error)
	// Info describes the program.
	Info() ProgramInfo
	// Close releases the program's resources (worker threads, device memory).
	Close() error
}
