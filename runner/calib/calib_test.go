package calib

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shufflelab/explorer/cost"
	"github.com/shufflelab/explorer/runner/host"
)

func TestRowSecondsAndEstimate(t *testing.T) {
	c := Ceiling{Threads: 1, PeakGFLOPS: 100, L2GBps: 200, DRAMGBps: 20}
	const l2 = 1 << 20
	tests := []struct {
		name string
		row  cost.Row
		want float64 // seconds, computed by hand from the ceiling above
	}{
		// 1e9 MAdds = 2e9 FLOPs at 100 GFLOP/s: 20 ms; 1 KiB is nothing.
		{"compute bound", cost.Row{MultAdds: 1e9, Bytes: 1024}, 0.02},
		// 1 MiB fits the 1 MiB L2: 1048576 B / 200 GB/s.
		{"L2 bound", cost.Row{MultAdds: 10, Bytes: 1 << 20}, 1048576 / 200e9},
		// 2 MiB does not fit: DRAM, 2097152 B / 20 GB/s.
		{"DRAM bound", cost.Row{MultAdds: 10, Bytes: 2 << 20}, 2097152 / 20e9},
		// Auxiliary FLOPs count: 1e9 of them at 100 GFLOP/s is 10 ms.
		{"aux FLOPs", cost.Row{AuxFLOPs: 1e9, Bytes: 8}, 0.01},
		{"view step", cost.Row{MultAdds: 1e9, Bytes: 1 << 30, View: true}, 0},
	}
	var rep cost.Report
	var sum float64
	for _, tc := range tests {
		got := RowSeconds(tc.row, c, l2)
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: %v s, want %v", tc.name, got, tc.want)
		}
		rep.Rows = append(rep.Rows, tc.row)
		sum += tc.want
	}
	if got := Estimate(rep, c, l2); math.Abs(got.Seconds()-sum) > 1e-8 {
		t.Errorf("Estimate = %v, want %v s", got, sum)
	}
	if Estimate(rep, Ceiling{}, l2) != 0 {
		t.Error("an invalid ceiling gave an estimate")
	}
	// Two threads have twice the L2: 2 MiB is charged at L2 speed.
	c2 := Ceiling{Threads: 2, PeakGFLOPS: 200, L2GBps: 400, DRAMGBps: 30}
	if got, want := RowSeconds(cost.Row{MultAdds: 10, Bytes: 2 << 20}, c2, l2), 2097152/400e9; math.Abs(got-want) > 1e-15 {
		t.Errorf("2 threads: %v, want %v", got, want)
	}
}

func TestAt(t *testing.T) {
	c := Calibration{Ceilings: []Ceiling{
		{Threads: 1, PeakGFLOPS: 1, L2GBps: 1, DRAMGBps: 1},
		{Threads: 4, PeakGFLOPS: 4, L2GBps: 4, DRAMGBps: 4},
	}}
	for _, tc := range []struct{ threads, want int }{{1, 1}, {2, 1}, {4, 4}, {8, 4}} {
		got, err := c.At(tc.threads)
		if err != nil || got.Threads != tc.want {
			t.Errorf("At(%d) = %+v, %v; want threads %d", tc.threads, got, err, tc.want)
		}
	}
	if _, err := (Calibration{}).At(1); err == nil {
		t.Error("empty calibration gave a ceiling")
	}
}

