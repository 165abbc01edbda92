//go:build amd64 && !noasm

#include "textflag.h"

// Three planes to packed triples (Interleave3): 16 pixels per iteration. Output vector j
// (j = 0, 1, 2) holds elements 16j..16j+15 of the packed run; element k is plane k%3 at index
// k/3. Lanes from planes a and b come from one two-table permute (VPERMI2PS, index = i for
// a, 16+i for b); lanes from plane c are merged by a masked single-table permute (VPERMPS
// uses the low 4 index bits, = i).

// Per output vector: 16 int32 indices.
DATA interleave3Idx<>+0(SB)/4, $0
DATA interleave3Idx<>+4(SB)/4, $16
DATA interleave3Idx<>+8(SB)/4, $0
DATA interleave3Idx<>+12(SB)/4, $1
DATA interleave3Idx<>+16(SB)/4, $17
DATA interleave3Idx<>+20(SB)/4, $1
DATA interleave3Idx<>+24(SB)/4, $2
DATA interleave3Idx<>+28(SB)/4, $18
DATA interleave3Idx<>+32(SB)/4, $2
DATA interleave3Idx<>+36(SB)/4, $3
DATA interleave3Idx<>+40(SB)/4, $19
DATA interleave3Idx<>+44(SB)/4, $3
DATA interleave3Idx<>+48(SB)/4, $4
DATA interleave3Idx<>+52(SB)/4, $20
DATA interleave3Idx<>+56(SB)/4, $4
DATA interleave3Idx<>+60(SB)/4, $5
DATA interleave3Idx<>+64(SB)/4, $21
DATA interleave3Idx<>+68(SB)/4, $5
DATA interleave3Idx<>+72(SB)/4, $6
DATA interleave3Idx<>+76(SB)/4, $22
DATA interleave3Idx<>+80(SB)/4, $6
DATA interleave3Idx<>+84(SB)/4, $7
DATA interleave3Idx<>+88(SB)/4, $23
DATA interleave3Idx<>+92(SB)/4, $7
DATA interleave3Idx<>+96(SB)/4, $8
DATA interleave3Idx<>+100(SB)/4, $24
DATA interleave3Idx<>+104(SB)/4, $8
DATA interleave3Idx<>+108(SB)/4, $9
DATA interleave3Idx<>+112(SB)/4, $25
DATA interleave3Idx<>+116(SB)/4, $9
DATA interleave3Idx<>+120(SB)/4, $10
DATA interleave3Idx<>+124(SB)/4, $26
DATA interleave3Idx<>+128(SB)/4, $10
DATA interleave3Idx<>+132(SB)/4, $11
DATA interleave3Idx<>+136(SB)/4, $27
DATA interleave3Idx<>+140(SB)/4, $11
DATA interleave3Idx<>+144(SB)/4, $12
DATA interleave3Idx<>+148(SB)/4, $28
DATA interleave3Idx<>+152(SB)/4, $12
DATA interleave3Idx<>+156(SB)/4, $13
DATA interleave3Idx<>+160(SB)/4, $29
DATA interleave3Idx<>+164(SB)/4, $13
DATA interleave3Idx<>+168(SB)/4, $14
DATA interleave3Idx<>+172(SB)/4, $30
DATA interleave3Idx<>+176(SB)/4, $14
DATA interleave3Idx<>+180(SB)/4, $15
DATA interleave3Idx<>+184(SB)/4, $31
DATA interleave3Idx<>+188(SB)/4, $15
GLOBL interleave3Idx<>(SB), RODATA|NOPTR, $192

// func interleave3AVX512(dst, a, b, c *float32, n int)
TEXT ·interleave3AVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), CX
	MOVQ n+32(FP), DX
	SHRQ $4, DX
	JZ   done
	VMOVDQU32 interleave3Idx<>+0(SB), Z10
	VMOVDQU32 interleave3Idx<>+64(SB), Z11
	VMOVDQU32 interleave3Idx<>+128(SB), Z12
	MOVL $0x4924, R8
	KMOVW R8, K1
	MOVL $0x2492, R8
	KMOVW R8, K2
	MOVL $0x9249, R8
	KMOVW R8, K3

loop:
	VMOVUPS (AX), Z0
	VMOVUPS (BX), Z1
	VMOVUPS (CX), Z2
	VMOVDQA32 Z10, Z3
	VPERMI2PS Z1, Z0, Z3
	VPERMPS Z2, Z10, K1, Z3
	VMOVDQA32 Z11, Z4
	VPERMI2PS Z1, Z0, Z4
	VPERMPS Z2, Z11, K2, Z4
	VMOVDQA32 Z12, Z5
	VPERMI2PS Z1, Z0, Z5
	VPERMPS Z2, Z12, K3, Z5
	VMOVUPS Z3, (DI)
	VMOVUPS Z4, 64(DI)
	VMOVUPS Z5, 128(DI)
	ADDQ $64, AX
	ADDQ $64, BX
	ADDQ $64, CX
	ADDQ $192, DI
	DECQ DX
	JNZ  loop

done:
	VZEROUPPER
	RET
