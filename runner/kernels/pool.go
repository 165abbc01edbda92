package kernels

import (
	"fmt"
	"math"
)

// MaxPool computes output rows [oy0,oy1) of a k x k max pool over c channels of one image;
// padding counts as -Inf.
func (ks *Set) MaxPool(in, out []float32, g Geom, k, c, oy0, oy1 int) {
	if oy0 >= oy1 || c <= 0 {
		return
	}
	checkPool("MaxPool", g, k, oy0, oy1)
	checkGeom("MaxPool", in, out, g, c, c)
	ks.maxpool(in, out, g, k, c, oy0, oy1)
}

// AvgPool computes output rows [oy0,oy1) of a k x k average pool over c channels of one
// image. With countIncludePad the divisor counts padded positions (PyTorch's
// count_include_pad=True: the window clipped to the padded input), otherwise only the
// positions inside the image.
func (ks *Set) AvgPool(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool) {
	if oy0 >= oy1 || c <= 0 {
		return
	}
	checkPool("AvgPool", g, k, oy0, oy1)
	checkGeom("AvgPool", in, out, g, c, c)
	ks.avgpool(in, out, g, k, c, oy0, oy1, countIncludePad)
}

// GlobalAvgPool sets out[j] = mean over p in [0,pixels) of in[p*stride+j] for j in [0,c).
func (ks *Set) GlobalAvgPool(in []float32, pixels, stride, c int, out []float32) {
	if c <= 0 {
		return
	}
	if pixels <= 0 || stride < c {
		panic(fmt.Sprintf("kernels: GlobalAvgPool pixels=%d stride=%d c=%d", pixels, stride, c))
	}
	checkLen("GlobalAvgPool in", len(in), viewLen(pixels, stride, c))
	checkLen("GlobalAvgPool out", len(out), c)
	ks.globalAvg(in, pixels, stride, c, out)
}

func checkPool(op string, g Geom, k, oy0, oy1 int) {
	if k < 1 || oy0 < 0 || oy1 > g.OutH || g.Stride < 1 || g.Pad < 0 {
		panic(fmt.Sprintf("kernels: %s bad args k=%d oy=[%d,%d) %+v", op, k, oy0, oy1, g))
	}
}

// maxPoolGeneric is the pure-Go MaxPool: per output pixel, each group of 8 channels keeps
// its maxima in registers over the window (Go's max has PyTorch's NaN rule: a NaN in the
// window gives NaN), the last c%8 channels take a loop over the output.
func maxPoolGeneric(in, out []float32, g Geom, k, c, oy0, oy1 int) {
	negInf := float32(math.Inf(-1))
	rowStep := g.InW * g.InStride
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, k, g.InH)
		for ox := 0; ox < g.OutW; ox++ {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, k, g.InW)
			o := out[(oy*g.OutW+ox)*g.OutStride:]
			o = o[:c]
			j := 0
			for ; j+8 <= c; j += 8 {
				m0, m1, m2, m3, m4, m5, m6, m7 := negInf, negInf, negInf, negInf, negInf, negInf, negInf, negInf
				for ky := ky0; ky < ky1; ky++ {
					row := in[(iy0+ky)*rowStep+j:]
					for kx := kx0; kx < kx1; kx++ {
						x := (*[8]float32)(row[(ix0+kx)*g.InStride:])
						m0, m1, m2, m3 = max(m0, x[0]), max(m1, x[1]), max(m2, x[2]), max(m3, x[3])
						m4, m5, m6, m7 = max(m4, x[4]), max(m5, x[5]), max(m6, x[6]), max(m7, x[7])
					}
				}
				d := (*[8]float32)(o[j:])
				d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = m0, m1, m2, m3, m4, m5, m6, m7
			}
			if j == c {
				continue
			}
			tail := o[j:]
			for i := range tail {
				tail[i] = negInf
			}
			for ky := ky0; ky < ky1; ky++ {
				for kx := kx0; kx < kx1; kx++ {
					src := in[(iy0+ky)*rowStep+(ix0+kx)*g.InStride+j:]
					src = src[:len(tail)]
					for i, v := range src {
						tail[i] = max(tail[i], v)
					}
				}
			}
		}
	}
}

func avgPoolGeneric(in, out []float32, g Geom, k, c, oy0, oy1 int, countIncludePad bool) {
	rowStep := g.InW * g.InStride
	for oy := oy0; oy < oy1; oy++ {
		iy0 := oy*g.Stride - g.Pad
		ky0, ky1 := tapRange(iy0, k, g.InH)
		for ox := 0; ox < g.OutW; ox++ {
			ix0 := ox*g.Stride - g.Pad
			kx0, kx1 := tapRange(ix0, k, g.InW)
			o := out[(oy*g.OutW+ox)*g.OutStride:]
			o = o[:c]
			clear(o)
			for ky := ky0; ky < ky1; ky++ {
				for kx := kx0; kx < kx1; kx++ {
					src := in[(iy0+ky)*rowStep+(ix0+kx)*g.InStride:]
					src = src[:c]
					for j, v := range src {
						o[j] += v
					}
				}
			}
			scale := 1 / float32(avgDivisor(iy0, ix0, ky0, ky1, kx0, kx1, k, g, countIncludePad))
			for j := range o {
				o[j] *= scale
			}
		}
	}
}

// avgDivisor is PyTorch's avg_pool2d divisor: with countIncludePad the window clipped to the
// padded input [-Pad, In+Pad), otherwise the number of taps inside the image.
func avgDivisor(iy0, ix0, ky0, ky1, kx0, kx1, k int, g Geom, countIncludePad bool) int {
	if !countIncludePad {
		return max(1, (ky1-ky0)*(kx1-kx0))
	}
	h := min(iy0+k, g.InH+g.Pad) - iy0
	w := min(ix0+k, g.InW+g.Pad) - ix0
	return max(1, h*w)
}

func globalAvgGeneric(in []float32, pixels, stride, c int, out []float32) {
	o := out[:c]
	clear(o)
	for p := 0; p < pixels; p++ {
		src := in[p*stride:]
		src = src[:c]
		for j, v := range src {
			o[j] += v
		}
	}
	scale := 1 / float32(pixels)
	for j := range o {
		o[j] *= scale
	}
}
