//go:build amd64 && !noasm

#include "textflag.h"

// AVX-512 GEMM microkernels: mr rows (pixels) x 32 columns (one packed B panel,
// [bias(32), k0(32), k1(32), ...]). Row r of A is broadcast with VBROADCASTSS into Z30
// and feeds the two FMAs of the row; the two zmm of B for the current k are loaded once
// per k step. (An FMA with an embedded broadcast, VFMADD231PS.BCST, reads A in one
// instruction, but on Ice Lake it halves the FMA rate: 74-85 GFLOP/s against 125-159
// for the explicit broadcast on the same 14x32 loop, docs/kernels.md "Intel".)
// Register plan: Z0,Z1 = B row; Z2..Z29 = accumulators (row r in Z(2+2r), Z(3+2r));
// Z30 = A broadcast in the k loop (gemm1x32 also Z31, for odd k, and Z6,Z7 for the odd-k
// B row); Z30,Z31 = clamp bounds in the epilogue; K1,K2 = column store masks (low/high 16
// columns).
// A rows: SI = row 0, DI = row 5, R10 = row 10; R8 = lda*4, R9 = 3*lda*4, so rows 0..4 of
// each base are (B), (B)(R8*1), (B)(R8*2), (B)(R9*1), (B)(R8*4). C rows use the same scheme
// with ldc in the epilogue.

// func gemm14x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)

// AROWS points SI, DI and R10 at A rows 0, 5 and 10 of the tile (R8 = lda*4, R9 = 3*lda*4).
#define AROWS \
	MOVQ a+0(FP), SI; \
	MOVQ lda+8(FP), R8; \
	SHLQ $2, R8; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (SI)(R8*4), DI; \
	ADDQ R8, DI; \
	LEAQ (DI)(R8*4), R10; \
	ADDQ R8, R10

// CROWS points SI, DI and R10 at C rows 0, 5 and 10 of the tile (R8 = ldc*4, R9 = 3*ldc*4).
#define CROWS \
	MOVQ c+32(FP), SI; \
	MOVQ ldc+40(FP), R8; \
	SHLQ $2, R8; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (SI)(R8*4), DI; \
	ADDQ R8, DI; \
	LEAQ (DI)(R8*4), R10; \
	ADDQ R8, R10

// CLAMPS loads the clamp bounds into Z30 (lo) and Z31 (hi).
#define CLAMPS \
	VBROADCASTSS lo+48(FP), Z30; \
	VBROADCASTSS hi+52(FP), Z31

// MASK1 loads the low 16 bits of mask into K1; MASK2 then the high 16 bits into K2.
#define MASK1 \
	MOVL mask+56(FP), AX; \
	KMOVW AX, K1

#define MASK2 \
	SHRL $16, AX; \
	KMOVW AX, K2

#define PROLOGUE \
	AROWS; \
	MOVQ b+16(FP), BX; \
	MOVQ k+24(FP), CX; \
	VMOVUPS (BX), Z2; \
	VMOVUPS 64(BX), Z3; \
	ADDQ $128, BX

#define EPILOGUE \
	CLAMPS; \
	MASK1; \
	MASK2; \
	CROWS

// NEXTTILE advances a and c by 14 rows and loops to label while tiles remain.
#define NEXTTILE(label) \
	MOVQ lda+8(FP), R8; \
	IMUL3Q $56, R8, R8; \
	ADDQ R8, a+0(FP); \
	MOVQ ldc+40(FP), R8; \
	IMUL3Q $56, R8, R8; \
	ADDQ R8, c+32(FP); \
	DECQ ntiles+64(FP); \
	JNZ label

#define INIT(r0, r1) \
	VMOVAPS Z2, r0; \
	VMOVAPS Z3, r1

#define LOADB \
	VMOVUPS (BX), Z0; \
	VMOVUPS 64(BX), Z1

#define FMA(addr, r0, r1) \
	VBROADCASTSS addr, Z30; \
	VFMADD231PS Z30, Z0, r0; \
	VFMADD231PS Z30, Z1, r1

#define STEP \
	ADDQ $4, SI; \
	ADDQ $4, DI; \
	ADDQ $4, R10; \
	ADDQ $128, BX; \
	DECQ CX

#define STORE(addr, r0, r1) \
	VMAXPS Z30, r0, r0; \
	VMAXPS Z30, r1, r1; \
	VMINPS Z31, r0, r0; \
	VMINPS Z31, r1, r1; \
	VMOVUPS r0, K1, addr; \
	VMOVUPS r1, K2, 64 addr

