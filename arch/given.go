package arch

import (
	"slices"
	"strconv"
	"strings"
)

// widthAndChannels is the error for a design that gives both a width
// multiplier and explicit channels: the channels set every stage's width,
// so the width would be silently dropped.
func widthAndChannels(s Spec) error {
	return knobErr("width", fmtFloat(s.Width), "width or channels, not both",
		"channels "+intList(s.Channels)+" set every stage's width explicitly; give one of them")
}

// Takes reports whether designs of family f take knob (a name of [Knobs],
// or "res_w"): whether the knob may hold other than its default for f.
// Every family takes family, res, res_w and batch. A knob a family does not
// take is refused by [Spec.Validate] when given (layout, split and groups
// are tolerated at their default values).
func (f Family) Takes(knob string) bool {
	switch knob {
	case "family", "res", "res_w", "batch":
		return true
	case "layout", "split":
		return f == ShuffleNetV2
	case "width", "classes":
		return !f.IsGuideline()
	case "groups":
		return f == ShuffleNetV2 || f == ShuffleNetV1 || f == GuideG2
	case "depths", "channels":
		return f == ShuffleNetV2 || f == ShuffleNetV1
	case "c1", "c2":
		return f == GuideG1
	case "c":
		return f == GuideG2 || f == GuideG3 || f == GuideG4
	case "fragments", "parallel":
		return f == GuideG3
	case "no_relu", "no_shortcut":
		return f == GuideG4
	case "blocks":
		return f.IsGuideline()
	}
	return false
}

// clear sets knob back to its zero value, "the family's default".
func (s *Spec) clear(knob string) {
	switch knob {
	case "family":
		s.Family = ""
	case "layout":
		s.Layout = ""
	case "width":
		s.Width = 0
	case "split":
		s.Split = 0
	case "groups":
		s.Groups = 0
	case "depths":
		s.Depths = nil
	case "channels":
		s.Channels = nil
	case "res":
		s.Res, s.ResW = 0, 0
	case "res_w":
		s.ResW = 0
	case "batch":
		s.Batch = 0
	case "classes":
		s.Classes = 0
	case "c1":
		s.C1 = 0
	case "c2":
		s.C2 = 0
	case "c":
		s.C = 0
	case "fragments":
		s.Fragments = 0
	case "parallel":
		s.Parallel = false
	case "no_relu":
		s.NoReLU = false
	case "no_shortcut":
		s.NoShortcut = false
	case "blocks":
		s.Blocks = 0
	}
}

// CheckGiven checks the knobs that were given explicitly (the keys of a
// design file's [design] table, the knob flags typed), named as in [Knobs]
// or "res_w". In a Spec a zero or empty value means "the family's default",
// so a knob given must not hold one: the error is the *KnobError that
// [Spec.Set] gives for such text, with the same valid range (a number 0 is
// "invalid width 0 (valid: 0.05..16)", an empty text or list "invalid
// depths []: empty value (valid: ...)"). A false boolean is a value. A
// width other than 1 and explicit channels must not both be given: the
// channels set every stage's width, the width would be dropped. An unknown
// name is a *KnobError too.
func (s Spec) CheckGiven(knobs ...string) error {
	for _, k := range knobs {
		if k != "res_w" && !slices.Contains(Knobs(), k) {
			return knobErr("knob", strconv.Quote(k), strings.Join(Knobs(), "|"), "unknown knob")
		}
		var empty string // the empty value as shown, for strings and lists
		zero := false
		switch k {
		case "family":
			if s.Family == "" {
				empty = `""`
			}
		case "layout":
			if s.Layout == "" {
				empty = `""`
			}
		case "depths":
			if len(s.Depths) == 0 {
				empty = "[]"
			}
		case "channels":
			if len(s.Channels) == 0 {
				empty = "[]"
			}
		case "res":
			zero = s.Res == 0 // res_w may be left to follow res
		case "res_w":
			zero = s.ResW == 0
		default:
			zero = isZeroKnob(&s, k)
		}
		if empty != "" {
			return knobErr(k, empty, s.emptyValid(k), "empty value")
		}
		if zero {
			return knobErr(k, "0", s.zeroValid(k), "")
		}
	}
	// Width 1 beside channels drops nothing (Validate accepts it): design
	// files saved before width and channels were exclusive hold it.
	if slices.Contains(knobs, "width") && slices.Contains(knobs, "channels") && s.Width != 1 {
		return widthAndChannels(s)
	}
	return nil
}

// crossFamilyKnobs are the knobs a preset keeps when the user types another
// family (where that family takes them): they mean the same, with the same
// valid range, in every family that takes them.
var crossFamilyKnobs = []string{"family", "width", "res", "res_w", "batch", "classes", "depths", "blocks"}

// Override sets the knobs typed by the user (knob name as in [Knobs] ->
// text as typed) over s, a preset's design (or the zero Spec), with
// [Spec.Set] in [Knobs] order, and checks them with [Spec.CheckGiven]. The
// typed knobs win over the preset's; before they are set, the preset's
// values they replace are dropped, so that no error names a knob only the
// preset gave:
//   - a typed family other than the preset's keeps only the preset's
//     knobs that mean the same, with the same range, in the new family
//     and that it takes ([Family.Takes]): width, res, batch, classes,
//     depths and blocks. The others, which the new family does not take
//     or which are the old family's own (layout, split, groups, channels,
//     c1, c2, c, fragments, parallel, no_relu, no_shortcut: a ShuffleNet
//     v1 g=3 is no g2 micro-network's group count), go back to the new
//     family's defaults;
//   - a typed width drops the preset's channels and typed channels drop
//     its width (each sets the stage widths; typing both is an error).
//
// The result is not validated: call [Build] on it.
func (s Spec) Override(typed map[string]string) (Spec, error) {
	if s.Depths != nil {
		s.Depths = slices.Clone(s.Depths)
	}
	if s.Channels != nil {
		s.Channels = slices.Clone(s.Channels)
	}
	if text, ok := typed["family"]; ok {
		from := s.Normalize().Family
		to := Family(strings.ToLower(strings.TrimSpace(text)))
		if to != "" && to != from {
			for _, k := range append(Knobs(), "res_w") {
				_, mine := typed[k]
				if !mine && (!to.Takes(k) || !slices.Contains(crossFamilyKnobs, k)) {
					s.clear(k)
				}
			}
		}
	}
	if _, ok := typed["width"]; ok {
		s.Channels = nil
	}
	if _, ok := typed["channels"]; ok {
		s.Width = 0
	}
	for k := range typed {
		if !slices.Contains(Knobs(), k) {
			return s, knobErr("knob", strconv.Quote(k), strings.Join(Knobs(), "|"), "unknown knob")
		}
	}
	var given []string
	for _, k := range Knobs() {
		text, ok := typed[k]
		if !ok {
			continue
		}
		if err := s.Set(k, text); err != nil {
			return s, err
		}
		given = append(given, k)
	}
	return s, s.CheckGiven(given...)
}
