//go:build amd64 && !noasm

#include "textflag.h"

// Channel gather over pixels (PermuteChannels): per pixel and 16 output channels, one
// VGATHERDPS with the channel indices as dword offsets from the input pixel. The last vector
// of a pixel loads its indices and stores its outputs under a lane mask (so no index past
// len(idx) is read or used). Gathers clear their mask, so it is copied from K2/K3 each time.
// Registers: AX = input pixel, CX = output pixel, DX = idx, SI = byte offset inside the
// output pixel and idx, DI = pixels left, R8 = bytes per pixel row of outputs (whole
// vectors), R9 = offset of the last vector, R10/R11 = input/output pixel strides in bytes.

// func permuteAVX512(in, out *float32, idx *int32, pixels, inStride, outStride, vecBytes int, lastMask uint32)
TEXT ·permuteAVX512(SB), NOSPLIT, $0-60
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ idx+16(FP), DX
	MOVQ pixels+24(FP), DI
	MOVQ inStride+32(FP), R10
	SHLQ $2, R10
	MOVQ outStride+40(FP), R11
	SHLQ $2, R11
	MOVQ vecBytes+48(FP), R8
	LEAQ -64(R8), R9
	MOVL lastMask+56(FP), R12
	KMOVW R12, K2
	MOVL $0xFFFF, R12
	KMOVW R12, K3

pixel:
	XORQ SI, SI
	CMPQ R9, $0
	JEQ  last

full:
	VMOVDQU32  (DX)(SI*1), Z1
	KMOVW      K3, K1
	VGATHERDPS (AX)(Z1*4), K1, Z0
	VMOVUPS    Z0, (CX)(SI*1)
	ADDQ       $64, SI
	CMPQ       SI, R9
	JLT        full

last:
	VMOVDQU32.Z (DX)(SI*1), K2, Z1
	KMOVW       K2, K1
	VGATHERDPS  (AX)(Z1*4), K1, Z0
	VMOVUPS     Z0, K2, (CX)(SI*1)
	ADDQ        R10, AX
	ADDQ        R11, CX
	DECQ        DI
	JNZ         pixel
	VZEROUPPER
	RET
