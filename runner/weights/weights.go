// Package weights holds network weights under PyTorch state_dict names and
// reads and writes them (seeded random initialisation, safetensors files).
package weights

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
)

// Tensor is a dense float32 tensor in row-major order (PyTorch layout).
type Tensor struct {
	Shape []int
	Data  []float32
}

// Elems is the product of the shape's dimensions.
func (t Tensor) Elems() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Set maps state_dict names ("stage2.0.branch2.0.weight",
// "conv1.1.running_var", "fc.bias", ...) to tensors.
type Set map[string]Tensor

// Spec names one tensor a graph needs and its shape.
type Spec struct {
	Name  string
	Shape []int
}

// Expected lists every tensor the graph needs, in op order, under PyTorch
// names: conv "<Param>.weight" [Cout, Cin/groups, KH, KW] (and ".bias"
// [Cout] when the conv has one); batch norm "<Param>.weight", ".bias",
// ".running_mean", ".running_var" [C]; FC "<Param>.weight" [out, in] (and
// ".bias" [out]).
func Expected(g *arch.Graph) []Spec {
	var out []Spec
	for i := range g.Ops {
		op := &g.Ops[i]
		switch op.Kind {
		case arch.OpConv:
			in, o := g.In(op, 0), g.Out(op, 0)
			out = append(out, Spec{op.Param + ".weight", []int{o.C, in.C / op.Conv.Groups, op.Conv.KH, op.Conv.KW}})
			if op.Conv.Bias {
				out = append(out, Spec{op.Param + ".bias", []int{o.C}})
			}
		case arch.OpBatchNorm:
			c := g.In(op, 0).C
			for _, s := range []string{".weight", ".bias", ".running_mean", ".running_var"} {
				out = append(out, Spec{op.Param + s, []int{c}})
			}
		case arch.OpFC:
			in, o := g.In(op, 0), g.Out(op, 0)
			out = append(out, Spec{op.Param + ".weight", []int{o.C, in.C}})
			if op.FCBias {
				out = append(out, Spec{op.Param + ".bias", []int{o.C}})
			}
		}
	}
	return out
}

// Random returns deterministic weights for g from seed: Kaiming-normal conv
// and FC weights (std sqrt(2/fan_in)), conv/FC biases uniform in
// +-1/sqrt(fan_in), and batch-norm statistics that look trained so that BN
// folding is exercised: gamma in [0.5, 1.5), beta ~ N(0, 0.1^2),
// running_mean ~ N(0, 0.1^2), running_var in [0.5, 2).
func Random(g *arch.Graph, seed int64) Set {
	s, _ := RandomContext(context.Background(), g, seed)
	return s
}

// RandomContext is [Random] that stops when ctx ends: it looks at ctx
// before each layer and returns ctx's error (a wide design's weights take
// seconds to draw). With a context that does not end it returns what
// Random does.
func RandomContext(ctx context.Context, g *arch.Graph, seed int64) (Set, error) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed5eed))
	s := Set{}
	vec := func(name string, n int, f func() float64) {
		t := Tensor{Shape: []int{n}, Data: make([]float32, n)}
		fill(t.Data, f)
		s[name] = t
	}
	kaiming := func(name string, shape []int) int {
		t := Tensor{Shape: shape}
		t.Data = make([]float32, t.Elems())
		fanIn := max(t.Elems()/shape[0], 1)
		std := math.Sqrt(2 / float64(fanIn))
		fill(t.Data, func() float64 { return std * r.NormFloat64() })
		s[name] = t
		return fanIn
	}
	for i := range g.Ops {
		op := &g.Ops[i]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch op.Kind {
		case arch.OpConv, arch.OpFC:
			in, o := g.In(op, 0), g.Out(op, 0)
			shape := []int{o.C, in.C}
			bias := op.FCBias
			if op.Kind == arch.OpConv {
				shape = []int{o.C, in.C / op.Conv.Groups, op.Conv.KH, op.Conv.KW}
				bias = op.Conv.Bias
			}
			fanIn := kaiming(op.Param+".weight", shape)
			if bias {
				b := 1 / math.Sqrt(float64(fanIn))
				vec(op.Param+".bias", o.C, func() float64 { return b * (2*r.Float64() - 1) })
			}
		case arch.OpBatchNorm:
			c := g.In(op, 0).C
			vec(op.Param+".weight", c, func() float64 { return 0.5 + r.Float64() })
			vec(op.Param+".bias", c, func() float64 { return 0.1 * r.NormFloat64() })
			vec(op.Param+".running_mean", c, func() float64 { return 0.1 * r.NormFloat64() })
			vec(op.Param+".running_var", c, func() float64 { return 0.5 + 1.5*r.Float64() })
		}
	}
	return s, nil
}

