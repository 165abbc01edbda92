// Package sweep measures many designs in one go and records them: it
// expands a grid over knobs (or takes a list of presets), splits the list
// into shards, measures each design through a [Measurer], and appends one
// [Row] per design to a JSONL file, fsync'd, so a killed sweep resumes where
// it stopped without duplicating or losing a row. It also computes what the
// rows show: how well each indirect metric (MAdds, MAC, params, roofline
// estimate) ranks the measured latencies, and the designs of about equal
// MAdds whose latencies differ most.
package sweep

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
)

// Design is one design of a sweep.
type Design struct {
	// Name labels the design in tables and charts (a preset name or a
	// knob summary).
	Name string
	// Preset is the preset the design came from, if any.
	Preset string
	// Spec is the normalised design.
	Spec arch.Spec
}

// Key is the design's canonical key: the JSON of its normalised spec. Two
// designs with equal keys build the same graph.
func (d Design) Key() string { return d.Spec.Key() }

// Grid is the cartesian product of knob values over a base design. An
// empty list keeps the base design's value of that knob.
type Grid struct {
	Base   arch.Spec
	Widths []float64
	Splits []float64
	Groups []int
	Depths [][]int
	Res    []int
	Batch  []int
}

// Skipped is a grid point that does not build, with the reason.
type Skipped struct {
	Spec arch.Spec
	Err  error
}

// MaxGridPoints bounds the designs of one grid (before invalid points are
// skipped). Every point is built to check it, and a sweep measures each in
// about a second or more: bigger studies are several grids or shards.
const MaxGridPoints = 10000

// Size is the number of points of the grid (the product of its list
// lengths), or a *arch.KnobError naming the knob with the longest list
// when it exceeds MaxGridPoints. The product is checked, never wrapped.
func (g Grid) Size() (int, error) {
	lens := []struct {
		knob string
		n    int
	}{{"width", len(g.Widths)}, {"split", len(g.Splits)}, {"groups", len(g.Groups)}, {"depths", len(g.Depths)},
		{"res", len(g.Res)}, {"batch", len(g.Batch)}}
	size, longest := 1, 0
	var parts []string
	for i, l := range lens {
		n := max(l.n, 1)
		if size > MaxGridPoints/n+1 {
			size = MaxGridPoints + 1 // saturate: already far past the cap
		} else {
			size *= n
		}
		if l.n > lens[longest].n {
			longest = i
		}
		if l.n > 1 {
			parts = append(parts, fmt.Sprintf("%s %d", l.knob, l.n))
		}
	}
	if size > MaxGridPoints {
		l := lens[longest]
		return 0, &arch.KnobError{Knob: l.knob, Value: fmt.Sprintf("(%d values)", l.n),
			Valid: fmt.Sprintf("a grid of at most %d designs", MaxGridPoints),
			Why:   fmt.Sprintf("the grid %s has more than %d points; shorten a list or run several sweeps", strings.Join(parts, " x "), MaxGridPoints)}
	}
	return size, nil
}

// Expand lists the grid's designs in a fixed order (width outermost, then
// split, groups, depths, resolution, batch). Points that do not build are
// returned as skipped, with arch.Build's error; duplicates are dropped. A
// grid of more than MaxGridPoints points is an error (see [Grid.Size]), and
// so is a 0 in a list (see [Grid.CheckZeros]).
func (g Grid) Expand() ([]Design, []Skipped, error) {
	if _, err := g.Size(); err != nil {
		return nil, nil, err
	}
	if err := g.CheckZeros(); err != nil {
		return nil, nil, err
	}
	widths := orBase(g.Widths, g.Base.Width)
	splits := orBase(g.Splits, g.Base.Split)
	groups := orBase(g.Groups, g.Base.Groups)
	depths := orBase(g.Depths, g.Base.Depths)
	res := orBase(g.Res, g.Base.Res)
	batch := orBase(g.Batch, g.Base.Batch)
	var (
		out  []Design
		skip []Skipped
	)
	for _, w := range widths {
		for _, sp := range splits {
			for _, gr := range groups {
				for _, d := range depths {
					for _, r := range res {
						for _, b := range batch {
							s := g.Base
							s.Width, s.Split, s.Groups, s.Res, s.Batch = w, sp, gr, r, b
							s.Depths = append([]int(nil), d...)
							if r != g.Base.Res {
								s.ResW = 0
							}
							if _, err := arch.Build(s); err != nil {
								skip = append(skip, Skipped{Spec: s, Err: err})
								continue
							}
							n := s.Normalize()
							out = append(out, Design{Name: n.String(), Spec: n})
						}
					}
				}
			}
		}
	}
	return Dedupe(out), skip, nil
}

