//go:build amd64 && !noasm

#include "textflag.h"

// Pooling, AVX-512, channels in lanes (16 per zmm): the loop structure of dwAVX512
// (dw_avx512_amd64.s) without weights. One call computes ncols output columns of one output
// row for the channel blocks [0, blockBytes/64), all with the same valid window (nky x nkx
// taps, nky == 0 or nkx == 0 meaning none). Accumulators start at init; FINISH scales
// (average) or does nothing (max). Lanes outside mask are neither read nor written.
// Registers as in dwAVX512; Z30 = init, Z31 = scale.

// SELMASK sets K1 for the block at byte offset SI: K3 (lastMask) for the last block of the
// call, else K2 (mask).
#define SELMASK(bb) \
	KMOVW K2, K1; \
	LEAQ 64(SI), DX; \
	CMPQ DX, bb; \
	JNE  2(PC); \
	KMOVW K3, K1

// func maxPoolAVX512(in, out *float32, ncols, blockBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask uint32, lastMask uint32)
#define OP VMAXPS
#define FINISH(r)
TEXT ·maxPoolAVX512(SB), NOSPLIT, $0-96
#include "pool_avx512_body.h"

#undef OP
#undef FINISH

// func avgPoolAVX512(in, out *float32, ncols, blockBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask uint32, lastMask uint32)
#define OP VADDPS
#define FINISH(r) VMULPS Z31, r, r
TEXT ·avgPoolAVX512(SB), NOSPLIT, $0-96
#include "pool_avx512_body.h"

// Global average pool: out[j] = scale * sum_p in[p*stride + j] for 16-channel blocks
// [0, blockBytes/64) with lane mask mask on every block. Chunks of 8 blocks (8 accumulator
// chains, 512 contiguous bytes per pixel) while 8 remain, then single blocks.
// AX = input chunk pointer, CX = output chunk pointer, SI = bytes of blocks left,
// DI = pixel pointer, R8 = pixel stride in bytes, R11 = pixels left.

#define GADD(off, r) VADDPS off(DI), r, K1, r
#define GSTORE(off, r) VMULPS Z31, r, r; VMOVUPS r, K1, off(CX)

// func globalAvgAVX512(in, out *float32, pixels, stride, blockBytes int, scale float32, mask uint32)
TEXT ·globalAvgAVX512(SB), NOSPLIT, $0-48
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ blockBytes+32(FP), SI
	VBROADCASTSS scale+40(FP), Z31
	MOVL mask+44(FP), DX
	KMOVW DX, K1

chunk8:
	CMPQ SI, $512
	JLT  chunk1
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	MOVQ AX, DI
	MOVQ pixels+16(FP), R11

pix8:
	GADD(0, Z1)
	GADD(64, Z2)
	GADD(128, Z3)
	GADD(192, Z4)
	GADD(256, Z5)
	GADD(320, Z6)
	GADD(384, Z7)
	GADD(448, Z8)
	ADDQ R8, DI
	DECQ R11
	JNZ  pix8
	GSTORE(0, Z1)
	GSTORE(64, Z2)
	GSTORE(128, Z3)
	GSTORE(192, Z4)
	GSTORE(256, Z5)
	GSTORE(320, Z6)
	GSTORE(384, Z7)
	GSTORE(448, Z8)
	ADDQ $512, AX
	ADDQ $512, CX
	SUBQ $512, SI
	JMP  chunk8

chunk1:
	TESTQ SI, SI
	JZ   gdone
	VPXORD Z1, Z1, Z1
	MOVQ AX, DI
	MOVQ pixels+16(FP), R11

pix1:
	GADD(0, Z1)
	ADDQ R8, DI
	DECQ R11
	JNZ  pix1
	GSTORE(0, Z1)
	ADDQ $64, AX
	ADDQ $64, CX
	SUBQ $64, SI
	JMP  chunk1

gdone:
	VZEROUPPER
	RET
