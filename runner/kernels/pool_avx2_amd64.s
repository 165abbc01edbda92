//go:build amd64 && !noasm

#include "textflag.h"

// Pooling, AVX2, channels in lanes (8 per ymm): the structure of dwAVX2 (dw_avx2_amd64.s)
// without weights. The *AVX2 functions compute whole 8-channel groups [0, groupBytes/32) for
// ncols output columns of one output row with one valid window (nky x nkx taps, nky == 0 for
// none); the *AVX2Tail functions one partial group (lanes with mask[l] < 0), one column at a
// time. Accumulators start at init (Y14); FINISH scales by Y15 (average) or does nothing (max).

#define OP VMAXPS
#define FINISH(r)

// func maxPoolAVX2(in, out *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)
TEXT ·maxPoolAVX2(SB), NOSPLIT, $0-88
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+48(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS init+80(FP), Y14
	VBROADCASTSS scale+84(FP), Y15

group4:
	CMPQ ncols+16(FP), $4
	JLT  group1
	XORQ SI, SI

block4:
	VMOVAPS Y14, Y1
	VMOVAPS Y14, Y2
	VMOVAPS Y14, Y3
	VMOVAPS Y14, Y4
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store4

row4:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap4:
	OP (R12), Y1, Y1
	OP (R12)(R8*1), Y2, Y2
	OP (R12)(R8*2), Y3, Y3
	OP (R12)(R9*1), Y4, Y4
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap4
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row4

store4:
	FINISH(Y1)
	FINISH(Y2)
	FINISH(Y3)
	FINISH(Y4)
	LEAQ (CX)(SI*1), R12
	MOVQ outColStep+72(FP), R13
	VMOVUPS Y1, (R12)
	VMOVUPS Y2, (R12)(R13*1)
	VMOVUPS Y3, (R12)(R13*2)
	ADDQ R13, R12
	VMOVUPS Y4, (R12)(R13*2)
	ADDQ $32, SI
	CMPQ SI, groupBytes+24(FP)
	JLT  block4

	LEAQ (AX)(R8*4), AX
	MOVQ outColStep+72(FP), R13
	LEAQ (CX)(R13*4), CX
	SUBQ $4, ncols+16(FP)
	JMP  group4

group1:
	CMPQ ncols+16(FP), $0
	JEQ  done
	XORQ SI, SI

block1:
	VMOVAPS Y14, Y1
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store1

row1:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap1:
	OP (R12), Y1, Y1
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap1
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row1

store1:
	FINISH(Y1)
	VMOVUPS Y1, (CX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, groupBytes+24(FP)
	JLT  block1

	ADDQ R8, AX
	ADDQ outColStep+72(FP), CX
	DECQ ncols+16(FP)
	JMP  group1

done:
	VZEROUPPER
	RET

// func maxPoolAVX2Tail(in, out *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask *int32)
TEXT ·maxPoolAVX2Tail(SB), NOSPLIT, $0-88
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+40(FP), R8
	VBROADCASTSS init+72(FP), Y14
	VBROADCASTSS scale+76(FP), Y15
	MOVQ mask+80(FP), DX
	VMOVUPS (DX), Y13

tcol:
	CMPQ ncols+16(FP), $0
	JEQ  tdone
	VMOVAPS Y14, Y1
	MOVQ AX, DI
	MOVQ nky+24(FP), R11
	TESTQ R11, R11
	JZ   tstore

trow:
	MOVQ DI, R12
	MOVQ nkx+32(FP), R14

ttap:
	VMASKMOVPS (R12), Y13, Y5
	OP Y5, Y1, Y1
	ADDQ tapStep+48(FP), R12
	DECQ R14
	JNZ  ttap
	ADDQ rowStep+56(FP), DI
	DECQ R11
	JNZ  trow

tstore:
	FINISH(Y1)
	VMASKMOVPS Y1, Y13, (CX)
	ADDQ R8, AX
	ADDQ outColStep+64(FP), CX
	DECQ ncols+16(FP)
	JMP  tcol

tdone:
	VZEROUPPER
	RET

#undef OP
#undef FINISH

#define OP VADDPS
#define FINISH(r) VMULPS Y15, r, r

// func avgPoolAVX2(in, out *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)
TEXT ·avgPoolAVX2(SB), NOSPLIT, $0-88
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+48(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS init+80(FP), Y14
	VBROADCASTSS scale+84(FP), Y15

group4:
	CMPQ ncols+16(FP), $4
	JLT  group1
	XORQ SI, SI

block4:
	VMOVAPS Y14, Y1
	VMOVAPS Y14, Y2
	VMOVAPS Y14, Y3
	VMOVAPS Y14, Y4
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store4

row4:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap4:
	OP (R12), Y1, Y1
	OP (R12)(R8*1), Y2, Y2
	OP (R12)(R8*2), Y3, Y3
	OP (R12)(R9*1), Y4, Y4
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap4
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row4

store4:
	FINISH(Y1)
	FINISH(Y2)
	FINISH(Y3)
	FINISH(Y4)
	LEAQ (CX)(SI*1), R12
	MOVQ outColStep+72(FP), R13
	VMOVUPS Y1, (R12)
	VMOVUPS Y2, (R12)(R13*1)
	VMOVUPS Y3, (R12)(R13*2)
	ADDQ R13, R12
	VMOVUPS Y4, (R12)(R13*2)
	ADDQ $32, SI
	CMPQ SI, groupBytes+24(FP)
	JLT  block4

	LEAQ (AX)(R8*4), AX
	MOVQ outColStep+72(FP), R13
	LEAQ (CX)(R13*4), CX
	SUBQ $4, ncols+16(FP)
	JMP  group4

group1:
	CMPQ ncols+16(FP), $0
	JEQ  done
	XORQ SI, SI

block1:
	VMOVAPS Y14, Y1
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store1

row1:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap1:
	OP (R12), Y1, Y1
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap1
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row1

store1:
	FINISH(Y1)
	VMOVUPS Y1, (CX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, groupBytes+24(FP)
	JLT  block1

	ADDQ R8, AX
	ADDQ outColStep+72(FP), CX
	DECQ ncols+16(FP)
	JMP  group1

done:
	VZEROUPPER
	RET

// func avgPoolAVX2Tail(in, out *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask *int32)
TEXT ·avgPoolAVX2Tail(SB), NOSPLIT, $0-88
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+40(FP), R8
	VBROADCASTSS init+72(FP), Y14
	VBROADCASTSS scale+76(FP), Y15
	MOVQ mask+80(FP), DX
	VMOVUPS (DX), Y13

tcol:
	CMPQ ncols+16(FP), $0
	JEQ  tdone
	VMOVAPS Y14, Y1
	MOVQ AX, DI
	MOVQ nky+24(FP), R11
	TESTQ R11, R11
	JZ   tstore

trow:
	MOVQ DI, R12
	MOVQ nkx+32(FP), R14

ttap:
	VMASKMOVPS (R12), Y13, Y5
	OP Y5, Y1, Y1
	ADDQ tapStep+48(FP), R12
	DECQ R14
	JNZ  ttap
	ADDQ rowStep+56(FP), DI
	DECQ R11
	JNZ  trow

tstore:
	FINISH(Y1)
	VMASKMOVPS Y1, Y13, (CX)
	ADDQ R8, AX
	ADDQ outColStep+64(FP), CX
	DECQ ncols+16(FP)
	JMP  tcol

tdone:
	VZEROUPPER
	RET

#undef OP
#undef FINISH

// func globalAvgAVX2(in, out *float32, pixels, stride, groupBytes int, scale float32)
// Whole 8-channel groups, 8 groups (256 contiguous bytes per pixel, 8 accumulator chains) at
// a time, then single groups. AX/CX = input/output of the current chunk, SI = bytes left,
// DI = pixel pointer, R8 = pixel stride in bytes, R11 = pixels left.

#define GADD(off, r) VADDPS off(DI), r, r
#define GSTORE(off, r) VMULPS Y15, r, r; VMOVUPS r, off(CX)

TEXT ·globalAvgAVX2(SB), NOSPLIT, $0-44
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ groupBytes+32(FP), SI
	VBROADCASTSS scale+40(FP), Y15

gchunk8:
	CMPQ SI, $256
	JLT  gchunk1
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	MOVQ AX, DI
	MOVQ pixels+16(FP), R11

gpix8:
	GADD(0, Y1)
	GADD(32, Y2)
	GADD(64, Y3)
	GADD(96, Y4)
	GADD(128, Y5)
	GADD(160, Y6)
	GADD(192, Y7)
	GADD(224, Y8)
	ADDQ R8, DI
	DECQ R11
	JNZ  gpix8
	GSTORE(0, Y1)
	GSTORE(32, Y2)
	GSTORE(64, Y3)
	GSTORE(96, Y4)
	GSTORE(128, Y5)
	GSTORE(160, Y6)
	GSTORE(192, Y7)
	GSTORE(224, Y8)
	ADDQ $256, AX
	ADDQ $256, CX
	SUBQ $256, SI
	JMP  gchunk8

gchunk1:
	TESTQ SI, SI
	JZ   gdone
	VXORPS Y1, Y1, Y1
	MOVQ AX, DI
	MOVQ pixels+16(FP), R11

gpix1:
	GADD(0, Y1)
	ADDQ R8, DI
	DECQ R11
	JNZ  gpix1
	GSTORE(0, Y1)
	ADDQ $32, AX
	ADDQ $32, CX
	SUBQ $32, SI
	JMP  gchunk1

gdone:
	VZEROUPPER
	RET
