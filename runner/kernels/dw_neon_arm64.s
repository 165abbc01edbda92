//go:build arm64 && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON depthwise conv kernels: channels in lanes, 4 per vector register. Each call
// computes ncols output columns of one output row for nvec consecutive 4-channel vectors
// (in and out 16 bytes apart per vector). w points at the first vector's bias lanes in the
// packed 16-channel blocks ([bias(16), tap0(16), ...]); within a block the next vector's
// lanes are 16 bytes further, and after the last vector of a block (vib counts the vector's
// position in its block, 0..3) w skips wBlockSkip more bytes to the next block. All steps
// are in bytes. The kernels never read or write outside the windows they are given: the Go
// side splits rows into edge columns and full-window runs and channel ranges into vectors.

// NEXTVEC advances in (R0), out (R1) and w (R2) to the next vector, R5 = vib, R10 =
// wBlockSkip, and loops to label while vectors (R4) remain.
#define NEXTVEC(label) \
	ADD $16, R0; \
	ADD $16, R1; \
	ADD $16, R2; \
	ADD $1, R5; \
	CMP $4, R5; \
	BNE 3(PC); \
	ADD R10, R2; \
	MOVD ZR, R5; \
	SUBS $1, R4; \
	BNE label

// WROW loads the three weights of tap row r (of the nky used) at R17 + 192*r into fa..fc.
#define WROW(r, fa, fb, fc) \
	FMOVQ (192*r)(R17), fa; \
	FMOVQ (192*r+64)(R17), fb; \
	FMOVQ (192*r+128)(R17), fc

// WEIGHTS loads the bias into V9 and the weights of the nky (R6) tap rows into V0..V8.
#define WEIGHTS \
	MOVD wTapOff+56(FP), R17; \
	ADD R2, R17; \
	FMOVQ (R2), F9; \
	WROW(0, F0, F1, F2); \
	CMP $1, R6; \
	BEQ 9(PC); \
	WROW(1, F3, F4, F5); \
	CMP $2, R6; \
	BEQ 4(PC); \
	WROW(2, F6, F7, F8)

// LASTROW(n, target) branches to target when the call has n tap rows (after row n-1).
#define LASTROW(n, target) \
	CMP $n, R6; \
	BEQ target

// ---------------------------------------------------------------------------------------
// dw3x3s1NEON: full 3-column windows, stride 1, nky (1..3) input rows starting at in
// (rows rowStep apart; the weights of the first used tap row at w + wTapOff). Columns in
// groups of 8 (accumulators V12..V19, inputs V20..V29: 10 loads per row for 24 FMLAs), then
// at most one group of 4, then one at a time. V0..V8 weights, V9 bias, V10/V11 clamp bounds.
//
// func dw3x3s1NEON(in, out, w *float32, ncols, nvec, vib, nky, wTapOff, colStep, rowStep, outColStep, wBlockSkip int, lo, hi float32)

// ROW8S1 adds one input row (pointer p) to the 8 column accumulators with weights wa..wc.
#define ROW8S1(p, wa, wb, wc) \
	MOVD p, R17; \
	VLD1.P (R17)(R7), [V20.S4]; \
	VLD1.P (R17)(R7), [V21.S4]; \
	VLD1.P (R17)(R7), [V22.S4]; \
	VLD1.P (R17)(R7), [V23.S4]; \
	VLD1.P (R17)(R7), [V24.S4]; \
	VLD1.P (R17)(R7), [V25.S4]; \
	VLD1.P (R17)(R7), [V26.S4]; \
	VLD1.P (R17)(R7), [V27.S4]; \
	VLD1.P (R17)(R7), [V28.S4]; \
	VLD1 (R17), [V29.S4]; \
	VFMLA wa.S4, V20.S4, V12.S4; \
	VFMLA wa.S4, V21.S4, V13.S4; \
	VFMLA wa.S4, V22.S4, V14.S4; \
	VFMLA wa.S4, V23.S4, V15.S4; \
	VFMLA wa.S4, V24.S4, V16.S4; \
	VFMLA wa.S4, V25.S4, V17.S4; \
	VFMLA wa.S4, V26.S4, V18.S4; \
	VFMLA wa.S4, V27.S4, V19.S4; \
	VFMLA wb.S4, V21.S4, V12.S4; \
	VFMLA wb.S4, V22.S4, V13.S4; \
	VFMLA wb.S4, V23.S4, V14.S4; \
	VFMLA wb.S4, V24.S4, V15.S4; \
	VFMLA wb.S4, V25.S4, V16.S4; \
	VFMLA wb.S4, V26.S4, V17.S4; \
	VFMLA wb.S4, V27.S4, V18.S4; \
	VFMLA wb.S4, V28.S4, V19.S4; \
	VFMLA wc.S4, V22.S4, V12.S4; \
	VFMLA wc.S4, V23.S4, V13.S4; \
	VFMLA wc.S4, V24.S4, V14.S4; \
	VFMLA wc.S4, V25.S4, V15.S4; \
	VFMLA wc.S4, V26.S4, V16.S4; \
	VFMLA wc.S4, V27.S4, V17.S4; \
	VFMLA wc.S4, V28.S4, V18.S4; \
	VFMLA wc.S4, V29.S4, V19.S4

