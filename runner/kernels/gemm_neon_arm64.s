//go:build arm64 && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON GEMM microkernels: mr rows (pixels) of A, read in place (row stride lda floats), times
// 4*W consecutive columns of one packed B panel ([bias(32), k0(32), k1(32), ...], rows 128
// bytes apart; b points at the tile's first column), K steps. A is loaded 4 k at a time
// (one q register per row) and each lane is used by FMLA-by-element against that k's B
// vectors: W*mr FMLAs per k step, the XNNPACK/ncnn AArch64 scheme for 32 vector registers.
//
// Every kernel: func(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi
// float32, mask uint32, rows, ntiles int). It computes ntiles consecutive tiles of mr rows
// (rows == mr), or one tile of rows < mr rows (ntiles == 1: A row pointers past the last
// row repeat it, their results are not stored). Results are clamped to [lo, hi] and stored
// to c[i*ldc + j] for the columns j whose bit is set in mask (bit j: column j of the tile);
// a 4-column vector whose 4 bits are set is one store, others are stored lane by lane.
//
// General registers: R0..R7 A rows (then C rows), R8 lda bytes, R9 ldc bytes, R10 rows,
// R11 B, R12 k/4 counter, R13 k%4 counter, R14 a, R15 c, R16 scratch, R17 mask, R19 ntiles,
// R20 mr*lda bytes, R21 mr*ldc bytes. R18 (platform), R26..R30 are not used.

// ARGS loads the arguments common to all kernels; mr is the tile's row count.
#define ARGS(mr) \
	MOVD a+0(FP), R14; \
	MOVD lda+8(FP), R8; \
	LSL $2, R8; \
	MOVD c+32(FP), R15; \
	MOVD ldc+40(FP), R9; \
	LSL $2, R9; \
	MOVD rows+64(FP), R10; \
	MOVWU mask+56(FP), R17; \
	MOVD ntiles+72(FP), R19; \
	MOVD $mr, R16; \
	MUL R8, R16, R20; \
	MUL R9, R16, R21

// AROW sets cur to row i of the tile (prev + lda) when i < rows, else to prev.
#define AROW(i, prev, cur) \
	ADD R8, prev, R16; \
	CMP $i, R10; \
	CSEL GT, R16, prev, cur

// KCOUNT loads k into R12 (k/4 groups) and R13 (k%4, the remainder).
#define KCOUNT \
	MOVD k+24(FP), R13; \
	LSR $2, R13, R12; \
	AND $3, R13

// The k remainder (rem = k%4 = 1..3, R13) runs without a loop: each A row pointer moves
// back to k-4 (R16 = (4-rem)*4 bytes; the Go side sends k < 4 to the generic kernel, so
// this stays inside the row), one q load per row takes the last 4 k, and B moves back
// 4-rem rows, so that lanes 4-rem..3 and B rows (l*128)(R11) pair up as in a full group.
// KBACK computes R16 and moves B; BACK(r) moves one A row pointer.
#define KBACK \
	MOVD $4, R16; \
	SUB R13, R16; \
	LSL $2, R16; \
	SUB R16<<5, R11

#define BACK(r) \
	SUB R16, r

// REMLANES enters the chain of remainder steps: lanes 1..3 (rem 3), 2..3 or 3 (rem 1).
#define REMLANES(l2, l1) \
	CMP $2, R13; \
	BEQ l2; \
	BLT l1

// NEXTTILE advances a and c by one tile and loops to label while tiles remain.
#define NEXTTILE(label) \
	ADD R20, R14; \
	ADD R21, R15; \
	SUBS $1, R19; \
	BNE label

// ROWDONE leaves the store sequence after row i (0-based) when the tile has i+1 rows, else
// moves the C row pointer R0 to the next row.
#define ROWDONE(i, label) \
	CMP $(i+1), R10; \
	BEQ label; \
	ADD R9, R0

// The A rows of a 6-row tile (R0..R5, q registers F24..F29) and of an 8-row tile (R0..R7,
// F16..F23): AROWSn points them at the tile's rows, LOADAn(op, off) loads 4 k of each
// (op off(Ri)), BACKAn moves B and each of them back for the k remainder.
#define AROWS6 \
	MOVD R14, R0; \
	AROW(1, R0, R1); \
	AROW(2, R1, R2); \
	AROW(3, R2, R3); \
	AROW(4, R3, R4); \
	AROW(5, R4, R5)

#define AROWS8 \
	AROWS6; \
	AROW(6, R5, R6); \
	AROW(7, R6, R7)

#define LOADA6(op, off) \
	op off(R0), F24; \
	op off(R1), F25; \
	op off(R2), F26; \
	op off(R3), F27; \
	op off(R4), F28; \
	op off(R5), F29