// gemm14x32 loops over ntiles consecutive 14-row tiles (advancing a and c in the argument
// slots), so the Go side makes one call per panel.
TEXT ·gemm14x32(SB), NOSPLIT, $0-72

tile14:
	PROLOGUE
	INIT(Z4, Z5)
	INIT(Z6, Z7)
	INIT(Z8, Z9)
	INIT(Z10, Z11)
	INIT(Z12, Z13)
	INIT(Z14, Z15)
	INIT(Z16, Z17)
	INIT(Z18, Z19)
	INIT(Z20, Z21)
	INIT(Z22, Z23)
	INIT(Z24, Z25)
	INIT(Z26, Z27)
	INIT(Z28, Z29)

loop14:
	LOADB
	FMA((SI), Z2, Z3)
	FMA((SI)(R8*1), Z4, Z5)
	FMA((SI)(R8*2), Z6, Z7)
	FMA((SI)(R9*1), Z8, Z9)
	FMA((SI)(R8*4), Z10, Z11)
	FMA((DI), Z12, Z13)
	FMA((DI)(R8*1), Z14, Z15)
	FMA((DI)(R8*2), Z16, Z17)
	FMA((DI)(R9*1), Z18, Z19)
	FMA((DI)(R8*4), Z20, Z21)
	FMA((R10), Z22, Z23)
	FMA((R10)(R8*1), Z24, Z25)
	FMA((R10)(R8*2), Z26, Z27)
	FMA((R10)(R9*1), Z28, Z29)
	STEP
	JNZ loop14

	EPILOGUE
	STORE((SI), Z2, Z3)
	STORE((SI)(R8*1), Z4, Z5)
	STORE((SI)(R8*2), Z6, Z7)
	STORE((SI)(R9*1), Z8, Z9)
	STORE((SI)(R8*4), Z10, Z11)
	STORE((DI), Z12, Z13)
	STORE((DI)(R8*1), Z14, Z15)
	STORE((DI)(R8*2), Z16, Z17)
	STORE((DI)(R9*1), Z18, Z19)
	STORE((DI)(R8*4), Z20, Z21)
	STORE((R10), Z22, Z23)
	STORE((R10)(R8*1), Z24, Z25)
	STORE((R10)(R8*2), Z26, Z27)
	STORE((R10)(R9*1), Z28, Z29)
	NEXTTILE(tile14)
	VZEROUPPER
	RET

// func gemm7x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)
TEXT ·gemm7x32(SB), NOSPLIT, $0-60
	PROLOGUE
	INIT(Z4, Z5)
	INIT(Z6, Z7)
	INIT(Z8, Z9)
	INIT(Z10, Z11)
	INIT(Z12, Z13)
	INIT(Z14, Z15)

loop7:
	LOADB
	FMA((SI), Z2, Z3)
	FMA((SI)(R8*1), Z4, Z5)
	FMA((SI)(R8*2), Z6, Z7)
	FMA((SI)(R9*1), Z8, Z9)
	FMA((SI)(R8*4), Z10, Z11)
	FMA((DI), Z12, Z13)
	FMA((DI)(R8*1), Z14, Z15)
	STEP
	JNZ loop7

	EPILOGUE
	STORE((SI), Z2, Z3)
	STORE((SI)(R8*1), Z4, Z5)
	STORE((SI)(R8*2), Z6, Z7)
	STORE((SI)(R9*1), Z8, Z9)
	STORE((SI)(R8*4), Z10, Z11)
	STORE((DI), Z12, Z13)
	STORE((DI)(R8*1), Z14, Z15)
	VZEROUPPER
	RET

// func gemm4x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)
TEXT ·gemm4x32(SB), NOSPLIT, $0-60
	PROLOGUE
	INIT(Z4, Z5)
	INIT(Z6, Z7)
	INIT(Z8, Z9)

loop4:
	LOADB
	FMA((SI), Z2, Z3)
	FMA((SI)(R8*1), Z4, Z5)
	FMA((SI)(R8*2), Z6, Z7)
	FMA((SI)(R9*1), Z8, Z9)
	STEP
	JNZ loop4

	EPILOGUE
	STORE((SI), Z2, Z3)
	STORE((SI)(R8*1), Z4, Z5)
	STORE((SI)(R8*2), Z6, Z7)
	STORE((SI)(R9*1), Z8, Z9)
	VZEROUPPER
	RET

// func gemm2x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)
TEXT ·gemm2x32(SB), NOSPLIT, $0-60
	PROLOGUE
	INIT(Z4, Z5)

