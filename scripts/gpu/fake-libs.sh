#!/usr/bin/env bash
# fake-libs.sh DIR: build runner/cudnn/testdata/fakecuda.c (a CPU stand-in for the CUDA runtime and
# driver, cuBLAS, cuBLASLt, cuDNN 9 and NVRTC calls the cudnn backend makes) and install it under DIR
# in the CUDA 13 wheel layout. Then `EXPLORER_CUDA_LIBS=DIR explorer run --backend cudnn ...` (or scripts/gpu-check.sh)
# runs the whole cudnn code path on the CPU: it checks the wiring and the numerics of the
# lowering, never GPU speed or GPU behaviour. Needs a C compiler (cc).
set -euo pipefail
if [[ $# -ne 1 ]]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/runner/cudnn/testdata/fakecuda.c
mkdir -p "$dir/nvidia/cu13/lib" "$dir/nvidia/cudnn/lib"
cc -shared -fPIC -O2 -o "$dir/libfake.so" "$src" -lm
for lib in cu13/lib/libcudart.so.13 cu13/lib/libcublas.so.13 cu13/lib/libcublasLt.so.13 \
	cu13/lib/libnvrtc.so.13 cu13/lib/libcuda.so.1 cudnn/lib/libcudnn.so.9 cudnn/lib/libcudnn_graph.so.9 cudnn/lib/libcudnn_ops.so.9 cudnn/lib/libcudnn_cnn.so.9; do
	cp "$dir/libfake.so" "$dir/nvidia/$lib"
done
echo "fake CUDA libraries in $dir: export EXPLORER_CUDA_LIBS=$dir"
