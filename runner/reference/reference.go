// Package reference is the numerical oracle of the runner: an obviously
// correct, unoptimised NCHW implementation of every op kind, run op by op
// over a graph. Data are float32; sums are accumulated in float64.
package reference

import (
	"fmt"
	"math"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner/weights"
)

// Run computes the graph output (NCHW) for input (NCHW, the graph's input shape).
func Run(g *arch.Graph, w weights.Set, input []float32) ([]float32, error) {
	all, err := RunAll(g, w, input)
	if err != nil {
		return nil, err
	}
	return all[g.Output], nil
}

// RunAll computes every tensor of the graph, indexed by TensorID.
func RunAll(g *arch.Graph, w weights.Set, input []float32) ([][]float32, error) {
	if err := w.Check(g); err != nil {
		return nil, err
	}
	in := g.Tensors[g.Input].Shape
	if int64(len(input)) != in.Elems() {
		return nil, fmt.Errorf("reference: input has %d values, shape %s needs %d", len(input), in, in.Elems())
	}
	vals := make([][]float32, len(g.Tensors))
	vals[g.Input] = input
	for i := range g.Ops {
		op := &g.Ops[i]
		ins := make([][]float32, len(op.Inputs))
		for j, t := range op.Inputs {
			ins[j] = vals[t]
		}
		outs := make([][]float32, len(op.Outputs))
		for j, t := range op.Outputs {
			outs[j] = make([]float32, g.Tensors[t].Shape.Elems())
		}
		if err := Op(g, op, w, ins, outs); err != nil {
			return nil, fmt.Errorf("reference: op %s: %w", op.ID, err)
		}
		for j, t := range op.Outputs {
			vals[t] = outs[j]
		}
	}
	return vals, nil
}

// Op computes one op from its NCHW inputs into its NCHW outputs.
func Op(g *arch.Graph, op *arch.Op, w weights.Set, ins, outs [][]float32) error {
	in := g.In(op, 0)
	out := g.Out(op, 0)
	switch op.Kind {
	case arch.OpConv:
		conv(ins[0], outs[0], in, out, op.Conv, w.Get(op.Param+".weight"), w.Get(op.Param+".bias"))
	case arch.OpBatchNorm:
		gamma, beta := w.Get(op.Param+".weight"), w.Get(op.Param+".bias")
		mean, variance := w.Get(op.Param+".running_mean"), w.Get(op.Param+".running_var")
		perChannel(ins[0], outs[0], in, func(c int, x float64) float64 {
			return (x-float64(mean[c]))/math.Sqrt(float64(variance[c])+op.Eps)*float64(gamma[c]) + float64(beta[c])
		})
	case arch.OpReLU:
		perChannel(ins[0], outs[0], in, func(_ int, x float64) float64 { return math.Max(x, 0) })
	case arch.OpReLU6:
		perChannel(ins[0], outs[0], in, func(_ int, x float64) float64 { return math.Min(math.Max(x, 0), 6) })
	case arch.OpAdd:
		for i := range outs[0] {
			s := 0.0
			for _, x := range ins {
				s += float64(x[i])
			}
			outs[0][i] = float32(s)
		}
	case arch.OpSplit:
		c0 := 0
		for j := range outs {
			oc := g.Out(op, j).C
			copyChannels(ins[0], in.C, c0, outs[j], oc, 0, oc, in)
			c0 += oc
		}
	case arch.OpConcat:
		c0 := 0
		for j := range ins {
			ic := g.In(op, j).C
			copyChannels(ins[j], ic, 0, outs[0], out.C, c0, ic, in)
			c0 += ic
		}
	case arch.OpShuffle:
		if len(op.Perm) != in.C {
			return fmt.Errorf("permutation of %d channels for %d", len(op.Perm), in.C)
		}
		for c, src := range op.Perm {
			copyChannels(ins[0], in.C, src, outs[0], in.C, c, 1, in)
		}
	case arch.OpMaxPool, arch.OpAvgPool:
		pool(ins[0], outs[0], in, out, op.Kind == arch.OpMaxPool, op.Pool)
	case arch.OpGlobalAvgPool:
		hw := in.H * in.W
		for n := 0; n < in.N; n++ {
			for c := 0; c < in.C; c++ {
				s := 0.0
				for _, x := range ins[0][(n*in.C+c)*hw : (n*in.C+c+1)*hw] {
					s += float64(x)
				}
				outs[0][n*in.C+c] = float32(s / float64(hw))
			}
		}
	case arch.OpFC:
		wt, b := w.Get(op.Param+".weight"), w.Get(op.Param+".bias")
		k := in.C * in.H * in.W
		for n := 0; n < in.N; n++ {
			for j := 0; j < out.C; j++ {
				s := 0.0
				if b != nil {
					s = float64(b[j])
				}
				for p := 0; p < k; p++ {
					s += float64(ins[0][n*k+p]) * float64(wt[j*k+p])
				}
				outs[0][n*out.C+j] = float32(s)
			}
		}
	default:
		return fmt.Errorf("unknown op kind %q", op.Kind)
	}
	return nil
}

