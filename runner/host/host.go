// Package host records the fingerprint of the machine a measurement ran on:
// the CPU (brand, vendor, family/model, cores, the SIMD features the engine
// cares about, cache sizes) as cpuid reports it, the Go toolchain and
// scheduler settings, and the program-level facts its caller fills in
// (threads used, kernel variant, backend, device).
//
// Field names are part of the versioned result format: never rename one.
package host

import (
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Fingerprint identifies the hardware and software a result was measured on.
type Fingerprint struct {
	CPU           string   `json:"cpu"`              // brand string, e.g. "AMD EPYC 9R14 96-Core Processor"
	Vendor        string   `json:"vendor"`           // raw vendor string, e.g. "AuthenticAMD"
	Family        int      `json:"family"`           // CPU family number
	Model         int      `json:"model"`            // CPU model number
	Stepping      int      `json:"stepping"`         // CPU stepping
	LogicalCores  int      `json:"logical_cores"`    // logical processors (0 if undetectable)
	PhysicalCores int      `json:"physical_cores"`   // physical cores (0 if undetectable)
	Hypervisor    string   `json:"hypervisor"`       // hypervisor vendor string, "" on bare metal
	Features      []string `json:"features"`         // the features of interest present, in Interesting() order
	L1DBytes      int64    `json:"l1d_bytes"`        // L1 data cache per core; -1 if undetected
	L2Bytes       int64    `json:"l2_bytes"`         // L2 cache; -1 if undetected
	L3Bytes       int64    `json:"l3_bytes"`         // L3 cache; -1 if undetected
	GoVersion     string   `json:"go_version"`       // runtime.Version()
	GOOS          string   `json:"goos"`             // runtime.GOOS
	GOARCH        string   `json:"goarch"`           // runtime.GOARCH
	GOMAXPROCS    int      `json:"gomaxprocs"`       // runtime.GOMAXPROCS(0) when detected
	Threads       int      `json:"threads"`          // filled by the caller: worker threads the program used
	Kernels       string   `json:"kernels"`          // filled by the caller: kernel variant, e.g. "avx512"
	Backend       string   `json:"backend"`          // filled by the caller: backend name
	Device        string   `json:"device,omitempty"` // filled by the caller: device description (GPU name, driver, ...)
	// FromOS names (by JSON field name) the fields the operating system
	// filled where cpuid could not tell: "cpu", "logical_cores",
	// "l1d_bytes", "l2_bytes", "l3_bytes". See [Fingerprint.Reported].
	FromOS []string `json:"from_os,omitempty"`
}

// Reported is the fingerprint as cpuid reported it: the fields listed in
// FromOS back at cpuid's "unknown" (CPU "", 0 cores, cache -1). Host keys
// hash it, so a machine keeps the key its results and calibrations were
// filed under before the OS facts were added (arm64 Linux, where cpuid
// reports no cache sizes and sysfs does, would otherwise change key).
func (f Fingerprint) Reported() Fingerprint {
	for _, name := range f.FromOS {
		switch name {
		case "cpu":
			f.CPU = ""
		case "logical_cores":
			f.LogicalCores = 0
		case "l1d_bytes":
			f.L1DBytes = -1
		case "l2_bytes":
			f.L2Bytes = -1
		case "l3_bytes":
			f.L3Bytes = -1
		}
	}
	f.FromOS = nil
	return f
}

// interesting lists the CPU features a fingerprint reports, in order: the
// x86 vector features the amd64 kernel sets choose by, then the ARM ones
// (Advanced SIMD, what the neon set uses, and its extensions).
func interesting() []cpuid.FeatureID {
	return []cpuid.FeatureID{cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX2, cpuid.FMA3,
		cpuid.ASIMD, cpuid.ASIMDHP, cpuid.ASIMDDP, cpuid.SVE}
}

// Interesting returns the names of the CPU features a fingerprint reports.
func Interesting() []string {
	ids := interesting()
	out := make([]string, len(ids))
	for i, f := range ids {
		out[i] = f.String()
	}
	return out
}

// Detect fingerprints this machine. Where cpuid could not tell (no brand
// string, core count or cache size: riscv64, ppc64le, s390x, loong64 and
// -tags noasm builds), the operating system's facts fill the gap (Linux's
// /proc/cpuinfo and sysfs, Windows' PROCESSOR_IDENTIFIER, the Go runtime's
// CPU count). The program-level fields (Threads, Kernels, Backend, Device)
// are left for the caller.
func Detect() Fingerprint {
	f := FromCPU(cpuid.CPU)
	if f.hasGaps() { // cpuid told everything on most amd64 machines: read no file
		fillGaps(&f, readOSFacts())
	}
	f.GoVersion = runtime.Version()
	f.GOOS = runtime.GOOS
	f.GOARCH = runtime.GOARCH
	f.GOMAXPROCS = runtime.GOMAXPROCS(0)
	return f
}

// FromCPU converts cpuid's description of a CPU; it fills only the CPU
// fields.
func FromCPU(c cpuid.CPUInfo) Fingerprint {
	f := Fingerprint{
		CPU:           strings.TrimSpace(c.BrandName),
		Vendor:        c.VendorString,
		Family:        c.Family,
		Model:         c.Model,
		Stepping:      c.Stepping,
		LogicalCores:  c.LogicalCores,
		PhysicalCores: c.PhysicalCores,
		Hypervisor:    c.HypervisorVendorString,
		Features:      []string{},
		L1DBytes:      int64(c.Cache.L1D),
		L2Bytes:       int64(c.Cache.L2),
		L3Bytes:       int64(c.Cache.L3),
	}
	if f.CPU == "" && c.VendorID == cpuid.ARM {
		// Linux on Arm Ltd cores has no brand string: name the core from
		// the MIDR part number (cpuid's Model holds MIDR bits 15:0).
		f.CPU = armCoreName(c.Model >> 4)
	}
	for _, id := range interesting() {
		if c.Supports(id) {
			f.Features = append(f.Features, id.String())
		}
	}
	return f
}

// armCoreName names an Arm Ltd core by its MIDR_EL1 part number (the
// values of Linux's arch/arm64/include/asm/cputype.h), "" when unknown.
func armCoreName(part int) string {
	names := map[int]string{
		0xd03: "Cortex-A53", 0xd05: "Cortex-A55", 0xd07: "Cortex-A57", 0xd08: "Cortex-A72",
		0xd09: "Cortex-A73", 0xd0a: "Cortex-A75", 0xd0b: "Cortex-A76", 0xd0c: "Neoverse-N1",
		0xd0d: "Cortex-A77", 0xd40: "Neoverse-V1", 0xd41: "Cortex-A78", 0xd44: "Cortex-X1",
		0xd46: "Cortex-A510", 0xd47: "Cortex-A710", 0xd48: "Cortex-X2", 0xd49: "Neoverse-N2",
		0xd4d: "Cortex-A715", 0xd4e: "Cortex-X3", 0xd4f: "Neoverse-V2",
	}
	if n, ok := names[part]; ok {
		return "Arm " + n
	}
	return ""
}

// Name is the CPU's readable name: the brand string, else the vendor, else
// "GOARCH CPU" (e.g. "riscv64 CPU") when neither cpuid nor the OS named it.
func (f Fingerprint) Name() string {
	switch {
	case f.CPU != "":
		return f.CPU
	case f.Vendor != "":
		return f.Vendor
	case f.GOARCH != "":
		return f.GOARCH + " CPU"
	}
	return "unknown CPU"
}

// FeatureSummary lists the reported features separated by spaces. With none
// it says whether the CPU lacks them (cpuid ran: a vendor is known) or this
// build could not ask (cpuid unavailable: -tags noasm, or an architecture
// cpuid does not cover).
func (f Fingerprint) FeatureSummary() string {
	switch {
	case len(f.Features) > 0:
		return strings.Join(f.Features, " ")
	case f.Vendor != "":
		return "no AVX2, AVX-512 or Advanced SIMD"
	}
	return "SIMD features not detected by this build"
}

// Has reports whether the fingerprint lists feature name (e.g. "AVX2").
func (f Fingerprint) Has(name string) bool {
	for _, x := range f.Features {
		if x == name {
			return true
		}
	}
	return false
}