#define LOADA8(op, off) \
	op off(R0), F16; \
	op off(R1), F17; \
	op off(R2), F18; \
	op off(R3), F19; \
	op off(R4), F20; \
	op off(R5), F21; \
	op off(R6), F22; \
	op off(R7), F23

#define BACKA6 \
	KBACK; \
	BACK(R0); \
	BACK(R1); \
	BACK(R2); \
	BACK(R3); \
	BACK(R4); \
	BACK(R5)

#define BACKA8 \
	BACKA6; \
	BACK(R6); \
	BACK(R7)

// Every tile kernel is ARGS(mr) and the body gemm_neon_tile.h, with the parts below.

// ---------------------------------------------------------------------------------------
// gemm6x16: 6 rows x 16 columns. Accumulators V0..V23 (row r, vector j in V(4r+j)), A rows
// in V24..V29, B pairs in V30, V31. Per 4 k: 6 A loads, 8 B pair loads, 96 FMLAs.

// L16(l) runs k step l of a 4-k group: B row l (two pairs) times lane l of each A row.
#define L16(l) \
	FLDPQ (l*128)(R11), (F30, F31); \
	EACHROW6(FMLAE2, 0, 4, 30, 24, l); \
	FLDPQ (l*128+32)(R11), (F30, F31); \
	EACHROW6(FMLAE2, 2, 4, 30, 24, l)

#define AROWS AROWS6
#define LOADA(op, off) LOADA6(op, off)
#define BACKA BACKA6
#define BIAS FLDPQ (R11), (F24, F25); FLDPQ 32(R11), (F26, F27)
#define INITACC \
	INIT4(V0, V1, V2, V3); \
	INIT4(V4, V5, V6, V7); \
	INIT4(V8, V9, V10, V11); \
	INIT4(V12, V13, V14, V15); \
	INIT4(V16, V17, V18, V19); \
	INIT4(V20, V21, V22, V23)
#define KGROUP L16(0); L16(1); L16(2); L16(3)
#define KREM1 L16(1)
#define KREM2 L16(2)
#define KREM3 L16(3)
#define CLAMPS VCLAMP16(0, 30, 31); VCLAMP8(16, 30, 31)
#define FULL 0xFFFF
#define ST ST4
#define MST MST4
#define ROWS(op) \
	op(V0, F0, V1, F1, V2, F2, V3, F3); ROWDONE(0, next); \
	op(V4, F4, V5, F5, V6, F6, V7, F7); ROWDONE(1, next); \
	op(V8, F8, V9, F9, V10, F10, V11, F11); ROWDONE(2, next); \
	op(V12, F12, V13, F13, V14, F14, V15, F15); ROWDONE(3, next); \
	op(V16, F16, V17, F17, V18, F18, V19, F19); ROWDONE(4, next); \
	op(V20, F20, V21, F21, V22, F22, V23, F23)

TEXT ·gemm6x16(SB), NOSPLIT, $0-80
	ARGS(6)
#include "gemm_neon_tile.h"

// ---------------------------------------------------------------------------------------
// gemm6x12: 6 rows x 12 columns. Accumulators V0..V17 (row r, vector j in V(3r+j)), A rows
// in V24..V29, B in V18, V19 (pair) and V20. Per 4 k: 6 A loads, 8 B loads, 72 FMLAs.

#define L12(l) \
	FLDPQ (l*128)(R11), (F18, F19); \
	FMOVQ (l*128+32)(R11), F20; \
	EACHROW6(FMLAE3, 0, 3, 18, 24, l)

#define AROWS AROWS6
#define LOADA(op, off) LOADA6(op, off)
#define BACKA BACKA6
#define BIAS FLDPQ (R11), (F24, F25); FMOVQ 32(R11), F26
#define INITACC \
	INIT3(V0, V1, V2); \
	INIT3(V3, V4, V5); \
	INIT3(V6, V7, V8); \
	INIT3(V9, V10, V11); \
	INIT3(V12, V13, V14); \
	INIT3(V15, V16, V17)
#define KGROUP L12(0); L12(1); L12(2); L12(3)
#define KREM1 L12(1)
#define KREM2 L12(2)
#define KREM3 L12(3)
#define CLAMPS VCLAMP16(0, 30, 31); VCLAMP(16, 30, 31); VCLAMP(17, 30, 31)
#define FULL 0xFFF
#define ST ST3
#define MST MST3
#define ROWS(op) \
	op(V0, F0, V1, F1, V2, F2); ROWDONE(0, next); \
	op(V3, F3, V4, F4, V5, F5); ROWDONE(1, next); \
	op(V6, F6, V7, F7, V8, F8); ROWDONE(2, next); \
	op(V9, F9, V10, F10, V11, F11); ROWDONE(3, next); \
	op(V12, F12, V13, F13, V14, F14); ROWDONE(4, next); \
	op(V15, F15, V16, F16, V17, F17)