// conv is a grouped 2-D convolution with zero padding (PyTorch Conv2d).
func conv(x, y []float32, in, out arch.Shape, a arch.ConvAttr, wt, bias []float32) {
	icg, ocg := in.C/a.Groups, out.C/a.Groups
	for n := 0; n < out.N; n++ {
		for co := 0; co < out.C; co++ {
			grp := co / ocg
			for oy := 0; oy < out.H; oy++ {
				for ox := 0; ox < out.W; ox++ {
					s := 0.0
					if bias != nil {
						s = float64(bias[co])
					}
					for ci := 0; ci < icg; ci++ {
						cin := grp*icg + ci
						for ky := 0; ky < a.KH; ky++ {
							iy := oy*a.Stride - a.Pad + ky
							if iy < 0 || iy >= in.H {
								continue
							}
							for kx := 0; kx < a.KW; kx++ {
								ix := ox*a.Stride - a.Pad + kx
								if ix < 0 || ix >= in.W {
									continue
								}
								s += float64(x[((n*in.C+cin)*in.H+iy)*in.W+ix]) * float64(wt[((co*icg+ci)*a.KH+ky)*a.KW+kx])
							}
						}
					}
					y[((n*out.C+co)*out.H+oy)*out.W+ox] = float32(s)
				}
			}
		}
	}
}

// pool is max or average pooling with zero padding; average pooling divides
// by K*K when CountIncludePad, else by the number of in-bounds taps.
func pool(x, y []float32, in, out arch.Shape, isMax bool, p arch.PoolAttr) {
	for n := 0; n < out.N; n++ {
		for c := 0; c < out.C; c++ {
			for oy := 0; oy < out.H; oy++ {
				for ox := 0; ox < out.W; ox++ {
					m, s, cnt := math.Inf(-1), 0.0, 0
					for ky := 0; ky < p.K; ky++ {
						for kx := 0; kx < p.K; kx++ {
							iy, ix := oy*p.Stride-p.Pad+ky, ox*p.Stride-p.Pad+kx
							if iy < 0 || iy >= in.H || ix < 0 || ix >= in.W {
								continue
							}
							v := float64(x[((n*in.C+c)*in.H+iy)*in.W+ix])
							m = math.Max(m, v)
							s += v
							cnt++
						}
					}
					r := m
					if !isMax {
						div := cnt
						if p.CountIncludePad {
							div = p.K * p.K
						}
						r = s / float64(div)
					}
					y[((n*out.C+c)*out.H+oy)*out.W+ox] = float32(r)
				}
			}
		}
	}
}

// perChannel applies f(channel, value) to every element.
func perChannel(x, y []float32, s arch.Shape, f func(c int, v float64) float64) {
	hw := s.H * s.W
	for i := range x {
		y[i] = float32(f((i/hw)%s.C, float64(x[i])))
	}
}

// copyChannels copies k channels starting at channel s0 of src (sc
// channels) to channels starting at d0 of dst (dc channels), for every image.
func copyChannels(src []float32, sc, s0 int, dst []float32, dc, d0, k int, shape arch.Shape) {
	hw := shape.H * shape.W
	for n := 0; n < shape.N; n++ {
		copy(dst[(n*dc+d0)*hw:(n*dc+d0+k)*hw], src[(n*sc+s0)*hw:(n*sc+s0+k)*hw])
	}
}
