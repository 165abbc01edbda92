//go:build (amd64 || arm64) && !noasm

package kernels

import "math"

// poolRows is an assembly set's pooling wrapper: MaxPool when isMax, else AvgPool (with
// PyTorch's count_include_pad when includePad). Its max and avg methods are the set's
// maxpool and avgpool entries.
type poolRows func(in, out []float32, g Geom, k, c, oy0, oy1 int, isMax, includePad bool)

func (p poolRows) max(in, out []float32, g Geom, k, c, oy0, oy1 int) {
	p(in, out, g, k, c, oy0, oy1, true, false)
}

func (p poolRows) avg(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool) {
	p(in, out, g, k, c, oy0, oy1, false, countIncludePad)
}

// poolInit is the value the pooling kernels start their accumulators at: -Inf for the max
// pool, 0 for the average.
func poolInit(isMax bool) float32 {
	if isMax {
		return float32(math.Inf(-1))
	}
	return 0
}

// poolScale is the factor the pooling kernels multiply the results of the run of row oy
// starting at column ox by: 1 for the max pool, 1/divisor (avgDivisor) for the average.
func poolScale(g Geom, k, oy, ox int, isMax, includePad bool) float32 {
	if isMax {
		return 1
	}
	iy0, ix0 := oy*g.Stride-g.Pad, ox*g.Stride-g.Pad
	ky0, ky1 := tapRange(iy0, k, g.InH)
	kx0, kx1 := tapRange(ix0, k, g.InW)
	return 1 / float32(avgDivisor(iy0, ix0, ky0, ky1, kx0, kx1, k, g, includePad))
}
