// NEON instructions the Go arm64 assembler lacks (and one it has, VFMLA4, with computable
// operands), encoded with WORD; then macros over runs of registers shared by the kernels.
//
// Operands are register numbers (0..31), in the ARM order: destination first, as in
// "FMLA Vd.4S, Vn.4S, Vm.S[i]". Every encoding is the single-precision, 128-bit (Q = 1,
// sz = 0) form of the Arm Architecture Reference Manual's "Advanced SIMD three same" and
// "Advanced SIMD vector x indexed element" classes:
//
//   three same:        0 Q U 01110 o1 sz 1 Rm  opcode 1 Rn Rd
//   indexed element:   0 Q U 01111 1  sz L M Rm opcode H 0 Rn Rd   (sz = 0: Vm is M:Rm, index H:L)
//
//   macro              instruction                    base word    fields
//   VFMLAE(d, n, m, i) FMLA Vd.4S, Vn.4S, Vm.S[i]     0x4F801000   L = i&1 (bit 21), M:Rm = m (bits 20..16), H = i>>1 (bit 11)
//   VFMULE(d, n, m, i) FMUL Vd.4S, Vn.4S, Vm.S[i]     0x4F809000   as VFMLAE
//   VFMAX4(d, n, m)    FMAX Vd.4S, Vn.4S, Vm.4S       0x4E20F400   Rm bits 20..16
//   VFMIN4(d, n, m)    FMIN Vd.4S, Vn.4S, Vm.4S       0x4EA0F400   Rm bits 20..16
//   VFADD4(d, n, m)    FADD Vd.4S, Vn.4S, Vm.4S       0x4E20D400   Rm bits 20..16
//   VFMUL4(d, n, m)    FMUL Vd.4S, Vn.4S, Vm.4S       0x6E20DC00   Rm bits 20..16
//   VFMLA4(d, n, m)    FMLA Vd.4S, Vn.4S, Vm.4S       0x4E20CC00   Rm bits 20..16
//
// Checked against LLVM 14's assembler (llvm-mc -triple=aarch64 -show-encoding), e.g.
// "fmla v3.4s, v25.4s, v28.s[3]" = 0x4fbc1b23 = VFMLAE(3, 25, 28, 3); scripts/mca
// disassembles every kernel with llvm-objdump, so a wrong word shows up there as a different
// instruction, and the kernel tests check each instruction's effect.
// Go's VFMLA assembles FMLA Vd.4S, Vn.4S, Vm.4S ("VFMLA Vm.S4, Vn.S4, Vd.S4") to the same
// word as VFMLA4; the macro takes register numbers, so that a macro can compute them (a run
// of accumulators, a run of inputs: TAP4 in dw_neon_arm64.s).

#define VFMLAE(d, n, m, i) WORD $(0x4F801000|(((i)&1)<<21)|((m)<<16)|(((i)>>1)<<11)|((n)<<5)|(d))
#define VFMULE(d, n, m, i) WORD $(0x4F809000|(((i)&1)<<21)|((m)<<16)|(((i)>>1)<<11)|((n)<<5)|(d))
#define VFMAX4(d, n, m) WORD $(0x4E20F400|((m)<<16)|((n)<<5)|(d))
#define VFMIN4(d, n, m) WORD $(0x4EA0F400|((m)<<16)|((n)<<5)|(d))
#define VFADD4(d, n, m) WORD $(0x4E20D400|((m)<<16)|((n)<<5)|(d))
#define VFMUL4(d, n, m) WORD $(0x6E20DC00|((m)<<16)|((n)<<5)|(d))
#define VFMLA4(d, n, m) WORD $(0x4E20CC00|((m)<<16)|((n)<<5)|(d))

// VCLAMP(r, lo, hi) clamps register r in place to [lo, hi] (FMAX, then FMIN; a NaN stays
// NaN, as with Go's max and min builtins in the generic kernels). VCLAMP4, VCLAMP8 and
// VCLAMP16 clamp registers r, r+1, ... (4, 8 or 16 of them) in that order.
#define VCLAMP(r, lo, hi) VFMAX4(r, r, lo); VFMIN4(r, r, hi)
#define VCLAMP4(r, lo, hi) VCLAMP(r, lo, hi); VCLAMP(r+1, lo, hi); VCLAMP(r+2, lo, hi); VCLAMP(r+3, lo, hi)
#define VCLAMP8(r, lo, hi) VCLAMP4(r, lo, hi); VCLAMP4(r+4, lo, hi)
#define VCLAMP16(r, lo, hi) VCLAMP8(r, lo, hi); VCLAMP8(r+8, lo, hi)

// VEACH4(op, d, n, m) applies a three-register macro of the table above to 4 consecutive
// register triples: op(d, n, m), op(d+1, n+1, m+1), ..., op(d+3, n+3, m+3).
// VEACH4S(op, d, s) is op(d+i, d+i, s) for i = 0..3: d..d+3 in place with one operand s.
#define VEACH4(op, d, n, m) op(d, n, m); op(d+1, n+1, m+1); op(d+2, n+2, m+2); op(d+3, n+3, m+3)
#define VEACH4S(op, d, s) op(d, d, s); op(d+1, d+1, s); op(d+2, d+2, s); op(d+3, d+3, s)