// CheckZeros refuses a 0 in the width, split, groups, res or batch list.
// In an arch.Spec 0 means "the family's default", so a listed 0 would
// silently be measured as the default (a sweep over --width 0,1 measured
// 1x once). The error is the *arch.KnobError that arch.Spec.Set gives the
// typed text "0", with the range of the grid's family: the same as
// 'explorer cost --width 0'. (A 0 in a depths triple is no default: that
// point is skipped with Build's error.)
func (g Grid) CheckZeros() error {
	for _, k := range []struct {
		knob string
		zero bool
	}{
		{"width", slices.Contains(g.Widths, 0)},
		{"split", slices.Contains(g.Splits, 0)},
		{"groups", slices.Contains(g.Groups, 0)},
		{"res", slices.Contains(g.Res, 0)},
		{"batch", slices.Contains(g.Batch, 0)},
	} {
		if !k.zero {
			continue
		}
		s := arch.Spec{Family: g.Base.Family, Layout: g.Base.Layout, Channels: g.Base.Channels}
		if err := s.Set(k.knob, "0"); err != nil {
			return err
		}
		return &arch.KnobError{Knob: k.knob, Value: `"0"`, Why: "0 is no value of this knob"} // not reached: Set refuses every 0
	}
	return nil
}

func orBase[T any](vs []T, base T) []T {
	if len(vs) == 0 {
		return []T{base}
	}
	return vs
}

// Dedupe drops designs whose key appeared earlier in the list.
func Dedupe(ds []Design) []Design {
	seen := map[string]bool{}
	out := ds[:0:0]
	for _, d := range ds {
		k := d.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// Shard returns the i-th of n shards (1 <= i <= n) of the list: the
// designs at positions i-1, i-1+n, i-1+2n, ... Shards are disjoint, cover
// the list, differ in size by at most one, and depend only on the list's
// order, so the same flags give the same shards on every machine.
func Shard(ds []Design, i, n int) ([]Design, error) {
	if n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("shard %d/%d: want 1 <= i <= n", i, n)
	}
	var out []Design
	for j := i - 1; j < len(ds); j += n {
		out = append(out, ds[j])
	}
	return out, nil
}

// ParseShard reads "i/n" (1 <= i <= n); "" means the whole list (1/1).
func ParseShard(s string) (i, n int, err error) {
	if s == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			n, err = strconv.Atoi(strings.TrimSpace(b))
		}
	}
	if !ok || err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, &arch.KnobError{Knob: "shard", Value: s, Valid: "i/n with 1 <= i <= n, e.g. 1/2"}
	}
	return i, n, nil
}

// maxListLen bounds the values a range or list flag may expand to.
const maxListLen = 1000

// ListValid is what a list knob flag of `explorer sweep` (--width, --split,
// --groups, --res, --batch) takes besides each value's own range.
const ListValid = "a list a,b,c or a range start:stop:step"

// DepthsValid is what --depths takes: stage-depth triples, no ranges.
func DepthsValid() string {
	return fmt.Sprintf("triples a,b,c of 1..%d separated by ;, e.g. 4,8,4;2,4,2", arch.MaxDepth)
}

// listErr is the error on a list or range of knob values s: the knob, the
// whole value quoted, why, and what the flag takes.
func listErr(knob, s, why string) error {
	return &arch.KnobError{Knob: knob, Value: strconv.Quote(s), Valid: ListValidFor(knob), Why: why}
}

// ListValidFor is what the list knob flag of knob takes: each value's
// range (arch's, see [KnobRange]) and [ListValid].
func ListValidFor(knob string) string {
	if r := KnobRange(knob); r != "" {
		return r + "; " + ListValid
	}
	return ListValid
}

