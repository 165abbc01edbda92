//go:build amd64 && !noasm

#include "textflag.h"

// Depthwise 3x3, AVX-512, full window only (all 9 taps inside the image): the hot case of
// ShuffleNetV2 (every interior pixel, stride 1 or 2). One call computes ncols consecutive
// output columns of one output row for the channel blocks [0, blockBytes/64). Channel
// blocks outside, columns inside, so the block's 9 weight vectors and bias stay in
// registers (Z20..Z28, Z29); column groups of 8, 4, then 1 (8/4/1 accumulators Z0..Z7).
// Inputs are FMA memory operands (column j of tap (ky,kx) is at
// row + ky*rowStep + kx*tapStep + j*colStep), except in 8- and 4-column groups at stride 1
// and 8-column groups at stride 2, which load each input pixel once into Z8..Z11 and reuse
// it for every tap that reads it.
// Registers: AX = input of column 0 of the current block (tap 0,0), CX = its output,
// BX = block weights, SI = block byte offset, DI = columns left, DX = tap pointer,
// R8 = colStep, R9 = 3*colStep, R10 = 5*colStep, R11 = 7*colStep, R12 = tapStep,
// R13 = rowStep, R14 = odd-column input pointer (stride 2); Z30/Z31 = clamp; K1 = lane
// mask.

#define TAP8(w) \
	VFMADD231PS (DX), w, K1, Z0; \
	VFMADD231PS (DX)(R8*1), w, K1, Z1; \
	VFMADD231PS (DX)(R8*2), w, K1, Z2; \
	VFMADD231PS (DX)(R9*1), w, K1, Z3; \
	VFMADD231PS (DX)(R8*4), w, K1, Z4; \
	VFMADD231PS (DX)(R10*1), w, K1, Z5; \
	VFMADD231PS (DX)(R9*2), w, K1, Z6; \
	VFMADD231PS (DX)(R11*1), w, K1, Z7; \
	ADDQ R12, DX

#define TAP4(w) \
	VFMADD231PS (DX), w, K1, Z0; \
	VFMADD231PS (DX)(R8*1), w, K1, Z1; \
	VFMADD231PS (DX)(R8*2), w, K1, Z2; \
	VFMADD231PS (DX)(R9*1), w, K1, Z3; \
	ADDQ R12, DX

#define TAP1(w) \
	VFMADD231PS (DX), w, K1, Z0; \
	ADDQ R12, DX

// ROWS(TAP): the 9 taps; DX walks a tap row, then moves to the next input row.
#define ROWS(TAP) \
	MOVQ AX, DX; \
	TAP(Z20); \
	TAP(Z21); \
	TAP(Z22); \
	LEAQ (AX)(R13*1), DX; \
	TAP(Z23); \
	TAP(Z24); \
	TAP(Z25); \
	LEAQ (AX)(R13*2), DX; \
	TAP(Z26); \
	TAP(Z27); \
	TAP(Z28)

