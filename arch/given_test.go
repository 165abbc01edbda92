package arch

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// knobError asserts err is a *KnobError and returns it.
func knobError(t *testing.T, what string, err error) *KnobError {
	t.Helper()
	var ke *KnobError
	if !errors.As(err, &ke) {
		t.Fatalf("%s: %v, want a *KnobError", what, err)
	}
	return ke
}

// TestZeroValidIsFamilyAware: a zero typed for a knob states the range the
// family has, the same range Validate states for a value out of it
// (audit: 'cost --family g1 --res 0' said 32..8192 where g1 takes
// MinMicroRes..MaxRes = 1..8192; g4's c is 4..MaxChannels since its
// bottleneck is c/4 wide; ShuffleNet v1 defines widths only for groups
// 1|2|3|4|8, its paper's Table 1).
func TestZeroValidIsFamilyAware(t *testing.T) {
	for _, tc := range []struct {
		family     Family
		knob       string
		want       string
		outOfRange string // a value Validate refuses with the same range
	}{
		{GuideG1, "res", fmt.Sprintf("%d..%d", MinMicroRes, MaxRes), "9000"},
		{GuideG3, "res", fmt.Sprintf("%d..%d", MinMicroRes, MaxRes), "9000"},
		{ShuffleNetV2, "res", fmt.Sprintf("%d..%d", MinRes, MaxRes), "16"},
		{MobileNetV1, "res", fmt.Sprintf("%d..%d", MinRes, MaxRes), "16"},
		{GuideG4, "c", fmt.Sprintf("a multiple of 4 in 4..%d", MaxChannels), "3"},
		{GuideG4, "c", fmt.Sprintf("a multiple of 4 in 4..%d", MaxChannels), "7"},
		{GuideG2, "c", fmt.Sprintf("1..%d", MaxChannels), "70000"},
		{ShuffleNetV1, "groups", v1GroupsValid(), "5"},
		{ShuffleNetV2, "groups", fmt.Sprintf("1..%d", MaxGroups), "65"},
		{GuideG1, "groups", "1 for family g1", "2"},
		{MobileNetV2, "groups", "1 for family mobilenetv2", "2"},
		{"", "res", fmt.Sprintf("%d..%d", MinRes, MaxRes), "16"}, // "" is shufflenetv2
		{"G1", "res", fmt.Sprintf("%d..%d", MinMicroRes, MaxRes), "9000"},
	} {
		name := fmt.Sprintf("%s %s", tc.family, tc.knob)
		s := Spec{Family: tc.family}
		ke := knobError(t, name+" 0", s.Set(tc.knob, "0"))
		if ke.Knob != tc.knob || ke.Valid != tc.want {
			t.Errorf("%s 0: %v, want valid %q", name, ke, tc.want)
		}
		s = Spec{Family: tc.family}
		ke = knobError(t, name+" abc", s.Set(tc.knob, "abc"))
		if tc.knob != "res" && ke.Valid != tc.want { // res states its HxW syntax
			t.Errorf("%s abc: %v, want valid %q", name, ke, tc.want)
		}
		s = Spec{Family: tc.family}
		if err := s.Set(tc.knob, tc.outOfRange); err != nil {
			t.Fatalf("%s %s: %v", name, tc.outOfRange, err)
		}
		_, err := Build(s)
		ke = knobError(t, name+" "+tc.outOfRange, err)
		if ke.Knob != tc.knob || ke.Valid != tc.want {
			t.Errorf("%s %s: Build = %v, want valid %q (the same as for 0)", name, tc.outOfRange, ke, tc.want)
		}
	}
}

