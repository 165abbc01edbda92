package host

import "os"

// readOSFacts reads /proc/cpuinfo and cpu0's sysfs cache directory.
func readOSFacts() osFacts {
	o := baseFacts()
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		o.model = modelFromCPUInfo(string(b))
	}
	o.l1d, o.l2, o.l3 = cachesFromSysfs(os.DirFS("/sys/devices/system/cpu/cpu0/cache"))
	return o
}
