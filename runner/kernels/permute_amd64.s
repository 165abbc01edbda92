//go:build amd64 && !noasm

#include "textflag.h"

// Channel gather over pixels (PermuteChannels) with a prepared plan (Permutation.ops): per
// pixel and op, two 16-channel input vectors are loaded under their masks (no lane past the
// index span), one two-table permute (VPERMI2PS) picks lanes, a masked register move merges
// the lanes this op fills into the output vector Z3, and the vector's last op stores it
// (masked past the channel count). Op layout (128 bytes): lane indices at 0, then int32 at
// 64 (first input byte offset), 68 (second), 72/76 (their load masks), 80 (output byte
// offset), 84 (fill mask), 88 (store flag), 92 (store mask).
// Registers: AX = input pixel, CX = output pixel, DX = plan, R13 = current op, R14 = plan
// end, DI = pixels left, R10/R11 = input/output pixel strides in bytes.

// func permuteAVX512(in, out *float32, ops *int32, nops, pixels, inStride, outStride int)
TEXT ·permuteAVX512(SB), NOSPLIT, $0-56
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ ops+16(FP), DX
	MOVQ nops+24(FP), R14
	SHLQ $7, R14
	ADDQ DX, R14
	MOVQ pixels+32(FP), DI
	MOVQ inStride+40(FP), R10
	SHLQ $2, R10
	MOVQ outStride+48(FP), R11
	SHLQ $2, R11

pixel:
	MOVQ DX, R13

op:
	KMOVW     72(R13), K1
	MOVL      64(R13), R12
	VMOVUPS.Z (AX)(R12*1), K1, Z1
	KMOVW     76(R13), K2
	MOVL      68(R13), BX
	VMOVUPS.Z (AX)(BX*1), K2, Z2
	VMOVUPS   (R13), Z0
	VPERMI2PS Z2, Z1, Z0
	KMOVW     84(R13), K3
	VMOVAPS   Z0, K3, Z3
	CMPL      88(R13), $0
	JEQ       next
	KMOVW     92(R13), K4
	MOVL      80(R13), R12
	VMOVUPS   Z3, K4, (CX)(R12*1)

next:
	ADDQ $128, R13
	CMPQ R13, R14
	JLT  op
	ADDQ R10, AX
	ADDQ R11, CX
	DECQ DI
	JNZ  pixel
	VZEROUPPER
	RET