// TestTooFewChannelsBlamesChannels: explicit channels too narrow for the
// split are the channels' fault, not the split's (audit: '--channels
// 1,1,1,1,1' said 'invalid split 0.5'); the valid range names the fewest
// channels that split. A width-derived stage still blames the split.
func TestTooFewChannelsBlamesChannels(t *testing.T) {
	for _, tc := range []struct {
		spec  Spec
		knob  string
		valid string
	}{
		{Spec{Channels: []int{1, 1, 1, 1, 1}}, "channels", "stage channels >= 2 for split 0.5, groups 1"},
		{Spec{Channels: []int{24, 3, 6, 12, 1024}, Split: 0.01}, "channels", "stage channels >= 50 for split 0.01, groups 1"},
		{Spec{Channels: []int{24, 4, 8, 16, 1024}, Groups: 4}, "channels", "stage channels >= 8 for split 0.5, groups 4"},
		{Spec{Split: 0.001}, "split", ""},
	} {
		_, err := Build(tc.spec)
		ke := knobError(t, tc.spec.String(), err)
		if ke.Knob != tc.knob || tc.valid != "" && ke.Valid != tc.valid {
			t.Errorf("%s: %v, want knob %s valid %q", tc.spec, ke, tc.knob, tc.valid)
		}
		if tc.knob == "channels" && !strings.Contains(ke.Why, "too few for split") {
			t.Errorf("%s: %v, want the reason 'too few for split'", tc.spec, ke)
		}
	}
	// The fewest channels named build.
	if _, err := Build(Spec{Channels: []int{24, 2, 4, 8, 1024}}); err != nil {
		t.Errorf("channels 24,2,4,8,1024: %v", err)
	}
	if _, err := Build(Spec{Channels: []int{24, 50, 100, 200, 1024}, Split: 0.01}); err != nil {
		t.Errorf("channels 24,50,100,200,1024 split 0.01: %v", err)
	}
}

// TestWidthAndChannelsConflict: explicit channels set every stage's width,
// so a width other than 1 (the value Normalize fills in) beside them is
// refused, naming both (audit: '--channels 24,116,232,464,1024 --width 2'
// dropped the width silently). Typed or written, width 1 beside channels
// is accepted too (CheckGiven).
func TestWidthAndChannelsConflict(t *testing.T) {
	ch := []int{24, 116, 232, 464, 1024}
	_, err := Build(Spec{Width: 2, Channels: ch})
	ke := knobError(t, "width 2 + channels", err)
	if ke.Knob != "width" || !strings.Contains(ke.Error(), "channels 24,116,232,464,1024") || ke.Valid != "width or channels, not both" {
		t.Errorf("width 2 + channels: %v", ke)
	}
	_, err = Build(Spec{Family: ShuffleNetV1, Width: 0.5, Channels: []int{24, 240, 480, 960}})
	knobError(t, "v1 width 0.5 + channels", err)
	for _, w := range []float64{0, 1} { // unset, or the normalised default
		if _, err := Build(Spec{Width: w, Channels: ch}); err != nil {
			t.Errorf("width %g + channels: %v", w, err)
		}
	}
	err = Spec{Width: 2, Channels: ch}.CheckGiven("width", "channels")
	if ke := knobError(t, "CheckGiven width channels", err); ke.Knob != "width" || !strings.Contains(ke.Why, "give one of them") {
		t.Errorf("CheckGiven(width, channels) = %v", ke)
	}
	// Width 1 drops nothing: design files saved before the rule hold it.
	if err := (Spec{Width: 1, Channels: ch}).CheckGiven("width", "channels"); err != nil {
		t.Errorf("CheckGiven(width 1, channels) = %v", err)
	}
}