func TestHostKey(t *testing.T) {
	f := host.Fingerprint{CPU: "CPU A", LogicalCores: 2, Features: []string{"AVX2"}, GOOS: "linux", GOARCH: "amd64"}
	k := HostKey(f)
	g := f
	g.Threads, g.Kernels, g.GoVersion, g.GOMAXPROCS, g.Backend = 7, "generic", "go0", 9, "x"
	if HostKey(g) != k {
		t.Error("per-run fields changed the host key")
	}
	g = f
	g.CPU = "CPU B"
	if HostKey(g) == k {
		t.Error("another CPU has the same host key")
	}
	g = f
	g.LogicalCores = 4
	if HostKey(g) == k {
		t.Error("another core count has the same host key")
	}
	if len(k) != 12 {
		t.Errorf("key %q, want 12 hex digits", k)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "c.json")
	fp := host.Fingerprint{CPU: "X", GOOS: "linux"}
	c := Calibration{Version: Version, Host: HostKey(fp), Kernels: "generic", L2Bytes: 1 << 20,
		Ceilings: []Ceiling{{Threads: 1, PeakGFLOPS: 10, L2GBps: 20, DRAMGBps: 5}}}
	if _, ok, err := Load(p, c.Host, "generic"); ok || err != nil {
		t.Fatalf("missing file: %v %v", ok, err)
	}
	if err := Save(p, c); err != nil {
		t.Fatal(err)
	}
	got, ok, err := Load(p, c.Host, "generic")
	if err != nil || !ok || got.Ceilings[0] != c.Ceilings[0] || got.L2Bytes != c.L2Bytes {
		t.Fatalf("Load = %+v %v %v", got, ok, err)
	}
	if _, _, err := Load(p, "another", "generic"); !errors.Is(err, ErrStale) {
		t.Errorf("other host: %v, want ErrStale", err)
	}
	// The peak is the kernel set's (a generic calibration under-states the
	// avx512 set's peak several times): another set's cache is stale.
	if _, _, err := Load(p, c.Host, "avx512"); !errors.Is(err, ErrStale) {
		t.Errorf("other kernel set: %v, want ErrStale", err)
	}
	c.Version = Version + 1
	Save(p, c)
	if _, _, err := Load(p, c.Host, "generic"); !errors.Is(err, ErrStale) {
		t.Errorf("other version: %v, want ErrStale", err)
	}
	os.WriteFile(p, []byte("{"), 0o644)
	if _, _, err := Load(p, c.Host, "generic"); err == nil || errors.Is(err, ErrStale) {
		t.Errorf("corrupt file: %v", err)
	}
}

// TestEnsureKeepsOtherFiles: a --calib path naming a results row, a history
// row or another tool's JSON is refused and left byte for byte, never
// replaced by a calibration; another kernel set's calibration is replaced.
func TestEnsureKeepsOtherFiles(t *testing.T) {
	fp := host.Detect()
	o := Options{PerCeiling: 15 * time.Millisecond, DRAMBytes: 1 << 20} // short: this is a test
	for _, tc := range []struct{ name, text string }{
		{"results row", `{"version":1,"host":"abc","spec":{"family":"shufflenetv2"},"latency_ms":{"median":1}}` + "\n"},
		{"settings", `{"name":"my settings","width":1.5}`},
		{"array", `[1,2,3]`},
		{"two rows", "{\"version\":1}\n{\"version\":1}\n"},
	} {
		p := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, measured, err := Ensure(context.Background(), p, fp, "generic", []int{1}, o)
		if !errors.Is(err, ErrNotCalibration) || measured {
			t.Errorf("%s: measured=%v err=%v, want ErrNotCalibration", tc.name, measured, err)
		}
		if b, _ := os.ReadFile(p); string(b) != tc.text {
			t.Errorf("%s: file changed to %q", tc.name, b)
		}
	}
	p := filepath.Join(t.TempDir(), "c.json")
	other := Calibration{Version: Version, Host: HostKey(fp), Kernels: "avx512", L2Bytes: 1 << 20,
		Ceilings: []Ceiling{{Threads: 1, PeakGFLOPS: 12345, L2GBps: 1, DRAMGBps: 1}}}
	if err := Save(p, other); err != nil {
		t.Fatal(err)
	}
	c, measured, err := Ensure(context.Background(), p, fp, "generic", []int{1}, o)
	if err != nil || !measured || c.Kernels != "generic" || c.Ceilings[0].PeakGFLOPS == 12345 {
		t.Errorf("avx512 cache used for generic: %+v measured=%v %v", c, measured, err)
	}
}

func TestEnsureUsesCacheAndMeasuresMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	fp := host.Detect()
	cached := Calibration{Version: Version, Host: HostKey(fp), Kernels: "generic", L2Bytes: 1 << 20,
		Ceilings: []Ceiling{{Threads: 1, PeakGFLOPS: 12345, L2GBps: 1, DRAMGBps: 1}}}
	if err := Save(p, cached); err != nil {
		t.Fatal(err)
	}
	o := Options{PerCeiling: 15 * time.Millisecond, DRAMBytes: 1 << 20} // short: this is a test
	c, measured, err := Ensure(context.Background(), p, fp, "generic", []int{1}, o)
	if err != nil || measured || c.Ceilings[0].PeakGFLOPS != 12345 {
		t.Fatalf("cached: %+v measured=%v %v", c, measured, err)
	}
	c, measured, err = Ensure(context.Background(), p, fp, "generic", []int{1, 2}, o)
	if err != nil || !measured || len(c.Ceilings) != 2 {
		t.Fatalf("missing 2 threads: %+v measured=%v %v", c, measured, err)
	}
	if c.Ceilings[0].PeakGFLOPS != 12345 || !c.Ceilings[1].Valid() || c.Ceilings[1].Threads != 2 {
		t.Errorf("ceilings %+v", c.Ceilings)
	}
	again, _, err := Load(p, HostKey(fp), "generic")
	if err != nil || len(again.Ceilings) != 2 {
		t.Errorf("saved %+v %v", again, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Measure(ctx, fp, []int{1}, o); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled measure: %v", err)
	}
}

// TestHostKeyIgnoresOSFilledFields: the host key hashes the fingerprint as
// cpuid reported it, so filling cpuid's gaps from the OS (the cache sizes
// of arm64 Linux from sysfs) keeps the key results and calibrations were
// filed under; a cache size cpuid itself reports still counts.
func TestHostKeyIgnoresOSFilledFields(t *testing.T) {
	arm := host.Fingerprint{CPU: "Arm Neoverse-N1", Vendor: "Arm Limited", LogicalCores: 4, Features: []string{"ASIMD"},
		L1DBytes: -1, L2Bytes: -1, L3Bytes: -1, GOOS: "linux", GOARCH: "arm64"}
	filled := arm
	filled.L1DBytes, filled.L2Bytes, filled.L3Bytes = 64<<10, 1<<20, 32<<20
	filled.FromOS = []string{"l1d_bytes", "l2_bytes", "l3_bytes"}
	if HostKey(filled) != HostKey(arm) {
		t.Error("filling cache sizes from the OS changed the host key")
	}
	reported := filled
	reported.FromOS = nil // the same sizes, reported by cpuid
	if HostKey(reported) == HostKey(arm) {
		t.Error("cpuid's own cache sizes do not count in the host key")
	}
}

// TestEnsureReplacesUnreadableCache: explorer's own cache file, damaged
// (empty, cut short, garbage), blocked every sweep ("invalid --calib" for
// a flag never given), --recalibrate included. With ReplaceUnreadable it is
// measured again and replaced, and the caller hears why.
func TestEnsureReplacesUnreadableCache(t *testing.T) {
	fp := host.Detect()
	for _, text := range []string{"", `{"version": 2, "host": "ab`, "\x00\x01garbage"} {
		p := filepath.Join(t.TempDir(), "c.json")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var heard error
		o := Options{PerCeiling: 15 * time.Millisecond, DRAMBytes: 1 << 20, ReplaceUnreadable: true,
			OnReplace: func(err error) { heard = err }}
		c, measured, err := Ensure(context.Background(), p, fp, "generic", []int{1}, o)
		if err != nil || !measured || !c.Has(1) || !errors.Is(heard, ErrNotCalibration) {
			t.Errorf("%q: measured=%v err=%v heard=%v", text, measured, err, heard)
		}
		if again, ok, err := Load(p, HostKey(fp), "generic"); !ok || err != nil || !again.Has(1) {
			t.Errorf("%q: not replaced: %+v %v %v", text, again, ok, err)
		}
		if _, err := os.Stat(p + ".lock"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%q: lock file left: %v", text, err)
		}
	}
}