// valueErr is the error on one value v of a list or range given for knob,
// in arch's form for that value typed alone: the value quoted, why, and the
// knob's range (arch's, see [KnobRange]), with what the list flag takes:
// `invalid width "abc": not a number (valid: 0.05..16; a list a,b,c or a
// range start:stop:step)`.
func valueErr(knob, v, why string) error {
	return &arch.KnobError{Knob: knob, Value: strconv.Quote(strings.TrimSpace(v)), Valid: ListValidFor(knob), Why: why}
}

// KnobRange is the range arch states for a knob's values (of the default
// family): what `invalid width 0 (valid: 0.05..16)` says; "" if none.
func KnobRange(knob string) string {
	_, err := arch.Spec{}.Override(map[string]string{knob: "0"})
	var ke *arch.KnobError
	if errors.As(err, &ke) {
		return ke.Valid
	}
	return ""
}

// ParseFloats reads a list "0.5,1,1.5" or an inclusive range
// "start:stop:step" ("0.5:2.0:0.25" is 0.5, 0.75, ..., 2.0). Range values
// are rounded to 9 decimals so the steps do not accumulate float error.
// A value that is no number is refused by [valueErr].
func ParseFloats(knob, s string) ([]float64, error) {
	return parseList(knob, s, "not a number")
}

// parseList is [ParseFloats]; notNumber says why a value that is no number
// is refused ("not an integer" for the integer knobs, as arch says).
func parseList(knob, s, notNumber string) ([]float64, error) {
	bad := func(why string) error { return listErr(knob, s, why) }
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) != 3 {
			return nil, bad("a range has three parts")
		}
		var v [3]float64
		for i, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, valueErr(knob, p, notNumber)
			}
			v[i] = f
		}
		start, stop, step := v[0], v[1], v[2]
		if step <= 0 || stop < start {
			return nil, bad("want step > 0 and stop >= start")
		}
		// Count in floating point first: a tiny step gives a count far past
		// any int (1e-300 gives 1.6e301), which must be refused, not converted.
		span := math.Floor((stop-start)/step + 1e-9)
		if !(span < maxListLen) {
			// A count, in digits while it has few enough to read (the
			// 1596 values of 0.05:16:0.01 printed as 1.6e+03).
			count := fmt.Sprintf("%.0f", span+1)
			if span >= 1e12 {
				count = fmt.Sprintf("about %.3g", span+1)
			}
			return nil, bad(fmt.Sprintf("%s values (at most %d)", count, maxListLen))
		}
		n := int(span) + 1
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Round((start+float64(i)*step)*1e9) / 1e9
		}
		return out, nil
	}
	var out []float64
	for _, p := range strings.Split(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, valueErr(knob, p, notNumber)
		}
		out = append(out, f)
	}
	if len(out) > maxListLen {
		return nil, bad(fmt.Sprintf("%d values (at most %d)", len(out), maxListLen))
	}
	return out, nil
}

// ParseInts reads a list "1,2,4" or an integer range "start:stop:step".
func ParseInts(knob, s string) ([]int, error) {
	fs, err := parseList(knob, s, "not an integer")
	if err != nil {
		return nil, err
	}
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != math.Trunc(f) {
			return nil, valueErr(knob, strconv.FormatFloat(f, 'g', -1, 64), "not an integer")
		}
		out[i] = int(f)
	}
	return out, nil
}

// ParseDepthsList reads stage-depth triples separated by semicolons,
// "4,8,4;2,4,2" (no ranges). Errors say what --depths takes ([DepthsValid]).
func ParseDepthsList(s string) ([][]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	bad := func(why string) error {
		return &arch.KnobError{Knob: "depths", Value: strconv.Quote(s), Valid: DepthsValid(), Why: why}
	}
	var out [][]int
	for _, part := range strings.Split(s, ";") {
		var d []int
		for _, p := range strings.Split(part, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return nil, bad(fmt.Sprintf("%q is not an integer", strings.TrimSpace(p)))
			}
			d = append(d, v)
		}
		if len(d) != 3 {
			return nil, bad(fmt.Sprintf("%q is not a triple", strings.TrimSpace(part)))
		}
		out = append(out, d)
	}
	return out, nil
}