loop2:
	LOADB
	FMA((SI), Z2, Z3)
	FMA((SI)(R8*1), Z4, Z5)
	STEP
	JNZ loop2

	EPILOGUE
	STORE((SI), Z2, Z3)
	STORE((SI)(R8*1), Z4, Z5)
	VZEROUPPER
	RET

// func gemm1x32(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32)
// One row has only two accumulator chains per k step, so even and odd k accumulate into
// separate registers (Z2,Z3 and Z4,Z5: four chains) that are summed at the end.
TEXT ·gemm1x32(SB), NOSPLIT, $0-60
	PROLOGUE
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5

loop1:
	CMPQ CX, $2
	JLT  tail1
	VMOVUPS (BX), Z0
	VMOVUPS 64(BX), Z1
	VMOVUPS 128(BX), Z6
	VMOVUPS 192(BX), Z7
	VBROADCASTSS (SI), Z30
	VBROADCASTSS 4(SI), Z31
	VFMADD231PS Z30, Z0, Z2
	VFMADD231PS Z30, Z1, Z3
	VFMADD231PS Z31, Z6, Z4
	VFMADD231PS Z31, Z7, Z5
	ADDQ $8, SI
	ADDQ $256, BX
	SUBQ $2, CX
	JMP  loop1

tail1:
	TESTQ CX, CX
	JZ   sum1
	LOADB
	FMA((SI), Z2, Z3)

sum1:
	VADDPS Z4, Z2, Z2
	VADDPS Z5, Z3, Z3
	EPILOGUE
	STORE((SI), Z2, Z3)
	VZEROUPPER
	RET

// func gemm14x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)
// The 14-row tile for 16 columns of a panel (b and c point at the first, from an 8-column
// boundary; the packed rows keep their 32-float stride): half the FMAs of gemm14x32. Z16 = bias, Z17 = B row, Z30 = A broadcast, Z2..Z15 = accumulators (row r in Z(2+r)),
// K1 = column store mask (low 16 bits of mask).
#define INIT16(r) VMOVAPS Z16, r

#define FMA16(addr, r) \
	VBROADCASTSS addr, Z30; \
	VFMADD231PS Z30, Z17, r

#define STORE16(addr, r) \
	VMAXPS Z30, r, r; \
	VMINPS Z31, r, r; \
	VMOVUPS r, K1, addr

TEXT ·gemm14x16(SB), NOSPLIT, $0-72

tile16:
	AROWS
	MOVQ b+16(FP), BX
	MOVQ k+24(FP), CX
	VMOVUPS (BX), Z16
	ADDQ $128, BX
	INIT16(Z2)
	INIT16(Z3)
	INIT16(Z4)
	INIT16(Z5)
	INIT16(Z6)
	INIT16(Z7)
	INIT16(Z8)
	INIT16(Z9)
	INIT16(Z10)
	INIT16(Z11)
	INIT16(Z12)
	INIT16(Z13)
	INIT16(Z14)
	INIT16(Z15)

loop16:
	VMOVUPS (BX), Z17
	FMA16((SI), Z2)
	FMA16((SI)(R8*1), Z3)
	FMA16((SI)(R8*2), Z4)
	FMA16((SI)(R9*1), Z5)
	FMA16((SI)(R8*4), Z6)
	FMA16((DI), Z7)
	FMA16((DI)(R8*1), Z8)
	FMA16((DI)(R8*2), Z9)
	FMA16((DI)(R9*1), Z10)
	FMA16((DI)(R8*4), Z11)
	FMA16((R10), Z12)
	FMA16((R10)(R8*1), Z13)
	FMA16((R10)(R8*2), Z14)
	FMA16((R10)(R9*1), Z15)
	STEP
	JNZ loop16

	CLAMPS
	MASK1
	CROWS
	STORE16((SI), Z2)
	STORE16((SI)(R8*1), Z3)
	STORE16((SI)(R8*2), Z4)
	STORE16((SI)(R9*1), Z5)
	STORE16((SI)(R8*4), Z6)
	STORE16((DI), Z7)
	STORE16((DI)(R8*1), Z8)
	STORE16((DI)(R8*2), Z9)
	STORE16((DI)(R9*1), Z10)
	STORE16((DI)(R8*4), Z11)
	STORE16((R10), Z12)
	STORE16((R10)(R8*1), Z13)
	STORE16((R10)(R8*2), Z14)
	STORE16((R10)(R9*1), Z15)
	NEXTTILE(tile16)
	VZEROUPPER
	RET

