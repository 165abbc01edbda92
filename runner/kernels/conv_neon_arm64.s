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

// ---------------------------------------------------------------------------------------
// convNEON6: 4 pixels x 24 channels (6 vectors; a block's channels 24..31 are neither
// computed nor stored: mask bits 24..31 must be clear). Accumulators V0..V23 (pixel j,
// vector v in V(6j+v)), pixel inputs V24..V27, weights V28..V31. Per tap: 4 scalar loads,
// 3 weight pair loads, 24 FMLAs.

#define FMA6(p) \
	VFMLAE(p, 28, 24, 0); \
	VFMLAE(p+6, 28, 25, 0); \
	VFMLAE(p+12, 28, 26, 0); \
	VFMLAE(p+18, 28, 27, 0); \
	VFMLAE(p+1, 29, 24, 0); \
	VFMLAE(p+7, 29, 25, 0); \
	VFMLAE(p+13, 29, 26, 0); \
	VFMLAE(p+19, 29, 27, 0)

#define STORE6(f0, f1, f2, f3, f4, f5) \
	FSTPQ (f0, f1), (R0); \
	FSTPQ (f2, f3), 32(R0); \
	FSTPQ (f4, f5), 64(R0)

#define MSTORE6(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5) \
	LANES(v0, f0, 0, 0, R0, R17, R16); \
	LANES(v1, f1, 16, 4, R0, R17, R16); \
	LANES(v2, f2, 32, 8, R0, R17, R16); \
	LANES(v3, f3, 48, 12, R0, R17, R16); \
	LANES(v4, f4, 64, 16, R0, R17, R16); \
	LANES(v5, f5, 80, 20, R0, R17, R16)

// PIXDONE leaves the stores after pixel i (0-based) when the group has i+1 pixels, else
// moves R0 to the next pixel's output.
#define PIXDONE(i, label) \
	CMP $(i+1), R15; \
	BEQ label; \
	ADD R19, R0

TEXT ·convNEON6(SB), NOSPLIT, $0-116
	CONVARGS

group6:
	MOVD $4, R15
	CMP $4, R14
	CSEL LT, R14, R15, R15
	MOVD R12, R1
	PIX(1, R1, R2)
	PIX(2, R2, R3)
	PIX(3, R3, R4)
	FLDPQ (R21), (F24, F25)
	FLDPQ 32(R21), (F26, F27)
	FLDPQ 64(R21), (F28, F29)
	VMOV V24.B16, V0.B16
	VMOV V25.B16, V1.B16
	VMOV V26.B16, V2.B16
	VMOV V27.B16, V3.B16
	VMOV V28.B16, V4.B16
	VMOV V29.B16, V5.B16
	VMOV V24.B16, V6.B16
	VMOV V25.B16, V7.B16
	VMOV V26.B16, V8.B16
	VMOV V27.B16, V9.B16
	VMOV V28.B16, V10.B16
	VMOV V29.B16, V11.B16
	VMOV V24.B16, V12.B16
	VMOV V25.B16, V13.B16
	VMOV V26.B16, V14.B16
	VMOV V27.B16, V15.B16
	VMOV V28.B16, V16.B16
	VMOV V29.B16, V17.B16
	VMOV V24.B16, V18.B16
	VMOV V25.B16, V19.B16
	VMOV V26.B16, V20.B16
	VMOV V27.B16, V21.B16
	VMOV V28.B16, V22.B16
	VMOV V29.B16, V23.B16
	STARTTAPS(done6)

ky6:
	MOVD nkx+40(FP), R7

kx6:
	MOVD cin+48(FP), R8

ci6:
	FMOVS.P 4(R1), F24
	FMOVS.P 4(R2), F25
	FMOVS.P 4(R3), F26
	FMOVS.P 4(R4), F27
	FLDPQ (R5), (F28, F29)
	FMA6(0)
	FLDPQ 32(R5), (F30, F31)
	VFMLAE(2, 30, 24, 0)
	VFMLAE(8, 30, 25, 0)
	VFMLAE(14, 30, 26, 0)
	VFMLAE(20, 30, 27, 0)
	VFMLAE(3, 31, 24, 0)
	VFMLAE(9, 31, 25, 0)
	VFMLAE(15, 31, 26, 0)
	VFMLAE(21, 31, 27, 0)
	FLDPQ 64(R5), (F28, F29)
	FMA6(4)
	ADD $128, R5
	SUBS $1, R8
	BNE ci6

