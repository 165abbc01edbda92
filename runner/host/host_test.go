package host

import (
	"encoding/json"
	"runtime"
	"slices"
	"sort"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

func TestFromCPU(t *testing.T) {
	tests := []struct {
		name   string
		enable []cpuid.FeatureID
		want   []string
	}{
		{name: "none", enable: nil, want: []string{}},
		{name: "avx2 fma", enable: []cpuid.FeatureID{cpuid.FMA3, cpuid.AVX2, cpuid.SSE2}, want: []string{"AVX2", "FMA3"}},
		{
			name:   "zen4 set",
			enable: []cpuid.FeatureID{cpuid.AVX512VL, cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX2, cpuid.FMA3},
			// listed in the fixed order AVX512F, AVX512DQ, AVX512BW, AVX512VL, AVX2, FMA3
			want: []string{"AVX512F", "AVX512DQ", "AVX512BW", "AVX512VL", "AVX2", "FMA3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c cpuid.CPUInfo
			c.BrandName = "  Test CPU 9000  "
			c.VendorString = "AuthenticAMD"
			c.Family, c.Model, c.Stepping = 25, 17, 1
			c.LogicalCores, c.PhysicalCores = 2, 1
			c.Cache.L1D, c.Cache.L2, c.Cache.L3 = 32<<10, 1<<20, -1
			c.Enable(tc.enable...)
			f := FromCPU(c)
			if !slices.Equal(f.Features, tc.want) {
				t.Errorf("features %v, want %v", f.Features, tc.want)
			}
			if f.CPU != "Test CPU 9000" || f.Vendor != "AuthenticAMD" || f.Family != 25 || f.Model != 17 ||
				f.LogicalCores != 2 || f.PhysicalCores != 1 || f.L1DBytes != 32<<10 || f.L2Bytes != 1<<20 || f.L3Bytes != -1 {
				t.Errorf("fields not copied: %+v", f)
			}
			if f.Has("AVX2") != slices.Contains(tc.want, "AVX2") {
				t.Errorf("Has(AVX2) = %v with features %v", f.Has("AVX2"), f.Features)
			}
		})
	}
}

// TestFromCPUArm: Linux on an Arm Ltd core has no brand string; the core is
// named from the MIDR part number (0xd0c = Neoverse N1, 0xd0b = Cortex-A76
// in Linux's arch/arm64/include/asm/cputype.h; the low 4 bits of cpuid's
// Model are the revision). Advanced SIMD is listed as ASIMD.
func TestFromCPUArm(t *testing.T) {
	for _, tc := range []struct {
		model int
		want  string
	}{{0xd0c1, "Arm Neoverse-N1"}, {0xd0b0, "Arm Cortex-A76"}, {0x0010, ""}} {
		var c cpuid.CPUInfo
		c.VendorID, c.VendorString, c.Model = cpuid.ARM, "Arm Limited", tc.model
		c.Enable(cpuid.ASIMD, cpuid.FP)
		f := FromCPU(c)
		if f.CPU != tc.want || !slices.Equal(f.Features, []string{"ASIMD"}) {
			t.Errorf("model %#x: cpu %q features %v, want %q [ASIMD]", tc.model, f.CPU, f.Features, tc.want)
		}
	}
}

func TestDetectGoFields(t *testing.T) {
	f := Detect()
	if f.GoVersion != runtime.Version() || f.GOOS != runtime.GOOS || f.GOARCH != runtime.GOARCH || f.GOMAXPROCS != runtime.GOMAXPROCS(0) {
		t.Errorf("Go fields %q %q %q %d", f.GoVersion, f.GOOS, f.GOARCH, f.GOMAXPROCS)
	}
	if f.Features == nil {
		t.Error("Features must be an empty list, not null, in JSON")
	}
}

// TestJSONNames pins the JSON field names: they are part of the versioned
// result format, so renaming one must fail a test.
func TestJSONNames(t *testing.T) {
	b, err := json.Marshal(Fingerprint{Device: "x"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want := []string{"backend", "cpu", "device", "family", "features", "gomaxprocs", "go_version", "goarch", "goos",
		"hypervisor", "kernels", "l1d_bytes", "l2_bytes", "l3_bytes", "logical_cores", "model", "physical_cores", "stepping", "threads", "vendor"}
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("JSON keys\n got %v\nwant %v", got, want)
	}
}