// func gemm14x8(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)
// The 14-row tile for 8 columns of a panel (ymm; Zen 4 runs two 256-bit FMAs per cycle,
// the zmm rate per column): b and c point at the first column, packed rows keep their
// 32-float stride. Y16 = bias, Y17 = B row, Y30 = A broadcast, Y2..Y15 = accumulators (row r in Y(2+r)),
// K1 = store mask (low 8 bits of mask).
#define INIT8(r) VMOVAPS Y16, r

#define FMA8(addr, r) \
	VBROADCASTSS addr, Y30; \
	VFMADD231PS Y30, Y17, r

#define STORE8(addr, r) \
	VMAXPS Y30, r, r; \
	VMINPS Y31, r, r; \
	VMOVUPS r, K1, addr

TEXT ·gemm14x8(SB), NOSPLIT, $0-72

tile8:
	AROWS
	MOVQ b+16(FP), BX
	MOVQ k+24(FP), CX
	VMOVUPS (BX), Y16
	ADDQ $128, BX
	INIT8(Y2)
	INIT8(Y3)
	INIT8(Y4)
	INIT8(Y5)
	INIT8(Y6)
	INIT8(Y7)
	INIT8(Y8)
	INIT8(Y9)
	INIT8(Y10)
	INIT8(Y11)
	INIT8(Y12)
	INIT8(Y13)
	INIT8(Y14)
	INIT8(Y15)

loop8:
	VMOVUPS (BX), Y17
	FMA8((SI), Y2)
	FMA8((SI)(R8*1), Y3)
	FMA8((SI)(R8*2), Y4)
	FMA8((SI)(R9*1), Y5)
	FMA8((SI)(R8*4), Y6)
	FMA8((DI), Y7)
	FMA8((DI)(R8*1), Y8)
	FMA8((DI)(R8*2), Y9)
	FMA8((DI)(R9*1), Y10)
	FMA8((DI)(R8*4), Y11)
	FMA8((R10), Y12)
	FMA8((R10)(R8*1), Y13)
	FMA8((R10)(R8*2), Y14)
	FMA8((R10)(R9*1), Y15)
	STEP
	JNZ loop8

	EPILOGUE
	STORE8((SI), Y2)
	STORE8((SI)(R8*1), Y3)
	STORE8((SI)(R8*2), Y4)
	STORE8((SI)(R9*1), Y5)
	STORE8((SI)(R8*4), Y6)
	STORE8((DI), Y7)
	STORE8((DI)(R8*1), Y8)
	STORE8((DI)(R8*2), Y9)
	STORE8((DI)(R9*1), Y10)
	STORE8((DI)(R8*4), Y11)
	STORE8((R10), Y12)
	STORE8((R10)(R8*1), Y13)
	STORE8((R10)(R8*2), Y14)
	STORE8((R10)(R9*1), Y15)
	NEXTTILE(tile8)
	VZEROUPPER
	RET

// func gemm14x24(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)
// The 14-row tile for 24 columns of a panel (one zmm and one ymm per row: three quarters of
// gemm14x32's FMA work): b and c point at the first column, packed rows keep their 32-float
// stride. Z0/Y1 = B row (columns 0-15 / 16-23; the bias before the loop), row r accumulates
// in Z(2+r) and Y(16+r); Z30 = A broadcast (Y30 its low half); K1/K2 = store masks of the
// two parts (mask bits 0-15 / 16-23).
#define INIT24(z, y) \
	VMOVAPS Z0, z; \
	VMOVAPS Y1, y

#define FMA24(addr, z, y) \
	VBROADCASTSS addr, Z30; \
	VFMADD231PS Z30, Z0, z; \
	VFMADD231PS Y30, Y1, y

#define STORE24(addr, z, y) \
	VMAXPS Z30, z, z; \
	VMINPS Z31, z, z; \
	VMOVUPS z, K1, addr; \
	VMAXPS Y30, y, y; \
	VMINPS Y31, y, y; \
	VMOVUPS y, K2, 64 addr

TEXT ·gemm14x24(SB), NOSPLIT, $0-72

