"""PyTorch reference models for the explorer's fixtures and checks.

- ShuffleNet V2 and MobileNet V2 come from torchvision unchanged.
- ShuffleNetV1 is written here (torchvision has none), with the module names that the
  explorer's weight loader expects; see runner/testdata/README.md for the exact design.

`build(spec)` turns a design dict (the JSON stored under "spec" in a fixture's metadata)
into an nn.Module.
"""

import torch
from torch import nn
import torchvision

# torchvision builder name -> (stages_repeats, stages_out_channels); source: the builders of
# pytorch/vision torchvision/models/shufflenetv2.py (shufflenet_v2_x0_5 .. shufflenet_v2_x2_0).
SNV2_WIDTHS = {
    "shufflenet_v2_x0_5": ([4, 8, 4], [24, 48, 96, 192, 1024]),
    "shufflenet_v2_x1_0": ([4, 8, 4], [24, 116, 232, 464, 1024]),
    "shufflenet_v2_x1_5": ([4, 8, 4], [24, 176, 352, 704, 1024]),
    "shufflenet_v2_x2_0": ([4, 8, 4], [24, 244, 488, 976, 2048]),
}


def channel_shuffle(x, groups):
    """torchvision-style shuffle: view (N, g, C/g, H, W) -> transpose(1, 2) -> flatten."""
    n, c, h, w = x.shape
    x = x.view(n, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(n, c, h, w)


class ShuffleV1Unit(nn.Module):
    """ShuffleNet v1 unit (Zhang et al. 2017, Fig. 2b/2c).

    gconv1 (1x1, groups g1) -> bn1 -> ReLU -> shuffle(g, when g > 1) -> dwconv (3x3, stride)
    -> bn2 -> gconv2 (1x1, groups g) -> bn3; stride 2: cat([avgpool(x), relu(branch)]);
    stride 1: relu(branch + x).
    """

    def __init__(self, inp, out, stride, groups, first_grouped):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride {stride}: must be 1 or 2")
        self.stride = stride
        self.groups = groups
        mid = out // 4
        out_branch = out - inp if stride == 2 else out
        if stride == 1 and inp != out:
            raise ValueError(f"stride-1 unit needs inp == out, got {inp} -> {out}")
        g1 = groups if first_grouped else 1
        self.gconv1 = nn.Conv2d(inp, mid, 1, 1, 0, groups=g1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.dwconv = nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.gconv2 = nn.Conv2d(mid, out_branch, 1, 1, 0, groups=groups, bias=False)
        self.bn3 = nn.BatchNorm2d(out_branch)
        self.shortcut = nn.AvgPool2d(3, 2, 1, count_include_pad=True) if stride == 2 else None

    def forward(self, x):
        y = torch.relu(self.bn1(self.gconv1(x)))
        if self.groups > 1:
            y = channel_shuffle(y, self.groups)
        y = self.bn2(self.dwconv(y))
        y = self.bn3(self.gconv2(y))
        if self.stride == 2:
            return torch.cat([self.shortcut(x), torch.relu(y)], 1)
        return torch.relu(y + x)


class ShuffleNetV1(nn.Module):
    """ShuffleNet v1: conv1 (3x3 s2) + BN + ReLU, maxpool 3x3 s2, stage2..4, mean pool, fc.

    The very first unit of stage2 has an ungrouped gconv1 (paper: too few input channels).
    """

    def __init__(self, groups, stem, repeats, channels, num_classes):
        super().__init__()
        if len(repeats) != 3 or len(channels) != 3:
            raise ValueError("ShuffleNetV1 needs 3 stage depths and 3 stage widths")
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, stem, 3, 2, 1, bias=False),
            nn.BatchNorm2d(stem),
            nn.ReLU(inplace=True),
        )
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inp = stem
        for i, (reps, out) in enumerate(zip(repeats, channels)):
            units = []
            for j in range(reps):
                first_grouped = not (i == 0 and j == 0)
                units.append(ShuffleV1Unit(inp, out, 2 if j == 0 else 1, groups, first_grouped))
                inp = out
            setattr(self, f"stage{i + 2}", nn.Sequential(*units))
        self.fc = nn.Linear(inp, num_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.stage4(self.stage3(self.stage2(x)))
        return self.fc(x.mean([2, 3]))


def build(spec):
    """Build the nn.Module a design dict describes (see runner/testdata/README.md)."""
    fam = spec.get("family")
    if fam == "shufflenet_v2":
        return torchvision.models.ShuffleNetV2(
            stages_repeats=list(spec["stages_repeats"]),
            stages_out_channels=list(spec["stages_out_channels"]),
            num_classes=int(spec["num_classes"]),
        )
    if fam == "mobilenet_v2":
        return torchvision.models.mobilenet_v2(
            weights=None, width_mult=float(spec["width_mult"]), num_classes=int(spec["num_classes"])
        )
    if fam == "shufflenet_v1":
        return ShuffleNetV1(
            groups=int(spec["groups"]),
            stem=int(spec["stem_channels"]),
            repeats=list(spec["stages_repeats"]),
            channels=list(spec["stages_out_channels"]),
            num_classes=int(spec["num_classes"]),
        )
    raise ValueError(f"spec family {fam!r}: want shufflenet_v2, mobilenet_v2 or shufflenet_v1")
