package arch

import (
	"fmt"
	"strconv"
	"strings"
)

// extremeKnob is a knob with the two ends of its documented range, as
// typed text.
type extremeKnob struct{ name, lo, hi string }

// extremeKnobs lists, for a family, every knob it takes with the ends of
// its documented range (the constants above and the help texts).
func extremeKnobs(f Family) []extremeKnob {
	itoa := strconv.Itoa
	ks := []extremeKnob{{"batch", "1", itoa(MaxBatch)}}
	minRes, maxRes := f.ResRange()
	ks = append(ks, extremeKnob{"res", itoa(minRes), itoa(maxRes)})
	width := extremeKnob{"width", fmtFloat(MinWidth), fmtFloat(MaxWidth)}
	classes := extremeKnob{"classes", "1", itoa(MaxClasses)}
	depths := extremeKnob{"depths", "1,1,1", fmt.Sprintf("%d,%d,%d", MaxDepth, MaxDepth, MaxDepth)}
	channels := func(n int) extremeKnob {
		lo := strings.TrimSuffix(strings.Repeat("1,", n), ",")
		hi := strings.TrimSuffix(strings.Repeat(itoa(MaxChannels)+",", n), ",")
		return extremeKnob{"channels", lo, hi}
	}
	c := extremeKnob{"c", "1", itoa(MaxChannels)}
	blocks := extremeKnob{"blocks", "1", itoa(MaxBlocks)}
	switch f {
	case ShuffleNetV2:
		ks = append(ks, width, extremeKnob{"split", "0.01", "0.99"}, extremeKnob{"groups", "1", itoa(MaxGroups)},
			depths, classes, channels(5), extremeKnob{"layout", string(LayoutTorchvision), string(LayoutMegvii)})
	case ShuffleNetV1:
		ks = append(ks, width, extremeKnob{"groups", "1", "8"}, depths, classes, channels(4))
	case MobileNetV1, MobileNetV2:
		ks = append(ks, width, classes)
	case GuideG1:
		ks = append(ks, extremeKnob{"c1", "1", itoa(MaxChannels)}, extremeKnob{"c2", "1", itoa(MaxChannels)}, blocks)
	case GuideG2:
		ks = append(ks, c, extremeKnob{"groups", "1", itoa(MaxGroups)}, blocks)
	case GuideG3:
		ks = append(ks, c, extremeKnob{"fragments", "1", "4"}, extremeKnob{"parallel", "false", "true"}, blocks)
	case GuideG4:
		ks = append(ks, extremeKnob{"c", "4", itoa(MaxChannels)}, extremeKnob{"no_relu", "false", "true"},
			extremeKnob{"no_shortcut", "false", "true"}, blocks)
	}
	return ks
}

// ExtremeSpecs lists designs at the ends of every documented knob range,
// family by family, for property tests (arch, cost, runner): three base
// designs (the family's defaults, every knob at its least value, every
// knob at its greatest; width rather than explicit channels), and each of
// those with each knob set to each end of its range (channels in place of
// the width). Every one must either build within [MaxWork], with counts
// that fit an int64, or be refused with a *KnobError.
func ExtremeSpecs() []Spec {
	var out []Spec
	for _, f := range Families() {
		knobs := extremeKnobs(f)
		for profile := range 3 {
			base := Spec{Family: f}
			for _, k := range knobs {
				if k.name == "channels" {
					continue // width and channels are alternatives: the variants give channels
				}
				switch profile {
				case 1:
					_ = base.Set(k.name, k.lo) // the texts are valid: Set only parses
				case 2:
					_ = base.Set(k.name, k.hi)
				}
			}
			out = append(out, base)
			for _, k := range knobs {
				for _, v := range []string{k.lo, k.hi} {
					s := base
					if k.name == "channels" {
						s.Width = 0 // explicit channels replace the width (see Spec.Validate)
					}
					_ = s.Set(k.name, v)
					out = append(out, s)
				}
			}
		}
	}
	return out
}
