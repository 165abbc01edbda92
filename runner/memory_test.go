package runner

import (
	"fmt"
	"runtime"
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
	if got, err := EstimateBytes(g, Options{}); got != 4*(act+4*wts+staging) || err != nil {
		t.Errorf("EstimateBytes = %d, %v; want %d", got, err, 4*(act+4*wts+staging))
	}
}

// TestEstimateBytesBN counts a graph with batch norms by hand: G4 with
// c=4 (bottleneck c/4 = 1), 1 block at 1x1, batch 1 (arch.Build: conv1
// 4->1, bn1, relu, conv2 3x3 1->1, bn2, relu, conv3 1->4, bn3, add,
// relu). Tensors: the input and the last four are 4 elements, the six
// between 1: 26. Weights: conv1 4 + 1 bias slot, conv2 9 + 1, conv3 4 + 4,
// and each batch norm's four vectors (gamma, beta, mean, variance) of its
// channels, 4*1 + 4*1 + 4*4 = 24: 47 in all. Staging: 4 + 4.
func TestEstimateBytesBN(t *testing.T) {
	g, err := arch.Build(arch.Spec{Family: arch.GuideG4, C: 4, Res: 1, Blocks: 1})
	if err != nil {
		t.Fatal(err)
	}
	act, wts, staging := int64(26), int64(5+10+8+24), int64(8)
	parts, err := EstimateParts(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"activations": 4 * act, "weights": 4 * 2 * 2 * wts, "workspace": 4 * staging}
	for k, v := range want {
		if parts[k] != v {
			t.Errorf("EstimateParts[%q] = %d, want %d", k, parts[k], v)
		}
	}
	if got, err := EstimateBytes(g, Options{}); got != 4*(act+4*wts+staging) || err != nil {
		t.Errorf("EstimateBytes = %d, %v; want %d", got, err, 4*(act+4*wts+staging))
	}
}

func TestEstimateGrowsWithBatch(t *testing.T) {
	var prev int64
	for _, b := range []int{1, 2, 8} {
		g, err := arch.Build(arch.Spec{Batch: b})
		if err != nil {
			t.Fatal(err)
		}
		e, err := EstimateBytes(g, Options{})
		if err != nil || e <= prev {
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

// TestEstimateAtRangeExtremes: at the ends of every documented knob range
// (arch.ExtremeSpecs) every design that builds has a positive estimate equal
// to the sum of its parts, never a wrapped or negative one (issue 15
// reproduction 1: g4 c=16384, 100 blocks, batch 4096 at 8192 px wrapped to
// a negative estimate and passed the check).
func TestEstimateAtRangeExtremes(t *testing.T) {
	for _, s := range arch.ExtremeSpecs() {
		g, err := arch.Build(s)
		if err != nil {
			continue
		}
		e, err := EstimateBytes(g, Options{})
		if err != nil || e <= 0 {
			t.Errorf("%s: estimate %d, %v", s, e, err)
			continue
		}
		parts, _ := EstimateParts(g, Options{})
		if parts["activations"]+parts["weights"]+parts["workspace"] != e {
			t.Errorf("%s: parts %v do not sum to %d", s, parts, e)
		}
		if err := CheckMemory(g, Options{MemLimit: 1 << 40}); err != nil && !strings.Contains(err.Error(), "limit is") {
			t.Errorf("%s: CheckMemory: %v", s, err)
		}
	}
}

// TestEstimateOverflowIsAnError: a graph whose estimate cannot be summed in
// an int64 (arch.Build refuses such designs; this one is assembled by hand)
// is an error, not a wrapped estimate that passes the memory check.
func TestEstimateOverflowIsAnError(t *testing.T) {
	g, err := arch.Build(arch.Spec{Family: arch.GuideG1, C1: 4, C2: 4, Res: 2, Blocks: 1})
	if err != nil {
		t.Fatal(err)
	}
	huge := arch.Shape{N: 1 << 20, C: 1 << 20, H: 1 << 20, W: 1 << 2} // 2^62 elements
	for i := range g.Tensors {
		g.Tensors[i].Shape = huge
	}
	if e, err := EstimateBytes(g, Options{}); err == nil {
		t.Errorf("EstimateBytes = %d, want an overflow error", e)
	}
	if err := CheckMemory(g, Options{MemLimit: 1 << 30}); err == nil {
		t.Error("CheckMemory passed a graph whose estimate overflows")
	}
}

// TestPhysicalMemory: physical memory is read on Linux, macOS and Windows,
// and the default limit is 75% of it; elsewhere the default is the
// fallback, as DefaultMemLimit (the help texts) says. Before, only
// /proc/meminfo was read, so macOS and Windows always got 8 GiB while the
// help promised 75% of physical memory.
func TestPhysicalMemory(t *testing.T) {
	total, err := physicalMemory()
	switch runtime.GOOS {
	case "linux", "darwin", "windows":
		if err != nil || total <= 0 {
			t.Fatalf("physicalMemory() = %d, %v on %s", total, err, runtime.GOOS)
		}
		if got := MemLimit(Options{}); got != total/4*3 {
			t.Errorf("MemLimit = %d, want 75%% of %d", got, total)
		}
	default:
		if err == nil {
			t.Errorf("physicalMemory() = %d on %s, which it does not read", total, runtime.GOOS)
		}
		if got := MemLimit(Options{}); got != fallbackMemLimit {
			t.Errorf("MemLimit = %d, want the fallback %d", got, int64(fallbackMemLimit))
		}
	}
	if want := fmt.Sprintf("75%% of physical memory; %d GiB where it cannot be read", fallbackMemLimit>>30); DefaultMemLimit != want {
		t.Errorf("DefaultMemLimit = %q, want %q", DefaultMemLimit, want)
	}
}
