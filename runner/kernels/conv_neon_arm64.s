//go:build arm64 && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON direct conv kernels (the stem): output channels in lanes, input taps broadcast by
// FMLA-by-element (lane 0 of a scalar load). One call computes ncols output columns of one
// output row for one 32-channel block of PackedConv ([bias(32), then per (ky, kx, ci) tap
// 32 weights]): nky x nkx x cin taps, the first at in for column 0 (weights at w +
// wTapOff); steps in bytes; wRowSkip skips the weights of the taps a clipped window row
// leaves out. Columns go in groups of P pixels; a last group of fewer pixels repeats its
// last pixel's input pointer and stores only its own pixels. Output channels whose mask
// bit is clear are not written.
//
// func(in, out, w *float32, ncols, nky, nkx, cin, colStep, tapStep, rowStep, wTapOff, wRowSkip, outColStep int, lo, hi float32, mask uint32)
//
// General registers: R0 output pixel, R1..R4 pixel input pointers, R5 weights, R6/R7/R8
// ky/kx/ci counters, R9 colStep, R10 tapStep - 4*cin, R11 rowStep - nkx*tapStep, R12 column
// input base, R13 column output base, R14 columns left, R15 pixels in the group, R16
// scratch, R17 mask, R19 outColStep, R20 wRowSkip, R21 w.

#define CONVARGS \
	MOVD in+0(FP), R12; \
	MOVD out+8(FP), R13; \
	MOVD w+16(FP), R21; \
	MOVD ncols+24(FP), R14; \
	MOVD colStep+56(FP), R9; \
	MOVD tapStep+64(FP), R10; \
	MOVD cin+48(FP), R16; \
	SUB R16<<2, R10; \
	MOVD nkx+40(FP), R16; \
	MOVD tapStep+64(FP), R11; \
	MUL R16, R11; \
	MOVD rowStep+72(FP), R16; \
	SUB R11, R16, R11; \
	MOVD wRowSkip+88(FP), R20; \
	MOVD outColStep+96(FP), R19; \
	MOVWU mask+112(FP), R17

// PIX sets cur to pixel i's input (prev + colStep) when i < R15 pixels, else to prev.
#define PIX(i, prev, cur) \
	ADD R9, prev, R16; \
	CMP $i, R15; \
	CSEL GT, R16, prev, cur

// NEXTKX and NEXTKY end the kx and ky tap loops: the ci loop body post-increments the
// pixel pointers R1..R4 by 4 per ci; at the end of a kx (ky) step they move to the next tap
// (tap row), and at the end of a ky step the weights R5 skip wRowSkip.
#define NEXTKX(kxlabel) \
	ADD R10, R1; \
	ADD R10, R2; \
	ADD R10, R3; \
	ADD R10, R4; \
	SUBS $1, R7; \
	BNE kxlabel

#define NEXTKY(kylabel) \
	ADD R11, R1; \
	ADD R11, R2; \
	ADD R11, R3; \
	ADD R11, R4; \
	ADD R20, R5; \
	SUBS $1, R6; \
	BNE kylabel

// STARTTAPS points R5 at the first tap's weights and loads the counters; it jumps to
// donelabel when the window is empty (nky == 0).
#define STARTTAPS(donelabel) \
	MOVD wTapOff+80(FP), R5; \
	ADD R21, R5; \
	MOVD nky+32(FP), R6; \
	CBZ R6, donelabel

// PIXDONE leaves the stores after pixel i (0-based) when the group has i+1 pixels, else
// moves R0 to the next pixel's output.
#define PIXDONE(i, label) \
	CMP $(i+1), R15; \
	BEQ label; \
	ADD R19, R0

// Both kernels are CONVARGS and the body conv_neon_body.h, with the parts below. Both
// keep 24 accumulators, V0..V23.

// BIAS24 loads the bias of the block's channels 0..23 into V24..V29.
#define BIAS24 \
	FLDPQ (R21), (F24, F25); \
	FLDPQ 32(R21), (F26, F27); \
	FLDPQ 64(R21), (F28, F29)

// ---------------------------------------------------------------------------------------
// convNEON6: 4 pixels x 24 channels (6 vectors; a block's channels 24..31 are neither
// computed nor stored: mask bits 24..31 must be clear). Accumulators V0..V23 (pixel j,
// vector v in V(6j+v)), pixel inputs V24..V27, weights V28..V31. Per tap: 4 scalar loads,
// 3 weight pair loads, 24 FMLAs.

