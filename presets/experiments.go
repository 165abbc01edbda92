package presets

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/shufflelab/explorer/arch"
)

// ExperimentRow is one row of a guideline table: a design for the GPU
// column and one for the ARM column (the paper used smaller channels on
// ARM), with the paper's speeds at each channel scale.
type ExperimentRow struct {
	Label string `toml:"label" json:"label"`
	// Note says where the row's designs depart from the paper, and why;
	// GPUNote and ARMNote where only that platform's design does.
	Note      string    `toml:"note,omitempty" json:"note,omitempty"`
	GPUNote   string    `toml:"gpu_note,omitempty" json:"gpu_note,omitempty"`
	ARMNote   string    `toml:"arm_note,omitempty" json:"arm_note,omitempty"`
	GPUDesign arch.Spec `toml:"gpu_design" json:"gpu_design"`
	GPU       []float64 `toml:"gpu" json:"gpu"` // batches/s at each scale
	ARMDesign arch.Spec `toml:"arm_design" json:"arm_design"`
	ARM       []float64 `toml:"arm" json:"arm"` // images/s at each scale
}

// NoteFor is the row's note for the designs of platform p: Note and that
// platform's own note ("" when the row builds the paper's designs there).
// G2's g=8 row departs from the paper at ARM sizes only, and its note
// showed under the GPU sizes too.
func (r ExperimentRow) NoteFor(p Platform) string {
	own := r.ARMNote
	if p == GPU {
		own = r.GPUNote
	}
	switch {
	case r.Note == "":
		return own
	case own == "":
		return r.Note
	}
	return r.Note + "; " + own
}

// Experiment is a guideline experiment (paper Tables 1-4) or a whole-network
// comparison (Table 8, rows given as preset names).
//
// In JSON (`explorer presets --format json`) its keys are snake_case like
// the presets': id, title, source, scales, rows (guideline experiments) or
// presets (comparisons).
type Experiment struct {
	ID      string          `toml:"id" json:"id"`
	Title   string          `toml:"title" json:"title"`
	Source  string          `toml:"source" json:"source"`
	Scales  []int           `toml:"scales" json:"scales,omitempty"` // channel multipliers of the columns (x1, x2, x4)
	Rows    []ExperimentRow `toml:"row" json:"rows,omitempty"`
	Presets []string        `toml:"presets" json:"presets,omitempty"` // comparison experiments
}

// Platform picks which of the paper's two channel sizes a guideline row
// builds: the paper used smaller channels on its ARM phone than on its GPU.
type Platform string

// Platforms of the guideline experiments.
const (
	ARM Platform = "arm"
	GPU Platform = "gpu"
)

// ParsePlatform checks a platform name (case-insensitive).
func ParsePlatform(s string) (Platform, error) {
	switch Platform(strings.ToLower(strings.TrimSpace(s))) {
	case ARM:
		return ARM, nil
	case GPU:
		return GPU, nil
	}
	return "", &arch.KnobError{Knob: "platform", Value: s, Valid: "arm|gpu"}
}

// Sizes names the platform's channel sizes for titles: "ARM sizes", "GPU sizes".
func (p Platform) Sizes() string { return strings.ToUpper(string(p)) + " sizes" }

// Design is the row's design for platform p at channel scale k, normalised:
// the one place the explorer turns a guideline row into a network, so the
// command line, the interactive explorer and the charts build the same one.
func (r ExperimentRow) Design(p Platform, k int) arch.Spec {
	base := r.ARMDesign
	if p == GPU {
		base = r.GPUDesign
	}
	return Scaled(base, k).Normalize()
}

// Scaled returns the design with every channel knob multiplied by k. A G2
// block's channel count that its groups do not divide is rounded to the
// nearest multiple of the groups (half up) after scaling: the paper's
// ARM g=8 row has c=180, so x1 builds c=184 while x2 and x4 build the
// paper's 360 and 720 exactly (paper Table 2's columns are x1, x2, x4).
func Scaled(s arch.Spec, k int) arch.Spec {
	s.C1 *= k
	s.C2 *= k
	s.C *= k
	if s.Family == arch.GuideG2 && s.Groups > 1 && s.C%s.Groups != 0 {
		s.C = (s.C + s.Groups/2) / s.Groups * s.Groups
	}
	return s
}

// Experiments returns the embedded experiments (G1, G2, G3, G4, T8).
func Experiments() ([]Experiment, error) {
	entries, err := fs.ReadDir(files, "experiments")
	if err != nil {
		return nil, fmt.Errorf("list experiments: %w", err)
	}
	var out []Experiment
	for _, e := range entries {
		data, err := files.ReadFile("experiments/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read experiment %s: %w", e.Name(), err)
		}
		x, err := ParseExperiment(data, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ParseExperiment decodes and checks an experiment file: unknown keys are
// errors, every design must build at every scale, speed lists match scales,
// preset names exist.
func ParseExperiment(data []byte, origin string) (Experiment, error) {
	var x Experiment
	if _, err := decodeStrict(data, &x); err != nil {
		return Experiment{}, fmt.Errorf("experiment file %s: %w", origin, err)
	}
	if x.ID == "" {
		return Experiment{}, fmt.Errorf("experiment file %s: no id", origin)
	}
	for _, r := range x.Rows {
		if len(r.GPU) != len(x.Scales) || len(r.ARM) != len(x.Scales) {
			return Experiment{}, fmt.Errorf("experiment %s row %q: %d scales but %d GPU / %d ARM speeds", x.ID, r.Label, len(x.Scales), len(r.GPU), len(r.ARM))
		}
		for _, k := range x.Scales {
			for _, d := range []arch.Spec{r.GPUDesign, r.ARMDesign} {
				if _, err := arch.Build(Scaled(d, k)); err != nil {
					return Experiment{}, fmt.Errorf("experiment %s row %q x%d: %w", x.ID, r.Label, k, err)
				}
			}
		}
	}
	for _, name := range x.Presets {
		if _, err := Load(name); err != nil {
			return Experiment{}, fmt.Errorf("experiment %s: %w", x.ID, err)
		}
	}
	return x, nil
}

// ExperimentByID returns the embedded experiment with the given ID
// (case-insensitive: g1, G1, t8).
func ExperimentByID(id string) (Experiment, error) {
	all, err := Experiments()
	if err != nil {
		return Experiment{}, err
	}
	ids := make([]string, len(all))
	for i, x := range all {
		if strings.EqualFold(x.ID, id) {
			return x, nil
		}
		ids[i] = x.ID
	}
	return Experiment{}, fmt.Errorf("unknown experiment %q (known: %s)", id, strings.Join(ids, ", "))
}
