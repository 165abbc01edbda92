package calib

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/kernels"
)

// gemmShape is a GEMM C[m x n] = A[m x k] B[k x n] of the peak measurement.
type gemmShape struct{ m, k, n int }

// peakShapes are the GEMMs the peak is the best of: A 48 x 64 with one
// 32-wide packed B panel (about 26 KiB, resident in this machine's 32 KiB
// L1 data cache, per cpuid), and a deeper k = 256 (A 48 KiB and B 32 KiB,
// in L2) that amortises the tile's loads and stores over more FMAs, as the
// network's wider 1x1 convolutions do. Measured on this machine (Zen 4,
// avx512, one thread, shared): 112.5 and 114.3 GFLOP/s.
var peakShapes = []gemmShape{{48, 64, 32}, {48, 256, 32}}

// trials is the number of timed slices of each measurement; the best one
// counts (the machine is shared, the best slice is the least disturbed).
// The peak takes the best of trials slices of each of peakShapes.
const trials = 5

// Measure calibrates the given thread counts on this machine now.
func Measure(ctx context.Context, fp host.Fingerprint, threads []int, o Options) (Calibration, error) {
	if o.PerCeiling <= 0 {
		o.PerCeiling = 200 * time.Millisecond
	}
	l2 := fp.L2Bytes
	if l2 <= 0 {
		l2 = 512 << 10 // cpuid could not tell: assume a small L2
	}
	dram := o.DRAMBytes
	if dram <= 0 {
		dram = min(max(32<<20, 2*fp.L3Bytes), 128<<20)
	}
	if o.Kernels == nil {
		o.Kernels = kernels.Best()
	}
	c := Calibration{Version: Version, Host: HostKey(fp), Kernels: o.Kernels.Name(), Fingerprint: fp,
		Time: time.Now().UTC().Truncate(time.Second), L2Bytes: l2}
	for _, t := range threads {
		if t < 1 {
			return Calibration{}, fmt.Errorf("calibrate: %d threads (want >= 1)", t)
		}
		x := Ceiling{Threads: t}
		var err error
		if x.PeakGFLOPS, err = peak(ctx, o.Kernels, t, o.PerCeiling); err != nil {
			return Calibration{}, err
		}
		// The L2 copy uses a quarter of L2 per buffer: source and destination
		// together fill half of it.
		if x.L2GBps, err = bandwidth(ctx, t, l2/4, o.PerCeiling); err != nil {
			return Calibration{}, err
		}
		if x.DRAMGBps, err = bandwidth(ctx, t, dram, o.PerCeiling); err != nil {
			return Calibration{}, err
		}
		c.Ceilings = append(c.Ceilings, x)
	}
	return c, nil
}

// parallel runs work on t goroutines, each locked to an OS thread, for
// about d, in trials slices; work(i) does one unit on thread i and returns
// the work units' amount (FLOPs or bytes). It returns the best slice's
// total amount per second.
func parallel(ctx context.Context, t int, d time.Duration, setup func(i int) func() float64) (float64, error) {
	units := make([]func() float64, t)
	for i := range units {
		units[i] = setup(i)
		units[i]() // touch the buffers and warm the caches, untimed
	}
	best := 0.0
	slice := d / trials
	for range trials {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("calibrate: %w", err)
		}
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			done  = make([]float64, t)
		)
		for i := range t {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				<-start
				end := time.Now().Add(slice)
				for time.Now().Before(end) {
					done[i] += units[i]()
				}
			}()
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		el := time.Since(t0).Seconds()
		var sum float64
		for _, v := range done {
			sum += v
		}
		if el > 0 {
			best = max(best, sum/el)
		}
	}
	return best, nil
}

// peak is the GEMM FMA rate of kernel set ks in GFLOP/s on t threads: the
// best of trials slices of every shape in peakShapes, the time d shared
// between the shapes. It is what the network's GEMMs can reach, so no
// conv1x1 of a profile should sit above it by more than noise.
func peak(ctx context.Context, ks *kernels.Set, t int, d time.Duration) (float64, error) {
	best := 0.0
	for _, sh := range peakShapes {
		flops, err := parallel(ctx, t, d/time.Duration(len(peakShapes)), func(int) func() float64 {
			a := make([]float32, sh.m*sh.k)
			w := make([]float32, sh.n*sh.k)
			for i := range a {
				a[i] = float32(i%7) * 0.01
			}
			for i := range w {
				w[i] = float32(i%5) * 0.01
			}
			b := kernels.PackGemmB(w, sh.n, sh.k, nil)
			c := make([]float32, sh.m*sh.n)
			act := kernels.None()
			const reps = 16 // amortise the loop's clock reads
			return func() float64 {
				for range reps {
					ks.Gemm(sh.m, a, sh.k, b, 0, sh.n, c, sh.n, act)
				}
				return reps * 2 * float64(sh.m*sh.k*sh.n)
			}
		})
		if err != nil {
			return 0, err
		}
		best = max(best, flops/1e9)
	}
	return best, nil
}

// bandwidth is the copy bandwidth in GB/s (bytes read + bytes written) on t
// threads, each copying its own size-byte buffer.
func bandwidth(ctx context.Context, t int, size int64, d time.Duration) (float64, error) {
	n := int(max(size/4, 1024))
	bps, err := parallel(ctx, t, d, func(int) func() float64 {
		src := make([]float32, n)
		dst := make([]float32, n)
		for i := range src {
			src[i] = float32(i)
		}
		return func() float64 {
			copy(dst, src)
			return float64(8 * n)
		}
	})
	return bps / 1e9, err
}
