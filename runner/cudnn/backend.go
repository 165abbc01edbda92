package cudnn

import (
	"fmt"
	"os"
	"sync"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// Backend runs graphs on the first NVIDIA GPU through cuDNN and cuBLAS. The
// libraries are searched and loaded on first use (Available or Compile);
// all library calls of the backend run on one locked OS thread.
type Backend struct {
	env     SearchEnv
	copy    CopyKernel
	copyErr error // an invalid EXPLORER_CUDNN_COPY, reported by Compile
	policy  Policy
	polErr  error // an invalid EXPLORER_CUDNN_DW or EXPLORER_CUDNN_GEMM, reported by Compile
	once    sync.Once
	dev     *device
	err     error
}

// CopyKernel selects how channel copies (split, concat, channel shuffle)
// run on the GPU.
type CopyKernel string

const (
	// CopyMemcpy3D runs a copy whose rows (H*W planes) are contiguous as
	// one cudaMemcpy3DAsync (a pitched device-to-device copy) and falls
	// back to cudnnTransformTensor for the others. The default.
	CopyMemcpy3D CopyKernel = "memcpy3d"
	// CopyTransform runs every copy as cudnnTransformTensor over strided
	// descriptors.
	CopyTransform CopyKernel = "transform"
)

// EnvCopy is the environment variable New reads to pick the CopyKernel:
// "memcpy3d" (also when unset or empty) or "transform"; Compile refuses any
// other value.
const EnvCopy = "EXPLORER_CUDNN_COPY"

// KernelSet names what a program runs on, the start of its
// ProgramInfo.Kernels (before "; " and the per-layer choices): "cudnn",
// with "+cuda-graph" when it replays a CUDA graph, "+tf32" when FP32
// convolutions may use TF32 tensor cores, " (transform copies)" when its
// copies are all cudnnTransformTensor and " (forced dw=...,gemm=...)"
// when EnvDW or EnvGEMM force an implementation. Results measured on one
// are not results of another.
func KernelSet(cudaGraph bool, copy CopyKernel, tf32 bool, pol Policy) string {
	s := "cudnn"
	if cudaGraph {
		s += "+cuda-graph"
	}
	if tf32 {
		s += "+tf32"
	}
	if copy == CopyTransform {
		s += " (transform copies)"
	}
	if f := pol.String(); f != "" {
		s += " (forced " + f + ")"
	}
	return s
}

// EnvKernelSet is the KernelSet of the programs New's backend compiles
// with cudaGraph and tf32, the copy kernel and policy read from the
// environment (EnvCopy, EnvDW, EnvGEMM).
func EnvKernelSet(cudaGraph, tf32 bool) string {
	ck, _ := copyFromEnv()
	pol, _ := ParsePolicy(os.Getenv(EnvDW), os.Getenv(EnvGEMM))
	return KernelSet(cudaGraph, ck, tf32, pol)
}

// copyFromEnv reads EnvCopy: the copy kernel it names (CopyMemcpy3D when
// it is unset or empty), or an error for any other value.
func copyFromEnv() (CopyKernel, error) {
	switch v := CopyKernel(os.Getenv(EnvCopy)); v {
	case "", CopyMemcpy3D:
		return CopyMemcpy3D, nil
	case CopyTransform:
		return CopyTransform, nil
	default:
		return CopyMemcpy3D, fmt.Errorf("cudnn: %s=%q: valid values are %q and %q", EnvCopy, v, CopyMemcpy3D, CopyTransform)
	}
}

// New returns the cudnn backend searching the libraries of this process's
// environment (see OSSearchEnv).
func New() runner.Backend {
	b := NewWithEnv(OSSearchEnv())
	b.copy, b.copyErr = copyFromEnv()
	b.policy, b.polErr = ParsePolicy(os.Getenv(EnvDW), os.Getenv(EnvGEMM))
	return b
}

// NewWithEnv returns a backend that searches the libraries as env says.
func NewWithEnv(env SearchEnv) *Backend {
	return &Backend{env: env, copy: CopyMemcpy3D, policy: Policy{DW: DWAuto, GEMM: GEMMAuto}}
}

// WithPolicy sets which convolution implementations Compile may use (for
// tests and experiments) and returns b.
func (b *Backend) WithPolicy(p Policy) *Backend {
	b.policy = p
	return b
}

// WithCopyKernel sets how channel copies run (for tests and experiments)
// and returns b.
func (b *Backend) WithCopyKernel(k CopyKernel) *Backend {
	b.copy = k
	return b
}

// Name is "cudnn".
func (b *Backend) Name() string { return "cudnn" }

// Available loads the libraries and opens the GPU once, and returns nil or
// "cudnn backend unavailable: <what is missing, where it looked>".
func (b *Backend) Available() error {
	b.once.Do(func() {
		if err := platformErr(); err != nil {
			b.err = fmt.Errorf("cudnn backend unavailable: %w", err)
			return
		}
		libs := Search(b.env)
		if err := libs.Err(); err != nil {
			b.err = fmt.Errorf("cudnn backend unavailable: %w", err)
			return
		}
		d, err := openDevice(libs)
		if err != nil {
			b.err = fmt.Errorf("cudnn backend unavailable: %w", err)
			return
		}
		b.dev = d
	})
	return b.err
}

// Compile lowers g with weights w for opts.Mode (fused when empty) and
// builds it on the GPU: buffers and descriptors allocated once, each
// convolution's implementation chosen by timing the candidates (every
// usable cuDNN algorithm, cuBLASLt for 1x1 convolutions, the own
// depthwise kernel; see Policy), one warm-up pass, and the CUDA-graph
// capture when opts.CUDAGraph is set. opts.TF32 allows TF32 math (off by
// default: FMA math); opts.Threads and opts.Kernels are ignored.
func (b *Backend) Compile(g *arch.Graph, w weights.Set, opts runner.Options) (runner.Program, error) {
	if err := b.Available(); err != nil {
		return nil, err
	}
	if b.copyErr != nil {
		return nil, b.copyErr
	}
	if b.polErr != nil {
		return nil, b.polErr
	}
	p, err := b.dev.compile(g, w, opts, b.copy, b.policy)
	if err != nil {
		return nil, fmt.Errorf("cudnn: compile %s: %w", g.Spec.Family, err)
	}
	return p, nil
}
