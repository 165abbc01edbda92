//go:build arm64 && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON per-pixel kernels over strided channel views: ChannelAffine, AddClamp,
// Interleave3 and PermuteChannels. Channels run as nvec 4-channel vectors (groups of 4
// vectors first) and then ntail (0..3) single channels, so that nothing outside [0, c) of
// a pixel is read or written: ChannelAffine and AddClamp may run in place, so no vector
// may overlap another.

// ---------------------------------------------------------------------------------------
// affineNEON: out = clamp(in*scale + shift) (affine != 0) or clamp(in) per pixel.
//
// func affineNEON(in, out, scale, shift *float32, pixels, inStride, outStride, nvec, ntail int, lo, hi float32, affine int)
//
// Registers: R0/R1 pixel in/out, R2/R3 scale/shift, R4 pixels left, R5/R6 strides, R7
// vectors left, R8 tail left, R9/R10 in/out cursor, R11/R12 scale/shift cursor; V30/V31
// lo/hi.
TEXT ·affineNEON(SB), NOSPLIT, $0-88
	MOVD in+0(FP), R0
	MOVD out+8(FP), R1
	MOVD scale+16(FP), R2
	MOVD shift+24(FP), R3
	MOVD pixels+32(FP), R4
	MOVD inStride+40(FP), R5
	MOVD outStride+48(FP), R6
	FMOVS lo+72(FP), F30
	VDUP V30.S[0], V30.S4
	FMOVS hi+76(FP), F31
	VDUP V31.S[0], V31.S4
	MOVD affine+80(FP), R13
	CBZ R13, cpix

apix:
	MOVD R0, R9
	MOVD R1, R10
	MOVD R2, R11
	MOVD R3, R12
	MOVD nvec+56(FP), R7
	CBZ R7, atail

avec:
	VLD1.P 16(R9), [V0.S4]
	VLD1.P 16(R11), [V1.S4]
	VLD1.P 16(R12), [V2.S4]
	VFMLA V0.S4, V1.S4, V2.S4
	VCLAMP(2, 30, 31)
	VST1 [V2.S4], (R10)
	ADD $16, R10
	SUBS $1, R7
	BNE avec

atail:
	MOVD ntail+64(FP), R8
	CBZ R8, anext

ascalar:
	FMOVS.P 4(R9), F0
	FMOVS.P 4(R11), F1
	FMOVS.P 4(R12), F2
	FMADDS F1, F2, F0, F3
	FMAXS F30, F3, F3
	FMINS F31, F3, F3
	FMOVS F3, (R10)
	ADD $4, R10
	SUBS $1, R8
	BNE ascalar

anext:
	ADD R5, R0
	ADD R6, R1
	SUBS $1, R4
	BNE apix
	RET

cpix:
	MOVD R0, R9
	MOVD R1, R10
	MOVD nvec+56(FP), R7
	CMP $4, R7
	BLT csingle

