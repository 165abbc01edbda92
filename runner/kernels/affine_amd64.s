//go:build amd64 && !noasm

#include "textflag.h"

// Per-channel affine map plus clamp over pixels (ChannelAffine). Pixels outside, channel
// vectors inside; the last vector of a pixel uses a lane mask. With scale == nil (affine ==
// 0) only the clamp runs.
// Registers: AX = input pixel, CX = output pixel, BX = scale, DX = shift, SI = byte offset
// inside the pixel, DI = pixels left, R8 = bytes per pixel row of channels (rounded up to
// whole vectors), R9 = offset of the last vector.

// func affineAVX512(in, out, scale, shift *float32, pixels, inStride, outStride, vecBytes int, lo, hi float32, lastMask uint32, affine int)
TEXT ·affineAVX512(SB), NOSPLIT, $0-88
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ scale+16(FP), BX
	MOVQ shift+24(FP), DX
	MOVQ pixels+32(FP), DI
	MOVQ vecBytes+56(FP), R8
	LEAQ -64(R8), R9
	VBROADCASTSS lo+64(FP), Z30
	VBROADCASTSS hi+68(FP), Z31
	MOVL lastMask+72(FP), R10
	KMOVW R10, K2
	MOVL $0xFFFF, R10
	KMOVW R10, K3
	MOVQ inStride+40(FP), R10
	SHLQ $2, R10
	MOVQ outStride+48(FP), R11
	SHLQ $2, R11
	MOVQ affine+80(FP), R12

pixel:
	XORQ SI, SI

vec:
	KMOVW K3, K1
	CMPQ SI, R9
	JNE  2(PC)
	KMOVW K2, K1
	VMOVUPS.Z (AX)(SI*1), K1, Z0
	TESTQ R12, R12
	JZ   clamp
	VMOVUPS.Z (BX)(SI*1), K1, Z1
	VMOVUPS.Z (DX)(SI*1), K1, Z2
	VFMADD213PS Z2, Z1, Z0

clamp:
	VMAXPS Z30, Z0, Z0
	VMINPS Z31, Z0, Z0
	VMOVUPS Z0, K1, (CX)(SI*1)
	ADDQ $64, SI
	CMPQ SI, R8
	JLT  vec
	ADDQ R10, AX
	ADDQ R11, CX
	DECQ DI
	JNZ  pixel
	VZEROUPPER
	RET
