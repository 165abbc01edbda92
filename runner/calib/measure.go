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

// The GEMM shape of the peak measurement: C[m x n] = A[m x k] B[k x n]. A is
// 48 x 64 (12 KiB), the packed B one 32-wide panel (8.1 KiB), C 6 KiB:
// about 26 KiB, resident in a 32 KiB L1 data cache (this machine's, per
// cpuid), so the kernel runs at its compute peak.
const (
	gemmM = 48
	gemmK = 64
	gemmN = 32
)

// trials is the number of timed slices of each measurement; the best one
// counts (the machine is shared, the best slice is the least disturbed).
const trials = 3

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

// peak is the GEMM FMA rate of kernel set ks in GFLOP/s on t threads.
func peak(ctx context.Context, ks *kernels.Set, t int, d time.Duration) (float64, error) {
	flops, err := parallel(ctx, t, d, func(int) func() float64 {
		a := make([]float32, gemmM*gemmK)
		w := make([]float32, gemmN*gemmK)
		for i := range a {
			a[i] = float32(i%7) * 0.01
		}
		for i := range w {
			w[i] = float32(i%5) * 0.01
		}
		b := kernels.PackGemmB(w, gemmN, gemmK, nil)
		c := make([]float32, gemmM*gemmN)
		act := kernels.None()
		const reps = 16 // amortise the loop's clock reads
		return func() float64 {
			for range reps {
				ks.Gemm(gemmM, a, gemmK, b, 0, gemmN, c, gemmN, act)
			}
			return reps * 2 * gemmM * gemmK * gemmN
		}
	})
	return flops / 1e9, err
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
