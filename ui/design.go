package ui

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/presets"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/registry"
)

// design is the state of the knobs: a buildable spec plus how to run it.
type design struct {
	spec    arch.Spec // normalised; arch.Build accepts it
	preset  string    // the preset it was loaded from ("" = none)
	loaded  arch.Spec // the spec as loaded (the preset's, normalised)
	edited  bool      // spec differs from loaded (shown as "*" after the preset)
	backend string
	mode    runner.Mode
	threads int
	kernels string
	// graph is the spec's graph when set or load just built it (so the
	// cost need not build it again); nil otherwise.
	graph *arch.Graph
}

// runLabel names how the design runs, e.g. "native/fused/1t".
func (d design) runLabel() string {
	return fmt.Sprintf("%s/%s/%dt", d.backend, d.mode, d.threads)
}

// request is the run request for the design; it names the preset while
// the design is the preset's (as the command line's results do).
func (d design) request() RunRequest {
	req := RunRequest{Spec: cloneSpec(d.spec), Backend: d.backend, Mode: d.mode, Threads: d.threads, Kernels: d.kernels, Profile: true}
	if !d.edited {
		req.Preset = d.preset
	}
	return req
}

// name is the design's name for labels: its preset, or its spec.
func (d design) name() string {
	if d.preset != "" && !d.edited {
		return d.preset
	}
	return d.spec.String()
}

// knobID names a row of the knobs pane.
type knobID int

// The knobs, in display order.
const (
	kDesign knobID = iota
	kFamily
	kLayout
	kWidth
	kChannels
	kSplit
	kGroups
	kDepth2
	kDepth3
	kDepth4
	kInput
	kBatch
	kClasses
	kBackend
	kMode
	kThreads
	kKernels
	numKnobs
)

var knobLabels = [numKnobs]string{"design", "family", "layout", "width", "channels", "split", "groups",
	"depth s2", "depth s3", "depth s4", "input", "batch", "classes", "backend", "mode", "threads", "kernels"}

// Knob steps: width in tenths (the paper's columns 0.5/1.0/1.5/2.0 are on
// the grid), split in twentieths, input in multiples of 32 (ShuffleNet
// downsamples by 32), batch in powers of two, classes in powers of ten.
const (
	widthStep = 0.1
	splitStep = 0.05
	inputStep = 32
)

// knobEnv is what stepping and setting knobs need besides the design.
type knobEnv struct {
	presets    []presets.Preset
	backends   []Backend
	maxThreads int
}

func (env knobEnv) backendNames() []string {
	var out []string
	for _, b := range env.backends {
		out = append(out, b.Name)
	}
	return out
}

// unavailable says why backend name cannot run here ("" = it can).
func (env knobEnv) unavailable(name string) string { return backendUnavailable(env.backends, name) }

// backendUnavailable says why backend name of bs cannot run here ("" = it
// can, or bs does not list it).
func backendUnavailable(bs []Backend, name string) string {
	for _, b := range bs {
		if b.Name == name {
			return b.Unavailable
		}
	}
	return ""
}

