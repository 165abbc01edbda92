package cudnn

import "fmt"

// convFwdAlgoPerf mirrors cudnnConvolutionFwdAlgoPerf_t (cuDNN 9
// cudnn_cnn.h): algo, status (enums, 4 bytes), time (float), 4 bytes of
// padding, memory (size_t), determinism, mathType, reserved[3] (int), and
// tail padding to the 8-byte alignment: 48 bytes.
type convFwdAlgoPerf struct {
	Algo        int32
	Status      int32
	Time        float32
	_           int32
	Memory      uint64
	Determinism int32
	MathType    int32
	Reserved    [3]int32
	_           int32
}

// pickAlgo chooses from cudnnFind's results (sorted fastest first) the
// first that succeeded and, when TF32 is not allowed, runs with FMA math
// (cudnnMathType_t CUDNN_FMA_MATH = 3) or default math reported on a
// descriptor that forbids tensor cores. It returns the index.
func pickAlgo(perfs []convFwdAlgoPerf, tf32 bool) (int, error) {
	for i, p := range perfs {
		if p.Status != 0 {
			continue
		}
		if !tf32 && p.MathType != cudnnFMAMathType && p.MathType != cudnnDefaultMathType {
			continue
		}
		return i, nil
	}
	return -1, fmt.Errorf("cudnnFind returned no usable algorithm among %d results", len(perfs))
}

// usableAlgos keeps cudnnFind's results (fastest first) that succeeded,
// run with FMA math unless TF32 is allowed (as pickAlgo) and need at most
// wsCap bytes of workspace; cudnnFind's fastest usable one stays first
// even above wsCap. It fails when none is left.
func usableAlgos(perfs []convFwdAlgoPerf, tf32 bool, wsCap uint64) ([]convFwdAlgoPerf, error) {
	first, err := pickAlgo(perfs, tf32)
	if err != nil {
		return nil, err
	}
	out := []convFwdAlgoPerf{perfs[first]}
	for _, p := range perfs[first+1:] {
		if p.Status != 0 || p.Memory > wsCap {
			continue
		}
		if !tf32 && p.MathType != cudnnFMAMathType && p.MathType != cudnnDefaultMathType {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// cudnnMathType_t values (cudnn_ops.h / cudnn_graph.h).
const (
	cudnnDefaultMathType = 0
	cudnnFMAMathType     = 3
)

// versionString formats cudnnGetVersion's number: major*10000 +
// minor*100 + patch from cuDNN 9 on (9.19.0 = 91900).
func cudnnVersionString(v int) string {
	if v >= 90000 {
		return fmt.Sprintf("%d.%d.%d", v/10000, v%10000/100, v%100)
	}
	return fmt.Sprintf("%d.%d.%d", v/1000, v%1000/100, v%100) // cuDNN 8: major*1000 + minor*100 + patch
}

// cudaVersionString formats a CUDA version number (1000*major + 10*minor).
func cudaVersionString(v int) string { return fmt.Sprintf("%d.%d", v/1000, v%1000/10) }
