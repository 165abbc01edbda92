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
	WINDOW(gdone)

gky:
	TAPROW

gkx:
	SUM4(OP, R9)
	SUBS $1, R7
	BNE gkx

gkynext:
	NEXTTAPROW(gky)

gdone:
	STORE4(R5, R4, group)

single:
	CBZ R3, colnext

one:
	VMOV V30.B16, V0.B16
	WINDOW(odone)

oky:
	TAPROW

okx:
	SUM1(OP, R9)
	SUBS $1, R7
	BNE okx

okynext:
	NEXTTAPROW(oky)

odone:
	STORE1(R5, R4, one)

colnext:
	ADD R10, R0
	ADD R13, R1
	SUBS $1, R2
	BNE col
