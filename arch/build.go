package arch

import (
	"fmt"
	"math"
)

// Build normalises and validates the spec and builds its graph. Invalid
// knobs give a *KnobError; Build never panics on any spec. A design too
// large to count (its [Graph.Work] over [MaxWork]) is an invalid knob
// too: the error names the knob to reduce and its largest valid value.
func Build(s Spec) (*Graph, error) {
	n := s.Normalize()
	if err := n.Validate(); err != nil {
		return nil, err
	}
	g, err := buildValid(n)
	if err != nil {
		return nil, err
	}
	if err := checkWork(n, g); err != nil {
		return nil, err
	}
	return g, nil
}

// buildValid builds the graph of a normalised, validated spec.
func buildValid(n Spec) (*Graph, error) {
	in := Shape{N: n.Batch, C: 3, H: n.Res, W: n.ResW}
	switch n.Family {
	case ShuffleNetV2:
		if n.Layout == LayoutMegvii {
			return buildShuffleNetV2Megvii(n, in)
		}
		return buildShuffleNetV2(n, in)
	case ShuffleNetV1:
		return buildShuffleNetV1(n, in)
	case MobileNetV2:
		return buildMobileNetV2(n, in)
	case MobileNetV1:
		return buildMobileNetV1(n, in)
	case GuideG1, GuideG2, GuideG3, GuideG4:
		return buildGuideline(n)
	}
	return nil, knobErr("family", n.Family, familyList(), "unknown family")
}

// checkResolution reports an input too small for a network that downsamples
// by factor (the feature map would vanish).
func checkResolution(s Spec, factor int) error {
	if s.Res < factor || s.ResW < factor {
		return knobErr("res", fmt.Sprintf("%dx%d", s.Res, s.ResW), fmt.Sprintf(">= %d for %s (it downsamples by %d)", factor, s.Family, factor), "input too small for the strides")
	}
	return nil
}

// roundTo rounds v to the nearest positive multiple of q.
func roundTo(v float64, q int) int {
	n := int(v/float64(q)+0.5) * q
	if n < q {
		n = q
	}
	return n
}

// makeDivisible is torchvision's _make_divisible: round v to a multiple of d,
// at least d, and never more than 10% below v.
func makeDivisible(v float64, d int) int {
	n := int(v+float64(d)/2) / d * d
	if n < d {
		n = d
	}
	if float64(n) < 0.9*v {
		n += d
	}
	return n
}

// minWidthWhere returns the smallest width on a 0.001 grid from MinWidth
// to MaxWidth at which fits holds (fits is monotone in the width for the
// channel rules it is used with), or 0 when none does.
func minWidthWhere(fits func(w float64) bool) float64 {
	for i := int(math.Round(MinWidth * 1000)); i <= int(math.Round(MaxWidth*1000)); i++ {
		if w := float64(i) / 1000; fits(w) {
			return w
		}
	}
	return 0
}

// narrowWidthErr blames the width for channels derived from it that break
// a family's channel rule: the valid range is the widths at which fits
// holds, qualified by which (e.g. "for groups 1").
func narrowWidthErr(s Spec, which, why string, fits func(w float64) bool) error {
	valid := "no width " + which
	if m := minWidthWhere(fits); m > 0 {
		valid = fmt.Sprintf("%s..%g %s", fmtFloat(m), MaxWidth, which)
	}
	return knobErr("width", fmtFloat(s.Width), valid, why)
}
