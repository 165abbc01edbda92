// Package guideline reruns the ShuffleNet V2 paper's guideline experiments
// (Tables 1-4: G1 equal channel width, G2 group convolution, G3
// fragmentation, G4 element-wise operations) and its Table 8 comparison at
// about 146M MAdds on the local machine: it assembles each table from the
// embedded experiment (presets.Experiments), measures every design through
// a caller-given function in one or more execution modes and several
// rounds, puts the local speed beside the paper's GPU and ARM speeds,
// normalised to the first row, and says in words whether the paper's claim
// holds here ([Table.Verdicts], [Verdict.Sentence]).
//
// A user interface shows a table in this order: [FromExperiment] (rows,
// designs, MAdds and MAC), [ModesFor] (which execution modes to measure),
// [Table.Measure], then per scale column [Table.Verdict] for the words and
// [Row.BestMS] / [Row.RoundsMS] for the numbers ([Row.BestRound]: which
// round the table shows).
package guideline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
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
	// MAdds, MAC and MACFused are per scale and per image: multiply-adds,
	// the paper's memory access cost of the graph as written (elements),
	// and the MAC of the fused plan (what the fused mode executes).
	MAdds    []int64
	MAC      []int64
	MACFused []int64
	// Paper speeds at each scale: GPU batches/s (GTX 1080Ti) and ARM
	// images/s (Snapdragon 810); 0 where the paper has none.
	PaperGPU []float64
	PaperARM []float64
	// Local is the measured speed at each scale in images/s in the table's
	// first mode (0 = not measured); LocalMS its median latency in ms (the
	// fastest round's). Other modes: [Row.BestMS].
	Local   []float64
	LocalMS []float64
	// Rounds holds every round's median latency in ms, indexed
	// [mode][scale][round] with modes in Table.Modes order; nil before
	// [Table.Measure].
	Rounds [][][]float64
}

// Channels is the design's channel sizes at scale column j in words, for
// a table column or a chart label: "c1=32 c2=32" (G1), "c=64 g=2" (G2),
// "c=64" (G3, G4: the structure is in the row's label), the knobs of a
// whole network ("1x g=3").
func (r Row) Channels(j int) string {
	s := r.Specs[j]
	switch s.Family {
	case arch.GuideG1:
		return fmt.Sprintf("c1=%d c2=%d", s.C1, s.C2)
	case arch.GuideG2:
		return fmt.Sprintf("c=%d g=%d", s.C, s.Groups)
	case arch.GuideG3, arch.GuideG4:
		return fmt.Sprintf("c=%d", s.C)
	}
	return strings.TrimPrefix(s.String(), string(s.Family)+" ")
}

// RoundsMS is the median latency of every round of mode m (an index into
// Table.Modes) at scale column j, in ms; nil when not measured.
func (r Row) RoundsMS(m, j int) []float64 {
	if m < 0 || m >= len(r.Rounds) || j < 0 || j >= len(r.Rounds[m]) {
		return nil
	}
	return r.Rounds[m][j]
}

// BestRound is the index of the fastest round of mode m at scale column j
// (the first of equal medians): the round whose median the table shows
// ([Row.BestMS]), an index into [Row.RoundsMS]; -1 when not measured.
func (r Row) BestRound(m, j int) int {
	best := -1
	for i, ms := range r.RoundsMS(m, j) {
		if best < 0 || ms < r.Rounds[m][j][best] {
			best = i
		}
	}
	return best
}

// BestMS is the fastest round's median latency of mode m at scale column j
// in ms (the value the table shows: [Row.BestRound]'s), 0 when not measured.
func (r Row) BestMS(m, j int) float64 {
	i := r.BestRound(m, j)
	if i < 0 {
		return 0
	}
	return r.Rounds[m][j][i]
}

// Speed is images/s at [Row.BestMS] (the batch is the design's), 0 when
// not measured.
func (r Row) Speed(m, j int) float64 {
	ms := r.BestMS(m, j)
	if !(ms > 0) || j >= len(r.Specs) {
		return 0
	}
	return float64(max(r.Specs[j].Batch, 1)) * 1000 / ms
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
	// Modes are the execution modes measured, the first giving Row.Local;
	// set them before [Table.Measure] (see [ModesFor]); empty means fused.
	Modes []runner.Mode
	// RoundsDone is the number of rounds the last [Table.Measure] ran.
	RoundsDone int
	// Backend and Threads say where the local speeds are measured, for
	// [Table.Conditions]; set by the caller with Modes.
	Backend string
	Threads int
	// Kernels is the kernel set asked for where it is not the backend's
	// own choice (--kernels generic); "" otherwise. Conditions name it.
	Kernels string
}

