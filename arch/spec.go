package arch

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Family names a network family.
type Family string

// The families the explorer can build.
const (
	ShuffleNetV2 Family = "shufflenetv2" // paper Table 5
	ShuffleNetV1 Family = "shufflenetv1" // ShuffleNet v1 paper Table 1
	MobileNetV2  Family = "mobilenetv2"  // torchvision mobilenet_v2
	MobileNetV1  Family = "mobilenetv1"  // MobileNet v1 (Howard et al. 2017)
	GuideG1      Family = "g1"           // paper Table 1: 1x1 convs c1 -> c2 -> c1
	GuideG2      Family = "g2"           // paper Table 2: 1x1 group convs
	GuideG3      Family = "g3"           // paper Table 3: fragmented blocks
	GuideG4      Family = "g4"           // paper Table 4: ResNet bottleneck, ReLU/shortcut on or off
)

// Families lists every family in display order.
func Families() []Family {
	return []Family{ShuffleNetV2, ShuffleNetV1, MobileNetV2, MobileNetV1, GuideG1, GuideG2, GuideG3, GuideG4}
}

// IsGuideline reports whether f is one of the guideline micro-networks.
func (f Family) IsGuideline() bool {
	return f == GuideG1 || f == GuideG2 || f == GuideG3 || f == GuideG4
}

// ResRange is the input size (res and res_w) a design of f may have,
// lo..hi: MinRes..MaxRes for a whole network, which downsamples by 32, and
// MinMicroRes..MaxRes for a micro-network (paper Tables 1-4 run at 56x56;
// no stride to survive). Validation checks it and its messages say it.
func (f Family) ResRange() (lo, hi int) {
	if f.IsGuideline() {
		return MinMicroRes, MaxRes
	}
	return MinRes, MaxRes
}

// Layout selects the ShuffleNetV2 implementation the graph follows.
type Layout string

// ShuffleNetV2 layouts.
const (
	// LayoutTorchvision follows torchvision's shufflenetv2.py (weight-compatible with its state_dict).
	LayoutTorchvision Layout = "torchvision"
	// LayoutMegvii follows the official Megvii code, which reproduces the paper's 41/146/299/591M exactly.
	LayoutMegvii Layout = "megvii"
)

// Spec holds every knob of a design. Zero values mean "the family's
// default"; [Spec.Normalize] fills them in.
type Spec struct {
	Family Family `toml:"family" json:"family"`
	Layout Layout `toml:"layout,omitempty" json:"layout,omitempty"`
	// Width is the width multiplier (1.0 = the paper's 1x).
	Width float64 `toml:"width,omitempty,omitzero" json:"width,omitempty"`
	// Split is ShuffleNetV2's split ratio c'/c: the fraction of a unit's
	// channels that go through the conv branch (paper: 0.5).
	Split float64 `toml:"split,omitempty,omitzero" json:"split,omitempty"`
	// Groups is the group count of the 1x1 convs (ShuffleNet v1 g, ShuffleNetV2
	// conv branch, guideline G2).
	Groups int `toml:"groups,omitempty,omitzero" json:"groups,omitempty"`
	// Depths is the number of units per stage (ShuffleNet: 3 stages).
	Depths []int `toml:"depths,omitempty" json:"depths,omitempty"`
	// Channels lists explicit channels and overrides Width: ShuffleNetV2
	// [stem, stage2, stage3, stage4, conv5]; ShuffleNet v1 [stem, stage2, stage3, stage4].
	Channels []int `toml:"channels,omitempty" json:"channels,omitempty"`
	// Res is the input height; ResW the input width (0 = same as Res).
	Res     int `toml:"res,omitempty,omitzero" json:"res,omitempty"`
	ResW    int `toml:"res_w,omitempty,omitzero" json:"res_w,omitempty"`
	Batch   int `toml:"batch,omitempty,omitzero" json:"batch,omitempty"`
	Classes int `toml:"classes,omitempty,omitzero" json:"classes,omitempty"`

	// Guideline micro-network knobs (paper Tables 1-4).
	C1         int  `toml:"c1,omitempty,omitzero" json:"c1,omitempty"`                   // G1 outer width
	C2         int  `toml:"c2,omitempty,omitzero" json:"c2,omitempty"`                   // G1 inner width
	C          int  `toml:"c,omitempty,omitzero" json:"c,omitempty"`                     // G2/G3/G4 channels
	Fragments  int  `toml:"fragments,omitempty,omitzero" json:"fragments,omitempty"`     // G3: 1, 2 or 4
	Parallel   bool `toml:"parallel,omitempty,omitzero" json:"parallel,omitempty"`       // G3: fragments in parallel
	NoReLU     bool `toml:"no_relu,omitempty,omitzero" json:"no_relu,omitempty"`         // G4: ReLUs removed
	NoShortcut bool `toml:"no_shortcut,omitempty,omitzero" json:"no_shortcut,omitempty"` // G4: shortcut removed
	Blocks     int  `toml:"blocks,omitempty,omitzero" json:"blocks,omitempty"`           // micro-networks: stacked blocks (paper: 10)
}

