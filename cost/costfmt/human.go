package costfmt

import (
	"math"
	"strconv"
	"strings"
)

// Count formats a count for people with an SI suffix: one decimal for k
// (1e3), two for M (1e6), G (1e9), T (1e12), P (1e15) and E (1e18), the
// plain integer below 1000 ("146.00M", "2.3k", "999"). The unit is the one
// that keeps the rounded value below 1000 ("1.00M", not "1000.0k"). `explorer
// cost` and the interactive explorer show MAdds, params and MAC this way.
func Count(n int64) string {
	if n > -1000 && n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	units := []struct {
		scale    float64
		suffix   string
		decimals int
	}{{1e3, "k", 1}, {1e6, "M", 2}, {1e9, "G", 2}, {1e12, "T", 2}, {1e15, "P", 2}, {1e18, "E", 2}}
	f := float64(n)
	for i, u := range units {
		s := strconv.FormatFloat(f/u.scale, 'f', u.decimals, 64)
		if v, _ := strconv.ParseFloat(s, 64); math.Abs(v) < 1000 || i == len(units)-1 {
			return s + u.suffix
		}
	}
	panic("unreachable")
}

// Bytes formats a byte count for people in the largest binary unit that
// keeps it at least 1, with up to two decimals and no trailing zeros
// ("512 B", "1.5 KiB", "69.29 MiB", "768 MiB", "12.5 GiB"); a value that
// rounds to 1024 takes the next unit ("1 MiB", not "1024 KiB"). It is the
// one byte formatter of the explorer: cost tables, memory refusals, cache
// sizes and the interactive explorer all use it.
func Bytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(n)
	u := 0
	for u < len(units)-1 && math.Abs(f) >= 1024 {
		f /= 1024
		u++
	}
	s := trimmed(f, 2)
	if v, _ := strconv.ParseFloat(s, 64); math.Abs(v) >= 1024 && u < len(units)-1 {
		return trimmed(f/1024, 2) + " " + units[u+1]
	}
	return s + " " + units[u]
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