// ROW4S1 is ROW8S1 for 4 columns (inputs V20..V25).
#define ROW4S1(p, wa, wb, wc) \
	MOVD p, R17; \
	VLD1.P (R17)(R7), [V20.S4]; \
	VLD1.P (R17)(R7), [V21.S4]; \
	VLD1.P (R17)(R7), [V22.S4]; \
	VLD1.P (R17)(R7), [V23.S4]; \
	VLD1.P (R17)(R7), [V24.S4]; \
	VLD1 (R17), [V25.S4]; \
	VFMLA wa.S4, V20.S4, V12.S4; \
	VFMLA wa.S4, V21.S4, V13.S4; \
	VFMLA wa.S4, V22.S4, V14.S4; \
	VFMLA wa.S4, V23.S4, V15.S4; \
	VFMLA wb.S4, V21.S4, V12.S4; \
	VFMLA wb.S4, V22.S4, V13.S4; \
	VFMLA wb.S4, V23.S4, V14.S4; \
	VFMLA wb.S4, V24.S4, V15.S4; \
	VFMLA wc.S4, V22.S4, V12.S4; \
	VFMLA wc.S4, V23.S4, V13.S4; \
	VFMLA wc.S4, V24.S4, V14.S4; \
	VFMLA wc.S4, V25.S4, V15.S4

// ROW1 adds one input row (pointer p, taps tapStep = R7 apart) to the single-column
// accumulator V12.
#define ROW1(p, wa, wb, wc) \
	MOVD p, R17; \
	VLD1.P (R17)(R7), [V20.S4]; \
	VLD1.P (R17)(R7), [V21.S4]; \
	VLD1 (R17), [V22.S4]; \
	VFMLA wa.S4, V20.S4, V12.S4; \
	VFMLA wb.S4, V21.S4, V12.S4; \
	VFMLA wc.S4, V22.S4, V12.S4

#define INITACC(a) \
	VMOV V9.B16, a.B16

// STORE1 clamps accumulator number r and stores it at R15, advancing R15 by outColStep.
#define STORE1(v, r) \
	VCLAMP(r, 10, 11); \
	VST1 [v.S4], (R15); \
	ADD R9, R15

// PROLOGUE loads the arguments shared by the 3x3 kernels.
#define PROLOGUE \
	MOVD in+0(FP), R0; \
	MOVD out+8(FP), R1; \
	MOVD w+16(FP), R2; \
	MOVD nvec+32(FP), R4; \
	MOVD vib+40(FP), R5; \
	MOVD nky+48(FP), R6; \
	MOVD rowStep+72(FP), R8; \
	MOVD outColStep+80(FP), R9; \
	MOVD wBlockSkip+88(FP), R10; \
	FMOVS lo+96(FP), F10; \
	VDUP V10.S[0], V10.S4; \
	FMOVS hi+100(FP), F11; \
	VDUP V11.S[0], V11.S4