// Valid ranges of the knobs, shared by validation and help texts.
const (
	MinWidth, MaxWidth = 0.05, 16.0
	MinRes, MaxRes     = 32, 8192
	MinMicroRes        = 1
	MaxBatch           = 4096
	MaxClasses         = 100000
	MaxDepth           = 64
	MaxGroups          = 64
	MaxChannels        = 65536
	MaxBlocks          = 100
)

// KnobError reports an invalid knob value: which knob, the value given and
// the valid range.
type KnobError struct {
	Knob  string // flag / TOML name of the knob, e.g. "width"
	Value string // the value as given
	Valid string // the valid range or set
	Why   string // optional detail
}

// Error says the knob, its value, why, and the valid range.
func (e *KnobError) Error() string {
	v := e.Value
	if v == "" {
		v = `""` // "invalid mode  (valid: ...)" hid that the value was empty
	}
	s := fmt.Sprintf("invalid %s %s", e.Knob, v)
	if e.Why != "" {
		s += ": " + e.Why
	}
	if e.Valid != "" {
		s += " (valid: " + e.Valid + ")"
	}
	return s
}

func knobErr(knob string, value any, valid, why string) error {
	return &KnobError{Knob: knob, Value: fmt.Sprint(value), Valid: valid, Why: why}
}

// Normalize returns a copy of s with every zero-valued knob set to the
// family's default (ShuffleNetV2 1.0x at 224x224, batch 1, 1000 classes).
func (s Spec) Normalize() Spec {
	if s.Family == "" {
		s.Family = ShuffleNetV2
	}
	s.Family = Family(strings.ToLower(string(s.Family)))
	s.Layout = Layout(strings.ToLower(string(s.Layout)))
	if s.Layout == "" && s.Family == ShuffleNetV2 {
		s.Layout = LayoutTorchvision
	}
	if s.Width == 0 {
		s.Width = 1.0
	}
	if s.Batch == 0 {
		s.Batch = 1
	}
	if s.Groups == 0 {
		s.Groups = 1
		if s.Family == ShuffleNetV1 {
			s.Groups = 3
		}
	}
	switch s.Family {
	case ShuffleNetV2, ShuffleNetV1:
		if s.Split == 0 && s.Family == ShuffleNetV2 {
			s.Split = 0.5
		}
		if len(s.Depths) == 0 {
			s.Depths = []int{4, 8, 4}
		}
	}
	if s.Family != ShuffleNetV2 {
		// The split and layout other families tolerate at ShuffleNetV2's
		// defaults (Validate) change nothing: drop them, so the design has
		// one key with or without them (--split 0.5 on ShuffleNet v1 was a
		// second design, measured twice by a sweep, without its preset's
		// name).
		if s.Split == 0.5 {
			s.Split = 0
		}
		if s.Layout == LayoutTorchvision {
			s.Layout = ""
		}
	}
	if s.Family.IsGuideline() {
		if s.Res == 0 {
			s.Res = 56
		}
		if s.Blocks == 0 {
			s.Blocks = 10
		}
		switch s.Family {
		case GuideG1:
			if s.C1 == 0 {
				s.C1 = 128
			}
			if s.C2 == 0 {
				s.C2 = s.C1
			}
		case GuideG3:
			if s.Fragments == 0 {
				s.Fragments = 1
			}
			if s.Fragments == 1 {
				// One fragment runs the same network in series or in
				// parallel: one design, one name and one key (paper
				// Table 3 has one "1-fragment" row).
				s.Parallel = false
			}
		}
		if s.C == 0 && s.Family != GuideG1 {
			s.C = 128
		}
	} else {
		if s.Res == 0 {
			s.Res = 224
		}
		if s.Classes == 0 {
			s.Classes = 1000
		}
	}
	if s.ResW == 0 {
		s.ResW = s.Res
	}
	if s.Depths != nil {
		s.Depths = append([]int(nil), s.Depths...)
	}
	if s.Channels != nil {
		s.Channels = append([]int(nil), s.Channels...)
	}
	return s
}

