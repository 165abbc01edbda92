package arch

import "fmt"

// mnv2Settings are MobileNet v2's inverted-residual settings (t, c, n, s)
// as in torchvision's mobilenetv2.py.
var mnv2Settings = [7][4]int{
	{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
}

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
	x, _ := b.convBN("features.0", 0, 0, makeDivisible(32*s.Width, 8), 3, 2, 1, OpReLU6)
	idx := 1
	for si, st := range mnv2Settings {
		t, c, n, stride := st[0], st[1], st[2], st[3]
		out := makeDivisible(float64(c)*s.Width, 8)
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
	last := makeDivisible(1280*max(1.0, s.Width), 8)
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
	x, _ := b.convBN("conv1", 0, 0, makeDivisible(32*s.Width, 8), 3, 2, 1, OpReLU)
	stage := 1
	for i, l := range mnv1Layers {
		if l[1] == 2 {
			stage++
		}
		unit := fmt.Sprintf("layers.%d", i)
		b.at(fmt.Sprintf("stage%d", stage), unit)
		cin := b.shape(x).C
		x, _ = b.convBN(unit+".dw", 0, x, cin, 3, l[1], cin, OpReLU)
		x, _ = b.convBN(unit+".pw", 0, x, makeDivisible(float64(l[0])*s.Width, 8), 1, 1, 1, OpReLU)
	}
	b.at("head", "")
	x = b.gap("pool", x)
	x = b.fc("fc", x, s.Classes, true)
	return b.finish(x)
}