// S1ROW(wa, wb, wc): one tap row of an 8-column group at stride 1 (colStep == tapStep):
// input column x (x = 0..9, one masked load each) feeds outputs x-2..x with taps 2..0, so
// 10 loads serve 24 FMAs. DX = the row's input for output column 0; it is advanced by
// 8*colStep for the last column.
#define S1ROW(wa, wb, wc) \
	VMOVUPS.Z (DX), K1, Z8; \
	VFMADD231PS Z8, wa, Z0; \
	VMOVUPS.Z (DX)(R8*1), K1, Z9; \
	VFMADD231PS Z9, wb, Z0; \
	VFMADD231PS Z9, wa, Z1; \
	VMOVUPS.Z (DX)(R8*2), K1, Z10; \
	VFMADD231PS Z10, wc, Z0; \
	VFMADD231PS Z10, wb, Z1; \
	VFMADD231PS Z10, wa, Z2; \
	VMOVUPS.Z (DX)(R9*1), K1, Z11; \
	VFMADD231PS Z11, wc, Z1; \
	VFMADD231PS Z11, wb, Z2; \
	VFMADD231PS Z11, wa, Z3; \
	VMOVUPS.Z (DX)(R8*4), K1, Z8; \
	VFMADD231PS Z8, wc, Z2; \
	VFMADD231PS Z8, wb, Z3; \
	VFMADD231PS Z8, wa, Z4; \
	VMOVUPS.Z (DX)(R10*1), K1, Z9; \
	VFMADD231PS Z9, wc, Z3; \
	VFMADD231PS Z9, wb, Z4; \
	VFMADD231PS Z9, wa, Z5; \
	VMOVUPS.Z (DX)(R9*2), K1, Z10; \
	VFMADD231PS Z10, wc, Z4; \
	VFMADD231PS Z10, wb, Z5; \
	VFMADD231PS Z10, wa, Z6; \
	VMOVUPS.Z (DX)(R11*1), K1, Z11; \
	VFMADD231PS Z11, wc, Z5; \
	VFMADD231PS Z11, wb, Z6; \
	VFMADD231PS Z11, wa, Z7; \
	VMOVUPS.Z (DX)(R8*8), K1, Z8; \
	VFMADD231PS Z8, wc, Z6; \
	VFMADD231PS Z8, wb, Z7; \
	LEAQ (DX)(R8*8), DX; \
	VMOVUPS.Z (DX)(R8*1), K1, Z9; \
	VFMADD231PS Z9, wc, Z7

// S1ROW4(wa, wb, wc): S1ROW for a 4-column group (6 loads serve 12 FMAs).
#define S1ROW4(wa, wb, wc) \
	VMOVUPS.Z (DX), K1, Z8; \
	VFMADD231PS Z8, wa, Z0; \
	VMOVUPS.Z (DX)(R8*1), K1, Z9; \
	VFMADD231PS Z9, wa, Z1; \
	VFMADD231PS Z9, wb, Z0; \
	VMOVUPS.Z (DX)(R8*2), K1, Z10; \
	VFMADD231PS Z10, wa, Z2; \
	VFMADD231PS Z10, wb, Z1; \
	VFMADD231PS Z10, wc, Z0; \
	VMOVUPS.Z (DX)(R9*1), K1, Z11; \
	VFMADD231PS Z11, wa, Z3; \
	VFMADD231PS Z11, wb, Z2; \
	VFMADD231PS Z11, wc, Z1; \
	VMOVUPS.Z (DX)(R8*4), K1, Z8; \
	VFMADD231PS Z8, wb, Z3; \
	VFMADD231PS Z8, wc, Z2; \
	VMOVUPS.Z (DX)(R10*1), K1, Z9; \
	VFMADD231PS Z9, wc, Z3;