// TestCheckGiven: every knob given explicitly (a design file key) must not
// hold the zero or empty value a Spec reads as the default; the message is
// Set's, with the family's range (audit: '[design] width = 0' ran 1x).
func TestCheckGiven(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		keys []string
		want string // "" = no error
	}{
		{Spec{}, []string{"width"}, "invalid width 0 (valid: 0.05..16)"},
		{Spec{}, []string{"batch"}, "invalid batch 0 (valid: 1..4096)"},
		{Spec{}, []string{"res"}, "invalid res 0 (valid: 32..8192)"},
		{Spec{Family: GuideG1}, []string{"family", "res"}, "invalid res 0 (valid: 1..8192)"},
		{Spec{Res: 224}, []string{"res_w"}, "invalid res_w 0 (valid: 32..8192)"},
		{Spec{}, []string{"split"}, "invalid split 0 (valid: 0 < split < 1)"},
		{Spec{Family: ShuffleNetV1}, []string{"groups"}, "invalid groups 0 (valid: " + v1GroupsValid() + ")"},
		{Spec{Family: GuideG4}, []string{"c"}, "invalid c 0 (valid: a multiple of 4 in 4..65536)"},
		{Spec{}, []string{"family"}, `invalid family "": empty value (valid: ` + familyList() + ")"},
		{Spec{}, []string{"layout"}, `invalid layout "": empty value (valid: torchvision|megvii)`},
		{Spec{Depths: []int{}}, []string{"depths"}, "invalid depths []: empty value (valid: comma-separated integers, e.g. 4,8,4)"},
		{Spec{}, []string{"channels"}, "invalid channels []: empty value (valid: comma-separated integers, e.g. 24,116,232,464,1024)"},
		{Spec{}, []string{"colour"}, `invalid knob "colour"`},
		{Spec{Width: 1.5, Channels: []int{24, 116, 232, 464, 1024}}, []string{"width", "channels"}, "invalid width 1.5: channels 24,116,232,464,1024 set every stage's width explicitly; give one of them (valid: width or channels, not both)"},
		// Given and not zero; false booleans are values; res_w follows res.
		{Spec{Family: GuideG4, Res: 56, NoReLU: false, Parallel: false}, []string{"family", "res", "no_relu", "no_shortcut"}, ""},
		{Spec{Width: 0.5, Batch: 8, Depths: []int{1, 1, 1}}, []string{"width", "batch", "depths"}, ""},
		{Spec{}, nil, ""},
	} {
		err := tc.spec.CheckGiven(tc.keys...)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v of %+v: %v", tc.keys, tc.spec, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%v of %+v: %v, want %q", tc.keys, tc.spec, err, tc.want)
		case err != nil:
			knobError(t, strings.Join(tc.keys, ","), err)
		}
	}
	// Same valid range as Set gives for the typed text "0".
	for _, k := range []string{"width", "split", "groups", "res", "batch", "classes", "c1", "c2", "c", "fragments", "blocks"} {
		var typed Spec
		setErr := knobError(t, k, typed.Set(k, "0"))
		givenErr := knobError(t, k, Spec{}.CheckGiven(k))
		if setErr.Valid != givenErr.Valid || givenErr.Knob != k {
			t.Errorf("%s: CheckGiven %v, Set %v: want the same knob and range", k, givenErr, setErr)
		}
	}
}

// sampleValues are a non-default, otherwise valid value of each knob, for
// a family that takes it (the channel lists per family).
func sampleValue(f Family, knob string) string {
	switch knob {
	case "family":
		return string(f)
	case "layout":
		return "megvii"
	case "width":
		return "0.5"
	case "split":
		return "0.25"
	case "groups":
		return "2"
	case "depths":
		return "2,3,2"
	case "channels":
		if f == ShuffleNetV1 {
			return "24,240,480,960"
		}
		return "24,116,232,464,1024"
	case "res":
		return "64"
	case "batch":
		return "2"
	case "classes":
		return "10"
	case "c1", "c2", "c":
		return "64"
	case "fragments":
		return "2"
	case "blocks":
		return "3"
	}
	return "true" // parallel, no_relu, no_shortcut
}

// TestTakesMatchesValidate: Family.Takes is what Validate enforces: a knob
// the family takes, set alone to a valid non-default value, builds; one it
// does not take is refused naming that knob.
func TestTakesMatchesValidate(t *testing.T) {
	for _, f := range Families() {
		for _, k := range Knobs() {
			if k == "family" {
				continue
			}
			s := Spec{Family: f}
			if err := s.Set(k, sampleValue(f, k)); err != nil {
				t.Fatalf("%s %s: %v", f, k, err)
			}
			if f == ShuffleNetV2 && k == "groups" || f == ShuffleNetV1 && k == "channels" {
				s.Groups = 2 // 116 and 240 divide by 2 and 2x4
			}
			_, err := Build(s)
			if f.Takes(k) && err != nil {
				t.Errorf("%s takes %s, but %s=%s: %v", f, k, k, sampleValue(f, k), err)
			}
			if !f.Takes(k) {
				var ke *KnobError
				if !errors.As(err, &ke) || ke.Knob != k {
					t.Errorf("%s does not take %s, but %s=%s: %v, want a KnobError naming %s", f, k, k, sampleValue(f, k), err, k)
				}
			}
		}
	}
}