kxnext6:
	NEXTKX(kx6)

kynext6:
	NEXTKY(ky6)

done6:
	FMOVS lo+104(FP), F30
	VDUP V30.S[0], V30.S4
	FMOVS hi+108(FP), F31
	VDUP V31.S[0], V31.S4
	VCLAMP(0, 30, 31)
	VCLAMP(1, 30, 31)
	VCLAMP(2, 30, 31)
	VCLAMP(3, 30, 31)
	VCLAMP(4, 30, 31)
	VCLAMP(5, 30, 31)
	VCLAMP(6, 30, 31)
	VCLAMP(7, 30, 31)
	VCLAMP(8, 30, 31)
	VCLAMP(9, 30, 31)
	VCLAMP(10, 30, 31)
	VCLAMP(11, 30, 31)
	VCLAMP(12, 30, 31)
	VCLAMP(13, 30, 31)
	VCLAMP(14, 30, 31)
	VCLAMP(15, 30, 31)
	VCLAMP(16, 30, 31)
	VCLAMP(17, 30, 31)
	VCLAMP(18, 30, 31)
	VCLAMP(19, 30, 31)
	VCLAMP(20, 30, 31)
	VCLAMP(21, 30, 31)
	VCLAMP(22, 30, 31)
	VCLAMP(23, 30, 31)
	MOVD R13, R0
	MOVD $0xFFFFFF, R16
	CMP R16, R17
	BNE masked6

store6:
	STORE6(F0, F1, F2, F3, F4, F5)
	PIXDONE(0, next6)
	STORE6(F6, F7, F8, F9, F10, F11)
	PIXDONE(1, next6)
	STORE6(F12, F13, F14, F15, F16, F17)
	PIXDONE(2, next6)
	STORE6(F18, F19, F20, F21, F22, F23)

next6:
	LSL $2, R9, R16
	ADD R16, R12
	LSL $2, R19, R16
	ADD R16, R13
	SUBS R15, R14
	BNE group6
	RET

masked6:
	MSTORE6(V0, F0, V1, F1, V2, F2, V3, F3, V4, F4, V5, F5)
	PIXDONE(0, next6)
	MSTORE6(V6, F6, V7, F7, V8, F8, V9, F9, V10, F10, V11, F11)
	PIXDONE(1, next6)
	MSTORE6(V12, F12, V13, F13, V14, F14, V15, F15, V16, F16, V17, F17)
	PIXDONE(2, next6)
	MSTORE6(V18, F18, V19, F19, V20, F20, V21, F21, V22, F22, V23, F23)
	B next6

// ---------------------------------------------------------------------------------------
// convNEON8: 3 pixels x 32 channels (8 vectors). Accumulators V0..V23 (pixel j, vector v
// in V(8j+v)), pixel inputs V24..V26, weights V28..V31. Per tap: 3 scalar loads, 4 weight
// pair loads, 24 FMLAs.

#define FMA8(p, wa, wb) \
	VFMLAE(p, wa, 24, 0); \
	VFMLAE(p+8, wa, 25, 0); \
	VFMLAE(p+16, wa, 26, 0); \
	VFMLAE(p+1, wb, 24, 0); \
	VFMLAE(p+9, wb, 25, 0); \
	VFMLAE(p+17, wb, 26, 0)

#define STORE8(f0, f1, f2, f3, f4, f5, f6, f7) \
	FSTPQ (f0, f1), (R0); \
	FSTPQ (f2, f3), 32(R0); \
	FSTPQ (f4, f5), 64(R0); \
	FSTPQ (f6, f7), 96(R0)

#define MSTORE8(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5, v6, f6, v7, f7) \
	LANES(v0, f0, 0, 0, R0, R17, R16); \
	LANES(v1, f1, 16, 4, R0, R17, R16); \
	LANES(v2, f2, 32, 8, R0, R17, R16); \
	LANES(v3, f3, 48, 12, R0, R17, R16); \
	LANES(v4, f4, 64, 16, R0, R17, R16); \
	LANES(v5, f5, 80, 20, R0, R17, R16); \
	LANES(v6, f6, 96, 24, R0, R17, R16); \
	LANES(v7, f7, 112, 28, R0, R17, R16)

TEXT ·convNEON8(SB), NOSPLIT, $0-116
	CONVARGS