// ROWPTRS points R12, R13, R14 at the vector's input rows 0..2 and R15 at its output.
#define ROWPTRS \
	MOVD R0, R12; \
	ADD R8, R12, R13; \
	ADD R8, R13, R14; \
	MOVD R1, R15; \
	MOVD ncols+24(FP), R3

TEXT ·dw3x3s1NEON(SB), NOSPLIT, $0-104
	PROLOGUE
	MOVD colStep+64(FP), R7
	LSL $3, R7, R20

vec1:
	WEIGHTS
	ROWPTRS
	CMP $8, R3
	BLT quad1

group1:
	INITACC(V12)
	INITACC(V13)
	INITACC(V14)
	INITACC(V15)
	INITACC(V16)
	INITACC(V17)
	INITACC(V18)
	INITACC(V19)
	ROW8S1(R12, V0, V1, V2)
	LASTROW(1, gstore1)
	ROW8S1(R13, V3, V4, V5)
	LASTROW(2, gstore1)
	ROW8S1(R14, V6, V7, V8)

gstore1:
	STORE1(V12, 12)
	STORE1(V13, 13)
	STORE1(V14, 14)
	STORE1(V15, 15)
	STORE1(V16, 16)
	STORE1(V17, 17)
	STORE1(V18, 18)
	STORE1(V19, 19)
	ADD R20, R12
	ADD R20, R13
	ADD R20, R14
	SUB $8, R3
	CMP $8, R3
	BGE group1

quad1:
	CMP $4, R3
	BLT single1
	INITACC(V12)
	INITACC(V13)
	INITACC(V14)
	INITACC(V15)
	ROW4S1(R12, V0, V1, V2)
	LASTROW(1, qstore1)
	ROW4S1(R13, V3, V4, V5)
	LASTROW(2, qstore1)
	ROW4S1(R14, V6, V7, V8)

qstore1:
	STORE1(V12, 12)
	STORE1(V13, 13)
	STORE1(V14, 14)
	STORE1(V15, 15)
	ADD R7<<2, R12
	ADD R7<<2, R13
	ADD R7<<2, R14
	SUB $4, R3

single1:
	CBZ R3, vnext1

one1:
	INITACC(V12)
	ROW1(R12, V0, V1, V2)
	LASTROW(1, ostore1)
	ROW1(R13, V3, V4, V5)
	LASTROW(2, ostore1)
	ROW1(R14, V6, V7, V8)

ostore1:
	STORE1(V12, 12)
	ADD R7, R12
	ADD R7, R13
	ADD R7, R14
	SUBS $1, R3
	BNE one1

vnext1:
	NEXTVEC(vec1)
	RET

// ---------------------------------------------------------------------------------------
// dw3x3s2NEON: as dw3x3s1NEON for stride 2: taps tapStep (R7) apart, columns colStep
// (R11, two taps) apart. Columns in groups of 4 (accumulators V12..V15, inputs V16..V24:
// 9 loads per row for 12 FMLAs), then one at a time.
//
// func dw3x3s2NEON(in, out, w *float32, ncols, nvec, vib, nky, wTapOff, colStep, rowStep, outColStep, wBlockSkip int, lo, hi float32, tapStep int)

#define ROW4S2(p, wa, wb, wc) \
	MOVD p, R17; \
	VLD1.P (R17)(R7), [V16.S4]; \
	VLD1.P (R17)(R7), [V17.S4]; \
	VLD1.P (R17)(R7), [V18.S4]; \
	VLD1.P (R17)(R7), [V19.S4]; \
	VLD1.P (R17)(R7), [V20.S4]; \
	VLD1.P (R17)(R7), [V21.S4]; \
	VLD1.P (R17)(R7), [V22.S4]; \
	VLD1.P (R17)(R7), [V23.S4]; \
	VLD1 (R17), [V24.S4]; \
	VFMLA wa.S4, V16.S4, V12.S4; \
	VFMLA wa.S4, V18.S4, V13.S4; \
	VFMLA wa.S4, V20.S4, V14.S4; \
	VFMLA wa.S4, V22.S4, V15.S4; \
	VFMLA wb.S4, V17.S4, V12.S4; \
	VFMLA wb.S4, V19.S4, V13.S4; \
	VFMLA wb.S4, V21.S4, V14.S4; \
	VFMLA wb.S4, V23.S4, V15.S4; \
	VFMLA wc.S4, V18.S4, V12.S4; \
	VFMLA wc.S4, V20.S4, V13.S4; \
	VFMLA wc.S4, V22.S4, V14.S4; \
	VFMLA wc.S4, V24.S4, V15.S4

