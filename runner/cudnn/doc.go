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
//   - impl.go names the implementations a convolution call can run with
//     (cuDNN fused or plain, a cuBLASLt GEMM, the embedded depthwise kernel
//     dwkernel.cu), which calls each is eligible for, and their launch
//     geometry and GEMM layouts;
//   - api.go loads the libraries and the CUDA runtime, cuBLAS and cuDNN
//     entry points, lt.go and nvrtc.go those of cuBLASLt and of NVRTC and the
//     driver API (for the depthwise kernel) when first needed, thread.go
//     keeps every CUDA call on one goroutine locked to its OS thread, and
//     device.go opens the GPU with its stream and handles;
//   - program.go builds and runs the calls (eagerly or as a captured CUDA
//     graph), timing them with CUDA events, and choose.go, at Compile, checks
//     each convolution's non-cuDNN candidates against cuDNN's output, times
//     every candidate and keeps the fastest.
package cudnn