// Validate checks every knob of a normalised spec and returns a *KnobError
// for the first invalid one. Checks that depend on derived channel counts
// (divisibility by groups, a split leaving a branch empty) happen in Build.
func (s Spec) Validate() error {
	known := false
	for _, f := range Families() {
		if s.Family == f {
			known = true
		}
	}
	if !known {
		return knobErr("family", s.Family, familyList(), "unknown family")
	}
	if s.Family == ShuffleNetV2 && s.Layout != LayoutTorchvision && s.Layout != LayoutMegvii {
		return knobErr("layout", s.Layout, "torchvision|megvii", "unknown layout")
	}
	if s.Family != ShuffleNetV2 && s.Layout != "" && s.Layout != LayoutTorchvision {
		return knobErr("layout", s.Layout, "torchvision", "only ShuffleNetV2 has a megvii layout")
	}
	if math.IsNaN(s.Width) || s.Width < MinWidth || s.Width > MaxWidth {
		return knobErr("width", fmtFloat(s.Width), fmt.Sprintf("%g..%g", MinWidth, MaxWidth), "")
	}
	if s.Family == ShuffleNetV2 {
		if math.IsNaN(s.Split) || s.Split <= 0 || s.Split >= 1 {
			return knobErr("split", fmtFloat(s.Split), "0 < split < 1", "")
		}
		if s.Layout == LayoutMegvii && s.Split != 0.5 {
			return knobErr("split", fmtFloat(s.Split), "0.5 with layout megvii", "the megvii layout's shuffle-split halves the channels; use layout torchvision")
		}
	} else if s.Split != 0 && s.Split != 0.5 {
		return knobErr("split", fmtFloat(s.Split), "only ShuffleNetV2 has a split ratio", "")
	}
	if s.Groups < 1 || s.Groups > MaxGroups {
		return knobErr("groups", s.Groups, s.zeroValid("groups"), "")
	}
	switch s.Family {
	case ShuffleNetV1:
		if _, ok := v1Stage2[s.Groups]; !ok && len(s.Channels) == 0 {
			return knobErr("groups", s.Groups, v1GroupsValid(), "ShuffleNet v1 defines widths for these group counts")
		}
	case ShuffleNetV2:
		if s.Layout == LayoutMegvii && s.Groups != 1 {
			return knobErr("groups", s.Groups, "1 with layout megvii", "")
		}
	case GuideG1, GuideG3, GuideG4, MobileNetV1, MobileNetV2:
		if s.Groups != 1 {
			return knobErr("groups", s.Groups, "1 for family "+string(s.Family), "")
		}
	}
	if s.Family == ShuffleNetV2 || s.Family == ShuffleNetV1 {
		if len(s.Depths) != 3 {
			return knobErr("depths", intList(s.Depths), "three stage depths, e.g. 4,8,4", "")
		}
		for _, d := range s.Depths {
			if d < 1 || d > MaxDepth {
				return knobErr("depths", intList(s.Depths), fmt.Sprintf("each 1..%d", MaxDepth), "")
			}
		}
	} else if len(s.Depths) != 0 {
		return knobErr("depths", intList(s.Depths), "only ShuffleNet families take stage depths", "")
	}
	if len(s.Channels) != 0 {
		want := 0
		switch s.Family {
		case ShuffleNetV2:
			want = 5
		case ShuffleNetV1:
			want = 4
		default:
			return knobErr("channels", intList(s.Channels), "only ShuffleNet families take explicit channels", "")
		}
		if len(s.Channels) != want {
			return knobErr("channels", intList(s.Channels), fmt.Sprintf("%d values", want), "")
		}
		for _, c := range s.Channels {
			if c < 1 || c > MaxChannels {
				return knobErr("channels", intList(s.Channels), fmt.Sprintf("each 1..%d", MaxChannels), "")
			}
		}
		// A width of 1 (what Normalize fills in) scales nothing; any other
		// width would be silently dropped by the explicit channels.
		if s.Width != 0 && s.Width != 1 {
			return widthAndChannels(s)
		}
	}
	minRes, maxRes := s.Family.ResRange()
	if s.Res < minRes || s.Res > maxRes {
		return knobErr("res", s.Res, s.zeroValid("res"), "")
	}
	if s.ResW < minRes || s.ResW > maxRes {
		return knobErr("res", fmt.Sprintf("%dx%d", s.Res, s.ResW), s.zeroValid("res"), "")
	}
	if s.Batch < 1 || s.Batch > MaxBatch {
		return knobErr("batch", s.Batch, fmt.Sprintf("1..%d", MaxBatch), "")
	}
	if !s.Family.IsGuideline() && (s.Classes < 1 || s.Classes > MaxClasses) {
		return knobErr("classes", s.Classes, fmt.Sprintf("1..%d", MaxClasses), "")
	}
	if err := s.validateFamilyKnobs(); err != nil {
		return err
	}
	if s.Family.IsGuideline() {
		if s.Blocks < 1 || s.Blocks > MaxBlocks {
			return knobErr("blocks", s.Blocks, fmt.Sprintf("1..%d", MaxBlocks), "")
		}
		chk := func(name string, v int) error {
			if v < 1 || v > MaxChannels {
				return knobErr(name, v, fmt.Sprintf("1..%d", MaxChannels), "")
			}
			return nil
		}
		switch s.Family {
		case GuideG1:
			if err := chk("c1", s.C1); err != nil {
				return err
			}
			if err := chk("c2", s.C2); err != nil {
				return err
			}
		default:
			if err := chk("c", s.C); err != nil {
				return err
			}
		}
		if s.Family == GuideG2 && s.C%s.Groups != 0 {
			return knobErr("groups", s.Groups, fmt.Sprintf("a divisor of c=%d", s.C), "groups must divide the channels")
		}
		if s.Family == GuideG3 && s.Fragments != 1 && s.Fragments != 2 && s.Fragments != 4 {
			return knobErr("fragments", s.Fragments, "1|2|4", "")
		}
		if s.Family == GuideG4 && (s.C < 4 || s.C%4 != 0) {
			// c/4 is not rounded: c=7 gave a 1-channel bottleneck under
			// the name "g4 c=7".
			return knobErr("c", s.C, s.zeroValid("c"), "the bottleneck is c/4 wide")
		}
	}
	return nil
}