// Conditions are the local measurement conditions in words, for a table
// header or a chart subtitle, e.g. "native, 1 thread, batch 1, ARM channel
// sizes, eager and fused, best of 3 rounds" (sizes: [Platform.Sizes]).
func (t Table) Conditions() string {
	var parts []string
	if t.Backend != "" {
		parts = append(parts, t.Backend)
	}
	if t.Kernels != "" {
		parts = append(parts, "kernels "+t.Kernels)
	}
	if t.Threads > 0 {
		parts = append(parts, plural(t.Threads, "thread"))
	}
	if len(t.Rows) > 0 && len(t.Rows[0].Specs) > 0 {
		parts = append(parts, fmt.Sprintf("batch %d", max(t.Rows[0].Specs[0].Batch, 1)))
	}
	if !t.Whole {
		parts = append(parts, t.Platform.Sizes())
	}
	ms := make([]string, len(t.modes()))
	for i, m := range t.modes() {
		ms[i] = string(m)
	}
	parts = append(parts, strings.Join(ms, " and "))
	if t.RoundsDone > 0 {
		parts = append(parts, "best of "+plural(t.RoundsDone, "round"))
	}
	s := strings.Join(parts, ", ")
	if t.Whole {
		s += "; the paper's GPU speeds are at batch 8"
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ModesFor is the execution modes an experiment is measured in: G4 (the
// element-wise operations the paper says are not negligible) runs eager
// and fused unless the user chose a mode explicitly, so its verdict can
// say how much of the effect fusion removes; every other experiment runs
// in the chosen mode.
func ModesFor(id string, chosen runner.Mode, explicit bool) []runner.Mode {
	if strings.EqualFold(id, "G4") && !explicit {
		return []runner.Mode{runner.Eager, runner.Fused}
	}
	if chosen == "" {
		chosen = runner.Fused
	}
	return []runner.Mode{chosen}
}

// modes is t.Modes, or fused when empty.
func (t Table) modes() []runner.Mode {
	if len(t.Modes) == 0 {
		return []runner.Mode{runner.Fused}
	}
	return t.Modes
}

// FromExperiment assembles a table from an experiment. Guideline rows get
// the platform's design scaled by each of scales (nil: the experiment's
// scales; each must be one of them, since the paper's speeds are per
// scale); a comparison experiment (presets) has the one scale 1 and the
// paper's numbers from each preset's reference. Modes starts as fused
// alone; set it with [ModesFor] before measuring.
func FromExperiment(x presets.Experiment, p Platform, scales []int) (Table, error) {
	t := Table{ID: x.ID, Title: x.Title, Source: x.Source, Platform: p, Modes: []runner.Mode{runner.Fused}}
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
		r := Row{Label: xr.Label, Note: xr.NoteFor(p)}
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
		r.MAC = make([]int64, len(r.Specs))
		r.MACFused = make([]int64, len(r.Specs))
		r.Local = make([]float64, len(r.Specs))
		r.LocalMS = make([]float64, len(r.Specs))
		for j, s := range r.Specs {
			g, err := arch.Build(s)
			if err != nil {
				return Table{}, fmt.Errorf("experiment %s row %q: %w", t.ID, r.Label, err)
			}
			b := int64(max(s.Batch, 1))
			written := cost.Analyze(g, nil).Totals
			fp := arch.FusedPlan(g)
			fused := cost.Analyze(g, &fp).Totals
			r.MAdds[j], r.MAC[j], r.MACFused[j] = written.MultAdds/b, written.MemAccess/b, fused.MemAccess/b
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

// DefaultRounds is how many round-robin rounds `explorer guidelines` and
// the interactive explorer measure a table (Measure keeps each design's
// fastest round).
const DefaultRounds = 3

// DefaultBudget is the measurement budget of one design of a guideline
// table, shared by `explorer guidelines` and the interactive explorer: the
// micro-networks are small, and rounds, not long runs, beat the noise.
func DefaultBudget() runner.MeasureOptions {
	return runner.MeasureOptions{Warmup: 2, MinIters: 3, MinTime: 120 * time.Millisecond, MaxTime: time.Second}
}

// MeasureFunc measures one design in one execution mode and returns its
// median latency in ms (the batch is the spec's).
type MeasureFunc func(ctx context.Context, s arch.Spec, mode runner.Mode) (medianMS float64, err error)

// Measurements is the number of MeasureFunc calls [Table.Measure] makes
// with the given rounds.
func (t Table) Measurements(rounds int) int {
	return len(t.Rows) * len(t.Scales) * len(t.modes()) * max(rounds, 1)
}

// Measure measures every row at every scale in every mode of t.Modes,
// rounds times (at least once), and fills Rounds, Local and LocalMS. The
// rows and modes of a scale column are measured round-robin: on a shared
// machine a burst of other work then slows one round of every row instead
// of all of one row's measurement, and the per-round ratios of two rows
// stay comparable. Each design shows its fastest round's median. done, if
// not nil, is called after each measurement with the number done and the
// total ([Table.Measurements]).
func (t *Table) Measure(ctx context.Context, m MeasureFunc, rounds int, done func(n, total int)) error {
	rounds = max(rounds, 1)
	modes := t.modes()
	total := t.Measurements(rounds)
	for i := range t.Rows {
		r := &t.Rows[i]
		r.Rounds = make([][][]float64, len(modes))
		for mi := range modes {
			r.Rounds[mi] = make([][]float64, len(t.Scales))
		}
	}
	t.RoundsDone = 0
	n := 0
	for j, k := range t.Scales {
		for range rounds {
			for mi, mode := range modes {
				for i := range t.Rows {
					r := &t.Rows[i]
					ms, err := m(ctx, r.Specs[j], mode)
					if err != nil {
						return fmt.Errorf("%s row %q x%d %s: %w", t.ID, r.Label, k, mode, err)
					}
					if !(ms > 0) || math.IsInf(ms, 0) {
						return fmt.Errorf("%s row %q x%d %s: latency %v ms", t.ID, r.Label, k, mode, ms)
					}
					r.Rounds[mi][j] = append(r.Rounds[mi][j], ms)
					n++
					if done != nil {
						done(n, total)
					}
				}
			}
		}
		for i := range t.Rows {
			r := &t.Rows[i]
			r.LocalMS[j], r.Local[j] = r.BestMS(0, j), r.Speed(0, j)
		}
	}
	t.RoundsDone = rounds
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

// Speeds returns a series' speeds at scale column j (0 where missing);
// Local is the table's first mode ([Table.ModeSpeeds] for the others).
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

// ModeSpeeds returns the local speeds (images/s) of mode m (an index into
// Table.Modes) at scale column j, 0 where not measured.
func (t Table) ModeSpeeds(m, j int) []float64 {
	out := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r.Speed(m, j)
	}
	return out
}
