//go:build amd64 && !noasm

#include "textflag.h"

// Depthwise conv, AVX-512, channels in lanes (16 per zmm), any kernel size and stride.
// One call computes ncols consecutive output columns of one output row for nblocks
// consecutive 16-channel blocks, all with the same valid tap window (nky rows x nkx
// columns; the caller splits a row at the image edges). Loop order: groups of 4 output
// columns (then single columns) outside, channel blocks inside, taps innermost.
// Registers: AX = input of the current column group (tap (ky0,kx0), block 0), CX = output of
// the group; R8 = colStep (bytes between output columns in the input), R9 = 3*colStep;
// SI = block byte offset (cb*64); BX = packed weights of the block; DI/R10 = input/weight
// pointer of the current tap row; R12/R13 = input/weight pointer of the current tap;
// R11, R14 = tap row/column counters. Z1..Z4 = accumulators, Z0 = tap weights,
// Z30/Z31 = clamp, K1 = lane mask.

// SELMASK sets K1 for the block at byte offset SI: K3 (lastMask) for the last block of the
// call, else K2 (mask).
#define SELMASK(bb) \
	KMOVW K2, K1; \
	LEAQ 64(SI), DX; \
	CMPQ DX, bb; \
	JNE  2(PC); \
	KMOVW K3, K1

// func dwAVX512(in, out, w *float32, ncols, blockBytes, nky, nkx, colStep, tapStep, rowStep, outColStep, wTapOff, wRowStep, wBlockStep int, lo, hi float32, mask uint32, lastMask uint32)
TEXT ·dwAVX512(SB), NOSPLIT, $0-128
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+56(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS lo+112(FP), Z30
	VBROADCASTSS hi+116(FP), Z31
	MOVL mask+120(FP), DX
	KMOVW DX, K2
	MOVL lastMask+124(FP), DX
	KMOVW DX, K3
	CMPQ nky+40(FP), $0
	JEQ  notaps
	CMPQ nkx+48(FP), $0
	JEQ  notaps

group4:
	CMPQ ncols+24(FP), $4
	JLT  group1
	XORQ SI, SI
	MOVQ w+16(FP), BX

block4:
	SELMASK(blockBytes+32(FP))
	VMOVUPS (BX), Z1
	VMOVAPS Z1, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z1, Z4
	LEAQ (AX)(SI*1), DI
	MOVQ BX, R10
	ADDQ wTapOff+88(FP), R10
	MOVQ nky+40(FP), R11

row4:
	MOVQ DI, R12
	MOVQ R10, R13
	MOVQ nkx+48(FP), R14

tap4:
	VMOVUPS (R13), Z0
	VFMADD231PS (R12), Z0, K1, Z1
	VFMADD231PS (R12)(R8*1), Z0, K1, Z2
	VFMADD231PS (R12)(R8*2), Z0, K1, Z3
	VFMADD231PS (R12)(R9*1), Z0, K1, Z4
	ADDQ tapStep+64(FP), R12
	ADDQ $64, R13
	DECQ R14
	JNZ  tap4
	ADDQ rowStep+72(FP), DI
	ADDQ wRowStep+96(FP), R10
	DECQ R11
	JNZ  row4

	VMAXPS Z30, Z1, Z1
	VMAXPS Z30, Z2, Z2
	VMAXPS Z30, Z3, Z3
	VMAXPS Z30, Z4, Z4
	VMINPS Z31, Z1, Z1
	VMINPS Z31, Z2, Z2
	VMINPS Z31, Z3, Z3
	VMINPS Z31, Z4, Z4
	LEAQ (CX)(SI*1), R12
	MOVQ outColStep+80(FP), R13
	VMOVUPS Z1, K1, (R12)
	VMOVUPS Z2, K1, (R12)(R13*1)
	VMOVUPS Z3, K1, (R12)(R13*2)
	ADDQ R13, R12
	VMOVUPS Z4, K1, (R12)(R13*2)

	ADDQ wBlockStep+104(FP), BX
	ADDQ $64, SI
	CMPQ SI, blockBytes+32(FP)
	JLT  block4

	LEAQ (AX)(R8*4), AX
	MOVQ outColStep+80(FP), R13
	LEAQ (CX)(R13*4), CX
	SUBQ $4, ncols+24(FP)
	JMP  group4

group1:
	CMPQ ncols+24(FP), $0
	JEQ  done
	XORQ SI, SI
	MOVQ w+16(FP), BX

block1:
	SELMASK(blockBytes+32(FP))
	VMOVUPS (BX), Z1
	LEAQ (AX)(SI*1), DI
	MOVQ BX, R10
	ADDQ wTapOff+88(FP), R10
	MOVQ nky+40(FP), R11

row1:
	MOVQ DI, R12
	MOVQ R10, R13
	MOVQ nkx+48(FP), R14

tap1:
	VMOVUPS (R13), Z0
	VFMADD231PS (R12), Z0, K1, Z1
	ADDQ tapStep+64(FP), R12
	ADDQ $64, R13
	DECQ R14
	JNZ  tap1
	ADDQ rowStep+72(FP), DI
	ADDQ wRowStep+96(FP), R10
	DECQ R11
	JNZ  row1

	VMAXPS Z30, Z1, Z1
	VMINPS Z31, Z1, Z1
	VMOVUPS Z1, K1, (CX)(SI*1)
	ADDQ wBlockStep+104(FP), BX
	ADDQ $64, SI
	CMPQ SI, blockBytes+32(FP)
	JLT  block1

	ADDQ R8, AX
	ADDQ outColStep+80(FP), CX
	DECQ ncols+24(FP)
	JMP  group1

notaps:
	// No input tap falls inside the image (padding wider than the kernel): out = act(bias).
	CMPQ ncols+24(FP), $0
	JEQ  done
	XORQ SI, SI
	MOVQ w+16(FP), BX

block0:
	SELMASK(blockBytes+32(FP))
	VMOVUPS (BX), Z1
	VMAXPS Z30, Z1, Z1
	VMINPS Z31, Z1, Z1
	VMOVUPS Z1, K1, (CX)(SI*1)
	ADDQ wBlockStep+104(FP), BX
	ADDQ $64, SI
	CMPQ SI, blockBytes+32(FP)
	JLT  block0
	ADDQ outColStep+80(FP), CX
	DECQ ncols+24(FP)
	JMP  notaps

done:
	VZEROUPPER
	RET
