//go:build amd64 && !noasm

#include "textflag.h"

// Dense KxK conv, AVX2/FMA direct kernel: 16 output channels (one half of a packed 32-channel
// block, two ymm) in lanes, output pixels along a row, input taps broadcast. The structure of
// convAVX512 (conv_avx512_amd64.s) with column groups of 6 pixels (12 accumulators), then 1.
// All 16 channels are stored; the caller routes partial halves through a scratch row.
// Registers: AX = input of the current column group at tap (ky0,kx0), CX = its output,
// SI = columns left; R8 = colStep, R9 = 3*colStep; DI/R10/R12 = input pointer of the tap
// row / tap column / input channel; DX = R12 + 5*colStep; R13 = weight pointer (128 bytes
// per tap); R11/R14/BX = row/column/channel counters. Y12,Y13 = weights (clamp bounds in the
// epilogue); Y14 = broadcast input; Y0..Y11 = accumulators.

#define BFMA(addr, r0, r1) \
	VBROADCASTSS addr, Y14; \
	VFMADD231PS Y12, Y14, r0; \
	VFMADD231PS Y13, Y14, r1

#define CSTORE(addr, r0, r1) \
	VMAXPS Y12, r0, r0; \
	VMAXPS Y12, r1, r1; \
	VMINPS Y13, r0, r0; \
	VMINPS Y13, r1, r1; \
	VMOVUPS r0, addr; \
	VMOVUPS r1, 32 addr

#define CBIAS \
	MOVQ w+16(FP), R13; \
	VMOVUPS (R13), Y0; \
	VMOVUPS 32(R13), Y1; \
	ADDQ wTapOff+80(FP), R13; \
	MOVQ AX, DI; \
	MOVQ nky+32(FP), R11

#define CLOADW \
	VMOVUPS (R13), Y12; \
	VMOVUPS 32(R13), Y13

#define CCLAMP \
	VBROADCASTSS lo+104(FP), Y12; \
	VBROADCASTSS hi+108(FP), Y13

// func convAVX2(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32)
TEXT ·convAVX2(SB), NOSPLIT, $0-112
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ ncols+24(FP), SI
	MOVQ colStep+56(FP), R8
	LEAQ (R8)(R8*2), R9

g6:
	CMPQ SI, $6
	JLT  g1
	CBIAS
	VMOVAPS Y0, Y2
	VMOVAPS Y1, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y1, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y1, Y7
	VMOVAPS Y0, Y8
	VMOVAPS Y1, Y9
	VMOVAPS Y0, Y10
	VMOVAPS Y1, Y11
	TESTQ R11, R11
	JZ   s6

r6:
	MOVQ DI, R10
	MOVQ nkx+40(FP), R14

k6:
	MOVQ R10, R12
	MOVQ cin+48(FP), BX

c6:
	CLOADW
	LEAQ (R12)(R8*4), DX
	ADDQ R8, DX
	BFMA((R12), Y0, Y1)
	BFMA((R12)(R8*1), Y2, Y3)
	BFMA((R12)(R8*2), Y4, Y5)
	BFMA((R12)(R9*1), Y6, Y7)
	BFMA((R12)(R8*4), Y8, Y9)
	BFMA((DX), Y10, Y11)
	ADDQ $4, R12
	ADDQ $128, R13
	DECQ BX
	JNZ  c6
	ADDQ tapStep+64(FP), R10
	DECQ R14
	JNZ  k6
	ADDQ rowStep+72(FP), DI
	ADDQ wRowSkip+88(FP), R13
	DECQ R11
	JNZ  r6

s6:
	CCLAMP
	MOVQ outColStep+96(FP), R10
	LEAQ (R10)(R10*2), R14
	CSTORE((CX), Y0, Y1)
	CSTORE((CX)(R10*1), Y2, Y3)
	CSTORE((CX)(R10*2), Y4, Y5)
	CSTORE((CX)(R14*1), Y6, Y7)
	CSTORE((CX)(R10*4), Y8, Y9)
	LEAQ (CX)(R10*4), CX
	ADDQ R10, CX
	CSTORE((CX), Y10, Y11)
	ADDQ R10, CX
	LEAQ (AX)(R8*4), AX
	LEAQ (AX)(R8*2), AX
	SUBQ $6, SI
	JMP  g6

g1:
	TESTQ SI, SI
	JZ   done
	CBIAS
	TESTQ R11, R11
	JZ   s1

r1:
	MOVQ DI, R10
	MOVQ nkx+40(FP), R14

k1:
	MOVQ R10, R12
	MOVQ cin+48(FP), BX

c1:
	CLOADW
	BFMA((R12), Y0, Y1)
	ADDQ $4, R12
	ADDQ $128, R13
	DECQ BX
	JNZ  c1
	ADDQ tapStep+64(FP), R10
	DECQ R14
	JNZ  k1
	ADDQ rowStep+72(FP), DI
	ADDQ wRowSkip+88(FP), R13
	DECQ R11
	JNZ  r1

s1:
	CCLAMP
	CSTORE((CX), Y0, Y1)
	ADDQ outColStep+96(FP), CX
	ADDQ R8, AX
	DECQ SI
	JMP  g1

done:
	VZEROUPPER
	RET
