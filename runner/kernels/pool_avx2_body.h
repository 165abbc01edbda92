// The body of maxPoolAVX2 and avgPoolAVX2 (pool_avx2_amd64.s), included once per function
// with OP (VMAXPS or VADDPS) and FINISH(r) (nothing, or a scale by Y15) defined by the
// includer.
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+48(FP), R8
	LEAQ (R8)(R8*2), R9
	VBROADCASTSS init+80(FP), Y14
	VBROADCASTSS scale+84(FP), Y15

group4:
	CMPQ ncols+16(FP), $4
	JLT  group1
	XORQ SI, SI

block4:
	VMOVAPS Y14, Y1
	VMOVAPS Y14, Y2
	VMOVAPS Y14, Y3
	VMOVAPS Y14, Y4
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store4

row4:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap4:
	OP (R12), Y1, Y1
	OP (R12)(R8*1), Y2, Y2
	OP (R12)(R8*2), Y3, Y3
	OP (R12)(R9*1), Y4, Y4
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap4
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row4

store4:
	FINISH(Y1)
	FINISH(Y2)
	FINISH(Y3)
	FINISH(Y4)
	LEAQ (CX)(SI*1), R12
	MOVQ outColStep+72(FP), R13
	VMOVUPS Y1, (R12)
	VMOVUPS Y2, (R12)(R13*1)
	VMOVUPS Y3, (R12)(R13*2)
	ADDQ R13, R12
	VMOVUPS Y4, (R12)(R13*2)
	ADDQ $32, SI
	CMPQ SI, groupBytes+24(FP)
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
	VMOVAPS Y14, Y1
	LEAQ (AX)(SI*1), DI
	MOVQ nky+32(FP), R11
	TESTQ R11, R11
	JZ   store1

row1:
	MOVQ DI, R12
	MOVQ nkx+40(FP), R14

tap1:
	OP (R12), Y1, Y1
	ADDQ tapStep+56(FP), R12
	DECQ R14
	JNZ  tap1
	ADDQ rowStep+64(FP), DI
	DECQ R11
	JNZ  row1

store1:
	FINISH(Y1)
	VMOVUPS Y1, (CX)(SI*1)
	ADDQ $32, SI
	CMPQ SI, groupBytes+24(FP)
	JLT  block1

	ADDQ R8, AX
	ADDQ outColStep+72(FP), CX
	DECQ ncols+16(FP)
	JMP  group1

done:
	VZEROUPPER
	RET