cgroup:
	VLD1.P 64(R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VCLAMP(0, 30, 31)
	VCLAMP(1, 30, 31)
	VCLAMP(2, 30, 31)
	VCLAMP(3, 30, 31)
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	ADD $64, R10
	SUB $4, R7
	CMP $4, R7
	BGE cgroup

csingle:
	CBZ R7, ctail

cvec:
	VLD1.P 16(R9), [V0.S4]
	VCLAMP(0, 30, 31)
	VST1 [V0.S4], (R10)
	ADD $16, R10
	SUBS $1, R7
	BNE cvec

ctail:
	MOVD ntail+64(FP), R8
	CBZ R8, cnext

cscalar:
	FMOVS.P 4(R9), F0
	FMAXS F30, F0, F0
	FMINS F31, F0, F0
	FMOVS F0, (R10)
	ADD $4, R10
	SUBS $1, R8
	BNE cscalar

cnext:
	ADD R5, R0
	ADD R6, R1
	SUBS $1, R4
	BNE cpix
	RET

// ---------------------------------------------------------------------------------------
// addClampNEON: out = clamp(out + add) per pixel.
//
// func addClampNEON(out, add *float32, pixels, outStride, addStride, nvec, ntail int, lo, hi float32)
TEXT ·addClampNEON(SB), NOSPLIT, $0-64
	MOVD out+0(FP), R1
	MOVD add+8(FP), R0
	MOVD pixels+16(FP), R4
	MOVD outStride+24(FP), R6
	MOVD addStride+32(FP), R5
	FMOVS lo+56(FP), F30
	VDUP V30.S[0], V30.S4
	FMOVS hi+60(FP), F31
	VDUP V31.S[0], V31.S4

dpix:
	MOVD R0, R9
	MOVD R1, R10
	MOVD nvec+40(FP), R7
	CMP $4, R7
	BLT dsingle

dgroup:
	VLD1.P 64(R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFADD4(4, 4, 0)
	VFADD4(5, 5, 1)
	VFADD4(6, 6, 2)
	VFADD4(7, 7, 3)
	VCLAMP(4, 30, 31)
	VCLAMP(5, 30, 31)
	VCLAMP(6, 30, 31)
	VCLAMP(7, 30, 31)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	ADD $64, R10
	SUB $4, R7
	CMP $4, R7
	BGE dgroup

dsingle:
	CBZ R7, dtail

dvec:
	VLD1.P 16(R9), [V0.S4]
	VLD1 (R10), [V4.S4]
	VFADD4(4, 4, 0)
	VCLAMP(4, 30, 31)
	VST1 [V4.S4], (R10)
	ADD $16, R10
	SUBS $1, R7
	BNE dvec

dtail:
	MOVD ntail+48(FP), R8
	CBZ R8, dnext

dscalar:
	FMOVS.P 4(R9), F0
	FMOVS (R10), F4
	FADDS F0, F4, F4
	FMAXS F30, F4, F4
	FMINS F31, F4, F4
	FMOVS F4, (R10)
	ADD $4, R10
	SUBS $1, R8
	BNE dscalar

dnext:
	ADD R5, R0
	ADD R6, R1
	SUBS $1, R4
	BNE dpix
	RET

// ---------------------------------------------------------------------------------------
// interleave3NEON packs n (a multiple of 4) pixels of the planes a, b, c into RGB triples:
// one ST3 per 4 pixels.
//
// func interleave3NEON(dst, a, b, c *float32, n int)
TEXT ·interleave3NEON(SB), NOSPLIT, $0-40
	MOVD dst+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD c+24(FP), R3
	MOVD n+32(FP), R4
	LSR $2, R4
	CBZ R4, idone

iloop:
	VLD1.P 16(R1), [V0.S4]
	VLD1.P 16(R2), [V1.S4]
	VLD1.P 16(R3), [V2.S4]
	VST3 [V0.S4, V1.S4, V2.S4], (R0)
	ADD $48, R0
	SUBS $1, R4
	BNE iloop

idone:
	RET

// ---------------------------------------------------------------------------------------
// permuteNEON gathers c channels per pixel: out[j] = in[idx[j]]. NEON has no gather and
// TBL reaches only 64 bytes of table, less than a riffle's span, so this is a scalar
// load/store loop (3 instructions per element, no bounds checks).
//
// func permuteNEON(in, out *float32, idx *int32, c, pixels, inStride, outStride int)
TEXT ·permuteNEON(SB), NOSPLIT, $0-56
	MOVD in+0(FP), R0
	MOVD out+8(FP), R1
	MOVD pixels+32(FP), R4
	MOVD inStride+40(FP), R5
	MOVD outStride+48(FP), R6

ppix:
	MOVD idx+16(FP), R2
	MOVD c+24(FP), R7
	MOVD R1, R10

pel:
	MOVWU.P 4(R2), R8
	FMOVS (R0)(R8<<2), F0
	FMOVS F0, (R10)
	ADD $4, R10
	SUBS $1, R7
	BNE pel

pnext:
	ADD R5, R0
	ADD R6, R1
	SUBS $1, R4
	BNE ppix
	RET