// validateFamilyKnobs refuses a knob the family does not take (c1 on a
// ShuffleNet, classes on a micro-network, ...): a knob given must never be
// silently ignored.
func (s Spec) validateFamilyKnobs() error {
	takes := func(fs ...Family) bool {
		for _, f := range fs {
			if s.Family == f {
				return true
			}
		}
		return false
	}
	for _, k := range []struct {
		name  string
		set   bool
		value any
		ok    bool
		who   string
	}{
		{"c1", s.C1 != 0, s.C1, takes(GuideG1), "only the g1 micro-network takes c1"},
		{"c2", s.C2 != 0, s.C2, takes(GuideG1), "only the g1 micro-network takes c2"},
		{"c", s.C != 0, s.C, takes(GuideG2, GuideG3, GuideG4), "only the g2, g3 and g4 micro-networks take c"},
		{"fragments", s.Fragments != 0, s.Fragments, takes(GuideG3), "only the g3 micro-network takes fragments"},
		{"parallel", s.Parallel, s.Parallel, takes(GuideG3), "only the g3 micro-network takes parallel"},
		{"no_relu", s.NoReLU, s.NoReLU, takes(GuideG4), "only the g4 micro-network takes no_relu"},
		{"no_shortcut", s.NoShortcut, s.NoShortcut, takes(GuideG4), "only the g4 micro-network takes no_shortcut"},
		{"blocks", s.Blocks != 0, s.Blocks, s.Family.IsGuideline(), "only the micro-networks g1-g4 take blocks"},
		{"classes", s.Classes != 0, s.Classes, !s.Family.IsGuideline(), "the micro-networks g1-g4 have no classifier"},
		{"width", s.Width != 0 && s.Width != 1, fmtFloat(s.Width), !s.Family.IsGuideline(), "the micro-networks g1-g4 take channels (c1/c2, c), not a width multiplier"},
	} {
		if k.set && !k.ok {
			return knobErr(k.name, k.value, "not set for family "+string(s.Family), k.who)
		}
	}
	return nil
}

