package cudnn

import (
	"fmt"
	"sync"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// Backend runs graphs on the first NVIDIA GPU through cuDNN and cuBLAS. The
// libraries are searched and loaded on first use (Available or Compile);
// all library calls of the backend run on one locked OS thread.
type Backend struct {
	env  SearchEnv
	once sync.Once
	dev  *device
	err  error
}

// New returns the cudnn backend searching the libraries of this process's
// environment (see OSSearchEnv).
func New() runner.Backend { return NewWithEnv(OSSearchEnv()) }

// NewWithEnv returns a backend that searches the libraries as env says.
func NewWithEnv(env SearchEnv) *Backend { return &Backend{env: env} }

// Name is "cudnn".
func (b *Backend) Name() string { return "cudnn" }

// Available loads the libraries and opens the GPU once, and returns nil or
// "cudnn backend unavailable: <what is missing, where it looked>".
func (b *Backend) Available() error {
	b.once.Do(func() {
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
// builds it on the GPU: buffers and descriptors allocated once,
// algorithms chosen by cudnnFind, one warm-up pass, and the CUDA-graph
// capture when opts.CUDAGraph is set. opts.TF32 allows TF32 math (off by
// default: FMA math); opts.Threads and opts.Kernels are ignored.
func (b *Backend) Compile(g *arch.Graph, w weights.Set, opts runner.Options) (runner.Program, error) {
	if err := b.Available(); err != nil {
		return nil, err
	}
	p, err := b.dev.compile(g, w, opts)
	if err != nil {
		return nil, fmt.Errorf("cudnn: compile %s: %w", g.Spec.Family, err)
	}
	return p, nil
}

// cudnn programs time their pass with CUDA events (input/output copies
// excluded), so runner.Measure reports the GPU time with the wall time
// beside it.
var _ runner.EventTimer = (*program)(nil)
