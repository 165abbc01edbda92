// The body of maxPoolAVX512 and avgPoolAVX512 (pool_avx512_amd64.s), included once
// per function with OP (VMAXPS or VADDPS) and FINISH(r) (nothing, or a scale by Z31)
// defined by the includer.
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+48(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS init+80(FP), Z30
	VBROADCASTSS scale+84(FP), Z31
	MOVL mask+88(FP), DX
	KMOVW DX, K2
	MOVL lastMask+92(FP), DX
	KMOVW DX, K3

group4:
	CMPQ ncols+16(FP), $4
	JLT  group1
	XORQ SI, SI

block4:
	SELMASK(blockBytes+24(FP))
	VMOVAPS Z30, Z1
	VMOVAPS Z30, Z2
	VMOVAPS Z30, Z3
	VMOVAPS Z30, Z4
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store4

row4:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap4:
	OP (R12), Z1, K1, Z1
	OP (R12)(R8*1), Z2, K1, Z2
	OP (R12)(R8*2), Z3, K1, Z3
	OP (R12)(R9*1), Z4, K1, Z4
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap4
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row4

store4:
	FINISH(Z1)
	FINISH(Z2)
	FINISH(Z3)
	FINISH(Z4)
	LEAQ (CX)(SI*1), R12
	MOVQ outColStep+72(FP), R13
	VMOVUPS Z1, K1, (R12)
	VMOVUPS Z2, K1, (R12)(R13*1)
	VMOVUPS Z3, K1, (R12)(R13*2)
	ADDQ R13, R12
	VMOVUPS Z4, K1, (R12)(R13*2)
	ADDQ $64, SI
	CMPQ SI, blockBytes+24(FP)
	JLT  block4

	LEAQ (AX)(R8*4), AX
	MOVQ outColStep+72(FP), R13
	LEAQ (CX)(R13*4), CX
	SUBQ $4, ncols+16(FP)
	JMP  group4

group1:
	CMPQ ncols+16(FP), $0
	JEQ  done
	XORQ SI, SI

block1:
	SELMASK(blockBytes+24(FP))
	VMOVAPS Z30, Z1
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store1

row1:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap1:
	OP (R12), Z1, K1, Z1
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap1
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row1

store1:
	FINISH(Z1)
	VMOVUPS Z1, K1, (CX)(SI*1)
	ADDQ $64, SI
	CMPQ SI, blockBytes+24(FP)
	JLT  block1

	ADDQ R8, AX
	ADDQ outColStep+72(FP), CX
	DECQ ncols+16(FP)
	JMP  group1

done:
	VZEROUPPER
	RET
