//go:build amd64 && !noasm

#include "textflag.h"

// AVX2/FMA GEMM microkernels: mr rows x 16 columns (one half of a 32-wide packed B panel,
// so B rows are 128 bytes apart). Register plan: Y0..Y11 = accumulators (row r in Y(2r),
// Y(2r+1)); Y12,Y13 = B row; Y14 = broadcast A element. Epilogue: Y12/Y13 = clamp bounds,
// all 16 columns are stored (the caller routes partial tiles through a scratch tile).
// A rows: SI = row 0, DI = row 5; R8 = lda*4, R9 = 3*lda*4.

#define PROLOGUE \
	MOVQ a+0(FP), SI; \
	MOVQ lda+8(FP), R8; \
	SHLQ $2, R8; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (SI)(R8*4), DI; \
	ADDQ R8, DI; \
	MOVQ b+16(FP), BX; \
	MOVQ k+24(FP), CX; \
	VMOVUPS (BX), Y0; \
	VMOVUPS 32(BX), Y1; \
	ADDQ $128, BX

#define INIT(r0, r1) \
	VMOVAPS Y0, r0; \
	VMOVAPS Y1, r1

#define LOADB \
	VMOVUPS (BX), Y12; \
	VMOVUPS 32(BX), Y13

#define FMA(addr, r0, r1) \
	VBROADCASTSS addr, Y14; \
	VFMADD231PS Y12, Y14, r0; \
	VFMADD231PS Y13, Y14, r1

#define STEP \
	ADDQ $4, SI; \
	ADDQ $4, DI; \
	ADDQ $128, BX; \
	DECQ CX

#define EPILOGUE \
	VBROADCASTSS lo+48(FP), Y12; \
	VBROADCASTSS hi+52(FP), Y13; \
	MOVQ c+32(FP), SI; \
	MOVQ ldc+40(FP), R8; \
	SHLQ $2, R8; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (SI)(R8*4), DI; \
	ADDQ R8, DI

#define CLAMP(r0, r1) \
	VMAXPS Y12, r0, r0; \
	VMAXPS Y12, r1, r1; \
	VMINPS Y13, r0, r0; \
	VMINPS Y13, r1, r1

#define STOREFULL(addr, r0, r1) \
	VMOVUPS r0, addr; \
	VMOVUPS r1, 32 addr

// func gemm6x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32)
TEXT ·gemm6x16(SB), NOSPLIT, $0-56
	PROLOGUE
	INIT(Y2, Y3)
	INIT(Y4, Y5)
	INIT(Y6, Y7)
	INIT(Y8, Y9)
	INIT(Y10, Y11)

loop6:
	LOADB
	FMA((SI), Y0, Y1)
	FMA((SI)(R8*1), Y2, Y3)
	FMA((SI)(R8*2), Y4, Y5)
	FMA((SI)(R9*1), Y6, Y7)
	FMA((SI)(R8*4), Y8, Y9)
	FMA((DI), Y10, Y11)
	STEP
	JNZ  loop6

	EPILOGUE
	CLAMP(Y0, Y1)
	CLAMP(Y2, Y3)
	CLAMP(Y4, Y5)
	CLAMP(Y6, Y7)
	CLAMP(Y8, Y9)
	CLAMP(Y10, Y11)
	STOREFULL((SI), Y0, Y1)
	STOREFULL((SI)(R8*1), Y2, Y3)
	STOREFULL((SI)(R8*2), Y4, Y5)
	STOREFULL((SI)(R9*1), Y6, Y7)
	STOREFULL((SI)(R8*4), Y8, Y9)
	STOREFULL((DI), Y10, Y11)
	VZEROUPPER
	RET

// func gemm3x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32)
TEXT ·gemm3x16(SB), NOSPLIT, $0-56
	PROLOGUE
	INIT(Y2, Y3)
	INIT(Y4, Y5)

loop3:
	LOADB
	FMA((SI), Y0, Y1)
	FMA((SI)(R8*1), Y2, Y3)
	FMA((SI)(R8*2), Y4, Y5)
	STEP
	JNZ  loop3

	EPILOGUE
	CLAMP(Y0, Y1)
	CLAMP(Y2, Y3)
	CLAMP(Y4, Y5)
	STOREFULL((SI), Y0, Y1)
	STOREFULL((SI)(R8*1), Y2, Y3)
	STOREFULL((SI)(R8*2), Y4, Y5)
	VZEROUPPER
	RET

// func gemm1x16(a *float32, lda int, b *float32, k int, c *float32, ldc int, lo, hi float32)
TEXT ·gemm1x16(SB), NOSPLIT, $0-56
	PROLOGUE

loop1:
	LOADB
	FMA((SI), Y0, Y1)
	STEP
	JNZ  loop1

	EPILOGUE
	CLAMP(Y0, Y1)
	STOREFULL((SI), Y0, Y1)
	VZEROUPPER
	RET

