// Package cudnn is the NVIDIA GPU backend of the runner: it executes an
// arch.Graph through cuDNN 9, cuBLAS and the CUDA runtime, loaded at run time
// with purego (no cgo, no build tags).
//
// The package is split into pure-Go parts that are unit-tested on any
// machine and a thin layer of library calls that needs a GPU:
//   - search.go finds the shared libraries (an env override, LD_LIBRARY_PATH,
//     CUDA install dirs and an installed PyTorch's site-packages in both the
//     CUDA 12 and CUDA 13 wheel layouts);
//   - lower.go turns a graph, its weights and an execution mode into a flat
//     list of library calls over device buffers (BN folded on the host in the
//     fused mode), with copies.go computing the strided descriptors of every
//     split, concat and channel shuffle copy;
//   - api_*.go, device.go and exec.go load the libraries, keep every CUDA call
//     on one goroutine locked to its OS thread, and run the calls (eagerly or
//     as a captured CUDA graph), timing them with CUDA events.
package cudnn