// TestOverride: knob flags typed over a preset. A typed family drops the
// preset's knobs the new family does not take (audit: '--preset
// shufflenetv2-1.0 --family mobilenetv2' was refused over the preset's
// depths, which the user never typed; README: knob flags override the
// preset), and its family-specific ones (groups, split, c, ...); knobs
// typed are still checked; width and channels replace each other and
// cannot both be typed.
func TestOverride(t *testing.T) {
	v2 := Spec{Family: ShuffleNetV2, Layout: LayoutTorchvision, Width: 1.5, Split: 0.5, Groups: 1,
		Depths: []int{4, 8, 4}, Res: 224, Batch: 1, Classes: 1000} // presets/designs/shufflenetv2-1.5.toml
	v2ch := Spec{Family: ShuffleNetV2, Channels: []int{24, 116, 232, 464, 1024}, Res: 160}
	g4 := Spec{Family: GuideG4, C: 64, NoReLU: true, Blocks: 5, Res: 28}
	for _, tc := range []struct {
		name  string
		base  Spec
		typed map[string]string
		want  string // the built design's String, or "error: PREFIX"
	}{
		{"family change drops depths, split, layout", v2, map[string]string{"family": "mobilenetv2"}, "mobilenetv2 1.5x"},
		{"family change keeps width, not groups", v2, map[string]string{"family": "ShuffleNetV1"}, "shufflenetv1 1.5x g=3"},
		{"v1 groups are no g2 groups", Spec{Family: ShuffleNetV1, Groups: 3, Depths: []int{2, 2, 2}, Res: 96}, map[string]string{"family": "g2"}, "g2 c=128 g=1 96px"},
		{"micro-network blocks kept", g4, map[string]string{"family": "g3"}, "g3 c=128 1-fragment-series 28px blocks=5"},
		{"family change to a micro-network", v2, map[string]string{"family": "g2"}, "g2 c=128 g=1 224px"},
		{"explicit channels are per family", v2ch, map[string]string{"family": "shufflenetv1"}, "shufflenetv1 1x g=3 160px"},
		{"micro-network to a network", g4, map[string]string{"family": "shufflenetv2"}, "error: invalid res 28 (valid: 32..8192)"},
		{"micro-network to a network, res typed", g4, map[string]string{"family": "shufflenetv2", "res": "224"}, "shufflenetv2 1x"},
		{"same family keeps everything", v2, map[string]string{"family": "shufflenetv2", "split": "0.25"}, "shufflenetv2 1.5x split=0.25"},
		{"typed knob the new family refuses", v2, map[string]string{"family": "mobilenetv2", "depths": "2,2,2"}, "error: invalid depths 2,2,2 (valid: only ShuffleNet families take stage depths)"},
		{"typed zero", v2, map[string]string{"family": "g1", "res": "0"}, `error: invalid res "0" (valid: 1..8192)`},
		{"typed empty family", v2, map[string]string{"family": ""}, `error: invalid family "": empty value`},
		{"typed channels replace the width", v2, map[string]string{"channels": "24,48,96,192,1024"}, "shufflenetv2 channels=24,48,96,192,1024"},
		{"typed width replaces the channels", v2ch, map[string]string{"width": "0.5"}, "shufflenetv2 0.5x 160px"},
		{"width and channels both typed", Spec{}, map[string]string{"width": "2", "channels": "24,116,232,464,1024"}, "error: invalid width 2: channels 24,116,232,464,1024 set every stage's width explicitly; give one of them"},
		{"width 1 and channels both typed: 1 drops nothing", Spec{}, map[string]string{"width": "1", "channels": "24,116,232,464,1024"}, "shufflenetv2 channels=24,116,232,464,1024"},
		{"no preset", Spec{}, map[string]string{"family": "g1", "res": "8"}, "g1 c1=128 c2=128 8px"},
		{"unknown family", v2, map[string]string{"family": "resnet"}, "error: invalid family resnet: unknown family"},
		{"unknown knob", v2, map[string]string{"colour": "red"}, `error: invalid knob "colour"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := v2.String()
			s, err := tc.base.Override(tc.typed)
			if err == nil {
				_, err = Build(s)
			}
			if v2.String() != before || len(v2.Depths) != 3 {
				t.Fatalf("Override changed its receiver's lists")
			}
			got := ""
			if err != nil {
				knobError(t, tc.name, err)
				got = "error: " + err.Error()
			} else {
				got = s.String()
			}
			if want, isErr := strings.CutPrefix(tc.want, "error: "); isErr && !strings.HasPrefix(got, tc.want) || !isErr && got != want {
				t.Errorf("Override(%v) = %q, want %q", tc.typed, got, tc.want)
			}
		})
	}
	// Every family's knobs, overridden by every other family, build.
	for _, from := range Families() {
		base := Spec{Family: from}
		for _, k := range Knobs() {
			if from.Takes(k) && k != "family" && k != "layout" && k != "width" && k != "groups" {
				_ = base.Set(k, sampleValue(from, k))
			}
		}
		if from == ShuffleNetV2 || from == ShuffleNetV1 {
			base.Channels = nil
		}
		if _, err := Build(base); err != nil {
			t.Fatalf("%s base %+v: %v", from, base, err)
		}
		for _, to := range Families() {
			s, err := base.Override(map[string]string{"family": string(to)})
			if err == nil {
				_, err = Build(s)
			}
			if err != nil {
				t.Errorf("%s -> %s: %v", from, to, err)
			}
		}
	}
}

// TestSplitValidRange: a split that leaves a branch empty is refused with
// the valid range in numbers (audit: "a ratio leaving both branches >= 1
// channel (stage 2 has 116 channels, groups 1)" gave no bound), and both
// printed ends build while the next values out do not.
func TestSplitValidRange(t *testing.T) {
	for _, tc := range []struct {
		spec  Spec
		valid string
	}{
		// Stage channels of 1.0x 116,232,464 (paper Table 5): r >= 1/232
		// for stage 2's conv branch, r < 463.5/464 for stage 4's identity.
		{Spec{Split: 0.001}, "0.004311..0.9956 for stage channels 116,232,464, groups 1"},
		{Spec{Split: 0.999}, "0.004311..0.9956 for stage channels 116,232,464, groups 1"},
		// Groups 64: stage 2 is 128 channels; one group of 64 per branch.
		{Spec{Split: 0.01, Groups: 64}, "0.25..0.7499 for stage channels 128,256,512, groups 64"},
	} {
		_, err := Build(tc.spec)
		var ke *KnobError
		if !errors.As(err, &ke) || ke.Knob != "split" || ke.Valid != tc.valid {
			t.Errorf("%+v: %v, want split valid %q", tc.spec, err, tc.valid)
			continue
		}
		lo, hi, _ := strings.Cut(strings.Fields(tc.valid)[0], "..")
		for _, end := range []struct {
			text string
			out  float64 // a value just outside
		}{{lo, -1e-4}, {hi, 1e-4}} {
			r, _ := strconv.ParseFloat(end.text, 64)
			s := tc.spec
			s.Split = r
			if _, err := Build(s); err != nil {
				t.Errorf("%+v: the printed end %s is refused: %v", tc.spec, end.text, err)
			}
			s.Split = r + end.out
			if _, err := Build(s); err == nil {
				t.Errorf("%+v: %g, past the printed end %s, builds", tc.spec, s.Split, end.text)
			}
		}
	}
}

// TestShuffleNetV1Groups: the group counts ShuffleNet v1 takes are those
// its width table has (v1 paper Table 1: 1, 2, 3, 4, 8), and exactly those
// build without explicit channels.
func TestShuffleNetV1Groups(t *testing.T) {
	if got := ShuffleNetV1GroupList(); got != "1|2|3|4|8" {
		t.Errorf("ShuffleNetV1GroupList() = %q", got)
	}
	for g := 1; g <= 9; g++ {
		_, err := Build(Spec{Family: ShuffleNetV1, Groups: g})
		if want := slices.Contains(ShuffleNetV1Groups(), g); (err == nil) != want {
			t.Errorf("groups %d: %v, want it built %v", g, err, want)
		}
	}
}
