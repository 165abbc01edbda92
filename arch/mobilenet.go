package arch

import "fmt"

// mnv2Settings are MobileNet v2's inverted-residual settings (t, c, n, s)
// as in torchvision's mobilenetv2.py.
var mnv2Settings = [7][4]int{
	{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
}

// mobileWidth is the MobileNets' width rule: c·w channels rounded by
// torchvision's _make_divisible(c·w, 8).
func mobileWidth(exact float64) Rounding {
	return Rounding{Exact: exact, Multiple: 8, Channels: makeDivisible(exact, 8)}
}

// mnv2Stem, mnv2Stage and mnv2Last are MobileNet v2's widths at width w:
// the stem's 32w, setting row si's output c·w and the last conv's
// 1280·max(1, w), each by mobileWidth.
func mnv2Stem(w float64) Rounding { return mobileWidth(32 * w) }

func mnv2Stage(si int, w float64) Rounding {
	return mobileWidth(float64(mnv2Settings[si][1]) * w)
}

func mnv2Last(w float64) Rounding { return mobileWidth(1280 * max(1.0, w)) }

// buildMobileNetV2 follows torchvision's mobilenet_v2 (IDs features.i.conv.j,
// classifier.1): channels rounded by _make_divisible(c*w, 8), last channel
// 1280*max(1, w), ReLU6, residual add when stride 1 and in == out. Dropout
// is omitted (identity at inference). Stages are the seven setting rows.
func buildMobileNetV2(s Spec, in Shape) (*Graph, error) {
	if err := checkResolution(s, 32); err != nil {
		return nil, err
	}
	b := newBuilder(s, in)
	b.at("stem", "")
	x, _ := b.convBN("features.0", 0, 0, mnv2Stem(s.Width).Channels, 3, 2, 1, OpReLU6)
	idx := 1
	for si, st := range mnv2Settings {
		t, n, stride := st[0], st[2], st[3]
		out := mnv2Stage(si, s.Width).Channels
		stage := fmt.Sprintf("stage%d", si+1)
		for i := 0; i < n; i++ {
			unit := fmt.Sprintf("features.%d", idx)
			idx++
			b.at(stage, unit)
			st := 1
			if i == 0 {
				st = stride
			}
			inp := b.shape(x).C
			hidden := int(float64(inp)*float64(t) + 0.5)
			y := x
			j := 0
			if t != 1 {
				y, _ = b.convBN(fmt.Sprintf("%s.conv.%d", unit, j), 0, y, hidden, 1, 1, 1, OpReLU6)
				j++
			}
			y, _ = b.convBN(fmt.Sprintf("%s.conv.%d", unit, j), 0, y, hidden, 3, st, hidden, OpReLU6)
			j++
			y = b.conv(fmt.Sprintf("%s.conv.%d", unit, j), y, out, 1, 1, 1)
			y = b.bn(fmt.Sprintf("%s.conv.%d", unit, j+1), y)
			if st == 1 && inp == out {
				y = b.sum(unit+".add", x, y)
			}
			x = y
		}
	}
	b.at("head", "")
	last := mnv2Last(s.Width).Channels
	x, _ = b.convBN(fmt.Sprintf("features.%d", idx), 0, x, last, 1, 1, 1, OpReLU6)
	x = b.gap("pool", x)
	x = b.fc("classifier.1", x, s.Classes, true)
	return b.finish(x)
}

// mnv1Layers are MobileNet v1's depthwise-separable layers (output
// channels, stride of the depthwise conv), Howard et al. 2017 Table 1.
var mnv1Layers = [13][2]int{
	{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
	{512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1},
}

// mnv1Layer is one depthwise-separable layer of MobileNet v1 at a width:
// its stage label, the depthwise conv's stride and the pointwise conv's
// output channels.
type mnv1Layer struct {
	stage  string
	stride int
	out    Rounding
}

// mnv1Stem is MobileNet v1's stem width at width w: mobileWidth(32w).
func mnv1Stem(w float64) Rounding { return mobileWidth(32 * w) }

// mnv1Plan lays out MobileNet v1's layers at width w: a new stage begins
// at every stride-2 layer (stage1 is the first layer's), and each layer's
// output is mobileWidth(c·w).
func mnv1Plan(w float64) [len(mnv1Layers)]mnv1Layer {
	var plan [len(mnv1Layers)]mnv1Layer
	stage := 1
	for i, l := range mnv1Layers {
		if l[1] == 2 {
			stage++
		}
		plan[i] = mnv1Layer{stage: fmt.Sprintf("stage%d", stage), stride: l[1], out: mobileWidth(float64(l[0]) * w)}
	}
	return plan
}

// buildMobileNetV1 builds MobileNet v1: 3x3 s2 conv 32, then 13 pairs of
// 3x3 depthwise + BN + ReLU and 1x1 + BN + ReLU, global pool, FC with bias.
// Channels are _make_divisible(c*w, 8) (exact for the published 0.25-1.0
// widths). Stages group layers by resolution.
func buildMobileNetV1(s Spec, in Shape) (*Graph, error) {
	if err := checkResolution(s, 32); err != nil {
		return nil, err
	}
	b := newBuilder(s, in)
	b.at("stem", "")
	x, _ := b.convBN("conv1", 0, 0, mnv1Stem(s.Width).Channels, 3, 2, 1, OpReLU)
	for i, l := range mnv1Plan(s.Width) {
		unit := fmt.Sprintf("layers.%d", i)
		b.at(l.stage, unit)
		cin := b.shape(x).C
		x, _ = b.convBN(unit+".dw", 0, x, cin, 3, l.stride, cin, OpReLU)
		x, _ = b.convBN(unit+".pw", 0, x, l.out.Channels, 1, 1, 1, OpReLU)
	}
	b.at("head", "")
	x = b.gap("pool", x)
	x = b.fc("fc", x, s.Classes, true)
	return b.finish(x)
}
