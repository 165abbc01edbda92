//go:build amd64 && !noasm

#include "textflag.h"

// Residual add plus clamp in place over pixels (AddClamp). Pixels outside, channel vectors
// inside; the last vector of a pixel uses a lane mask.
// Registers: AX = output pixel, BX = addend pixel, SI = byte offset inside the pixel,
// DI = pixels left, R8 = bytes per pixel row of channels (rounded up to whole vectors),
// R9 = offset of the last vector, R10/R11 = output/addend pixel strides in bytes.

// func addClampAVX512(out, add *float32, pixels, outStride, addStride, vecBytes int, lo, hi float32, lastMask uint32)
TEXT ·addClampAVX512(SB), NOSPLIT, $0-60
	MOVQ out+0(FP), AX
	MOVQ add+8(FP), BX
	MOVQ pixels+16(FP), DI
	MOVQ outStride+24(FP), R10
	SHLQ $2, R10
	MOVQ addStride+32(FP), R11
	SHLQ $2, R11
	MOVQ vecBytes+40(FP), R8
	LEAQ -64(R8), R9
	VBROADCASTSS lo+48(FP), Z30
	VBROADCASTSS hi+52(FP), Z31
	MOVL lastMask+56(FP), R12
	KMOVW R12, K2
	MOVL $0xFFFF, R12
	KMOVW R12, K3

pixel:
	XORQ SI, SI
	CMPQ R9, $0
	JEQ  last

full:
	VMOVUPS (AX)(SI*1), Z0
	VADDPS  (BX)(SI*1), Z0, Z0
	VMAXPS  Z30, Z0, Z0
	VMINPS  Z31, Z0, Z0
	VMOVUPS Z0, (AX)(SI*1)
	ADDQ    $64, SI
	CMPQ    SI, R9
	JLT     full

last:
	VMOVUPS.Z (AX)(SI*1), K2, Z0
	VMOVUPS.Z (BX)(SI*1), K2, Z1
	VADDPS    Z1, Z0, Z0
	VMAXPS    Z30, Z0, Z0
	VMINPS    Z31, Z0, Z0
	VMOVUPS   Z0, K2, (AX)(SI*1)
	ADDQ      R10, AX
	ADDQ      R11, BX
	DECQ      DI
	JNZ       pixel
	VZEROUPPER
	RET