TEXT ·gemm6x12(SB), NOSPLIT, $0-80
	ARGS(6)
#include "gemm_neon_tile.h"

// ---------------------------------------------------------------------------------------
// gemm8x8: 8 rows x 8 columns. Accumulators V0..V15 (row r, vector j in V(2r+j)), A rows in
// V16..V23, B pair in V24, V25. Per 4 k: 8 A loads, 4 B pair loads, 64 FMLAs.

#define L8(l) \
	FLDPQ (l*128)(R11), (F24, F25); \
	EACHROW8(FMLAE2, 0, 2, 24, 16, l)

// INITP copies the bias pair V16, V17 into a row's accumulators.
#define INITP(a, b) \
	VMOV V16.B16, a.B16; \
	VMOV V17.B16, b.B16

#define AROWS AROWS8
#define LOADA(op, off) LOADA8(op, off)
#define BACKA BACKA8
#define BIAS FLDPQ (R11), (F16, F17)
#define INITACC \
	INITP(V0, V1); \
	INITP(V2, V3); \
	INITP(V4, V5); \
	INITP(V6, V7); \
	INITP(V8, V9); \
	INITP(V10, V11); \
	INITP(V12, V13); \
	INITP(V14, V15)
#define KGROUP L8(0); L8(1); L8(2); L8(3)
#define KREM1 L8(1)
#define KREM2 L8(2)
#define KREM3 L8(3)
#define CLAMPS VCLAMP16(0, 30, 31)
#define FULL 0xFF
#define ST ST2
#define MST MST2
#define ROWS(op) \
	op(V0, F0, V1, F1); ROWDONE(0, next); \
	op(V2, F2, V3, F3); ROWDONE(1, next); \
	op(V4, F4, V5, F5); ROWDONE(2, next); \
	op(V6, F6, V7, F7); ROWDONE(3, next); \
	op(V8, F8, V9, F9); ROWDONE(4, next); \
	op(V10, F10, V11, F11); ROWDONE(5, next); \
	op(V12, F12, V13, F13); ROWDONE(6, next); \
	op(V14, F14, V15, F15)

TEXT ·gemm8x8(SB), NOSPLIT, $0-80
	ARGS(8)
#include "gemm_neon_tile.h"

// ---------------------------------------------------------------------------------------
// gemm8x4: 8 rows x 4 columns. Two accumulator sets so that 16 FMLA chains are in flight:
// k steps 0 and 2 of a 4-k group go to V0..V7 (row r in Vr), steps 1 and 3 to V8..V15,
// summed before the clamp. A rows in V16..V23, B rows in V24..V27. Per 4 k: 8 A loads,
// 4 B loads, 32 FMLAs.

#define L4(l, s, bv) EACHROW8(FMLAE1, s, 1, bv, 16, l)

#define AROWS AROWS8
#define LOADA(op, off) LOADA8(op, off)
#define BACKA BACKA8
#define BIAS FMOVQ (R11), F0
#define INITACC \
	VMOV V0.B16, V1.B16; \
	VMOV V0.B16, V2.B16; \
	VMOV V0.B16, V3.B16; \
	VMOV V0.B16, V4.B16; \
	VMOV V0.B16, V5.B16; \
	VMOV V0.B16, V6.B16; \
	VMOV V0.B16, V7.B16; \
	VEOR V8.B16, V8.B16, V8.B16; \
	VEOR V9.B16, V9.B16, V9.B16; \
	VEOR V10.B16, V10.B16, V10.B16; \
	VEOR V11.B16, V11.B16, V11.B16; \
	VEOR V12.B16, V12.B16, V12.B16; \
	VEOR V13.B16, V13.B16, V13.B16; \
	VEOR V14.B16, V14.B16, V14.B16; \
	VEOR V15.B16, V15.B16, V15.B16
#define KGROUP \
	FMOVQ (R11), F24; \
	FMOVQ 128(R11), F25; \
	FMOVQ 256(R11), F26; \
	FMOVQ 384(R11), F27; \
	L4(0, 0, 24); \
	L4(1, 8, 25); \
	L4(2, 0, 26); \
	L4(3, 8, 27)
#define KREM1 FMOVQ 128(R11), F25; L4(1, 8, 25)
#define KREM2 FMOVQ 256(R11), F26; L4(2, 0, 26)
#define KREM3 FMOVQ 384(R11), F27; L4(3, 8, 27)
#define SUM VEACH4(VFADD4, 0, 0, 8); VEACH4(VFADD4, 4, 4, 12)
#define CLAMPS VCLAMP8(0, 30, 31)
#define FULL 0xF
#define ST ST1
#define MST MST1
#define ROWS(op) \
	op(V0, F0); ROWDONE(0, next); \
	op(V1, F1); ROWDONE(1, next); \
	op(V2, F2); ROWDONE(2, next); \
	op(V3, F3); ROWDONE(3, next); \
	op(V4, F4); ROWDONE(4, next); \
	op(V5, F5); ROWDONE(5, next); \
	op(V6, F6); ROWDONE(6, next); \
	op(V7, F7)

