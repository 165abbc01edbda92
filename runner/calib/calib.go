// Package calib measures this machine's roofline ceilings — the FMA peak in
// GFLOP/s and the memory bandwidth of an L2-sized and a DRAM-sized working
// set, per thread count — caches them as JSON keyed by the host
// fingerprint, and turns a cost report into a roofline-estimated latency:
// the sum over ops of max(FLOPs / peak, bytes / bandwidth). That estimate is
// a third indirect metric beside MAdds and MAC.
//
// The peak is what the native backend's own GEMM kernel (runner/kernels)
// reaches on cache-resident shapes, the best of several slices, so it is
// an achievable peak, not the data-sheet one. Bandwidths are from copies
// (bytes read + bytes written, the way MAC counts them). Calibration takes
// well under 3 s on a 2-core machine; the numbers are noisy on a shared
// machine (each is the best of a few short trials).
package calib

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/internal/filelock"
	"github.com/shufflelab/explorer/internal/safefile"
	"github.com/shufflelab/explorer/runner/host"
	"github.com/shufflelab/explorer/runner/internal/userdir"
	"github.com/shufflelab/explorer/runner/kernels"
)

// Version is the version of the cached calibration format; a cache file
// with another version is measured again. Version 2: the peak is the best
// of two GEMM shapes and five slices each (version 1's single shape and
// three slices could land below what the network's GEMMs reach).
const Version = 2

// Ceiling is the roofline of one thread count.
type Ceiling struct {
	Threads    int     `json:"threads"`
	PeakGFLOPS float64 `json:"peak_gflops"` // GEMM FMA peak, GFLOP/s (1e9 FLOPs/s)
	L2GBps     float64 `json:"l2_gbps"`     // copy bandwidth of an L2-resident working set, GB/s (1e9 B/s)
	DRAMGBps   float64 `json:"dram_gbps"`   // copy bandwidth of a DRAM-sized working set, GB/s
}

// Valid reports whether every ceiling is positive.
func (c Ceiling) Valid() bool {
	return c.Threads >= 1 && c.PeakGFLOPS > 0 && c.L2GBps > 0 && c.DRAMGBps > 0
}

// Calibration is the cached measurement of one machine.
type Calibration struct {
	Version     int              `json:"version"`
	Host        string           `json:"host"` // HostKey of the fingerprint
	Kernels     string           `json:"kernels"`
	Fingerprint host.Fingerprint `json:"fingerprint"`
	Time        time.Time        `json:"time"`
	// L2Bytes is the working-set size up to which an op is charged the L2
	// bandwidth (per thread); larger ops are charged the DRAM bandwidth.
	L2Bytes  int64     `json:"l2_bytes"`
	Ceilings []Ceiling `json:"ceilings"` // sorted by Threads
}

// At returns the ceiling for the given thread count: the measured one, or
// the one with the most threads below it (an under-estimate of the peak,
// so a roofline estimate errs on the slow side).
func (c Calibration) At(threads int) (Ceiling, error) {
	var best Ceiling
	for _, x := range c.Ceilings {
		if x.Threads <= threads && x.Threads > best.Threads {
			best = x
		}
	}
	if !best.Valid() {
		return Ceiling{}, fmt.Errorf("calibration of %s has no ceiling for %d thread(s)", c.Host, threads)
	}
	return best, nil
}

// Has reports whether threads was measured.
func (c Calibration) Has(threads int) bool {
	return slices.ContainsFunc(c.Ceilings, func(x Ceiling) bool { return x.Threads == threads && x.Valid() })
}

