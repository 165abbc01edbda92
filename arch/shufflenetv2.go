package arch

import (
	"fmt"
	"math"
)

// snv2Columns are the stage-2 and conv5 channels of paper Table 5 at the
// four published widths (stage 3 and 4 double stage 2).
var snv2Columns = [4]struct {
	w      float64
	stage2 int
	conv5  int
}{{0.5, 48, 1024}, {1.0, 116, 1024}, {1.5, 176, 1024}, {2.0, 244, 2048}}

// ShuffleNetV2Channels maps a width multiplier to [stem, stage2, stage3,
// stage4, conv5] channels. At 0.5/1.0/1.5/2.0 it gives paper Table 5
// exactly. Between them stage 2 is interpolated linearly through the table's
// columns; below 0.5 and above 2.0 it scales proportionally from the nearest
// column. Stage 2 is rounded to a multiple of q (2 x groups, so the default
// split gives equal branches divisible by the groups; 4 in the megvii
// layout) and stages 3 and 4 double it. Conv5 is 1024 up to 1.5x, rises
// linearly to 2048 at 2.0x and then scales with the width (multiple of 8).
// The stem is always 24. The rule is monotone in w.
func ShuffleNetV2Channels(w float64, q int) [5]int {
	ch, _ := snv2WidthRule(w, q)
	return ch
}

// snv2WidthRule is [ShuffleNetV2Channels] with its roundings, indexed like
// the channels: stage 2's (to a multiple of q) and conv5's (to a multiple
// of 8, above 1.5x only); the stem is fixed and stages 3 and 4 double
// stage 2, so their entries are nil.
func snv2WidthRule(w float64, q int) ([5]int, [5]*Rounding) {
	cols := snv2Columns
	var s2 float64
	switch {
	case w <= cols[0].w:
		s2 = float64(cols[0].stage2) * w / cols[0].w
	case w >= cols[3].w:
		s2 = float64(cols[3].stage2) * w / cols[3].w
	default:
		for i := 0; i < 3; i++ {
			a, b := cols[i], cols[i+1]
			if w <= b.w {
				t := (w - a.w) / (b.w - a.w)
				s2 = float64(a.stage2) + t*float64(b.stage2-a.stage2)
				break
			}
		}
	}
	var r [5]*Rounding
	r2 := nearestMultiple(s2, q)
	r[1] = &r2
	c2 := r2.Channels
	var c5 int
	switch {
	case w <= 1.5:
		c5 = 1024
	case w < 2.0:
		r5 := nearestMultiple(1024+(w-1.5)/0.5*1024, 8)
		r[4], c5 = &r5, r5.Channels
	default:
		r5 := nearestMultiple(2048*w/2.0, 8)
		r[4], c5 = &r5, r5.Channels
	}
	return [5]int{24, c2, 2 * c2, 4 * c2, c5}, r
}

// branchSplit is the conv-branch width c' = r*c of c channels rounded to
// the nearest multiple of g (possibly 0: [branchWidth] refuses that).
func branchSplit(c int, r float64, g int) Rounding {
	exact := r * float64(c)
	return Rounding{Exact: exact, Multiple: g, Channels: int(math.Round(exact/float64(g))) * g}
}

// megviiSplit is the megvii layout's shuffle-split of c channels (a
// multiple of 4): half of them to the main branch, r = 0.5 exactly.
func megviiSplit(c int) Rounding {
	return Rounding{Exact: float64(c) / 2, Multiple: 1, Channels: c / 2}
}

// branchWidth is the conv-branch width c' = r*c rounded to a multiple of g
// (branchSplit). A ratio that rounds either branch to 0 channels is
// refused, at both ends alike (a tiny ratio is not clamped up to g channels).
func branchWidth(c int, r float64, g int, stageIdx int) (int, error) {
	cb := branchSplit(c, r, g).Channels
	if cb < g || c-cb < 1 {
		branch := "the conv branch"
		if cb >= g {
			branch = "the identity branch"
		}
		return 0, knobErr("split", fmtFloat(r), fmt.Sprintf("a ratio leaving both branches >= 1 channel (stage %d has %d channels, groups %d)", stageIdx+2, c, g), branch+" would have 0 channels")
	}
	return cb, nil
}