func fill(dst []float32, f func() float64) {
	for i := range dst {
		dst[i] = float32(f())
	}
}

// ignored reports names Check skips: PyTorch's BN batch counters.
func ignored(name string) bool { return strings.HasSuffix(name, ".num_batches_tracked") }

// Check verifies that s holds exactly the tensors g needs with the right
// shapes and data lengths. The error names the first offending tensor, its
// shape and the expected shape, or lists missing and extra tensors.
// num_batches_tracked entries are ignored.
func (s Set) Check(g *arch.Graph) error {
	want := Expected(g)
	names := map[string]bool{}
	var missing []string
	for _, sp := range want {
		names[sp.Name] = true
		t, ok := s[sp.Name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s %v", sp.Name, sp.Shape))
			continue
		}
		if !slices.Equal(t.Shape, sp.Shape) {
			return fmt.Errorf("weights: tensor %q has shape %v, expected %v", sp.Name, t.Shape, sp.Shape)
		}
		if len(t.Data) != t.Elems() {
			return fmt.Errorf("weights: tensor %q has %d values for shape %v (%d expected)", sp.Name, len(t.Data), t.Shape, t.Elems())
		}
	}
	var extra []string
	for name := range s {
		if !names[name] && !ignored(name) {
			extra = append(extra, printable(name))
		}
	}
	sort.Strings(extra)
	switch {
	case len(missing) > 0 && len(extra) > 0:
		return fmt.Errorf("weights: %d missing tensors (%s) and %d unexpected tensors (%s)", len(missing), list(missing), len(extra), list(extra))
	case len(missing) > 0:
		return fmt.Errorf("weights: %d missing tensors: %s", len(missing), list(missing))
	case len(extra) > 0:
		return fmt.Errorf("weights: %d unexpected tensors: %s", len(extra), list(extra))
	}
	return nil
}

// printable is a name read from a file as it can be printed: quoted, with
// escapes, when it holds a character a terminal would act on or not show.
func printable(name string) string {
	for _, r := range name {
		if !strconv.IsPrint(r) {
			return strconv.Quote(name)
		}
	}
	return name
}

// list joins up to 5 names and says how many more there are.
func list(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:5], ", ") + fmt.Sprintf(", ... (%d more)", len(names)-5)
}

// Without returns a copy of s without the named tensors (for example the
// "input" and "output" entries of a --save-io file).
func (s Set) Without(names ...string) Set {
	out := make(Set, len(s))
	for k, v := range s {
		if !slices.Contains(names, k) {
			out[k] = v
		}
	}
	return out
}

// Get returns the data of a tensor, or nil when it is absent.
func (s Set) Get(name string) []float32 { return s[name].Data }

// Anomalies lists the values of s that make a forward pass meaningless,
// one message per tensor in name order: NaN or infinite values in any
// tensor, and negative values in a batch norm's running_var (inference
// divides by sqrt(running_var + eps)). Each message names the tensor, the
// counts and the first offending index. Loading does not refuse such a
// set; callers warn.
func (s Set) Anomalies() []string {
	names := make([]string, 0, len(s))
	for k := range s {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		if msg := ValueAnomaly(k, s[k].Data, strings.HasSuffix(k, ".running_var")); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

// ValueAnomaly describes the NaN and infinite values of the tensor called
// name (and, with nonNegative, its negative values), or returns "" when it
// has none.
func ValueAnomaly(name string, data []float32, nonNegative bool) string {
	var nan, inf, neg int
	first := -1
	for i, v := range data {
		f := float64(v)
		bad := true
		switch {
		case math.IsNaN(f):
			nan++
		case math.IsInf(f, 0):
			inf++
		case nonNegative && f < 0:
			neg++
		default:
			bad = false
		}
		if bad && first < 0 {
			first = i
		}
	}
	if first < 0 {
		return ""
	}
	var parts []string
	if nan > 0 {
		parts = append(parts, fmt.Sprintf("%d NaN", nan))
	}
	if inf > 0 {
		parts = append(parts, fmt.Sprintf("%d infinite", inf))
	}
	if neg > 0 {
		parts = append(parts, fmt.Sprintf("%d negative (a variance must be >= 0)", neg))
	}
	return fmt.Sprintf("tensor %q has %s of %d values (first at index %d: %v)", name, strings.Join(parts, ", "), len(data), first, data[first])
}
