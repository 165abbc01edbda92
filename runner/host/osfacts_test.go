package host

import (
	"os"
	"runtime"
	"slices"
	"testing"
	"testing/fstest"
)

// TestModelFromCPUInfo: the CPU name in /proc/cpuinfo excerpts of the
// architectures cpuid does not cover (field names as Linux prints them in
// arch/*/kernel/cpuinfo.c or proc.c of each architecture).
func TestModelFromCPUInfo(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"x86", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\ncpu MHz\t\t: 2600.0\n", "AMD EPYC 9R14"},
		{"riscv64", "processor\t: 0\nhart\t\t: 1\nisa\t\t: rv64imafdc_zicntr\nmmu\t\t: sv39\nuarch\t\t: sifive,u74-mc\nmvendorid\t: 0x489\n", "sifive,u74-mc"},
		{"ppc64le", "processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\nclock\t\t: 3800.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n\ntimebase\t: 512000000\nmodel\t\t: 8335-GTH\n", "POWER9 (raw), altivec supported"},
		{"s390x", "vendor_id       : IBM/S390\n# processors    : 2\nbogomips per cpu: 3241.00\nprocessor 0: version = FF,  identification = 0133E8,  machine = 2964\n", "IBM/S390"},
		{"loong64", "system type\t\t: generic-loongson-machine\n\nprocessor\t\t: 0\npackage\t\t\t: 0\ncore\t\t\t: 0\nCPU Family\t\t: Loongson-64bit\nModel Name\t\t: Loongson-3A5000\n", "Loongson-3A5000"},
		{"raspberry pi, noasm arm64", "processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n\nRevision\t: c03114\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n", "Raspberry Pi 4 Model B Rev 1.4"},
		{"first processor wins", "model name\t: first\nmodel name\t: second\n", "first"},
		{"empty value skipped", "model name\t:\nuarch\t: u74\n", "u74"},
		{"nothing", "processor\t: 0\nBogoMIPS\t: 50.00\n", ""},
		{"empty", "", ""},
	} {
		if got := modelFromCPUInfo(tc.text); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestCachesFromSysfs: a cache directory as Linux lays it out (this
// machine's Zen 4 slice: 32K L1d, 32K L1i, 1024K L2, 32768K L3).
func TestCachesFromSysfs(t *testing.T) {
	dir := func(level, kind, size string) map[string]*fstest.MapFile {
		return map[string]*fstest.MapFile{"level": {Data: []byte(level + "\n")}, "type": {Data: []byte(kind + "\n")}, "size": {Data: []byte(size + "\n")}}
	}
	fsys := fstest.MapFS{"uevent": {Data: nil}}
	for name, files := range map[string]map[string]*fstest.MapFile{
		"index0": dir("1", "Data", "32K"), "index1": dir("1", "Instruction", "32K"),
		"index2": dir("2", "Unified", "1024K"), "index3": dir("3", "Unified", "32768K"),
	} {
		for f, d := range files {
			fsys[name+"/"+f] = d
		}
	}
	l1d, l2, l3 := cachesFromSysfs(fsys)
	if l1d != 32<<10 || l2 != 1<<20 || l3 != 32<<20 {
		t.Errorf("caches %d %d %d, want %d %d %d", l1d, l2, l3, 32<<10, 1<<20, 32<<20)
	}
	// An L2-only machine (many Cortex-A53 boards) and a missing directory.
	fsys = fstest.MapFS{}
	for f, d := range dir("2", "Unified", "512K") {
		fsys["index0/"+f] = d
	}
	if l1d, l2, l3 := cachesFromSysfs(fsys); l1d != 0 || l2 != 512<<10 || l3 != 0 {
		t.Errorf("L2 only: %d %d %d", l1d, l2, l3)
	}
	if l1d, l2, l3 := cachesFromSysfs(fstest.MapFS{"x": {Data: nil}}); l1d != 0 || l2 != 0 || l3 != 0 {
		t.Errorf("no index dirs: %d %d %d", l1d, l2, l3)
	}
}

func TestParseCacheSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"32K", 32 << 10}, {"2048K", 2 << 20}, {"1M", 1 << 20}, {"4096", 4096}, {"", 0}, {"K", 0}, {"-1K", 0}, {"12Q", 0}} {
		if got := parseCacheSize(tc.in); got != tc.want {
			t.Errorf("parseCacheSize(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestFillGaps: the OS fills only what cpuid left empty.
func TestFillGaps(t *testing.T) {
	facts := osFacts{model: "os name", logicalCores: 8, l1d: 1, l2: 2, l3: 3}
	f := Fingerprint{L1DBytes: -1, L2Bytes: -1, L3Bytes: -1}
	fillGaps(&f, facts)
	if f.CPU != "os name" || f.LogicalCores != 8 || f.L1DBytes != 1 || f.L2Bytes != 2 || f.L3Bytes != 3 {
		t.Errorf("gaps not filled: %+v", f)
	}
	if want := []string{"cpu", "logical_cores", "l1d_bytes", "l2_bytes", "l3_bytes"}; !slices.Equal(f.FromOS, want) {
		t.Errorf("FromOS %v, want %v", f.FromOS, want)
	}
	// Reported undoes exactly the filled fields (cpuid's unknowns: "", 0, -1).
	if r := f.Reported(); r.CPU != "" || r.LogicalCores != 0 || r.L1DBytes != -1 || r.L2Bytes != -1 || r.L3Bytes != -1 || r.FromOS != nil {
		t.Errorf("Reported %+v", r)
	}
	// arm64 Linux: cpuid names the core and counts cores, knows no cache.
	arm := Fingerprint{CPU: "Arm Neoverse-N1", LogicalCores: 4, L1DBytes: -1, L2Bytes: -1, L3Bytes: -1}
	filled := arm
	fillGaps(&filled, facts)
	if filled.CPU != arm.CPU || filled.L2Bytes != 2 || !slices.Equal(filled.FromOS, []string{"l1d_bytes", "l2_bytes", "l3_bytes"}) {
		t.Errorf("arm64: %+v", filled)
	}
	if r := filled.Reported(); r.CPU != arm.CPU || r.LogicalCores != 4 || r.L1DBytes != -1 || r.L2Bytes != -1 || r.L3Bytes != -1 {
		t.Errorf("arm64 Reported %+v", r)
	}
	f = Fingerprint{CPU: "cpuid name", LogicalCores: 2, L1DBytes: 10, L2Bytes: 20, L3Bytes: 30}
	fillGaps(&f, facts)
	if f.CPU != "cpuid name" || f.LogicalCores != 2 || f.L1DBytes != 10 || f.L2Bytes != 20 || f.L3Bytes != 30 {
		t.Errorf("cpuid's facts overridden: %+v", f)
	}
}

// TestDetectFillsGaps: on every build (the noasm one included, where cpuid
// reports nothing) the fingerprint has a core count, and on Linux the cache
// sizes sysfs lists.
func TestDetectFillsGaps(t *testing.T) {
	f := Detect()
	if f.LogicalCores <= 0 {
		t.Errorf("logical cores %d", f.LogicalCores)
	}
	if runtime.GOOS == "linux" {
		if b, err := os.ReadFile("/proc/cpuinfo"); err == nil && modelFromCPUInfo(string(b)) != "" && f.CPU == "" {
			t.Errorf("/proc/cpuinfo names the CPU %q, the fingerprint has none", modelFromCPUInfo(string(b)))
		}
		_, l2, _ := cachesFromSysfs(os.DirFS("/sys/devices/system/cpu/cpu0/cache"))
		if l2 > 0 && f.L2Bytes <= 0 {
			t.Errorf("sysfs lists an L2 of %d bytes, fingerprint has %d", l2, f.L2Bytes)
		}
	}
}

func TestNameAndFeatureSummary(t *testing.T) {
	for _, tc := range []struct {
		f           Fingerprint
		name, feats string
	}{
		{Fingerprint{CPU: "AMD EPYC", Vendor: "AuthenticAMD", Features: []string{"AVX2", "FMA3"}}, "AMD EPYC", "AVX2 FMA3"},
		{Fingerprint{Vendor: "GenuineIntel", Features: []string{}}, "GenuineIntel", "no AVX2, AVX-512 or Advanced SIMD"},
		{Fingerprint{GOARCH: "riscv64", Features: []string{}}, "riscv64 CPU", "SIMD features not detected by this build"},
		{Fingerprint{}, "unknown CPU", "SIMD features not detected by this build"},
	} {
		if n, s := tc.f.Name(), tc.f.FeatureSummary(); n != tc.name || s != tc.feats {
			t.Errorf("%+v: Name %q FeatureSummary %q, want %q %q", tc.f, n, s, tc.name, tc.feats)
		}
	}
}
