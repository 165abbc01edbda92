// Package guideline reruns the ShuffleNet V2 paper's guideline experiments
// (Tables 1-4: G1 equal channel width, G2 group convolution, G3
// fragmentation, G4 element-wise operations) and its Table 8 comparison at
// about 146M MAdds on the local machine: it assembles each table from the
// embedded experiment (presets.Experiments), measures every design through
// a caller-given function, puts the local speed beside the paper's GPU and
// ARM speeds, normalised to the first row, and says whether the paper's
// ordering holds here.
package guideline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
)

// Platform picks which of the paper's channel sizes a table builds
// (presets.Platform: the paper used smaller channels on ARM than on GPU).
type Platform = presets.Platform

// Platforms.
const (
	ARM = presets.ARM
	GPU = presets.GPU
)

// ParsePlatform checks a platform name (presets.ParsePlatform).
func ParsePlatform(s string) (Platform, error) { return presets.ParsePlatform(s) }

// Row is one configuration of a table.
type Row struct {
	Label  string
	Note   string
	Preset string      // Table 8: the preset the row comes from
	Specs  []arch.Spec // the design at each of the table's scales
	MAdds  []int64     // per scale, per image
	// Paper speeds at each scale: GPU batches/s (GTX 1080Ti) and ARM
	// images/s (Snapdragon 810); 0 where the paper has none.
	PaperGPU []float64
	PaperARM []float64
	// Local is the measured speed at each scale in images/s (0 = not
	// measured); LocalMS the median latency in ms.
	Local   []float64
	LocalMS []float64
}

// Table is one experiment on this machine.
type Table struct {
	ID       string
	Title    string
	Source   string
	Platform Platform
	Scales   []int
	Rows     []Row
	// Whole marks a whole-network comparison (Table 8): one scale, designs
	// from presets, the paper's GPU speeds at batch 8.
	Whole bool
}

// FromExperiment assembles a table from an experiment. Guideline rows get
// the platform's design scaled by each of scales (nil: the experiment's
// scales; each must be one of them, since the paper's speeds are per
// scale); a comparison experiment (presets) has the one scale 1 and the
// paper's numbers from each preset's reference.
func FromExperiment(x presets.Experiment, p Platform, scales []int) (Table, error) {
	t := Table{ID: x.ID, Title: x.Title, Source: x.Source, Platform: p}
	if len(x.Presets) > 0 {
		t.Whole, t.Scales = true, []int{1}
		for _, name := range x.Presets {
			pr, err := presets.Load(name)
			if err != nil {
				return Table{}, fmt.Errorf("experiment %s: %w", x.ID, err)
			}
			r := Row{Label: name, Preset: name, Specs: []arch.Spec{pr.Design.Normalize()}, PaperGPU: []float64{0}, PaperARM: []float64{0}}
			if ref := pr.Reference; ref != nil {
				r.PaperGPU[0], r.PaperARM[0] = ref.GPUBatchesPerS, ref.ARMImagesPerSec
				if ref.OwnImpl {
					r.Note = "paper: own implementation"
				}
			}
			t.Rows = append(t.Rows, r)
		}
		return t.withMAdds()
	}
	if len(scales) == 0 {
		scales = x.Scales
	}
	col := make([]int, len(scales))
	for i, k := range scales {
		col[i] = slices.Index(x.Scales, k)
		if col[i] < 0 {
			return Table{}, &arch.KnobError{Knob: "scales", Value: fmt.Sprint(k), Valid: intList(x.Scales), Why: "experiment " + x.ID + " has no such column"}
		}
	}
	t.Scales = slices.Clone(scales)
	for _, xr := range x.Rows {
		r := Row{Label: xr.Label, Note: xr.Note}
		for i, k := range scales {
			r.Specs = append(r.Specs, xr.Design(p, k))
			r.PaperGPU = append(r.PaperGPU, xr.GPU[col[i]])
			r.PaperARM = append(r.PaperARM, xr.ARM[col[i]])
		}
		t.Rows = append(t.Rows, r)
	}
	return t.withMAdds()
}

func (t Table) withMAdds() (Table, error) {
	for i := range t.Rows {
		r := &t.Rows[i]
		r.MAdds = make([]int64, len(r.Specs))
		r.Local = make([]float64, len(r.Specs))
		r.LocalMS = make([]float64, len(r.Specs))
		for j, s := range r.Specs {
			g, err := arch.Build(s)
			if err != nil {
				return Table{}, fmt.Errorf("experiment %s row %q: %w", t.ID, r.Label, err)
			}
			r.MAdds[j] = totalMAdds(g) / int64(max(s.Batch, 1))
		}
	}
	return t, nil
}

func intList(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, "|")
}

// MeasureFunc measures one design and returns its median latency in ms
// (the batch is the spec's).
type MeasureFunc func(ctx context.Context, s arch.Spec) (medianMS float64, err error)

// Measure fills Local and LocalMS of every row and scale. The rows of a
// scale column are measured round-robin, rounds times (at least once), and
// each design keeps its fastest round's median: on a shared machine a burst
// of other work then slows one round of every row instead of all of one
// row's measurement. done, if not nil, is called after each measurement
// with the number done and the total.
func (t *Table) Measure(ctx context.Context, m MeasureFunc, rounds int, done func(n, total int)) error {
	rounds = max(rounds, 1)
	total := len(t.Rows) * len(t.Scales) * rounds
	n := 0
	for j, k := range t.Scales {
		for round := range rounds {
			for i := range t.Rows {
				r := &t.Rows[i]
				s := r.Specs[j]
				ms, err := m(ctx, s)
				if err != nil {
					return fmt.Errorf("%s row %q x%d: %w", t.ID, r.Label, k, err)
				}
				if !(ms > 0) || math.IsInf(ms, 0) {
					return fmt.Errorf("%s row %q x%d: latency %v ms", t.ID, r.Label, k, ms)
				}
				if round == 0 || ms < r.LocalMS[j] {
					r.LocalMS[j] = ms
					r.Local[j] = float64(max(s.Batch, 1)) * 1000 / ms
				}
				n++
				if done != nil {
					done(n, total)
				}
			}
		}
	}
	return nil
}

// Series names a column of speeds.
type Series string

// The speed series of a table.
const (
	Local    Series = "local"
	PaperGPU Series = "paper GPU"
	PaperARM Series = "paper ARM"
)

// Speeds returns a series' speeds at scale column j (0 where missing).
func (t Table) Speeds(s Series, j int) []float64 {
	out := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		switch s {
		case Local:
			out[i] = r.Local[j]
		case PaperGPU:
			out[i] = r.PaperGPU[j]
		case PaperARM:
			out[i] = r.PaperARM[j]
		}
	}
	return out
}

// Normalised divides each speed by the first row's; nil when the first is
// not positive.
func Normalised(v []float64) []float64 {
	if len(v) == 0 || !(v[0] > 0) {
		return nil
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x / v[0]
	}
	return out
}
