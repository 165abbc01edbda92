package host

import (
	"bufio"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
)

// osFacts is what the operating system tells about the CPU without the
// cpuid instruction: where cpuid cannot run (riscv64, ppc64le, s390x,
// loong64, -tags noasm builds) it is the only source of the fingerprint's
// CPU name, core count and cache sizes.
type osFacts struct {
	model        string // CPU model name; "" when the OS does not say
	logicalCores int    // runtime.NumCPU()
	l1d, l2, l3  int64  // cache sizes in bytes; 0 when the OS does not say
}

// hasGaps reports whether cpuid left a field [fillGaps] fills empty.
func (f Fingerprint) hasGaps() bool {
	return f.CPU == "" || f.LogicalCores <= 0 || f.L1DBytes <= 0 || f.L2Bytes <= 0 || f.L3Bytes <= 0
}

// fillGaps completes f with the OS's facts where cpuid left a field empty
// (no brand string, no core count, no cache size) and lists each field it
// filled in f.FromOS. It never overrides what cpuid reported.
func fillGaps(f *Fingerprint, o osFacts) {
	if f.CPU == "" && o.model != "" {
		f.CPU = o.model
		f.FromOS = append(f.FromOS, "cpu")
	}
	if f.LogicalCores <= 0 && o.logicalCores > 0 {
		f.LogicalCores = o.logicalCores
		f.FromOS = append(f.FromOS, "logical_cores")
	}
	fill := func(dst *int64, v int64, name string) {
		if *dst <= 0 && v > 0 {
			*dst = v
			f.FromOS = append(f.FromOS, name)
		}
	}
	fill(&f.L1DBytes, o.l1d, "l1d_bytes")
	fill(&f.L2Bytes, o.l2, "l2_bytes")
	fill(&f.L3Bytes, o.l3, "l3_bytes")
}

// cpuinfoModelKeys are the /proc/cpuinfo keys that name the CPU, most
// specific first: "model name" on x86 and LoongArch ("Model Name"), "uarch"
// on RISC-V (e.g. "sifive,u74-mc"), "cpu" on POWER (e.g. "POWER9 (raw),
// altivec supported"), "Model" on Raspberry Pi boards, "vendor_id" on s390x
// ("IBM/S390").
var cpuinfoModelKeys = []string{"model name", "uarch", "cpu", "model", "vendor_id"}

// modelFromCPUInfo returns the CPU name in a /proc/cpuinfo text, "" if none
// of cpuinfoModelKeys has a value. Keys match case-insensitively; the first
// processor's value wins.
func modelFromCPUInfo(text string) string {
	found := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if _, seen := found[k]; !seen && v != "" {
			found[k] = v
		}
	}
	for _, k := range cpuinfoModelKeys {
		if v := found[k]; v != "" {
			return v
		}
	}
	return ""
}

// cachesFromSysfs reads the cache sizes of one CPU from a Linux sysfs cache
// directory (/sys/devices/system/cpu/cpu0/cache: index0, index1, ... each
// with level, type and size files, size like "32K" or "32768K"). Missing or
// unreadable entries leave their size 0.
func cachesFromSysfs(fsys fs.FS) (l1d, l2, l3 int64) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return 0, 0, 0
	}
	read := func(dir, name string) string {
		b, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "index") {
			continue
		}
		size := parseCacheSize(read(e.Name(), "size"))
		if size <= 0 {
			continue
		}
		switch level, kind := read(e.Name(), "level"), read(e.Name(), "type"); {
		case level == "1" && kind == "Data":
			l1d = size
		case level == "2" && kind != "Instruction":
			l2 = size
		case level == "3" && kind != "Instruction":
			l3 = size
		}
	}
	return l1d, l2, l3
}

// parseCacheSize parses sysfs's cache size notation ("48K", "2048K", "1M",
// or plain bytes); 0 when it cannot.
func parseCacheSize(s string) int64 {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n * mult
}

// baseFacts are the facts every OS gives: the logical CPU count.
func baseFacts() osFacts { return osFacts{logicalCores: runtime.NumCPU()} }