tile24:
	AROWS
	MOVQ b+16(FP), BX
	MOVQ k+24(FP), CX
	VMOVUPS (BX), Z0
	VMOVUPS 64(BX), Y1
	ADDQ $128, BX
	INIT24(Z2, Y16)
	INIT24(Z3, Y17)
	INIT24(Z4, Y18)
	INIT24(Z5, Y19)
	INIT24(Z6, Y20)
	INIT24(Z7, Y21)
	INIT24(Z8, Y22)
	INIT24(Z9, Y23)
	INIT24(Z10, Y24)
	INIT24(Z11, Y25)
	INIT24(Z12, Y26)
	INIT24(Z13, Y27)
	INIT24(Z14, Y28)
	INIT24(Z15, Y29)

loop24:
	VMOVUPS (BX), Z0
	VMOVUPS 64(BX), Y1
	FMA24((SI), Z2, Y16)
	FMA24((SI)(R8*1), Z3, Y17)
	FMA24((SI)(R8*2), Z4, Y18)
	FMA24((SI)(R9*1), Z5, Y19)
	FMA24((SI)(R8*4), Z6, Y20)
	FMA24((DI), Z7, Y21)
	FMA24((DI)(R8*1), Z8, Y22)
	FMA24((DI)(R8*2), Z9, Y23)
	FMA24((DI)(R9*1), Z10, Y24)
	FMA24((DI)(R8*4), Z11, Y25)
	FMA24((R10), Z12, Y26)
	FMA24((R10)(R8*1), Z13, Y27)
	FMA24((R10)(R8*2), Z14, Y28)
	FMA24((R10)(R9*1), Z15, Y29)
	STEP
	JNZ loop24

	EPILOGUE
	STORE24((SI), Z2, Y16)
	STORE24((SI)(R8*1), Z3, Y17)
	STORE24((SI)(R8*2), Z4, Y18)
	STORE24((SI)(R9*1), Z5, Y19)
	STORE24((SI)(R8*4), Z6, Y20)
	STORE24((DI), Z7, Y21)
	STORE24((DI)(R8*1), Z8, Y22)
	STORE24((DI)(R8*2), Z9, Y23)
	STORE24((DI)(R9*1), Z10, Y24)
	STORE24((DI)(R8*4), Z11, Y25)
	STORE24((R10), Z12, Y26)
	STORE24((R10)(R8*1), Z13, Y27)
	STORE24((R10)(R8*2), Z14, Y28)
	STORE24((R10)(R9*1), Z15, Y29)
	NEXTTILE(tile24)
	VZEROUPPER
	RET

// func gemm7x32p(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32, mask uint32, ntiles int)
// ntiles >= 1 consecutive 7-row tiles, software-pipelined for small K (k >= 8): the
// accumulators of tile t (Z2..Z15 or Z16..Z29, alternating) are clamped and stored one row
// per k step during the first 7 k steps of tile t+1, so the 14 C stores of a tile overlap
// the FMAs of the next one instead of issuing as a burst between tiles.
// Registers: Z0,Z1 = B row; Z30 = A broadcast (the clamp bounds come from the frame,
// STOREP); K1,K2 = store masks; SI/DI = A rows 0/5
// of the current tile (R8 = lda*4, R9 = 3*lda*4); DX/R10 = C rows 0/5 of the previous tile
// (R11 = ldc*4, R12 = 3*ldc*4); R13 = panel start (bias); BX = B row; CX = k counter.
#define P7INIT(r0, r1) \
	VMOVUPS (R13), r0; \
	VMOVUPS 64(R13), r1

#define P7FMA(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13) \
	LOADB; \
	FMA((SI), x0, x1); \
	FMA((SI)(R8*1), x2, x3); \
	FMA((SI)(R8*2), x4, x5); \
	FMA((SI)(R9*1), x6, x7); \
	FMA((SI)(R8*4), x8, x9); \
	FMA((DI), x10, x11); \
	FMA((DI)(R8*1), x12, x13)

#define P7ADV \
	ADDQ $4, SI; \
	ADDQ $4, DI; \
	ADDQ $128, BX

// P7SETUP points SI/DI at the current tile's A rows, BX past the bias and CX at k-7.
#define P7SETUP \
	MOVQ a+0(FP), SI; \
	LEAQ (SI)(R8*4), DI; \
	ADDQ R8, DI; \
	LEAQ 128(R13), BX; \
	MOVQ k+24(FP), CX

// P7NEXT advances a by one tile (7 rows) and, for stores of the tile just computed, DX/R10
// to the next C tile.
#define P7NEXTA \
	LEAQ (R8)(R8*2), AX; \
	LEAQ (AX)(R8*4), AX; \
	ADDQ AX, a+0(FP)

#define P7NEXTC \
	LEAQ (R11)(R11*2), AX; \
	LEAQ (AX)(R11*4), AX; \
	ADDQ AX, DX; \
	ADDQ AX, R10

