//go:build (amd64 || arm64) && !noasm

package kernels

import (
	"iter"
	"math"
)

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

// poolRuns is colRuns for a k x k pool, each run with the factor the pooling kernels
// multiply its results by: 1 for the max pool, 1/divisor (avgDivisor) for the average.
func poolRuns(g Geom, k, oy0, oy1 int, isMax, includePad bool) iter.Seq2[colRun, float32] {
	return func(yield func(colRun, float32) bool) {
		for r := range colRuns(g, k, k, oy0, oy1) {
			scale := float32(1)
			if !isMax {
				scale = 1 / float32(avgDivisor(r.iy0, r.ix0, r.ky0, r.ky1, r.kx0, r.kx1, k, g, includePad))
			}
			if !yield(r, scale) {
				return
			}
		}
	}
}