func familyList() string {
	var parts []string
	for _, f := range Families() {
		parts = append(parts, string(f))
	}
	return strings.Join(parts, "|")
}

func intList(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Knobs lists the knob names accepted by [Spec.Set], in display order.
func Knobs() []string {
	return []string{"family", "layout", "width", "split", "groups", "depths", "channels", "res", "batch", "classes",
		"c1", "c2", "c", "fragments", "parallel", "no_relu", "no_shortcut", "blocks"}
}

// Set parses text for one knob (as typed on the command line or in the UI)
// and stores it. A parse error is a *KnobError naming the knob; range checks
// happen in Validate and Build.
func (s *Spec) Set(knob, text string) (err error) {
	text = strings.TrimSpace(text)
	if text == "" {
		// An empty value never means "the default": refuse it like any
		// other bad text (a flag typed as --depths= must not vanish).
		if !slices.Contains(Knobs(), knob) {
			return knobErr("knob", strconv.Quote(knob), strings.Join(Knobs(), "|"), "unknown knob")
		}
		return knobErr(knob, `""`, s.emptyValid(knob), "empty value")
	}
	atoi := func() (int, error) {
		v, err := strconv.Atoi(text)
		if err != nil {
			return 0, knobErr(knob, strconv.Quote(text), s.zeroValid(knob), "not an integer")
		}
		return v, nil
	}
	atof := func() (float64, error) {
		v, err := strconv.ParseFloat(text, 64)
		// Decimal notation only: ParseFloat also takes Go's literal forms,
		// so a typo such as 1_5 was the 15x design and 0x1p-2 was 0.25.
		if err != nil || !decimalNumber(text) || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, knobErr(knob, strconv.Quote(text), s.zeroValid(knob), "not a number")
		}
		return v, nil
	}
	ints := func() ([]int, error) {
		parts := strings.Split(text, ",")
		if len(parts) > 16 {
			return nil, knobErr(knob, strconv.Quote(text), "at most 16 comma-separated integers", "")
		}
		out := make([]int, len(parts))
		for i, p := range parts {
			v, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return nil, knobErr(knob, strconv.Quote(text), s.emptyValid(knob), "")
			}
			out[i] = v
		}
		return out, nil
	}
	boolean := func() (bool, error) {
		v, err := strconv.ParseBool(text)
		if err != nil {
			return false, knobErr(knob, strconv.Quote(text), "true|false", "")
		}
		return v, nil
	}
	// In a Spec, 0 means "the default"; typed text must not smuggle a 0 in.
	zero := func() error {
		return knobErr(knob, strconv.Quote(text), s.zeroValid(knob), "")
	}
	defer func() {
		if err == nil && isZeroKnob(s, knob) {
			err = zero()
		}
	}()
	switch knob {
	case "family":
		s.Family = Family(strings.ToLower(text))
	case "layout":
		s.Layout = Layout(strings.ToLower(text))
	case "width":
		s.Width, err = atof()
	case "split":
		s.Split, err = atof()
	case "groups":
		s.Groups, err = atoi()
	case "depths":
		s.Depths, err = ints()
	case "channels":
		s.Channels, err = ints()
	case "res":
		h, w, ok := strings.Cut(strings.ToLower(text), "x")
		if !ok {
			w = h
		}
		var hv, wv int
		hv, err = strconv.Atoi(strings.TrimSpace(h))
		if err == nil {
			wv, err = strconv.Atoi(strings.TrimSpace(w))
		}
		if err != nil {
			return knobErr(knob, strconv.Quote(text), "an integer or HxW, e.g. 224 or 224x192", "")
		}
		s.Res, s.ResW = hv, wv
	case "batch":
		s.Batch, err = atoi()
	case "classes":
		s.Classes, err = atoi()
	case "c1":
		s.C1, err = atoi()
	case "c2":
		s.C2, err = atoi()
	case "c":
		s.C, err = atoi()
	case "fragments":
		s.Fragments, err = atoi()
	case "parallel":
		s.Parallel, err = boolean()
	case "no_relu":
		s.NoReLU, err = boolean()
	case "no_shortcut":
		s.NoShortcut, err = boolean()
	case "blocks":
		s.Blocks, err = atoi()
	default:
		return knobErr("knob", strconv.Quote(knob), strings.Join(Knobs(), "|"), "unknown knob")
	}
	return err
}

