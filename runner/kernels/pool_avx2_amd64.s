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
#include "pool_avx2_body.h"

// func maxPoolAVX2Tail(in, out *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask *int32)
TEXT ·maxPoolAVX2Tail(SB), NOSPLIT, $0-88
#include "pool_avx2_tail_body.h"

#undef OP
#undef FINISH

#define OP VADDPS
#define FINISH(r) VMULPS Y15, r, r

// func avgPoolAVX2(in, out *float32, ncols, groupBytes, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)
TEXT ·avgPoolAVX2(SB), NOSPLIT, $0-88
#include "pool_avx2_body.h"

// func avgPoolAVX2Tail(in, out *float32, ncols, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32, mask *int32)
TEXT ·avgPoolAVX2Tail(SB), NOSPLIT, $0-88
#include "pool_avx2_tail_body.h"

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