TEXT ·dw3x3s2NEON(SB), NOSPLIT, $0-112
	PROLOGUE
	MOVD tapStep+104(FP), R7
	MOVD colStep+64(FP), R11
	LSL $2, R11, R20

vec2:
	WEIGHTS
	ROWPTRS
	CMP $4, R3
	BLT single2

group2:
	INITACC(V12)
	INITACC(V13)
	INITACC(V14)
	INITACC(V15)
	ROW4S2(R12, V0, V1, V2)
	LASTROW(1, gstore2)
	ROW4S2(R13, V3, V4, V5)
	LASTROW(2, gstore2)
	ROW4S2(R14, V6, V7, V8)

gstore2:
	STORE1(V12, 12)
	STORE1(V13, 13)
	STORE1(V14, 14)
	STORE1(V15, 15)
	ADD R20, R12
	ADD R20, R13
	ADD R20, R14
	SUB $4, R3
	CMP $4, R3
	BGE group2

single2:
	CBZ R3, vnext2

one2:
	INITACC(V12)
	ROW1(R12, V0, V1, V2)
	LASTROW(1, ostore2)
	ROW1(R13, V3, V4, V5)
	LASTROW(2, ostore2)
	ROW1(R14, V6, V7, V8)

ostore2:
	STORE1(V12, 12)
	ADD R11, R12
	ADD R11, R13
	ADD R11, R14
	SUBS $1, R3
	BNE one2

vnext2:
	NEXTVEC(vec2)
	RET

// ---------------------------------------------------------------------------------------
// dwNEON: any window: nky x nkx taps (either may be 0: the output is the clamped bias)
// starting at in for column 0, the first tap's weights at w + wTapOff, tap rows wRowStep
// bytes apart in the weights. One column and one vector at a time.
//
// func dwNEON(in, out, w *float32, ncols, nvec, vib, nky, nkx, wTapOff, wRowStep, colStep, tapStep, rowStep, outColStep, wBlockSkip int, lo, hi float32)
TEXT ·dwNEON(SB), NOSPLIT, $0-128
	MOVD in+0(FP), R0
	MOVD out+8(FP), R1
	MOVD w+16(FP), R2
	MOVD nvec+32(FP), R4
	MOVD vib+40(FP), R5
	MOVD tapStep+88(FP), R7
	MOVD rowStep+96(FP), R8
	MOVD outColStep+104(FP), R9
	MOVD wBlockSkip+112(FP), R10
	FMOVS lo+120(FP), F10
	VDUP V10.S[0], V10.S4
	FMOVS hi+124(FP), F11
	VDUP V11.S[0], V11.S4

vecg:
	MOVD R0, R12
	MOVD R1, R15
	MOVD ncols+24(FP), R3
	CBZ R3, vnextg

colg:
	FMOVQ (R2), F12
	MOVD wTapOff+64(FP), R13
	ADD R2, R13
	MOVD R12, R14
	MOVD nky+48(FP), R6
	CBZ R6, storeg

rowg:
	MOVD R14, R19
	MOVD R13, R20
	MOVD nkx+56(FP), R21
	CBZ R21, rownextg

tapg:
	VLD1.P (R19)(R7), [V20.S4]
	FMOVQ.P 64(R20), F21
	VFMLA V20.S4, V21.S4, V12.S4
	SUBS $1, R21
	BNE tapg

rownextg:
	ADD R8, R14
	MOVD wRowStep+72(FP), R16
	ADD R16, R13
	SUBS $1, R6
	BNE rowg

storeg:
	STORE1(V12, 12)
	MOVD colStep+80(FP), R16
	ADD R16, R12
	SUBS $1, R3
	BNE colg

vnextg:
	NEXTVEC(vecg)
	RET
