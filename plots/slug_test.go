package plots

import "testing"

func TestFileSlug(t *testing.T) {
	for in, want := range map[string]string{
		"G1 x1, ARM sizes":               "g1-x1-arm-sizes",
		"shufflenetv2-1.0-fused-1t":      "shufflenetv2-1.0-fused-1t",
		"  MobileNet v2 (1.4x)  ":        "mobilenet-v2-1.4x",
		"":                               "chart",
		"☃":                              "chart",
		"snv2/ResNet--g=3 batch 8 eager": "snv2-resnet-g-3-batch-8-eager",
		// Letters the slug cannot keep: a stable hash tells the names apart
		// (both used to be "chart", and 設計甲/設計乙's charts one file).
		"設計甲":    "ebfe72db",
		"設計乙":    "466ad0da",
		"設計乙 v2": "v2-4d0ca0ae",
		"Café":   "caf-cfc290a9",
	} {
		if got := FileSlug(in); got != want {
			t.Errorf("FileSlug(%q) = %q, want %q", in, got, want)
		}
	}
}
