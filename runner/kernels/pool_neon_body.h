// Included by pool_neon_arm64.s under each pooling function with OP(d, n, m) defined as the
// reduction (VFMAX4 or VFADD4): the whole column loop of maxPoolNEON / avgPoolNEON. A file
// rather than a macro so that the labels and the debug line numbers (scripts/mca names
// loops by them) are those of this file.

col:
	MOVD R0, R4
	MOVD R1, R5
	MOVD nvec+24(FP), R3
	CMP $4, R3
	BLT single

group:
	VMOV V30.B16, V0.B16
	VMOV V30.B16, V1.B16
	VMOV V30.B16, V2.B16
	VMOV V30.B16, V3.B16
	MOVD R4, R8
	MOVD nky+32(FP), R6
	CBZ R6, gdone

gky:
	MOVD R8, R9
	MOVD nkx+40(FP), R7

gkx:
	VLD1.P (R9)(R11), [V4.S4, V5.S4, V6.S4, V7.S4]
	OP(0, 0, 4)
	OP(1, 1, 5)
	OP(2, 2, 6)
	OP(3, 3, 7)
	SUBS $1, R7
	BNE gkx

gkynext:
	ADD R12, R8
	SUBS $1, R6
	BNE gky

gdone:
	VFMUL4(0, 0, 31)
	VFMUL4(1, 1, 31)
	VFMUL4(2, 2, 31)
	VFMUL4(3, 3, 31)
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R5)
	ADD $64, R5
	ADD $64, R4
	SUB $4, R3
	CMP $4, R3
	BGE group

single:
	CBZ R3, colnext

one:
	VMOV V30.B16, V0.B16
	MOVD R4, R8
	MOVD nky+32(FP), R6
	CBZ R6, odone

oky:
	MOVD R8, R9
	MOVD nkx+40(FP), R7

okx:
	VLD1.P (R9)(R11), [V4.S4]
	OP(0, 0, 4)
	SUBS $1, R7
	BNE okx

okynext:
	ADD R12, R8
	SUBS $1, R6
	BNE oky

odone:
	VFMUL4(0, 0, 31)
	VST1 [V0.S4], (R5)
	ADD $16, R5
	ADD $16, R4
	SUBS $1, R3
	BNE one

colnext:
	ADD R10, R0
	ADD R13, R1
	SUBS $1, R2
	BNE col
