//go:build amd64 && !noasm

#include "textflag.h"

// Dense KxK conv, AVX-512 direct kernel: 32 output channels (one packed block, two zmm) in
// lanes, output pixels along a row, input taps broadcast (VBROADCASTSS into Z29: the
// embedded-broadcast FMA halves the FMA rate on Ice Lake, gemm_avx512_amd64.s). One call
// computes ncols output columns of one output row for one output-channel block, all with the
// same valid tap window (nky rows x nkx columns x cin channels).
// Column groups of 10 pixels (20 accumulators), then 5, then 1.
// Registers: AX = input of the current column group at tap (ky0,kx0), CX = its output;
// SI = columns left; R8 = colStep, R9 = 3*colStep (bytes); DI/R10/R12 = input pointer of
// the current tap row / tap column / input channel; DX = R12 + 5*colStep (pixels 5..9);
// R13 = weight pointer (runs through the (ky,kx,ci) taps, 128 bytes each); R11/R14/BX =
// row/column/channel counters. Z0,Z1 = weights; Z2.. = accumulators; Z29 = input tap
// broadcast; Z30,Z31 = clamp;
// K1,K2 = output-channel masks.

#define FMA(addr, r0, r1) \
	VBROADCASTSS addr, Z29; \
	VFMADD231PS Z29, Z0, r0; \
	VFMADD231PS Z29, Z1, r1

#define CLAMP(r0, r1) \
	VMAXPS Z30, r0, r0; \
	VMAXPS Z30, r1, r1; \
	VMINPS Z31, r0, r0; \
	VMINPS Z31, r1, r1

#define STORE(addr, r0, r1) \
	CLAMP(r0, r1); \
	VMOVUPS r0, K1, addr; \
	VMOVUPS r1, K2, 64 addr

#define BIAS \
	MOVQ w+16(FP), R13; \
	VMOVUPS (R13), Z2; \
	VMOVUPS 64(R13), Z3; \
	ADDQ wTapOff+80(FP), R13; \
	MOVQ AX, DI; \
	MOVQ nky+32(FP), R11

#define ROWSTART \
	MOVQ DI, R10; \
	MOVQ nkx+40(FP), R14

#define COLSTART \
	MOVQ R10, R12; \
	MOVQ cin+48(FP), BX

#define LOADW \
	VMOVUPS (R13), Z0; \
	VMOVUPS 64(R13), Z1

#define CINEND \
	ADDQ $4, R12; \
	ADDQ $128, R13; \
	DECQ BX

#define COLEND \
	ADDQ tapStep+64(FP), R10; \
	DECQ R14

#define ROWEND \
	ADDQ rowStep+72(FP), DI; \
	ADDQ wRowSkip+88(FP), R13; \
	DECQ R11

