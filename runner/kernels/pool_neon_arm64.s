//go:build arm64 && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON pooling kernels: channels in lanes. maxPoolNEON / avgPoolNEON compute ncols output
// columns of one output row for nvec consecutive 4-channel vectors with one nky x nkx tap
// window (the first tap at in for column 0; nky == 0: an empty window); steps in bytes.
// Accumulators start at init; the result is multiplied by scale (1 for the max pool, an
// exact no-op). Vectors go in groups of 4 (one 64-byte load per tap), then one at a time.
//
// func(in, out *float32, ncols, nvec, nky, nkx, colStep, tapStep, rowStep, outColStep int, init, scale float32)
//
// Registers: R0/R1 column input/output, R2 columns left, R3 vectors left, R4/R5 vector
// input/output, R6/R7 ky/kx counters, R8 tap row, R9 tap, R10 colStep, R11 tapStep, R12
// rowStep, R13 outColStep; V30 init, V31 scale.

#define POOLARGS \
	MOVD in+0(FP), R0; \
	MOVD out+8(FP), R1; \
	MOVD ncols+16(FP), R2; \
	MOVD colStep+48(FP), R10; \
	MOVD tapStep+56(FP), R11; \
	MOVD rowStep+64(FP), R12; \
	MOVD outColStep+72(FP), R13; \
	VDUPF(init+80(FP), F30, V30); \
	VDUPF(scale+84(FP), F31, V31)

// SUM4(op, p) loads 4 vectors (64 bytes) at p into V4..V7, moves p on by R11 bytes and
// reduces them into V0..V3 with op (VFMAX4, VFADD4); SUM1 is one vector into V0.
#define SUM4(op, p) \
	VLD1.P (p)(R11), [V4.S4, V5.S4, V6.S4, V7.S4]; \
	VEACH4(op, 0, 0, 4)

#define SUM1(op, p) \
	VLD1.P (p)(R11), [V4.S4]; \
	op(0, 0, 4)

// STORE4 scales V0..V3 by V31, stores them at out and moves out and in on by 4 vectors;
// then loops to again while 4 or more vectors (R3) remain. STORE1 is one vector, looping
// while any remains.
#define STORE4(out, in, again) \
	VEACH4S(VFMUL4, 0, 31); \
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (out); \
	ADD $64, out; \
	ADD $64, in; \
	SUB $4, R3; \
	CMP $4, R3; \
	BGE again

#define STORE1(out, in, again) \
	VFMUL4(0, 0, 31); \
	VST1 [V0.S4], (out); \
	ADD $16, out; \
	ADD $16, in; \
	SUBS $1, R3; \
	BNE again

// The body's group of 4 vectors and single vector run the same tap loops: WINDOW starts one
// (to empty when the window has no tap), TAPROW starts a tap row, NEXTTAPROW loops over the
// rows.
#define WINDOW(empty) \
	MOVD R4, R8; \
	MOVD nky+32(FP), R6; \
	CBZ R6, empty

#define TAPROW \
	MOVD R8, R9; \
	MOVD nkx+40(FP), R7

#define NEXTTAPROW(again) \
	ADD R12, R8; \
	SUBS $1, R6; \
	BNE again

TEXT ·maxPoolNEON(SB), NOSPLIT, $0-88
	POOLARGS
#define OP VFMAX4
#include "pool_neon_body.h"
#undef OP
	RET

TEXT ·avgPoolNEON(SB), NOSPLIT, $0-88
	POOLARGS
#define OP VFADD4
#include "pool_neon_body.h"
#undef OP
	RET

// globalAvgNEON sums pixels pixels (stride bytes apart) of nvec 4-channel vectors into out
// and multiplies by scale; vectors in groups of 4, then one at a time.
//
// func globalAvgNEON(in, out *float32, pixels, stride, nvec int, scale float32)
TEXT ·globalAvgNEON(SB), NOSPLIT, $0-44
	MOVD in+0(FP), R0
	MOVD out+8(FP), R1
	MOVD stride+24(FP), R11
	MOVD nvec+32(FP), R3
	VDUPF(scale+40(FP), F31, V31)
	CMP $4, R3
	BLT gsingle

ggroup:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVD R0, R9
	MOVD pixels+16(FP), R7

gpix:
	SUM4(VFADD4, R9)
	SUBS $1, R7
	BNE gpix

gstore:
	STORE4(R1, R0, ggroup)

gsingle:
	CBZ R3, gdone

gone:
	VEOR V0.B16, V0.B16, V0.B16
	MOVD R0, R9
	MOVD pixels+16(FP), R7

gopix:
	SUM1(VFADD4, R9)
	SUBS $1, R7
	BNE gopix

gostore:
	STORE1(R1, R0, gone)

gdone:
	RET
