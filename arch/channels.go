package arch

import "fmt"

// Rounding is how a channel rule reached a whole channel count: the rule's
// exact value and the multiple the count was rounded to.
type Rounding struct {
	// Exact is the rule's value before rounding (e.g. 89.6 channels from
	// a width of 0.8, or r·c = 34.8 for a split).
	Exact float64
	// Multiple is what Channels is a multiple of (1: rounded to a whole
	// channel only).
	Multiple int
	// Channels is the count the rule gives: the nearest multiple of
	// Multiple to Exact, at least Multiple (ShuffleNet stages and conv5,
	// [ShuffleNetV2Channels], [ShuffleNetV1Channels]); the next multiple
	// up (ShuffleNet v1's stem); torchvision's _make_divisible, the
	// nearest multiple but never below 90% of Exact (MobileNets); the
	// nearest multiple, possibly 0 (a split's conv branch, refused by the
	// builder when 0).
	Channels int
}

// nearestMultiple rounds exact to the nearest multiple of q, at least q
// (roundTo), keeping the exact value.
func nearestMultiple(exact float64, q int) Rounding {
	return Rounding{Exact: exact, Multiple: q, Channels: roundTo(exact, q)}
}

// Nearest is Exact rounded to the nearest whole channel (at least 1): the
// count before the rounding to a multiple.
func (r Rounding) Nearest() int { return roundTo(r.Exact, 1) }

// StageChannels is the output width of one stage of a graph and how the
// design's channel rules reached it.
type StageChannels struct {
	// Stage is the stage's label ([Graph.Stages]).
	Stage string
	// Channels is the output channels of the stage: of its last op that is
	// not the classifier (global pooling or FC).
	Channels int
	// Width is the width rule's rounding of this stage (Width.Channels =
	// Channels): ShuffleNetV2's stage 2 (to a multiple of 2g, or 4 in the
	// megvii layout) and conv5 above 1.5x (multiple of 8); ShuffleNet v1's
	// stem (up to a multiple of g) and stage 2 (multiple of 4g); every
	// MobileNet stem, stage and last conv (_make_divisible(c·w, 8)); the G3
	// micro-network's fragment width c/sqrt(k). Nil where the stage's
	// channels are not rounded from the width: explicit channels, fixed
	// widths (ShuffleNetV2's stem, conv5 up to 1.5x), stages that double
	// the one before (ShuffleNet stages 3 and 4), the other micro-networks.
	Width *Rounding
	// Split is the channel split of the stage's split ops (its stride-1
	// ShuffleNetV2 units) of its Channels: Exact = r·c, Channels = the conv
	// branch's c', rounded to a multiple of the groups (the megvii layout
	// halves them, r = 0.5). Nil where the stage has no split op.
	Split *Rounding
}

// StageChannels lists every stage's output channels in the order of
// [Graph.Stages] (stages whose only ops are the classifier are left out),
// with the roundings of the width rule and the split by the same helpers
// the builder takes its channels from.
func (g *Graph) StageChannels() []StageChannels {
	widths := widthRoundings(g.Spec)
	var out []StageChannels
	for _, st := range g.Stages() {
		sc := StageChannels{Stage: st}
		var split *Op
		for i := range g.Ops {
			op := &g.Ops[i]
			if op.Stage != st || op.Kind == OpFC || op.Kind == OpGlobalAvgPool {
				continue
			}
			sc.Channels = g.Out(op, 0).C
			if split == nil && op.Kind == OpSplit && len(op.Outputs) == 2 {
				split = op
			}
		}
		if sc.Channels == 0 {
			continue
		}
		if r := widths[st]; r != nil {
			sc.Width = r
		}
		if split != nil {
			r := unitSplit(g.Spec, g.In(split, 0).C)
			sc.Split = &r
		}
		out = append(out, sc)
	}
	return out
}

// unitSplit is the split of a ShuffleNetV2 unit of c channels as the
// builder of the spec's layout splits it.
func unitSplit(s Spec, c int) Rounding {
	if s.Layout == LayoutMegvii {
		return megviiSplit(c)
	}
	return branchSplit(c, s.Split, s.Groups)
}

// widthRoundings are the width rule's roundings of a normalised spec by
// stage label (StageChannels.Width), from the helpers the builders take
// their channels from.
func widthRoundings(s Spec) map[string]*Rounding {
	m := map[string]*Rounding{}
	put := func(stage string, r *Rounding) {
		if r != nil {
			m[stage] = r
		}
	}
	switch s.Family {
	case ShuffleNetV2:
		_, r := snv2StageChannels(s)
		put("stem", r[0])
		for i := 1; i <= 3; i++ {
			put(fmt.Sprintf("stage%d", i+1), r[i])
		}
		put("head", r[4])
	case ShuffleNetV1:
		_, r := v1StageChannels(s)
		put("stem", r[0])
		for i := 1; i <= 3; i++ {
			put(fmt.Sprintf("stage%d", i+1), r[i])
		}
	case MobileNetV2:
		stem, last := mnv2Stem(s.Width), mnv2Last(s.Width)
		put("stem", &stem)
		for si := range mnv2Settings {
			r := mnv2Stage(si, s.Width)
			put(fmt.Sprintf("stage%d", si+1), &r)
		}
		put("head", &last)
	case MobileNetV1:
		stem := mnv1Stem(s.Width)
		put("stem", &stem)
		for _, l := range mnv1Plan(s.Width) {
			put(l.stage, &l.out) // the stage's last layer wins
		}
	case GuideG3:
		r := g3Fragment(s.C, s.Fragments)
		put("blocks", &r)
	}
	return m
}
