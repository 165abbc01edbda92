//go:build arm64 && !noasm

package kernels

import "testing"

// TestNEONIsDefault checks that arm64 builds pick the NEON set ("auto"), so that a qemu run
// of the package cross-checks the NEON kernels against the generic ones and the references.
func TestNEONIsDefault(t *testing.T) {
	if got := Supported(); len(got) == 0 || got[0] != "neon" || Best().Name() != "neon" {
		t.Fatalf("Supported() = %v, Best() = %v, want neon first on arm64", got, Best())
	}
}

// TestNeonRuns checks the channel split of the NEON kernels: every channel of [c0,c1)
// covered by a vector run or a generic range, nothing outside it, vectors that overlap
// their neighbour only when unaligned, and, with blocks, no vector across a 16-channel
// block of packed depthwise weights.
func TestNeonRuns(t *testing.T) {
	for c0 := 0; c0 < 40; c0++ {
		for c1 := c0 + 1; c1 <= 70; c1++ {
			for _, blocks := range []bool{false, true} {
				runs, n, rest, nrest := neonRuns(c0, c1, blocks)
				covered := make([]bool, c1)
				for _, r := range runs[:n] {
					if r.ch < c0 || r.ch+4*r.nvec > c1 || r.nvec < 1 {
						t.Fatalf("[%d,%d) blocks=%v: run %+v outside", c0, c1, blocks, r)
					}
					if r.nvec > 1 && r.ch%4 != 0 {
						t.Fatalf("[%d,%d): unaligned run %+v of several vectors", c0, c1, r)
					}
					if blocks && r.ch%4 != 0 && r.ch/dwLanes != (r.ch+3)/dwLanes {
						t.Fatalf("[%d,%d): vector %+v crosses a weight block", c0, c1, r)
					}
					for ch := r.ch; ch < r.ch+4*r.nvec; ch++ {
						covered[ch] = true
					}
				}
				for _, r := range rest[:nrest] {
					if r[0] < c0 || r[1] > c1 || r[0] >= r[1] {
						t.Fatalf("[%d,%d): generic range %v outside", c0, c1, r)
					}
					for ch := r[0]; ch < r[1]; ch++ {
						covered[ch] = true
					}
				}
				for ch := c0; ch < c1; ch++ {
					if !covered[ch] {
						t.Fatalf("[%d,%d) blocks=%v: channel %d not covered (runs %v, rest %v)", c0, c1, blocks, ch, runs[:n], rest[:nrest])
					}
				}
			}
		}
	}
}
