package cudnn

import (
	"slices"
	"testing"
	"unsafe"
)

func TestAlgoPerfLayout(t *testing.T) {
	// cudnnConvolutionFwdAlgoPerf_t on LP64: 4+4+4(+4 pad)+8+4+4+12(+4 pad) = 48 bytes,
	// memory at offset 16, determinism at 24, mathType at 28.
	var p convFwdAlgoPerf
	if s := unsafe.Sizeof(p); s != 48 {
		t.Errorf("size %d, want 48", s)
	}
	if o := unsafe.Offsetof(p.Memory); o != 16 {
		t.Errorf("memory at %d, want 16", o)
	}
	if o := unsafe.Offsetof(p.MathType); o != 28 {
		t.Errorf("mathType at %d, want 28", o)
	}
}

func TestPickAlgo(t *testing.T) {
	// status 0 = CUDNN_STATUS_SUCCESS; math types 1 = TENSOR_OP, 2 = TENSOR_OP_ALLOW_CONVERSION, 3 = FMA.
	perfs := []convFwdAlgoPerf{
		{Algo: 7, Status: 9},              // failed
		{Algo: 6, Status: 0, MathType: 1}, // tensor cores (TF32)
		{Algo: 1, Status: 0, MathType: 3}, // FMA
	}
	if i, err := pickAlgo(perfs, false); err != nil || i != 2 {
		t.Errorf("no TF32: got %d, %v; want 2", i, err)
	}
	if i, err := pickAlgo(perfs, true); err != nil || i != 1 {
		t.Errorf("TF32: got %d, %v; want 1", i, err)
	}
	if _, err := pickAlgo(perfs[:2], false); err == nil {
		t.Error("want an error when only tensor-core results exist and TF32 is off")
	}
}

func TestVersionStrings(t *testing.T) {
	// cudnnGetVersion of 9.19.0 is 91900 (CUDNN_VERSION = MAJOR*10000 + MINOR*100 + PATCH in cuDNN 9);
	// CUDA 13.0 is reported as 13000, 12.8 as 12080 (cudaRuntimeGetVersion docs).
	for _, tc := range []struct {
		got, want string
	}{
		{cudnnVersionString(91900), "9.19.0"},
		{cudnnVersionString(90101), "9.1.1"},
		{cudnnVersionString(8902), "8.9.2"},
		{cudaVersionString(13000), "13.0"},
		{cudaVersionString(12080), "12.8"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

func TestUsableAlgos(t *testing.T) {
	// status 0 = CUDNN_STATUS_SUCCESS; math types 1 = TENSOR_OP, 3 = FMA, 0 = DEFAULT.
	perfs := []convFwdAlgoPerf{
		{Algo: 6, Status: 0, MathType: 1},                  // tensor cores (TF32)
		{Algo: 1, Status: 0, MathType: 3, Memory: 4096},    // FMA, small workspace
		{Algo: 7, Status: 9},                               // failed
		{Algo: 4, Status: 0, MathType: 0, Memory: 1 << 30}, // too much workspace
		{Algo: 0, Status: 0, MathType: 3},                  // FMA, no workspace
	}
	algos := func(ps []convFwdAlgoPerf) []int32 {
		var out []int32
		for _, p := range ps {
			out = append(out, p.Algo)
		}
		return out
	}
	for _, tc := range []struct {
		tf32 bool
		want []int32
	}{
		{false, []int32{1, 0}},
		{true, []int32{6, 1, 0}},
	} {
		got, err := usableAlgos(perfs, tc.tf32, 256<<20)
		if err != nil || !slices.Equal(algos(got), tc.want) {
			t.Errorf("tf32=%v: got %v, %v; want %v", tc.tf32, algos(got), err, tc.want)
		}
	}
	// cudnnFind's fastest usable algorithm stays even above the cap.
	if got, err := usableAlgos(perfs[3:4], false, 256<<20); err != nil || len(got) != 1 || got[0].Algo != 4 {
		t.Errorf("one big algorithm: got %v, %v", algos(got), err)
	}
	if _, err := usableAlgos(perfs[:1], false, 256<<20); err == nil {
		t.Error("want an error when only tensor-core results exist and TF32 is off")
	}
}