// families are the whole-network families the family knob offers (the
// guideline micro-networks live on the guidelines screen).
func families() []arch.Family {
	var out []arch.Family
	for _, f := range arch.Families() {
		if !f.IsGuideline() {
			out = append(out, f)
		}
	}
	return out
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

// archKnobs are the knobs of arch.Knobs the design's knobs set (the
// design knob, which loads a whole design, and how it runs are none).
var archKnobs = map[knobID]string{kFamily: "family", kLayout: "layout", kWidth: "width", kChannels: "channels",
	kSplit: "split", kGroups: "groups", kDepth2: "depths", kDepth3: "depths", kDepth4: "depths",
	kInput: "res", kBatch: "batch", kClasses: "classes"}

// applies reports whether knob k is a knob of the design: for the knobs
// of the design, whether its family takes it (arch.Family.Takes); the
// kernels, for a CPU backend.
func (d design) applies(k knobID, env knobEnv) bool {
	if name, ok := archKnobs[k]; ok {
		return d.spec.Family.Takes(name)
	}
	if k == kKernels {
		b, err := registry.LookupBackend(d.backend)
		return err == nil && b.CPU
	}
	return true
}

// value is the knob's current value as shown.
func (d design) value(k knobID, env knobEnv) string {
	if !d.applies(k, env) {
		return "-"
	}
	s := d.spec
	switch k {
	case kDesign:
		switch {
		case d.preset == "":
			return "(knobs)"
		case d.edited:
			return d.preset + "*"
		}
		return d.preset
	case kFamily:
		return string(s.Family)
	case kLayout:
		return string(s.Layout)
	case kWidth:
		if len(s.Channels) > 0 {
			return "(channels)"
		}
		return fmtG(s.Width)
	case kChannels:
		if len(s.Channels) == 0 {
			return "(width)"
		}
		return intList(s.Channels)
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
	case kClasses:
		return strconv.Itoa(s.Classes)
	case kBackend:
		if env.unavailable(d.backend) != "" {
			return d.backend + " (unavailable)"
		}
		return d.backend
	case kMode:
		return string(d.mode)
	case kThreads:
		return strconv.Itoa(d.threads)
	case kKernels:
		return d.kernels
	}
	return ""
}

// editText is the text the prompt starts with when enter is pressed.
func (d design) editText(k knobID, env knobEnv) string {
	switch k {
	case kDesign:
		if d.preset != "" {
			return d.preset
		}
		return string(d.spec.Family)
	case kWidth:
		return fmtG(d.spec.Width)
	case kChannels:
		return intList(d.spec.Channels)
	case kBackend:
		return d.backend
	}
	return d.value(k, env)
}

func intList(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func fmtG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// roundTo rounds f to n decimals, so repeated steps stay on the grid.
func roundTo(f float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(f*p) / p
}

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
func clampI(v, lo, hi int) int         { return max(lo, min(hi, v)) }

// cycle returns the name dir steps from cur in names, wrapping round at
// the ends (the knobs of names: family, layout, backend, mode, kernels);
// a cur not in names steps to the first name.
func cycle(names []string, cur string, dir int) string {
	if len(names) == 0 {
		return cur
	}
	i := slices.Index(names, cur)
	if i < 0 {
		i = 0
		dir = 0
	}
	n := len(names)
	return names[((i+dir)%n+n)%n]
}

// nameStep returns the name next to cur by name order in sorted names in
// direction dir (+1/-1), whether or not cur is one of them (a design
// file's name steps to its neighbours by name), wrapping round at the
// ends as cycle does.
func nameStep(sorted []string, cur string, dir int) string {
	if len(sorted) == 0 {
		return cur
	}
	if dir > 0 {
		for _, n := range sorted {
			if n > cur {
				return n
			}
		}
		return sorted[0]
	}
	for _, n := range slices.Backward(sorted) {
		if n < cur {
			return n
		}
	}
	return sorted[len(sorted)-1]
}

// gridStep moves v one step in direction dir (+1/-1) on the grid of
// multiples of step (an off-grid value goes to the next grid value that
// way), kept within lo..hi and rounded to 2 decimals. It never goes the
// other way: where the step would (v outside lo..hi, beyond the end it
// steps toward), v comes back unchanged and the caller says where the
// knob stops.
func gridStep(v, step float64, dir int, lo, hi float64) float64 {
	n := v / step
	next := (math.Floor(n+1e-9) + 1) * step
	if dir < 0 {
		next = (math.Ceil(n-1e-9) - 1) * step
	}
	next = roundTo(clampF(next, lo, hi), 2)
	if dir > 0 && next < v || dir < 0 && next > v {
		return v
	}
	return next
}

// multipleStep is the next multiple of step above (dir +1) or below (-1)
// v: a typed value off the grid steps onto it (input 100 -> 128 or 96).
func multipleStep(v, step, dir int) int {
	if dir > 0 {
		return (v/step + 1) * step
	}
	return (v+step-1)/step*step - step
}

// powerStep is the next power of base above (dir +1) or below (-1) v, at
// least 1: a typed value off the grid steps onto it (batch 3 -> 4 or 2,
// classes 256 -> 1000 or 100).
func powerStep(v, base, dir int) int {
	p := 1
	for p <= v/base {
		p *= base
	}
	// p is the largest power of base <= v (1 for v < base).
	if dir > 0 {
		return p * base
	}
	if p < v {
		return p
	}
	return max(1, p/base)
}

// v1GroupStep is the next of ShuffleNet v1's group counts
// (arch.ShuffleNetV1Groups) above (dir +1) or below (-1) g, or g where
// there is none.
func v1GroupStep(g, dir int) int {
	v1Groups := arch.ShuffleNetV1Groups()
	if dir > 0 {
		for _, x := range v1Groups {
			if x > g {
				return x
			}
		}
		return g
	}
	for _, x := range slices.Backward(v1Groups) {
		if x < g {
			return x
		}
	}
	return g
}

// step returns the text of knob k moved one step in direction dir (+1/-1),
// and what the knob accepts, for a "stops at" message where the step
// cannot go on ("valid: 1..64"); ok is false for knobs that are typed, not
// stepped. A numeric knob's step never goes against dir (see
// [steppedBack]).
func (d design) step(k knobID, dir int, env knobEnv) (text, valid string, ok bool) {
	s := d.spec
	switch k {
	case kDesign:
		// By name from the preset's name, a design file's, or else the
		// family's (a design the family knob made): to its neighbours.
		var names []string
		for _, p := range env.presets {
			names = append(names, p.Name)
		}
		slices.Sort(names)
		return nameStep(names, d.editText(kDesign, env), dir), "", true
	case kFamily:
		var names []string
		for _, f := range families() {
			names = append(names, string(f))
		}
		return cycle(names, string(s.Family), dir), "", true
	case kLayout:
		return cycle([]string{string(arch.LayoutTorchvision), string(arch.LayoutMegvii)}, string(s.Layout), dir), "", true
	case kWidth:
		return fmtG(gridStep(s.Width, widthStep, dir, arch.MinWidth, arch.MaxWidth)),
			fmt.Sprintf("valid: %g..%g", arch.MinWidth, arch.MaxWidth), true
	case kSplit:
		return fmtG(gridStep(s.Split, splitStep, dir, splitStep, 1-splitStep)),
			fmt.Sprintf("steps %g..%g; enter types any 0 < split < 1", splitStep, 1-splitStep), true
	case kGroups:
		if s.Family == arch.ShuffleNetV1 {
			return strconv.Itoa(v1GroupStep(s.Groups, dir)), "valid: " + arch.ShuffleNetV1GroupList() + " (ShuffleNet v1 paper Table 1)", true
		}
		return strconv.Itoa(clampI(s.Groups+dir, 1, arch.MaxGroups)), fmt.Sprintf("valid: 1..%d", arch.MaxGroups), true
	case kDepth2, kDepth3, kDepth4:
		return strconv.Itoa(clampI(s.Depths[k-kDepth2]+dir, 1, arch.MaxDepth)), fmt.Sprintf("valid: 1..%d", arch.MaxDepth), true
	case kInput:
		lo, hi := s.Family.ResRange() // what arch validates: 32..8192, 1..8192 for a micro-network
		h := clampI(multipleStep(s.Res, inputStep, dir), lo, hi)
		w := clampI(multipleStep(s.ResW, inputStep, dir), lo, hi)
		valid := fmt.Sprintf("valid: %d..%d", lo, hi)
		if h == w {
			return strconv.Itoa(h), valid, true
		}
		return fmt.Sprintf("%dx%d", h, w), valid, true
	case kBatch:
		return strconv.Itoa(clampI(powerStep(s.Batch, 2, dir), 1, arch.MaxBatch)), fmt.Sprintf("valid: 1..%d", arch.MaxBatch), true
	case kClasses:
		return strconv.Itoa(clampI(powerStep(s.Classes, 10, dir), 1, arch.MaxClasses)), fmt.Sprintf("valid: 1..%d", arch.MaxClasses), true
	case kBackend:
		return cycle(env.backendNames(), d.backend, dir), "", true
	case kMode:
		return cycle(registry.ModeNames(), string(d.mode), dir), "", true
	case kThreads:
		hi := max(1, min(env.maxThreads, registry.MaxThreads))
		return strconv.Itoa(clampI(d.threads+dir, 1, hi)), fmt.Sprintf("valid: 1..%d (this machine's threads)", hi), true
	case kKernels:
		return cycle(registry.KernelSets(), d.kernels, dir), "", true
	}
	return "", "", false
}

// steppedBack reports whether the step of numeric knob k from text from to
// text to goes against dir or nowhere: a number (or each of an input's
// HxW) that moved the other way, or none that moved dir's way. Knobs that
// cycle through names (design, family, backend, ...) never step back.
func steppedBack(k knobID, from, to string, dir int) bool {
	switch k {
	case kDesign, kFamily, kLayout, kChannels, kBackend, kMode, kKernels:
		return false
	}
	fs, ts := strings.Split(from, "x"), strings.Split(to, "x")
	if len(fs) != len(ts) {
		fs, ts = fs[:1], ts[:1] // "224" against "224x192": the height
	}
	moved := false
	for i := range fs {
		a, errA := strconv.ParseFloat(fs[i], 64)
		b, errB := strconv.ParseFloat(ts[i], 64)
		if errA != nil || errB != nil {
			return from == to
		}
		switch {
		case (b-a)*float64(dir) < 0:
			return true
		case b != a:
			moved = true
		}
	}
	return !moved
}

// knobError says err, from setting knob k to text, in the screen's words:
// arch calls the input knob "res" ("invalid res 31 (valid: 32..8192)"),
// the screen "input"; a stage's depth "depths 0,8,4 (valid: each
// 1..64)", the screen "depth s2 0 (valid: 1..64)"; and where arch points
// to the command line's --channels flag, the screen has a channels knob.
// The rest of arch's message stays as it is.
func knobError(k knobID, text string, err error) error {
	var ke *arch.KnobError
	if !errors.As(err, &ke) {
		return err
	}
	ui := *ke
	switch {
	case ke.Knob == "res" || ke.Knob == "res_w":
		ui.Knob = knobLabels[kInput]
	case ke.Knob == "depths" && k >= kDepth2 && k <= kDepth4:
		ui.Knob, ui.Value, ui.Valid = knobLabels[k], text, strings.TrimPrefix(ke.Valid, "each ")
	}
	ui.Valid = strings.ReplaceAll(ui.Valid, "--channels", "the channels knob")
	ui.Why = strings.ReplaceAll(ui.Why, "--channels", "the channels knob")
	if ui == *ke {
		return err
	}
	if err == error(ke) {
		return &ui
	}
	return fmt.Errorf("%s", strings.Replace(err.Error(), ke.Error(), ui.Error(), 1))
}

// set parses text for knob k and returns the new design, or an error that
// names the knob, the value and the valid range; d itself is never changed.
func (d design) set(k knobID, text string, env knobEnv) (design, error) {
	text = strings.TrimSpace(text)
	if !d.applies(k, env) {
		why := "not a knob of " + d.what()
		if k == kKernels {
			why = kernelsOnlyCPU(d.backend)
		}
		return d, &arch.KnobError{Knob: knobLabels[k], Value: text, Why: why}
	}
	d.graph = nil
	switch k {
	case kDesign:
		return d.load(text, env)
	case kFamily:
		return d.withFamily(text)
	case kBackend:
		if _, err := registry.LookupBackend(text); err != nil || !slices.Contains(env.backendNames(), text) {
			return d, &arch.KnobError{Knob: "backend", Value: strconv.Quote(text), Valid: registry.List(env.backendNames())}
		}
		d.backend = text
		return d, nil
	case kMode:
		m, err := runner.ParseMode(strings.ToLower(text))
		if err != nil {
			return d, err
		}
		d.mode = m
		return d, nil
	case kThreads:
		n, err := strconv.Atoi(text)
		hi := max(1, min(env.maxThreads, registry.MaxThreads))
		if err != nil || n < 1 || n > hi {
			return d, &arch.KnobError{Knob: "threads", Value: strconv.Quote(text), Valid: fmt.Sprintf("1..%d", hi)}
		}
		d.threads = n
		return d, nil
	case kKernels:
		if err := registry.CheckKernels(text); err != nil {
			return d, err
		}
		d.kernels = text
		return d, nil
	}
	s := cloneSpec(d.spec)
	var err error
	switch k {
	case kLayout:
		err = s.Set("layout", text)
	case kWidth:
		s.Channels = nil
		err = s.Set("width", text)
	case kChannels:
		// Explicit channels replace the width rule (arch refuses a width
		// beside them); empty goes back to the rule at the default width.
		s.Width = 0
		if text == "" {
			s.Channels = nil
		} else {
			err = s.Set("channels", text)
		}
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
	case kClasses:
		err = s.Set("classes", text)
	}
	if err != nil {
		return d, knobError(k, text, err)
	}
	g, err := arch.Build(s)
	if err != nil {
		return d, knobError(k, text, err)
	}
	d.spec, d.graph = g.Spec, g
	d.edited = d.preset != "" && d.spec.Key() != d.loaded.Key()
	return d, nil
}

// what names the design's family for messages.
func (d design) what() string { return string(d.spec.Family) }

// notAKnob says why knob k does not apply to d (applies is false): the
// family does not take it, or, for the kernels, the backend is not the
// CPU's ("kernels is not a knob of shufflenetv2" blamed the family).
func (d design) notAKnob(k knobID) string {
	if k == kKernels {
		return knobLabels[k] + ": " + kernelsOnlyCPU(d.backend)
	}
	return fmt.Sprintf("%s is not a knob of %s", knobLabels[k], d.what())
}

// kernelsOnlyCPU is why the kernels knob does not apply to backend.
func kernelsOnlyCPU(backend string) string {
	return "the native kernel sets apply to the CPU backend only, not to " + backend
}

// load loads a preset by name, a design file by path, or a fresh design
// of a family.
func (d design) load(text string, env knobEnv) (design, error) {
	for _, p := range env.presets {
		if p.Name == text {
			return d.withPreset(p)
		}
	}
	if strings.HasSuffix(text, ".toml") || strings.ContainsRune(text, '/') || strings.ContainsRune(text, filepath.Separator) {
		p, err := presets.Load(text)
		if err != nil {
			return d, err
		}
		return d.withPreset(p)
	}
	if nd, err := d.withFamily(text); err == nil {
		return nd, nil
	}
	return d, &arch.KnobError{Knob: "design", Value: strconv.Quote(text),
		Valid: "a preset name (see the presets screen), a family (" + familyList() + ") or a .toml file"}
}

func familyList() string {
	var names []string
	for _, f := range families() {
		names = append(names, string(f))
	}
	return strings.Join(names, "|")
}

// withFamily changes the design's family by the command line's rule for a
// --family over a preset (arch.Spec.Override of the family alone): the
// knobs the new family takes that mean the same in it (width, depths,
// input, batch, classes) are kept, every other knob starts at the new
// family's default. The result is a newly loaded design (the deltas'
// reference); it keeps the preset's name only while it is the preset's
// design (the current family typed again), as a result of the command
// line does.
func (d design) withFamily(text string) (design, error) {
	f := arch.Family(strings.ToLower(strings.TrimSpace(text)))
	if !slices.Contains(families(), f) {
		return d, &arch.KnobError{Knob: "family", Value: strconv.Quote(text), Valid: familyList()}
	}
	// The other knobs' errors in the screen's words ("input", not "res").
	s, err := d.spec.Override(map[string]string{"family": string(f)})
	if err != nil {
		return d, knobError(kFamily, text, err)
	}
	g, err := arch.Build(s)
	if err != nil {
		return d, knobError(kFamily, text, fmt.Errorf("family %s: %w", f, err))
	}
	if d.preset == "" || g.Spec.Key() != d.loaded.Key() {
		d.preset = ""
	}
	d.spec, d.graph, d.loaded, d.edited = g.Spec, g, g.Spec, false
	return d, nil
}

func (d design) withPreset(p presets.Preset) (design, error) {
	g, err := arch.Build(p.Design)
	if err != nil {
		return d, fmt.Errorf("preset %s: %w", p.Name, err)
	}
	d.spec, d.graph, d.preset, d.loaded, d.edited = g.Spec, g, p.Name, g.Spec, false
	return d, nil
}