// STOREP is STORE with the clamp bounds broadcast from the argument frame: gemm7x32p's
// stores run between k steps, where Z30 is the A broadcast register.
#define STOREP(addr, r0, r1) \
	VMAXPS.BCST lo+48(FP), r0, r0; \
	VMAXPS.BCST lo+48(FP), r1, r1; \
	VMINPS.BCST hi+52(FP), r0, r0; \
	VMINPS.BCST hi+52(FP), r1, r1; \
	VMOVUPS r0, K1, addr; \
	VMOVUPS r1, K2, 64 addr

TEXT ·gemm7x32p(SB), NOSPLIT, $0-72
	MOVQ lda+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ ldc+40(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	MOVQ c+32(FP), DX
	LEAQ (DX)(R11*4), R10
	ADDQ R11, R10
	MOVQ b+16(FP), R13
	MASK1
	MASK2

	// Tile 0 into set A (Z2..Z15), no stores to overlap.
	P7SETUP
	P7INIT(Z2, Z3)
	P7INIT(Z4, Z5)
	P7INIT(Z6, Z7)
	P7INIT(Z8, Z9)
	P7INIT(Z10, Z11)
	P7INIT(Z12, Z13)
	P7INIT(Z14, Z15)

p7first:
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	P7ADV
	DECQ CX
	JNZ  p7first
	P7NEXTA
	DECQ ntiles+64(FP)
	JZ   p7lastA

p7pair:
	// Tile into set B (Z16..Z29) while storing set A.
	P7SETUP
	SUBQ $7, CX
	P7INIT(Z16, Z17)
	P7INIT(Z18, Z19)
	P7INIT(Z20, Z21)
	P7INIT(Z22, Z23)
	P7INIT(Z24, Z25)
	P7INIT(Z26, Z27)
	P7INIT(Z28, Z29)
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((DX), Z2, Z3)
	P7ADV
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((DX)(R11*1), Z4, Z5)
	P7ADV
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((DX)(R11*2), Z6, Z7)
	P7ADV
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((DX)(R12*1), Z8, Z9)
	P7ADV
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((DX)(R11*4), Z10, Z11)
	P7ADV
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((R10), Z12, Z13)
	P7ADV
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	STOREP((R10)(R11*1), Z14, Z15)
	P7ADV
	P7NEXTC

p7loopB:
	P7FMA(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29)
	P7ADV
	DECQ CX
	JNZ  p7loopB
	P7NEXTA
	DECQ ntiles+64(FP)
	JZ   p7lastB

	// Tile into set A while storing set B.
	P7SETUP
	SUBQ $7, CX
	P7INIT(Z2, Z3)
	P7INIT(Z4, Z5)
	P7INIT(Z6, Z7)
	P7INIT(Z8, Z9)
	P7INIT(Z10, Z11)
	P7INIT(Z12, Z13)
	P7INIT(Z14, Z15)
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((DX), Z16, Z17)
	P7ADV
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((DX)(R11*1), Z18, Z19)
	P7ADV
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((DX)(R11*2), Z20, Z21)
	P7ADV
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((DX)(R12*1), Z22, Z23)
	P7ADV
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((DX)(R11*4), Z24, Z25)
	P7ADV
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((R10), Z26, Z27)
	P7ADV
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STOREP((R10)(R11*1), Z28, Z29)
	P7ADV
	P7NEXTC

p7loopA:
	P7FMA(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	P7ADV
	DECQ CX
	JNZ  p7loopA
	P7NEXTA
	DECQ ntiles+64(FP)
	JNZ  p7pair

p7lastA:
	STOREP((DX), Z2, Z3)
	STOREP((DX)(R11*1), Z4, Z5)
	STOREP((DX)(R11*2), Z6, Z7)
	STOREP((DX)(R12*1), Z8, Z9)
	STOREP((DX)(R11*4), Z10, Z11)
	STOREP((R10), Z12, Z13)
	STOREP((R10)(R11*1), Z14, Z15)
	VZEROUPPER
	RET

p7lastB:
	STOREP((DX), Z16, Z17)
	STOREP((DX)(R11*1), Z18, Z19)
	STOREP((DX)(R11*2), Z20, Z21)
	STOREP((DX)(R12*1), Z22, Z23)
	STOREP((DX)(R11*4), Z24, Z25)
	STOREP((R10), Z26, Z27)
	STOREP((R10)(R11*1), Z28, Z29)
	VZEROUPPER
	RET