// S2ROW(wa, wb, wc): one tap row of an 8-column group at stride 2 (colStep = 2*tapStep):
// input x = 0..16 (17 loads for 24 FMAs) feeds output x/2 (tap x even: 0 or 2, odd: 1).
// Even x are at DX + (x/2)*colStep, odd x at R14 = DX + tapStep plus the same.
#define S2ROW(wa, wb, wc) \
	LEAQ (DX)(R12*1), R14; \
	VMOVUPS.Z (DX), K1, Z8; \
	VFMADD231PS Z8, wa, Z0; \
	VMOVUPS.Z (R14), K1, Z9; \
	VFMADD231PS Z9, wb, Z0; \
	VMOVUPS.Z (DX)(R8*1), K1, Z10; \
	VFMADD231PS Z10, wa, Z1; \
	VFMADD231PS Z10, wc, Z0; \
	VMOVUPS.Z (R14)(R8*1), K1, Z11; \
	VFMADD231PS Z11, wb, Z1; \
	VMOVUPS.Z (DX)(R8*2), K1, Z8; \
	VFMADD231PS Z8, wa, Z2; \
	VFMADD231PS Z8, wc, Z1; \
	VMOVUPS.Z (R14)(R8*2), K1, Z9; \
	VFMADD231PS Z9, wb, Z2; \
	VMOVUPS.Z (DX)(R9*1), K1, Z10; \
	VFMADD231PS Z10, wa, Z3; \
	VFMADD231PS Z10, wc, Z2; \
	VMOVUPS.Z (R14)(R9*1), K1, Z11; \
	VFMADD231PS Z11, wb, Z3; \
	VMOVUPS.Z (DX)(R8*4), K1, Z8; \
	VFMADD231PS Z8, wa, Z4; \
	VFMADD231PS Z8, wc, Z3; \
	VMOVUPS.Z (R14)(R8*4), K1, Z9; \
	VFMADD231PS Z9, wb, Z4; \
	VMOVUPS.Z (DX)(R10*1), K1, Z10; \
	VFMADD231PS Z10, wa, Z5; \
	VFMADD231PS Z10, wc, Z4; \
	VMOVUPS.Z (R14)(R10*1), K1, Z11; \
	VFMADD231PS Z11, wb, Z5; \
	VMOVUPS.Z (DX)(R9*2), K1, Z8; \
	VFMADD231PS Z8, wa, Z6; \
	VFMADD231PS Z8, wc, Z5; \
	VMOVUPS.Z (R14)(R9*2), K1, Z9; \
	VFMADD231PS Z9, wb, Z6; \
	VMOVUPS.Z (DX)(R11*1), K1, Z10; \
	VFMADD231PS Z10, wa, Z7; \
	VFMADD231PS Z10, wc, Z6; \
	VMOVUPS.Z (R14)(R11*1), K1, Z11; \
	VFMADD231PS Z11, wb, Z7; \
	VMOVUPS.Z (DX)(R8*8), K1, Z8; \
	VFMADD231PS Z8, wc, Z7;

#define FIN(r) \
	VMAXPS Z30, r, r; \
	VMINPS Z31, r, r

// SELMASK sets K1 for the block at byte offset SI: K3 (lastMask) for the last block of the
// call, else K2 (mask).
#define SELMASK(bb) \
	KMOVW K2, K1; \
	LEAQ 64(SI), DX; \
	CMPQ DX, bb; \
	JNE  2(PC); \
	KMOVW K3, K1

// func dw3x3AVX512(in, out, w *float32, ncols, blockBytes, colStep, tapStep, rowStep, outColStep, wBlockStep int, lo, hi float32, mask uint32, lastMask uint32)
TEXT ·dw3x3AVX512(SB), NOSPLIT, $0-96
	MOVQ colStep+40(FP), R8
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10
	LEAQ (R9)(R8*4), R11
	MOVQ tapStep+48(FP), R12
	MOVQ rowStep+56(FP), R13
	VBROADCASTSS lo+80(FP), Z30
	VBROADCASTSS hi+84(FP), Z31
	MOVL mask+88(FP), DX
	KMOVW DX, K2
	MOVL lastMask+92(FP), DX
	KMOVW DX, K3
	MOVQ w+16(FP), BX
	XORQ SI, SI

block:
	SELMASK(blockBytes+32(FP))
	VMOVUPS (BX), Z29
	VMOVUPS 64(BX), Z20
	VMOVUPS 128(BX), Z21
	VMOVUPS 192(BX), Z22
	VMOVUPS 256(BX), Z23
	VMOVUPS 320(BX), Z24
	VMOVUPS 384(BX), Z25
	VMOVUPS 448(BX), Z26
	VMOVUPS 512(BX), Z27
	VMOVUPS 576(BX), Z28
	MOVQ in+0(FP), AX
	ADDQ SI, AX
	MOVQ out+8(FP), CX
	ADDQ SI, CX
	MOVQ ncols+24(FP), DI