// splitValid is the valid range of the split ratio for stages of the
// given channels and groups, in numbers ("0.004311..0.9956 for stage
// channels 116,232,464, groups 1"): a stage of c channels needs
// round(r·c/g) >= 1 and g·round(r·c/g) <= c-1 (branchWidth), so
// g/(2c) <= r < (floor((c-1)/g) + 0.5)·g/c. Both ends are printed with
// four significant digits, rounded inwards, and checked by branchWidth.
func splitValid(chs []int, g int) string {
	lo, hi := 0.0, 1.0
	for _, c := range chs {
		m := (c - 1) / g
		if m < 1 {
			return fmt.Sprintf("none for stage channels %s, groups %d: every stage needs more than %d channels", intList(chs), g, g)
		}
		lo = max(lo, float64(g)/(2*float64(c)))
		hi = min(hi, (float64(m)+0.5)*float64(g)/float64(c))
	}
	works := func(r float64) bool {
		for si, c := range chs {
			if _, err := branchWidth(c, r, g, si); err != nil {
				return false
			}
		}
		return true
	}
	// round returns x to four significant digits, up or down, stepped
	// inwards until branchWidth accepts it.
	round := func(x float64, up bool) (float64, bool) {
		p := math.Pow(10, 3-math.Floor(math.Log10(x)))
		step := 1.0
		if !up {
			step = -1
		}
		v := math.Floor(x * p)
		if up {
			v = math.Ceil(x * p)
		}
		for range 3 {
			if r := v / p; r > 0 && r < 1 && works(r) {
				return r, true
			}
			v += step
		}
		return 0, false
	}
	l, okL := round(lo, true)
	h, okH := round(hi, false)
	if !okL || !okH || l > h {
		return fmt.Sprintf("a ratio leaving both branches >= 1 channel in stage channels %s, groups %d", intList(chs), g)
	}
	return fmt.Sprintf("%s..%s for stage channels %s, groups %d", fmtFloat(l), fmtFloat(h), intList(chs), g)
}

// tooFewChannels blames explicit channels, not the split ratio, for a
// stage too narrow to split: splitErr is branchWidth's error for stage
// stageIdx, of c channels. The valid range names the fewest channels a
// stage needs at this split and groups (the first multiple of groups whose
// branches both get a channel).
func tooFewChannels(s Spec, c, stageIdx int, splitErr error) error {
	plural := "s"
	if c == 1 {
		plural = ""
	}
	why := fmt.Sprintf("stage %d has %d channel%s, too few for split %s", stageIdx+2, c, plural, fmtFloat(s.Split))
	if ke, ok := splitErr.(*KnobError); ok && ke.Why != "" {
		why += " (" + ke.Why + ")"
	}
	valid := "enough channels per stage for both branches of the split"
	for m := s.Groups; m <= MaxChannels; m += s.Groups {
		if _, err := branchWidth(m, s.Split, s.Groups, stageIdx); err == nil {
			valid = fmt.Sprintf("stage channels >= %d for split %s, groups %d", m, fmtFloat(s.Split), s.Groups)
			break
		}
	}
	return knobErr("channels", intList(s.Channels), valid, why)
}

// snv2Multiple is what the width rule rounds stage 2 to in the spec's
// layout: 2g, so the default split gives equal branches divisible by the
// groups; 4 in the megvii layout (its fused shuffle-split asserts
// C % 4 == 0, reference/paper.md on Megvii's blocks.py).
func snv2Multiple(s Spec) int {
	if s.Layout == LayoutMegvii {
		return 4
	}
	return 2 * s.Groups
}

