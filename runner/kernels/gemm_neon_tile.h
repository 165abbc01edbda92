// Included by gemm_neon_arm64.s after the TEXT line and ARGS(mr) of each tile kernel
// (gemm6x16, gemm6x12, gemm8x8, gemm8x4): the kernel's body, the same for every tile shape.
// A file rather than a macro so that the labels and the debug line numbers (scripts/mca
// names loops and regions by them) are those of this file. The includer defines the
// tile's parts, which this file undefines at its end:
//
//   AROWS            R0..R(mr-1) = the tile's A rows (AROWS6, AROWS8)
//   LOADA(op, off)   one q load per A row, op off(Ri) (LOADA6, LOADA8)
//   BACKA            the k remainder's step back of B and of every A row (BACKA6, BACKA8)
//   BIAS             loads the bias row of the tile's columns (B at R11)
//   INITACC          sets every accumulator to its column's bias
//   KGROUP           the FMLAs of 4 k steps (B rows at R11 + l*128, A lanes l = 0..3)
//   KREM1, KREM2, KREM3  the FMLAs of k step 1, 2, 3 of a group alone (the remainder)
//   SUM              (optional) combines accumulator sets before the clamp
//   CLAMPS           clamps every accumulator to [V30, V31]
//   FULL             the mask of a tile whose columns are all requested
//   ST, MST          the row stores (STn, MSTn of neon_arm64.h: whole vectors; lane by
//                    lane for a partial mask)
//   ROWS(op)         op(row i's v0, f0, v1, f1, ...) for each row, each but the last
//                    followed by ROWDONE(i, next)

tile:
	AROWS
	MOVD b+16(FP), R11
	BIAS
	ADD $128, R11
	INITACC
	KCOUNT
	CBZ R12, tail

loop:
	LOADA(FMOVQ.P, 16)
	KGROUP
	ADD $512, R11
	SUBS $1, R12
	BNE loop

tail:
	CBZ R13, done

rem:
	BACKA
	LOADA(FMOVQ, 0)
	REMLANES(remb, remc)
	KREM1

remb:
	KREM2

remc:
	KREM3

done:
#ifdef SUM
	SUM
#undef SUM
#endif
	BOUNDS(lo+48(FP), hi+52(FP))
	CLAMPS
	MOVD R15, R0
	CMP $FULL, R17
	BNE masked

store:
	ROWS(ST)

next:
	NEXTTILE(tile)
	RET

masked:
	ROWS(MST)
	B next

#undef AROWS
#undef LOADA
#undef BACKA
#undef BIAS
#undef INITACC
#undef KGROUP
#undef KREM1
#undef KREM2
#undef KREM3
#undef CLAMPS
#undef FULL
#undef ST
#undef MST
#undef ROWS