// HostKey is a short stable ID of a machine: a hash of the CPU identity,
// core count, caches, hypervisor, features and OS/architecture as cpuid
// reported them (host.Fingerprint.Reported: not the gaps the OS filled, nor
// the Go version or the fields a caller fills in per run). Rows and caches
// from the same machine share it.
func HostKey(f host.Fingerprint) string {
	f = f.Reported()
	s := strings.Join([]string{f.CPU, f.Vendor, fmt.Sprint(f.Family, f.Model, f.Stepping), fmt.Sprint(f.LogicalCores, f.PhysicalCores),
		f.Hypervisor, strings.Join(f.Features, " "), fmt.Sprint(f.L1DBytes, f.L2Bytes, f.L3Bytes), f.GOOS, f.GOARCH}, "|")
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

// HostName is a readable short name of a machine, e.g. "AMD EPYC (2 cores)".
func HostName(f host.Fingerprint) string {
	cpu := f.Name()
	if f.LogicalCores > 0 {
		return fmt.Sprintf("%s (%d cores)", cpu, f.LogicalCores)
	}
	return cpu
}

// Estimate is the roofline-estimated latency of a report on ceiling c: for
// every executed row (view steps cost nothing), max(FLOPs / peak, bytes /
// bandwidth) with FLOPs = 2 x MAdds + auxiliary FLOPs and the L2 bandwidth
// when the row's bytes fit in l2Bytes x threads, the DRAM bandwidth
// otherwise; summed over rows.
func Estimate(rep cost.Report, c Ceiling, l2Bytes int64) time.Duration {
	if !c.Valid() {
		return 0
	}
	var sec float64
	for _, r := range rep.Rows {
		sec += RowSeconds(r, c, l2Bytes)
	}
	return time.Duration(sec * 1e9)
}

// RowSeconds is the roofline time of one report row in seconds (see
// [Estimate]).
func RowSeconds(r cost.Row, c Ceiling, l2Bytes int64) float64 {
	if r.View || !c.Valid() {
		return 0
	}
	flops := float64(r.FLOPs() + r.AuxFLOPs)
	bw := c.DRAMGBps
	if l2Bytes > 0 && r.Bytes <= l2Bytes*int64(c.Threads) {
		bw = c.L2GBps
	}
	return max(flops/(c.PeakGFLOPS*1e9), float64(r.Bytes)/(bw*1e9))
}

// CachePath is the cache file of a host and kernel set in explorer's
// per-user cache directory: $XDG_CACHE_HOME/explorer when XDG_CACHE_HOME is
// absolute, else ~/.cache/explorer on Linux and other Unix systems,
// ~/Library/Caches/explorer on macOS and %LocalAppData%\explorer\cache on
// Windows.
func CachePath(hostKey, kernels string) (string, error) {
	dir, err := userdir.Cache()
	if err != nil {
		return "", fmt.Errorf("calibration cache: %w", err)
	}
	return filepath.Join(dir, fmt.Sprintf("calib-%s-%s.json", hostKey, kernels)), nil
}

// maxCacheBytes caps a calibration cache file (one is about 2 KiB: a few
// ceilings per thread count and the host fingerprint); a device, a named
// pipe or a bigger file given as --calib is refused unread.
const maxCacheBytes = 1 << 20

// ErrStale marks a cache file of another format version, host or kernel
// set: Ensure measures again and replaces it.
var ErrStale = errors.New("stale calibration cache")

// ErrNotCalibration marks a file that is not a calibration cache of any
// version (a results or history row, another tool's JSON): Ensure refuses
// to replace it, so a mistyped --calib never destroys another file.
var ErrNotCalibration = errors.New("not a calibration cache")

// Load reads a cached calibration of the given host and kernel set. A
// missing file gives (zero, false, nil); a calibration of another version,
// host or kernel set gives an error wrapping ErrStale; a JSON object without
// a calibration's version, host and ceilings gives one wrapping
// ErrNotCalibration.
func Load(path, hostKey, kernels string) (Calibration, bool, error) {
	b, err := safefile.ReadFile(path, maxCacheBytes, "calibration cache")
	if errors.Is(err, fs.ErrNotExist) {
		return Calibration{}, false, nil
	}
	if err != nil {
		return Calibration{}, false, fmt.Errorf("read calibration: %w", err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return Calibration{}, false, fmt.Errorf("calibration %s: %w (%w)", path, ErrNotCalibration, err)
	}
	for _, k := range []string{"version", "host", "ceilings"} {
		if _, ok := keys[k]; !ok {
			return Calibration{}, false, fmt.Errorf("calibration %s: %w: it has no %q field", path, ErrNotCalibration, k)
		}
	}
	var c Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return Calibration{}, false, fmt.Errorf("calibration %s: %w (%w)", path, ErrNotCalibration, err)
	}
	if c.Version != Version || c.Host != hostKey || c.Kernels != kernels {
		return Calibration{}, false, fmt.Errorf("calibration %s: version %d host %s kernels %s, want version %d host %s kernels %s: %w",
			path, c.Version, c.Host, c.Kernels, Version, hostKey, kernels, ErrStale)
	}
	return c, true, nil
}

// Save writes the calibration atomically (temporary file, sync, rename).
func Save(path string, c Calibration) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode calibration: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save calibration: %w", err)
	}
	if err := safefile.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("save calibration: %w", err)
	}
	return nil
}