// FMLA by element over runs of registers: FMLAEn(a, b, r, l) adds B vectors b..b+n-1 times
// lane l of register r to accumulators a..a+n-1; EACHROWk(op, a, da, b, r, l) applies such
// an op to k rows (of A, or pixels), row i adding lane l of register r+i to its
// accumulators from a + i*da.
#define FMLAE1(a, b, r, l) VFMLAE(a, b, r, l)
#define FMLAE2(a, b, r, l) VFMLAE(a, b, r, l); VFMLAE(a+1, b+1, r, l)
#define FMLAE3(a, b, r, l) FMLAE2(a, b, r, l); VFMLAE(a+2, b+2, r, l)
#define FMLAE4(a, b, r, l) FMLAE3(a, b, r, l); VFMLAE(a+3, b+3, r, l)
#define EACHROW3(op, a, da, b, r, l) op(a, b, r, l); op(a+da, b, r+1, l); op(a+2*da, b, r+2, l)
#define EACHROW4(op, a, da, b, r, l) EACHROW3(op, a, da, b, r, l); op(a+3*da, b, r+3, l)
#define EACHROW6(op, a, da, b, r, l) EACHROW4(op, a, da, b, r, l); op(a+4*da, b, r+4, l); op(a+5*da, b, r+5, l)
#define EACHROW8(op, a, da, b, r, l) EACHROW6(op, a, da, b, r, l); op(a+6*da, b, r+6, l); op(a+7*da, b, r+7, l)

// VDUPF(src, f, v) loads the float32 at src (an argument, e.g. lo+48(FP)) into f and
// broadcasts it to the 4 lanes of v (f and v name the same register). BOUNDS(lo, hi) puts
// the clamp bounds into V30 and V31, the registers the kernels pass to VCLAMP as 30, 31.
#define VDUPF(src, f, v) FMOVS src, f; VDUP v.S[0], v.S4
#define BOUNDS(lo, hi) VDUPF(lo, F30, V30); VDUPF(hi, F31, V31)

// LANES stores vector register v (also named f) to off(base) when the column bits
// bit0..bit0+3 of the mask register are all set, else only its lanes whose bit is set
// (one lane store each; tmp is clobbered). Kernels use it for the columns at the ends of
// a requested range, which need not be whole vectors (NEON has no masked store).
#define LANES(v, f, off, bit0, base, mask, tmp) \
	AND $(15<<(bit0)), mask, tmp; \
	CMP $(15<<(bit0)), tmp; \
	BNE 3(PC); \
	FMOVQ f, off(base); \
	B 13(PC); \
	TBZ $(bit0), mask, 3(PC); \
	ADD $(off), base, tmp; \
	VST1 v.S[0], (tmp); \
	TBZ $(bit0+1), mask, 3(PC); \
	ADD $(off+4), base, tmp; \
	VST1 v.S[1], (tmp); \
	TBZ $(bit0+2), mask, 3(PC); \
	ADD $(off+8), base, tmp; \
	VST1 v.S[2], (tmp); \
	TBZ $(bit0+3), mask, 3(PC); \
	ADD $(off+12), base, tmp; \
	VST1 v.S[3], (tmp)

// Row macros of the GEMM and conv tile kernels (gemm_neon_arm64.s, conv_neon_arm64.s). A
// tile row (a pixel of the conv) has n accumulator vectors, given by register name:
// INITn(a, ...) copies the bias vectors V24, V25, ... into them; STn(v0, f0, v1, f1, ...)
// stores them at R0, v0 first; MSTn (same arguments) stores them at R0 as LANES does, by the
// column bits 0..4n-1 of R17 (R16 scratch), for a row whose requested columns are not all
// whole vectors. Each vector is given by both its V and its F name (STn uses only the F
// names), so that one list of a tile's rows serves both stores.
#define INIT3(a, b, c) \
	VMOV V24.B16, a.B16; \
	VMOV V25.B16, b.B16; \
	VMOV V26.B16, c.B16
#define INIT4(a, b, c, d) INIT3(a, b, c); VMOV V27.B16, d.B16
#define INIT6(a, b, c, d, e, f) INIT4(a, b, c, d); VMOV V28.B16, e.B16; VMOV V29.B16, f.B16
#define INIT8(a, b, c, d, e, f, g, h) INIT6(a, b, c, d, e, f); VMOV V30.B16, g.B16; VMOV V31.B16, h.B16

#define ST1(v0, f0) FMOVQ f0, (R0)
#define ST2(v0, f0, v1, f1) FSTPQ (f0, f1), (R0)
#define ST3(v0, f0, v1, f1, v2, f2) ST2(v0, f0, v1, f1); FMOVQ f2, 32(R0)
#define ST4(v0, f0, v1, f1, v2, f2, v3, f3) ST2(v0, f0, v1, f1); FSTPQ (f2, f3), 32(R0)
#define ST6(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5) \
	ST4(v0, f0, v1, f1, v2, f2, v3, f3); \
	FSTPQ (f4, f5), 64(R0)
#define ST8(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5, v6, f6, v7, f7) \
	ST6(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5); \
	FSTPQ (f6, f7), 96(R0)

#define MST1(v0, f0) LANES(v0, f0, 0, 0, R0, R17, R16)
#define MST2(v0, f0, v1, f1) MST1(v0, f0); LANES(v1, f1, 16, 4, R0, R17, R16)
#define MST3(v0, f0, v1, f1, v2, f2) MST2(v0, f0, v1, f1); LANES(v2, f2, 32, 8, R0, R17, R16)
#define MST4(v0, f0, v1, f1, v2, f2, v3, f3) MST3(v0, f0, v1, f1, v2, f2); LANES(v3, f3, 48, 12, R0, R17, R16)
#define MST6(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5) \
	MST4(v0, f0, v1, f1, v2, f2, v3, f3); \
	LANES(v4, f4, 64, 16, R0, R17, R16); \
	LANES(v5, f5, 80, 20, R0, R17, R16)
#define MST8(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5, v6, f6, v7, f7) \
	MST6(v0, f0, v1, f1, v2, f2, v3, f3, v4, f4, v5, f5); \
	LANES(v6, f6, 96, 24, R0, R17, R16); \
	LANES(v7, f7, 112, 28, R0, R17, R16)