func isZeroKnob(s *Spec, knob string) bool {
	switch knob {
	case "width":
		return s.Width == 0
	case "split":
		return s.Split == 0
	case "groups":
		return s.Groups == 0
	case "res":
		return s.Res == 0 || s.ResW == 0
	case "batch":
		return s.Batch == 0
	case "classes":
		return s.Classes == 0
	case "c1":
		return s.C1 == 0
	case "c2":
		return s.C2 == 0
	case "c":
		return s.C == 0
	case "fragments":
		return s.Fragments == 0
	case "blocks":
		return s.Blocks == 0
	}
	return false
}

// KnobValid says what the knob called knob (its flag / TOML name) accepts
// for the design's family, in the words of its errors ("0.05..16",
// "1|2|4", "comma-separated integers, e.g. 4,8,4", "true|false"); for a
// name that is no knob, "a positive integer".
func (s Spec) KnobValid(knob string) string { return s.emptyValid(knob) }

// emptyValid says what a knob accepts, for the error on an empty value.
func (s Spec) emptyValid(knob string) string {
	switch knob {
	case "family":
		return familyList()
	case "layout":
		return "torchvision|megvii"
	case "depths":
		return "comma-separated integers, e.g. 4,8,4"
	case "channels":
		return "comma-separated integers, e.g. 24,116,232,464,1024"
	case "parallel", "no_relu", "no_shortcut":
		return "true|false"
	}
	return s.zeroValid(knob)
}

// v1GroupsValid is what ShuffleNet v1 accepts as groups: the group counts
// its paper (Table 1) defines stage widths for.
func v1GroupsValid() string { return ShuffleNetV1GroupList() + " (or give --channels)" }

// zeroValid says what a knob accepts for the design's family (and layout),
// for the error on a zero or unparsable value: the same range Validate
// checks, so an error never states a range the family does not have.
// s need not be normalised.
func (s Spec) zeroValid(knob string) string {
	f := Family(strings.ToLower(string(s.Family)))
	if f == "" {
		f = ShuffleNetV2
	}
	switch knob {
	case "width":
		return fmt.Sprintf("%g..%g", MinWidth, MaxWidth)
	case "split":
		return "0 < split < 1"
	case "res", "res_w":
		lo, hi := f.ResRange()
		return fmt.Sprintf("%d..%d", lo, hi)
	case "fragments":
		return "1|2|4"
	case "batch":
		return fmt.Sprintf("1..%d", MaxBatch)
	case "groups":
		switch {
		case f == ShuffleNetV1 && len(s.Channels) == 0:
			return v1GroupsValid()
		case f == ShuffleNetV2 && strings.EqualFold(string(s.Layout), string(LayoutMegvii)):
			return "1 with layout megvii"
		case f == GuideG1 || f == GuideG3 || f == GuideG4 || f == MobileNetV1 || f == MobileNetV2:
			return "1 for family " + string(f)
		}
		return fmt.Sprintf("1..%d", MaxGroups)
	case "classes":
		return fmt.Sprintf("1..%d", MaxClasses)
	case "c":
		if f == GuideG4 { // the bottleneck is c/4 wide
			return fmt.Sprintf("a multiple of 4 in 4..%d", MaxChannels)
		}
		return fmt.Sprintf("1..%d", MaxChannels)
	case "c1", "c2":
		return fmt.Sprintf("1..%d", MaxChannels)
	case "blocks":
		return fmt.Sprintf("1..%d", MaxBlocks)
	}
	return "a positive integer"
}