// Options control a calibration.
type Options struct {
	// PerCeiling is the time spent on each of the three measurements of a
	// thread count (default 200 ms: 0.6 s per thread count).
	PerCeiling time.Duration
	// DRAMBytes is the size of each of the source and destination buffers
	// of the DRAM copy, per thread (default 32 MiB, or 2 x L3 if larger, up
	// to 128 MiB).
	DRAMBytes int64
	// Kernels is the kernel set whose GEMM measures the compute peak
	// (default: Ensure's kernelsName, Measure's kernels.Best()).
	Kernels *kernels.Set
	// Remeasure lists thread counts Ensure measures again even when the
	// cache has them (--recalibrate).
	Remeasure []int
	// ReplaceUnreadable makes Ensure measure again and replace a file at
	// path that is not a calibration (explorer's own cache file, damaged),
	// calling OnReplace with the reason; without it such a file is an
	// error and stays untouched (a path the user named).
	ReplaceUnreadable bool
	// OnReplace, when not nil, hears why an unreadable cache file was
	// replaced (ReplaceUnreadable).
	OnReplace func(reason error)
	// LockWait bounds how long Ensure waits for another process
	// calibrating into the same path (default 2 minutes; a calibration
	// takes about 0.6 s per thread count).
	LockWait time.Duration
}

// toMeasure is the thread counts of threads that c lacks or that are to
// be measured again, each once.
func toMeasure(c Calibration, threads, remeasure []int) []int {
	var out []int
	for _, t := range threads {
		if (!c.Has(t) || slices.Contains(remeasure, t)) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// lockCache takes the lock of the cache file at path, waiting up to wait
// while another process holds it (it is measuring: two calibrations at
// once would also disturb each other's figures), or until ctx ends.
func lockCache(ctx context.Context, path string, wait time.Duration) (*filelock.Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("calibration cache: %w", err)
	}
	l, err := filelock.AcquireContext(ctx, path+".lock", filelock.Holder("explorer roofline calibration"), wait)
	switch {
	case errors.Is(err, filelock.ErrHeld):
		return nil, fmt.Errorf("calibration cache %s: still calibrating after %v: %w", path, wait, err)
	case err != nil && ctx.Err() == nil:
		return nil, fmt.Errorf("calibration cache: %w", err)
	}
	return l, err
}

// Ensure returns the calibration for every thread count in threads: the
// cached one at path when it has them all, otherwise it measures the
// missing ones (and o.Remeasure's), merges them into the cache and saves
// it. A stale cache (another version, host or kernel set) is measured
// again and replaced; a file that is not a calibration is an error and
// stays untouched, unless o.ReplaceUnreadable. measured reports whether
// anything was measured. Processes calibrating into one path take turns
// (a lock file beside it, removed after): none loses the thread counts
// another measured, and their measurements do not share the cores. A cache
// that already has every thread count is read without the lock, and where
// no lock file can be made (a read-only folder) Ensure measures unlocked.
func Ensure(ctx context.Context, path string, fp host.Fingerprint, kernelsName string, threads []int, o Options) (c Calibration, measured bool, err error) {
	key := HostKey(fp)
	if path != "" {
		// A cache that has every thread count needs no lock: it is only
		// read (and may sit where this user cannot write).
		if c, ok, err := Load(path, key, kernelsName); err == nil && ok && len(toMeasure(c, threads, o.Remeasure)) == 0 {
			return c, false, nil
		}
		wait := o.LockWait
		if wait <= 0 {
			wait = 2 * time.Minute
		}
		l, err := lockCache(ctx, path, wait)
		switch {
		case err == nil:
			defer l.UnlockAndRemove()
		case errors.Is(err, filelock.ErrHeld), ctx.Err() != nil:
			return Calibration{}, false, err
		}
		// Otherwise the lock cannot be made here (a read-only folder, a
		// file system without locks): measure unlocked; saving then
		// fails or not on its own, as before there was a lock.
	}
	c, ok, err := Load(path, key, kernelsName)
	switch {
	case errors.Is(err, ErrNotCalibration) && o.ReplaceUnreadable:
		if o.OnReplace != nil {
			o.OnReplace(err)
		}
	case err != nil && !errors.Is(err, ErrStale):
		return Calibration{}, false, err
	}
	if !ok {
		c = Calibration{Version: Version, Host: key, Kernels: kernelsName, Fingerprint: fp}
	}
	missing := toMeasure(c, threads, o.Remeasure)
	if len(missing) == 0 {
		return c, false, nil
	}
	if o.Kernels == nil {
		if o.Kernels, err = kernels.Lookup(kernelsName); err != nil {
			return Calibration{}, false, fmt.Errorf("calibrate: %w", err)
		}
	}
	fresh, err := Measure(ctx, fp, missing, o)
	if err != nil {
		return Calibration{}, false, err
	}
	c.Time, c.L2Bytes, c.Kernels = fresh.Time, fresh.L2Bytes, kernelsName
	c.Ceilings = slices.DeleteFunc(c.Ceilings, func(x Ceiling) bool { return slices.Contains(missing, x.Threads) })
	c.Ceilings = append(c.Ceilings, fresh.Ceilings...)
	slices.SortFunc(c.Ceilings, func(a, b Ceiling) int { return a.Threads - b.Threads })
	if path != "" {
		if err := Save(path, c); err != nil {
			return c, true, err
		}
	}
	return c, true, nil
}
