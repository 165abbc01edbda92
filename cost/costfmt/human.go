package costfmt

import (
	"fmt"
	"strconv"
)

// Count formats a count for people with an SI suffix: two decimals for G
// (1e9) and M (1e6), one for k (1e3), the plain integer below 1000
// ("146.00M", "2.3k", "999"). `explorer cost` and the interactive explorer
// show MAdds, params and MAC this way.
func Count(n int64) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return strconv.FormatFloat(f/1e9, 'f', 2, 64) + "G"
	case f >= 1e6:
		return strconv.FormatFloat(f/1e6, 'f', 2, 64) + "M"
	case f >= 1e3:
		return strconv.FormatFloat(f/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatInt(n, 10)
}

// Bytes formats a byte count for people with a binary unit: two decimals
// for GiB and MiB, one for KiB, whole bytes below 1 KiB ("19.26 GiB",
// "13.90 MiB", "1.5 KiB", "512 B").
func Bytes(n int64) string { return formatBytes(n, 2) }

// BytesShort is [Bytes] with one decimal for MiB ("13.9 MiB"), for narrow
// views.
func BytesShort(n int64) string { return formatBytes(n, 1) }

func formatBytes(n int64, mibDecimals int) string {
	f := float64(n)
	switch {
	case f >= 1<<30:
		return fmt.Sprintf("%.2f GiB", f/(1<<30))
	case f >= 1<<20:
		return fmt.Sprintf("%.*f MiB", mibDecimals, f/(1<<20))
	case f >= 1<<10:
		return fmt.Sprintf("%.1f KiB", f/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