TEXT ·gemm8x4(SB), NOSPLIT, $0-80
	ARGS(8)
#include "gemm_neon_tile.h"

// ---------------------------------------------------------------------------------------
// gemm1x16: one row x 16 columns (a matrix-vector product: M = 1, the FC layer, or a
// one-row tail). Four accumulator sets, one per lane of a 4-k group (set l in
// V(4l)..V(4l+3)), so 16 FMLA chains are in flight; summed before the clamp. A in V16 and
// V17 (8 k per loop iteration), B rows in V20..V27 (two rows in flight). Per 8 k: one A
// pair load, 16 B pair loads, 32 FMLAs: every B vector is used once, so the loop issues a
// load per FMLA (the GEMV is load-bound by construction on a core with fewer load than
// FMA pipes).
//
// func gemm1x16(a *float32, b *float32, k int, c *float32, lo, hi float32, mask uint32)

// L1(row, av, lane, b0, f0..f3) multiplies B row `row` of the group (at row*128 from R11)
// by lane `lane` of A register number av into accumulator set lane.
#define L1(row, av, lane, b0, f0, f1, f2, f3) \
	FLDPQ (row*128)(R11), (f0, f1); \
	FLDPQ (row*128+32)(R11), (f2, f3); \
	FMLAE4(4*lane, b0, av, lane)

TEXT ·gemm1x16(SB), NOSPLIT, $0-44
	MOVD a+0(FP), R0
	MOVD b+8(FP), R11
	MOVD c+24(FP), R15
	MOVWU mask+40(FP), R17
	FLDPQ (R11), (F0, F1)
	FLDPQ 32(R11), (F2, F3)
	ADD $128, R11
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VMOV V4.B16, V8.B16
	VMOV V4.B16, V9.B16
	VMOV V4.B16, V10.B16
	VMOV V4.B16, V11.B16
	VMOV V4.B16, V12.B16
	VMOV V4.B16, V13.B16
	VMOV V4.B16, V14.B16
	VMOV V4.B16, V15.B16
	MOVD k+16(FP), R13
	LSR $3, R13, R12
	AND $3, R13
	CBZ R12, half1

loop1:
	FLDPQ.P 32(R0), (F16, F17)
	L1(0, 16, 0, 20, F20, F21, F22, F23)
	L1(1, 16, 1, 24, F24, F25, F26, F27)
	L1(2, 16, 2, 20, F20, F21, F22, F23)
	L1(3, 16, 3, 24, F24, F25, F26, F27)
	L1(4, 17, 0, 20, F20, F21, F22, F23)
	L1(5, 17, 1, 24, F24, F25, F26, F27)
	L1(6, 17, 2, 20, F20, F21, F22, F23)
	L1(7, 17, 3, 24, F24, F25, F26, F27)
	ADD $1024, R11
	SUBS $1, R12
	BNE loop1

half1:
	MOVD k+16(FP), R12
	TBZ $2, R12, tail1

four1:
	FMOVQ.P 16(R0), F16
	L1(0, 16, 0, 20, F20, F21, F22, F23)
	L1(1, 16, 1, 24, F24, F25, F26, F27)
	L1(2, 16, 2, 20, F20, F21, F22, F23)
	L1(3, 16, 3, 24, F24, F25, F26, F27)
	ADD $512, R11

tail1:
	CBZ R13, done1

rem1:
	KBACK
	BACK(R0)
	FMOVQ (R0), F16
	REMLANES(rem1b, rem1c)
	L1(1, 16, 1, 24, F24, F25, F26, F27)

rem1b:
	L1(2, 16, 2, 20, F20, F21, F22, F23)

rem1c:
	L1(3, 16, 3, 24, F24, F25, F26, F27)

done1:
	VEACH4(VFADD4, 0, 0, 4)
	VEACH4(VFADD4, 8, 8, 12)
	VEACH4(VFADD4, 0, 0, 8)
	BOUNDS(lo+32(FP), hi+36(FP))
	VCLAMP4(0, 30, 31)
	MOVD R15, R0
	CMP $0xFFFF, R17
	BNE masked1

store1:
	ST4(V0, F0, V1, F1, V2, F2, V3, F3)
	RET

masked1:
	MST4(V0, F0, V1, F1, V2, F2, V3, F3)
	RET
