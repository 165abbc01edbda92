// Included by conv_neon_arm64.s after the TEXT line and CONVARGS of convNEON6 and convNEON8:
// the kernel's body, the same for both blockings. A file rather than a macro so that the
// labels and the debug line numbers (scripts/mca names loops and regions by them) are those
// of this file. The includer defines the blocking's parts, which this file undefines at its
// end:
//
//   NPIX      pixels per group
//   PIXS      R2.. = the group's other pixel inputs (PIX chain from R1)
//   BIAS      loads the block's bias (at R21)
//   INITACC   sets every accumulator to its channel's bias
//   CITAP     one input channel of one tap: the pixels' scalar loads (post-incremented),
//             the weight loads (at R5) and the FMLAs
//   FULL      the mask of a block whose channels are all stored
//   ST, MST   the pixel stores (STn, MSTn of neon_arm64.h: whole vectors; lane by lane
//             for a partial mask)
//   ROWS(op)  op(pixel i's v0, f0, v1, f1, ...) for each pixel, each but the last followed
//             by PIXDONE(i, next)
//   NEXTCOLS  moves the column input (R12) and output (R13) bases NPIX pixels on

group:
	MOVD $NPIX, R15
	CMP $NPIX, R14
	CSEL LT, R14, R15, R15
	MOVD R12, R1
	PIXS
	BIAS
	INITACC
	STARTTAPS(done)

ky:
	MOVD nkx+40(FP), R7

kx:
	MOVD cin+48(FP), R8

ci:
	CITAP
	ADD $128, R5
	SUBS $1, R8
	BNE ci

kxnext:
	NEXTKX(kx)

kynext:
	NEXTKY(ky)

done:
	BOUNDS(lo+104(FP), hi+108(FP))
	VCLAMP16(0, 30, 31)
	VCLAMP8(16, 30, 31)
	MOVD R13, R0
	MOVD $FULL, R16
	CMP R16, R17
	BNE masked

store:
	ROWS(ST)

next:
	NEXTCOLS
	SUBS R15, R14
	BNE group
	RET

masked:
	ROWS(MST)
	B next

#undef NPIX
#undef PIXS
#undef BIAS
#undef INITACC
#undef CITAP
#undef FULL
#undef ST
#undef MST
#undef ROWS
#undef NEXTCOLS
