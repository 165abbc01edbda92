// The body of maxPoolAVX2Tail and avgPoolAVX2Tail (pool_avx2_amd64.s), included once per
// function with OP (VMAXPS or VADDPS) and FINISH(r) (nothing, or a scale by Y15) defined
// by the includer.
	MOVQ in+0(FP), AX
	MOVQ out+8(FP), CX
	MOVQ colStep+40(FP), R8
	VBROADCASTSS init+72(FP), Y14
	VBROADCASTSS scale+76(FP), Y15
	MOVQ mask+80(FP), DX
	VMOVUPS (DX), Y13

tcol:
	CMPQ ncols+16(FP), $0
	JEQ  tdone
	VMOVAPS Y14, Y1
	MOVQ AX, DI
	MOVQ nky+24(FP), R11
	TESTQ R11, R11
	JZ   tstore

trow:
	MOVQ DI, R12
	MOVQ nkx+32(FP), R14

ttap:
	VMASKMOVPS (R12), Y13, Y5
	OP Y5, Y1, Y1
	ADDQ tapStep+48(FP), R12
	DECQ R14
	JNZ  ttap
	ADDQ rowStep+56(FP), DI
	DECQ R11
	JNZ  trow

tstore:
	FINISH(Y1)
	VMASKMOVPS Y1, Y13, (CX)
	ADDQ R8, AX
	ADDQ outColStep+64(FP), CX
	DECQ ncols+16(FP)
	JMP  tcol

tdone:
	VZEROUPPER
	RET
