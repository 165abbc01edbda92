//go:build amd64 && !noasm

#include "textflag.h"

// Depthwise conv, AVX2/FMA, channels in lanes (8 per ymm), any kernel size and stride: the
// structure of dwAVX512 (dw_avx512_amd64.s) with 8-channel groups and the 8-lane weight
// packing ([bias(8), tap0(8), ...] per group). dwAVX2 handles whole groups only; a partial
// group (channel tail or unaligned start) goes to dwAVX2Tail, which uses masked loads and
// stores (VMASKMOVPS) one column at a time.
// Registers: AX = input of the current column group, CX = its output; R8 = colStep,
// R9 = 3*colStep; SI = group byte offset (g*32); BX = weights of the group; DI/R10 = tap row
// pointers (input/weights); R12/R13 = tap pointers; R11, R14 = row/column counters.
// Y0 = tap weights, Y1..Y4 = accumulators, Y5 = masked input, Y13 = lane mask,
// Y14/Y15 = clamp.

// func dwAVX2(in, out, w *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep, wTapOff, wRowStep, wGroupStep int, lo, hi float32)
TEXT ·dwAVX2(SB), NOSPLIT, $0-120
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+56(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS lo+112(FP), Y14
	VBROADCASTSS hi+116(FP), Y15

group4:
	CMPQ ncols+24(FP), $4
	JLT  group1
	XORQ SI, SI
	MOVQ w+16(FP), BX

block4:
	VMOVUPS (BX), Y1
	VMOVAPS Y1, Y2
	VMOVAPS Y1, Y3
	VMOVAPS Y1, Y4
	MOVQ nky+40(FP), R11
	TESTQ R11, R11
	JZ   store4
	CMPQ nkx+48(FP), $0
	JEQ  store4
	LEAQ (AX)(SI*1), DI
	MOVQ BX, R10
	ADDQ wTapOff+88(FP), R10

row4:
	MOVQ DI, R12
	MOVQ R10, R13
	MOVQ nkx+48(FP), R14

tap4:
	VMOVUPS (R13), Y0
	VFMADD231PS (R12), Y0, Y1
	VFMADD231PS (R12)(R8*1), Y0, Y2
	VFMADD231PS (R12)(R8*2), Y0, Y3
	VFMADD231PS (R12)(R9*1), Y0, Y4
	ADDQ tapStep+64(FP), R12
	ADDQ $32, R13
	DECQ R14
	JNZ  tap4
	ADDQ rowStep+72(FP), DI
	ADDQ wRowStep+96(FP), R10
	DECQ R11
	JNZ  row4

store4:
	VMAXPS Y14, Y1, Y1
	VMAXPS Y14, Y2, Y2
	VMAXPS Y14, Y3, Y3
	VMAXPS Y14, Y4, Y4
	VMINPS Y15, Y1, Y1
	VMINPS Y15, Y2, Y2
	VMINPS Y15, Y3, Y3
	VMINPS Y15, Y4, Y4
	LEAQ (CX)(SI*1), R12
	MOVQ outColStep+80(FP), R13
	VMOVUPS Y1, (R12)
	VMOVUPS Y2, (R12)(R13*1)
	VMOVUPS Y3, (R12)(R13*2)
	ADDQ R13, R12
	VMOVUPS Y4, (R12)(R13*2)
	ADDQ wGroupStep+104(FP), BX
	ADDQ $32, SI
	CMPQ SI, groupBytes+32(FP)
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
	VMOVUPS (BX), Y1
	MOVQ nky+40(FP), R11
	TESTQ R11, R11
	JZ   store1
	CMPQ nkx+48(FP), $0
	JEQ  store1
	LEAQ (AX)(SI*1), DI
	MOVQ BX, R10
	ADDQ wTapOff+88(FP), R10

row1:
	MOVQ DI, R12
	MOVQ R10, R13
	MOVQ nkx+48(FP), R14

tap1:
	VMOVUPS (R13), Y0
	VFMADD231PS (R12), Y0, Y1
	ADDQ tapStep+64(FP), R12
	ADDQ $32, R13
	DECQ R14
	JNZ  tap1
	ADDQ rowStep+72(FP), DI
	ADDQ wRowStep+96(FP), R10
	DECQ R11
	JNZ  row1

store1:
	VMAXPS Y14, Y1, Y1
	VMINPS Y15, Y1, Y1
	VMOVUPS Y1, (CX)(SI*1)
	ADDQ wGroupStep+104(FP), BX
	ADDQ $32, SI
	CMPQ SI, groupBytes+32(FP)
	JLT  block1

	ADDQ R8, AX
	ADDQ outColStep+80(FP), CX
	DECQ ncols+24(FP)
	JMP  group1

done:
	VZEROUPPER
	RET

// func dwAVX2Tail(in, out, w *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep, wTapOff, wRowStep int, lo, hi float32, mask *int32)
// One 8-channel group, lanes where mask[l] < 0, one column at a time.
TEXT ·dwAVX2Tail(SB), NOSPLIT, $0-112
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+48(FP), R8
	VBROADCASTSS lo+96(FP), Y14
	VBROADCASTSS hi+100(FP), Y15
	MOVQ mask+104(FP), DX
	VMOVUPS (DX), Y13
	MOVQ w+16(FP), BX

tcol:
	CMPQ ncols+24(FP), $0
	JEQ  tdone
	VMOVUPS (BX), Y1
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   tstore
	CMPQ nkx+40(FP), $0
	JEQ  tstore
	MOVQ AX, DI
	MOVQ BX, R10
	ADDQ wTapOff+80(FP), R10

trow:
	MOVQ DI, R12
	MOVQ R10, R13
	MOVQ nkx+40(FP), R14

ttap:
	VMOVUPS (R13), Y0
	VMASKMOVPS (R12), Y13, Y5
	VFMADD231PS Y5, Y0, Y1
	ADDQ tapStep+56(FP), R12
	ADDQ $32, R13
	DECQ R14
	JNZ  ttap
	ADDQ rowStep+64(FP), DI
	ADDQ wRowStep+88(FP), R10
	DECQ R11
	JNZ  trow

tstore:
	VMAXPS Y14, Y1, Y1
	VMINPS Y15, Y1, Y1
	VMASKMOVPS Y1, Y13, (CX)
	ADDQ R8, AX
	ADDQ outColStep+72(FP), CX
	DECQ ncols+24(FP)
	JMP  tcol

tdone:
	VZEROUPPER
	RET
