package arch

import (
	"fmt"
	"math"
)

// G3FragmentWidth is the channel rule of the G3 micro-network: every
// fragment is a c_k -> c_k 1x1 conv with c_k = round(c / sqrt(k)), so a block
// of k fragments costs k*h*w*c_k^2 ~= h*w*c^2 MAdds, the cost of the
// 1-fragment block (paper Table 3: "the channel number in other fragmented
// structures is adjusted so that the FLOPs is the same as 1-fragment").
func G3FragmentWidth(c, k int) int {
	return g3Fragment(c, k).Channels
}

// g3Fragment is [G3FragmentWidth] with its exact value c/sqrt(k).
func g3Fragment(c, k int) Rounding {
	exact := float64(c) / math.Sqrt(float64(k))
	return Rounding{Exact: exact, Multiple: 1, Channels: max(1, int(math.Round(exact)))}
}

// buildGuideline builds the micro-networks of paper Tables 1-4: Blocks
// stacked blocks on an N x C x Res x Res input (no stem, no classifier).
//   - G1: two 1x1 convs c1 -> c2 -> c1 per block (no BN, no ReLU).
//   - G2: one 1x1 conv c -> c with g groups per block.
//   - G3: k in {1,2,4} 1x1 convs of width G3FragmentWidth(c,k) in series, or
//     in parallel on the block input with one k-input add.
//   - G4: ResNet bottleneck c -> c/4 (1x1) -> c/4 (3x3) -> c (1x1), each conv
//     with BN, ReLU after each (unless NoReLU) and the identity shortcut added
//     before the last ReLU (unless NoShortcut).
func buildGuideline(s Spec) (*Graph, error) {
	cin := s.C
	switch s.Family {
	case GuideG1:
		cin = s.C1
	case GuideG3:
		cin = G3FragmentWidth(s.C, s.Fragments)
	}
	b := newBuilder(s, Shape{N: s.Batch, C: cin, H: s.Res, W: s.ResW})
	var x TensorID
	for i := 0; i < s.Blocks; i++ {
		unit := fmt.Sprintf("block%d", i)
		b.at("blocks", unit)
		switch s.Family {
		case GuideG1:
			y := b.conv(unit+".conv1", x, s.C2, 1, 1, 1)
			x = b.conv(unit+".conv2", y, s.C1, 1, 1, 1)
		case GuideG2:
			x = b.conv(unit+".conv", x, s.C, 1, 1, s.Groups)
		case GuideG3:
			if !s.Parallel || s.Fragments == 1 {
				for f := 0; f < s.Fragments; f++ {
					x = b.conv(fmt.Sprintf("%s.frag%d", unit, f), x, cin, 1, 1, 1)
				}
				continue
			}
			outs := make([]TensorID, s.Fragments)
			for f := range outs {
				outs[f] = b.conv(fmt.Sprintf("%s.frag%d", unit, f), x, cin, 1, 1, 1)
			}
			x = b.sum(unit+".add", outs...)
		case GuideG4:
			m := s.C / 4
			act := OpReLU
			if s.NoReLU {
				act = ""
			}
			y := b.conv(unit+".conv1", x, m, 1, 1, 1)
			y = b.bn(unit+".bn1", y)
			if act != "" {
				y = b.relu(unit+".relu1", y)
			}
			y = b.conv(unit+".conv2", y, m, 3, 1, 1)
			y = b.bn(unit+".bn2", y)
			if act != "" {
				y = b.relu(unit+".relu2", y)
			}
			y = b.conv(unit+".conv3", y, s.C, 1, 1, 1)
			y = b.bn(unit+".bn3", y)
			if !s.NoShortcut {
				y = b.sum(unit+".add", y, x)
			}
			if act != "" {
				y = b.relu(unit+".relu3", y)
			}
			x = y
		}
	}
	return b.finish(x)
}