group8:
	MOVD $3, R15
	CMP $3, R14
	CSEL LT, R14, R15, R15
	MOVD R12, R1
	PIX(1, R1, R2)
	PIX(2, R2, R3)
	FLDPQ (R21), (F24, F25)
	FLDPQ 32(R21), (F26, F27)
	FLDPQ 64(R21), (F28, F29)
	FLDPQ 96(R21), (F30, F31)
	VMOV V24.B16, V0.B16
	VMOV V25.B16, V1.B16
	VMOV V26.B16, V2.B16
	VMOV V27.B16, V3.B16
	VMOV V28.B16, V4.B16
	VMOV V29.B16, V5.B16
	VMOV V30.B16, V6.B16
	VMOV V31.B16, V7.B16
	VMOV V24.B16, V8.B16
	VMOV V25.B16, V9.B16
	VMOV V26.B16, V10.B16
	VMOV V27.B16, V11.B16
	VMOV V28.B16, V12.B16
	VMOV V29.B16, V13.B16
	VMOV V30.B16, V14.B16
	VMOV V31.B16, V15.B16
	VMOV V24.B16, V16.B16
	VMOV V25.B16, V17.B16
	VMOV V26.B16, V18.B16
	VMOV V27.B16, V19.B16
	VMOV V28.B16, V20.B16
	VMOV V29.B16, V21.B16
	VMOV V30.B16, V22.B16
	VMOV V31.B16, V23.B16
	MOVD R3, R4
	STARTTAPS(done8)

ky8:
	MOVD nkx+40(FP), R7

kx8:
	MOVD cin+48(FP), R8

ci8:
	FMOVS.P 4(R1), F24
	FMOVS.P 4(R2), F25
	FMOVS.P 4(R3), F26
	FLDPQ (R5), (F28, F29)
	FMA8(0, 28, 29)
	FLDPQ 32(R5), (F30, F31)
	FMA8(2, 30, 31)
	FLDPQ 64(R5), (F28, F29)
	FMA8(4, 28, 29)
	FLDPQ 96(R5), (F30, F31)
	FMA8(6, 30, 31)
	ADD $128, R5
	SUBS $1, R8
	BNE ci8

kxnext8:
	NEXTKX(kx8)

kynext8:
	NEXTKY(ky8)

done8:
	FMOVS lo+104(FP), F30
	VDUP V30.S[0], V30.S4
	FMOVS hi+108(FP), F31
	VDUP V31.S[0], V31.S4
	VCLAMP(0, 30, 31)
	VCLAMP(1, 30, 31)
	VCLAMP(2, 30, 31)
	VCLAMP(3, 30, 31)
	VCLAMP(4, 30, 31)
	VCLAMP(5, 30, 31)
	VCLAMP(6, 30, 31)
	VCLAMP(7, 30, 31)
	VCLAMP(8, 30, 31)
	VCLAMP(9, 30, 31)
	VCLAMP(10, 30, 31)
	VCLAMP(11, 30, 31)
	VCLAMP(12, 30, 31)
	VCLAMP(13, 30, 31)
	VCLAMP(14, 30, 31)
	VCLAMP(15, 30, 31)
	VCLAMP(16, 30, 31)
	VCLAMP(17, 30, 31)
	VCLAMP(18, 30, 31)
	VCLAMP(19, 30, 31)
	VCLAMP(20, 30, 31)
	VCLAMP(21, 30, 31)
	VCLAMP(22, 30, 31)
	VCLAMP(23, 30, 31)
	MOVD R13, R0
	MOVD $0xFFFFFFFF, R16
	CMP R16, R17
	BNE masked8

store8:
	STORE8(F0, F1, F2, F3, F4, F5, F6, F7)
	PIXDONE(0, next8)
	STORE8(F8, F9, F10, F11, F12, F13, F14, F15)
	PIXDONE(1, next8)
	STORE8(F16, F17, F18, F19, F20, F21, F22, F23)

next8:
	ADD R9, R12
	ADD R9<<1, R12
	ADD R19, R13
	ADD R19<<1, R13
	SUBS R15, R14
	BNE group8
	RET

masked8:
	MSTORE8(V0, F0, V1, F1, V2, F2, V3, F3, V4, F4, V5, F5, V6, F6, V7, F7)
	PIXDONE(0, next8)
	MSTORE8(V8, F8, V9, F9, V10, F10, V11, F11, V12, F12, V13, F13, V14, F14, V15, F15)
	PIXDONE(1, next8)
	MSTORE8(V16, F16, V17, F17, V18, F18, V19, F19, V20, F20, V21, F21, V22, F22, V23, F23)
	B next8
