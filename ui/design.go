package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
)

// design is the state of the knobs: a buildable spec plus how to run it.
type design struct {
	spec    arch.Spec // normalised; arch.Build accepts it
	preset  string    // the preset it was loaded from ("" = none)
	edited  bool      // changed since the preset was loaded
	backend string
	mode    runner.Mode
	threads int
	// graph is the spec's graph when set or setDesign just built it (so the
	// cost pane need not build it again); nil otherwise.
	graph *arch.Graph
}

// runLabel names how the design runs, e.g. "native/fused/1t".
func (d design) runLabel() string {
	return fmt.Sprintf("%s/%s/%dt", d.backend, d.mode, d.threads)
}

// request is the run request for the design.
func (d design) request() RunRequest {
	return RunRequest{Spec: cloneSpec(d.spec), Backend: d.backend, Mode: string(d.mode), Threads: d.threads}
}

// knobID names a row of the knobs pane.
type knobID int

// The knobs, in display order.
const (
	kDesign knobID = iota
	kWidth
	kSplit
	kGroups
	kDepth2
	kDepth3
	kDepth4
	kInput
	kBatch
	kBackend
	kMode
	kThreads
	numKnobs
)

var knobLabels = [numKnobs]string{"design", "width", "split", "groups", "depth s2", "depth s3", "depth s4", "input", "batch", "backend", "mode", "threads"}

// Knob steps: width in tenths (the paper's columns 0.5/1.0/1.5/2.0 are on
// the grid), split in twentieths, input in multiples of 32 (ShuffleNet
// downsamples by 32), batch in powers of two.
const (
	widthStep = 0.1
	splitStep = 0.05
	inputStep = 32
)

// v1Groups are the group counts ShuffleNet v1 defines widths for (v1 paper Table 1).
var v1Groups = []int{1, 2, 3, 4, 8}

// knobEnv is what stepping and setting knobs need besides the design.
type knobEnv struct {
	presets    []presets.Preset
	backends   []string
	maxThreads int
}

func cloneSpec(s arch.Spec) arch.Spec {
	if s.Depths != nil {
		s.Depths = append([]int(nil), s.Depths...)
	}
	if s.Channels != nil {
		s.Channels = append([]int(nil), s.Channels...)
	}
	return s
}

func isShuffleNet(f arch.Family) bool { return f == arch.ShuffleNetV2 || f == arch.ShuffleNetV1 }

// applies reports whether knob k is a knob of the design's family.
func (d design) applies(k knobID) bool {
	f := d.spec.Family
	switch k {
	case kSplit:
		return f == arch.ShuffleNetV2
	case kGroups, kDepth2, kDepth3, kDepth4:
		return isShuffleNet(f)
	}
	return true
}

// value is the knob's current value as shown (and as offered for editing).
func (d design) value(k knobID) string {
	if !d.applies(k) {
		return "-"
	}
	s := d.spec
	switch k {
	case kDesign:
		if d.preset == "" {
			return string(s.Family)
		}
		if d.edited {
			return d.preset + "*"
		}
		return d.preset
	case kWidth:
		if len(s.Channels) > 0 {
			return "channels"
		}
		return fmtG(s.Width)
	case kSplit:
		return fmtG(s.Split)
	case kGroups:
		return strconv.Itoa(s.Groups)
	case kDepth2, kDepth3, kDepth4:
		return strconv.Itoa(s.Depths[k-kDepth2])
	case kInput:
		if s.ResW != s.Res {
			return fmt.Sprintf("%dx%d", s.Res, s.ResW)
		}
		return strconv.Itoa(s.Res)
	case kBatch:
		return strconv.Itoa(s.Batch)
	case kBackend:
		return d.backend
	case kMode:
		return string(d.mode)
	case kThreads:
		return strconv.Itoa(d.threads)
	}
	return ""
}

// editText is the text the input line starts with when enter is pressed.
func (d design) editText(k knobID) string {
	if k == kDesign {
		if d.preset != "" {
			return d.preset
		}
		return string(d.spec.Family)
	}
	if k == kWidth {
		return fmtG(d.spec.Width)
	}
	return d.value(k)
}

func fmtG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// roundTo rounds f to n decimals, so repeated steps stay on the grid.
func roundTo(f float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(f*p) / p
}

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
func clampI(v, lo, hi int) int         { return max(lo, min(hi, v)) }

