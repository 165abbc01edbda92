// Included by dw_neon_arm64.s after the TEXT line and the argument loads of dw3x3s1NEON and
// dw3x3s2NEON: the kernel's body, the same for both strides. A file rather than a macro so
// that the labels and the debug line numbers (scripts/mca names loops and regions by them)
// are those of this file. The includer defines the stride's parts, which this file
// undefines at its end:
//
//   NG       columns per group (R20 = NG column steps, in bytes)
//   GINIT    sets the group's accumulators (V12..) to the bias
//   GROW     the group's tap-row macro, ROWx(p, wa, wb, wc) (see TAPROWS)
//   GSTORES  clamps and stores the group's accumulators
//   QUAD     (optional) after the groups, one group of 4 columns (stride 1)
//   CSTEP    one column step in bytes (a register)

vec:
	WEIGHTS
	ROWPTRS
	CMP $NG, R3
#ifdef QUAD
	BLT quad
#else
	BLT single
#endif

group:
	GINIT
	TAPROWS(GROW, gstore)

gstore:
	GSTORES
	COLSTEP(R20)
	SUB $NG, R3
	CMP $NG, R3
	BGE group

#ifdef QUAD
quad:
	CMP $4, R3
	BLT single
	INITACC4
	TAPROWS(ROW4S1, qstore)

qstore:
	STORES4
	COLSTEP(R7<<2)
	SUB $4, R3
#undef QUAD
#endif

single:
	CBZ R3, vnext

one:
	INITACC(V12)
	TAPROWS(ROW1, ostore)

ostore:
	STORE1(V12, 12)
	COLSTEP(CSTEP)
	SUBS $1, R3
	BNE one

vnext:
	NEXTVEC(vec)
	RET

#undef NG
#undef GINIT
#undef GROW
#undef GSTORES
#undef CSTEP
