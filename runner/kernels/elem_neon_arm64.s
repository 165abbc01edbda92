//go:build arm64 && !noasm

#include "textflag.h"
#include "neon_arm64.h"

// NEON per-pixel kernels over strided channel views: ChannelAffine, AddClamp,
// Interleave3 and PermuteChannels. Channels run as nvec 4-channel vectors (groups of 4
// vectors first) and then ntail (0..3) single channels, so that nothing outside [0, c) of
// a pixel is read or written: ChannelAffine and AddClamp may run in place, so no vector
// may overlap another.

// The per-pixel loops of affineNEON and addClampNEON: R0/R1 the pixel's input/output (or
// addend/output), R4 pixels left, R5/R6 their strides, R7 vectors left, R8 scalar channels
// left, R10 the output cursor. Each macro ends one loop: NEXTGROUP after 4 vectors,
// NEXTVEC after one, NEXTSCALAR after one channel (each moves R10 on and loops to again
// while its count remains), NEXTPIX after the pixel; STARTTAIL loads the scalar count from
// ntail (an argument) and skips to next when it is 0. SCLAMP clamps scalar register f to
// [F30, F31].
#define NEXTGROUP(again) \
	ADD $64, R10; \
	SUB $4, R7; \
	CMP $4, R7; \
	BGE again

#define NEXTVEC(again) \
	ADD $16, R10; \
	SUBS $1, R7; \
	BNE again

#define NEXTSCALAR(again) \
	ADD $4, R10; \
	SUBS $1, R8; \
	BNE again

#define NEXTPIX(again) \
	ADD R5, R0; \
	ADD R6, R1; \
	SUBS $1, R4; \
	BNE again

#define STARTTAIL(ntail, next) \
	MOVD ntail, R8; \
	CBZ R8, next

#define SCLAMP(f) \
	FMAXS F30, f, f; \
	FMINS F31, f, f

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
	BOUNDS(lo+72(FP), hi+76(FP))
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
	NEXTVEC(avec)

atail:
	STARTTAIL(ntail+64(FP), anext)

ascalar:
	FMOVS.P 4(R9), F0
	FMOVS.P 4(R11), F1
	FMOVS.P 4(R12), F2
	FMADDS F1, F2, F0, F3
	SCLAMP(F3)
	FMOVS F3, (R10)
	NEXTSCALAR(ascalar)

anext:
	NEXTPIX(apix)
	RET

cpix:
	MOVD R0, R9
	MOVD R1, R10
	MOVD nvec+56(FP), R7
	CMP $4, R7
	BLT csingle

cgroup:
	VLD1.P 64(R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VCLAMP4(0, 30, 31)
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	NEXTGROUP(cgroup)

csingle:
	CBZ R7, ctail

cvec:
	VLD1.P 16(R9), [V0.S4]
	VCLAMP(0, 30, 31)
	VST1 [V0.S4], (R10)
	NEXTVEC(cvec)

ctail:
	STARTTAIL(ntail+64(FP), cnext)

cscalar:
	FMOVS.P 4(R9), F0
	SCLAMP(F0)
	FMOVS F0, (R10)
	NEXTSCALAR(cscalar)

cnext:
	NEXTPIX(cpix)
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
	BOUNDS(lo+56(FP), hi+60(FP))

dpix:
	MOVD R0, R9
	MOVD R1, R10
	MOVD nvec+40(FP), R7
	CMP $4, R7
	BLT dsingle

dgroup:
	VLD1.P 64(R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	VEACH4(VFADD4, 4, 4, 0)
	VCLAMP4(4, 30, 31)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	NEXTGROUP(dgroup)

dsingle:
	CBZ R7, dtail

dvec:
	VLD1.P 16(R9), [V0.S4]
	VLD1 (R10), [V4.S4]
	VFADD4(4, 4, 0)
	VCLAMP(4, 30, 31)
	VST1 [V4.S4], (R10)
	NEXTVEC(dvec)

dtail:
	STARTTAIL(ntail+48(FP), dnext)

dscalar:
	FMOVS.P 4(R9), F0
	FMOVS (R10), F4
	FADDS F0, F4, F4
	SCLAMP(F4)
	FMOVS F4, (R10)
	NEXTSCALAR(dscalar)

dnext:
	NEXTPIX(dpix)
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
	NEXTPIX(ppix)
	RET