// TestEnsureRemeasure: --recalibrate measures a cached thread count again
// and keeps the others.
func TestEnsureRemeasure(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	fp := host.Detect()
	cached := Calibration{Version: Version, Host: HostKey(fp), Kernels: "generic", L2Bytes: 1 << 20,
		Ceilings: []Ceiling{{Threads: 1, PeakGFLOPS: 12345, L2GBps: 1, DRAMGBps: 1}, {Threads: 2, PeakGFLOPS: 54321, L2GBps: 1, DRAMGBps: 1}}}
	if err := Save(p, cached); err != nil {
		t.Fatal(err)
	}
	o := Options{PerCeiling: 15 * time.Millisecond, DRAMBytes: 1 << 20, Remeasure: []int{1}}
	c, measured, err := Ensure(context.Background(), p, fp, "generic", []int{1}, o)
	one, _ := c.At(1)
	two, _ := c.At(2)
	if err != nil || !measured || one.PeakGFLOPS == 12345 || two.PeakGFLOPS != 54321 {
		t.Errorf("remeasured: %+v measured=%v %v", c.Ceilings, measured, err)
	}
}

// TestEnsureConcurrent: two calibrations into one cache at once (two
// sweeps started together) each read the empty cache and saved it whole,
// the later dropping the other's thread count while both said "cached
// in". They now take turns and the file keeps both.
func TestEnsureConcurrent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	fp := host.Detect()
	o := Options{PerCeiling: 15 * time.Millisecond, DRAMBytes: 1 << 20}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = Ensure(context.Background(), p, fp, "generic", []int{i + 1}, o)
		}()
	}
	wg.Wait()
	c, ok, err := Load(p, HostKey(fp), "generic")
	if errs[0] != nil || errs[1] != nil || !ok || err != nil || !c.Has(1) || !c.Has(2) {
		t.Errorf("after two at once: %+v (%v %v) %v %v", c.Ceilings, errs[0], errs[1], ok, err)
	}
}

// TestEnsureWithoutLock: where the lock file cannot be made (a read-only
// cache folder, a file system without locks; here its path is a
// directory, as tests run as root), a cache that has the thread count is
// read as before the lock existed, and a missing count is measured
// unlocked rather than refused (review: both were hard errors).
func TestEnsureWithoutLock(t *testing.T) {
	fp := host.Detect()
	p := filepath.Join(t.TempDir(), "c.json")
	if err := os.Mkdir(p+".lock", 0o755); err != nil {
		t.Fatal(err)
	}
	cached := Calibration{Version: Version, Host: HostKey(fp), Kernels: "generic", L2Bytes: 1 << 20,
		Ceilings: []Ceiling{{Threads: 1, PeakGFLOPS: 12345, L2GBps: 1, DRAMGBps: 1}}}
	if err := Save(p, cached); err != nil {
		t.Fatal(err)
	}
	o := Options{PerCeiling: 15 * time.Millisecond, DRAMBytes: 1 << 20}
	c, measured, err := Ensure(context.Background(), p, fp, "generic", []int{1}, o)
	if err != nil || measured || c.Ceilings[0].PeakGFLOPS != 12345 {
		t.Errorf("cached, no lock possible: %+v measured=%v %v", c.Ceilings, measured, err)
	}
	c, measured, err = Ensure(context.Background(), p, fp, "generic", []int{2}, o)
	if err != nil || !measured || !c.Has(1) || !c.Has(2) {
		t.Errorf("missing, no lock possible: %+v measured=%v %v", c.Ceilings, measured, err)
	}
}