// step returns the text of knob k moved one step in direction dir (+1/-1).
func (d design) step(k knobID, dir int, env knobEnv) string {
	s := d.spec
	switch k {
	case kDesign:
		i := 0
		for j, p := range env.presets {
			if p.Name == d.preset {
				i = j + dir
				break
			}
		}
		n := len(env.presets)
		if n == 0 {
			return string(s.Family)
		}
		return env.presets[((i%n)+n)%n].Name
	case kWidth:
		return fmtG(roundTo(clampF(s.Width+float64(dir)*widthStep, arch.MinWidth, arch.MaxWidth), 2))
	case kSplit:
		return fmtG(roundTo(clampF(s.Split+float64(dir)*splitStep, splitStep, 1-splitStep), 2))
	case kGroups:
		if s.Family == arch.ShuffleNetV1 {
			i := 0
			for j, g := range v1Groups {
				if g == s.Groups {
					i = j
				}
			}
			return strconv.Itoa(v1Groups[clampI(i+dir, 0, len(v1Groups)-1)])
		}
		return strconv.Itoa(clampI(s.Groups+dir, 1, arch.MaxGroups))
	case kDepth2, kDepth3, kDepth4:
		return strconv.Itoa(clampI(s.Depths[k-kDepth2]+dir, 1, arch.MaxDepth))
	case kInput:
		h := clampI(s.Res+dir*inputStep, arch.MinRes, arch.MaxRes)
		w := clampI(s.ResW+dir*inputStep, arch.MinRes, arch.MaxRes)
		if h == w {
			return strconv.Itoa(h)
		}
		return fmt.Sprintf("%dx%d", h, w)
	case kBatch:
		b := s.Batch * 2
		if dir < 0 {
			b = s.Batch / 2
		}
		return strconv.Itoa(clampI(b, 1, arch.MaxBatch))
	case kBackend:
		i := 0
		for j, b := range env.backends {
			if b == d.backend {
				i = j + dir
			}
		}
		n := len(env.backends)
		return env.backends[((i%n)+n)%n]
	case kMode:
		if d.mode == runner.Eager {
			return string(runner.Fused)
		}
		return string(runner.Eager)
	case kThreads:
		return strconv.Itoa(clampI(d.threads+dir, 1, max(1, env.maxThreads)))
	}
	return ""
}

// set parses text for knob k and returns the new design, or an error that
// names the knob, the value and the valid range; d itself is never changed.
func (d design) set(k knobID, text string, env knobEnv) (design, error) {
	text = strings.TrimSpace(text)
	if !d.applies(k) {
		return d, &arch.KnobError{Knob: knobLabels[k], Value: text, Why: "not a knob of " + string(d.spec.Family)}
	}
	d.graph = nil
	switch k {
	case kDesign:
		return d.setDesign(text, env)
	case kBackend:
		for _, b := range env.backends {
			if b == text {
				d.backend = b
				return d, nil
			}
		}
		return d, &arch.KnobError{Knob: "backend", Value: strconv.Quote(text), Valid: strings.Join(env.backends, "|")}
	case kMode:
		m, err := runner.ParseMode(strings.ToLower(text))
		if err != nil {
			return d, err
		}
		d.mode = m
		return d, nil
	case kThreads:
		n, err := strconv.Atoi(text)
		hi := max(1, env.maxThreads)
		if err != nil || n < 1 || n > hi {
			return d, &arch.KnobError{Knob: "threads", Value: strconv.Quote(text), Valid: fmt.Sprintf("1..%d", hi)}
		}
		d.threads = n
		return d, nil
	}
	s := cloneSpec(d.spec)
	var err error
	switch k {
	case kWidth:
		s.Channels = nil
		err = s.Set("width", text)
	case kSplit:
		err = s.Set("split", text)
	case kGroups:
		err = s.Set("groups", text)
	case kDepth2, kDepth3, kDepth4:
		var v int
		v, err = strconv.Atoi(text)
		if err != nil {
			err = &arch.KnobError{Knob: knobLabels[k], Value: strconv.Quote(text), Valid: fmt.Sprintf("1..%d", arch.MaxDepth), Why: "not an integer"}
		} else {
			s.Depths[k-kDepth2] = v
		}
	case kInput:
		err = s.Set("res", text)
	case kBatch:
		err = s.Set("batch", text)
	}
	if err != nil {
		return d, err
	}
	g, err := arch.Build(s)
	if err != nil {
		return d, err
	}
	d.spec, d.graph = g.Spec, g
	d.edited = d.edited || d.preset != ""
	return d, nil
}

// setDesign loads a preset by name, a design file by path, or a fresh
// design of a family (keeping input size and batch).
func (d design) setDesign(text string, env knobEnv) (design, error) {
	for _, p := range env.presets {
		if p.Name == text {
			return d.withPreset(p)
		}
	}
	if strings.HasSuffix(text, ".toml") || strings.ContainsRune(text, '/') {
		p, err := presets.Load(text)
		if err != nil {
			return d, err
		}
		return d.withPreset(p)
	}
	f := arch.Family(strings.ToLower(text))
	for _, known := range arch.Families() {
		if f == known && !f.IsGuideline() {
			s := arch.Spec{Family: f, Res: d.spec.Res, ResW: d.spec.ResW, Batch: d.spec.Batch}
			g, err := arch.Build(s)
			if err != nil {
				return d, err
			}
			d.spec, d.graph, d.preset, d.edited = g.Spec, g, "", false
			return d, nil
		}
	}
	return d, &arch.KnobError{Knob: "design", Value: strconv.Quote(text),
		Valid: "a preset name (see the presets screen), a family (shufflenetv2|shufflenetv1|mobilenetv2|mobilenetv1) or a .toml file"}
}

func (d design) withPreset(p presets.Preset) (design, error) {
	g, err := arch.Build(p.Design)
	if err != nil {
		return d, fmt.Errorf("preset %s: %w", p.Name, err)
	}
	d.spec, d.graph, d.preset, d.edited = g.Spec, g, p.Name, false
	return d, nil
}
