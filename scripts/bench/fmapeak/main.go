// Command fmapeak measures this core's single-precision FMA peak: independent FMA chains
// (more than latency x issue rate, so no chain waits) run back to back for a fixed count,
// timed several times; it prints the best rate in GFLOP/s per core for each vector width the
// CPU has (amd64: zmm with AVX-512, ymm with FMA3; arm64: 128-bit NEON).
//
// The peak is the denominator of the "% of peak" columns (compare.sh runs it unless PEAK is
// given). On the Ice Lake Xeon of docs/benchmarks-intel.md it read 150-188 GFLOP/s (zmm) and
// 93-111 (ymm) in one day; on the 2-vCPU Zen 4 of docs/benchmarks.md an earlier loop of the
// same kind (12 zmm or ymm chains) read 116 for both widths.
//
// Usage: go run ./scripts/bench/fmapeak [-rounds N] [-q]
//
//	-q prints only the best width's GFLOP/s (for PEAK=$(go run ./scripts/bench/fmapeak -q))
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// loop is one FMA loop: run(n) executes n iterations of flopsPerIter floating-point
// operations (2 per lane per FMA).
type loop struct {
	name         string
	flopsPerIter float64
	run          func(n int)
}

func main() {
	rounds := flag.Int("rounds", 7, "timed rounds per loop (best is kept), 1..1000")
	quiet := flag.Bool("q", false, "print only the best GFLOP/s")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "fmapeak: unexpected argument %q (flags: -rounds N, -q)\n", flag.Arg(0))
		os.Exit(2)
	}
	if *rounds < 1 || *rounds > 1000 {
		fmt.Fprintf(os.Stderr, "fmapeak: -rounds %d: want 1..1000\n", *rounds)
		os.Exit(2)
	}
	loops := fmaLoops()
	if len(loops) == 0 {
		fmt.Fprintln(os.Stderr, "fmapeak: no FMA loop for this CPU or GOARCH")
		os.Exit(1)
	}
	best := 0.0
	for _, l := range loops {
		g := measure(l, *rounds)
		best = max(best, g)
		if !*quiet {
			fmt.Printf("%-6s %7.1f GFLOP/s per core\n", l.name, g)
		}
	}
	if *quiet {
		fmt.Printf("%.1f\n", best)
	}
}

// measure times l in rounds of about 50 ms and returns the best GFLOP/s.
func measure(l loop, rounds int) float64 {
	n := 1000
	for {
		t := time.Now()
		l.run(n)
		if d := time.Since(t); d > 5*time.Millisecond || n > 1<<30 {
			n = max(1, int(float64(n)*50e6/float64(max(d.Nanoseconds(), 1))))
			break
		}
		n *= 4
	}
	best := 0.0
	for range rounds {
		t := time.Now()
		l.run(n)
		best = max(best, float64(n)*l.flopsPerIter/time.Since(t).Seconds()/1e9)
	}
	return best
}