// func convAVX512(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)
TEXT ·convAVX512(SB), NOSPLIT, $0-116
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ ncols+24(FP), SI
	MOVQ colStep+56(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS lo+104(FP), Z30
	VBROADCASTSS hi+108(FP), Z31
	MOVL mask+112(FP), DX
	KMOVW DX, K1
	SHRL $16, DX
	KMOVW DX, K2

g10:
	CMPQ SI, $10
	JLT  g5
	BIAS
	VMOVAPS Z2, Z4
	VMOVAPS Z3, Z5
	VMOVAPS Z2, Z6
	VMOVAPS Z3, Z7
	VMOVAPS Z2, Z8
	VMOVAPS Z3, Z9
	VMOVAPS Z2, Z10
	VMOVAPS Z3, Z11
	VMOVAPS Z2, Z12
	VMOVAPS Z3, Z13
	VMOVAPS Z2, Z14
	VMOVAPS Z3, Z15
	VMOVAPS Z2, Z16
	VMOVAPS Z3, Z17
	VMOVAPS Z2, Z18
	VMOVAPS Z3, Z19
	VMOVAPS Z2, Z20
	VMOVAPS Z3, Z21
	TESTQ R11, R11
	JZ   s10

r10:
	ROWSTART

k10:
	COLSTART

c10:
	LOADW
	LEAQ (R12)(R8*4), DX
	ADDQ R8, DX
	FMA((R12), Z2, Z3)
	FMA((R12)(R8*1), Z4, Z5)
	FMA((R12)(R8*2), Z6, Z7)
	FMA((R12)(R9*1), Z8, Z9)
	FMA((R12)(R8*4), Z10, Z11)
	FMA((DX), Z12, Z13)
	FMA((DX)(R8*1), Z14, Z15)
	FMA((DX)(R8*2), Z16, Z17)
	FMA((DX)(R9*1), Z18, Z19)
	FMA((DX)(R8*4), Z20, Z21)
	CINEND
	JNZ  c10
	COLEND
	JNZ  k10
	ROWEND
	JNZ  r10

s10:
	MOVQ outColStep+96(FP), R10
	LEAQ (R10)(R10*2), R14
	MOVQ CX, R12
	STORE((R12), Z2, Z3)
	STORE((R12)(R10*1), Z4, Z5)
	STORE((R12)(R10*2), Z6, Z7)
	STORE((R12)(R14*1), Z8, Z9)
	STORE((R12)(R10*4), Z10, Z11)
	LEAQ (R12)(R10*4), R12
	ADDQ R10, R12
	STORE((R12), Z12, Z13)
	STORE((R12)(R10*1), Z14, Z15)
	STORE((R12)(R10*2), Z16, Z17)
	STORE((R12)(R14*1), Z18, Z19)
	STORE((R12)(R10*4), Z20, Z21)
	LEAQ (R12)(R10*4), CX
	ADDQ R10, CX
	LEAQ (AX)(R8*8), AX
	LEAQ (AX)(R8*2), AX
	SUBQ $10, SI
	JMP  g10

g5:
	CMPQ SI, $5
	JLT  g1
	BIAS
	VMOVAPS Z2, Z4
	VMOVAPS Z3, Z5
	VMOVAPS Z2, Z6
	VMOVAPS Z3, Z7
	VMOVAPS Z2, Z8
	VMOVAPS Z3, Z9
	VMOVAPS Z2, Z10
	VMOVAPS Z3, Z11
	TESTQ R11, R11
	JZ   s5

r5:
	ROWSTART

k5:
	COLSTART

c5:
	LOADW
	FMA((R12), Z2, Z3)
	FMA((R12)(R8*1), Z4, Z5)
	FMA((R12)(R8*2), Z6, Z7)
	FMA((R12)(R9*1), Z8, Z9)
	FMA((R12)(R8*4), Z10, Z11)
	CINEND
	JNZ  c5
	COLEND
	JNZ  k5
	ROWEND
	JNZ  r5

s5:
	MOVQ outColStep+96(FP), R10
	LEAQ (R10)(R10*2), R14
	MOVQ CX, R12
	STORE((R12), Z2, Z3)
	STORE((R12)(R10*1), Z4, Z5)
	STORE((R12)(R10*2), Z6, Z7)
	STORE((R12)(R14*1), Z8, Z9)
	STORE((R12)(R10*4), Z10, Z11)
	LEAQ (R12)(R10*4), CX
	ADDQ R10, CX
	LEAQ (AX)(R8*4), AX
	ADDQ R8, AX
	SUBQ $5, SI
	JMP  g5

g1:
	TESTQ SI, SI
	JZ   done
	BIAS
	TESTQ R11, R11
	JZ   s1

r1:
	ROWSTART

k1:
	COLSTART

c1:
	LOADW
	FMA((R12), Z2, Z3)
	CINEND
	JNZ  c1
	COLEND
	JNZ  k1
	ROWEND
	JNZ  r1

s1:
	STORE((CX), Z2, Z3)
	ADDQ outColStep+96(FP), CX
	ADDQ R8, AX
	DECQ SI
	JMP  g1

done:
	VZEROUPPER
	RET

// Variants for blocks with at most 24 live output channels: the second half uses ymm
// registers (8 channels, EVEX-encoded with opmask K2), which cost one
// FMA pipe slot instead of two on Zen 4.
#define FMAY(addr, r0, r1) \
	VBROADCASTSS addr, Z29; \
	VFMADD231PS Z29, Z0, r0; \
	VFMADD231PS Y29, Y1, r1

#define STOREY(addr, r0, r1) \
	VMAXPS Z30, r0, r0; \
	VMAXPS Y30, r1, r1; \
	VMINPS Z31, r0, r0; \
	VMINPS Y31, r1, r1; \
	VMOVUPS r0, K1, addr; \
	VMOVUPS r1, K2, 64 addr

#define BIASY \
	MOVQ w+16(FP), R13; \
	VMOVUPS (R13), Z2; \
	VMOVUPS 64(R13), Y3; \
	ADDQ wTapOff+80(FP), R13; \
	MOVQ AX, DI; \
	MOVQ nky+32(FP), R11

#define LOADWY \
	VMOVUPS (R13), Z0; \
	VMOVUPS 64(R13), Y1

// func convAVX512Y(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)
TEXT ·convAVX512Y(SB), NOSPLIT, $0-116
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ ncols+24(FP), SI
	MOVQ colStep+56(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS lo+104(FP), Z30
	VBROADCASTSS hi+108(FP), Z31
	MOVL mask+112(FP), DX
	KMOVW DX, K1
	SHRL $16, DX
	KMOVW DX, K2

g10:
	CMPQ SI, $10
	JLT  g5
	BIASY
	VMOVAPS Z2, Z4
	VMOVAPS Y3, Y5
	VMOVAPS Z2, Z6
	VMOVAPS Y3, Y7
	VMOVAPS Z2, Z8
	VMOVAPS Y3, Y9
	VMOVAPS Z2, Z10
	VMOVAPS Y3, Y11
	VMOVAPS Z2, Z12
	VMOVAPS Y3, Y13
	VMOVAPS Z2, Z14
	VMOVAPS Y3, Y15
	VMOVAPS Z2, Z16
	VMOVAPS Y3, Y17
	VMOVAPS Z2, Z18
	VMOVAPS Y3, Y19
	VMOVAPS Z2, Z20
	VMOVAPS Y3, Y21
	TESTQ R11, R11
	JZ   s10

r10:
	ROWSTART

k10:
	COLSTART

c10:
	LOADWY
	LEAQ (R12)(R8*4), DX
	ADDQ R8, DX
	FMAY((R12), Z2, Y3)
	FMAY((R12)(R8*1), Z4, Y5)
	FMAY((R12)(R8*2), Z6, Y7)
	FMAY((R12)(R9*1), Z8, Y9)
	FMAY((R12)(R8*4), Z10, Y11)
	FMAY((DX), Z12, Y13)
	FMAY((DX)(R8*1), Z14, Y15)
	FMAY((DX)(R8*2), Z16, Y17)
	FMAY((DX)(R9*1), Z18, Y19)
	FMAY((DX)(R8*4), Z20, Y21)
	CINEND
	JNZ  c10
	COLEND
	JNZ  k10
	ROWEND
	JNZ  r10

s10:
	MOVQ outColStep+96(FP), R10
	LEAQ (R10)(R10*2), R14
	MOVQ CX, R12
	STOREY((R12), Z2, Y3)
	STOREY((R12)(R10*1), Z4, Y5)
	STOREY((R12)(R10*2), Z6, Y7)
	STOREY((R12)(R14*1), Z8, Y9)
	STOREY((R12)(R10*4), Z10, Y11)
	LEAQ (R12)(R10*4), R12
	ADDQ R10, R12
	STOREY((R12), Z12, Y13)
	STOREY((R12)(R10*1), Z14, Y15)
	STOREY((R12)(R10*2), Z16, Y17)
	STOREY((R12)(R14*1), Z18, Y19)
	STOREY((R12)(R10*4), Z20, Y21)
	LEAQ (R12)(R10*4), CX
	ADDQ R10, CX
	LEAQ (AX)(R8*8), AX
	LEAQ (AX)(R8*2), AX
	SUBQ $10, SI
	JMP  g10

g5:
	CMPQ SI, $5
	JLT  g1
	BIASY
	VMOVAPS Z2, Z4
	VMOVAPS Y3, Y5
	VMOVAPS Z2, Z6
	VMOVAPS Y3, Y7
	VMOVAPS Z2, Z8
	VMOVAPS Y3, Y9
	VMOVAPS Z2, Z10
	VMOVAPS Y3, Y11
	TESTQ R11, R11
	JZ   s5

r5:
	ROWSTART

k5:
	COLSTART

c5:
	LOADWY
	FMAY((R12), Z2, Y3)
	FMAY((R12)(R8*1), Z4, Y5)
	FMAY((R12)(R8*2), Z6, Y7)
	FMAY((R12)(R9*1), Z8, Y9)
	FMAY((R12)(R8*4), Z10, Y11)
	CINEND
	JNZ  c5
	COLEND
	JNZ  k5
	ROWEND
	JNZ  r5

s5:
	MOVQ outColStep+96(FP), R10
	LEAQ (R10)(R10*2), R14
	MOVQ CX, R12
	STOREY((R12), Z2, Y3)
	STOREY((R12)(R10*1), Z4, Y5)
	STOREY((R12)(R10*2), Z6, Y7)
	STOREY((R12)(R14*1), Z8, Y9)
	STOREY((R12)(R10*4), Z10, Y11)
	LEAQ (R12)(R10*4), CX
	ADDQ R10, CX
	LEAQ (AX)(R8*4), AX
	ADDQ R8, AX
	SUBQ $5, SI
	JMP  g5

g1:
	TESTQ SI, SI
	JZ   done
	BIASY
	TESTQ R11, R11
	JZ   s1

r1:
	ROWSTART

k1:
	COLSTART

c1:
	LOADWY
	FMAY((R12), Z2, Y3)
	CINEND
	JNZ  c1
	COLEND
	JNZ  k1
	ROWEND
	JNZ  r1

s1:
	STOREY((CX), Z2, Y3)
	ADDQ outColStep+96(FP), CX
	ADDQ R8, AX
	DECQ SI
	JMP  g1

done:
	VZEROUPPER
	RET