// snv2StageChannels are the design's [stem, stage2, stage3, stage4, conv5]
// channels, explicit or from the width rule with stage 2 rounded to a
// multiple of snv2Multiple, and the width rule's roundings (snv2WidthRule;
// none for explicit channels).
func snv2StageChannels(s Spec) ([5]int, [5]*Rounding) {
	if len(s.Channels) == 5 {
		var ch [5]int
		copy(ch[:], s.Channels)
		return ch, [5]*Rounding{}
	}
	return snv2WidthRule(s.Width, snv2Multiple(s))
}

// buildShuffleNetV2 follows torchvision's shufflenetv2.py: op IDs are its
// module paths (conv1.0, stage2.0.branch1.0, ..., conv5.0, fc), extended by
// the split ratio and groups knobs.
func buildShuffleNetV2(s Spec, in Shape) (*Graph, error) {
	if err := checkResolution(s, 32); err != nil {
		return nil, err
	}
	g := s.Groups
	ch, _ := snv2StageChannels(s)
	b := newBuilder(s, in)
	x := b.shuffleStem("conv1", ch[0])
	for si := 0; si < 3; si++ {
		c := ch[si+1]
		stage := fmt.Sprintf("stage%d", si+2)
		if c%g != 0 {
			return nil, knobErr("groups", g, fmt.Sprintf("a divisor of every stage's channels (%s has %d)", stage, c), "groups must divide the channels")
		}
		cb, err := branchWidth(c, s.Split, g, si)
		if err != nil {
			if len(s.Channels) > 0 { // the channels typed are too few, not the split
				return nil, tooFewChannels(s, c, si, err)
			}
			if ke, ok := err.(*KnobError); ok {
				ke.Valid = splitValid(ch[1:4], g)
			}
			return nil, err
		}
		cl := c - cb
		for u := 0; u < s.Depths[si]; u++ {
			unit := fmt.Sprintf("%s.%d", stage, u)
			b.at(stage, unit)
			var left, right TensorID
			if u == 0 {
				cin := b.shape(x).C
				// branch1: dw 3x3 s2 + BN, 1x1 + BN + ReLU.
				l, _ := b.convBN(unit+".branch1", 0, x, cin, 3, 2, cin, "")
				left, _ = b.convBN(unit+".branch1", 2, l, cl, 1, 1, 1, OpReLU)
				// The first 1x1 of the conv branch is grouped unless its input
				// cannot be (stage 2 reads the 24-channel stem, as in ShuffleNet v1).
				g1 := g
				if cin%g != 0 || si == 0 {
					g1 = 1
				}
				right = b.snv2ConvBranch(unit, x, cb, 2, g1, g)
			} else {
				parts := b.split(unit+".split", x, cl, cb)
				left = parts[0]
				right = b.snv2ConvBranch(unit, parts[1], cb, 1, g, g)
			}
			cat := b.concat(unit+".concat", left, right)
			x = b.shuffle(unit+".shuffle", cat, RifflePerm(cl, cb), shuffleGroups(cl, cb))
		}
	}
	b.at("head", "")
	x, _ = b.convBN("conv5", 0, x, ch[4], 1, 1, 1, OpReLU)
	x = b.gap("pool", x)
	x = b.fc("fc", x, s.Classes, true)
	return b.finish(x)
}

func shuffleGroups(a, b int) int {
	if a == b {
		return 2
	}
	return 0
}

// snv2ConvBranch adds torchvision's branch2: 1x1 (g1 groups) + BN + ReLU,
// [channel shuffle when grouped], dw 3x3 + BN, 1x1 (g groups) + BN + ReLU.
func (b *builder) snv2ConvBranch(unit string, x TensorID, cb, stride, g1, g int) TensorID {
	p := unit + ".branch2"
	y, _ := b.convBN(p, 0, x, cb, 1, 1, g1, OpReLU)
	if g > 1 {
		y = b.shuffle(p+".shuffle", y, GroupShufflePerm(cb, g), g)
	}
	y, _ = b.convBN(p, 3, y, cb, 3, stride, cb, "")
	y, _ = b.convBN(p, 5, y, cb, 1, 1, g, OpReLU)
	return y
}

