package arch

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// v1Stage2 is the stage-2 output width of ShuffleNet v1 1x per group count
// (ShuffleNet v1 paper, Table 1: 144/200/240/272/384; stages 3 and 4 double it).
var v1Stage2 = map[int]int{1: 144, 2: 200, 3: 240, 4: 272, 8: 384}

// ShuffleNetV1Groups are the group counts ShuffleNet v1 defines widths for
// (its paper's Table 1), ascending: the only ones a design without
// explicit channels takes.
func ShuffleNetV1Groups() []int { return slices.Sorted(maps.Keys(v1Stage2)) }

// ShuffleNetV1GroupList is [ShuffleNetV1Groups] as "1|2|3|4|8".
func ShuffleNetV1GroupList() string {
	var parts []string
	for _, g := range ShuffleNetV1Groups() {
		parts = append(parts, strconv.Itoa(g))
	}
	return strings.Join(parts, "|")
}

// ShuffleNetV1Channels maps a width s and group count g to [stem, stage2,
// stage3, stage4]. Stage 2 is Table 1's width times s rounded to a multiple
// of 4g (the bottleneck is a quarter of the output and must divide into g
// groups); the stem is 24, or 12 below 0.75x and 48 from 2x, rounded up to
// a multiple of g so stage 2's first unit widens it by a multiple of g
// (Megvii's widths: g=3 0.5x stem 12, g=8 0.5x stem 16; paper.md 11.1).
func ShuffleNetV1Channels(s float64, g int) [4]int {
	ch, _ := v1WidthRule(s, g)
	return ch
}

// v1WidthRule is [ShuffleNetV1Channels] with its roundings, indexed like
// the channels: the stem's (up to a multiple of g) and stage 2's (to the
// nearest multiple of 4g); stages 3 and 4 double stage 2, so their entries
// are nil.
func v1WidthRule(s float64, g int) ([4]int, [4]*Rounding) {
	base := v1Stage2[g]
	r2 := nearestMultiple(float64(base)*s, 4*g)
	stem := 24
	switch {
	case s < 0.75:
		stem = 12
	case s >= 2:
		stem = 48
	}
	r0 := Rounding{Exact: float64(stem), Multiple: g, Channels: (stem + g - 1) / g * g}
	c2 := r2.Channels
	return [4]int{r0.Channels, c2, 2 * c2, 4 * c2}, [4]*Rounding{&r0, &r2}
}

// v1StageChannels are the design's [stem, stage2, stage3, stage4]
// channels, explicit or from the width rule, and the width rule's
// roundings (v1WidthRule; none for explicit channels).
func v1StageChannels(s Spec) ([4]int, [4]*Rounding) {
	if len(s.Channels) == 4 {
		var ch [4]int
		copy(ch[:], s.Channels)
		return ch, [4]*Rounding{}
	}
	return v1WidthRule(s.Width, s.Groups)
}

// v1Stage2Fits reports whether stage 2 of ch is wider than the stem by a
// positive multiple of g: its first unit concatenates the pooled stem with
// a grouped branch of the difference.
func v1Stage2Fits(ch [4]int, g int) bool {
	d := ch[1] - ch[0]
	return d >= 1 && d%g == 0
}

// buildShuffleNetV1 builds ShuffleNet v1 as in the v1 paper (Fig. 2 b/c)
// and Megvii's code: 1x1 group conv + BN + ReLU, channel shuffle, 3x3 dw
// (stride) + BN, 1x1 group conv + BN; stride 1 adds the identity then ReLU;
// stride 2 concatenates a 3x3 s2 average pool of the input with the ReLU'd
// branch. The very first 1x1 of stage 2 is not grouped. Head: global
// average pool and FC with bias.
func buildShuffleNetV1(s Spec, in Shape) (*Graph, error) {
	if err := checkResolution(s, 32); err != nil {
		return nil, err
	}
	g := s.Groups
	ch, _ := v1StageChannels(s)
	if len(s.Channels) == 0 && !v1Stage2Fits(ch, g) {
		return nil, narrowWidthErr(s, fmt.Sprintf("for ShuffleNet v1 groups %d", g),
			fmt.Sprintf("stage 2 would have %d channels, no wider than the stem's %d", ch[1], ch[0]),
			func(w float64) bool { return v1Stage2Fits(ShuffleNetV1Channels(w, g), g) })
	}
	b := newBuilder(s, in)
	x := b.shuffleStem("conv1", ch[0])
	for si := 0; si < 3; si++ {
		c := ch[si+1]
		stage := fmt.Sprintf("stage%d", si+2)
		if c%4 != 0 || (c/4)%g != 0 || c%g != 0 {
			return nil, knobErr("channels", intList(ch[:]), fmt.Sprintf("stage widths divisible by 4 x groups (%d)", 4*g), stage+" has "+fmt.Sprint(c))
		}
		mid := c / 4
		for u := 0; u < s.Depths[si]; u++ {
			unit := fmt.Sprintf("%s.%d", stage, u)
			b.at(stage, unit)
			inp := b.shape(x).C
			stride, cout := 1, c
			if u == 0 {
				stride, cout = 2, c-inp
				if cout < 1 || cout%g != 0 {
					return nil, knobErr("channels", intList(ch[:]), fmt.Sprintf("%s wider than its input (%d) by a multiple of groups", stage, inp), "")
				}
			}
			g1 := g
			if si == 0 && u == 0 {
				g1 = 1
			}
			y := b.conv(unit+".gconv1", x, mid, 1, 1, g1)
			y = b.bn(unit+".bn1", y)
			y = b.relu(unit+".relu1", y)
			if g > 1 {
				y = b.shuffle(unit+".shuffle", y, GroupShufflePerm(mid, g), g)
			}
			y = b.conv(unit+".dwconv", y, mid, 3, stride, mid)
			y = b.bn(unit+".bn2", y)
			y = b.conv(unit+".gconv2", y, cout, 1, 1, g)
			y = b.bn(unit+".bn3", y)
			if u == 0 {
				y = b.relu(unit+".relu", y)
				p := b.pool(unit+".pool", OpAvgPool, x, 3, 2, 1)
				x = b.concat(unit+".concat", p, y)
			} else {
				y = b.sum(unit+".add", y, x)
				x = b.relu(unit+".relu", y)
			}
		}
	}
	b.at("head", "")
	x = b.gap("pool", x)
	x = b.fc("fc", x, s.Classes, true)
	return b.finish(x)
}
