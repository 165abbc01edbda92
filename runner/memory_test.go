package runner

import (
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
)

// TestEstimateBytesG1 checks the estimate on a graph small enough to count
// by hand: G1 with c1=4, c2=8, 1 block at 2x2, batch 1 has tensors of
// 4*2*2=16, 8*2*2=32 and 16 elements (64), two 1x1 convs of 32 weights each
// plus 8 and 4 bias slots, and 16 + 16 staging elements.
func TestEstimateBytesG1(t *testing.T) {
	g, err := arch.Build(arch.Spec{Family: arch.GuideG1, C1: 4, C2: 8, Res: 2, Blocks: 1})
	if err != nil {
		t.Fatal(err)
	}
	act, wts, staging := int64(64), int64(32+8+32+4), int64(32)
	if got, want := EstimateBytes(g, Options{}), 4*(act+4*wts+staging); got != want {
		t.Errorf("EstimateBytes = %d, want %d", got, want)
	}
}

func TestEstimateGrowsWithBatch(t *testing.T) {
	var prev int64
	for _, b := range []int{1, 2, 8} {
		g, err := arch.Build(arch.Spec{Batch: b})
		if err != nil {
			t.Fatal(err)
		}
		e := EstimateBytes(g, Options{})
		if e <= prev {
			t.Errorf("batch %d: estimate %d not above %d", b, e, prev)
		}
		prev = e
	}
}

func TestCheckMemory(t *testing.T) {
	g, err := arch.Build(arch.Spec{Family: arch.ShuffleNetV2, Width: 8, Res: 2048, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	err = CheckMemory(g, Options{MemLimit: 64 << 30})
	// The estimate is about 1157 GiB, 1.13 TiB.
	if err == nil || !strings.Contains(err.Error(), "limit is 64 GiB") || !strings.Contains(err.Error(), "estimated 1.13 TiB") {
		t.Errorf("CheckMemory: %v", err)
	}
	small, _ := arch.Build(arch.Spec{})
	if err := CheckMemory(small, Options{}); err != nil {
		t.Errorf("ShuffleNetV2 1.0x batch 1 refused: %v", err)
	}
	if MemLimit(Options{MemLimit: 123}) != 123 {
		t.Error("explicit limit ignored")
	}
	if MemLimit(Options{}) <= 0 {
		t.Error("default limit not positive")
	}
}
