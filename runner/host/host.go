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
}

// interesting lists the CPU features a fingerprint reports, in order.
func interesting() []cpuid.FeatureID {
	return []cpuid.FeatureID{cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX2, cpuid.FMA3}
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

// Detect fingerprints this machine. The program-level fields (Threads,
// Kernels, Backend, Device) are left for the caller.
func Detect() Fingerprint {
	f := FromCPU(cpuid.CPU)
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
	for _, id := range interesting() {
		if c.Supports(id) {
			f.Features = append(f.Features, id.String())
		}
	}
	return f
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