g8:
	CMPQ DI, $8
	JLT  g4
	VMOVAPS Z29, Z0
	VMOVAPS Z29, Z1
	VMOVAPS Z29, Z2
	VMOVAPS Z29, Z3
	VMOVAPS Z29, Z4
	VMOVAPS Z29, Z5
	VMOVAPS Z29, Z6
	VMOVAPS Z29, Z7
	CMPQ R8, R12
	JNE  g8s2
	MOVQ AX, DX
	S1ROW(Z20, Z21, Z22)
	LEAQ (AX)(R13*1), DX
	S1ROW(Z23, Z24, Z25)
	LEAQ (AX)(R13*2), DX
	S1ROW(Z26, Z27, Z28)
	JMP  g8fin

g8s2:
	LEAQ (R12)(R12*1), DX
	CMPQ R8, DX
	JNE  g8mem
	MOVQ AX, DX
	S2ROW(Z20, Z21, Z22)
	LEAQ (AX)(R13*1), DX
	S2ROW(Z23, Z24, Z25)
	LEAQ (AX)(R13*2), DX
	S2ROW(Z26, Z27, Z28)
	JMP  g8fin

g8mem:
	ROWS(TAP8)

g8fin:
	FIN(Z0)
	FIN(Z1)
	FIN(Z2)
	FIN(Z3)
	FIN(Z4)
	FIN(Z5)
	FIN(Z6)
	FIN(Z7)
	MOVQ outColStep+64(FP), DX
	VMOVUPS Z0, K1, (CX)
	VMOVUPS Z1, K1, (CX)(DX*1)
	VMOVUPS Z2, K1, (CX)(DX*2)
	VMOVUPS Z4, K1, (CX)(DX*4)
	ADDQ DX, CX
	VMOVUPS Z3, K1, (CX)(DX*2)
	VMOVUPS Z5, K1, (CX)(DX*4)
	ADDQ DX, CX
	VMOVUPS Z6, K1, (CX)(DX*4)
	ADDQ DX, CX
	VMOVUPS Z7, K1, (CX)(DX*4)
	LEAQ (CX)(DX*4), CX
	ADDQ DX, CX
	LEAQ (AX)(R8*8), AX
	SUBQ $8, DI
	JMP  g8

g4:
	CMPQ DI, $4
	JLT  g1
	VMOVAPS Z29, Z0
	VMOVAPS Z29, Z1
	VMOVAPS Z29, Z2
	VMOVAPS Z29, Z3
	CMPQ R8, R12
	JNE  g4mem
	MOVQ AX, DX
	S1ROW4(Z20, Z21, Z22)
	LEAQ (AX)(R13*1), DX
	S1ROW4(Z23, Z24, Z25)
	LEAQ (AX)(R13*2), DX
	S1ROW4(Z26, Z27, Z28)
	JMP  g4fin

g4mem:
	ROWS(TAP4)

g4fin:
	FIN(Z0)
	FIN(Z1)
	FIN(Z2)
	FIN(Z3)
	MOVQ outColStep+64(FP), DX
	VMOVUPS Z0, K1, (CX)
	VMOVUPS Z1, K1, (CX)(DX*1)
	VMOVUPS Z2, K1, (CX)(DX*2)
	ADDQ DX, CX
	VMOVUPS Z3, K1, (CX)(DX*2)
	LEAQ (CX)(DX*2), CX
	ADDQ DX, CX
	LEAQ (AX)(R8*4), AX
	SUBQ $4, DI

g1:
	TESTQ DI, DI
	JZ   nextblock
	VMOVAPS Z29, Z0
	ROWS(TAP1)
	FIN(Z0)
	VMOVUPS Z0, K1, (CX)
	ADDQ outColStep+64(FP), CX
	ADDQ R8, AX
	DECQ DI
	JMP  g1

nextblock:
	ADDQ wBlockStep+72(FP), BX
	ADDQ $64, SI
	CMPQ SI, blockBytes+32(FP)
	JLT  block
	VZEROUPPER
	RET
