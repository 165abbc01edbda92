package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestCostJSON: the documented JSON format carries torchvision's exact
// counts for ShuffleNetV2 1.0x (reference/paper.md §8).
func TestCostJSON(t *testing.T) {
	code, out, errs := runCLI("cost", "--preset", "shufflenetv2-1.0", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Totals struct {
			MAdds     int64 `json:"madds"`
			FLOPs     int64 `json:"flops"`
			Params    int64 `json:"params"`
			MemAccess int64 `json:"mem_access"`
			Bytes     int64 `json:"bytes"`
		} `json:"totals"`
		Ops []struct {
			ID, Kind, Stage string
			In, Out         [][4]int
			MAdds           int64 `json:"madds"`
			Params          int64
			MemAccess       int64 `json:"mem_access"`
		} `json:"ops"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Totals.MAdds != 144_907_992 || doc.Totals.Params != 2_278_604 || doc.Totals.FLOPs != 2*144_907_992 {
		t.Errorf("totals %+v", doc.Totals)
	}
	if doc.Totals.Bytes != 4*doc.Totals.MemAccess {
		t.Errorf("bytes %d != 4 x MAC %d", doc.Totals.Bytes, doc.Totals.MemAccess)
	}
	first := doc.Ops[0]
	if first.ID != "conv1.0" || first.Out[0] != [4]int{1, 24, 112, 112} || first.MAdds != 8_128_512 {
		t.Errorf("first op %+v (torchvision conv1: 24x112x112, 8,128,512 MAdds, paper.md §8)", first)
	}
}

// TestBadInput: exit code 2 and a one-line error naming the knob.
func TestBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"cost", "--width", "0"},
		{"cost", "--split", "1.5"},
		{"cost", "--depths", "4,0,4"},
		{"cost", "--family", "resnet"},
		{"cost", "--preset", "nope"},
		{"cost", "--by", "layer"},
		{"cost", "--res", "16"},
		{"cost", "--bogus"},
		{"frobnicate"},
	} {
		code, _, errs := runCLI(args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if lines := strings.Count(strings.TrimSpace(errs), "\n"); lines != 0 && !strings.Contains(errs, "Usage") {
			t.Errorf("%v: %d-line error %q", args, lines+1, errs)
		}
	}
}

func TestCostViewsAndFormats(t *testing.T) {
	for _, args := range [][]string{
		{"cost"}, {"cost", "--by", "op", "--view", "fused"}, {"cost", "--by", "category", "--format", "csv"},
		{"cost", "--family", "g2", "--c", "360", "--groups", "8"}, {"presets"}, {"presets", "--format", "json"}, {"help"},
	} {
		if code, out, errs := runCLI(args...); code != 0 || out == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