// megviiStagesFit reports whether every stage of ch is a multiple of 4 and
// wider than its input: a megvii first unit keeps its input in the
// projection branch and adds the difference in the main branch.
func megviiStagesFit(ch [5]int) bool {
	for si := 1; si <= 3; si++ {
		if ch[si]%4 != 0 || ch[si] <= ch[si-1] {
			return false
		}
	}
	return true
}

// buildShuffleNetV2Megvii follows the official Megvii network.py/blocks.py:
// the stride-2 unit keeps the input width on its projection branch and the
// main branch adds oup-inp channels; stride-1 units begin with the fused
// shuffle-split (even channels pass through, odd channels enter the main
// branch) and no shuffle follows the concat; the classifier has no bias.
// IDs are Megvii's module paths (first_conv.0, features.3.branch_main.0, ...).
func buildShuffleNetV2Megvii(s Spec, in Shape) (*Graph, error) {
	if err := checkResolution(s, 32); err != nil {
		return nil, err
	}
	ch, _ := snv2StageChannels(s)
	if len(s.Channels) == 0 && !megviiStagesFit(ch) {
		return nil, narrowWidthErr(s, "in layout megvii",
			fmt.Sprintf("stage 2 would have %d channels, no wider than the stem's %d", ch[1], ch[0]),
			func(w float64) bool { return megviiStagesFit(ShuffleNetV2Channels(w, snv2Multiple(s))) })
	}
	b := newBuilder(s, in)
	x := b.shuffleStem("first_conv", ch[0])
	idx := 0
	for si := 0; si < 3; si++ {
		c := ch[si+1]
		stage := fmt.Sprintf("stage%d", si+2)
		if c%4 != 0 {
			return nil, knobErr("channels", intList(ch[:]), "stage channels divisible by 4 in layout megvii", "")
		}
		mid := c / 2
		for u := 0; u < s.Depths[si]; u++ {
			unit := fmt.Sprintf("features.%d", idx)
			idx++
			b.at(stage, unit)
			if u == 0 {
				inp := b.shape(x).C
				if c-inp < 1 {
					return nil, knobErr("channels", intList(ch[:]), "each stage wider than its input in layout megvii", "")
				}
				p, _ := b.convBN(unit+".branch_proj", 0, x, inp, 3, 2, inp, "")
				p, _ = b.convBN(unit+".branch_proj", 2, p, inp, 1, 1, 1, OpReLU)
				m, _ := b.convBN(unit+".branch_main", 0, x, mid, 1, 1, 1, OpReLU)
				m, _ = b.convBN(unit+".branch_main", 3, m, mid, 3, 2, mid, "")
				m, _ = b.convBN(unit+".branch_main", 5, m, c-inp, 1, 1, 1, OpReLU)
				x = b.concat(unit+".concat", p, m)
			} else {
				sh := b.shuffle(unit+".shuffle", x, EvenOddPerm(c), 0)
				half := megviiSplit(c).Channels
				parts := b.split(unit+".split", sh, half, half)
				m, _ := b.convBN(unit+".branch_main", 0, parts[1], mid, 1, 1, 1, OpReLU)
				m, _ = b.convBN(unit+".branch_main", 3, m, mid, 3, 1, mid, "")
				m, _ = b.convBN(unit+".branch_main", 5, m, c/2, 1, 1, 1, OpReLU)
				x = b.concat(unit+".concat", parts[0], m)
			}
		}
	}
	b.at("head", "")
	x, _ = b.convBN("conv_last", 0, x, ch[4], 1, 1, 1, OpReLU)
	x = b.gap("globalpool", x)
	x = b.fc("classifier.0", x, s.Classes, false)
	return b.finish(x)
}
