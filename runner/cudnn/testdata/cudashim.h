/*
 * cudashim.h: just enough of CUDA C for the host C compiler to build ../dwkernel.cu, so that the
 * fake libraries (fakecuda.c) run the backend's own kernels on the CPU. A kernel runs as plain C:
 * shim_launch loops over every block and every thread of the grid, setting the coordinates below
 * before each call. That is exact for kernels without shared memory or __syncthreads (the only kind
 * the backend has). Test-only.
 */
#ifndef EXPLORER_CUDASHIM_H
#define EXPLORER_CUDASHIM_H

#include <math.h>
#include <stddef.h>

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ restrict
#define EXPLORER_EXTERN_C

typedef struct { unsigned x, y, z; } shim_dim3;

/* The coordinates of the thread being run (one CPU thread runs the whole grid). Global, not static:
 * the fake is installed as several copies of one shared object, and every copy must see the one set
 * of coordinates its kernels (bound to the first loaded copy) read. */
shim_dim3 threadIdx, blockIdx, blockDim, gridDim;

/* shim_launch runs fn(params) once per thread of a grid x block launch, in block order. */
static void shim_launch(void (*fn)(void **), shim_dim3 grid, shim_dim3 block, void **params) {
	gridDim = grid, blockDim = block;
	for (blockIdx.z = 0; blockIdx.z < grid.z; blockIdx.z++)
		for (blockIdx.y = 0; blockIdx.y < grid.y; blockIdx.y++)
			for (blockIdx.x = 0; blockIdx.x < grid.x; blockIdx.x++)
				for (threadIdx.z = 0; threadIdx.z < block.z; threadIdx.z++)
					for (threadIdx.y = 0; threadIdx.y < block.y; threadIdx.y++)
						for (threadIdx.x = 0; threadIdx.x < block.x; threadIdx.x++) fn(params);
}

#endif
