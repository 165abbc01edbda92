package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/runner/calib"
	"github.com/shufflelab/explorer/runner/host"
)

// TestCalibrationRefusesOtherFiles: --calib naming a results or history
// row (a one-line JSONL is one JSON object) is a usage error and the file
// keeps its bytes (an audit found sweep replacing such a file with a
// calibration and exiting 0).
func TestCalibrationRefusesOtherFiles(t *testing.T) {
	row := `{"version":1,"host":"0123456789ab","spec":{"family":"shufflenetv2"},"latency_ms":{"median":3.2}}` + "\n"
	p := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(p, []byte(row), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &measureFlags{calib: p, backend: "native", kernels: "generic", threads: 1}
	_, err := m.calibration(context.Background(), host.Detect(), io.Discard)
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a usage error", err)
	}
	if b, _ := os.ReadFile(p); string(b) != row {
		t.Errorf("results file changed to %q", b)
	}
}

// TestMemLimitFlag: sweep and guidelines take --mem-limit like run (the
// memory error they print names the flag) and hand it to the runner.
func TestMemLimitFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int64
		ok   bool
	}{
		{nil, 0, true}, // runner's default: 75% of physical memory
		{[]string{"--mem-limit", "512MiB"}, 512 << 20, true},
		{[]string{"--mem-limit", "8GiB"}, 8 << 30, true},
		{[]string{"--mem-limit", "0"}, 0, false},
		{[]string{"--mem-limit", "-1GiB"}, 0, false},
		{[]string{"--mem-limit", "lots"}, 0, false},
	} {
		fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		m := addMeasureFlags(fs, 0, 0, 0, 1, false)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		mode, err := m.check()
		if (err == nil) != tc.ok {
			t.Errorf("%v: err %v, want ok=%v", tc.args, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		bm, err := newBackendMeasurer(m, mode)
		if err != nil {
			t.Fatal(err)
		}
		if bm.opts.MemLimit != tc.want {
			t.Errorf("%v: runner MemLimit %d, want %d", tc.args, bm.opts.MemLimit, tc.want)
		}
	}
}

// TestMeasureFlagsRefuse: sweep and guidelines refuse what run refuses: a
// cudnn-only flag with the native backend, an empty --kernels or --mode
// (the values are quoted), instead of ignoring them.
func TestMeasureFlagsRefuse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cuda-graph"}, `invalid --cuda-graph with --backend native (it needs --backend cudnn)`},
		{[]string{"--kernels="}, `invalid --kernels ""`},
		{[]string{"--mode="}, `invalid --mode "" (valid: eager|fused)`},
		{[]string{"--mode", "lazy"}, `invalid --mode "lazy" (valid: eager|fused)`},
	} {
		fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		m := addMeasureFlags(fs, 0, 0, 0, 1, false)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		_, err := m.check()
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestIsOff: off in any case turns a file flag off (--history OFF wrote a
// history file named OFF); a path that only contains the word does not.
func TestIsOff(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{{"off", true}, {"OFF", true}, {"Off", true}, {"./off", false}, {"off.jsonl", false}, {"", false}} {
		if got := isOff(tc.v); got != tc.want {
			t.Errorf("isOff(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

// TestCalibrationReplacesDamagedCache: explorer's own cache file, empty
// (a crash, a full disk), stopped every sweep with "invalid --calib", a
// flag the user never gave, --recalibrate included; it is now measured
// again with a warning. A file the user names stays refused (above).
func TestCalibrationReplacesDamagedCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fp := host.Detect()
	path, err := calib.CachePath(calib.HostKey(fp), "generic")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, recal := range []bool{false, true} {
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		m := &measureFlags{backend: "native", kernels: "generic", threads: 1, recalibrate: recal}
		c, err := m.calibration(context.Background(), fp, &stderr)
		if err != nil || !c.Has(1) || !strings.Contains(stderr.String(), "was unreadable") {
			t.Errorf("recalibrate %v: %v, %+v, stderr %q", recal, err, c.Ceilings, stderr.String())
		}
		if _, ok, err := calib.Load(path, calib.HostKey(fp), "generic"); !ok || err != nil {
			t.Errorf("recalibrate %v: cache not replaced: %v", recal, err)
		}
	}
}

// TestCalibrationCacheUnusable: explorer's own cache where it cannot be
// used (its folder is a file; a dangling symbolic link at the file) is a
// warning, the ceilings are measured, and the line says "not cached"
// (the first stopped the sweep, exit 1; the second said "cached in" and
// pointed to a --force that sweep does not have).
func TestCalibrationCacheUnusable(t *testing.T) {
	fp := host.Detect()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, cacheHome string)
		warn  string
	}{
		{"folder is a file", func(t *testing.T, cacheHome string) {
			if err := os.WriteFile(filepath.Join(cacheHome, "explorer"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "unusable"},
		{"dangling link", func(t *testing.T, cacheHome string) {
			if runtime.GOOS == "windows" {
				t.Skip("symbolic links need privileges on Windows")
			}
			path, err := calib.CachePath(calib.HostKey(fp), "generic")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(cacheHome, "nowhere", "x"), path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", home)
			tc.setup(t, home)
			var stderr strings.Builder
			m := &measureFlags{backend: "native", kernels: "generic", threads: 1}
			c, err := m.calibration(context.Background(), fp, &stderr)
			s := stderr.String()
			if err != nil || !c.Has(1) || !strings.Contains(s, tc.warn) || !strings.Contains(s, "not cached)") ||
				strings.Contains(s, "cached in") || strings.Contains(s, "--force") {
				t.Errorf("%v, %+v, stderr %q; want a warning, the ceilings and \"not cached\"", err, c.Ceilings, s)
			}
		})
	}
}
