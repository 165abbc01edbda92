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
// dw3x3s1NEON and dw3x3s2NEON: full 3-column windows over nky (1..3) input rows starting at
// in (rows rowStep apart; the weights of the first used tap row at w + wTapOff). Both are
// the body dw3x3_neon_body.h with the parts of their stride: columns in groups (stride 1:
// 8, accumulators V12..V19, inputs V20..V29: 10 loads per row for 24 FMLAs, then at most
// one group of 4; stride 2: 4, accumulators V12..V15, inputs V16..V24: 9 loads per row for
// 12 FMLAs), then one at a time. V0..V8 weights, V9 bias, V10/V11 clamp bounds; R7 the tap
// step.
//
// func dw3x3s1NEON(in, out, w *float32, ncols, nvec, vib, nky, wTapOff, colStep, rowStep, outColStep, wBlockSkip int, lo, hi float32)
// func dw3x3s2NEON(in, out, w *float32, ncols, nvec, vib, nky, wTapOff, colStep, rowStep, outColStep, wBlockSkip int, lo, hi float32, tapStep int)

// LD loads the next tap of the input row (R17, taps R7 apart) into v; LDLAST the last one.
#define LD(v) VLD1.P (R17)(R7), [v.S4]
#define LDLAST(v) VLD1 (R17), [v.S4]

// TAP4(a, n, s, w) adds weight w times inputs n, n+s, n+2s, n+3s to accumulators a..a+3
// (register numbers).
#define TAP4(a, n, s, w) \
	VFMLA4(a, n, w); \
	VFMLA4(a+1, n+s, w); \
	VFMLA4(a+2, n+2*s, w); \
	VFMLA4(a+3, n+3*s, w)

// ROW8S1 adds one input row (pointer p) to the 8 column accumulators V12..V19 with weights
// wa..wc (register numbers), stride 1.
#define ROW8S1(p, wa, wb, wc) \
	MOVD p, R17; \
	LD(V20); LD(V21); LD(V22); LD(V23); LD(V24); \
	LD(V25); LD(V26); LD(V27); LD(V28); LDLAST(V29); \
	TAP4(12, 20, 1, wa); \
	TAP4(16, 24, 1, wa); \
	TAP4(12, 21, 1, wb); \
	TAP4(16, 25, 1, wb); \
	TAP4(12, 22, 1, wc); \
	TAP4(16, 26, 1, wc)

// ROW4S1 is ROW8S1 for 4 columns (accumulators V12..V15, inputs V20..V25).
#define ROW4S1(p, wa, wb, wc) \
	MOVD p, R17; \
	LD(V20); LD(V21); LD(V22); LD(V23); LD(V24); LDLAST(V25); \
	TAP4(12, 20, 1, wa); \
	TAP4(12, 21, 1, wb); \
	TAP4(12, 22, 1, wc)

// ROW4S2 is ROW4S1 at stride 2 (inputs V16..V24, every other one per column).
#define ROW4S2(p, wa, wb, wc) \
	MOVD p, R17; \
	LD(V16); LD(V17); LD(V18); LD(V19); LD(V20); \
	LD(V21); LD(V22); LD(V23); LDLAST(V24); \
	TAP4(12, 16, 2, wa); \
	TAP4(12, 17, 2, wb); \
	TAP4(12, 18, 2, wc)

// ROW1 adds one input row (pointer p, taps tapStep = R7 apart) to the single-column
// accumulator V12.
#define ROW1(p, wa, wb, wc) \
	MOVD p, R17; \
	LD(V20); LD(V21); LDLAST(V22); \
	VFMLA4(12, 20, wa); \
	VFMLA4(12, 21, wb); \
	VFMLA4(12, 22, wc)

// TAPROWS adds the call's nky (R6, 1..3) tap rows (R12, R13, R14) through the row macro
// ROW and continues at store.
#define TAPROWS(ROW, store) \
	ROW(R12, 0, 1, 2); \
	LASTROW(1, store); \
	ROW(R13, 3, 4, 5); \
	LASTROW(2, store); \
	ROW(R14, 6, 7, 8)

#define INITACC(a) \
	VMOV V9.B16, a.B16

#define INITACC4 INITACC(V12); INITACC(V13); INITACC(V14); INITACC(V15)
#define INITACC8 INITACC4; INITACC(V16); INITACC(V17); INITACC(V18); INITACC(V19)

// STORE1 clamps accumulator number r and stores it at R15, advancing R15 by outColStep.
#define STORE1(v, r) \
	VCLAMP(r, 10, 11); \
	VST1 [v.S4], (R15); \
	ADD R9, R15

#define STORES4 STORE1(V12, 12); STORE1(V13, 13); STORE1(V14, 14); STORE1(V15, 15)
#define STORES8 STORES4; STORE1(V16, 16); STORE1(V17, 17); STORE1(V18, 18); STORE1(V19, 19)

// COLSTEP moves the three input row pointers on by step bytes.
#define COLSTEP(step) \
	ADD step, R12; \
	ADD step, R13; \
	ADD step, R14

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
	VDUPF(lo+96(FP), F10, V10); \
	VDUPF(hi+100(FP), F11, V11)

// ROWPTRS points R12, R13, R14 at the vector's input rows 0..2 and R15 at its output.
#define ROWPTRS \
	MOVD R0, R12; \
	ADD R8, R12, R13; \
	ADD R8, R13, R14; \
	MOVD R1, R15; \
	MOVD ncols+24(FP), R3

#define NG 8
#define GINIT INITACC8
#define GROW ROW8S1
#define GSTORES STORES8
#define QUAD
#define CSTEP R7

TEXT ·dw3x3s1NEON(SB), NOSPLIT, $0-104
	PROLOGUE
	MOVD colStep+64(FP), R7
	LSL $3, R7, R20
#include "dw3x3_neon_body.h"

#define NG 4
#define GINIT INITACC4
#define GROW ROW4S2
#define GSTORES STORES4
#define CSTEP R11

TEXT ·dw3x3s2NEON(SB), NOSPLIT, $0-112
	PROLOGUE
	MOVD tapStep+104(FP), R7
	MOVD colStep+64(FP), R11
	LSL $2, R11, R20
#include "dw3x3_neon_body.h"

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
	VDUPF(lo+120(FP), F10, V10)
	VDUPF(hi+124(FP), F11, V11)

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
