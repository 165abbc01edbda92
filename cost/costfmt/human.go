package costfmt

import (
	"math"
	"strconv"
	"strings"
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

// Bytes formats a byte count for people in the largest binary unit that
// keeps it at least 1, with up to two decimals and no trailing zeros
// ("512 B", "1.5 KiB", "69.29 MiB", "768 MiB", "12.5 GiB"). It is the one
// byte formatter of the explorer: cost tables, memory refusals, cache sizes
// and the interactive explorer all use it.
func Bytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	f := float64(n)
	u := 0
	for u < len(units)-1 && math.Abs(f) >= 1024 {
		f /= 1024
		u++
	}
	return trimmed(f, 2) + " " + units[u]
}

// trimmed formats f with at most decimals decimals, dropping trailing
// zeros ("12.50" -> "12.5", "3.00" -> "3").
func trimmed(f float64, decimals int) string {
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Millis formats a time in milliseconds: one decimal from 100 ms, three
// from 1 ms (and for 0), four below ("218.4", "3.071", "0.0305"). Latency
// tables, the guideline tables and the interactive explorer show times
// this way.
func Millis(ms float64) string {
	switch a := math.Abs(ms); {
	case a >= 100:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(ms, 'f', 3, 64)
	}
	return strconv.FormatFloat(ms, 'f', 4, 64)
}

// Speed formats a speed (images/s, batches/s) with three significant
// digits, whole numbers from 100 ("1234", "325", "41.7", "0.5").
func Speed(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
