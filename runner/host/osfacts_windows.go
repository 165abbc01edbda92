package host

import (
	"os"
	"strings"
)

// readOSFacts takes the CPU name from PROCESSOR_IDENTIFIER, which Windows
// sets for every process (e.g. "Intel64 Family 6 Model 158 Stepping 10,
// GenuineIntel").
func readOSFacts() osFacts {
	o := baseFacts()
	o.model = strings.TrimSpace(os.Getenv("PROCESSOR_IDENTIFIER"))
	return o
}