// FMA6(p, wa, wb) adds weight vectors wa and wb (vectors p, p+1 of the block) times each
// pixel's input.
#define FMA6(p, wa, wb) \
	EACHROW4(FMLAE1, p, 6, wa, 24, 0); \
	EACHROW4(FMLAE1, p+1, 6, wb, 24, 0)

#define NPIX 4
#define PIXS PIX(1, R1, R2); PIX(2, R2, R3); PIX(3, R3, R4)
#define BIAS BIAS24
#define INITACC \
	INIT6(V0, V1, V2, V3, V4, V5); \
	INIT6(V6, V7, V8, V9, V10, V11); \
	INIT6(V12, V13, V14, V15, V16, V17); \
	INIT6(V18, V19, V20, V21, V22, V23)
#define CITAP \
	FMOVS.P 4(R1), F24; \
	FMOVS.P 4(R2), F25; \
	FMOVS.P 4(R3), F26; \
	FMOVS.P 4(R4), F27; \
	FLDPQ (R5), (F28, F29); \
	FMA6(0, 28, 29); \
	FLDPQ 32(R5), (F30, F31); \
	FMA6(2, 30, 31); \
	FLDPQ 64(R5), (F28, F29); \
	FMA6(4, 28, 29)
#define FULL 0xFFFFFF
#define ST ST6
#define MST MST6
#define ROWS(op) \
	op(V0, F0, V1, F1, V2, F2, V3, F3, V4, F4, V5, F5); PIXDONE(0, next); \
	op(V6, F6, V7, F7, V8, F8, V9, F9, V10, F10, V11, F11); PIXDONE(1, next); \
	op(V12, F12, V13, F13, V14, F14, V15, F15, V16, F16, V17, F17); PIXDONE(2, next); \
	op(V18, F18, V19, F19, V20, F20, V21, F21, V22, F22, V23, F23)
#define NEXTCOLS \
	LSL $2, R9, R16; \
	ADD R16, R12; \
	LSL $2, R19, R16; \
	ADD R16, R13

TEXT ·convNEON6(SB), NOSPLIT, $0-116
	CONVARGS
#include "conv_neon_body.h"

// ---------------------------------------------------------------------------------------
// convNEON8: 3 pixels x 32 channels (8 vectors). Accumulators V0..V23 (pixel j, vector v
// in V(8j+v)), pixel inputs V24..V26, weights V28..V31. Per tap: 3 scalar loads, 4 weight
// pair loads, 24 FMLAs.

#define FMA8(p, wa, wb) \
	EACHROW3(FMLAE1, p, 8, wa, 24, 0); \
	EACHROW3(FMLAE1, p+1, 8, wb, 24, 0)

#define NPIX 3
#define PIXS PIX(1, R1, R2); PIX(2, R2, R3)
#define BIAS BIAS24; FLDPQ 96(R21), (F30, F31)
// R4 (a fourth pixel, which the taps do not read but NEXTKX and NEXTKY move) = R3.
#define INITACC \
	INIT8(V0, V1, V2, V3, V4, V5, V6, V7); \
	INIT8(V8, V9, V10, V11, V12, V13, V14, V15); \
	INIT8(V16, V17, V18, V19, V20, V21, V22, V23); \
	MOVD R3, R4
#define CITAP \
	FMOVS.P 4(R1), F24; \
	FMOVS.P 4(R2), F25; \
	FMOVS.P 4(R3), F26; \
	FLDPQ (R5), (F28, F29); \
	FMA8(0, 28, 29); \
	FLDPQ 32(R5), (F30, F31); \
	FMA8(2, 30, 31); \
	FLDPQ 64(R5), (F28, F29); \
	FMA8(4, 28, 29); \
	FLDPQ 96(R5), (F30, F31); \
	FMA8(6, 30, 31)
#define FULL 0xFFFFFFFF
#define ST ST8
#define MST MST8
#define ROWS(op) \
	op(V0, F0, V1, F1, V2, F2, V3, F3, V4, F4, V5, F5, V6, F6, V7, F7); PIXDONE(0, next); \
	op(V8, F8, V9, F9, V10, F10, V11, F11, V12, F12, V13, F13, V14, F14, V15, F15); PIXDONE(1, next); \
	op(V16, F16, V17, F17, V18, F18, V19, F19, V20, F20, V21, F21, V22, F22, V23, F23)
#define NEXTCOLS \
	ADD R9, R12; \
	ADD R9<<1, R12; \
	ADD R19, R13; \
	ADD R19<<1, R13

TEXT ·convNEON8(SB), NOSPLIT, $0-116
	CONVARGS
#include "conv_neon_body.h"