// decimalNumber reports whether text is a number in decimal notation: an
// optional sign, digits with an optional decimal point (at least one
// digit), an optional exponent ("0.5", "-.5", "1e-3", "16.").
func decimalNumber(text string) bool {
	i := 0
	if i < len(text) && (text[i] == '+' || text[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
		digits++
	}
	if i < len(text) && text[i] == '.' {
		i++
		for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		i++
		if i < len(text) && (text[i] == '+' || text[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(text)
}

// Key is the canonical identity of the design: the JSON of the normalised
// spec. Specs with equal keys build the same graph; results, history
// points, sweep rows and the explorer's current design are told apart by
// it (String is a title for people).
func (s Spec) Key() string {
	b, err := json.Marshal(s.Normalize())
	if err != nil { // a Spec holds only numbers, strings and int slices
		return s.String()
	}
	return string(b)
}

// String is a compact one-line description of the design.
func (s Spec) String() string {
	n := s.Normalize()
	var b strings.Builder
	b.WriteString(string(n.Family))
	switch n.Family {
	case GuideG1:
		fmt.Fprintf(&b, " c1=%d c2=%d", n.C1, n.C2)
	case GuideG2:
		fmt.Fprintf(&b, " c=%d g=%d", n.C, n.Groups)
	case GuideG3:
		mode := "series"
		if n.Parallel {
			mode = "parallel"
		}
		fmt.Fprintf(&b, " c=%d %d-fragment-%s", n.C, n.Fragments, mode)
	case GuideG4:
		fmt.Fprintf(&b, " c=%d relu=%v shortcut=%v", n.C, !n.NoReLU, !n.NoShortcut)
	default:
		if len(n.Channels) > 0 {
			fmt.Fprintf(&b, " channels=%s", intList(n.Channels))
		} else {
			fmt.Fprintf(&b, " %gx", n.Width)
		}
		if n.Family == ShuffleNetV2 {
			if n.Split != 0.5 {
				fmt.Fprintf(&b, " split=%g", n.Split)
			}
			if n.Layout != LayoutTorchvision {
				fmt.Fprintf(&b, " %s", n.Layout)
			}
		}
		if n.Family == ShuffleNetV2 && n.Groups > 1 || n.Family == ShuffleNetV1 {
			fmt.Fprintf(&b, " g=%d", n.Groups)
		}
		if len(n.Depths) > 0 && intList(n.Depths) != "4,8,4" {
			fmt.Fprintf(&b, " depths=%s", intList(n.Depths))
		}
	}
	if n.Res != 224 && !n.Family.IsGuideline() || n.Family.IsGuideline() && n.Res != 56 || n.ResW != n.Res {
		if n.ResW != n.Res {
			fmt.Fprintf(&b, " %dx%d", n.Res, n.ResW)
		} else {
			fmt.Fprintf(&b, " %dpx", n.Res)
		}
	}
	if n.Family.IsGuideline() && n.Blocks != 10 {
		fmt.Fprintf(&b, " blocks=%d", n.Blocks)
	}
	if !n.Family.IsGuideline() && n.Classes != 1000 {
		fmt.Fprintf(&b, " classes=%d", n.Classes)
	}
	if n.Batch != 1 {
		fmt.Fprintf(&b, " batch=%d", n.Batch)
	}
	return b.String()
}
